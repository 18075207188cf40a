#include "server/AccessPolicy.h"

#include "server/MlflowError.h"
#include "server/RequestParams.h"
#include "server/ResourceIds.h"
#include "server/TrackingStore.h"

namespace {

QString validatorKey(const QByteArray& method, const QString& path)
{
    return QString::fromLatin1(method) + QLatin1Char(' ') + path;
}

// mlflow.server.auth._get_request_param, including its run_id -> run_uuid fallback.
QString requestParam(const RequestContext& context, const QString& name)
{
    const RequestParams params = RequestParams::forAuthLayer(context.request);
    if (!params.has(name) && name == QLatin1String("run_id"))
        return requestParam(context, QStringLiteral("run_uuid"));
    return params.requiredString(name);
}

using Check = bool (*)(PermissionLevel);

PermissionLevel levelOrDefault(const RequestContext& context, const std::optional<QString>& stored)
{
    if (!stored)
        return context.state.defaultPermission;
    return Permissions::parse(*stored).value_or(PermissionLevel::NoPermissions);
}

std::function<bool(const RequestContext&)> onExperimentId(Check check)
{
    return [check](const RequestContext& context) {
        return check(
            AccessPolicy::experimentPermission(context, requestParam(context, QStringLiteral("experiment_id"))));
    };
}

std::function<bool(const RequestContext&)> onExperimentName(Check check)
{
    return [check](const RequestContext& context) {
        const QString name = requestParam(context, QStringLiteral("experiment_name"));
        const std::optional<QJsonObject> experiment = context.state.tracking->experimentByName(name);
        if (!experiment)
            throw MlflowError::notFound(QStringLiteral("Could not find experiment with name %1").arg(name));
        const QString experimentId = experiment->value(QStringLiteral("experiment_id")).toString();
        return check(AccessPolicy::experimentPermission(context, experimentId));
    };
}

std::function<bool(const RequestContext&)> onRunId(Check check)
{
    return [check](const RequestContext& context) {
        const QString runId = requestParam(context, QStringLiteral("run_id"));
        const QString experimentId = context.state.tracking->experimentIdOfRun(runId);
        return check(AccessPolicy::experimentPermission(context, experimentId));
    };
}

std::function<bool(const RequestContext&)> onModelName(Check check)
{
    return [check](const RequestContext& context) {
        return check(AccessPolicy::registeredModelPermission(context, requestParam(context, QStringLiteral("name"))));
    };
}

bool adminOnly(const RequestContext& /*context*/)
{
    return false;
}

bool selfOnly(const RequestContext& context)
{
    return requestParam(context, QStringLiteral("username")) == context.user.username;
}

} // namespace

void AccessPolicy::addTracking(const QByteArray& method, const QString& endpoint, Validator validator)
{
    m_validators.insert(validatorKey(method, apiPrefix + endpoint), validator);
    m_validators.insert(validatorKey(method, ajaxApiPrefix + endpoint), std::move(validator));
}

void AccessPolicy::addAuth(const QByteArray& method, const QString& endpoint, Validator validator)
{
    m_validators.insert(validatorKey(method, apiPrefix + endpoint), std::move(validator));
}

AccessPolicy::AccessPolicy()
{
    using namespace Permissions;
    // Experiments and runs (runs inherit their experiment's permission).
    addTracking("GET", QStringLiteral("experiments/get"), onExperimentId(canRead));
    addTracking("GET", QStringLiteral("experiments/get-by-name"), onExperimentName(canRead));
    addTracking("POST", QStringLiteral("experiments/delete"), onExperimentId(canDelete));
    addTracking("POST", QStringLiteral("experiments/restore"), onExperimentId(canDelete));
    addTracking("POST", QStringLiteral("experiments/update"), onExperimentId(canUpdate));
    addTracking("POST", QStringLiteral("experiments/set-experiment-tag"), onExperimentId(canUpdate));
    addTracking("POST", QStringLiteral("runs/create"), onExperimentId(canUpdate));
    addTracking("GET", QStringLiteral("runs/get"), onRunId(canRead));
    addTracking("POST", QStringLiteral("runs/update"), onRunId(canUpdate));
    addTracking("POST", QStringLiteral("runs/delete"), onRunId(canDelete));
    addTracking("POST", QStringLiteral("runs/restore"), onRunId(canDelete));
    addTracking("POST", QStringLiteral("runs/log-metric"), onRunId(canUpdate));
    addTracking("POST", QStringLiteral("runs/log-parameter"), onRunId(canUpdate));
    addTracking("POST", QStringLiteral("runs/set-tag"), onRunId(canUpdate));
    addTracking("POST", QStringLiteral("runs/log-batch"), onRunId(canUpdate));
    addTracking("GET", QStringLiteral("metrics/get-history"), onRunId(canRead));
    // Registered models.
    addTracking("GET", QStringLiteral("registered-models/get"), onModelName(canRead));
    addTracking("POST", QStringLiteral("registered-models/rename"), onModelName(canUpdate));
    addTracking("DELETE", QStringLiteral("registered-models/delete"), onModelName(canDelete));
    // The auth app's own endpoints.
    addAuth("POST", QStringLiteral("users/create"), adminOnly);
    addAuth("GET", QStringLiteral("users/get"), selfOnly);
    addAuth("PATCH", QStringLiteral("users/update-password"), selfOnly);
    addAuth("PATCH", QStringLiteral("users/update-admin"), adminOnly);
    addAuth("DELETE", QStringLiteral("users/delete"), adminOnly);
    const QList<QPair<QByteArray, QString>> permissionEndpoints = {{"POST", QStringLiteral("create")},
                                                                   {"GET", QStringLiteral("get")},
                                                                   {"PATCH", QStringLiteral("update")},
                                                                   {"DELETE", QStringLiteral("delete")}};
    for (const auto& endpoint : permissionEndpoints) {
        addAuth(endpoint.first, QStringLiteral("experiments/permissions/") + endpoint.second,
                onExperimentId(canManage));
        addAuth(endpoint.first, QStringLiteral("registered-models/permissions/") + endpoint.second,
                onModelName(canManage));
    }
}

void AccessPolicy::authorize(const RequestContext& context) const
{
    const auto validator = m_validators.constFind(validatorKey(context.request.method, context.request.path));
    if (validator == m_validators.cend())
        return;
    if (!(*validator)(context))
        throw HttpFailure::permissionDenied();
}

PermissionLevel AccessPolicy::experimentPermission(const RequestContext& context, const QString& experimentId)
{
    return levelOrDefault(context, context.state.auth->permission(ResourceKind::Experiment,
                                                                  ResourceIds::canonicalExperimentId(experimentId),
                                                                  context.user.id));
}

PermissionLevel AccessPolicy::registeredModelPermission(const RequestContext& context, const QString& name)
{
    return levelOrDefault(context,
                          context.state.auth->permission(ResourceKind::RegisteredModel, name, context.user.id));
}

Policy::ReadableSet AccessPolicy::readable(const RequestContext& context, ResourceKind kind) const
{
    ReadableSet set;
    set.defaultReadable = Permissions::canRead(context.state.defaultPermission);
    const QList<GrantRecord> rows = context.state.auth->grants(kind, context.user.id);
    for (const GrantRecord& row : rows) {
        // Rows written by a real MLflow may spell an experiment id as its client sent it ("01").
        const QString id =
            kind == ResourceKind::Experiment ? ResourceIds::canonicalExperimentId(row.resourceId) : row.resourceId;
        if (id != row.resourceId && set.explicitRows.contains(id))
            continue;
        set.explicitRows.insert(
            id, Permissions::canRead(Permissions::parse(row.permission).value_or(PermissionLevel::NoPermissions)));
    }
    return set;
}

// The creator of an experiment or registered model gets MANAGE on it (an after-request hook in MLflow).
void AccessPolicy::resourceCreated(const RequestContext& context, ResourceKind kind, const QString& resourceId) const
{
    AuthStore& store = *context.state.auth;
    if (store.permission(kind, resourceId, context.user.id))
        store.updateGrant(kind, resourceId, context.user, QStringLiteral("MANAGE"));
    else
        store.createGrant(kind, resourceId, context.user, QStringLiteral("MANAGE"));
}

void AccessPolicy::registeredModelRenamed(const RequestContext& context, const QString& oldName,
                                          const QString& newName) const
{
    context.state.auth->renameResource(ResourceKind::RegisteredModel, oldName, newName);
}

void AccessPolicy::registeredModelDeleted(const RequestContext& context, const QString& name) const
{
    context.state.auth->deleteResourceGrants(ResourceKind::RegisteredModel, name);
}

// A deliberate difference from 2.15.1, which searches every requested experiment: MLflow 3.6+ drops the ones the
// caller cannot read, and so does this server in both dialects, or runs/search hands out others' metrics and params.
QStringList AccessPolicy::searchableExperimentIds(const RequestContext& context, const QStringList& experimentIds) const
{
    const ReadableSet set = readable(context, ResourceKind::Experiment);
    QStringList kept;
    for (const QString& id : experimentIds) {
        const QString canonical = ResourceIds::canonicalExperimentId(id);
        if (set.contains(canonical))
            kept.append(canonical);
    }
    return kept;
}

#include "server/RbacPolicy.h"

#include "server/MlflowError.h"
#include "server/RequestParams.h"
#include "server/ResourceIds.h"
#include "server/TrackingStore.h"

namespace {

QString validatorKey(const QByteArray& method, const QString& path)
{
    return QString::fromLatin1(method) + QLatin1Char(' ') + path;
}

RequestParams params(const RequestContext& context)
{
    return RequestParams::forRbacAuthLayer(context.request);
}

// mlflow.server.auth._get_request_param, including its run_id -> run_uuid fallback.
QString requestParam(const RequestContext& context, const QString& name)
{
    const RequestParams p = params(context);
    if (!p.has(name) && name == QLatin1String("run_id"))
        return requestParam(context, QStringLiteral("run_uuid"));
    return p.requiredString(name);
}

RbacStore& store(const RequestContext& context)
{
    return *context.state.rbac;
}

QString resourceTypeOf(ResourceKind kind)
{
    return kind == ResourceKind::Experiment ? QStringLiteral("experiment") : QStringLiteral("registered_model");
}

// Whether the resource can be found, which is how MLflow learns its workspace; types this server does not store
// (gateway objects) are never found.
bool resourceExists(const RequestContext& context, const QString& resourceType, const QString& resourceId)
{
    if (resourceType == QLatin1String("experiment"))
        return context.state.tracking->experimentExists(resourceId, context.workspace);
    if (resourceType == QLatin1String("registered_model") || resourceType == QLatin1String("prompt")) {
        try {
            context.state.tracking->registeredModel(resourceId, context.workspace);
            return true;
        } catch (const MlflowError&) {
            return false;
        }
    }
    if (resourceType == QLatin1String("scorer"))
        return context.state.tracking->experimentExists(resourceId.section(QLatin1Char('/'), 0, 0), context.workspace);
    return false;
}

using Check = bool (*)(PermissionLevel);

PermissionLevel callerLevel(const RequestContext& context, const QString& resourceType, const QString& resourceId)
{
    return RbacPolicy::effectiveLevel(context, context.user, resourceType, resourceId);
}

std::function<bool(const RequestContext&)> onExperimentId(Check check)
{
    return [check](const RequestContext& context) {
        return check(
            callerLevel(context, QStringLiteral("experiment"), requestParam(context, QStringLiteral("experiment_id"))));
    };
}

std::function<bool(const RequestContext&)> onExperimentName(Check check)
{
    return [check](const RequestContext& context) {
        const QString name = requestParam(context, QStringLiteral("experiment_name"));
        const std::optional<QJsonObject> experiment = context.state.tracking->experimentByName(name, context.workspace);
        if (!experiment)
            throw MlflowError::notFound(QStringLiteral("Could not find experiment with name %1").arg(name));
        return check(callerLevel(context, QStringLiteral("experiment"),
                                 experiment->value(QStringLiteral("experiment_id")).toString()));
    };
}

std::function<bool(const RequestContext&)> onRunId(Check check)
{
    return [check](const RequestContext& context) {
        const QString experimentId = context.state.tracking->experimentIdOfRun(
            requestParam(context, QStringLiteral("run_id")), context.workspace);
        return check(callerLevel(context, QStringLiteral("experiment"), experimentId));
    };
}

std::function<bool(const RequestContext&)> onModelName(Check check)
{
    return [check](const RequestContext& context) {
        return check(
            callerLevel(context, QStringLiteral("registered_model"), requestParam(context, QStringLiteral("name"))));
    };
}

bool never(const RequestContext& /*context*/)
{
    return false;
}

bool selfOnly(const RequestContext& context)
{
    return requestParam(context, QStringLiteral("username")) == context.user.username;
}

bool createInWorkspace(const RequestContext& context)
{
    return RbacPolicy::canCreateInWorkspace(context);
}

// A workspace admin of any workspace may create (server-wide) users, as in 3.14.
bool createUser(const RequestContext& context)
{
    return !store(context).adminWorkspaces(context.user.id).isEmpty();
}

// _get_role_workspace_from_request: the workspace of the role (or role permission) the request names, or of the
// role to create. An unknown id is "not authorized", so that non-admins cannot probe which ids exist.
std::optional<QString> roleWorkspace(const RequestContext& context, std::optional<RoleRecord>* role = nullptr)
{
    const RequestParams p = params(context);
    if (p.has(QStringLiteral("role_id"))) {
        std::optional<RoleRecord> found = store(context).role(p.requiredInteger(QStringLiteral("role_id")));
        if (role)
            *role = found;
        return found ? std::optional<QString>(found->workspace) : std::nullopt;
    }
    if (p.has(QStringLiteral("role_permission_id"))) {
        try {
            const RolePermissionRecord permission =
                store(context).requireRolePermission(p.requiredInteger(QStringLiteral("role_permission_id")));
            std::optional<RoleRecord> found = store(context).role(permission.roleId);
            if (role)
                *role = found;
            return found ? std::optional<QString>(found->workspace) : std::nullopt;
        } catch (const MlflowError& error) {
            if (error.code() == "RESOURCE_DOES_NOT_EXIST")
                return std::nullopt;
            throw;
        }
    }
    if (p.has(QStringLiteral("workspace"))) {
        const QJsonValue workspace = p.value(QStringLiteral("workspace"));
        if (!workspace.isString() || workspace.toString().trimmed().isEmpty())
            throw MlflowError::invalidParameter(QStringLiteral("Parameter 'workspace' must be a non-empty string."));
        return workspace.toString();
    }
    throw MlflowError::invalidParameter(
        QStringLiteral("Request must include one of: role_id, role_permission_id, workspace."));
}

bool manageRoles(const RequestContext& context)
{
    const std::optional<QString> workspace = roleWorkspace(context);
    return workspace && RbacPolicy::isWorkspaceAdmin(context, *workspace);
}

bool viewRole(const RequestContext& context)
{
    std::optional<RoleRecord> role;
    const std::optional<QString> workspace = roleWorkspace(context, &role);
    if (!workspace || !store(context).hasRoleInWorkspace(context.user.id, *workspace))
        return false;
    return !role || RbacPolicy::mayViewRole(context, *role);
}

// Non-admins must hold a role in every workspace they list; only admins list every workspace at once.
bool listRoles(const RequestContext& context)
{
    QSet<QString> requested;
    const auto items = context.request.queryItems();
    for (const auto& item : items) {
        if (item.first == QLatin1String("workspace") && !item.second.trimmed().isEmpty())
            requested.insert(item.second.trimmed());
    }
    if (requested.isEmpty())
        return false;
    return store(context).presentWorkspaces(context.user.id).contains(requested);
}

// Self, or an admin of a workspace the target user has a role in.
bool viewUserRoles(const RequestContext& context)
{
    const QString target = requestParam(context, QStringLiteral("username"));
    if (target == context.user.username)
        return true;
    const std::optional<UserRecord> targetUser = store(context).user(target);
    if (!targetUser)
        return false;
    return store(context).adminWorkspaces(context.user.id).intersects(store(context).presentWorkspaces(targetUser->id));
}

void rejectWorkspaceType(const QString& resourceType)
{
    if (resourceType == QLatin1String("workspace"))
        throw MlflowError::invalidParameter(
            QStringLiteral("resource_type 'workspace' is not supported by the per-user permission convenience APIs. "
                           "Use set_workspace_permission / delete_workspace_permission for workspace-wide grants."));
}

// _resolve_user_permission_for_resource for the caller: grant and revoke need MANAGE on the resource.
bool manageResource(const RequestContext& context)
{
    const QString resourceType = requestParam(context, QStringLiteral("resource_type"));
    const QString resourceId = requestParam(context, QStringLiteral("resource_id"));
    rejectWorkspaceType(resourceType);
    RbacStore::validateResourceType(resourceType);
    if (resourceType == QLatin1String("prompt"))
        throw MlflowError::invalidParameter(
            QStringLiteral("resource_type 'prompt' is not supported by the per-user permission convenience APIs."));
    if (resourceType == QLatin1String("scorer") && !resourceId.contains(QLatin1Char('/')))
        throw MlflowError::invalidParameter(
            QStringLiteral("Invalid scorer resource_id. Expected '<experiment_id>/<scorer_name>'."));
    return Permissions::canManage(callerLevel(context, resourceType, resourceId));
}

// Self, or an admin of the resource's workspace; the owner of the resource is not enough.
bool getUserPermission(const RequestContext& context)
{
    const QString resourceType = requestParam(context, QStringLiteral("resource_type"));
    rejectWorkspaceType(resourceType);
    const QString target = requestParam(context, QStringLiteral("username"));
    if (target == context.user.username)
        return true;
    if (!store(context).user(target))
        return false;
    const QString resourceId = requestParam(context, QStringLiteral("resource_id"));
    if (!resourceExists(context, resourceType, resourceId))
        return false;
    return RbacPolicy::isWorkspaceAdmin(context, context.workspace);
}

} // namespace

void RbacPolicy::addV2(const QByteArray& method, const QString& endpoint, const Validator& validator)
{
    m_validators.insert(validatorKey(method, apiPrefix + endpoint), validator);
    m_validators.insert(validatorKey(method, ajaxApiPrefix + endpoint), validator);
}

void RbacPolicy::addV3(const QByteArray& method, const QString& endpoint, const Validator& validator)
{
    m_validators.insert(validatorKey(method, api3Prefix + endpoint), validator);
    m_validators.insert(validatorKey(method, ajaxApi3Prefix + endpoint), validator);
}

RbacPolicy::RbacPolicy()
{
    using namespace Permissions;
    // Experiments and runs (runs inherit their experiment's permission).
    addV2("POST", QStringLiteral("experiments/create"), createInWorkspace);
    addV2("GET", QStringLiteral("experiments/get"), onExperimentId(canRead));
    addV2("GET", QStringLiteral("experiments/get-by-name"), onExperimentName(canRead));
    addV2("POST", QStringLiteral("experiments/delete"), onExperimentId(canDelete));
    addV2("POST", QStringLiteral("experiments/restore"), onExperimentId(canDelete));
    addV2("POST", QStringLiteral("experiments/update"), onExperimentId(canUpdate));
    addV2("POST", QStringLiteral("experiments/set-experiment-tag"), onExperimentId(canUpdate));
    addV2("POST", QStringLiteral("runs/create"), onExperimentId(canUpdate));
    addV2("GET", QStringLiteral("runs/get"), onRunId(canRead));
    addV2("POST", QStringLiteral("runs/update"), onRunId(canUpdate));
    addV2("POST", QStringLiteral("runs/delete"), onRunId(canDelete));
    addV2("POST", QStringLiteral("runs/restore"), onRunId(canDelete));
    addV2("POST", QStringLiteral("runs/log-metric"), onRunId(canUpdate));
    addV2("POST", QStringLiteral("runs/log-parameter"), onRunId(canUpdate));
    addV2("POST", QStringLiteral("runs/set-tag"), onRunId(canUpdate));
    addV2("POST", QStringLiteral("runs/log-batch"), onRunId(canUpdate));
    addV2("GET", QStringLiteral("metrics/get-history"), onRunId(canRead));
    // Registered models.
    addV2("POST", QStringLiteral("registered-models/create"), createInWorkspace);
    addV2("GET", QStringLiteral("registered-models/get"), onModelName(canRead));
    addV2("POST", QStringLiteral("registered-models/rename"), onModelName(canUpdate));
    addV2("DELETE", QStringLiteral("registered-models/delete"), onModelName(canDelete));
    // Users.
    addV2("POST", QStringLiteral("users/create"), createUser);
    addV2("GET", QStringLiteral("users/get"), selfOnly);
    addV2("GET", QStringLiteral("users/list"), createInWorkspace);
    addV2("PATCH", QStringLiteral("users/update-password"), selfOnly);
    addV2("PATCH", QStringLiteral("users/update-admin"), never);
    addV2("DELETE", QStringLiteral("users/delete"), never);
    // Per-user grants.
    addV3("POST", QStringLiteral("users/permissions/grant"), manageResource);
    addV3("POST", QStringLiteral("users/permissions/revoke"), manageResource);
    addV3("GET", QStringLiteral("users/permissions/get"), getUserPermission);
    addV3("GET", QStringLiteral("users/permissions/list"), viewUserRoles);
    addV3("GET", QStringLiteral("users/roles/list"), viewUserRoles);
    // Roles.
    addV3("POST", QStringLiteral("roles/create"), manageRoles);
    addV3("GET", QStringLiteral("roles/get"), viewRole);
    addV3("GET", QStringLiteral("roles/list"), listRoles);
    addV3("PATCH", QStringLiteral("roles/update"), manageRoles);
    addV3("DELETE", QStringLiteral("roles/delete"), manageRoles);
    addV3("POST", QStringLiteral("roles/permissions/add"), manageRoles);
    addV3("DELETE", QStringLiteral("roles/permissions/remove"), manageRoles);
    addV3("GET", QStringLiteral("roles/permissions/list"), viewRole);
    addV3("PATCH", QStringLiteral("roles/permissions/update"), manageRoles);
    addV3("POST", QStringLiteral("roles/assign"), manageRoles);
    addV3("DELETE", QStringLiteral("roles/unassign"), manageRoles);
    addV3("GET", QStringLiteral("roles/users/list"), manageRoles);
}

void RbacPolicy::authorize(const RequestContext& context) const
{
    const auto validator = m_validators.constFind(validatorKey(context.request.method, context.request.path));
    if (validator == m_validators.cend())
        return;
    if (!(*validator)(context))
        throw HttpFailure::permissionDenied();
}

PermissionLevel RbacPolicy::effectiveLevel(const RequestContext& context, const UserRecord& user,
                                           const QString& resourceType, const QString& requestedId)
{
    const QString resourceId = ResourceIds::canonicalResourceId(resourceType, requestedId);
    const bool workspaces = context.state.dialect.workspaces;
    const PermissionLevel floor = context.state.defaultPermission;
    std::optional<PermissionLevel> granted;
    if (resourceExists(context, resourceType, resourceId)) {
        granted = store(context).roleLevel(user.id, resourceType, resourceId, context.workspace);
        // With workspaces, no grant in the workspace is a deny (grant_default_workspace_access is not offered).
        if (!granted && workspaces)
            return PermissionLevel::NoPermissions;
    } else if (workspaces) {
        return PermissionLevel::NoPermissions;
    }
    if (!granted)
        return floor;
    return std::max(*granted, floor);
}

bool RbacPolicy::canCreateInWorkspace(const RequestContext& context)
{
    if (!context.state.dialect.workspaces)
        return true;
    const std::optional<PermissionLevel> level =
        store(context).roleLevel(context.user.id, QStringLiteral("workspace"), QStringLiteral("*"), context.workspace);
    return level && Permissions::canUse(*level);
}

bool RbacPolicy::isWorkspaceAdmin(const RequestContext& context, const QString& workspace)
{
    return context.user.isAdmin || store(context).adminWorkspaces(context.user.id).contains(workspace);
}

bool RbacPolicy::mayViewRole(const RequestContext& context, const RoleRecord& role)
{
    if (!RbacStore::isHiddenRoleName(role.name) || role.name == RbacStore::hiddenRoleName(context.user.id))
        return true;
    return isWorkspaceAdmin(context, role.workspace);
}

Policy::ReadableSet RbacPolicy::readable(const RequestContext& context, ResourceKind kind) const
{
    ReadableSet set;
    bool wildcard = false;
    const auto grants = store(context).roleGrants(context.user.id, context.workspace, resourceTypeOf(kind));
    for (const auto& grant : grants) {
        if (!Permissions::canRead(Permissions::parse(grant.second).value_or(PermissionLevel::NoPermissions)))
            continue;
        if (grant.first == QLatin1String("*"))
            wildcard = true;
        else
            set.explicitRows.insert(grant.first, true);
    }
    // Without workspaces, default_permission is the floor for every resource; with them, only grants count.
    set.defaultReadable =
        wildcard || (!context.state.dialect.workspaces && Permissions::canRead(context.state.defaultPermission));
    return set;
}

void RbacPolicy::resourceCreated(const RequestContext& context, ResourceKind kind, const QString& resourceId) const
{
    store(context).upsertUserGrant(context.user.id, context.workspace, resourceTypeOf(kind), resourceId,
                                   QStringLiteral("MANAGE"));
}

void RbacPolicy::registeredModelRenamed(const RequestContext& context, const QString& oldName,
                                        const QString& newName) const
{
    for (const QString& type : {QStringLiteral("registered_model"), QStringLiteral("prompt")})
        store(context).renameResourceGrants(context.workspace, type, oldName, newName);
}

void RbacPolicy::registeredModelDeleted(const RequestContext& context, const QString& name) const
{
    for (const QString& type : {QStringLiteral("registered_model"), QStringLiteral("prompt")})
        store(context).deleteResourceGrants(context.workspace, type, name);
}

QStringList RbacPolicy::searchableExperimentIds(const RequestContext& context, const QStringList& experimentIds) const
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

#include "server/AuthRoutes.h"

#include "server/Authenticator.h"
#include "server/JsonWriter.h"
#include "server/MlflowError.h"
#include "server/PasswordDerivations.h"
#include "server/RequestParams.h"
#include "server/ResourceIds.h"

#include <QJsonArray>

namespace {

QJsonObject grantJson(ResourceKind kind, const GrantRecord& grant)
{
    QJsonObject object;
    object.insert(kind == ResourceKind::Experiment ? QStringLiteral("experiment_id") : QStringLiteral("name"),
                  grant.resourceId);
    object.insert(QStringLiteral("user_id"), grant.userId);
    object.insert(QStringLiteral("permission"), grant.permission);
    return object;
}

void writeGrant(JsonWriter& json, ResourceKind kind, const GrantRecord& grant)
{
    json.beginObject()
        .member(kind == ResourceKind::Experiment ? QLatin1StringView("experiment_id") : QLatin1StringView("name"),
                grant.resourceId)
        .member(QLatin1StringView("permission"), grant.permission)
        .member(QLatin1StringView("user_id"), grant.userId)
        .endObject();
}

// {"user": ...} as QJsonDocument writes it (keys sorted), without a QJsonObject per grant: users/get is what a
// client asks most after searches, and building the objects cost more than the rest of the request.
QByteArray userAnswer(const AuthStore& store, const UserRecord& user)
{
    JsonWriter json;
    json.beginObject().key(QLatin1StringView("user")).beginObject().key(QLatin1StringView("experiment_permissions"));
    json.beginArray();
    for (const GrantRecord& grant : store.grants(ResourceKind::Experiment, user.id))
        writeGrant(json, ResourceKind::Experiment, grant);
    json.endArray();
    json.member(QLatin1StringView("id"), user.id).member(QLatin1StringView("is_admin"), user.isAdmin);
    json.key(QLatin1StringView("registered_model_permissions")).beginArray();
    for (const GrantRecord& grant : store.grants(ResourceKind::RegisteredModel, user.id))
        writeGrant(json, ResourceKind::RegisteredModel, grant);
    json.endArray();
    json.member(QLatin1StringView("username"), user.username).endObject().endObject();
    return json.take();
}

// MLflow 2.15.1 accepts exactly the four legacy levels, case-sensitively.
QString validPermission(const QString& permission)
{
    const QStringList valid = Permissions::legacyNames();
    if (!valid.contains(permission)) {
        QStringList quoted;
        for (const QString& name : valid)
            quoted.append(QLatin1Char('\'') + name + QLatin1Char('\''));
        throw MlflowError::invalidParameter(QStringLiteral("Invalid permission '%1'. Valid permissions are: (%2)")
                                                .arg(permission, quoted.join(QStringLiteral(", "))));
    }
    return permission;
}

HttpResponse createUser(const RequestContext& context)
{
    AuthStore& store = *context.state.auth;
    const QByteArray contentType = context.request.contentType();
    // MLflow 2.15.1 also takes its signup form here. A form is what a web page can post cross-site with the
    // browser's saved credentials, so this server takes JSON only, as MLflow 3.x does.
    if (contentType == "application/x-www-form-urlencoded")
        return HttpResponse::html("Invalid content type: this server does not accept form posts (a web page could "
                                  "send one with your browser's saved credentials). Send the user as JSON with "
                                  "Content-Type: application/json.",
                                  400);
    // MLflow 2.15.1 compares the header exactly: "application/json; charset=utf-8" is refused here.
    if (contentType != "application/json") {
        return HttpResponse::html(
            "Invalid content type. Must be one of: application/x-www-form-urlencoded, application/json", 400);
    }
    const RequestParams params = RequestParams::forAuthLayer(context.request);
    const QString username = params.requiredString(QStringLiteral("username"));
    const QString password = params.requiredString(QStringLiteral("password"));
    if (username.isEmpty())
        throw MlflowError::invalidParameter(QStringLiteral("Username cannot be empty."));
    // Deliberately stricter than 2.15.1, which stores an empty password.
    if (password.isEmpty())
        throw MlflowError::invalidParameter(QStringLiteral("Password cannot be empty."));
    const UserRecord user = store.createUser(username, PasswordDerivations::hashOf(context, password.toUtf8()), false);
    return HttpResponse::json(userAnswer(store, user));
}

HttpResponse getUser(const RequestContext& context)
{
    const RequestParams params = RequestParams::forAuthLayer(context.request);
    const UserRecord user = context.state.auth->requireUser(params.requiredString(QStringLiteral("username")));
    return HttpResponse::json(userAnswer(*context.state.auth, user));
}

HttpResponse updatePassword(const RequestContext& context)
{
    const RequestParams params = RequestParams::forAuthLayer(context.request);
    const QString username = params.requiredString(QStringLiteral("username"));
    const QString password = params.requiredString(QStringLiteral("password"));
    context.state.auth->requireUser(username);
    if (password.isEmpty())
        throw MlflowError::invalidParameter(QStringLiteral("Password cannot be empty."));
    context.state.auth->setPasswordHash(username, PasswordDerivations::hashOf(context, password.toUtf8()));
    return HttpResponse::jsonObject({});
}

HttpResponse updateAdmin(const RequestContext& context)
{
    const RequestParams params = RequestParams::forAuthLayer(context.request);
    const QString username = params.requiredString(QStringLiteral("username"));
    if (!params.has(QStringLiteral("is_admin")))
        throw MlflowError::missingParameter(QStringLiteral("is_admin"));
    // 2.15.1 answers 500 for anything but a JSON boolean; we say what is wrong instead.
    if (!params.value(QStringLiteral("is_admin")).isBool())
        throw MlflowError::invalidParameter(
            QStringLiteral("Invalid value for parameter 'is_admin': expected a JSON boolean (true or false)."));
    context.state.auth->setAdmin(username, params.value(QStringLiteral("is_admin")).toBool());
    return HttpResponse::jsonObject({});
}

HttpResponse deleteUser(const RequestContext& context)
{
    const RequestParams params = RequestParams::forAuthLayer(context.request);
    const QString username = params.requiredString(QStringLiteral("username"));
    context.state.auth->requireUser(username);
    // MLflow 3.13 refuses this too: an admin deleting itself can lock everyone out.
    if (username == context.user.username)
        throw MlflowError::badRequest(QStringLiteral("Users cannot delete their own account. Ask another admin to "
                                                     "delete it."));
    // 2.15.1 fails with 400 and keeps a user who holds grants; we remove the user and its grants together.
    context.state.auth->deleteUser(username);
    return HttpResponse::jsonObject({});
}

// The four permission endpoints of one resource kind.
struct PermissionEndpoints
{
    ResourceKind kind;
    QString idParam;     // experiment_id or name
    QString responseKey; // experiment_permission or registered_model_permission

    // What every endpoint reads, checked in MLflow's order: the resource, the user name, the permission (create and
    // update only, and validated before the user is looked up), then the user must exist.
    struct Target
    {
        QString resourceId;
        UserRecord user;
        QString permission;
    };

    Target target(const RequestContext& context, bool withPermission) const
    {
        const RequestParams params = RequestParams::forAuthLayer(context.request);
        Target target;
        target.resourceId = params.requiredString(idParam);
        // Grants are stored under the id every permission check looks up.
        if (kind == ResourceKind::Experiment)
            target.resourceId = ResourceIds::canonicalExperimentId(target.resourceId);
        const QString username = params.requiredString(QStringLiteral("username"));
        if (withPermission) {
            target.permission = params.requiredString(QStringLiteral("permission"));
            validPermission(target.permission);
        }
        target.user = context.state.auth->requireUser(username);
        return target;
    }

    HttpResponse create(const RequestContext& context) const
    {
        const Target t = target(context, true);
        const GrantRecord grant = context.state.auth->createGrant(kind, t.resourceId, t.user, t.permission);
        return HttpResponse::jsonObject({{responseKey, grantJson(kind, grant)}});
    }

    HttpResponse get(const RequestContext& context) const
    {
        const Target t = target(context, false);
        return HttpResponse::jsonObject(
            {{responseKey, grantJson(kind, context.state.auth->requireGrant(kind, t.resourceId, t.user))}});
    }

    HttpResponse update(const RequestContext& context) const
    {
        const Target t = target(context, true);
        context.state.auth->updateGrant(kind, t.resourceId, t.user, t.permission);
        return HttpResponse::jsonObject({});
    }

    HttpResponse remove(const RequestContext& context) const
    {
        const Target t = target(context, false);
        context.state.auth->deleteGrant(kind, t.resourceId, t.user);
        return HttpResponse::jsonObject({});
    }
};

void registerPermissionEndpoints(RouteTable& routes, const QString& base, const PermissionEndpoints& endpoints)
{
    routes.add("POST", apiPrefix + base + QStringLiteral("create"),
               [endpoints](const RequestContext& c) { return endpoints.create(c); });
    routes.add("GET", apiPrefix + base + QStringLiteral("get"),
               [endpoints](const RequestContext& c) { return endpoints.get(c); });
    routes.add("PATCH", apiPrefix + base + QStringLiteral("update"),
               [endpoints](const RequestContext& c) { return endpoints.update(c); });
    routes.add("DELETE", apiPrefix + base + QStringLiteral("delete"),
               [endpoints](const RequestContext& c) { return endpoints.remove(c); });
}

} // namespace

namespace AuthRoutes {

void registerAll(RouteTable& routes)
{
    routes.add("POST", apiPrefix + QStringLiteral("users/create"), createUser);
    routes.add("GET", apiPrefix + QStringLiteral("users/get"), getUser);
    routes.add("PATCH", apiPrefix + QStringLiteral("users/update-password"), updatePassword);
    routes.add("PATCH", apiPrefix + QStringLiteral("users/update-admin"), updateAdmin);
    routes.add("DELETE", apiPrefix + QStringLiteral("users/delete"), deleteUser);
    registerPermissionEndpoints(
        routes, QStringLiteral("experiments/permissions/"),
        {ResourceKind::Experiment, QStringLiteral("experiment_id"), QStringLiteral("experiment_permission")});
    registerPermissionEndpoints(
        routes, QStringLiteral("registered-models/permissions/"),
        {ResourceKind::RegisteredModel, QStringLiteral("name"), QStringLiteral("registered_model_permission")});
}

} // namespace AuthRoutes

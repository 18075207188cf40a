#include "server/RbacRoutes.h"

#include "server/JsonWriter.h"
#include "server/MlflowError.h"
#include "server/PasswordDerivations.h"
#include "server/RbacPolicy.h"
#include "server/RbacStore.h"
#include "server/RequestParams.h"
#include "server/ResourceIds.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace {

constexpr int minimumPasswordLength = 12;

RequestParams params(const RequestContext& context)
{
    return RequestParams::forRbacAuthLayer(context.request);
}

RbacStore& store(const RequestContext& context)
{
    return *context.state.rbac;
}

QJsonObject userJson(const UserRecord& user)
{
    return {{QStringLiteral("id"), user.id},
            {QStringLiteral("is_admin"), user.isAdmin},
            {QStringLiteral("username"), user.username}};
}

// Roles and their permissions are written with JsonWriter (keys sorted, as QJsonObject writes them): roles/list and
// users/list carry tens of thousands of permissions, and a QJsonObject per permission cost more than the query.
void writeRolePermission(JsonWriter& out, const RolePermissionRecord& permission)
{
    out.beginObject()
        .member(QLatin1String("id"), permission.id)
        .member(QLatin1String("permission"), permission.permission)
        .member(QLatin1String("resource_pattern"), permission.resourcePattern)
        .member(QLatin1String("resource_type"), permission.resourceType)
        .member(QLatin1String("role_id"), permission.roleId)
        .endObject();
}

void writeRolePermissions(JsonWriter& out, const QList<RolePermissionRecord>& permissions)
{
    out.beginArray();
    for (const RolePermissionRecord& permission : permissions)
        writeRolePermission(out, permission);
    out.endArray();
}

void writeRole(JsonWriter& out, const RoleRecord& role)
{
    out.beginObject().key(QLatin1String("description"));
    if (role.description)
        out.value(*role.description);
    else
        out.null();
    out.member(QLatin1String("id"), role.id).member(QLatin1String("name"), role.name);
    out.key(QLatin1String("permissions"));
    writeRolePermissions(out, role.permissions);
    out.member(QLatin1String("workspace"), role.workspace).endObject();
}

void writeRoles(JsonWriter& out, const QList<RoleRecord>& roles)
{
    out.beginArray();
    for (const RoleRecord& role : roles)
        writeRole(out, role);
    out.endArray();
}

// An answer of one member, {"name": value}, the value written by `write`.
template <typename Write>
HttpResponse oneMember(QLatin1StringView name, Write&& write)
{
    JsonWriter out;
    out.beginObject().key(name);
    write(out);
    out.endObject();
    return HttpResponse::json(out.take());
}

HttpResponse roleAnswer(const RoleRecord& role)
{
    return oneMember(QLatin1String("role"), [&](JsonWriter& out) { writeRole(out, role); });
}

HttpResponse rolesAnswer(const QList<RoleRecord>& roles)
{
    return oneMember(QLatin1String("roles"), [&](JsonWriter& out) { writeRoles(out, roles); });
}

HttpResponse rolePermissionAnswer(const RolePermissionRecord& permission)
{
    return oneMember(QLatin1String("role_permission"), [&](JsonWriter& out) { writeRolePermission(out, permission); });
}

// Roles of another user that the caller may see: all for admins and for the user itself, else only those in
// workspaces the caller administers (list_user_roles / list_users in 3.14).
QList<RoleRecord> visibleRolesOf(const RequestContext& context, const UserRecord& target,
                                 const QList<RoleRecord>& roles)
{
    if (context.user.isAdmin || context.user.id == target.id)
        return roles;
    const QSet<QString> administered = store(context).adminWorkspaces(context.user.id);
    QList<RoleRecord> visible;
    for (const RoleRecord& role : roles) {
        if (administered.contains(role.workspace))
            visible.append(role);
    }
    return visible;
}

// The hidden __user_N__ roles hold one user's direct grants; 3.14 lets the roles API rename, delete, reassign and
// edit them, which moves or exposes that user's grants. We refuse, and say which API manages them.
void refuseHiddenRole(const RoleRecord& role)
{
    if (!RbacStore::isHiddenRoleName(role.name))
        return;
    throw MlflowError::invalidParameter(
        QStringLiteral("Role '%1' is the hidden per-user role that holds one user's direct grants; the roles API "
                       "cannot rename, delete, assign or edit it. Use /api/3.0/mlflow/users/permissions/grant and "
                       "/api/3.0/mlflow/users/permissions/revoke to change that user's grants.")
            .arg(role.name));
}

void refuseHiddenRole(const RequestContext& context, qint64 roleId)
{
    if (const std::optional<RoleRecord> role = store(context).role(roleId))
        refuseHiddenRole(*role);
}

// --- users

// MLflow 3.14 accepts JSON only (Werkzeug's is_json: application/json, with parameters, or application/*+json).
bool isJson(const HttpRequest& request)
{
    const QByteArray type = request.mimeType();
    return type == "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

HttpResponse createUser(const RequestContext& context)
{
    if (!isJson(context.request))
        return HttpResponse::html("Invalid content type. Must be application/json", 400);
    const RequestParams p = params(context);
    const QString username = p.requiredString(QStringLiteral("username"));
    const QString password = p.requiredString(QStringLiteral("password"));
    if (username.isEmpty() || password.isEmpty())
        return HttpResponse::html("Username and password cannot be empty.", 400);
    // The check is len < 12, whatever the message says.
    if (password.size() < minimumPasswordLength)
        throw MlflowError::invalidParameter(QStringLiteral("Password must be a string longer than 12 characters."));
    const UserRecord user =
        store(context).createUser(username, PasswordDerivations::hashOf(context, password.toUtf8()), false);
    return HttpResponse::jsonObject({{QStringLiteral("user"), userJson(user)}});
}

HttpResponse getUser(const RequestContext& context)
{
    const UserRecord user = store(context).requireUser(params(context).requiredString(QStringLiteral("username")));
    return HttpResponse::jsonObject({{QStringLiteral("user"), userJson(user)}});
}

// 3.14 embeds each user's roles with all their permissions, so a role is repeated for every member: 2,000 users in
// 20 roles of 1,250 permissions make a 256 MB answer. Each role is serialized once and its bytes repeated; building
// the same document as a QJsonArray took seconds and gigabytes.
HttpResponse listUsers(const RequestContext& context)
{
    const QHash<qint64, QList<RoleRecord>> rolesByUser = store(context).rolesByUser();
    const QList<UserRecord> users = store(context).users();
    // First each user's visible roles, each role written once, with the answer's size; then the answer in one
    // allocation.
    QHash<qint64, QByteArray> writtenRoles;
    QList<QList<qint64>> visibleRoleIds;
    visibleRoleIds.reserve(users.size());
    qsizetype size = 16;
    for (const UserRecord& user : users) {
        QList<qint64>& ids = visibleRoleIds.emplace_back();
        for (const RoleRecord& role : visibleRolesOf(context, user, rolesByUser.value(user.id))) {
            auto written = writtenRoles.constFind(role.id);
            if (written == writtenRoles.cend()) {
                JsonWriter roleOut;
                writeRole(roleOut, role);
                written = writtenRoles.insert(role.id, roleOut.take());
            }
            ids.append(role.id);
            size += written->size() + 1;
        }
        size += 64 + user.username.size() * 3;
    }
    JsonWriter out;
    out.reserve(size);
    out.beginObject().key(QLatin1String("users")).beginArray();
    for (qsizetype i = 0; i < users.size(); ++i) {
        const UserRecord& user = users.at(i);
        out.beginObject().member(QLatin1String("id"), user.id).member(QLatin1String("is_admin"), user.isAdmin);
        out.key(QLatin1String("roles")).beginArray();
        for (const qint64 roleId : visibleRoleIds.at(i))
            out.written(writtenRoles.value(roleId));
        out.endArray();
        out.member(QLatin1String("username"), user.username).endObject();
    }
    out.endArray().endObject();
    return HttpResponse::json(out.take());
}

HttpResponse currentUser(const RequestContext& context)
{
    const UserRecord user = store(context).requireUser(context.user.username);
    return HttpResponse::jsonObject(
        {{QStringLiteral("is_basic_auth"), true}, {QStringLiteral("user"), userJson(user)}});
}

HttpResponse updatePassword(const RequestContext& context)
{
    const RequestParams p = params(context);
    const QString username = p.requiredString(QStringLiteral("username"));
    const QString password = p.requiredString(QStringLiteral("password"));
    // Changing one's own password needs the current one, admins included (3.13+); there is no length rule here.
    if (username == context.user.username) {
        const QString current = p.optionalString(QStringLiteral("current_password")).value_or(QString());
        if (current.isEmpty())
            throw MlflowError::invalidParameter(
                QStringLiteral("Current password is required when changing your own password."));
        if (!PasswordDerivations::matches(context, context.user.passwordHash, current.toUtf8()))
            throw MlflowError::invalidParameter(QStringLiteral("Current password does not match."));
        if (password == current)
            throw MlflowError::invalidParameter(QStringLiteral("New password must differ from the current password."));
    }
    store(context).requireUser(username);
    // Deliberately stricter than 3.14, which stores an empty password.
    if (password.isEmpty())
        throw MlflowError::invalidParameter(QStringLiteral("Password cannot be empty."));
    store(context).setPasswordHash(username, PasswordDerivations::hashOf(context, password.toUtf8()));
    return HttpResponse::jsonObject({});
}

HttpResponse updateAdmin(const RequestContext& context)
{
    const RequestParams p = params(context);
    const QString username = p.requiredString(QStringLiteral("username"));
    if (!p.has(QStringLiteral("is_admin")))
        throw MlflowError::missingParameter(QStringLiteral("is_admin"));
    // 3.14 stores whatever it is given; we say what is wrong instead.
    if (!p.value(QStringLiteral("is_admin")).isBool())
        throw MlflowError::invalidParameter(
            QStringLiteral("Invalid value for parameter 'is_admin': expected a JSON boolean (true or false)."));
    store(context).setAdmin(username, p.value(QStringLiteral("is_admin")).toBool());
    return HttpResponse::jsonObject({});
}

HttpResponse deleteUser(const RequestContext& context)
{
    const QString username = params(context).requiredString(QStringLiteral("username"));
    if (username == context.user.username)
        throw MlflowError::badRequest(QStringLiteral("Users cannot delete their own account. Ask another admin to "
                                                     "delete this user instead."));
    store(context).deleteUser(username);
    return HttpResponse::jsonObject({});
}

// --- per-user grants

QJsonObject permissionsOf(const RequestContext& context, const UserRecord& user, bool scoped)
{
    QList<RoleRecord> roles = store(context).userRoles(user.id);
    if (scoped)
        roles = visibleRolesOf(context, user, roles);
    QJsonArray rows;
    for (const RoleRecord& role : std::as_const(roles)) {
        for (const RolePermissionRecord& permission : role.permissions) {
            rows.append(QJsonObject{{QStringLiteral("permission"), permission.permission},
                                    {QStringLiteral("resource_pattern"), permission.resourcePattern},
                                    {QStringLiteral("resource_type"), permission.resourceType},
                                    {QStringLiteral("role_id"), role.id},
                                    {QStringLiteral("role_name"), role.name},
                                    {QStringLiteral("workspace"), role.workspace}});
        }
    }
    return {{QStringLiteral("is_admin"), user.isAdmin}, {QStringLiteral("permissions"), rows}};
}

HttpResponse currentPermissions(const RequestContext& context)
{
    return HttpResponse::jsonObject(permissionsOf(context, store(context).requireUser(context.user.username), false));
}

HttpResponse listUserPermissions(const RequestContext& context)
{
    const UserRecord user = store(context).requireUser(params(context).requiredString(QStringLiteral("username")));
    return HttpResponse::jsonObject(permissionsOf(context, user, true));
}

void rejectWorkspaceType(const QString& resourceType)
{
    if (resourceType == QLatin1String("workspace"))
        throw MlflowError::invalidParameter(
            QStringLiteral("resource_type 'workspace' is not supported by the per-user permission convenience APIs. "
                           "Use set_workspace_permission / delete_workspace_permission for workspace-wide grants."));
}

HttpResponse grantPermission(const RequestContext& context)
{
    const RequestParams p = params(context);
    const QString username = p.requiredString(QStringLiteral("username"));
    const QString resourceType = p.requiredString(QStringLiteral("resource_type"));
    const QString resourceId = ResourceIds::canonicalResourceId(p.requiredString(QStringLiteral("resource_type")),
                                                                p.requiredString(QStringLiteral("resource_id")));
    const QString permission = p.requiredString(QStringLiteral("permission"));
    const UserRecord user = store(context).requireUser(username);
    rejectWorkspaceType(resourceType);
    store(context).grantUserPermission(user, context.workspace, resourceType, resourceId, permission);
    return HttpResponse::jsonObject({});
}

HttpResponse revokePermission(const RequestContext& context)
{
    const RequestParams p = params(context);
    const QString username = p.requiredString(QStringLiteral("username"));
    const QString resourceType = p.requiredString(QStringLiteral("resource_type"));
    const QString resourceId = ResourceIds::canonicalResourceId(p.requiredString(QStringLiteral("resource_type")),
                                                                p.requiredString(QStringLiteral("resource_id")));
    const UserRecord user = store(context).requireUser(username);
    rejectWorkspaceType(resourceType);
    store(context).revokeUserPermission(user, context.workspace, resourceType, resourceId);
    return HttpResponse::jsonObject({});
}

HttpResponse getPermission(const RequestContext& context)
{
    const RequestParams p = params(context);
    const QString username = p.requiredString(QStringLiteral("username"));
    const QString resourceType = p.requiredString(QStringLiteral("resource_type"));
    const QString resourceId = ResourceIds::canonicalResourceId(p.requiredString(QStringLiteral("resource_type")),
                                                                p.requiredString(QStringLiteral("resource_id")));
    const UserRecord user = store(context).requireUser(username);
    rejectWorkspaceType(resourceType);
    RbacStore::validateResourceType(resourceType);
    if (resourceType == QLatin1String("prompt"))
        throw MlflowError::invalidParameter(
            QStringLiteral("resource_type 'prompt' is not supported by the per-user permission convenience APIs."));
    const PermissionLevel level = RbacPolicy::effectiveLevel(context, user, resourceType, resourceId);
    // "allowed" is can_use, so READ answers false; clients should read "permission".
    return HttpResponse::jsonObject({{QStringLiteral("allowed"), Permissions::canUse(level)},
                                     {QStringLiteral("permission"), Permissions::name(level)}});
}

// --- roles

HttpResponse createRole(const RequestContext& context)
{
    const RequestParams p = params(context);
    const QJsonValue name = p.value(QStringLiteral("name"));
    p.requiredString(QStringLiteral("name"));
    const QJsonValue workspace = p.value(QStringLiteral("workspace"));
    p.requiredString(QStringLiteral("workspace"));
    if (!name.isString() || name.toString().trimmed().isEmpty())
        throw MlflowError::invalidParameter(QStringLiteral("Role name cannot be empty."));
    if (!workspace.isString() || workspace.toString().trimmed().isEmpty())
        throw MlflowError::invalidParameter(QStringLiteral("Workspace cannot be empty."));
    const QJsonValue description = p.value(QStringLiteral("description"));
    if (!description.isUndefined() && !description.isNull() && !description.isString())
        throw MlflowError::invalidParameter(QStringLiteral("Role description must be a string or null."));
    const RoleRecord role = store(context).createRole(
        name.toString(), workspace.toString(),
        description.isString() ? std::optional<QString>(description.toString()) : std::nullopt);
    return roleAnswer(role);
}

HttpResponse getRole(const RequestContext& context)
{
    const RoleRecord role = store(context).requireRole(params(context).requiredInteger(QStringLiteral("role_id")));
    return roleAnswer(role);
}

HttpResponse listRoles(const RequestContext& context)
{
    QStringList workspaces;
    const auto items = context.request.queryItems();
    for (const auto& item : items) {
        if (item.first != QLatin1String("workspace"))
            continue;
        if (item.second.trimmed().isEmpty())
            throw MlflowError::invalidParameter(
                QStringLiteral("Parameter 'workspace' must be a non-empty string when provided."));
        workspaces.append(item.second);
    }
    const QList<RoleRecord> roles =
        store(context).roles(workspaces.isEmpty() ? std::nullopt : std::optional<QStringList>(workspaces));
    // Deliberately stricter than 3.14, which shows every member all hidden roles and their grants.
    QList<RoleRecord> visible;
    for (const RoleRecord& role : roles) {
        if (RbacPolicy::mayViewRole(context, role))
            visible.append(role);
    }
    return rolesAnswer(visible);
}

HttpResponse updateRole(const RequestContext& context)
{
    const RequestParams p = params(context);
    const qint64 roleId = p.requiredInteger(QStringLiteral("role_id"));
    const QJsonValue name = p.value(QStringLiteral("name"));
    const QJsonValue description = p.value(QStringLiteral("description"));
    const bool hasName = !name.isUndefined() && !name.isNull();
    const bool hasDescription = !description.isUndefined() && !description.isNull();
    if (!hasName && !hasDescription)
        throw MlflowError::invalidParameter(
            QStringLiteral("At least one of 'name' or 'description' must be provided to update a role."));
    if (hasName && (!name.isString() || name.toString().trimmed().isEmpty()))
        throw MlflowError::invalidParameter(QStringLiteral("Role name cannot be empty."));
    if (hasDescription && !description.isString())
        throw MlflowError::invalidParameter(QStringLiteral("Role description must be a string."));
    if (hasName)
        refuseHiddenRole(context, roleId);
    const RoleRecord role =
        store(context).updateRole(roleId, hasName ? std::optional<QString>(name.toString()) : std::nullopt,
                                  hasDescription ? std::optional<QString>(description.toString()) : std::nullopt);
    return roleAnswer(role);
}

HttpResponse deleteRole(const RequestContext& context)
{
    const qint64 roleId = params(context).requiredInteger(QStringLiteral("role_id"));
    refuseHiddenRole(context, roleId);
    store(context).deleteRole(roleId);
    return HttpResponse::jsonObject({});
}

HttpResponse addRolePermission(const RequestContext& context)
{
    const RequestParams p = params(context);
    const qint64 roleId = p.requiredInteger(QStringLiteral("role_id"));
    const QString resourceType = p.requiredString(QStringLiteral("resource_type"));
    const QString resourcePattern =
        ResourceIds::canonicalResourceId(resourceType, p.requiredString(QStringLiteral("resource_pattern")));
    const QString permission = p.requiredString(QStringLiteral("permission"));
    refuseHiddenRole(context, roleId);
    const RolePermissionRecord added =
        store(context).addRolePermission(roleId, resourceType, resourcePattern, permission);
    return rolePermissionAnswer(added);
}

HttpResponse removeRolePermission(const RequestContext& context)
{
    const qint64 id = params(context).requiredInteger(QStringLiteral("role_permission_id"));
    refuseHiddenRole(context, store(context).requireRolePermission(id).roleId);
    store(context).removeRolePermission(id);
    return HttpResponse::jsonObject({});
}

HttpResponse listRolePermissions(const RequestContext& context)
{
    const qint64 roleId = params(context).requiredInteger(QStringLiteral("role_id"));
    const QList<RolePermissionRecord> permissions = store(context).rolePermissions(roleId);
    return oneMember(QLatin1String("role_permissions"),
                     [&](JsonWriter& out) { writeRolePermissions(out, permissions); });
}

HttpResponse updateRolePermission(const RequestContext& context)
{
    const RequestParams p = params(context);
    const qint64 id = p.requiredInteger(QStringLiteral("role_permission_id"));
    const QString permission = p.requiredString(QStringLiteral("permission"));
    refuseHiddenRole(context, store(context).requireRolePermission(id).roleId);
    return rolePermissionAnswer(store(context).updateRolePermission(id, permission));
}

HttpResponse assignRole(const RequestContext& context)
{
    const RequestParams p = params(context);
    const QString username = p.requiredString(QStringLiteral("username"));
    const qint64 roleId = p.requiredInteger(QStringLiteral("role_id"));
    const UserRecord user = store(context).requireUser(username);
    refuseHiddenRole(context, roleId);
    const RoleAssignmentRecord assignment = store(context).assign(user.id, roleId);
    return HttpResponse::jsonObject(
        {{QStringLiteral("assignment"), QJsonObject{{QStringLiteral("id"), assignment.id},
                                                    {QStringLiteral("role_id"), assignment.roleId},
                                                    {QStringLiteral("user_id"), assignment.userId}}}});
}

HttpResponse unassignRole(const RequestContext& context)
{
    const RequestParams p = params(context);
    const QString username = p.requiredString(QStringLiteral("username"));
    const qint64 roleId = p.requiredInteger(QStringLiteral("role_id"));
    const UserRecord user = store(context).requireUser(username);
    refuseHiddenRole(context, roleId);
    store(context).unassign(user.id, roleId);
    return HttpResponse::jsonObject({});
}

HttpResponse listUserRoles(const RequestContext& context)
{
    const UserRecord user = store(context).requireUser(params(context).requiredString(QStringLiteral("username")));
    return rolesAnswer(visibleRolesOf(context, user, store(context).userRoles(user.id)));
}

HttpResponse listRoleUsers(const RequestContext& context)
{
    const qint64 roleId = params(context).requiredInteger(QStringLiteral("role_id"));
    QJsonArray assignments;
    for (const RoleAssignmentRecord& assignment : store(context).roleAssignments(roleId)) {
        assignments.append(QJsonObject{{QStringLiteral("id"), assignment.id},
                                       {QStringLiteral("role_id"), assignment.roleId},
                                       {QStringLiteral("user_id"), assignment.userId}});
    }
    return HttpResponse::jsonObject({{QStringLiteral("assignments"), assignments}});
}

void addV2(RouteTable& routes, const QByteArray& method, const QString& endpoint, const RouteHandler& handler)
{
    routes.add(method, apiPrefix + endpoint, handler);
    routes.add(method, ajaxApiPrefix + endpoint, handler);
}

void addV3(RouteTable& routes, const QByteArray& method, const QString& endpoint, const RouteHandler& handler)
{
    routes.add(method, api3Prefix + endpoint, handler);
    routes.add(method, ajaxApi3Prefix + endpoint, handler);
}

} // namespace

namespace RbacRoutes {

void registerAll(RouteTable& routes)
{
    addV2(routes, "POST", QStringLiteral("users/create"), createUser);
    addV2(routes, "GET", QStringLiteral("users/get"), getUser);
    addV2(routes, "GET", QStringLiteral("users/list"), listUsers);
    addV2(routes, "GET", QStringLiteral("users/current"), currentUser);
    addV2(routes, "PATCH", QStringLiteral("users/update-password"), updatePassword);
    addV2(routes, "PATCH", QStringLiteral("users/update-admin"), updateAdmin);
    addV2(routes, "DELETE", QStringLiteral("users/delete"), deleteUser);

    addV3(routes, "GET", QStringLiteral("users/current/permissions"), currentPermissions);
    addV3(routes, "GET", QStringLiteral("users/permissions/list"), listUserPermissions);
    addV3(routes, "POST", QStringLiteral("users/permissions/grant"), grantPermission);
    addV3(routes, "POST", QStringLiteral("users/permissions/revoke"), revokePermission);
    addV3(routes, "GET", QStringLiteral("users/permissions/get"), getPermission);
    addV3(routes, "GET", QStringLiteral("users/roles/list"), listUserRoles);

    addV3(routes, "POST", QStringLiteral("roles/create"), createRole);
    addV3(routes, "GET", QStringLiteral("roles/get"), getRole);
    addV3(routes, "GET", QStringLiteral("roles/list"), listRoles);
    addV3(routes, "PATCH", QStringLiteral("roles/update"), updateRole);
    addV3(routes, "DELETE", QStringLiteral("roles/delete"), deleteRole);
    addV3(routes, "POST", QStringLiteral("roles/permissions/add"), addRolePermission);
    addV3(routes, "DELETE", QStringLiteral("roles/permissions/remove"), removeRolePermission);
    addV3(routes, "GET", QStringLiteral("roles/permissions/list"), listRolePermissions);
    addV3(routes, "PATCH", QStringLiteral("roles/permissions/update"), updateRolePermission);
    addV3(routes, "POST", QStringLiteral("roles/assign"), assignRole);
    addV3(routes, "DELETE", QStringLiteral("roles/unassign"), unassignRole);
    addV3(routes, "GET", QStringLiteral("roles/users/list"), listRoleUsers);
}

} // namespace RbacRoutes

#include "api/RbacAuthApi.h"

#include "api/Connection.h"
#include "api/JobChain.h"
#include "api/UserListReader.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace {

const QString usersBase = QStringLiteral("/api/2.0/mlflow/users/");
const QString permissionsBase = QStringLiteral("/api/3.0/mlflow/users/permissions/");
const QString rolesBase = QStringLiteral("/api/3.0/mlflow/roles/");

ApiError invalid(const QString& message)
{
    return ApiError(ApiError::Kind::InvalidRequest, message);
}

ApiError emptyUsername()
{
    return invalid(QCoreApplication::translate("RbacAuthApi", "The user name is empty."));
}

std::optional<User> parseUser(const ApiReply* reply, ApiError* error)
{
    const auto user = User::fromJson(reply->json().value(QLatin1String("user")).toObject());
    if (!user)
        *error = JobChain::unexpectedAnswer(reply, "user");
    return user;
}

std::optional<Role> parseRole(const ApiReply* reply, ApiError* error)
{
    const auto role = Role::fromJson(reply->json().value(QLatin1String("role")).toObject());
    if (!role)
        *error = JobChain::unexpectedAnswer(reply, "role");
    return role;
}

QList<Role> rolesFrom(const QJsonObject& answer)
{
    QList<Role> roles;
    // An empty list may come back as {} (MLflow omits empty repeated fields).
    for (const QJsonValue& value : answer.value(QLatin1String("roles")).toArray()) {
        if (auto role = Role::fromJson(value.toObject()))
            roles.append(*role);
    }
    return roles;
}

std::optional<QList<Role>> parseRoles(const ApiReply* reply, ApiError*)
{
    return rolesFrom(reply->json());
}

std::optional<RolePermission> parseRolePermission(const ApiReply* reply, ApiError* error)
{
    const auto permission = RolePermission::fromJson(reply->json().value(QLatin1String("role_permission")).toObject());
    if (!permission)
        *error = JobChain::unexpectedAnswer(reply, "role_permission");
    return permission;
}

std::optional<QList<PermissionRow>> parsePermissionRows(const ApiReply* reply, ApiError*)
{
    QList<PermissionRow> rows;
    for (const QJsonValue& value : reply->json().value(QLatin1String("permissions")).toArray()) {
        if (auto row = PermissionRow::fromJson(value.toObject()))
            rows.append(*row);
    }
    return rows;
}

QJsonObject grantBody(const QString& username, ResourceType type, const QString& resourceId)
{
    return {{QStringLiteral("username"), username},
            {QStringLiteral("resource_type"), Resources::wireName(type)},
            {QStringLiteral("resource_id"), resourceId}};
}

// The user's direct grants, as legacy Grant rows: the hidden role's permissions on single resources.
QList<Grant> directGrants(const QList<PermissionRow>& rows, const User& user, ResourceType type)
{
    QList<Grant> grants;
    for (const PermissionRow& row : rows) {
        if (!row.isDirectGrant() || row.resourcePattern == QLatin1String(RolePermission::allResources) ||
            Resources::parseWireName(row.resourceType) != type)
            continue;
        Grant grant;
        grant.username = user.username;
        grant.userId = user.id;
        grant.resourceType = type;
        grant.resourceId = row.resourcePattern;
        grant.level = row.level;
        grants.append(grant);
    }
    return grants;
}

} // namespace

RbacAuthApi::RbacAuthApi(Connection* connection, bool hasUsersList, QObject* parent)
    : AuthApi(connection, parent), m_hasUsersList(hasUsersList)
{}

UserJob* RbacAuthApi::createUser(const QString& username, const QString& password)
{
    if (username.isEmpty())
        return JobChain::failSoon(new UserJob(connection()), emptyUsername());
    if (password.size() < minimumPasswordLength) {
        return JobChain::failSoon(new UserJob(connection()),
                                  invalid(tr("MLflow 3.13 and later refuse passwords shorter than %1 characters; "
                                             "this one has %2. Choose a longer one or generate one.")
                                              .arg(minimumPasswordLength)
                                              .arg(password.size())));
    }
    ApiReply* reply = connection()->post(usersBase + QLatin1String("create"), {{QStringLiteral("username"), username},
                                                                               {QStringLiteral("password"), password}});
    return JobChain::map<User>(reply, connection(), parseUser);
}

UserJob* RbacAuthApi::getUser(const QString& username)
{
    if (username.isEmpty())
        return JobChain::failSoon(new UserJob(connection()), emptyUsername());
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("username"), username);
    auto* job = new UserJob(connection());
    ApiReply* userReply = connection()->get(usersBase + QLatin1String("get"), query);
    ApiReply* rowsReply = connection()->get(permissionsBase + QLatin1String("list"), query);
    job->follow(userReply);
    // Both are in flight together and the job ends when the second one does, so neither may delete itself before.
    for (ApiReply* reply : {userReply, rowsReply}) {
        reply->setAutoDelete(false);
        connect(job, &ApiJob::finished, reply, &QObject::deleteLater);
        connect(job, &QObject::destroyed, reply, &QObject::deleteLater);
    }
    auto finishWhenBoth = [job, userReply, rowsReply] {
        if (job->isFinished() || !userReply->isFinished() || !rowsReply->isFinished())
            return;
        for (const ApiReply* reply : {userReply, rowsReply}) {
            if (reply->hasError()) {
                job->fail(reply->error());
                return;
            }
        }
        ApiError error;
        std::optional<User> user = parseUser(userReply, &error);
        if (!user) {
            job->fail(error);
            return;
        }
        const QList<PermissionRow> rows = parsePermissionRows(rowsReply, &error).value_or(QList<PermissionRow>());
        user->experimentGrants = directGrants(rows, *user, ResourceType::Experiment);
        user->modelGrants = directGrants(rows, *user, ResourceType::RegisteredModel);
        job->succeed(std::move(*user));
    };
    connect(userReply, &ApiJob::finished, job, finishWhenBoth);
    connect(rowsReply, &ApiJob::finished, job, finishWhenBoth);
    return job;
}

ApiJob* RbacAuthApi::deleteUser(const QString& username)
{
    if (username.isEmpty())
        return JobChain::failSoon(new ApiJob(connection()), emptyUsername());
    return connection()->deleteWithBody(usersBase + QLatin1String("delete"), {{QStringLiteral("username"), username}});
}

ApiJob* RbacAuthApi::updatePassword(const QString& username, const QString& newPassword, const QString& currentPassword)
{
    if (username.isEmpty())
        return JobChain::failSoon(new ApiJob(connection()), emptyUsername());
    // MLflow 3.13+ wants the current password for one's own account, admins included.
    if (username == connection()->username() && currentPassword.isEmpty()) {
        return JobChain::failSoon(new ApiJob(connection()),
                                  invalid(tr("MLflow 3.13 and later need your current password to change your own; "
                                             "give it as well.")));
    }
    QJsonObject body{{QStringLiteral("username"), username}, {QStringLiteral("password"), newPassword}};
    if (!currentPassword.isEmpty())
        body.insert(QStringLiteral("current_password"), currentPassword);
    return connection()->patch(usersBase + QLatin1String("update-password"), body);
}

ApiJob* RbacAuthApi::setAdmin(const QString& username, bool isAdmin)
{
    if (username.isEmpty())
        return JobChain::failSoon(new ApiJob(connection()), emptyUsername());
    return connection()->patch(usersBase + QLatin1String("update-admin"),
                               {{QStringLiteral("username"), username}, {QStringLiteral("is_admin"), isAdmin}});
}

GrantJob* RbacAuthApi::createGrant(const Grant& grant)
{
    if (grant.username.isEmpty())
        return JobChain::failSoon(new GrantJob(connection()), emptyUsername());
    if (grant.level == PermissionLevel::NoPermissions) {
        return JobChain::failSoon(new GrantJob(connection()),
                                  invalid(tr("MLflow 3.13 and later cannot store NO_PERMISSIONS as a grant; revoke "
                                             "the grant instead.")));
    }
    QJsonObject body = grantBody(grant.username, grant.resourceType, grant.resourceId);
    body.insert(QStringLiteral("permission"), Permissions::name(grant.level));
    ApiReply* reply = connection()->post(permissionsBase + QLatin1String("grant"), body);
    return JobChain::map<Grant>(reply, connection(), [grant](const ApiReply*, ApiError*) {
        return std::optional<Grant>(grant); // the server answers {}
    });
}

ApiJob* RbacAuthApi::updateGrant(const Grant& grant)
{
    auto* job = new ApiJob(connection());
    ApiJob* revoke = deleteGrant(grant.username, grant.resourceType, grant.resourceId);
    job->follow(revoke);
    connect(revoke, &ApiJob::finished, job, [this, job, revoke, grant] {
        if (revoke->hasError()) {
            job->fail(revoke->error());
            return;
        }
        GrantJob* create = createGrant(grant);
        job->follow(create);
        connect(create, &ApiJob::finished, job, [job, create, grant] {
            if (!create->hasError()) {
                job->succeed();
                return;
            }
            ApiError error(create->error().kind(),
                           tr("The old grant was revoked, but granting %1 failed (%2), so %3 now has no direct grant "
                              "on this resource. Retry, or grant the old level again.")
                               .arg(Permissions::name(grant.level), create->error().userMessage(), grant.username));
            error.setEndpoint(create->error().endpoint());
            job->fail(error);
        });
    });
    return job;
}

ApiJob* RbacAuthApi::deleteGrant(const QString& username, ResourceType type, const QString& resourceId)
{
    if (username.isEmpty())
        return JobChain::failSoon(new ApiJob(connection()), emptyUsername());
    // Revoke is a POST on 3.13+, not a DELETE.
    return connection()->post(permissionsBase + QLatin1String("revoke"), grantBody(username, type, resourceId));
}

GrantJob* RbacAuthApi::getGrant(const QString& username, ResourceType type, const QString& resourceId)
{
    if (username.isEmpty())
        return JobChain::failSoon(new GrantJob(connection()), emptyUsername());
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("username"), username);
    ApiReply* reply = connection()->get(permissionsBase + QLatin1String("list"), query);
    const QString workspace = connection()->workspace();
    auto* job = new GrantJob(connection());
    job->follow(reply);
    connect(reply, &ApiJob::finished, job, [job, reply, username, type, resourceId, workspace] {
        if (reply->hasError()) {
            job->fail(reply->error());
            return;
        }
        ApiError error;
        const QList<PermissionRow> rows = parsePermissionRows(reply, &error).value_or(QList<PermissionRow>());
        const QString wanted = workspace.isEmpty() ? QStringLiteral("default") : workspace;
        for (const PermissionRow& row : rows) {
            if (row.isDirectGrant() && row.resourcePattern == resourceId &&
                Resources::parseWireName(row.resourceType) == type &&
                (row.workspace.isEmpty() || row.workspace == wanted)) {
                Grant grant;
                grant.username = username;
                grant.resourceType = type;
                grant.resourceId = resourceId;
                grant.level = row.level;
                job->succeed(grant);
                return;
            }
        }
        job->fail(
            ApiError(ApiError::Kind::NotFound,
                     tr("%1 has no direct grant on %2 %3.").arg(username, Resources::wireName(type), resourceId)));
    });
    return job;
}

// The answer repeats each role with all its permissions for every member and can reach hundreds of megabytes on a
// large server, so it is read off the caller's thread, without building a JSON tree (UserListReader).
UserListJob* RbacAuthApi::listUsers()
{
    RequestOptions options;
    options.expectJson = false;
    ApiReply* reply = connection()->get(usersBase + QLatin1String("list"), {}, options);
    return JobChain::mapInBackground<UserListing>(reply, connection(), [](const QByteArray& body, ApiError* error) {
        QString problem;
        std::optional<UserListing> listing = readUserList(body, &problem);
        if (!listing) {
            *error = ApiError(ApiError::Kind::NotMlflow, problem);
            error->setEndpoint(QStringLiteral("GET ") + usersBase + QLatin1String("list"));
        }
        return listing;
    });
}

RoleListJob* RbacAuthApi::listRoles(const QStringList& workspaces)
{
    QUrlQuery query;
    for (const QString& workspace : workspaces)
        query.addQueryItem(QStringLiteral("workspace"), workspace);
    // Every role with every permission, hidden per-user roles included: megabytes on a large server, so parsed
    // off the caller's thread.
    RequestOptions options;
    options.expectJson = false;
    ApiReply* reply = connection()->get(rolesBase + QLatin1String("list"), query, options);
    return JobChain::mapInBackground<QList<Role>>(
        reply, connection(), [](const QByteArray& body, ApiError* error) -> std::optional<QList<Role>> {
            const QJsonDocument document = QJsonDocument::fromJson(body);
            if (!document.isObject()) {
                *error = ApiError(ApiError::Kind::NotMlflow,
                                  QCoreApplication::translate("RbacAuthApi", "The roles/list answer was not a JSON "
                                                                             "object; is this an MLflow server?"));
                error->setEndpoint(QStringLiteral("GET ") + rolesBase + QLatin1String("list"));
                return std::nullopt;
            }
            return rolesFrom(document.object());
        });
}

RoleJob* RbacAuthApi::getRole(qint64 roleId)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("role_id"), QString::number(roleId));
    return JobChain::map<Role>(connection()->get(rolesBase + QLatin1String("get"), query), connection(), parseRole);
}

RoleJob* RbacAuthApi::createRole(const QString& name, const QString& workspace, const QString& description)
{
    if (name.trimmed().isEmpty())
        return JobChain::failSoon(new RoleJob(connection()), invalid(tr("The role name is empty.")));
    if (Role::isHiddenUserRoleName(name)) {
        return JobChain::failSoon(new RoleJob(connection()),
                                  invalid(tr("Role names starting with __user_ are reserved by MLflow for each user's "
                                             "direct grants; choose another name.")));
    }
    QJsonObject body{{QStringLiteral("name"), name},
                     {QStringLiteral("workspace"), workspace.isEmpty() ? QStringLiteral("default") : workspace}};
    if (!description.isEmpty())
        body.insert(QStringLiteral("description"), description);
    return JobChain::map<Role>(connection()->post(rolesBase + QLatin1String("create"), body), connection(), parseRole);
}

RoleJob* RbacAuthApi::updateRole(qint64 roleId, const std::optional<QString>& name,
                                 const std::optional<QString>& description)
{
    QJsonObject body{{QStringLiteral("role_id"), roleId}};
    if (name)
        body.insert(QStringLiteral("name"), *name);
    if (description)
        body.insert(QStringLiteral("description"), *description);
    return JobChain::map<Role>(connection()->patch(rolesBase + QLatin1String("update"), body), connection(), parseRole);
}

ApiJob* RbacAuthApi::deleteRole(qint64 roleId)
{
    return connection()->deleteWithBody(rolesBase + QLatin1String("delete"), {{QStringLiteral("role_id"), roleId}});
}

RolePermissionJob* RbacAuthApi::addRolePermission(qint64 roleId, const QString& resourceType,
                                                  const QString& resourcePattern, PermissionLevel level)
{
    const QJsonObject body{{QStringLiteral("role_id"), roleId},
                           {QStringLiteral("resource_type"), resourceType},
                           {QStringLiteral("resource_pattern"), resourcePattern},
                           {QStringLiteral("permission"), Permissions::name(level)}};
    return JobChain::map<RolePermission>(connection()->post(rolesBase + QLatin1String("permissions/add"), body),
                                         connection(), parseRolePermission);
}

RolePermissionJob* RbacAuthApi::updateRolePermission(qint64 rolePermissionId, PermissionLevel level)
{
    const QJsonObject body{{QStringLiteral("role_permission_id"), rolePermissionId},
                           {QStringLiteral("permission"), Permissions::name(level)}};
    return JobChain::map<RolePermission>(connection()->patch(rolesBase + QLatin1String("permissions/update"), body),
                                         connection(), parseRolePermission);
}

ApiJob* RbacAuthApi::removeRolePermission(qint64 rolePermissionId)
{
    return connection()->deleteWithBody(rolesBase + QLatin1String("permissions/remove"),
                                        {{QStringLiteral("role_permission_id"), rolePermissionId}});
}

ApiJob* RbacAuthApi::assignRole(const QString& username, qint64 roleId)
{
    if (username.isEmpty())
        return JobChain::failSoon(new ApiJob(connection()), emptyUsername());
    return connection()->post(rolesBase + QLatin1String("assign"),
                              {{QStringLiteral("username"), username}, {QStringLiteral("role_id"), roleId}});
}

ApiJob* RbacAuthApi::unassignRole(const QString& username, qint64 roleId)
{
    if (username.isEmpty())
        return JobChain::failSoon(new ApiJob(connection()), emptyUsername());
    return connection()->deleteWithBody(rolesBase + QLatin1String("unassign"),
                                        {{QStringLiteral("username"), username}, {QStringLiteral("role_id"), roleId}});
}

RoleListJob* RbacAuthApi::listUserRoles(const QString& username)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("username"), username);
    return JobChain::map<QList<Role>>(connection()->get(QStringLiteral("/api/3.0/mlflow/users/roles/list"), query),
                                      connection(), parseRoles);
}

PermissionRowsJob* RbacAuthApi::listPermissions(const QString& username)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("username"), username);
    return JobChain::map<QList<PermissionRow>>(connection()->get(permissionsBase + QLatin1String("list"), query),
                                               connection(), parsePermissionRows);
}

RoleAssignmentsJob* RbacAuthApi::listRoleAssignments(qint64 roleId)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("role_id"), QString::number(roleId));
    return JobChain::map<QList<RoleAssignment>>(
        connection()->get(rolesBase + QLatin1String("users/list"), query), connection(),
        [](const ApiReply* reply, ApiError*) {
            QList<RoleAssignment> assignments;
            // An empty list comes back as {}.
            for (const QJsonValue& value : reply->json().value(QLatin1String("assignments")).toArray()) {
                const QJsonObject object = value.toObject();
                RoleAssignment assignment;
                assignment.id = WireJson::toInt64(object.value(QLatin1String("id")), -1);
                assignment.roleId = WireJson::toInt64(object.value(QLatin1String("role_id")), -1);
                assignment.userId = WireJson::toInt64(object.value(QLatin1String("user_id")), -1);
                assignments.append(assignment);
            }
            return std::optional<QList<RoleAssignment>>(assignments);
        });
}

#pragma once

#include "api/AuthApi.h"

using RoleJob = ValueJob<Role>;
using RoleListJob = ValueJob<QList<Role>>;
using RolePermissionJob = ValueJob<RolePermission>;
using PermissionRowsJob = ValueJob<QList<PermissionRow>>;

// One user's membership of a role, as roles/users/list reports it (user ids only).
struct RoleAssignment
{
    qint64 id = -1;
    qint64 roleId = -1;
    qint64 userId = -1;
};
using RoleAssignmentsJob = ValueJob<QList<RoleAssignment>>;

// MLflow 3.13 and later: users under /api/2.0/mlflow/users/*, direct grants through
// /api/3.0/mlflow/users/permissions/{grant,revoke,list} (kept by the server in each user's hidden __user_<id>__
// role), and the roles API under /api/3.0/mlflow/roles/*. With workspaces, the Connection's workspace header
// scopes every call; a direct grant lands in the hidden role of the workspace the request names.
class RbacAuthApi : public AuthApi
{
    Q_OBJECT

public:
    // MLflow 3.13+ refuses shorter passwords at creation (it says "longer than 12" but accepts exactly 12).
    static constexpr int minimumPasswordLength = 12;

    explicit RbacAuthApi(Connection* connection, bool hasUsersList = true, QObject* parent = nullptr);

    ApiGeneration generation() const override { return ApiGeneration::Rbac; }
    bool canUpdateGrantInPlace() const override { return false; }
    bool canGrantNoPermissions() const override { return false; }
    bool canListUsers() const override { return m_hasUsersList; }

    UserJob* createUser(const QString& username, const QString& password) override;
    // users/get, then the user's direct grants from users/permissions/list (3.13+ users/get carries none).
    UserJob* getUser(const QString& username) override;
    ApiJob* deleteUser(const QString& username) override;
    ApiJob* updatePassword(const QString& username, const QString& newPassword,
                           const QString& currentPassword = QString()) override;
    ApiJob* setAdmin(const QString& username, bool isAdmin) override;

    GrantJob* createGrant(const Grant& grant) override;
    // There is no update on 3.13+: revoke, then grant. When the grant fails after the revoke went through, the
    // error says so, because the user has then lost the old level.
    ApiJob* updateGrant(const Grant& grant) override;
    ApiJob* deleteGrant(const QString& username, ResourceType type, const QString& resourceId) override;
    // The direct grant from users/permissions/list (users/permissions/get would fold in roles and the default).
    GrantJob* getGrant(const QString& username, ResourceType type, const QString& resourceId) override;

    UserListJob* listUsers() override;

    // --- roles
    // Every role of the given workspaces (none: every role on the server, admins only), with its permissions.
    RoleListJob* listRoles(const QStringList& workspaces = {});
    RoleJob* getRole(qint64 roleId);
    RoleJob* createRole(const QString& name, const QString& workspace, const QString& description = QString());
    // Empty optionals are left unchanged.
    RoleJob* updateRole(qint64 roleId, const std::optional<QString>& name, const std::optional<QString>& description);
    ApiJob* deleteRole(qint64 roleId);
    RolePermissionJob* addRolePermission(qint64 roleId, const QString& resourceType, const QString& resourcePattern,
                                         PermissionLevel level);
    RolePermissionJob* updateRolePermission(qint64 rolePermissionId, PermissionLevel level);
    ApiJob* removeRolePermission(qint64 rolePermissionId);
    ApiJob* assignRole(const QString& username, qint64 roleId);
    ApiJob* unassignRole(const QString& username, qint64 roleId);
    RoleListJob* listUserRoles(const QString& username);
    // Who holds the role (admins and the workspace's admins only).
    RoleAssignmentsJob* listRoleAssignments(qint64 roleId);
    // Every permission the user holds, through any role, in every workspace.
    PermissionRowsJob* listPermissions(const QString& username);

private:
    bool m_hasUsersList = true;
};

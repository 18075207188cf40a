#pragma once

#include "api/PermissionLevel.h"
#include "server/UserDirectory.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QStringList>

#include <optional>

struct RolePermissionRecord
{
    qint64 id = 0;
    qint64 roleId = 0;
    QString resourceType;    // experiment, registered_model, prompt, ..., workspace
    QString resourcePattern; // an id or name, or "*" for every resource of the type
    QString permission;
};

struct RoleRecord
{
    qint64 id = 0;
    QString name;
    QString workspace;
    std::optional<QString> description;
    QList<RolePermissionRecord> permissions; // by id
};

struct RoleAssignmentRecord
{
    qint64 id = 0;
    qint64 userId = 0;
    qint64 roleId = 0;
};

// Users, roles, role permissions and role assignments in MLflow 3.14's auth schema (RbacSchema), with MLflow's
// hidden per-user role "__user_<id>__" (one per workspace) holding a user's direct grants. Every statement is
// prepared; mutations throw MlflowError with MLflow 3.14's codes and messages, minus the SQL text it leaks.
class RbacStore : public UserDirectory
{
public:
    explicit RbacStore(QSqlDatabase database);

    // Creates the 3.14 schema in an empty database or opens one at its revision; refuses a 2.x database.
    bool initialize(QString* error);

    // --- users (the rest of the users table is UserDirectory's)
    // Removes the user, its hidden roles (every workspace) with their grants, and its role assignments.
    void deleteUser(const QString& username);

    // --- roles
    static bool isReservedRoleName(const QString& name); // the "__user_" prefix
    static bool isHiddenRoleName(const QString& name);   // exactly "__user_<digits>__"
    static QString hiddenRoleName(qint64 userId);
    RoleRecord createRole(const QString& name, const QString& workspace, const std::optional<QString>& description);
    RoleRecord requireRole(qint64 roleId) const; // 404 "Role with id=N not found"
    std::optional<RoleRecord> role(qint64 roleId) const;
    QList<RoleRecord> roles(const std::optional<QStringList>& workspaces = std::nullopt) const; // by id
    RoleRecord updateRole(qint64 roleId, const std::optional<QString>& name, const std::optional<QString>& description);
    void deleteRole(qint64 roleId);
    // The "admin" (workspace:* MANAGE) and "user" (workspace:* USE) roles MLflow seeds into a new workspace.
    void seedWorkspaceRoles(const QString& workspace);
    // Every role of a workspace, with their grants and assignments (a workspace deleted in CASCADE mode).
    void deleteWorkspaceRoles(const QString& workspace);

    // --- role permissions (validated with validateGrant by the caller's route)
    RolePermissionRecord addRolePermission(qint64 roleId, const QString& resourceType, const QString& resourcePattern,
                                           const QString& permission);
    RolePermissionRecord requireRolePermission(qint64 rolePermissionId) const; // 404
    void removeRolePermission(qint64 rolePermissionId);
    QList<RolePermissionRecord> rolePermissions(qint64 roleId) const; // 404 for an unknown role
    RolePermissionRecord updateRolePermission(qint64 rolePermissionId, const QString& permission);

    // --- assignments
    RoleAssignmentRecord assign(qint64 userId, qint64 roleId);
    void unassign(qint64 userId, qint64 roleId);
    QList<RoleRecord> userRoles(qint64 userId) const; // by role id
    // Every user's roles at once (users/list), each list by role id.
    QHash<qint64, QList<RoleRecord>> rolesByUser() const;
    QList<RoleAssignmentRecord> roleAssignments(qint64 roleId) const;
    bool hasRoleInWorkspace(qint64 userId, const QString& workspace) const;
    QSet<QString> presentWorkspaces(qint64 userId) const;
    QSet<QString> adminWorkspaces(qint64 userId) const; // where a role of the user holds workspace:* MANAGE

    // --- resolution
    // The highest level any role of the user in `workspace` grants on (resourceType, resourceId): exact id or "*";
    // a workspace:* grant counts for resource types only at MANAGE. Nothing when no row matches.
    std::optional<PermissionLevel> roleLevel(qint64 userId, const QString& resourceType, const QString& resourceId,
                                             const QString& workspace) const;
    // (pattern, permission) of every grant of the user's roles in `workspace` on `resourceType`, and workspace:*.
    QList<QPair<QString, QString>> roleGrants(qint64 userId, const QString& workspace,
                                              const QString& resourceType) const;

    // --- direct grants, in the user's hidden role of `workspace` (created on first use)
    // Sets the level, inserting or replacing (the creator's auto-MANAGE).
    void upsertUserGrant(qint64 userId, const QString& workspace, const QString& resourceType,
                         const QString& resourceId, const QString& permission);
    // 400 RESOURCE_ALREADY_EXISTS when any level is already granted.
    void grantUserPermission(const UserRecord& user, const QString& workspace, const QString& resourceType,
                             const QString& resourceId, const QString& permission);
    // 404 when there is none.
    void revokeUserPermission(const UserRecord& user, const QString& workspace, const QString& resourceType,
                              const QString& resourceId);
    // Every hidden-role grant on a resource in `workspace` (admin-made roles are never touched).
    void deleteResourceGrants(const QString& workspace, const QString& resourceType, const QString& resourceId);
    void renameResourceGrants(const QString& workspace, const QString& resourceType, const QString& oldId,
                              const QString& newId);

    // MLflow 3.14's validation of a grant (_validate_permission_for_resource_type): throws INVALID_PARAMETER_VALUE.
    static void validateGrant(const QString& permission, const QString& resourceType);
    static void validateResourceType(const QString& resourceType);

protected:
    void dropCaches() const override;
    void forgetUser(const QString& username, qint64 userId) const override;

private:
    qint64 hiddenRoleId(qint64 userId, const QString& workspace, bool create);
    void loadPermissions(QList<RoleRecord>* roles) const;
    QList<RoleRecord> rolesWhere(const QString& condition, const QVariantList& values) const;
    // What a write may have changed in the caches: the listings always; the cached roles of one user, of every
    // user holding a role (as cached, or as assigned in the database), or of every user with a matching role.
    void forgetListings() const;
    void forgetRolesOfUser(qint64 userId) const;
    void forgetRole(qint64 roleId) const;
    void forgetAssignees(qint64 roleId) const;
    template <typename Matches>
    void forgetRolesWhere(Matches matches) const;
    // Hidden roles of `workspace` with a grant on one of the resources (what deleting or renaming one changes).
    void forgetHiddenGrantsOn(const QString& workspace, const QString& resourceType,
                              const QStringList& resourceIds) const;

    // userRoles() by user id: every permission check and search filter resolves from here (see UserDirectory).
    mutable QHash<qint64, QList<RoleRecord>> m_rolesOfUser;
    // Role id -> the users whose m_rolesOfUser entry holds it (a superset: gone entries are not taken out).
    mutable QHash<qint64, QSet<qint64>> m_holdersOfRole;
    // roles() and rolesByUser() as roles/list and users/list read them: tens of thousands of permission rows.
    mutable std::optional<QList<RoleRecord>> m_allRoles;
    mutable std::optional<QHash<qint64, QList<RoleRecord>>> m_rolesByUser;
};

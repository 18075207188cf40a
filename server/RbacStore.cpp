#include "server/RbacStore.h"

#include "server/MlflowError.h"
#include "server/RbacSchema.h"

#include <QRegularExpression>

#include <QSqlError>
#include <QVariant>
#include <algorithm>

namespace {

const QString workspaceType = QStringLiteral("workspace");

// MLflow 3.14's mlflow/server/auth/permissions.py: the valid names in the order its messages list them.
const QStringList allPermissionNames = {QStringLiteral("READ"), QStringLiteral("USE"), QStringLiteral("EDIT"),
                                        QStringLiteral("MANAGE"), QStringLiteral("NO_PERMISSIONS")};
const QStringList resourceTypes = {
    QStringLiteral("experiment"),     QStringLiteral("gateway_endpoint"), QStringLiteral("gateway_model_definition"),
    QStringLiteral("gateway_secret"), QStringLiteral("prompt"),           QStringLiteral("registered_model"),
    QStringLiteral("scorer"),         QStringLiteral("workspace")};

QString pythonTuple(const QStringList& names)
{
    QStringList quoted;
    for (const QString& name : names)
        quoted.append(QLatin1Char('\'') + name + QLatin1Char('\''));
    return QLatin1Char('(') + quoted.join(QStringLiteral(", ")) + QLatin1Char(')');
}

PermissionLevel levelOf(const QString& name)
{
    return Permissions::parse(name).value_or(PermissionLevel::NoPermissions);
}

bool isWorkspaceWide(const RolePermissionRecord& grant)
{
    return grant.resourceType == workspaceType && grant.resourcePattern == QLatin1String("*");
}

} // namespace

RbacStore::RbacStore(QSqlDatabase database) : UserDirectory(std::move(database)) {}

bool RbacStore::initialize(QString* error)
{
    const QStringList tables = m_database.tables();
    const QString revision = RbacSchema::stampedRevision(m_database);
    if (tables.contains(QStringLiteral("alembic_version")) && revision.isEmpty()) {
        *error = QStringLiteral("This auth database is in MLflow 2.x's schema; the embedded server in MLflow 3.14 "
                                "mode needs the 3.14 schema. Start it with --api 2 for this data directory, or use "
                                "a new data directory for --api 3.");
        return false;
    }
    if (!revision.isEmpty() && revision != QLatin1String(RbacSchema::revision)) {
        *error = QStringLiteral("The auth database is at alembic revision %1; this server reads MLflow 3.14's "
                                "revision %2. Use a database written by MLflow 3.14 or a new data directory.")
                     .arg(revision, QLatin1String(RbacSchema::revision));
        return false;
    }
    if (!RbacSchema::create(m_database, error))
        return false;
    try {
        prepareUserLookup();
    } catch (const MlflowError& failure) {
        *error = failure.message();
        return false;
    }
    return true;
}

// --- users

void RbacStore::deleteUser(const QString& username)
{
    const UserRecord record = requireUser(username);
    inTransaction([&] {
        const QString hidden = hiddenRoleName(record.id);
        for (const char* sql : {
                 "DELETE FROM role_permissions WHERE role_id IN (SELECT id FROM roles WHERE name = :hidden)",
                 "DELETE FROM user_role_assignments WHERE role_id IN (SELECT id FROM roles WHERE name = :hidden)",
                 "DELETE FROM roles WHERE name = :hidden",
             }) {
            QSqlQuery query = prepared(QString::fromLatin1(sql));
            query.bindValue(QStringLiteral(":hidden"), hidden);
            // Whoever holds one of the user's hidden roles (in any workspace) loses it.
            change(query, [&] { forgetRolesWhere([&hidden](const RoleRecord& role) { return role.name == hidden; }); });
        }
        // The user's assignments to shared roles, and the rows 3.14 keeps in the legacy tables.
        for (const char* table : {"user_role_assignments", "experiment_permissions", "registered_model_permissions",
                                  "scorer_permissions", "gateway_secret_permissions", "gateway_endpoint_permissions",
                                  "gateway_model_definition_permissions", "workspace_permissions", "users"}) {
            const QString column =
                QLatin1String(table) == QLatin1String("users") ? QStringLiteral("id") : QStringLiteral("user_id");
            QSqlQuery query = prepared(QStringLiteral("DELETE FROM %1 WHERE %2 = ?").arg(QLatin1String(table), column));
            query.addBindValue(record.id);
            // The legacy tables are not cached; assignments and the user's row are.
            change(query, [&] { forgetUser(username, record.id); });
        }
    });
}

// --- roles

bool RbacStore::isReservedRoleName(const QString& name)
{
    return name.startsWith(QLatin1String("__user_"));
}

bool RbacStore::isHiddenRoleName(const QString& name)
{
    static const QRegularExpression pattern(QStringLiteral("^__user_\\d+__$"));
    return pattern.match(name).hasMatch();
}

QString RbacStore::hiddenRoleName(qint64 userId)
{
    return QStringLiteral("__user_%1__").arg(userId);
}

void RbacStore::loadPermissions(QList<RoleRecord>* roles) const
{
    if (roles->isEmpty())
        return;
    // A few roles: one indexed query each. Many (a listing): one pass over the table beats a query per role.
    if (roles->size() <= 16) {
        QSqlQuery query = prepared(QStringLiteral("SELECT id, role_id, resource_type, resource_pattern, permission "
                                                  "FROM role_permissions WHERE role_id = ? ORDER BY id"));
        for (RoleRecord& role : *roles) {
            query.bindValue(0, role.id);
            exec(query);
            while (query.next()) {
                role.permissions.append({query.value(0).toLongLong(), query.value(1).toLongLong(),
                                         query.value(2).toString(), query.value(3).toString(),
                                         query.value(4).toString()});
            }
        }
        return;
    }
    QHash<qint64, int> indexById;
    for (int i = 0; i < roles->size(); ++i)
        indexById.insert(roles->at(i).id, i);
    QSqlQuery query = prepared(QStringLiteral(
        "SELECT id, role_id, resource_type, resource_pattern, permission FROM role_permissions ORDER BY id"));
    exec(query);
    while (query.next()) {
        const auto it = indexById.constFind(query.value(1).toLongLong());
        if (it == indexById.cend())
            continue;
        (*roles)[*it].permissions.append({query.value(0).toLongLong(), query.value(1).toLongLong(),
                                          query.value(2).toString(), query.value(3).toString(),
                                          query.value(4).toString()});
    }
}

QHash<qint64, QList<RoleRecord>> RbacStore::rolesByUser() const
{
    if (m_rolesByUser)
        return *m_rolesByUser;
    const QList<RoleRecord> all = roles();
    QHash<qint64, int> indexById;
    for (int i = 0; i < all.size(); ++i)
        indexById.insert(all.at(i).id, i);
    QSqlQuery query =
        prepared(QStringLiteral("SELECT user_id, role_id FROM user_role_assignments ORDER BY user_id, role_id"));
    exec(query);
    QHash<qint64, QList<RoleRecord>> byUser;
    while (query.next()) {
        const auto it = indexById.constFind(query.value(1).toLongLong());
        if (it != indexById.cend())
            byUser[query.value(0).toLongLong()].append(all.at(*it));
    }
    m_rolesByUser = byUser;
    return byUser;
}

QList<RoleRecord> RbacStore::rolesWhere(const QString& condition, const QVariantList& values) const
{
    QSqlQuery query = prepared(QStringLiteral("SELECT roles.id, roles.name, roles.workspace, roles.description "
                                              "FROM roles %1 ORDER BY roles.id")
                                   .arg(condition));
    for (const QVariant& value : values)
        query.addBindValue(value);
    exec(query);
    QList<RoleRecord> records;
    while (query.next()) {
        RoleRecord role;
        role.id = query.value(0).toLongLong();
        role.name = query.value(1).toString();
        role.workspace = query.value(2).toString();
        if (!query.value(3).isNull())
            role.description = query.value(3).toString();
        records.append(role);
    }
    loadPermissions(&records);
    return records;
}

RoleRecord RbacStore::createRole(const QString& name, const QString& workspace,
                                 const std::optional<QString>& description)
{
    if (isReservedRoleName(name))
        throw MlflowError::invalidParameter(
            QStringLiteral("Role name '%1' uses the reserved '__user_' prefix, which is held for the per-user "
                           "permission representation. Choose a different name.")
                .arg(name));
    if (!rolesWhere(QStringLiteral("WHERE roles.workspace = ? AND roles.name = ?"), {workspace, name}).isEmpty())
        throw MlflowError::alreadyExists(
            QStringLiteral("Role (name=%1, workspace=%2) already exists.").arg(name, workspace));
    QSqlQuery query = prepared(QStringLiteral("INSERT INTO roles (name, workspace, description) VALUES (?, ?, ?)"));
    query.addBindValue(name);
    query.addBindValue(workspace);
    query.addBindValue(description ? QVariant(*description) : QVariant(QMetaType(QMetaType::QString)));
    change(query, [this] { forgetListings(); });
    const qint64 roleId = query.lastInsertId().toLongLong();
    forgetAssignees(roleId);
    return requireRole(roleId);
}

std::optional<RoleRecord> RbacStore::role(qint64 roleId) const
{
    const QList<RoleRecord> found = rolesWhere(QStringLiteral("WHERE roles.id = ?"), {roleId});
    if (found.isEmpty())
        return std::nullopt;
    return found.first();
}

RoleRecord RbacStore::requireRole(qint64 roleId) const
{
    std::optional<RoleRecord> found = role(roleId);
    if (!found)
        throw MlflowError::notFound(QStringLiteral("Role with id=%1 not found").arg(roleId));
    return *found;
}

QList<RoleRecord> RbacStore::roles(const std::optional<QStringList>& workspaces) const
{
    if (!m_allRoles)
        m_allRoles = rolesWhere(QString(), {});
    if (!workspaces)
        return *m_allRoles;
    QList<RoleRecord> inWorkspaces;
    for (const RoleRecord& role : *m_allRoles) {
        if (workspaces->contains(role.workspace))
            inWorkspaces.append(role);
    }
    return inWorkspaces;
}

RoleRecord RbacStore::updateRole(qint64 roleId, const std::optional<QString>& name,
                                 const std::optional<QString>& description)
{
    if (name && isReservedRoleName(*name))
        throw MlflowError::invalidParameter(
            QStringLiteral("Role name '%1' uses the reserved '__user_' prefix, which is held for the per-user "
                           "permission representation. Choose a different name.")
                .arg(*name));
    const RoleRecord existing = requireRole(roleId);
    if (name) {
        if (!rolesWhere(QStringLiteral("WHERE roles.workspace = ? AND roles.name = ? AND roles.id != ?"),
                        {existing.workspace, *name, roleId})
                 .isEmpty())
            throw MlflowError::alreadyExists(
                QStringLiteral("Role with name=%1 already exists in workspace=%2").arg(*name, existing.workspace));
        QSqlQuery query = prepared(QStringLiteral("UPDATE roles SET name = ? WHERE id = ?"));
        query.addBindValue(*name);
        query.addBindValue(roleId);
        change(query, [&] { forgetRole(roleId); });
    }
    if (description) {
        QSqlQuery query = prepared(QStringLiteral("UPDATE roles SET description = ? WHERE id = ?"));
        query.addBindValue(*description);
        query.addBindValue(roleId);
        change(query, [&] { forgetRole(roleId); });
    }
    return requireRole(roleId);
}

void RbacStore::deleteRole(qint64 roleId)
{
    requireRole(roleId);
    inTransaction([&] {
        for (const char* sql :
             {"DELETE FROM role_permissions WHERE role_id = ?", "DELETE FROM user_role_assignments WHERE role_id = ?",
              "DELETE FROM roles WHERE id = ?"}) {
            QSqlQuery query = prepared(QString::fromLatin1(sql));
            query.addBindValue(roleId);
            change(query, [&] { forgetRole(roleId); });
        }
    });
}

void RbacStore::seedWorkspaceRoles(const QString& workspace)
{
    inTransaction([&] {
        const RoleRecord admin =
            createRole(QStringLiteral("admin"), workspace, QStringLiteral("Full MANAGE authority over the workspace."));
        addRolePermission(admin.id, workspaceType, QStringLiteral("*"), QStringLiteral("MANAGE"));
        const RoleRecord member = createRole(
            QStringLiteral("user"), workspace,
            QStringLiteral("Read every resource in the workspace and create new experiments and registered models; the "
                           "creator-as-owner mechanism grants MANAGE on what you create, with no write or delete "
                           "access to resources owned by other users."));
        addRolePermission(member.id, workspaceType, QStringLiteral("*"), QStringLiteral("USE"));
    });
}

void RbacStore::deleteWorkspaceRoles(const QString& workspace)
{
    inTransaction([&] {
        for (const char* sql : {
                 "DELETE FROM role_permissions WHERE role_id IN (SELECT id FROM roles WHERE workspace = ?)",
                 "DELETE FROM user_role_assignments WHERE role_id IN (SELECT id FROM roles WHERE workspace = ?)",
                 "DELETE FROM roles WHERE workspace = ?",
             }) {
            QSqlQuery query = prepared(QString::fromLatin1(sql));
            query.addBindValue(workspace);
            change(query, [&] {
                forgetRolesWhere([&workspace](const RoleRecord& role) { return role.workspace == workspace; });
            });
        }
    });
}

// --- role permissions

void RbacStore::validateResourceType(const QString& resourceType)
{
    if (!resourceTypes.contains(resourceType))
        throw MlflowError::invalidParameter(QStringLiteral("Invalid resource type '%1'. Valid resource types are: %2")
                                                .arg(resourceType, pythonTuple(resourceTypes)));
}

void RbacStore::validateGrant(const QString& permission, const QString& resourceType)
{
    if (!allPermissionNames.contains(permission))
        throw MlflowError::invalidParameter(QStringLiteral("Invalid permission '%1'. Valid permissions are: %2")
                                                .arg(permission, pythonTuple(allPermissionNames)));
    validateResourceType(resourceType);
    if (resourceType == workspaceType) {
        if (permission != QLatin1String("USE") && permission != QLatin1String("MANAGE"))
            throw MlflowError::invalidParameter(
                QStringLiteral("Invalid permission '%1' for resource_type='workspace'. Workspace-wide grants accept "
                               "only: ('MANAGE', 'USE').")
                    .arg(permission));
        return;
    }
    if (permission == QLatin1String("NO_PERMISSIONS"))
        throw MlflowError::invalidParameter(
            QStringLiteral("Invalid permission '%1' for resource_type='%2'. Resource-level grants accept only: "
                           "('EDIT', 'MANAGE', 'READ', 'USE').")
                .arg(permission, resourceType));
}

RolePermissionRecord RbacStore::addRolePermission(qint64 roleId, const QString& resourceType,
                                                  const QString& resourcePattern, const QString& permission)
{
    validateGrant(permission, resourceType);
    if (resourceType == workspaceType && resourcePattern != QLatin1String("*"))
        throw MlflowError::invalidParameter(
            QStringLiteral("resource_type='workspace' requires resource_pattern='*'. Got resource_pattern='%1'.")
                .arg(resourcePattern));
    const RoleRecord role = requireRole(roleId);
    for (const RolePermissionRecord& existing : role.permissions) {
        if (existing.resourceType == resourceType && existing.resourcePattern == resourcePattern)
            throw MlflowError::alreadyExists(QStringLiteral("Role permission (role_id=%1, resource_type=%2, "
                                                            "resource_pattern=%3) already exists.")
                                                 .arg(roleId)
                                                 .arg(resourceType, resourcePattern));
    }
    QSqlQuery query = prepared(QStringLiteral(
        "INSERT INTO role_permissions (role_id, resource_type, resource_pattern, permission) VALUES (?, ?, ?, ?)"));
    query.addBindValue(roleId);
    query.addBindValue(resourceType);
    query.addBindValue(resourcePattern);
    query.addBindValue(permission);
    change(query, [&] { forgetRole(roleId); });
    return {query.lastInsertId().toLongLong(), roleId, resourceType, resourcePattern, permission};
}

RolePermissionRecord RbacStore::requireRolePermission(qint64 rolePermissionId) const
{
    QSqlQuery query = prepared(QStringLiteral(
        "SELECT id, role_id, resource_type, resource_pattern, permission FROM role_permissions WHERE id = ?"));
    query.addBindValue(rolePermissionId);
    exec(query);
    if (!query.next())
        throw MlflowError::notFound(QStringLiteral("Role permission with id=%1 not found").arg(rolePermissionId));
    return {query.value(0).toLongLong(), query.value(1).toLongLong(), query.value(2).toString(),
            query.value(3).toString(), query.value(4).toString()};
}

void RbacStore::removeRolePermission(qint64 rolePermissionId)
{
    const qint64 roleId = requireRolePermission(rolePermissionId).roleId;
    QSqlQuery query = prepared(QStringLiteral("DELETE FROM role_permissions WHERE id = ?"));
    query.addBindValue(rolePermissionId);
    change(query, [&] { forgetRole(roleId); });
}

QList<RolePermissionRecord> RbacStore::rolePermissions(qint64 roleId) const
{
    return requireRole(roleId).permissions;
}

RolePermissionRecord RbacStore::updateRolePermission(qint64 rolePermissionId, const QString& permission)
{
    RolePermissionRecord record = requireRolePermission(rolePermissionId);
    validateGrant(permission, record.resourceType);
    QSqlQuery query = prepared(QStringLiteral("UPDATE role_permissions SET permission = ? WHERE id = ?"));
    query.addBindValue(permission);
    query.addBindValue(rolePermissionId);
    change(query, [&] { forgetRole(record.roleId); });
    record.permission = permission;
    return record;
}

// --- assignments

RoleAssignmentRecord RbacStore::assign(qint64 userId, qint64 roleId)
{
    QSqlQuery userQuery = prepared(QStringLiteral("SELECT id FROM users WHERE id = ?"));
    userQuery.addBindValue(userId);
    exec(userQuery);
    if (!userQuery.next())
        throw MlflowError::notFound(QStringLiteral("User with id=%1 not found").arg(userId));
    requireRole(roleId);
    QSqlQuery existing =
        prepared(QStringLiteral("SELECT id FROM user_role_assignments WHERE user_id = ? AND role_id = ?"));
    existing.addBindValue(userId);
    existing.addBindValue(roleId);
    exec(existing);
    if (existing.next())
        throw MlflowError::alreadyExists(
            QStringLiteral("User role assignment (user_id=%1, role_id=%2) already exists").arg(userId).arg(roleId));
    QSqlQuery query = prepared(QStringLiteral("INSERT INTO user_role_assignments (user_id, role_id) VALUES (?, ?)"));
    query.addBindValue(userId);
    query.addBindValue(roleId);
    change(query, [&] { forgetRolesOfUser(userId); });
    return {query.lastInsertId().toLongLong(), userId, roleId};
}

void RbacStore::unassign(qint64 userId, qint64 roleId)
{
    QSqlQuery query = prepared(QStringLiteral("DELETE FROM user_role_assignments WHERE user_id = ? AND role_id = ?"));
    query.addBindValue(userId);
    query.addBindValue(roleId);
    change(query, [&] { forgetRolesOfUser(userId); });
    if (query.numRowsAffected() == 0)
        throw MlflowError::notFound(
            QStringLiteral("User role assignment (user_id=%1, role_id=%2) not found").arg(userId).arg(roleId));
}

QList<RoleRecord> RbacStore::userRoles(qint64 userId) const
{
    const auto cached = m_rolesOfUser.constFind(userId);
    if (cached != m_rolesOfUser.cend())
        return *cached;
    QList<RoleRecord> roles = rolesWhere(
        QStringLiteral("JOIN user_role_assignments a ON a.role_id = roles.id WHERE a.user_id = ?"), {userId});
    if (m_rolesOfUser.size() >= maxCachedEntries) {
        m_rolesOfUser.clear();
        m_holdersOfRole.clear();
    }
    m_rolesOfUser.insert(userId, roles);
    for (const RoleRecord& role : std::as_const(roles))
        m_holdersOfRole[role.id].insert(userId);
    return roles;
}

void RbacStore::dropCaches() const
{
    m_rolesOfUser.clear();
    m_holdersOfRole.clear();
    forgetListings();
    UserDirectory::dropCaches();
}

void RbacStore::forgetUser(const QString& username, qint64 userId) const
{
    forgetRolesOfUser(userId);
    UserDirectory::forgetUser(username, userId);
}

void RbacStore::forgetListings() const
{
    m_allRoles.reset();
    m_rolesByUser.reset();
}

void RbacStore::forgetRolesOfUser(qint64 userId) const
{
    m_rolesOfUser.remove(userId);
    forgetListings();
}

void RbacStore::forgetRole(qint64 roleId) const
{
    for (qint64 userId : m_holdersOfRole.take(roleId))
        m_rolesOfUser.remove(userId);
    forgetListings();
}

// A new role may meet assignments another program left under its id (SQLite reuses the highest id once deleted).
void RbacStore::forgetAssignees(qint64 roleId) const
{
    QSqlQuery query = prepared(QStringLiteral("SELECT user_id FROM user_role_assignments WHERE role_id = ?"));
    query.addBindValue(roleId);
    exec(query);
    while (query.next())
        m_rolesOfUser.remove(query.value(0).toLongLong());
    forgetRole(roleId);
}

template <typename Matches>
void RbacStore::forgetRolesWhere(Matches matches) const
{
    for (auto it = m_rolesOfUser.begin(); it != m_rolesOfUser.end();) {
        if (std::any_of(it->cbegin(), it->cend(), matches))
            it = m_rolesOfUser.erase(it);
        else
            ++it;
    }
    forgetListings();
}

void RbacStore::forgetHiddenGrantsOn(const QString& workspace, const QString& resourceType,
                                     const QStringList& resourceIds) const
{
    // By prefix, which covers every name the statements' GLOB matches.
    forgetRolesWhere([&](const RoleRecord& role) {
        return role.workspace == workspace && isReservedRoleName(role.name) &&
               std::any_of(role.permissions.cbegin(), role.permissions.cend(), [&](const RolePermissionRecord& grant) {
                   return grant.resourceType == resourceType && resourceIds.contains(grant.resourcePattern);
               });
    });
}

QList<RoleAssignmentRecord> RbacStore::roleAssignments(qint64 roleId) const
{
    requireRole(roleId);
    QSqlQuery query = prepared(
        QStringLiteral("SELECT id, user_id, role_id FROM user_role_assignments WHERE role_id = ? ORDER BY id"));
    query.addBindValue(roleId);
    exec(query);
    QList<RoleAssignmentRecord> records;
    while (query.next())
        records.append({query.value(0).toLongLong(), query.value(1).toLongLong(), query.value(2).toLongLong()});
    return records;
}

bool RbacStore::hasRoleInWorkspace(qint64 userId, const QString& workspace) const
{
    return presentWorkspaces(userId).contains(workspace);
}

QSet<QString> RbacStore::presentWorkspaces(qint64 userId) const
{
    QSet<QString> workspaces;
    for (const RoleRecord& role : userRoles(userId))
        workspaces.insert(role.workspace);
    return workspaces;
}

QSet<QString> RbacStore::adminWorkspaces(qint64 userId) const
{
    QSet<QString> workspaces;
    for (const RoleRecord& role : userRoles(userId)) {
        for (const RolePermissionRecord& grant : role.permissions) {
            if (isWorkspaceWide(grant) && grant.permission == QLatin1String("MANAGE"))
                workspaces.insert(role.workspace);
        }
    }
    return workspaces;
}

// --- resolution

QList<QPair<QString, QString>> RbacStore::roleGrants(qint64 userId, const QString& workspace,
                                                     const QString& resourceType) const
{
    QList<const RolePermissionRecord*> matching;
    const QList<RoleRecord> roles = userRoles(userId);
    for (const RoleRecord& role : roles) {
        if (role.workspace != workspace)
            continue;
        for (const RolePermissionRecord& grant : role.permissions) {
            if (grant.resourceType == resourceType || isWorkspaceWide(grant))
                matching.append(&grant);
        }
    }
    // In the order the grants were made, across roles.
    std::sort(matching.begin(), matching.end(),
              [](const RolePermissionRecord* a, const RolePermissionRecord* b) { return a->id < b->id; });
    QList<QPair<QString, QString>> grants;
    grants.reserve(matching.size());
    for (const RolePermissionRecord* grant : std::as_const(matching))
        grants.append({grant->resourcePattern, grant->permission});
    return grants;
}

std::optional<PermissionLevel> RbacStore::roleLevel(qint64 userId, const QString& resourceType,
                                                    const QString& resourceId, const QString& workspace) const
{
    std::optional<PermissionLevel> best;
    for (const RoleRecord& role : userRoles(userId)) {
        if (role.workspace != workspace)
            continue;
        for (const RolePermissionRecord& grant : role.permissions) {
            const bool workspaceWide = isWorkspaceWide(grant);
            const bool matches = grant.resourceType == resourceType &&
                                 (grant.resourcePattern == QLatin1String("*") || grant.resourcePattern == resourceId);
            if (!workspaceWide && !matches)
                continue;
            const PermissionLevel level = levelOf(grant.permission);
            // A workspace-wide USE is membership, not access to each resource: it counts only for workspace queries.
            if (workspaceWide && resourceType != workspaceType && level != PermissionLevel::Manage)
                continue;
            if (!best || level > *best)
                best = level;
        }
    }
    return best;
}

// --- direct grants

qint64 RbacStore::hiddenRoleId(qint64 userId, const QString& workspace, bool create)
{
    const QString name = hiddenRoleName(userId);
    QSqlQuery find = prepared(QStringLiteral("SELECT id FROM roles WHERE workspace = ? AND name = ?"));
    find.addBindValue(workspace);
    find.addBindValue(name);
    exec(find);
    qint64 roleId = 0;
    if (find.next()) {
        roleId = find.value(0).toLongLong();
    } else {
        if (!create)
            return 0;
        QSqlQuery insert =
            prepared(QStringLiteral("INSERT INTO roles (name, workspace, description) VALUES (?, ?, ?)"));
        insert.addBindValue(name);
        insert.addBindValue(workspace);
        insert.addBindValue(QVariant(QMetaType(QMetaType::QString)));
        change(insert, [this] { forgetListings(); });
        roleId = insert.lastInsertId().toLongLong();
        forgetAssignees(roleId);
    }
    if (create) {
        QSqlQuery assigned = prepared(QStringLiteral("SELECT user_id FROM user_role_assignments WHERE role_id = ?"));
        assigned.addBindValue(roleId);
        exec(assigned);
        bool hasSelf = false;
        while (assigned.next()) {
            if (assigned.value(0).toLongLong() != userId)
                throw MlflowError::invalidParameter(
                    QStringLiteral("Role '%1' in workspace '%2' is the hidden per-user role of user id %3 but is also "
                                   "assigned to user id %4. Remove that assignment before granting.")
                        .arg(name, workspace)
                        .arg(userId)
                        .arg(assigned.value(0).toLongLong()));
            hasSelf = true;
        }
        if (!hasSelf) {
            QSqlQuery assign =
                prepared(QStringLiteral("INSERT INTO user_role_assignments (user_id, role_id) VALUES (?, ?)"));
            assign.addBindValue(userId);
            assign.addBindValue(roleId);
            change(assign, [&] { forgetRolesOfUser(userId); });
        }
    }
    return roleId;
}

void RbacStore::upsertUserGrant(qint64 userId, const QString& workspace, const QString& resourceType,
                                const QString& resourceId, const QString& permission)
{
    validateGrant(permission, resourceType);
    inTransaction([&] {
        const qint64 roleId = hiddenRoleId(userId, workspace, true);
        QSqlQuery update = prepared(QStringLiteral("UPDATE role_permissions SET permission = ? WHERE role_id = ? AND "
                                                   "resource_type = ? AND resource_pattern = ?"));
        update.addBindValue(permission);
        update.addBindValue(roleId);
        update.addBindValue(resourceType);
        update.addBindValue(resourceId);
        change(update, [&] { forgetRole(roleId); });
        if (update.numRowsAffected() > 0)
            return;
        QSqlQuery insert = prepared(QStringLiteral("INSERT INTO role_permissions (role_id, resource_type, "
                                                   "resource_pattern, permission) VALUES (?, ?, ?, ?)"));
        insert.addBindValue(roleId);
        insert.addBindValue(resourceType);
        insert.addBindValue(resourceId);
        insert.addBindValue(permission);
        change(insert, [&] { forgetRole(roleId); });
    });
}

void RbacStore::grantUserPermission(const UserRecord& user, const QString& workspace, const QString& resourceType,
                                    const QString& resourceId, const QString& permission)
{
    validateGrant(permission, resourceType);
    inTransaction([&] {
        const qint64 roleId = hiddenRoleId(user.id, workspace, true);
        QSqlQuery existing = prepared(QStringLiteral(
            "SELECT id FROM role_permissions WHERE role_id = ? AND resource_type = ? AND resource_pattern = ?"));
        existing.addBindValue(roleId);
        existing.addBindValue(resourceType);
        existing.addBindValue(resourceId);
        exec(existing);
        if (existing.next())
            throw MlflowError::alreadyExists(
                QStringLiteral("Permission for user=%1 on resource_type=%2, resource_id=%3 already exists.")
                    .arg(user.username, resourceType, resourceId));
        QSqlQuery insert = prepared(QStringLiteral("INSERT INTO role_permissions (role_id, resource_type, "
                                                   "resource_pattern, permission) VALUES (?, ?, ?, ?)"));
        insert.addBindValue(roleId);
        insert.addBindValue(resourceType);
        insert.addBindValue(resourceId);
        insert.addBindValue(permission);
        change(insert, [&] { forgetRole(roleId); });
    });
}

void RbacStore::revokeUserPermission(const UserRecord& user, const QString& workspace, const QString& resourceType,
                                     const QString& resourceId)
{
    validateResourceType(resourceType);
    const qint64 roleId = hiddenRoleId(user.id, workspace, false);
    QSqlQuery remove = prepared(QStringLiteral(
        "DELETE FROM role_permissions WHERE role_id = ? AND resource_type = ? AND resource_pattern = ?"));
    remove.addBindValue(roleId);
    remove.addBindValue(resourceType);
    remove.addBindValue(resourceId);
    change(remove, [&] { forgetRole(roleId); });
    if (roleId == 0 || remove.numRowsAffected() == 0)
        throw MlflowError::notFound(
            QStringLiteral("Permission for user=%1 on resource_type=%2, resource_id=%3 not found.")
                .arg(user.username, resourceType, resourceId));
}

void RbacStore::deleteResourceGrants(const QString& workspace, const QString& resourceType, const QString& resourceId)
{
    QSqlQuery query = prepared(
        QStringLiteral("DELETE FROM role_permissions WHERE resource_type = ? AND resource_pattern = ? AND role_id IN "
                       "(SELECT id FROM roles WHERE workspace = ? AND name GLOB '__user_[0-9]*__')"));
    query.addBindValue(resourceType);
    query.addBindValue(resourceId);
    query.addBindValue(workspace);
    change(query, [&] { forgetHiddenGrantsOn(workspace, resourceType, {resourceId}); });
}

void RbacStore::renameResourceGrants(const QString& workspace, const QString& resourceType, const QString& oldId,
                                     const QString& newId)
{
    QSqlQuery query = prepared(QStringLiteral(
        "UPDATE OR REPLACE role_permissions SET resource_pattern = ? WHERE resource_type = ? AND resource_pattern = ? "
        "AND role_id IN (SELECT id FROM roles WHERE workspace = ? AND name GLOB '__user_[0-9]*__')"));
    query.addBindValue(newId);
    query.addBindValue(resourceType);
    query.addBindValue(oldId);
    query.addBindValue(workspace);
    // UPDATE OR REPLACE also deletes a grant the role held on the new id.
    change(query, [&] { forgetHiddenGrantsOn(workspace, resourceType, {oldId, newId}); });
}

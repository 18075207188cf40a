#include "server/AuthStore.h"

#include "server/MlflowError.h"

#include <QSqlError>
#include <QVariant>

#include <algorithm>

namespace {

// Table and column names per resource kind: identifiers, never user input.
struct GrantTable
{
    const char* table;
    const char* resourceColumn;
    const char* label;   // how MLflow names it in messages
    const char* idLabel; // experiment_id= / name=
};

GrantTable grantTable(ResourceKind kind)
{
    if (kind == ResourceKind::Experiment)
        return {"experiment_permissions", "experiment_id", "Experiment permission", "experiment_id"};
    return {"registered_model_permissions", "name", "Registered model permission", "name"};
}

QString notFoundMessage(ResourceKind kind, const QString& resourceId, const QString& username)
{
    const GrantTable t = grantTable(kind);
    return QStringLiteral("%1 with %2=%3 and username=%4 not found")
        .arg(QLatin1String(t.label), QLatin1String(t.idLabel), resourceId, username);
}

const char* const schemaStatements[] = {
    "CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL, "
    "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))",
    "CREATE TABLE IF NOT EXISTS users (id INTEGER NOT NULL, username VARCHAR(255), password_hash VARCHAR(255), "
    "is_admin BOOLEAN, PRIMARY KEY (id), UNIQUE (username))",
    "CREATE TABLE IF NOT EXISTS experiment_permissions (id INTEGER NOT NULL, experiment_id VARCHAR(255) NOT NULL, "
    "user_id INTEGER NOT NULL, permission VARCHAR(255), PRIMARY KEY (id), "
    "CONSTRAINT fk_user_id FOREIGN KEY(user_id) REFERENCES users (id), "
    "CONSTRAINT unique_experiment_user UNIQUE (experiment_id, user_id))",
    "CREATE TABLE IF NOT EXISTS registered_model_permissions (id INTEGER NOT NULL, name VARCHAR(255) NOT NULL, "
    "user_id INTEGER NOT NULL, permission VARCHAR(255), PRIMARY KEY (id), "
    "CONSTRAINT fk_user_id FOREIGN KEY(user_id) REFERENCES users (id), "
    "CONSTRAINT unique_name_user UNIQUE (name, user_id))",
    // Not in MLflow's schema, which only indexes (resource, user): without these, users/get and deleting a user
    // scan every grant row (3.8 ms per users/get at 50,000 grants). Extra indexes do not stop MLflow opening the file.
    "CREATE INDEX IF NOT EXISTS mlflow_admin_experiment_permissions_user ON experiment_permissions (user_id)",
    "CREATE INDEX IF NOT EXISTS mlflow_admin_registered_model_permissions_user ON registered_model_permissions "
    "(user_id)",
};

} // namespace

AuthStore::AuthStore(QSqlDatabase database) : UserDirectory(std::move(database)) {}

bool AuthStore::initialize(QString* error)
{
    const QStringList tables = m_database.tables();
    if (tables.contains(QStringLiteral("alembic_version_auth"))) {
        *error = QStringLiteral("This auth database was written by MLflow 3.6 or later; the embedded server reads "
                                "the MLflow 2.x schema (revision %1). Use a copy of a 2.x basic_auth.db or a new data "
                                "directory.")
                     .arg(QLatin1String(schemaRevision));
        return false;
    }
    if (tables.contains(QStringLiteral("alembic_version"))) {
        QSqlQuery version(m_database);
        if (!version.exec(QStringLiteral("SELECT version_num FROM alembic_version")) || !version.next() ||
            version.value(0).toString() != QLatin1String(schemaRevision)) {
            *error = QStringLiteral("The auth database is at an alembic revision other than %1, which this server "
                                    "does not know. Use a 2.x basic_auth.db or a new data directory.")
                         .arg(QLatin1String(schemaRevision));
            return false;
        }
    }
    if (!m_database.transaction()) {
        *error = QStringLiteral("Cannot write the auth database: %1").arg(m_database.lastError().text());
        return false;
    }
    QSqlQuery query(m_database);
    for (const char* statement : schemaStatements) {
        if (!query.exec(QString::fromLatin1(statement))) {
            *error = QStringLiteral("Cannot create the auth schema: %1").arg(query.lastError().text());
            m_database.rollback();
            return false;
        }
    }
    if (!tables.contains(QStringLiteral("alembic_version"))) {
        QSqlQuery stamp(m_database);
        stamp.prepare(QStringLiteral("INSERT INTO alembic_version (version_num) VALUES (?)"));
        stamp.addBindValue(QLatin1String(schemaRevision));
        if (!stamp.exec()) {
            *error = QStringLiteral("Cannot stamp the auth schema: %1").arg(stamp.lastError().text());
            m_database.rollback();
            return false;
        }
    }
    if (!m_database.commit()) {
        *error = QStringLiteral("Cannot write the auth database: %1").arg(m_database.lastError().text());
        return false;
    }
    prepareUserLookup();
    return true;
}

void AuthStore::deleteUser(const QString& username)
{
    const UserRecord record = requireUser(username);
    inTransaction([&] {
        for (ResourceKind kind : {ResourceKind::Experiment, ResourceKind::RegisteredModel}) {
            QSqlQuery grantsOfUser =
                prepared(QStringLiteral("DELETE FROM %1 WHERE user_id = ?").arg(QLatin1String(grantTable(kind).table)));
            grantsOfUser.addBindValue(record.id);
            change(grantsOfUser, [&] { forgetGrants(kind, record.id); });
        }
        QSqlQuery query = prepared(QStringLiteral("DELETE FROM users WHERE id = ?"));
        query.addBindValue(record.id);
        change(query, [&] { forgetUser(username, record.id); });
    });
}

const AuthStore::UserGrants& AuthStore::userGrants(ResourceKind kind, qint64 userId) const
{
    const QPair<int, qint64> key(static_cast<int>(kind), userId);
    const auto cached = m_grantCache.constFind(key);
    if (cached != m_grantCache.cend())
        return *cached;
    const GrantTable t = grantTable(kind);
    QSqlQuery query = prepared(QStringLiteral("SELECT %1, user_id, permission FROM %2 WHERE user_id = ? ORDER BY id")
                                   .arg(QLatin1String(t.resourceColumn), QLatin1String(t.table)));
    query.addBindValue(userId);
    exec(query);
    UserGrants grants;
    while (query.next()) {
        grants.rows.append({query.value(0).toString(), query.value(1).toLongLong(), query.value(2).toString()});
        grants.permissionByResource.insert(grants.rows.last().resourceId, grants.rows.last().permission);
    }
    if (m_grantCache.size() >= maxCachedEntries)
        m_grantCache.clear();
    return *m_grantCache.insert(key, std::move(grants));
}

void AuthStore::dropCaches() const
{
    m_grantCache.clear();
    UserDirectory::dropCaches();
}

void AuthStore::forgetUser(const QString& username, qint64 userId) const
{
    forgetGrants(ResourceKind::Experiment, userId);
    forgetGrants(ResourceKind::RegisteredModel, userId);
    UserDirectory::forgetUser(username, userId);
}

void AuthStore::forgetGrants(ResourceKind kind, qint64 userId) const
{
    m_grantCache.remove(qMakePair(static_cast<int>(kind), userId));
}

// A client granting many resources to one user (an apply of thousands of changes) would reload that user's rows
// once per grant if each write dropped them: a write of one grant row that succeeded brings the cached entry up to
// date instead. These writes never run inside inTransaction() (only deleteUser does, and it drops), so no rollback
// can undo them afterwards; a failed one drops the entry.
template <typename Patch>
void AuthStore::patchGrants(ResourceKind kind, qint64 userId, const QSqlQuery& write, Patch patch) const
{
    const auto cached = m_grantCache.find(qMakePair(static_cast<int>(kind), userId));
    if (cached == m_grantCache.end())
        return;
    if (write.lastError().isValid())
        m_grantCache.erase(cached);
    else
        patch(*cached);
}

void AuthStore::forgetGrantsOn(ResourceKind kind, const QStringList& resourceIds) const
{
    const auto holdsOne = [&resourceIds](const UserGrants& grants) {
        return std::any_of(resourceIds.cbegin(), resourceIds.cend(),
                           [&grants](const QString& id) { return grants.permissionByResource.contains(id); });
    };
    for (auto it = m_grantCache.begin(); it != m_grantCache.end();) {
        if (it.key().first == static_cast<int>(kind) && holdsOne(*it))
            it = m_grantCache.erase(it);
        else
            ++it;
    }
}

QList<GrantRecord> AuthStore::grants(ResourceKind kind, qint64 userId) const
{
    return userGrants(kind, userId).rows;
}

std::optional<QString> AuthStore::permission(ResourceKind kind, const QString& resourceId, qint64 userId) const
{
    const UserGrants& grants = userGrants(kind, userId);
    const auto found = grants.permissionByResource.constFind(resourceId);
    if (found == grants.permissionByResource.cend())
        return std::nullopt;
    return *found;
}

GrantRecord AuthStore::createGrant(ResourceKind kind, const QString& resourceId, const UserRecord& user,
                                   const QString& permission)
{
    const GrantTable t = grantTable(kind);
    if (this->permission(kind, resourceId, user.id)) {
        throw MlflowError::alreadyExists(
            QStringLiteral("%1 (%2=%3, username=%4) already exists.")
                .arg(QLatin1String(t.label), QLatin1String(t.idLabel), resourceId, user.username));
    }
    QSqlQuery query = prepared(QStringLiteral("INSERT INTO %1 (%2, user_id, permission) VALUES (?, ?, ?)")
                                   .arg(QLatin1String(t.table), QLatin1String(t.resourceColumn)));
    query.addBindValue(resourceId);
    query.addBindValue(user.id);
    query.addBindValue(permission);
    change(query, [&] {
        patchGrants(kind, user.id, query, [&](UserGrants& grants) {
            // The new row has the highest id, so it comes last as ORDER BY id lists it.
            grants.rows.append({resourceId, user.id, permission});
            grants.permissionByResource.insert(resourceId, permission);
        });
    });
    return {resourceId, user.id, permission};
}

void AuthStore::updateGrant(ResourceKind kind, const QString& resourceId, const UserRecord& user,
                            const QString& permission)
{
    const GrantTable t = grantTable(kind);
    QSqlQuery query = prepared(QStringLiteral("UPDATE %1 SET permission = ? WHERE %2 = ? AND user_id = ?")
                                   .arg(QLatin1String(t.table), QLatin1String(t.resourceColumn)));
    query.addBindValue(permission);
    query.addBindValue(resourceId);
    query.addBindValue(user.id);
    change(query, [&] {
        patchGrants(kind, user.id, query, [&](UserGrants& grants) {
            for (GrantRecord& row : grants.rows) {
                if (row.resourceId == resourceId)
                    row.permission = permission;
            }
            if (grants.permissionByResource.contains(resourceId))
                grants.permissionByResource.insert(resourceId, permission);
        });
    });
    if (query.numRowsAffected() == 0)
        throw MlflowError::notFound(notFoundMessage(kind, resourceId, user.username));
}

void AuthStore::deleteGrant(ResourceKind kind, const QString& resourceId, const UserRecord& user)
{
    const GrantTable t = grantTable(kind);
    QSqlQuery query = prepared(QStringLiteral("DELETE FROM %1 WHERE %2 = ? AND user_id = ?")
                                   .arg(QLatin1String(t.table), QLatin1String(t.resourceColumn)));
    query.addBindValue(resourceId);
    query.addBindValue(user.id);
    change(query, [&] {
        patchGrants(kind, user.id, query, [&](UserGrants& grants) {
            grants.rows.removeIf([&](const GrantRecord& row) { return row.resourceId == resourceId; });
            grants.permissionByResource.remove(resourceId);
        });
    });
    if (query.numRowsAffected() == 0)
        throw MlflowError::notFound(notFoundMessage(kind, resourceId, user.username));
}

GrantRecord AuthStore::requireGrant(ResourceKind kind, const QString& resourceId, const UserRecord& user) const
{
    const std::optional<QString> level = permission(kind, resourceId, user.id);
    if (!level)
        throw MlflowError::notFound(notFoundMessage(kind, resourceId, user.username));
    return {resourceId, user.id, *level};
}

void AuthStore::renameResource(ResourceKind kind, const QString& oldId, const QString& newId)
{
    const GrantTable t = grantTable(kind);
    QSqlQuery query = prepared(QStringLiteral("UPDATE OR REPLACE %1 SET %2 = ? WHERE %2 = ?")
                                   .arg(QLatin1String(t.table), QLatin1String(t.resourceColumn)));
    query.addBindValue(newId);
    query.addBindValue(oldId);
    // UPDATE OR REPLACE also deletes a row the user held on the new id.
    change(query, [&] { forgetGrantsOn(kind, {oldId, newId}); });
}

void AuthStore::deleteResourceGrants(ResourceKind kind, const QString& resourceId)
{
    const GrantTable t = grantTable(kind);
    QSqlQuery query = prepared(
        QStringLiteral("DELETE FROM %1 WHERE %2 = ?").arg(QLatin1String(t.table), QLatin1String(t.resourceColumn)));
    query.addBindValue(resourceId);
    change(query, [&] { forgetGrantsOn(kind, {resourceId}); });
}

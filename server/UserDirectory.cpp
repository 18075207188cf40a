#include "server/UserDirectory.h"

#include "server/MlflowError.h"
#include "server/SqlFailure.h"

#include <QSqlError>
#include <QVariant>

QSqlQuery UserDirectory::prepared(const QString& sql) const
{
    QSqlQuery query(m_database);
    // Rows are read once, in order: no row cache to fill.
    query.setForwardOnly(true);
    if (!query.prepare(sql))
        throw SqlFailure::toMlflowError(query.lastError(), QStringLiteral("auth"));
    return query;
}

void UserDirectory::exec(QSqlQuery& query) const
{
    const bool ok = query.exec();
    // Even a failed write may have changed something (a statement of a multi-row update).
    if (!ok || !query.isSelect())
        dropCaches();
    if (!ok)
        throwFailure(query);
}

void UserDirectory::throwFailure(const QSqlQuery& query)
{
    throw SqlFailure::toMlflowError(query.lastError(), QStringLiteral("auth"));
}

void UserDirectory::rollBack()
{
    m_database.rollback();
    m_inTransaction = false;
    dropCaches();
}

void UserDirectory::commitOrRollBack()
{
    if (m_database.commit()) {
        m_inTransaction = false;
        return;
    }
    // SQLite keeps the transaction open after a failed COMMIT (e.g. SQLITE_BUSY): end it, so that the database and
    // the caches agree again and the next request does not run inside this one's leftovers.
    const QSqlError error = m_database.lastError();
    rollBack();
    throw SqlFailure::toMlflowError(error, QStringLiteral("auth"));
}

void UserDirectory::forgetUser(const QString& username, qint64) const
{
    m_userCache.remove(username);
}

void UserDirectory::dropCaches() const
{
    m_userCache.clear();
}

void UserDirectory::dropCachesIfChangedElsewhere() const
{
    if (!m_otherWriters || m_otherWriters->changedElsewhere())
        dropCaches();
}

void UserDirectory::prepareUserLookup()
{
    m_userByName =
        prepared(QStringLiteral("SELECT id, username, password_hash, is_admin FROM users WHERE username = ?"));
    m_otherWriters = std::make_unique<SqliteChangeWatch>(m_database);
}

std::optional<UserRecord> UserDirectory::user(const QString& username) const
{
    const auto cached = m_userCache.constFind(username);
    if (cached != m_userCache.cend())
        return *cached;
    m_userByName.bindValue(0, username);
    exec(m_userByName);
    std::optional<UserRecord> record;
    if (m_userByName.next()) {
        record = UserRecord{m_userByName.value(0).toLongLong(), m_userByName.value(1).toString(),
                            m_userByName.value(2).toByteArray(), m_userByName.value(3).toBool()};
    }
    m_userByName.finish();
    if (m_userCache.size() >= maxCachedEntries)
        m_userCache.clear();
    m_userCache.insert(username, record);
    return record;
}

UserRecord UserDirectory::requireUser(const QString& username) const
{
    std::optional<UserRecord> record = user(username);
    if (!record)
        throw MlflowError::notFound(QStringLiteral("User with username=%1 not found").arg(username));
    return *record;
}

QList<UserRecord> UserDirectory::users() const
{
    QSqlQuery query = prepared(QStringLiteral("SELECT id, username, password_hash, is_admin FROM users ORDER BY id"));
    exec(query);
    QList<UserRecord> records;
    while (query.next()) {
        records.append({query.value(0).toLongLong(), query.value(1).toString(), query.value(2).toByteArray(),
                        query.value(3).toBool()});
    }
    return records;
}

UserRecord UserDirectory::createUser(const QString& username, const QByteArray& passwordHash, bool isAdmin)
{
    if (user(username))
        throw MlflowError::alreadyExists(QStringLiteral("User (username=%1) already exists.").arg(username));
    QSqlQuery query =
        prepared(QStringLiteral("INSERT INTO users (username, password_hash, is_admin) VALUES (?, ?, ?)"));
    query.addBindValue(username);
    query.addBindValue(QString::fromLatin1(passwordHash));
    query.addBindValue(isAdmin ? 1 : 0);
    // The name was cached as unknown.
    change(query, [this, username] { UserDirectory::forgetUser(username, 0); });
    // Another program may have left rows under the new id (SQLite reuses the highest id once it is deleted).
    const qint64 id = query.lastInsertId().toLongLong();
    forgetUser(username, id);
    return {id, username, passwordHash, isAdmin};
}

void UserDirectory::setPasswordHash(const QString& username, const QByteArray& passwordHash)
{
    const UserRecord record = requireUser(username);
    QSqlQuery query = prepared(QStringLiteral("UPDATE users SET password_hash = ? WHERE id = ?"));
    query.addBindValue(QString::fromLatin1(passwordHash));
    query.addBindValue(record.id);
    change(query, [this, username] { UserDirectory::forgetUser(username, 0); });
}

void UserDirectory::setAdmin(const QString& username, bool isAdmin)
{
    const UserRecord record = requireUser(username);
    QSqlQuery query = prepared(QStringLiteral("UPDATE users SET is_admin = ? WHERE id = ?"));
    query.addBindValue(isAdmin ? 1 : 0);
    query.addBindValue(record.id);
    change(query, [this, username] { UserDirectory::forgetUser(username, 0); });
}

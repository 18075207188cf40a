#pragma once

#include "server/SqliteChangeWatch.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

#include <memory>
#include <optional>

struct UserRecord
{
    qint64 id = 0;
    QString username;
    QByteArray passwordHash;
    bool isAdmin = false;
};

// The users table, which MLflow 2.x and 3.x lay out the same way, in one place for both auth stores (AuthStore for
// 2.x, RbacStore for 3.x): what authentication, the admin bootstrap, the demo seeder and the users/* endpoints
// need. Also the stores' shared statement helpers; every statement is prepared, failures throw MlflowError.
//
// Every authenticated request reads its user, and in 3.x the user's roles, so the stores keep what they read in
// memory. The caches are only correct because of two rules, both kept here: any statement that is not a SELECT and
// any rollback drop them (exec, inTransaction), and dropCachesIfChangedElsewhere(), which the service calls at the
// start of every request, drops them when another connection (another program) has committed since.
class UserDirectory
{
public:
    explicit UserDirectory(QSqlDatabase database) : m_database(std::move(database)) {}
    virtual ~UserDirectory() = default;
    UserDirectory(const UserDirectory&) = delete;
    UserDirectory& operator=(const UserDirectory&) = delete;

    std::optional<UserRecord> user(const QString& username) const;
    // Throws RESOURCE_DOES_NOT_EXIST "User with username=X not found".
    UserRecord requireUser(const QString& username) const;
    QList<UserRecord> users() const; // by id
    // Throws RESOURCE_ALREADY_EXISTS "User (username=X) already exists." (without the SQL MLflow appends).
    UserRecord createUser(const QString& username, const QByteArray& passwordHash, bool isAdmin);
    void setPasswordHash(const QString& username, const QByteArray& passwordHash);
    void setAdmin(const QString& username, bool isAdmin);

    // PRAGMA data_version moves when another connection commits; our own commits are seen by exec().
    void dropCachesIfChangedElsewhere() const;

protected:
    // Once the schema exists: prepares the statements that every authenticated request runs.
    void prepareUserLookup();
    QSqlQuery prepared(const QString& sql) const;
    // Runs a prepared statement; one that may have changed the database drops the caches.
    void exec(QSqlQuery& query) const;
    // Runs `work` in one transaction; an exception rolls it back (dropping what the caches read meanwhile).
    template <typename Work>
    void inTransaction(Work work)
    {
        m_database.transaction();
        try {
            work();
        } catch (...) {
            m_database.rollback();
            dropCaches();
            throw;
        }
        m_database.commit();
    }
    // Enough for every user of a large server; past it a cache starts over rather than grow without bound.
    static constexpr int maxCachedEntries = 20000;
    // Derived stores that cache more override this and call it.
    virtual void dropCaches() const;

    QSqlDatabase m_database;

private:
    mutable QSqlQuery m_userByName;
    std::unique_ptr<SqliteChangeWatch> m_otherWriters;
    // By username; a name without a user is remembered as nullopt, so unknown names probing the server cost no SQL.
    mutable QHash<QString, std::optional<UserRecord>> m_userCache;
};

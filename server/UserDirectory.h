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
// memory. The caches are only correct because of three rules, all kept here:
// - a write through change() drops exactly the entries it may have changed (whether it succeeded or not), and a
//   rollback drops everything (reads inside the transaction may have cached what it undid);
// - any other statement that is not a SELECT drops everything (exec), so a write nobody taught its entries is
//   still safe;
// - dropCachesIfChangedElsewhere(), which the service calls at the start of every request, drops everything when
//   another connection (another program) has committed since.
// So a client applying thousands of grants one after the other costs the server one small read per grant, not a
// reload of every user it serves.
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
    // Runs a prepared statement; one that may have changed the database drops all the caches.
    void exec(QSqlQuery& query) const;
    // Runs a prepared statement that changes the database, then `forget`, which drops from the caches what the
    // statement may have changed (also when it failed: a multi-row statement may have got part of the way).
    template <typename Forget>
    void change(QSqlQuery& query, Forget forget) const
    {
        const bool ok = query.exec();
        forget();
        if (!ok)
            throwFailure(query);
    }
    // Runs `work` in one transaction; an exception (or a failed COMMIT) rolls it back and drops the caches.
    template <typename Work>
    void inTransaction(Work work)
    {
        const bool outermost = !m_inTransaction;
        if (outermost) {
            m_database.transaction();
            m_inTransaction = true;
        }
        try {
            work();
        } catch (...) {
            if (outermost)
                rollBack();
            throw;
        }
        if (outermost)
            commitOrRollBack();
    }
    // A user's row changed, appeared or went: its entry, and in derived stores what they keep under its id.
    virtual void forgetUser(const QString& username, qint64 userId) const;
    // Enough for every user of a large server; past it a cache starts over rather than grow without bound.
    static constexpr int maxCachedEntries = 20000;
    // Derived stores that cache more override this and call it.
    virtual void dropCaches() const;

    QSqlDatabase m_database;

private:
    [[noreturn]] static void throwFailure(const QSqlQuery& query);
    void rollBack();
    void commitOrRollBack();

    mutable QSqlQuery m_userByName;
    std::unique_ptr<SqliteChangeWatch> m_otherWriters;
    // By username; a name without a user is remembered as nullopt, so unknown names probing the server cost no SQL.
    mutable QHash<QString, std::optional<UserRecord>> m_userCache;
    bool m_inTransaction = false;
};

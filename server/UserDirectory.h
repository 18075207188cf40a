#pragma once

#include <QByteArray>
#include <QList>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

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

protected:
    // Once the schema exists: prepares the lookup that every authenticated request runs.
    void prepareUserLookup();
    QSqlQuery prepared(const QString& sql) const;
    void exec(QSqlQuery& query) const;

    QSqlDatabase m_database;

private:
    mutable QSqlQuery m_userByName;
};

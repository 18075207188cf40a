#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

struct UserRecord
{
    qint64 id = 0;
    QString username;
    QByteArray passwordHash;
    bool isAdmin = false;
};

// The users table, which MLflow 2.x and 3.x lay out the same way: what authentication, the admin bootstrap and the
// demo seeder need, whichever auth store (AuthStore for 2.x, RbacStore for 3.x) holds it.
class UserDirectory
{
public:
    virtual ~UserDirectory() = default;

    virtual std::optional<UserRecord> user(const QString& username) const = 0;
    virtual UserRecord createUser(const QString& username, const QByteArray& passwordHash, bool isAdmin) = 0;
};

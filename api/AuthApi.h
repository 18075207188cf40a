#pragma once

#include "api/ApiJob.h"
#include "api/WireTypes.h"

#include <QObject>
#include <QPointer>

#include "api/Connection.h"

// Which family of user/permission endpoints a server speaks.
enum class ApiGeneration {
    Unknown,
    Legacy, // MLflow 2.x - 3.12: /api/2.0/mlflow/{experiments,registered-models}/permissions/*
    Rbac,   // MLflow 3.13+: /api/3.0/mlflow/users/permissions/* and roles
};

using UserJob = ValueJob<User>;
using UserListJob = ValueJob<UserListing>;
using GrantJob = ValueJob<Grant>;

// Users and grants, whatever the server generation. Every call returns a job that is already queued on the
// Connection; connect to its finished() signal. Jobs are children of the Connection and delete themselves after
// finished() unless setAutoDelete(false).
class AuthApi : public QObject
{
    Q_OBJECT

public:
    explicit AuthApi(Connection* connection, QObject* parent = nullptr) : QObject(parent), m_connection(connection) {}

    Connection* connection() const { return m_connection; }

    virtual ApiGeneration generation() const = 0;
    // Legacy servers change a level in place; 3.13+ has no update, so a caller revokes and grants again.
    virtual bool canUpdateGrantInPlace() const = 0;
    // Legacy servers store an explicit NO_PERMISSIONS row (it overrides a wider default); 3.13+ refuses it.
    virtual bool canGrantNoPermissions() const = 0;
    // Whether listUsers() can work on this server for this account.
    virtual bool canListUsers() const = 0;

    virtual UserJob* createUser(const QString& username, const QString& password) = 0;
    // The user with its explicit grants (legacy servers embed them in users/get).
    virtual UserJob* getUser(const QString& username) = 0;
    virtual ApiJob* deleteUser(const QString& username) = 0;
    // `currentPassword` is required by 3.13+ when users change their own password; legacy servers ignore it.
    virtual ApiJob* updatePassword(const QString& username, const QString& newPassword,
                                   const QString& currentPassword = QString()) = 0;
    virtual ApiJob* setAdmin(const QString& username, bool isAdmin) = 0;

    virtual GrantJob* createGrant(const Grant& grant) = 0;
    virtual ApiJob* updateGrant(const Grant& grant) = 0;
    virtual ApiJob* deleteGrant(const QString& username, ResourceType type, const QString& resourceId) = 0;
    // Fails with Kind::NotFound when the user has no explicit grant on the resource.
    virtual GrantJob* getGrant(const QString& username, ResourceType type, const QString& resourceId) = 0;

    // All users through the server's users/list (source ServerApi); NotSupported where the server has none.
    virtual UserListJob* listUsers() = 0;

private:
    QPointer<Connection> m_connection;
};

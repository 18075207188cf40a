#pragma once

#include "api/AuthApi.h"

// MLflow 2.x to 3.12: users/{create,get,update-password,update-admin,delete} and the per-resource permission
// endpoints under /api/2.0/mlflow/{experiments,registered-models}/permissions/. users/list exists from 3.10.
class LegacyAuthApi : public AuthApi
{
    Q_OBJECT

public:
    explicit LegacyAuthApi(Connection* connection, bool hasUsersList = false, QObject* parent = nullptr);

    ApiGeneration generation() const override { return ApiGeneration::Legacy; }
    bool canUpdateGrantInPlace() const override { return true; }
    bool canGrantNoPermissions() const override { return true; }
    bool canListUsers() const override { return m_hasUsersList; }
    void setHasUsersList(bool hasUsersList) { m_hasUsersList = hasUsersList; }

    UserJob* createUser(const QString& username, const QString& password) override;
    UserJob* getUser(const QString& username) override;
    ApiJob* deleteUser(const QString& username) override;
    ApiJob* updatePassword(const QString& username, const QString& newPassword,
                           const QString& currentPassword = QString()) override;
    ApiJob* setAdmin(const QString& username, bool isAdmin) override;

    GrantJob* createGrant(const Grant& grant) override;
    ApiJob* updateGrant(const Grant& grant) override;
    ApiJob* deleteGrant(const QString& username, ResourceType type, const QString& resourceId) override;
    GrantJob* getGrant(const QString& username, ResourceType type, const QString& resourceId) override;

    UserListJob* listUsers() override;

private:
    bool m_hasUsersList = false;
};

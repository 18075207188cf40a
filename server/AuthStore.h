#pragma once

#include "server/UserDirectory.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QPair>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QStringList>

#include <optional>

enum class ResourceKind { Experiment, RegisteredModel };

struct GrantRecord
{
    QString resourceId; // experiment id, or registered model name
    qint64 userId = 0;
    QString permission;
};

// Users and per-resource grants in MLflow 2.x's own auth schema (alembic revision 8606fa83a998), so a real MLflow
// can open what we write and we can open a copy of a real basic_auth.db. Every statement is prepared; mutations
// throw MlflowError with MLflow's codes and messages (minus the SQL text MLflow leaks).
class AuthStore : public UserDirectory
{
public:
    static constexpr const char* schemaRevision = "8606fa83a998";

    explicit AuthStore(QSqlDatabase database);

    // Creates the schema in an empty database, or checks that an existing one is at our revision.
    bool initialize(QString* error);

    // Removes the user and every grant it holds, in one transaction.
    void deleteUser(const QString& username);

    QList<GrantRecord> grants(ResourceKind kind, qint64 userId) const;
    std::optional<QString> permission(ResourceKind kind, const QString& resourceId, qint64 userId) const;
    GrantRecord createGrant(ResourceKind kind, const QString& resourceId, const UserRecord& user,
                            const QString& permission);
    void updateGrant(ResourceKind kind, const QString& resourceId, const UserRecord& user, const QString& permission);
    void deleteGrant(ResourceKind kind, const QString& resourceId, const UserRecord& user);
    // Every user's rows for a resource: moved to a new name, or removed with the resource.
    void renameResource(ResourceKind kind, const QString& oldId, const QString& newId);
    void deleteResourceGrants(ResourceKind kind, const QString& resourceId);
    // Throws RESOURCE_DOES_NOT_EXIST with MLflow's message when the user holds no row for the resource.
    GrantRecord requireGrant(ResourceKind kind, const QString& resourceId, const UserRecord& user) const;

protected:
    void dropCaches() const override;
    void forgetUser(const QString& username, qint64 userId) const override;

private:
    // One user's rows of one grant table, as grants() lists them and indexed for permission().
    struct UserGrants
    {
        QList<GrantRecord> rows;
        QHash<QString, QString> permissionByResource;
    };
    // Every permission check and search filter reads from here (kept correct as UserDirectory describes).
    const UserGrants& userGrants(ResourceKind kind, qint64 userId) const;
    // What a write of one user's rows changed; and of every row on a resource (only users holding one can change).
    void forgetGrants(ResourceKind kind, qint64 userId) const;
    void forgetGrantsOn(ResourceKind kind, const QStringList& resourceIds) const;
    template <typename Patch>
    void patchGrants(ResourceKind kind, qint64 userId, const QSqlQuery& write, Patch patch) const;

    mutable QHash<QPair<int, qint64>, UserGrants> m_grantCache;
};

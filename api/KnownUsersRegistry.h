#pragma once

#include "api/WireTypes.h"

#include <QCoreApplication>
#include <QString>
#include <QUrl>

#include <optional>

// The users a profile has seen, in a small local SQLite file: MLflow before 3.10 cannot list users, so the console
// remembers every user it created, looked up or was told about. Listings from here say ListingSource::KnownUsers.
// Use from one thread; each instance has its own Qt Sql connection.
class KnownUsersRegistry
{
    Q_DECLARE_TR_FUNCTIONS(KnownUsersRegistry)

public:
    // NamedInGrant: a grant, revoke or role (un)assignment the server accepted for that user.
    enum class Origin { Created, LookedUp, TypedIn, NamedInGrant, ServerListing, AuthDatabase };

    KnownUsersRegistry();
    ~KnownUsersRegistry();
    KnownUsersRegistry(const KnownUsersRegistry&) = delete;
    KnownUsersRegistry& operator=(const KnownUsersRegistry&) = delete;

    // Opens (creating if needed) the registry file and its schema. The folder must exist.
    bool open(const QString& filePath, QString* error);
    bool isOpen() const;
    void close();

    // Adds or refreshes a user. Fields the source does not know (id -1) keep what was stored before.
    bool remember(const User& user, Origin origin, QString* error = nullptr);
    bool remember(const QString& username, Origin origin, QString* error = nullptr);
    // Many at once, in one transaction (e.g. after reading the auth database).
    bool rememberAll(const QList<User>& users, Origin origin, QString* error = nullptr);
    bool forget(const QString& username, QString* error = nullptr);
    bool contains(const QString& username) const;

    // Every known user, sorted by name, without grants (the registry does not store them).
    std::optional<UserListing> users(QString* error = nullptr) const;

    static QString originName(Origin origin);
    // The one registry file of a server that the console and the CLI share: named after the profile when there is
    // one, else after the server's address, under the user's data folder (~/.local/share/mlflow-admin/known-users).
    static QString defaultFilePath(const QString& profileName, const QUrl& serverUrl);

private:
    bool upsert(const User& user, Origin origin, QString* error);

    QString m_connectionName;
};

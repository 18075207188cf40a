#pragma once

#include "services/ServerProfile.h"

#include <QCoreApplication>
#include <QList>
#include <QString>

#include <optional>

// The saved server profiles, in one QSettings file shared by the console and the CLI. Passwords are never written
// here: they live in the OS keychain (CredentialStore), so this file can be read by anyone without leaking secrets.
class ProfileStore
{
    Q_DECLARE_TR_FUNCTIONS(ProfileStore)

public:
    // The user's profiles file (~/.config/mlflow-admin/profiles.conf on Linux), shared by both executables.
    ProfileStore();
    // An explicit INI file, for tests and portable setups.
    explicit ProfileStore(const QString& iniFilePath);

    QString fileName() const;

    // Every profile, sorted by name.
    QList<ServerProfile> profiles() const;
    std::optional<ServerProfile> profile(const QString& name) const;
    bool contains(const QString& name) const;

    // Adds or replaces the profile of that name. Fails with a translated `error` for an unusable name or URL, or
    // when the file cannot be written.
    bool save(const ServerProfile& profile, QString* error);
    // Fails when there is no such profile or the file cannot be written.
    bool remove(const QString& name, QString* error);

    // The users-source choice of a sign-in: kept in the profile `profileName`, or, for a connection that was not
    // saved as a profile (empty name), under the server URL and user name. Only the usersSource, authDatabaseUri and
    // authDatabasePasswordInKeychain fields are read and written; a profile's authDatabaseUri alone (e.g. from the
    // CLI's `profiles add --auth-db`) counts as choosing the auth database.
    ServerProfile usersSource(const QString& profileName, const QUrl& url, const QString& username) const;
    bool saveUsersSource(const QString& profileName, const QUrl& url, const QString& username,
                         const ServerProfile& choice, QString* error);
    // The key an unsaved connection's choice and keychain entries go under: "<user> at <url>". It contains '/',
    // which no profile name can, so it never collides with one.
    static QString connectionKey(const QUrl& url, const QString& username);

    // Names become QSettings groups, so path separators would create nested groups; anything else is allowed.
    static bool isValidName(const QString& name, QString* error = nullptr);

private:
    QString m_iniFilePath; // empty: the default per-user location
};

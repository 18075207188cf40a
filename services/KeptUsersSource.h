#pragma once

#include "services/ServerProfile.h"

#include <QObject>
#include <QString>

#include <memory>

class AuthDatabaseReader;
class CredentialStore;

// The users source kept for a profile or an unsaved connection (ProfileStore::usersSource()) on a server that
// cannot list its users: the auth database, with its password (PostgreSQL, MySQL) read from the keychain when the
// choice says one is kept there. The console's sign-in and the CLI both open the auth database through here, so
// they read the same database with the same password.
class KeptUsersSource : public QObject
{
    Q_OBJECT

public:
    // `ownerKey`: the profile's name or ProfileStore::connectionKey(); the password is the keychain entry
    // CredentialStore::authDatabaseKey(ownerKey).
    KeptUsersSource(const ServerProfile& choice, const QString& ownerKey, QObject* parent = nullptr);

    const ServerProfile& choice() const { return m_choice; }
    bool usesAuthDatabase() const { return !m_choice.authDatabaseUri.isEmpty(); }
    // Whether fetchPassword() asks the keychain: the choice keeps a password there, and this run does not give
    // one in MLFLOW_ADMIN_AUTH_DB_PASSWORD (which wins, as MLFLOW_TRACKING_PASSWORD wins over a profile's entry).
    bool needsKeychain() const;
    // Reads the kept password from `credentials` when needsKeychain() (and `credentials` is not null), then emits
    // ready(), always once and never before returning. A keychain failure is not fatal: the database is then
    // opened without the password, and keychainProblem() says why.
    void fetchPassword(CredentialStore* credentials);
    QString keychainProblem() const { return m_keychainProblem; }
    bool hasPasswordFromKeychain() const { return m_passwordFromKeychain; }

    // Opens the chosen auth database with the kept password and reads it once (an empty SQLite file or another
    // program's database opens fine; only a read proves it is MLflow's). Null with a translated error that says
    // where the password came from when the database refused it.
    std::unique_ptr<AuthDatabaseReader> openAuthDatabase(QString* error) const;
    // The same for any URI without a password inside; `password` wins when not empty, else the reader takes
    // MLFLOW_ADMIN_AUTH_DB_PASSWORD (or the driver's own files, e.g. ~/.pgpass).
    static std::unique_ptr<AuthDatabaseReader> openAuthDatabase(const QString& uri, const QString& password,
                                                                QString* error);

signals:
    void ready();

private:
    ServerProfile m_choice;
    QString m_ownerKey;
    QString m_password;
    QString m_keychainProblem;
    bool m_passwordFromKeychain = false;
    bool m_fetching = false;
};

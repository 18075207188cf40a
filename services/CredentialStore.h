#pragma once

#include <QObject>
#include <QPointer>
#include <QString>

namespace QKeychain {
class Job;
}

// One keychain operation (read, write or delete a profile's password). Emits finished() exactly once, then
// deletes itself (deleteLater), so read it inside the slot.
class CredentialJob : public QObject
{
    Q_OBJECT

public:
    enum class Status {
        Ok,
        NotFound,    // no password stored for this profile (an error for reads only)
        Denied,      // the user refused access, or the keychain stayed locked
        Unavailable, // no keychain service (no Secret Service / KWallet on this desktop session)
        Failed,      // anything else; see errorMessage()
    };

    bool hasError() const { return m_status != Status::Ok; }
    Status status() const { return m_status; }
    // A translated sentence: what went wrong with the keychain and what to do.
    QString errorMessage() const { return m_errorMessage; }
    QString profileName() const { return m_profileName; }
    // The password read (read jobs only); empty otherwise.
    QString password() const { return m_password; }

signals:
    void finished();

private:
    friend class CredentialStore;
    CredentialJob(QKeychain::Job* job, const QString& profileName, QObject* parent);
    void onKeychainFinished();

    QPointer<QKeychain::Job> m_job;
    QString m_profileName;
    QString m_password;
    Status m_status = Status::Failed;
    QString m_errorMessage;
};

// Profile passwords in the OS keychain (Secret Service, KWallet, macOS Keychain, Windows Credential Manager) via
// QtKeychain: one entry per profile, service "mlflow-admin", key = profile name. There is deliberately no
// plain-text fallback: when no keychain is available the job fails and the caller asks for the password instead.
class CredentialStore : public QObject
{
    Q_OBJECT

public:
    explicit CredentialStore(QObject* parent = nullptr);
    // A different service name keeps tests away from the user's real entries.
    explicit CredentialStore(const QString& serviceName, QObject* parent = nullptr);

    static QString defaultServiceName();
    // The entry of an auth database's password (PostgreSQL, MySQL) for a profile or ProfileStore::connectionKey():
    // "<owner>/auth-database". Profile names cannot contain '/', so it never clashes with a sign-in password.
    static QString authDatabaseKey(const QString& owner);
    QString serviceName() const { return m_serviceName; }

    // Each call starts at once and returns a job parented to this store; connect to its finished() signal.
    CredentialJob* readPassword(const QString& profileName);
    CredentialJob* writePassword(const QString& profileName, const QString& password);
    CredentialJob* deletePassword(const QString& profileName);

private:
    QString m_serviceName;
};

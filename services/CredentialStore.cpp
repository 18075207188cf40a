#include "services/CredentialStore.h"

#include <QCoreApplication>

#include <qt6keychain/keychain.h>

namespace {

QString keychainMessage(QKeychain::Error error, const QString& profileName, const QString& detail)
{
    switch (error) {
    case QKeychain::NoError:
        return {};
    case QKeychain::EntryNotFound:
        return QCoreApplication::translate("CredentialStore", "No password is stored in the keychain for profile '%1'.")
            .arg(profileName);
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return QCoreApplication::translate("CredentialStore",
                                           "Access to the keychain entry of profile '%1' was denied. Unlock the "
                                           "keychain and allow access, or enter the password when asked.")
            .arg(profileName);
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return QCoreApplication::translate("CredentialStore",
                                           "No system keychain is available (%1), so the password of profile '%2' "
                                           "cannot be stored or read. Start a Secret Service (e.g. gnome-keyring) or "
                                           "KWallet, or enter the password when asked; it is never saved in plain "
                                           "text.")
            .arg(detail, profileName);
    case QKeychain::CouldNotDeleteEntry:
    case QKeychain::OtherError:
        break;
    }
    return QCoreApplication::translate("CredentialStore",
                                       "The keychain failed for profile '%1' (%2). Check that the keychain is "
                                       "unlocked and try again.")
        .arg(profileName, detail);
}

CredentialJob::Status statusFor(QKeychain::Error error)
{
    switch (error) {
    case QKeychain::NoError:
        return CredentialJob::Status::Ok;
    case QKeychain::EntryNotFound:
        return CredentialJob::Status::NotFound;
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return CredentialJob::Status::Denied;
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return CredentialJob::Status::Unavailable;
    case QKeychain::CouldNotDeleteEntry:
    case QKeychain::OtherError:
        break;
    }
    return CredentialJob::Status::Failed;
}

// Every job gets the same safety settings: no plain-text fallback, ever.
template <typename Job>
Job* prepare(Job* job, const QString& profileName)
{
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(profileName);
    return job;
}

} // namespace

CredentialJob::CredentialJob(QKeychain::Job* job, const QString& profileName, QObject* parent)
    : QObject(parent), m_job(job), m_profileName(profileName)
{
    connect(job, &QKeychain::Job::finished, this, &CredentialJob::onKeychainFinished);
}

void CredentialJob::onKeychainFinished()
{
    if (!m_job)
        return;
    m_status = statusFor(m_job->error());
    m_errorMessage = keychainMessage(m_job->error(), m_profileName, m_job->errorString());
    if (const auto* read = qobject_cast<QKeychain::ReadPasswordJob*>(m_job.data()); read && !hasError())
        m_password = read->textData();
    emit finished();
    deleteLater();
}

CredentialStore::CredentialStore(QObject* parent) : CredentialStore(defaultServiceName(), parent) {}

CredentialStore::CredentialStore(const QString& serviceName, QObject* parent)
    : QObject(parent), m_serviceName(serviceName)
{}

QString CredentialStore::defaultServiceName()
{
    return QStringLiteral("mlflow-admin");
}

QString CredentialStore::authDatabaseKey(const QString& owner)
{
    return owner + QStringLiteral("/auth-database");
}

CredentialJob* CredentialStore::readPassword(const QString& profileName)
{
    auto* keychainJob = prepare(new QKeychain::ReadPasswordJob(m_serviceName), profileName);
    auto* job = new CredentialJob(keychainJob, profileName, this);
    keychainJob->start();
    return job;
}

CredentialJob* CredentialStore::writePassword(const QString& profileName, const QString& password)
{
    auto* keychainJob = prepare(new QKeychain::WritePasswordJob(m_serviceName), profileName);
    keychainJob->setTextData(password);
    auto* job = new CredentialJob(keychainJob, profileName, this);
    keychainJob->start();
    return job;
}

CredentialJob* CredentialStore::deletePassword(const QString& profileName)
{
    auto* keychainJob = prepare(new QKeychain::DeletePasswordJob(m_serviceName), profileName);
    auto* job = new CredentialJob(keychainJob, profileName, this);
    keychainJob->start();
    return job;
}

#include "services/KeptUsersSource.h"

#include "api/AuthDatabaseReader.h"
#include "services/CredentialStore.h"

#include <QTimer>

KeptUsersSource::KeptUsersSource(const ServerProfile& choice, const QString& ownerKey, QObject* parent)
    : QObject(parent), m_choice(choice), m_ownerKey(ownerKey)
{}

bool KeptUsersSource::needsKeychain() const
{
    return usesAuthDatabase() && m_choice.authDatabasePasswordInKeychain &&
           qEnvironmentVariableIsEmpty(AuthDatabaseReader::passwordVariable);
}

void KeptUsersSource::fetchPassword(CredentialStore* credentials)
{
    if (m_fetching)
        return;
    m_fetching = true;
    if (!needsKeychain() || !credentials) {
        // Queued, so that callers connect after calling, the same way as after a keychain read.
        QTimer::singleShot(0, this, [this] {
            m_fetching = false;
            emit ready();
        });
        return;
    }
    CredentialJob* job = credentials->readPassword(CredentialStore::authDatabaseKey(m_ownerKey));
    connect(job, &CredentialJob::finished, this, [this, job] {
        m_fetching = false;
        if (job->hasError()) {
            m_keychainProblem =
                tr("The auth database's password could not be read from the keychain, so it is opened without one: "
                   "%1")
                    .arg(job->errorMessage());
        } else {
            m_password = job->password();
            m_passwordFromKeychain = true;
        }
        emit ready();
    });
}

std::unique_ptr<AuthDatabaseReader> KeptUsersSource::openAuthDatabase(QString* error) const
{
    auto reader = openAuthDatabase(m_choice.authDatabaseUri, m_password, error);
    if (!reader && m_passwordFromKeychain) {
        // The likeliest reason now is a password changed on the database server since it was kept.
        *error = tr("%1 The password was the one kept in the keychain for %2; if it has changed, connect the auth "
                    "database again from the console's Users page (which keeps the new one), or give it for one run "
                    "in %3.")
                     .arg(*error, m_ownerKey, QString::fromLatin1(AuthDatabaseReader::passwordVariable));
    }
    return reader;
}

std::unique_ptr<AuthDatabaseReader> KeptUsersSource::openAuthDatabase(const QString& uri, const QString& password,
                                                                      QString* error)
{
    if (const QString problem = AuthDatabaseLocation::passwordProblem(uri); !problem.isEmpty()) {
        *error = problem;
        return nullptr;
    }
    auto location = AuthDatabaseLocation::fromUri(uri, error);
    if (!location)
        return nullptr;
    if (!password.isEmpty())
        location->password = password;
    const bool withoutPassword = location->driver != QLatin1String("QSQLITE") && location->password.isEmpty() &&
                                 qEnvironmentVariableIsEmpty(AuthDatabaseReader::passwordVariable);
    auto reader = std::make_unique<AuthDatabaseReader>();
    if (!reader->open(*location, error)) {
        if (withoutPassword)
            *error = tr("%1 No password was given for it: set %2 for one run, or connect the auth database from the "
                        "console's Users page, which keeps the password in the keychain.")
                         .arg(*error, QString::fromLatin1(AuthDatabaseReader::passwordVariable));
        return nullptr;
    }
    if (!reader->read(error))
        return nullptr;
    return reader;
}

#include "app/cli/DirectoryLoader.h"

#include "api/AuthApi.h"
#include "app/cli/CliSession.h"

DirectoryLoader::DirectoryLoader(CliSession* session, QObject* parent) : QObject(parent), m_session(session) {}

DirectoryLoader::~DirectoryLoader()
{
    m_directory.cancel();
}

bool DirectoryLoader::load(std::function<void(const ApiError&)> done, QString* error)
{
    Directory::LoadOptions options;
    if (!m_session->authDatabaseUri().isEmpty()) {
        m_authDatabase = std::make_unique<AuthDatabaseReader>();
        if (!m_authDatabase->open(m_session->authDatabaseUri(), error)) {
            *error = tr("The auth database could not be opened: %1").arg(*error);
            return false;
        }
        QString ignored;
        const auto location = AuthDatabaseLocation::fromUri(m_session->authDatabaseUri(), &ignored);
        m_sourceDetail = location ? location->displayUri : QString();
        options.authDatabase = m_authDatabase.get();
    } else if (!m_session->auth()->canListUsers()) {
        m_knownUsers = std::make_unique<KnownUsersRegistry>();
        if (!m_session->openKnownUsers(m_knownUsers.get(), error)) {
            *error = tr("The known-users registry could not be opened: %1").arg(*error);
            return false;
        }
        // The signed-in account is always known, so the listing is never empty.
        m_knownUsers->remember(m_session->probe().user, KnownUsersRegistry::Origin::LookedUp);
        m_sourceDetail = m_session->knownUsersPath();
        options.knownUsers = m_knownUsers.get();
    }
    connect(&m_directory, &Directory::loaded, this, [done] { done(ApiError()); });
    connect(&m_directory, &Directory::failed, this, [done](const ApiError& failure) { done(failure); });
    m_directory.load(m_session->auth(), m_session->tracking(), options);
    return true;
}

QString DirectoryLoader::sourceDescription() const
{
    const QString name = Listing::sourceName(m_directory.userSource());
    return m_sourceDetail.isEmpty() ? name : tr("%1 (%2)").arg(name, m_sourceDetail);
}

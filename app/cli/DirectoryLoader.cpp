#include "app/cli/DirectoryLoader.h"

#include "api/AuthApi.h"
#include "api/KnownUsersRegistry.h"
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
        m_authDatabase = m_session->openAuthDatabase(error);
        if (!m_authDatabase)
            return false;
        QString ignored;
        const auto location = AuthDatabaseLocation::fromUri(m_session->authDatabaseUri(), &ignored);
        m_sourceDetail = location ? location->displayUri : QString();
        options.authDatabase = m_authDatabase.get();
    } else if (!m_session->auth()->canListUsers()) {
        KnownUsersRegistry* known = m_session->knownUsers(error);
        if (!known) {
            *error = tr("The known-users registry could not be opened: %1").arg(*error);
            return false;
        }
        // The signed-in account is always known, so the listing is never empty.
        m_session->rememberUser(m_session->probe().user, KnownUsersRegistry::Origin::LookedUp);
        m_sourceDetail = m_session->knownUsersPath();
        options.knownUsers = known;
    }
    connect(&m_directory, &Directory::loaded, this, [done] { done(ApiError()); });
    connect(&m_directory, &Directory::failed, this, [done](const ApiError& failure) { done(failure); });
    const auto start = [this, options] {
        m_directory.load(m_session->auth(), m_session->tracking(), options);
    };
    if (options.knownUsers)
        lookUpNamedUsers(options.knownUsers, start);
    else
        start();
    return true;
}

void DirectoryLoader::lookUpNamedUsers(KnownUsersRegistry* known, std::function<void()> then)
{
    QStringList unknown;
    for (const QString& username : std::as_const(m_namedUsers)) {
        if (!username.isEmpty() && !unknown.contains(username) && !known->contains(username))
            unknown.append(username);
    }
    if (unknown.isEmpty()) {
        then();
        return;
    }
    // One users/get per name (the connection bounds how many run at once); the load starts when all have answered.
    auto pending = std::make_shared<int>(static_cast<int>(unknown.size()));
    for (const QString& username : std::as_const(unknown)) {
        UserJob* job = m_session->auth()->getUser(username);
        connect(job, &ApiJob::finished, this, [this, job, username, pending, then] {
            if (!job->hasError())
                m_session->rememberUser(job->value(), KnownUsersRegistry::Origin::LookedUp);
            else if (job->error().kind() == ApiError::Kind::PermissionDenied && !m_session->probe().isAdmin)
                // MLflow lets a member look up only itself: the name is kept as given, and the load then asks, for
                // each experiment the member manages, what that user holds there (as the console does).
                m_session->rememberUser(username, KnownUsersRegistry::Origin::TypedIn);
            // A name the server does not know stays unknown: the command then says so.
            if (--*pending == 0)
                then();
        });
    }
}

QString DirectoryLoader::sourceDescription() const
{
    const QString name = Listing::sourceName(m_directory.userSource());
    return m_sourceDetail.isEmpty() ? name : tr("%1 (%2)").arg(name, m_sourceDetail);
}

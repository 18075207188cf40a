#include "views/Session.h"

#include "api/AuthApi.h"
#include "api/AuthDatabaseReader.h"
#include "api/Connection.h"
#include "api/KnownUsersRegistry.h"
#include "api/TrackingApi.h"
#include "server/EmbeddedServer.h"
#include "services/KeptUsersSource.h"
#include "services/ProfileStore.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>

Session::Session(Connection* connection, const ProbeResult& probe, AuthApi* auth, QObject* parent)
    : QObject(parent), m_connection(connection), m_auth(auth), m_probe(probe)
{
    m_connection->setParent(this);
    if (m_auth)
        m_auth->setParent(this);
    m_tracking = new TrackingApi(m_connection, this);
}

Session::~Session()
{
    // The connection's replies must go before the server they talk to, and the server before its data dir.
    m_connection->cancelAll();
    delete m_auth;
    delete m_tracking;
    delete m_connection;
    if (m_server) {
        m_server->stop();
        delete m_server;
    }
}

void Session::adoptDemoServer(EmbeddedServer* server, std::unique_ptr<QTemporaryDir> dataDir)
{
    m_server = server;
    m_server->setParent(nullptr);
    m_demoDir = std::move(dataDir);
}

Directory::LoadOptions Session::loadOptions() const
{
    Directory::LoadOptions options;
    options.viewer = m_connection->username();
    options.viewerIsAdmin = m_probe.isAdmin;
    if (m_authDatabase && m_authDatabase->isOpen())
        options.authDatabase = m_authDatabase.get();
    else if (m_knownUsers && m_knownUsers->isOpen())
        options.knownUsers = m_knownUsers.get();
    return options;
}

bool Session::useAuthDatabase(const QString& uri, const QString& password, QString* error)
{
    // Without a password, the reader still takes MLFLOW_ADMIN_AUTH_DB_PASSWORD (or ~/.pgpass) as the CLI does.
    auto reader = KeptUsersSource::openAuthDatabase(uri, password, error);
    if (!reader)
        return false;
    m_authDatabase = std::move(reader);
    m_authDatabaseUri = uri;
    return true;
}

ListingSource Session::userListing() const
{
    if (m_probe.hasUsersList)
        return ListingSource::ServerApi;
    return m_authDatabase && m_authDatabase->isOpen() ? ListingSource::AuthDatabase : ListingSource::KnownUsers;
}

QString Session::openUserSources(const KeptUsersSource& kept)
{
    if (m_probe.hasUsersList)
        return QString();
    m_usersSource = kept.choice().usersSource;
    QString error;
    if (m_demoDir) {
        const QString uri = QStringLiteral("sqlite:///") + m_demoDir->filePath(QStringLiteral("data/basic_auth.db"));
        if (useAuthDatabase(uri, &error))
            return QString();
    } else if (kept.usesAuthDatabase()) {
        if (auto reader = kept.openAuthDatabase(&error)) {
            m_authDatabase = std::move(reader);
            m_authDatabaseUri = kept.choice().authDatabaseUri;
            return QString();
        }
    }
    m_authDatabaseProblem = error;
    // One registry per profile (or per server address for unnamed connections), shared with the CLI.
    const QString path = KnownUsersRegistry::defaultFilePath(m_profileName, m_connection->baseUrl());
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return error;
    m_knownUsers = std::make_unique<KnownUsersRegistry>();
    QString registryError;
    if (!m_knownUsers->open(path, &registryError)) {
        m_knownUsers.reset();
        return registryError;
    }
    // At least our own account is known for sure.
    m_knownUsers->remember(m_probe.user, KnownUsersRegistry::Origin::LookedUp);
    return error;
}

bool Session::needsUsersSourceChoice() const
{
    // The demo signs in as the admin of a server living in this process, whose basic_auth.db openUserSources()
    // reads directly: it knows every user already, so asking would only be a question without a choice. A
    // non-admin is not asked either: MLflow 2.x answers users/get for other users to admins only.
    return !m_probe.hasUsersList && !isDemo() && m_probe.status == ProbeResult::Status::Ready &&
           m_usersSource == UsersSource::NotChosen;
}

QString Session::ownerKey() const
{
    return m_profileName.isEmpty() ? ProfileStore::connectionKey(m_connection->baseUrl(), m_connection->username())
                                   : m_profileName;
}

bool Session::rememberUsersSource(UsersSource source, bool authDatabasePasswordInKeychain, QString* error)
{
    m_usersSource = source;
    if (!m_profileStore || isDemo())
        return true;
    ServerProfile choice;
    choice.usersSource = source;
    choice.authDatabaseUri = source == UsersSource::AuthDatabase ? m_authDatabaseUri : QString();
    choice.authDatabasePasswordInKeychain = source == UsersSource::AuthDatabase && authDatabasePasswordInKeychain;
    return m_profileStore->saveUsersSource(m_profileName, m_connection->baseUrl(), m_connection->username(), choice,
                                           error);
}

QString Session::versionText() const
{
    return m_probe.version.isEmpty() ? tr("MLflow (version unknown)") : tr("MLflow %1").arg(m_probe.version);
}

QString Session::generationText() const
{
    switch (m_probe.generation) {
    case ApiGeneration::Legacy:
        return tr("per-resource API");
    case ApiGeneration::Rbac:
        return tr("role-based API");
    case ApiGeneration::Unknown:
        break;
    }
    return tr("unknown API");
}

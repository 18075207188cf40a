#include "views/Session.h"

#include "api/AuthApi.h"
#include "api/AuthDatabaseReader.h"
#include "api/Connection.h"
#include "api/KnownUsersRegistry.h"
#include "api/TrackingApi.h"
#include "server/EmbeddedServer.h"

#include <QDir>
#include <QRegularExpression>
#include <QStandardPaths>
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

bool Session::useAuthDatabase(const QString& uri, QString* error)
{
    auto reader = std::make_unique<AuthDatabaseReader>();
    if (!reader->open(uri, error))
        return false;
    m_authDatabase = std::move(reader);
    m_authDatabaseUri = uri;
    return true;
}

QString Session::openUserSources(const QString& authDatabaseUri)
{
    if (m_probe.hasUsersList)
        return QString();
    QString error;
    QString uri = authDatabaseUri;
    if (m_demoDir)
        uri = QStringLiteral("sqlite:///") + m_demoDir->filePath(QStringLiteral("data/basic_auth.db"));
    if (!uri.isEmpty() && useAuthDatabase(uri, &error))
        return QString();
    // One registry per profile (or per server address for unnamed connections).
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    if (dir.isEmpty() || !QDir().mkpath(dir + QStringLiteral("/known-users")))
        return error;
    QString key = m_profileName.isEmpty() ? m_connection->baseUrl().host() + QLatin1Char('_') +
                                                QString::number(m_connection->baseUrl().port())
                                          : m_profileName;
    key.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("_"));
    m_knownUsers = std::make_unique<KnownUsersRegistry>();
    QString registryError;
    if (!m_knownUsers->open(dir + QStringLiteral("/known-users/") + key + QStringLiteral(".sqlite"), &registryError)) {
        m_knownUsers.reset();
        return registryError;
    }
    // At least our own account is known for sure.
    m_knownUsers->remember(m_probe.user, KnownUsersRegistry::Origin::LookedUp);
    return error;
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

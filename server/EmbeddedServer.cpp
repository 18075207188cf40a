#include "server/EmbeddedServer.h"

#include "api/PrivateFiles.h"

#include "server/AuthConfig.h"
#include "server/AuthStore.h"
#include "server/Authenticator.h"
#include "server/CrossSiteGuard.h"
#include "server/DemoData.h"
#include "server/HttpFront.h"
#include "server/MlflowError.h"
#include "server/MlflowService.h"
#include "server/PasswordCheckPool.h"
#include "server/PasswordHash.h"
#include "server/RbacMigration.h"
#include "server/RbacStore.h"
#include "server/RbacWorkspaceRoles.h"
#include "server/ServerTls.h"
#include "server/SqlFailure.h"
#include "server/TrackingStore.h"
#include "server/WorkspaceStore.h"

#include <QDir>
#include <QFile>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

namespace {

// One SQLite connection per database and server; the name is unique so several servers can share a process. The
// files are owner-only: they hold password hashes. Other programs may read them while the server runs (the
// console's users source reads basic_auth.db directly, as it does a real MLflow's); what they write, the auth stores
// notice (UserDirectory::dropCachesIfChangedElsewhere).
bool openSqlite(const QString& path, QSqlDatabase* database, QString* connectionName, QString* error)
{
    if (!PrivateFiles::ensureSqliteFile(path, error))
        return false;
    *connectionName = QStringLiteral("mlflowadmin-server-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    *database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), *connectionName);
    database->setDatabaseName(path);
    if (!database->open()) {
        *error = QStringLiteral("Cannot open the database %1: %2. Check that the data directory is writable.")
                     .arg(path, database->lastError().text());
        return false;
    }
    // WAL keeps every committed transaction across a killed process; NORMAL sync is safe in WAL mode.
    QSqlQuery pragma(*database);
    const QStringList statements = {QStringLiteral("PRAGMA journal_mode=WAL"),
                                    QStringLiteral("PRAGMA synchronous=NORMAL"),
                                    QStringLiteral("PRAGMA busy_timeout=%1").arg(SqlFailure::busyTimeoutMs)};
    for (const QString& statement : statements) {
        if (!pragma.exec(statement)) {
            *error = QStringLiteral("Cannot configure the database %1: %2").arg(path, pragma.lastError().text());
            return false;
        }
    }
    return true;
}

} // namespace

class EmbeddedServer::Private
{
public:
    EmbeddedServerOptions options;
    AuthConfig config;
    ServerState state;
    QString authConnection;
    QString trackingConnection;
    std::unique_ptr<AuthStore> authStore; // MLflow 2.x schema (Mlflow2)
    std::unique_ptr<RbacStore> rbacStore; // MLflow 3.14 schema (Mlflow3)
    QString migrationReport;              // what RbacMigration did to the auth database at start
    UserDirectory* users = nullptr;       // whichever of the two is open
    std::unique_ptr<TrackingStore> trackingStore;
    std::unique_ptr<WorkspaceStore> workspaceStore;
    std::unique_ptr<RbacWorkspaceRoles> workspaceRoles;
    std::unique_ptr<Authenticator> authenticator;
    std::unique_ptr<MlflowService> service;
    // Its callbacks reach the authenticator and the service, so it goes first (closeStores).
    std::unique_ptr<PasswordCheckPool> passwordChecks;
    std::unique_ptr<CrossSiteGuard> crossSite;
    HttpFront* front = nullptr;
    quint16 port = 0;

    bool loadConfig(QString* error);
    bool openStores(QString* error);
    bool ensureAdmin(QString* error);
    bool checkExposure(QString* error) const;
    bool matchDummyCost();
    bool checkLimits(QString* error) const;
    void closeStores();
};

bool EmbeddedServer::Private::loadConfig(QString* error)
{
    if (options.demo) {
        config.defaultPermission = QStringLiteral("NO_PERMISSIONS");
        config.adminUsername = DemoData::adminUsername;
        config.adminPassword = DemoData::adminPassword;
    }
    QString path = options.configPath;
    if (path.isEmpty() && options.readEnvironmentConfig)
        path = qEnvironmentVariable("MLFLOW_AUTH_CONFIG_PATH");
    if (!path.isEmpty() && !AuthConfig::load(path, &config, error))
        return false;
    state.config = config;
    state.dialect = options.dialect;
    state.dialect.workspaces = options.dialect.isMlflow3() && options.dialect.workspaces; // a 3.x feature only
    state.defaultPermission = Permissions::parse(config.defaultPermission).value_or(PermissionLevel::NoPermissions);
    return true;
}

bool EmbeddedServer::Private::openStores(QString* error)
{
    if (options.dataDir.isEmpty()) {
        *error = QStringLiteral("No data directory given; pass --data-dir DIR.");
        return false;
    }
    if (!PrivateFiles::ensureFolder(options.dataDir, error))
        return false;
    QSqlDatabase authDatabase;
    if (!openSqlite(config.sqlitePath(options.dataDir), &authDatabase, &authConnection, error))
        return false;
    if (options.dialect.isMlflow3()) {
        // A 2.x (or older 3.x) database is backed up and upgraded the way MLflow 3.13+ does it on start.
        const QString authPath = config.sqlitePath(options.dataDir);
        if (!RbacMigration::prepare(authDatabase, authPath, &migrationReport, error))
            return false;
        rbacStore = std::make_unique<RbacStore>(authDatabase);
        if (!rbacStore->initialize(error))
            return false;
        users = rbacStore.get();
    } else {
        authStore = std::make_unique<AuthStore>(authDatabase);
        if (!authStore->initialize(error))
            return false;
        users = authStore.get();
    }
    QSqlDatabase trackingDatabase;
    if (!openSqlite(QDir(options.dataDir).absoluteFilePath(QStringLiteral("mlflow.db")), &trackingDatabase,
                    &trackingConnection, error))
        return false;
    try {
        TrackingStoreOptions trackingOptions;
        trackingOptions.experimentsCarryWorkspace = options.dialect.isMlflow3();
        trackingOptions.workspaces = options.dialect.isMlflow3() && options.dialect.workspaces;
        trackingStore =
            std::make_unique<TrackingStore>(trackingDatabase, QStringLiteral("mlflow-artifacts:"), trackingOptions);
        // MLflow keeps its workspaces table in the tracking database; only a workspaces server has one.
        if (trackingOptions.workspaces)
            workspaceStore = std::make_unique<WorkspaceStore>(trackingDatabase);
    } catch (const MlflowError& failure) {
        *error = QStringLiteral("Cannot prepare the tracking database: %1").arg(failure.message());
        return false;
    }
    passwordChecks = std::make_unique<PasswordCheckPool>(options.passwordCheckThreads);
    authenticator = std::make_unique<Authenticator>(*users, passwordChecks.get(), options.signInThrottle);
    state.auth = authStore.get();
    state.rbac = rbacStore.get();
    state.users = users;
    state.tracking = trackingStore.get();
    state.workspaces = workspaceStore.get();
    if (workspaceStore && rbacStore) {
        workspaceRoles = std::make_unique<RbacWorkspaceRoles>(*rbacStore);
        state.workspaceRoles = workspaceRoles.get();
    }
    state.authenticator = authenticator.get();
    state.passwordChecks = passwordChecks.get();
    service = std::make_unique<MlflowService>(state);
    return true;
}

// MLflow creates the bootstrap admin only when no user of that name exists; a later ini change alters nothing.
bool EmbeddedServer::Private::ensureAdmin(QString* error)
{
    try {
        if (!users->user(config.adminUsername))
            users->createUser(config.adminUsername, PasswordHash::generate(config.adminPassword.toUtf8()), true);
    } catch (const MlflowError& failure) {
        *error = QStringLiteral("Cannot create the admin user: %1").arg(failure.message());
        return false;
    }
    return true;
}

// Unknown users are checked against a dummy hash of the admin's method, so they cost what a real check costs.
bool EmbeddedServer::Private::matchDummyCost()
{
    if (const std::optional<UserRecord> admin = users->user(config.adminUsername))
        authenticator->matchDummyCostTo(admin->passwordHash);
    return true;
}

namespace {

// Passwords anyone can look up: MLflow's shipped admin passwords (2.x `password`, 3.x `password1234`), the obvious
// ones, and the demo's published accounts.
QList<QByteArray> wellKnownPasswords()
{
    QList<QByteArray> passwords = {"password", "password1234", "admin"};
    for (const char* demo : {DemoData::adminPasswordText, DemoData::user1PasswordText, DemoData::user2PasswordText}) {
        if (!passwords.contains(demo))
            passwords.append(demo);
    }
    return passwords;
}

} // namespace

// An admin holding a password anyone can look up is only acceptable where nobody else can connect. Every admin
// counts, not only the ini's: the ini may have named another admin at first start, and others may have been
// promoted since.
bool EmbeddedServer::Private::checkExposure(QString* error) const
{
    if (options.host.isLoopback())
        return true;
    const QList<QByteArray> passwords = wellKnownPasswords();
    for (const UserRecord& user : users->users()) {
        if (!user.isAdmin)
            continue;
        for (const QByteArray& password : passwords) {
            if (PasswordHash::verify(user.passwordHash, password)) {
                *error = QStringLiteral("Refusing to listen on %1: the admin '%2' has a well-known password (MLflow's "
                                        "default, 'admin' or a demo password). Change it first (mlflow-admin-cli "
                                        "users passwd %2, against this server started on 127.0.0.1), then start "
                                        "again.")
                             .arg(options.host.toString(), user.username);
                return false;
            }
        }
    }
    return true;
}

// Limits that cannot work are refused at start rather than discovered by the first client.
bool EmbeddedServer::Private::checkLimits(QString* error) const
{
    const ConnectionLimits& limits = options.limits;
    const bool positive = limits.maxRequestLineBytes > 0 && limits.maxHeaderFieldBytes > 0 &&
                          limits.maxHeaderCount > 0 && limits.maxHeaderBytes > 0 && limits.maxBodyBytes >= 0 &&
                          limits.maxUnauthenticatedBodyBytes >= 0 && limits.maxBufferedBodyBytes >= 0 &&
                          limits.maxConnections > 0 && limits.tlsHandshakeTimeoutMs > 0 && limits.headerTimeoutMs > 0 &&
                          limits.bodyTimeoutMs > 0 && limits.idleTimeoutMs > 0;
    if (!positive) {
        *error = QStringLiteral("Every connection limit and timeout must be positive; check --max-connections and "
                                "the timeouts given.");
        return false;
    }
    if (limits.maxHeaderBytes > ConnectionLimits::headerBytesCeiling) {
        *error = QStringLiteral("The header size limit %1 is above %2 bytes, where Qt's HTTP parser stops reading "
                                "headers; choose a smaller one.")
                     .arg(limits.maxHeaderBytes)
                     .arg(ConnectionLimits::headerBytesCeiling);
        return false;
    }
    return true;
}

void EmbeddedServer::Private::closeStores()
{
    passwordChecks.reset();
    service.reset();
    authenticator.reset();
    // Every store holds its connection; all must go before the connections are removed.
    workspaceRoles.reset();
    workspaceStore.reset();
    trackingStore.reset();
    users = nullptr;
    rbacStore.reset();
    authStore.reset();
    for (QString* name : {&authConnection, &trackingConnection}) {
        if (name->isEmpty())
            continue;
        {
            QSqlDatabase database = QSqlDatabase::database(*name, false);
            database.close();
        }
        QSqlDatabase::removeDatabase(*name);
        name->clear();
    }
}

EmbeddedServer::EmbeddedServer(EmbeddedServerOptions options, QObject* parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    d->options = std::move(options);
}

EmbeddedServer::~EmbeddedServer()
{
    stop();
}

bool EmbeddedServer::start(QString* error)
{
    if (d->front)
        return true;
    QString failure;
    if (d->options.demo && !d->options.host.isLoopback()) {
        *error = QStringLiteral("Refusing to serve the demo on %1: its accounts have published passwords. Use "
                                "--host 127.0.0.1, or start without --demo and create your own users.")
                     .arg(d->options.host.toString());
        return false;
    }
    // The certificate is read first, so a bad TLS file fails before the data dir is created or seeded.
    const std::optional<QSslConfiguration> tls =
        ServerTls::load(d->options.tlsCertificatePath, d->options.tlsKeyPath, &failure);
    const bool ready =
        failure.isEmpty() && d->checkLimits(&failure) && d->loadConfig(&failure) && d->openStores(&failure) &&
        d->ensureAdmin(&failure) && d->matchDummyCost() && d->checkExposure(&failure) &&
        (!d->options.demo || d->users->user(DemoData::user1Username) ||
         DemoData::seed(*d->service, d->options.dialect, d->config.adminUsername, d->config.adminPassword, &failure));
    if (!ready) {
        *error = failure;
        d->closeStores();
        return false;
    }
    MlflowService* service = d->service.get();
    d->crossSite = std::make_unique<CrossSiteGuard>(d->options.allowedHosts);
    const CrossSiteGuard* crossSite = d->crossSite.get();
    Authenticator* authenticator = d->authenticator.get();
    // The connection guard asks before it reads a large body: the same check (and cache) the request gets later.
    const CredentialCheck credentials = [authenticator](const QByteArray& authorization, const QHostAddress& peer,
                                                        std::function<void(bool)> later) -> std::optional<bool> {
        Authenticator::Check check;
        if (const std::optional<SignIn> now = authenticator->answerWithoutDerivation(authorization, peer, &check))
            return now->outcome == SignIn::Outcome::Accepted;
        authenticator->authenticateLater(check, [later = std::move(later)](const SignIn& signIn) {
            later(signIn.outcome == SignIn::Outcome::Accepted);
        });
        return std::nullopt;
    };
    d->front = new HttpFront(
        [service](const HttpRequest& request, HttpFront::Reply reply) { service->handle(request, std::move(reply)); },
        d->options.limits, [crossSite](const RequestHead& head) { return crossSite->check(head); }, credentials, this);
    d->port = d->front->listenOn(d->options.host, d->options.port, tls, &failure);
    if (d->port == 0) {
        *error = failure;
        stop();
        return false;
    }
    return true;
}

void EmbeddedServer::stop()
{
    delete d->front;
    d->front = nullptr;
    d->port = 0;
    d->closeStores();
}

bool EmbeddedServer::isRunning() const
{
    return d->front != nullptr;
}

quint16 EmbeddedServer::port() const
{
    return d->port;
}

QUrl EmbeddedServer::url() const
{
    QUrl url;
    const bool tls = !d->options.tlsCertificatePath.isEmpty();
    url.setScheme(tls ? QStringLiteral("https") : QStringLiteral("http"));
    QHostAddress host = d->options.host;
    if (host == QHostAddress::Any || host == QHostAddress::AnyIPv4)
        host = QHostAddress::LocalHost;
    else if (host == QHostAddress::AnyIPv6)
        host = QHostAddress::LocalHostIPv6;
    url.setHost(host.toString());
    url.setPort(d->port);
    return url;
}

ConnectionStats EmbeddedServer::connectionStats() const
{
    return d->front ? d->front->connectionStats() : ConnectionStats();
}

Dialect EmbeddedServer::dialect() const
{
    return d->options.dialect;
}

QString EmbeddedServer::adminUsername() const
{
    return d->config.adminUsername;
}

QString EmbeddedServer::defaultPermission() const
{
    return d->config.defaultPermission;
}

QString EmbeddedServer::authDatabaseReport() const
{
    return d->migrationReport;
}

#pragma once

#include "server/ConnectionGuard.h"
#include "server/ConnectionLimits.h"
#include "server/Dialect.h"
#include "server/SignInThrottle.h"

#include <QHostAddress>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>

// How to start an EmbeddedServer. Every field has a safe default: loopback only, port 5000, plain HTTP.
struct EmbeddedServerOptions
{
    QHostAddress host = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 5000;               // 0 picks a free port; port() tells which
    QString dataDir;                   // holds basic_auth.db and mlflow.db unless the ini says otherwise; required
    QString configPath;                // basic_auth.ini; empty: $MLFLOW_AUTH_CONFIG_PATH, else built-in defaults
    bool readEnvironmentConfig = true; // false: never $MLFLOW_AUTH_CONFIG_PATH (e.g. the console's offline demo)
    bool demo = false;                 // seed the demo scenario (see DemoData) into a fresh data dir
    QString tlsCertificatePath;        // PEM; with tlsKeyPath, serve HTTPS (checked to match at start)
    QString tlsKeyPath;
    ConnectionLimits limits;               // sizes, timeouts and the connection cap; defaults in ConnectionLimits.h
    QStringList allowedHosts;              // Host names besides IP addresses and localhost ("*": any); CrossSiteGuard
    Dialect dialect;                       // MLflow 2.15.1 unless told otherwise; Mlflow3: 3.14's auth schema and API
    SignInThrottleSettings signInThrottle; // back-off of failed sign-ins (429 with Retry-After)
    int passwordCheckThreads = 0;          // key derivations off the request thread; 0: cores - 1, 1 to 4
};

// An MLflow-compatible basic-auth tracking server (2.15.1, or 3.14 per options.dialect) (auth endpoints plus the
// tracking subset) running in the caller's thread. No global state: several may run in one process, each with its own
// data dir and port.
class EmbeddedServer : public QObject
{
    Q_OBJECT

public:
    explicit EmbeddedServer(EmbeddedServerOptions options, QObject* parent = nullptr);
    ~EmbeddedServer() override;

    // Opens the databases, creates the admin at first start, seeds the demo if asked, and listens.
    // On failure returns false and sets `error` to a sentence that says what to do.
    bool start(QString* error);
    void stop();
    bool isRunning() const;

    quint16 port() const;
    QUrl url() const; // e.g. http://127.0.0.1:5000

    // In MLflow 3.14 mode: what start() did to the auth database (created, already current, or backed up and
    // migrated from MLflow 2.x, with the backup's path), for the server's banner. Empty in 2.15.1 mode.
    QString authDatabaseReport() const;

    // Open connections and bodies being received right now (all zero when not running).
    ConnectionStats connectionStats() const;

    Dialect dialect() const; // the generation it speaks, as given in the options
    QString adminUsername() const;
    QString defaultPermission() const;

private:
    class Private;
    std::unique_ptr<Private> d;
};

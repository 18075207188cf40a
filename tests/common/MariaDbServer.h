#pragma once

// A throw-away MariaDB server for the tests of the auth database users source on MySQL/MariaDB: a data folder made
// by mariadb-install-db in a temporary folder, listening on a free loopback port and a private socket, with one
// database `auth` and one account `mlflow` that signs in with a password over TCP; shut down and removed with the
// object. packaging/install-deps.sh installs mariadb-server and Qt's QMYSQL driver, so a missing server is a failure
// of the test, never a skip. MariaDB runs as root only when told so (`--user=root`), which a throw-away server in a
// temporary folder may be.

#include "SqlStatements.h"
#include <QDeadlineTimer>

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QString>
#include <QStringList>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>

#include <unistd.h>

class MariaDbServer
{
public:
    static constexpr const char* account = "mlflow";
    static constexpr const char* database = "auth";

    explicit MariaDbServer(const QString& password) : m_password(password) { m_started = start(); }
    ~MariaDbServer()
    {
        if (m_server.state() != QProcess::NotRunning) {
            // SIGTERM is MariaDB's orderly shutdown; a data folder about to be deleted needs no more.
            m_server.terminate();
            if (!m_server.waitForFinished(20000))
                m_server.kill();
            m_server.waitForFinished(5000);
        }
    }
    MariaDbServer(const MariaDbServer&) = delete;
    MariaDbServer& operator=(const MariaDbServer&) = delete;

    bool started() const { return m_started; }
    QString error() const { return m_error; }
    quint16 port() const { return m_port; }

    // Runs `statements` in the `auth` database as `mlflow` over TCP; false with error() set.
    bool execute(const QStringList& statements)
    {
        return runSqlStatements(
            SqlAccount{QStringLiteral("QMYSQL"), m_port, QLatin1String(database), QLatin1String(account), m_password},
            statements, &m_error);
    }

private:
    QString path(const char* name) const { return m_dir.filePath(QLatin1String(name)); }

    // Small log and buffer pool: the server holds a few rows, and the default 96 MB redo log costs seconds.
    static QStringList storageOptions()
    {
        return {QStringLiteral("--innodb-log-file-size=4M"), QStringLiteral("--innodb-buffer-pool-size=16M"),
                QStringLiteral("--innodb-data-file-path=ibdata1:4M:autoextend"), QStringLiteral("--skip-name-resolve")};
    }

    QStringList identityOptions() const
    {
        return ::geteuid() == 0 ? QStringList{QStringLiteral("--user=root")} : QStringList{};
    }

    bool runTool(const QString& program, const QStringList& arguments, const QByteArray& input = {})
    {
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(program, arguments);
        if (!input.isEmpty()) {
            process.write(input);
            process.closeWriteChannel();
        }
        if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit ||
            process.exitCode() != 0) {
            m_error = program + QStringLiteral(" failed: ") + QString::fromLocal8Bit(process.readAll()) +
                      process.errorString();
            return false;
        }
        return true;
    }

    bool start()
    {
        const QString installer = QStandardPaths::findExecutable(QStringLiteral("mariadb-install-db"));
        const QString daemon =
            QStandardPaths::findExecutable(QStringLiteral("mariadbd"), {QStringLiteral("/usr/sbin")});
        const QString client = QStandardPaths::findExecutable(QStringLiteral("mariadb"));
        if (installer.isEmpty() || daemon.isEmpty() || client.isEmpty()) {
            m_error = QStringLiteral("MariaDB is not installed (mariadb-install-db, /usr/sbin/mariadbd, mariadb); run "
                                     "packaging/install-deps.sh.");
            return false;
        }
        if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QMYSQL"))) {
            m_error = QStringLiteral("Qt's QMYSQL driver is missing; run packaging/install-deps.sh "
                                     "(libqt6sql6-mysql).");
            return false;
        }
        if (!m_dir.isValid()) {
            m_error = QStringLiteral("No temporary folder for MariaDB.");
            return false;
        }
        if (!runTool(installer,
                     QStringList{QStringLiteral("--no-defaults"), QStringLiteral("--datadir=") + path("data"),
                                 QStringLiteral("--auth-root-authentication-method=normal"),
                                 QStringLiteral("--skip-test-db")} +
                         identityOptions() + storageOptions()))
            return false;
        // A port that was free a moment ago; a clash only fails this start, with the server's log in the error.
        {
            QTcpServer probe;
            if (!probe.listen(QHostAddress::LocalHost, 0)) {
                m_error = QStringLiteral("No free loopback port for MariaDB.");
                return false;
            }
            m_port = probe.serverPort();
        }
        m_server.setProcessChannelMode(QProcess::MergedChannels);
        m_server.start(daemon, QStringList{QStringLiteral("--no-defaults"), QStringLiteral("--datadir=") + path("data"),
                                           QStringLiteral("--socket=") + path("socket"),
                                           QStringLiteral("--pid-file=") + path("pid"),
                                           QStringLiteral("--log-error=") + path("log"),
                                           QStringLiteral("--bind-address=127.0.0.1"),
                                           QStringLiteral("--port=%1").arg(m_port), QStringLiteral("--skip-log-bin"),
                                           QStringLiteral("--innodb-flush-log-at-trx-commit=0")} +
                                   identityOptions() + storageOptions());
        if (!m_server.waitForStarted(10000)) {
            m_error = QStringLiteral("mariadbd did not start: ") + m_server.errorString();
            return false;
        }
        // Ready once the socket takes a root session; root signs in there without a password (a fresh server).
        const QString setup = QStringLiteral("CREATE DATABASE %1; CREATE USER '%2'@'127.0.0.1' IDENTIFIED BY '%3'; "
                                             "GRANT ALL ON %1.* TO '%2'@'127.0.0.1';")
                                  .arg(QLatin1String(database), QLatin1String(account), m_password);
        const QStringList rootSession{QStringLiteral("--no-defaults"), QStringLiteral("--socket=") + path("socket"),
                                      QStringLiteral("--user=root")};
        QDeadlineTimer deadline(30000);
        while (!runTool(client, rootSession, "SELECT 1;")) {
            if (deadline.hasExpired() || m_server.state() == QProcess::NotRunning) {
                m_error = QStringLiteral("mariadbd did not become ready in 30 s: ") + serverLog();
                return false;
            }
            QThread::msleep(100);
        }
        if (!runTool(client, rootSession, setup.toUtf8())) {
            m_error += QStringLiteral(" Server log: ") + serverLog();
            return false;
        }
        return true;
    }

    QString serverLog() const
    {
        QFile log(path("log"));
        return log.open(QIODevice::ReadOnly) ? QString::fromLocal8Bit(log.readAll().right(2000))
                                             : QStringLiteral("(no log)");
    }

    QString m_password;
    QTemporaryDir m_dir;
    QProcess m_server;
    QString m_error;
    quint16 m_port = 0;
    bool m_started = false;
};

#pragma once

// A throw-away PostgreSQL server for the tests of the auth database users source: initdb in a temporary folder,
// password (SCRAM) authentication on, listening on a free loopback port and a private socket folder, stopped and
// removed with the object. packaging/install-deps.sh installs postgresql-15 and Qt's QPSQL driver, so a missing
// server is a failure of the test, never a skip. As root, the server runs as the `postgres` system user (PostgreSQL
// refuses to run as root).

#include "SqlStatements.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>
#include <QStringList>
#include <QTcpServer>
#include <QTemporaryDir>

#include <algorithm>

#include <pwd.h>
#include <unistd.h>

class PostgresServer
{
public:
    static constexpr const char* superuser = "mlflow";

    explicit PostgresServer(const QString& password) : m_password(password) { m_started = start(); }
    ~PostgresServer()
    {
        if (m_started)
            runTool(QStringLiteral("pg_ctl"),
                    {QStringLiteral("-D"), dataDir(), QStringLiteral("-m"), QStringLiteral("immediate"),
                     QStringLiteral("-w"), QStringLiteral("stop")});
    }
    PostgresServer(const PostgresServer&) = delete;
    PostgresServer& operator=(const PostgresServer&) = delete;

    bool started() const { return m_started; }
    QString error() const { return m_error; }
    quint16 port() const { return m_port; }

    // Runs `statements` in the `postgres` database as the superuser; false with error() set.
    bool execute(const QStringList& statements)
    {
        return runSqlStatements(SqlAccount{QStringLiteral("QPSQL"), m_port, QStringLiteral("postgres"),
                                           QLatin1String(superuser), m_password},
                                statements, &m_error);
    }

private:
    QString dataDir() const { return m_dir.filePath(QStringLiteral("data")); }

    // The newest installed PostgreSQL's binaries (Debian keeps them out of PATH).
    static QString binDir()
    {
        QDir versions(QStringLiteral("/usr/lib/postgresql"));
        QStringList names = versions.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        std::sort(names.begin(), names.end(), [](const QString& a, const QString& b) { return a.toInt() < b.toInt(); });
        for (auto it = names.crbegin(); it != names.crend(); ++it) {
            const QString bin = versions.filePath(*it + QStringLiteral("/bin"));
            if (QFile::exists(bin + QStringLiteral("/initdb")))
                return bin;
        }
        return {};
    }

    bool runTool(const QString& tool, const QStringList& arguments)
    {
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        QString program = m_binDir + QLatin1Char('/') + tool;
        QStringList all = arguments;
        if (::geteuid() == 0) {
            all.prepend(program);
            all.prepend(QStringLiteral("--"));
            all.prepend(QStringLiteral("postgres"));
            all.prepend(QStringLiteral("-u"));
            program = QStringLiteral("runuser");
        }
        process.start(program, all);
        if (!process.waitForFinished(30000) || process.exitStatus() != QProcess::NormalExit ||
            process.exitCode() != 0) {
            m_error =
                tool + QStringLiteral(" failed: ") + QString::fromLocal8Bit(process.readAll()) + process.errorString();
            return false;
        }
        return true;
    }

    bool start()
    {
        m_binDir = binDir();
        if (m_binDir.isEmpty()) {
            m_error = QStringLiteral("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); run "
                                     "packaging/install-deps.sh.");
            return false;
        }
        if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL"))) {
            m_error = QStringLiteral("Qt's QPSQL driver is missing; run packaging/install-deps.sh "
                                     "(libqt6sql6-psql).");
            return false;
        }
        if (!m_dir.isValid()) {
            m_error = QStringLiteral("No temporary folder for PostgreSQL.");
            return false;
        }
        const QString socketDir = m_dir.filePath(QStringLiteral("socket"));
        const QString passwordFile = m_dir.filePath(QStringLiteral("password"));
        QDir().mkpath(socketDir);
        QFile file(passwordFile);
        if (!file.open(QIODevice::WriteOnly) || file.write(m_password.toUtf8() + '\n') < 0) {
            m_error = QStringLiteral("The password file for initdb could not be written.");
            return false;
        }
        file.close();
        if (::geteuid() == 0 && !handToPostgres({m_dir.path(), socketDir, passwordFile}))
            return false;
        if (!runTool(QStringLiteral("initdb"),
                     {QStringLiteral("-D"), dataDir(), QStringLiteral("-U"), QLatin1String(superuser),
                      QStringLiteral("--pwfile=") + passwordFile, QStringLiteral("--auth=scram-sha-256"),
                      QStringLiteral("-E"), QStringLiteral("UTF8"), QStringLiteral("--no-sync")}))
            return false;
        // A port that was free a moment ago; a clash only fails this start, with pg_ctl's message.
        {
            QTcpServer probe;
            if (!probe.listen(QHostAddress::LocalHost, 0)) {
                m_error = QStringLiteral("No free loopback port for PostgreSQL.");
                return false;
            }
            m_port = probe.serverPort();
        }
        const QString options =
            QStringLiteral("-p %1 -k %2 -c listen_addresses=127.0.0.1 -c fsync=off").arg(m_port).arg(socketDir);
        return runTool(QStringLiteral("pg_ctl"),
                       {QStringLiteral("-D"), dataDir(), QStringLiteral("-l"), m_dir.filePath(QStringLiteral("log")),
                        QStringLiteral("-w"), QStringLiteral("-o"), options, QStringLiteral("start")});
    }

    bool handToPostgres(const QStringList& paths)
    {
        const passwd* user = ::getpwnam("postgres");
        if (!user) {
            m_error = QStringLiteral("There is no `postgres` system user to run PostgreSQL as (we run as root); "
                                     "install postgresql-15.");
            return false;
        }
        for (const QString& path : paths) {
            if (::chown(QFile::encodeName(path).constData(), user->pw_uid, user->pw_gid) != 0) {
                m_error = QStringLiteral("%1 could not be handed to the postgres user.").arg(path);
                return false;
            }
        }
        return true;
    }

    QString m_password;
    QTemporaryDir m_dir;
    QString m_binDir;
    QString m_error;
    quint16 m_port = 0;
    bool m_started = false;
};

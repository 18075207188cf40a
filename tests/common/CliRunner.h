#pragma once

// Runs the real mlflow-admin-cli binary for the CLI tests. The embedded server those tests talk to lives in the
// test's own thread and only answers while the event loop spins, so a run waits with QSignalSpy::wait, never with
// QProcess::waitForFinished().

#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QSignalSpy>
#include <QString>
#include <QStringList>

struct CliResult
{
    bool finished = false;
    int exitCode = -1;
    QString out;
    QString err;

    QJsonObject json() const { return QJsonDocument::fromJson(out.toUtf8()).object(); }
    QString describe() const { return QStringLiteral("exit %1\nstdout: %2\nstderr: %3").arg(exitCode).arg(out, err); }
};

class CliRunner
{
public:
    // Profiles and the known-users registry go below `homeDir`; MLFLOW_TRACKING_* from the test's own environment
    // never leak in. `defaults` are set on every run (after the tracking variables, so they may replace them).
    CliRunner(const QString& cliPath, const QString& homeDir, QMap<QString, QString> defaults = {})
        : m_cliPath(cliPath), m_homeDir(homeDir), m_defaults(std::move(defaults))
    {}

    // The server every run talks to as admin (password in MLFLOW_TRACKING_PASSWORD, never on the command line).
    void setUrl(const QString& url) { m_url = url; }
    QString url() const { return m_url; }

    // Runs the CLI with `arguments`; entries of `environment` override the defaults (a null value removes the
    // variable); `input` goes to standard input.
    CliResult run(const QStringList& arguments, const QMap<QString, QString>& environment = {},
                  const QByteArray& input = QByteArray(), const QString& workingDirectory = QString()) const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_homeDir + QStringLiteral("/config"));
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_homeDir + QStringLiteral("/data"));
        env.insert(QStringLiteral("MLFLOW_TRACKING_URI"), m_url);
        env.insert(QStringLiteral("MLFLOW_TRACKING_USERNAME"), QStringLiteral("admin"));
        env.insert(QStringLiteral("MLFLOW_TRACKING_PASSWORD"), QStringLiteral("password1234"));
        for (const QMap<QString, QString>* overrides : {&m_defaults, &environment}) {
            for (auto it = overrides->cbegin(); it != overrides->cend(); ++it) {
                if (it.value().isNull())
                    env.remove(it.key());
                else
                    env.insert(it.key(), it.value());
            }
        }
        QProcess process;
        process.setProcessEnvironment(env);
        if (!workingDirectory.isEmpty())
            process.setWorkingDirectory(workingDirectory);
        QSignalSpy finished(&process, &QProcess::finished);
        process.start(m_cliPath, arguments);
        if (!input.isNull())
            process.write(input);
        process.closeWriteChannel();
        CliResult result;
        if (!finished.wait(60000)) {
            process.kill();
            QSignalSpy killed(&process, &QProcess::finished);
            killed.wait(5000);
            return result;
        }
        result.finished = true;
        result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        result.out = QString::fromUtf8(process.readAllStandardOutput());
        result.err = QString::fromUtf8(process.readAllStandardError());
        return result;
    }

private:
    QString m_cliPath;
    QString m_homeDir;
    QMap<QString, QString> m_defaults;
    QString m_url;
};

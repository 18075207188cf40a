#pragma once

// Shared by the client benchmarks: a large server seeded straight into its SQLite files (BenchSeed.cpp), the
// embedded server run as a separate `mlflow-admin-cli serve` process (so the client's memory and CPU are measured
// alone), medians, and the process's peak resident memory.

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <cstdio>
#include <optional>

namespace Bench {

// The size of the server a benchmark runs against; the defaults are the targets of issue 3.
struct Scale
{
    int users = 2000;
    int experiments = 20000;
    int grants = 50000;
};

inline const QString adminUsername = QStringLiteral("admin");
inline const QString adminPassword = QStringLiteral("password1234");

// The generations a benchmark can run against: `serve --api 2` (MLflow 2.15.1) and `serve --api 3` (MLflow 3.14).
enum class Api { Mlflow2, Mlflow3 };

inline QString apiLabel(Api api)
{
    return api == Api::Mlflow3 ? QStringLiteral("--api 3") : QStringLiteral("--api 2");
}

// On --api 3 the grants are split: this many roles hold half of them (role permissions on experiments, every user
// a member of one role), the users' hidden roles hold the other half as direct grants.
constexpr int rbacRoles = 20;

// What every benchmark takes on its command line.
struct Options
{
    Scale scale;
    int changes = 10000;
    int runs = 3;
    QList<Api> apis{Api::Mlflow2}; // --api 2, 3 or "2,3" (benchmarks that compare generations default to both)
};

// Parses --users, --experiments, --grants, --changes, --runs and --api; nullopt (after printing the usage) on a bad
// value. `defaultApis` is what a missing --api means.
std::optional<Options> parseOptions(const QStringList& arguments, const QList<Api>& defaultApis = {Api::Mlflow2});

// A benchmark started as `NAME --seed-only DIR --seed-api 2|3 [options]` seeds DIR for that generation and exits
// with the returned code; otherwise nullopt. Seeding in a child process keeps its memory out of the measured
// client's peak.
std::optional<int> runSeedOnly(const QStringList& arguments, const Scale& scale);

// Seeds `dataDir` for `api` by running this executable with --seed-only and `arguments`, and reports how long it
// took.
bool seedInChild(const QString& dataDir, const QStringList& arguments, const Scale& scale, Api api = Api::Mlflow2);

// A benchmark's main(): the application object, the options, the --seed-only child mode, then `run(arguments,
// options)` for the measurement itself.
template <typename Application, typename Run>
int main(int argc, char* argv[], Run run, const QList<Api>& defaultApis = {Api::Mlflow2})
{
    Application app(argc, argv);
    const QStringList arguments = app.arguments().mid(1);
    const auto options = parseOptions(arguments, defaultApis);
    if (!options)
        return 2;
    if (const auto seeded = runSeedOnly(arguments, options->scale))
        return *seeded;
    return run(arguments, *options);
}

// The non-template functions above live in BenchSupport.cpp, because the server's headers and the client's both define
// a ViewType and so must not meet in one file.

// Spins the event loop until `done()` or the timeout. Unlike QTest::qWaitFor, which sleeps 10 ms between rounds
// and so adds up to 10 ms to every request a benchmark waits for, this wakes as soon as an event arrives.
template <typename Predicate>
bool waitUntil(Predicate done, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    QTimer wake; // lets the loop notice the deadline when nothing else happens
    wake.start(100);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    return true;
}

// `mlflow-admin-cli serve` on a seeded data dir, on a free loopback port, for as long as this object lives.
class ServerProcess
{
public:
    ServerProcess(const QString& cliPath, const QString& dataDir, Api api = Api::Mlflow2)
    {
        m_process.setProcessChannelMode(QProcess::SeparateChannels);
        m_process.start(cliPath,
                        {QStringLiteral("serve"), QStringLiteral("--api"),
                         api == Api::Mlflow3 ? QStringLiteral("3") : QStringLiteral("2"), QStringLiteral("--port"),
                         QStringLiteral("0"), QStringLiteral("--data-dir"), dataDir, QStringLiteral("--config"),
                         QDir(dataDir).filePath(QStringLiteral("basic_auth.ini"))});
        QByteArray output;
        const bool ready = waitUntil(
            [&] {
                output += m_process.readAllStandardOutput();
                return output.contains("listening on") || m_process.state() == QProcess::NotRunning;
            },
            60000);
        const QRegularExpressionMatch match =
            QRegularExpression(QStringLiteral("(https?://[0-9.:]+)")).match(QString::fromUtf8(output));
        if (ready && match.hasMatch())
            m_url = QUrl(match.captured(1));
        else
            m_error = QString::fromUtf8(output + m_process.readAllStandardError());
    }

    ~ServerProcess()
    {
        m_process.terminate();
        if (!m_process.waitForFinished(10000))
            m_process.kill();
    }

    bool isRunning() const { return m_url.isValid(); }
    QUrl url() const { return m_url; }
    QString error() const { return m_error; }

private:
    QProcess m_process;
    QUrl m_url;
    QString m_error;
};

inline double median(QList<double> values)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype mid = values.size() / 2;
    return values.size() % 2 ? values.at(mid) : (values.at(mid - 1) + values.at(mid)) / 2;
}

// A line of /proc/self/status in MiB, e.g. VmHWM (peak resident) or VmRSS (current).
inline double procStatusMiB(const char* field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray prefix = QByteArray(field) + ':';
    for (const QByteArray& line : status.readAll().split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').first().toDouble() / 1024.0;
    }
    return -1;
}

// Restarts the peak-resident counter at the current size (Linux 4.0+), so a phase's peak excludes earlier ones.
inline void resetPeakMemory()
{
    QFile clear(QStringLiteral("/proc/self/clear_refs"));
    if (clear.open(QIODevice::WriteOnly))
        clear.write("5");
}

// One line of the report, flushed at once so a slow phase shows where it is.
inline void report(const QString& line)
{
    std::fputs(qPrintable(line + QLatin1Char('\n')), stdout);
    std::fflush(stdout);
}

} // namespace Bench

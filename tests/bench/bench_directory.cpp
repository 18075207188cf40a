// `make bench`: how long the client library takes to load a large server into a Directory over HTTP, how much
// memory that takes, and how long applying a large ChangeSet takes. The server is `mlflow-admin-cli serve` in its
// own process on a seeded data dir (see BenchSupport.h), the client is this process.
//
// Every run also checks what it loaded and applied (user, experiment and grant counts; zero failed changes; a
// final reload that sees the applied state), and exits 1 if anything is wrong, so a fast but broken client can
// never report a figure. Targets are reported, not enforced: timings on a shared machine are not pass/fail.

#include "BenchSupport.h"

#include "api/AuthDatabaseReader.h"
#include "api/Connection.h"
#include "api/LegacyAuthApi.h"
#include "api/TrackingApi.h"
#include "models/ChangeSet.h"
#include "models/Directory.h"

#include <QCoreApplication>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <memory>

namespace {

constexpr double loadTargetSeconds = 3.0;
constexpr double loadMemoryTargetMiB = 300.0;
constexpr double applyTargetSeconds = 5.0;

// A client session against the benchmark server, user names from the server's own auth database (the way an admin
// of an MLflow 2.x server lists users, since 2.x has no users/list).
struct Client
{
    Client(const QUrl& url, const QString& dataDir)
        : connection(url, Bench::adminUsername, Bench::adminPassword), auth(&connection), tracking(&connection)
    {
        QString error;
        if (!reader.open(QStringLiteral("sqlite:///") + QDir(dataDir).absoluteFilePath(QStringLiteral("basic_auth.db")),
                         &error))
            Bench::report(QStringLiteral("Cannot open the auth database: ") + error);
    }

    // Loads `directory`; returns the seconds it took, or a negative number on failure.
    double load(Directory* directory)
    {
        Directory::LoadOptions options;
        options.authDatabase = &reader;
        QSignalSpy loaded(directory, &Directory::loaded);
        QSignalSpy failed(directory, &Directory::failed);
        QElapsedTimer timer;
        timer.start();
        directory->load(&auth, &tracking, options);
        const bool done = Bench::waitUntil([&] { return !loaded.isEmpty() || !failed.isEmpty(); }, 600000);
        const double seconds = timer.nsecsElapsed() / 1e9;
        if (!failed.isEmpty()) {
            Bench::report(QStringLiteral("Load failed: ") + failed.first().first().value<ApiError>().toLogString());
            return -1;
        }
        return done && !loaded.isEmpty() ? seconds : -1;
    }

    Connection connection;
    LegacyAuthApi auth;
    TrackingApi tracking;
    AuthDatabaseReader reader;
};

bool expectCounts(const Directory& directory, const Bench::Scale& scale, int extraGrants)
{
    // The admin and MLflow's "Default" experiment come on top of the seeded ones.
    const bool ok = directory.userCount() == scale.users + 1 && directory.experimentCount() == scale.experiments + 1 &&
                    directory.totalGrantCount() == scale.grants + extraGrants;
    if (!ok) {
        Bench::report(QStringLiteral("Wrong contents: %1 users, %2 experiments, %3 grants; expected %4, %5, %6")
                          .arg(directory.userCount())
                          .arg(directory.experimentCount())
                          .arg(directory.totalGrantCount())
                          .arg(scale.users + 1)
                          .arg(scale.experiments + 1)
                          .arg(scale.grants + extraGrants));
    }
    return ok;
}

// `count` cells that hold no explicit grant, spread over all non-admin users.
QList<GrantCell> freeCells(const Directory& directory, int count)
{
    QList<GrantCell> cells;
    const int experiments = directory.experimentCount();
    for (int round = 0; cells.size() < count && round < experiments; ++round) {
        for (int row = 0; row < directory.userCount() && cells.size() < count; ++row) {
            const User& user = directory.userAt(row);
            if (user.isAdmin)
                continue;
            const QString id = directory.experimentAt((row * 31 + round * 997) % experiments).id;
            if (!directory.explicitLevel(user.username, ResourceType::Experiment, id))
                cells.append(GrantCell{user.username, ResourceKey{ResourceType::Experiment, id}});
        }
    }
    return cells;
}

// Stages `level` (nullopt: revoke) on every cell and applies; returns the seconds of apply(), or -1 on failure.
double applyAll(ChangeSet* changes, AuthApi* auth, const QList<GrantCell>& cells, std::optional<PermissionLevel> level,
                double* stagingSeconds)
{
    QElapsedTimer timer;
    timer.start();
    if (!changes->stageGrants(cells, level) || changes->count() != cells.size()) {
        Bench::report(QStringLiteral("Staging %1 changes failed").arg(cells.size()));
        return -1;
    }
    *stagingSeconds = timer.nsecsElapsed() / 1e9;
    QSignalSpy applied(changes, &ChangeSet::applied);
    timer.restart();
    if (!changes->apply(auth) || !Bench::waitUntil([&] { return !applied.isEmpty(); }, 600000))
        return -1;
    const double seconds = timer.nsecsElapsed() / 1e9;
    const auto summary = applied.first().first().value<ApplySummary>();
    if (summary.failed != 0 || summary.succeeded != cells.size() || !changes->isEmpty()) {
        Bench::report(QStringLiteral("Apply: %1 succeeded, %2 failed (first error: %3)")
                          .arg(summary.succeeded)
                          .arg(summary.failed)
                          .arg(summary.results.isEmpty() ? QString() : summary.results.first().error.toLogString()));
        return -1;
    }
    changes->undoStack()->clear();
    return seconds;
}

QString verdict(double value, double target)
{
    return value <= target ? QStringLiteral("target %1: met").arg(target)
                           : QStringLiteral("target %1: MISSED").arg(target);
}

int runBenchmark(const QStringList& arguments, const Bench::Options& options)
{
    const Bench::Scale& scale = options.scale;
    const int changeCount = options.changes;
    const int runs = options.runs;
    QTemporaryDir temp;
    const QString dataDir = temp.filePath(QStringLiteral("data"));

    if (!Bench::seedInChild(dataDir, arguments, scale))
        return 1;

    Bench::ServerProcess server(QStringLiteral(MLFLOW_ADMIN_CLI_PATH), dataDir);
    if (!server.isRunning()) {
        Bench::report(QStringLiteral("The server did not start: ") + server.error());
        return 1;
    }

    // Load: a fresh connection and Directory each run, so no run profits from the previous one's caches.
    const double baseline = Bench::procStatusMiB("VmRSS");
    Bench::resetPeakMemory();
    QList<double> loadTimes;
    std::unique_ptr<Client> client;
    std::unique_ptr<Directory> directory;
    for (int run = 0; run < runs; ++run) {
        directory.reset();
        client = std::make_unique<Client>(server.url(), dataDir);
        directory = std::make_unique<Directory>();
        const double seconds = client->load(directory.get());
        if (seconds < 0 || !expectCounts(*directory, scale, 0))
            return 1;
        loadTimes.append(seconds);
    }
    const double peak = Bench::procStatusMiB("VmHWM");
    const double load = Bench::median(loadTimes);
    Bench::report(
        QStringLiteral(
            "Directory::load (users and grants from the auth database, experiments/search over HTTP): median %1 s of "
            "%2 runs (%3)")
            .arg(load, 0, 'f', 2)
            .arg(runs)
            .arg(verdict(load, loadTargetSeconds)));
    Bench::report(QStringLiteral("Peak resident memory while loading: %1 MiB for the whole client process (%2 MiB "
                                 "before the first load) (%3)")
                      .arg(peak, 0, 'f', 0)
                      .arg(baseline, 0, 'f', 0)
                      .arg(verdict(peak, loadMemoryTargetMiB)));

    // Apply: alternately grant READ on `changeCount` empty cells and revoke them again, each as one ChangeSet.
    const QList<GrantCell> cells = freeCells(*directory, changeCount);
    if (cells.size() != changeCount) {
        Bench::report(QStringLiteral("Only %1 free cells for %2 changes").arg(cells.size()).arg(changeCount));
        return 1;
    }
    ChangeSet changes(directory.get());
    QList<double> grantTimes;
    QList<double> revokeTimes;
    QList<double> stagingTimes;
    for (int run = 0; run < runs; ++run) {
        double staging = 0;
        const double granted = applyAll(&changes, &client->auth, cells, PermissionLevel::Read, &staging);
        if (granted < 0 || !expectCounts(*directory, scale, changeCount))
            return 1;
        grantTimes.append(granted);
        stagingTimes.append(staging);
        const double revoked = applyAll(&changes, &client->auth, cells, std::nullopt, &staging);
        if (revoked < 0 || !expectCounts(*directory, scale, 0))
            return 1;
        revokeTimes.append(revoked);
    }
    Bench::report(QStringLiteral("Staging %1 grant changes as one undo step: median %2 s")
                      .arg(changeCount)
                      .arg(Bench::median(stagingTimes), 0, 'f', 3));
    const double grant = Bench::median(grantTimes);
    const double revoke = Bench::median(revokeTimes);
    Bench::report(QStringLiteral("ChangeSet::apply of %1 new grants (permissions/create): median %2 s of %3 runs (%4)")
                      .arg(changeCount)
                      .arg(grant, 0, 'f', 2)
                      .arg(runs)
                      .arg(verdict(grant, applyTargetSeconds)));
    Bench::report(QStringLiteral("ChangeSet::apply of %1 revokes (permissions/delete): median %2 s of %3 runs (%4)")
                      .arg(changeCount)
                      .arg(revoke, 0, 'f', 2)
                      .arg(runs)
                      .arg(verdict(revoke, applyTargetSeconds)));

    // The server really holds what the client believes: a fresh load sees the seeded state again.
    Client check(server.url(), dataDir);
    Directory reloaded;
    if (check.load(&reloaded) < 0 || !expectCounts(reloaded, scale, 0))
        return 1;
    return 0;
}

} // namespace

int main(int argc, char* argv[])
{
    return Bench::main<QCoreApplication>(argc, argv, runBenchmark);
}

#include "BenchSupport.h"

#include "server/AuthStore.h"
#include "server/EmbeddedServer.h"
#include "server/PasswordHash.h"
#include "server/TrackingStore.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>

#include <optional>

namespace Bench {

namespace {

QString userName(int i)
{
    return QStringLiteral("user%1").arg(i, 5, 10, QLatin1Char('0'));
}

QString experimentName(int i)
{
    return QStringLiteral("/team%1/experiment%2").arg(i % 100, 3, 10, QLatin1Char('0')).arg(i, 6, 10, QLatin1Char('0'));
}

// The configuration of the benchmark server: like the reference servers, NO_PERMISSIONS by default.
QString writeConfig(const QString& dataDir)
{
    QDir().mkpath(dataDir);
    const QString path = QDir(dataDir).filePath(QStringLiteral("basic_auth.ini"));
    QFile file(path);
    if (file.open(QIODevice::WriteOnly)) {
        file.write("[mlflow]\ndefault_permission = NO_PERMISSIONS\ndatabase_uri = sqlite:///basic_auth.db\n"
                   "admin_username = admin\nadmin_password = password1234\n");
    }
    return path;
}

bool failWith(QString* error, const QString& message)
{
    *error = message;
    return false;
}

// Seeds `scale` into a fresh data dir: the embedded server creates both schemas and the admin, then users,
// experiments and grants go straight into the stores (one shared password hash: hashing 2,000 passwords at
// 600,000 PBKDF2 rounds would take minutes and measure nothing). Grants are spread deterministically: user i
// gets grants/users distinct experiments with READ, EDIT and MANAGE in turn.
// Reads a --name N option; nullopt for a value that is not a count.
std::optional<int> intOption(const QStringList& arguments, const QString& name, int fallback)
{
    const qsizetype at = arguments.indexOf(name);
    if (at < 0)
        return fallback;
    bool ok = false;
    const int value = arguments.value(at + 1).toInt(&ok);
    if (!ok || value < 0)
        return std::nullopt;
    return value;
}

bool seed(const QString& dataDir, const Scale& scale, QString* error)
{
    {
        EmbeddedServerOptions options;
        options.port = 0;
        options.dataDir = dataDir;
        options.configPath = writeConfig(dataDir);
        EmbeddedServer server(options);
        if (!server.start(error))
            return false;
    }
    const QString authName = QStringLiteral("bench-seed-auth");
    const QString trackingName = QStringLiteral("bench-seed-tracking");
    {
        QSqlDatabase authDb = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), authName);
        authDb.setDatabaseName(QDir(dataDir).filePath(QStringLiteral("basic_auth.db")));
        QSqlDatabase trackingDb = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), trackingName);
        trackingDb.setDatabaseName(QDir(dataDir).filePath(QStringLiteral("mlflow.db")));
        if (!authDb.open() || !trackingDb.open())
            return failWith(error, QStringLiteral("Cannot open the seeded databases in %1").arg(dataDir));
        for (QSqlDatabase* db : {&authDb, &trackingDb})
            QSqlQuery(*db).exec(QStringLiteral("PRAGMA synchronous=OFF"));

        TrackingStore tracking(trackingDb);
        QStringList experimentIds;
        experimentIds.reserve(scale.experiments);
        for (int i = 0; i < scale.experiments; ++i)
            experimentIds.append(tracking.createExperiment(experimentName(i), QString(), QJsonArray()));

        AuthStore auth(authDb);
        QString initError;
        if (!auth.initialize(&initError))
            return failWith(error, initError);
        const QByteArray hash = PasswordHash::generate("bench-user-password");
        const char* levels[] = {"READ", "EDIT", "MANAGE"};
        const int perUser = scale.users > 0 ? scale.grants / scale.users : 0;
        int extra = scale.users > 0 ? scale.grants % scale.users : 0;
        authDb.transaction();
        int granted = 0;
        for (int u = 0; u < scale.users; ++u) {
            const UserRecord user = auth.createUser(userName(u), hash, false);
            const int count = perUser + (extra-- > 0 ? 1 : 0);
            for (int g = 0; g < count && !experimentIds.isEmpty(); ++g) {
                // A stride coprime with most sizes spreads each user's grants across the experiments.
                const qsizetype e = (static_cast<qsizetype>(u) * 7919 + g * 104729) % experimentIds.size();
                if (auth.permission(ResourceKind::Experiment, experimentIds.at(e), user.id))
                    continue;
                auth.createGrant(ResourceKind::Experiment, experimentIds.at(e), user, QLatin1String(levels[g % 3]));
                ++granted;
            }
        }
        if (!authDb.commit())
            return failWith(error, QStringLiteral("Cannot commit the seeded grants"));
        if (granted != scale.grants)
            return failWith(error, QStringLiteral("Seeded %1 grants instead of %2 (the spread repeated an "
                                                  "experiment); pick other sizes")
                                       .arg(granted)
                                       .arg(scale.grants));
    }
    QSqlDatabase::removeDatabase(authName);
    QSqlDatabase::removeDatabase(trackingName);
    return true;
}

} // namespace

std::optional<Options> parseOptions(const QStringList& arguments)
{
    const auto users = intOption(arguments, QStringLiteral("--users"), 2000);
    const auto experiments = intOption(arguments, QStringLiteral("--experiments"), 20000);
    const auto grants = intOption(arguments, QStringLiteral("--grants"), 50000);
    const auto changes = intOption(arguments, QStringLiteral("--changes"), 10000);
    const auto runs = intOption(arguments, QStringLiteral("--runs"), 3);
    if (!users || !experiments || !grants || !changes || !runs || *runs < 1 || *users < 1) {
        report(QStringLiteral("Usage: %1 [--users N] [--experiments N] [--grants N] [--changes N] [--runs N]")
                   .arg(QCoreApplication::applicationName()));
        return std::nullopt;
    }
    return Options{Scale{*users, *experiments, *grants}, *changes, *runs};
}

std::optional<int> runSeedOnly(const QStringList& arguments, const Scale& scale)
{
    if (arguments.value(0) != QLatin1String("--seed-only"))
        return std::nullopt;
    QString error;
    if (!seed(arguments.value(1), scale, &error)) {
        report(error);
        return 1;
    }
    return 0;
}

bool seedInChild(const QString& dataDir, const QStringList& arguments, const Scale& scale)
{
    QElapsedTimer timer;
    timer.start();
    QProcess seeder;
    seeder.setProcessChannelMode(QProcess::ForwardedChannels);
    seeder.start(QCoreApplication::applicationFilePath(),
                 QStringList{QStringLiteral("--seed-only"), dataDir} + arguments);
    if (!seeder.waitForFinished(-1) || seeder.exitStatus() != QProcess::NormalExit || seeder.exitCode() != 0) {
        report(QStringLiteral("Seeding %1 failed.").arg(dataDir));
        return false;
    }
    report(QStringLiteral("Seeded %1 users, %2 experiments, %3 grants in %4 s")
               .arg(scale.users)
               .arg(scale.experiments)
               .arg(scale.grants)
               .arg(timer.nsecsElapsed() / 1e9, 0, 'f', 1));
    return true;
}

} // namespace Bench

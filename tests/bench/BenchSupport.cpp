#include "BenchSupport.h"

#include "server/AuthStore.h"
#include "server/EmbeddedServer.h"
#include "server/MlflowError.h"
#include "server/PasswordHash.h"
#include "server/RbacStore.h"
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

// The experiment a user's g-th direct grant is on: a stride coprime with most sizes spreads each user's grants
// across the experiments.
qsizetype spreadExperiment(int user, int g, qsizetype experiments)
{
    return (static_cast<qsizetype>(user) * 7919 + g * 104729) % experiments;
}

// The embedded server of `dialect` creates both schemas and the admin in a fresh data dir.
bool createSchemas(const QString& dataDir, const Dialect& dialect, QString* error)
{
    EmbeddedServerOptions options;
    options.port = 0;
    options.dataDir = dataDir;
    options.configPath = writeConfig(dataDir);
    options.dialect = dialect;
    EmbeddedServer server(options);
    return server.start(error);
}

QStringList seedExperiments(QSqlDatabase trackingDb, const Scale& scale)
{
    TrackingStore tracking(trackingDb);
    QStringList experimentIds;
    experimentIds.reserve(scale.experiments);
    for (int i = 0; i < scale.experiments; ++i)
        experimentIds.append(tracking.createExperiment(experimentName(i), QString(), QJsonArray()));
    return experimentIds;
}

// MLflow 3.14's schema: half the grants direct (in each user's hidden role, spread like the 2.x seed), the other
// half as experiment permissions of rbacRoles roles, with user i a member of role i % rbacRoles. A role's k-th
// permission is on experiment (role * 1013 + k * 7) mod experiments: distinct within a role while k stays below
// the experiment count.
bool seedRbac(QSqlDatabase authDb, const QStringList& experimentIds, const Scale& scale, QString* error)
{
    RbacStore auth(authDb);
    QString initError;
    if (!auth.initialize(&initError))
        return failWith(error, initError);
    const QString experiment = QStringLiteral("experiment");
    const QByteArray hash = PasswordHash::generate("bench-user-password");
    const char* levels[] = {"READ", "EDIT", "MANAGE"};
    const int direct = scale.grants / 2;
    const int throughRoles = scale.grants - direct;
    const int perUser = direct / scale.users;
    int extra = direct % scale.users;
    // No enclosing transaction: the store's writes run their own (a nested BEGIN would fail and the first inner
    // COMMIT end ours); with synchronous=OFF each costs little.
    QList<qint64> roleIds;
    const int roles = experimentIds.isEmpty() ? 0 : rbacRoles;
    for (int r = 0; r < roles; ++r) {
        const RoleRecord role = auth.createRole(QStringLiteral("bench-role-%1").arg(r, 2, 10, QLatin1Char('0')),
                                                defaultWorkspace, QStringLiteral("Seeded by the benchmark"));
        roleIds.append(role.id);
        const int permissions = throughRoles / roles + (r < throughRoles % roles ? 1 : 0);
        if (permissions > experimentIds.size())
            return failWith(error, QStringLiteral("A role cannot hold %1 grants on %2 experiments; pick other sizes")
                                       .arg(permissions)
                                       .arg(experimentIds.size()));
        for (int k = 0; k < permissions; ++k) {
            const qsizetype e =
                (static_cast<qsizetype>(r) * 1013 + static_cast<qsizetype>(k) * 7) % experimentIds.size();
            auth.addRolePermission(role.id, experiment, experimentIds.at(e), QLatin1String(levels[k % 3]));
        }
    }
    int granted = 0;
    for (int u = 0; u < scale.users; ++u) {
        const UserRecord user = auth.createUser(userName(u), hash, false);
        if (!roleIds.isEmpty())
            auth.assign(user.id, roleIds.at(u % roleIds.size()));
        const int count = perUser + (extra-- > 0 ? 1 : 0);
        QSet<qsizetype> taken;
        for (int g = 0; g < count && !experimentIds.isEmpty(); ++g) {
            const qsizetype e = spreadExperiment(u, g, experimentIds.size());
            if (taken.contains(e))
                continue;
            taken.insert(e);
            auth.upsertUserGrant(user.id, defaultWorkspace, experiment, experimentIds.at(e),
                                 QLatin1String(levels[g % 3]));
            ++granted;
        }
    }
    if (granted != direct)
        return failWith(error, QStringLiteral("Seeded %1 direct grants instead of %2 (the spread repeated an "
                                              "experiment); pick other sizes")
                                   .arg(granted)
                                   .arg(direct));
    return true;
}

// MLflow 2.15.1's schema: one per-resource row per grant, user i holding grants/users of them (spreadExperiment).
bool seedLegacy(QSqlDatabase authDb, const QStringList& experimentIds, const Scale& scale, QString* error)
{
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
            const qsizetype e = spreadExperiment(u, g, experimentIds.size());
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
    return true;
}

bool seed(const QString& dataDir, const Scale& scale, Api api, QString* error)
{
    Dialect dialect;
    if (api == Api::Mlflow3)
        dialect.generation = Dialect::Generation::Mlflow3;
    if (!createSchemas(dataDir, dialect, error))
        return false;
    const QString authName = QStringLiteral("bench-seed-auth");
    const QString trackingName = QStringLiteral("bench-seed-tracking");
    bool seeded = false;
    {
        QSqlDatabase authDb = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), authName);
        authDb.setDatabaseName(QDir(dataDir).filePath(QStringLiteral("basic_auth.db")));
        QSqlDatabase trackingDb = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), trackingName);
        trackingDb.setDatabaseName(QDir(dataDir).filePath(QStringLiteral("mlflow.db")));
        if (!authDb.open() || !trackingDb.open()) {
            *error = QStringLiteral("Cannot open the seeded databases in %1").arg(dataDir);
        } else {
            for (QSqlDatabase* db : {&authDb, &trackingDb})
                QSqlQuery(*db).exec(QStringLiteral("PRAGMA synchronous=OFF"));
            const QStringList experimentIds = seedExperiments(trackingDb, scale);
            try {
                seeded = api == Api::Mlflow3 ? seedRbac(authDb, experimentIds, scale, error)
                                             : seedLegacy(authDb, experimentIds, scale, error);
            } catch (const MlflowError& e) {
                *error = QStringLiteral("Seeding the auth database failed: %1").arg(e.message());
            }
        }
    }
    // Only once every handle above is gone, or Qt warns that the connections are still in use.
    QSqlDatabase::removeDatabase(authName);
    QSqlDatabase::removeDatabase(trackingName);
    return seeded;
}

} // namespace

// "2", "3" or "2,3"; nullopt for anything else.
std::optional<QList<Api>> apisOption(const QStringList& arguments, const QList<Api>& fallback)
{
    const qsizetype at = arguments.indexOf(QStringLiteral("--api"));
    if (at < 0)
        return fallback;
    QList<Api> apis;
    for (const QString& part : arguments.value(at + 1).split(QLatin1Char(','))) {
        if (part == QLatin1String("2"))
            apis.append(Api::Mlflow2);
        else if (part == QLatin1String("3"))
            apis.append(Api::Mlflow3);
        else
            return std::nullopt;
    }
    return apis;
}

std::optional<Options> parseOptions(const QStringList& arguments, const QList<Api>& defaultApis)
{
    const auto users = intOption(arguments, QStringLiteral("--users"), 2000);
    const auto experiments = intOption(arguments, QStringLiteral("--experiments"), 20000);
    const auto grants = intOption(arguments, QStringLiteral("--grants"), 50000);
    const auto changes = intOption(arguments, QStringLiteral("--changes"), 10000);
    const auto runs = intOption(arguments, QStringLiteral("--runs"), 3);
    const auto apis = apisOption(arguments, defaultApis);
    if (!users || !experiments || !grants || !changes || !runs || !apis || *runs < 1 || *users < 1) {
        report(QStringLiteral("Usage: %1 [--users N] [--experiments N] [--grants N] [--changes N] [--runs N] "
                              "[--api 2|3|2,3]")
                   .arg(QCoreApplication::applicationName()));
        return std::nullopt;
    }
    return Options{Scale{*users, *experiments, *grants}, *changes, *runs, *apis};
}

std::optional<int> runSeedOnly(const QStringList& arguments, const Scale& scale)
{
    if (arguments.value(0) != QLatin1String("--seed-only"))
        return std::nullopt;
    const Api api = arguments.value(3) == QLatin1String("3") ? Api::Mlflow3 : Api::Mlflow2;
    QString error;
    if (!seed(arguments.value(1), scale, api, &error)) {
        report(error);
        return 1;
    }
    return 0;
}

bool seedInChild(const QString& dataDir, const QStringList& arguments, const Scale& scale, Api api)
{
    QElapsedTimer timer;
    timer.start();
    QProcess seeder;
    seeder.setProcessChannelMode(QProcess::ForwardedChannels);
    seeder.start(QCoreApplication::applicationFilePath(),
                 QStringList{QStringLiteral("--seed-only"), dataDir, QStringLiteral("--seed-api"),
                             api == Api::Mlflow3 ? QStringLiteral("3") : QStringLiteral("2")} +
                     arguments);
    if (!seeder.waitForFinished(-1) || seeder.exitStatus() != QProcess::NormalExit || seeder.exitCode() != 0) {
        report(QStringLiteral("Seeding %1 failed.").arg(dataDir));
        return false;
    }
    report(QStringLiteral("Seeded %1 (%2): %3 users, %4 experiments, %5 grants in %6 s")
               .arg(apiLabel(api), api == Api::Mlflow3
                                       ? QStringLiteral("half direct, half through %1 roles").arg(rbacRoles)
                                       : QStringLiteral("per-resource rows"))
               .arg(scale.users)
               .arg(scale.experiments)
               .arg(scale.grants)
               .arg(timer.nsecsElapsed() / 1e9, 0, 'f', 1));
    return true;
}

} // namespace Bench

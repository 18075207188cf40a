#include "CliRunner.h"
#include "Generations.h"
#include "ServerFixture.h"

#include "models/AccessSnapshot.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

// `snapshot save` and `diff` through the real mlflow-admin-cli binary, against a fresh embedded demo server of each
// generation (each test changes grants, so none shares a server).
class TestCliSnapshot : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_home.isValid()); }

    void oneGrantIsExactlyTheDifference_data() { Generations::addRows(); }
    void oneGrantIsExactlyTheDifference();
    void diffJsonHasTheDocumentedKeys();
    void wrongFilesAreRefused();

private:
    // A fresh demo server for `generation`, the CLI pointed at it.
    bool startServer(const Dialect& generation);
    // The CLI with the user names from the server's auth database on 2.15.1 (it has no users/list).
    CliResult run(QStringList arguments, bool withUserSource = true) const;
    QString path(const QString& name) const { return m_home.filePath(name); }
    // Gives user2 READ on /user1/experiment1: a direct grant on 2.x, through a new role `readers` on 3.14.
    bool grantUser2Read();
    static QJsonObject readJson(const QString& path);

    QTemporaryDir m_home;
    std::unique_ptr<ServerFixture> m_server;
    bool m_mlflow3 = false;
    CliRunner m_cli{QStringLiteral(MLFLOW_ADMIN_CLI_PATH), m_home.path()};
};

bool TestCliSnapshot::startServer(const Dialect& generation)
{
    m_server.reset();
    m_server =
        std::make_unique<ServerFixture>(true, QStringLiteral("NO_PERMISSIONS"), QString(), QString(), generation);
    if (!m_server->started()) {
        qWarning() << m_server->error();
        return false;
    }
    m_mlflow3 = generation.isMlflow3();
    m_cli.setUrl(m_server->server().url().toString());
    return true;
}

CliResult TestCliSnapshot::run(QStringList arguments, bool withUserSource) const
{
    if (withUserSource && !m_mlflow3 && m_server)
        arguments << QStringLiteral("--auth-db")
                  << QStringLiteral("sqlite:///") + m_server->dataDir() + QStringLiteral("/basic_auth.db");
    return m_cli.run(arguments);
}

bool TestCliSnapshot::grantUser2Read()
{
    const QString experiment = QStringLiteral("/user1/experiment1");
    QList<QStringList> steps;
    if (m_mlflow3) {
        steps = {{"roles", "create", "readers"},
                 {"roles", "grant", "readers", "READ", "--experiment", experiment},
                 {"roles", "assign", "readers", "user2"}};
    } else {
        steps = {{"grant", "user2", "READ", "--experiment", experiment}};
    }
    for (const QStringList& step : steps) {
        const CliResult result = run(step, false);
        if (result.exitCode != 0) {
            qWarning() << step << result.describe();
            return false;
        }
    }
    return true;
}

QJsonObject TestCliSnapshot::readJson(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

void TestCliSnapshot::oneGrantIsExactlyTheDifference()
{
    QFETCH(Dialect, generation);
    QVERIFY(startServer(generation));
    const QString before = path(QStringLiteral("before.json"));
    const QString after = path(QStringLiteral("after.json"));
    QFile::remove(before);
    QFile::remove(after);

    CliResult result = run({"snapshot", "save", before, "--default-permission", "NO_PERMISSIONS"});
    QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));
    QVERIFY2(result.out.contains(QLatin1String("Saved the access snapshot")), qPrintable(result.out));
    QCOMPARE(QFile::permissions(before) & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
             QFile::Permissions());
    QFile file(before);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QString error;
    const auto snapshot = AccessSnapshot::fromJson(file.readAll(), &error);
    QVERIFY2(snapshot, qPrintable(error));
    QCOMPARE(snapshot->serverUrl(), m_cli.url());
    QCOMPARE(snapshot->generation(), m_mlflow3 ? ApiGeneration::Rbac : ApiGeneration::Legacy);
    QVERIFY(snapshot->mlflowVersion().startsWith(m_mlflow3 ? QLatin1String("3.14") : QLatin1String("2.15.1")));
    QCOMPARE(snapshot->mlflowAccount(), QStringLiteral("admin"));
    QCOMPARE(snapshot->defaultPermission(), std::optional<PermissionLevel>(PermissionLevel::NoPermissions));
    QVERIFY(snapshot->user(QStringLiteral("user2")));

    // A snapshot against itself and against the unchanged server: no difference.
    result = run({"diff", before, before}, false);
    QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));
    QVERIFY(result.out.contains(QLatin1String("No differences.")));
    result = run({"diff", before, "--live"});
    QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));

    QVERIFY(grantUser2Read());
    result = run({"snapshot", "save", after, "--default-permission", "NO_PERMISSIONS", "--json"});
    QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));
    QCOMPARE(result.json().value("cells").toInt(), static_cast<int>(snapshot->cells().size()) + 1);

    result = run({"diff", before, after}, false);
    QVERIFY2(result.exitCode == 1, qPrintable(result.describe()));
    QVERIFY2(result.out.contains(QLatin1String("+READ")), qPrintable(result.out));
    QVERIFY(result.out.contains(QLatin1String("/user1/experiment1")));

    result = run({"diff", before, after, "--json"}, false);
    QCOMPARE(result.exitCode, 1);
    const QJsonObject diff = result.json();
    QCOMPARE(diff.value("identical").toBool(true), false);
    for (const char* empty :
         {"header_changes", "users_added", "users_removed", "admin_changes", "resources_added", "resources_removed"})
        QVERIFY2(diff.value(QLatin1String(empty)).toArray().isEmpty(), empty);
    const QJsonArray cells = diff.value("cells").toArray();
    QCOMPARE(cells.size(), 1);
    const QJsonObject cell = cells.at(0).toObject();
    QCOMPARE(cell.value("user").toString(), QStringLiteral("user2"));
    QCOMPARE(cell.value("resource_type").toString(), QStringLiteral("experiment"));
    QCOMPARE(cell.value("resource_name").toString(), QStringLiteral("/user1/experiment1"));
    QCOMPARE(cell.value("change").toString(), QStringLiteral("gained"));
    const QJsonObject was = cell.value("before").toObject();
    QCOMPARE(was.value("level").toString(), QStringLiteral("NO_PERMISSIONS"));
    QCOMPARE(was.value("source").toString(), QStringLiteral("default_permission"));
    const QJsonObject is = cell.value("after").toObject();
    QCOMPARE(is.value("level").toString(), QStringLiteral("READ"));
    if (m_mlflow3) {
        QCOMPARE(is.value("source").toString(), QStringLiteral("role"));
        QCOMPARE(is.value("role").toString(), QStringLiteral("readers"));
        QVERIFY(is.value("reason").toString().contains(QLatin1String("readers")));
    } else {
        QCOMPARE(is.value("source").toString(), QStringLiteral("explicit_grant"));
    }

    // The server now is the later snapshot, not the earlier one; the reverse direction loses the access.
    result = run({"diff", after, "--live"});
    QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));
    result = run({"diff", before, "--live", "--json"});
    QCOMPARE(result.exitCode, 1);
    QCOMPARE(result.json().value("cells").toArray().size(), 1);
    QCOMPARE(result.json().value("after").toObject().value("source").toString(), QStringLiteral("live"));
    result = run({"diff", after, before, "--json"}, false);
    QCOMPARE(result.exitCode, 1);
    QCOMPARE(result.json().value("cells").toArray().at(0).toObject().value("change").toString(),
             QStringLiteral("lost"));
}

void TestCliSnapshot::diffJsonHasTheDocumentedKeys()
{
    QVERIFY(startServer(Generations::mlflow2()));
    const QString before = path(QStringLiteral("keys-before.json"));
    const QString after = path(QStringLiteral("keys-after.json"));
    QCOMPARE(run({"snapshot", "save", before, "--default-permission", "NO_PERMISSIONS"}).exitCode, 0);
    // A new user, a new experiment and another default permission: each part of the schema gets a row.
    QCOMPARE(run({"users", "create", "carol", "--generate-password"}, false).exitCode, 0);
    QCOMPARE(run({"snapshot", "save", after, "--default-permission", "READ"}).exitCode, 0);

    const CliResult result = run({"diff", before, after, "--json"}, false);
    QCOMPARE(result.exitCode, 1);
    const QJsonObject diff = result.json();
    QCOMPARE(diff.value("format").toString(), QStringLiteral("mlflow-admin-snapshot-diff"));
    QCOMPARE(diff.value("version").toInt(), 1);
    for (const char* key : {"before", "after"}) {
        const QJsonObject side = diff.value(QLatin1String(key)).toObject();
        QVERIFY(side.contains("source") && side.contains("taken_at") && side.contains("server_url"));
    }
    QCOMPARE(diff.value("before").toObject().value("source").toString(), QStringLiteral("keys-before.json"));
    const QJsonArray headers = diff.value("header_changes").toArray();
    QCOMPARE(headers.size(), 1);
    QCOMPARE(headers.at(0).toObject().value("field").toString(), QStringLiteral("default_permission"));
    QCOMPARE(headers.at(0).toObject().value("before").toString(), QStringLiteral("NO_PERMISSIONS"));
    QCOMPARE(headers.at(0).toObject().value("after").toString(), QStringLiteral("READ"));
    const QJsonArray added = diff.value("users_added").toArray();
    QCOMPARE(added.size(), 1);
    QCOMPARE(added.at(0).toObject().value("username").toString(), QStringLiteral("carol"));
    QCOMPARE(added.at(0).toObject().value("is_admin").toBool(true), false);
    // READ by default: user2 gains READ on user1's experiments (it manages its own already), carol on all.
    bool user2Gained = false;
    int carolCells = 0;
    for (const QJsonValue& value : diff.value("cells").toArray()) {
        const QJsonObject cell = value.toObject();
        for (const char* key : {"user", "resource_type", "resource_id", "resource_name", "change", "before", "after"})
            QVERIFY2(cell.contains(QLatin1String(key)), key);
        if (cell.value("user").toString() == QLatin1String("carol")) {
            ++carolCells;
            QVERIFY(cell.value("before").isNull()); // carol did not exist
            QCOMPARE(cell.value("after").toObject().value("source").toString(), QStringLiteral("default_permission"));
        }
        if (cell.value("user").toString() == QLatin1String("user2") &&
            cell.value("resource_name").toString() == QLatin1String("/user1/experiment1"))
            user2Gained = cell.value("change").toString() == QLatin1String("gained");
    }
    QVERIFY(user2Gained);
    QFile file(after);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QString error;
    const auto snapshot = AccessSnapshot::fromJson(file.readAll(), &error);
    QVERIFY2(snapshot, qPrintable(error));
    QCOMPARE(carolCells, static_cast<int>(snapshot->resources().size()));
}

void TestCliSnapshot::wrongFilesAreRefused()
{
    const QString good = path(QStringLiteral("good.json"));
    const QString broken = path(QStringLiteral("broken.json"));
    const QString newer = path(QStringLiteral("newer.json"));
    QVERIFY(startServer(Generations::mlflow2()));
    QCOMPARE(run({"snapshot", "save", good, "--default-permission", "NO_PERMISSIONS"}).exitCode, 0);
    QJsonObject root = readJson(good);
    QVERIFY(!root.isEmpty());
    QFile file(broken);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(QJsonDocument(root).toJson().replace("\"cells\"", "\"cells\" 1,"));
    file.close();
    root.insert("version", 7);
    QFile newerFile(newer);
    QVERIFY(newerFile.open(QIODevice::WriteOnly | QIODevice::Truncate));
    newerFile.write(QJsonDocument(root).toJson());
    newerFile.close();

    CliResult result = run({"diff", broken, good}, false);
    QCOMPARE(result.exitCode, 2);
    QVERIFY2(result.err.contains(QLatin1String("broken.json")) && result.err.contains(QLatin1String("not JSON")),
             qPrintable(result.err));
    result = run({"diff", good, broken}, false);
    QCOMPARE(result.exitCode, 2);
    result = run({"diff", newer, good, "--json"}, false);
    QCOMPARE(result.exitCode, 2);
    const QJsonObject refusal = result.json().value("error").toObject();
    QCOMPARE(refusal.value("exit_code").toInt(), 2);
    QCOMPARE(refusal.value("kind").toString(), QStringLiteral("InvalidSnapshot"));
    QVERIFY2(refusal.value("message").toString().contains(QLatin1String("format version 7")), qPrintable(result.out));
    result = run({"diff", path(QStringLiteral("missing.json")), good}, false);
    QCOMPARE(result.exitCode, 2);
    QVERIFY2(result.err.contains(QLatin1String("Cannot read the snapshot")), qPrintable(result.err));
    // An invalid A is refused before the server is asked.
    result = run({"diff", broken, "--live"});
    QCOMPARE(result.exitCode, 2);
    result = run({"diff", good}, false);
    QCOMPARE(result.exitCode, 2);
    QVERIFY2(result.err.contains(QLatin1String("--live")), qPrintable(result.err));
    result = run({"diff", good, good, "--live"}, false);
    QCOMPARE(result.exitCode, 2);
    // A server that cannot be reached is trouble, not a difference.
    m_server.reset();
    result = run({"diff", good, "--live"}, false);
    QVERIFY2(result.exitCode >= 2, qPrintable(result.describe()));
}

QTEST_GUILESS_MAIN(TestCliSnapshot)
#include "tst_cli_snapshot.moc"

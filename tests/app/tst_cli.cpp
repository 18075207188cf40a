#include "CliRunner.h"
#include "Generations.h"
#include "MariaDbServer.h"
#include "PostgresServer.h"
#include "RawHttpClient.h"
#include "ServerFixture.h"

#include "api/KnownUsersRegistry.h"
#include "server/DemoData.h"
#include "services/CredentialStore.h"
#include "services/ProfileStore.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

// Drives the real mlflow-admin-cli binary against an embedded demo server living in this test's thread. The
// server only answers while our event loop spins, so every wait goes through QSignalSpy::wait, never
// QProcess::waitForFinished().
class TestCli : public QObject
{
    Q_OBJECT

private:
    using Result = CliResult;

    // Runs the CLI as admin against the demo server; see CliRunner::run().
    Result run(const QStringList& arguments, const QMap<QString, QString>& environment = {},
               const QByteArray& input = QByteArray())
    {
        return m_cli.run(arguments, environment, input);
    }

    QString authDbUri() const
    {
        // An absolute path after sqlite:/// gives MLflow's four slashes.
        return QStringLiteral("sqlite:///") + m_fixture->dataDir() + QStringLiteral("/basic_auth.db");
    }

    // The tests that must hold on every generation run once per row of Generations::addRows():
    // `QFETCH(Dialect, generation); useGeneration(generation);`.
    static void addGenerations(bool withWorkspaces = false) { Generations::addRows(withWorkspaces); }

    // Points the CLI at that generation's demo server until the test ends (cleanup() goes back to 2.15.1); false
    // (after a warning) when the server did not start. The servers are built once per generation and shared by
    // the test functions, like the 2.15.1 one of initTestCase().
    bool useGeneration(const Dialect& generation)
    {
        ServerFixture& fixture = m_fixtures.of(generation);
        if (!fixture.started()) {
            qWarning() << fixture.error();
            return false;
        }
        m_mlflow3 = generation.isMlflow3();
        m_cli.setUrl(fixture.server().url().toString());
        return true;
    }
    // The URL of the server the CLI talks to now.
    QString currentUrl() const { return m_cli.url(); }

    // Where commands that load every user take the names from: 2.15.1 has no users/list, so its auth database.
    QStringList userSource() const
    {
        if (m_mlflow3)
            return {};
        return {QStringLiteral("--auth-db"), authDbUri()};
    }

    // The explicit or effective level of `username` on experiment `name`, from `access --experiment --json`.
    QJsonObject accessRow(const QString& experiment, const QString& username)
    {
        const Result result = run(QStringList{QStringLiteral("access"), QStringLiteral("--experiment"), experiment,
                                              QStringLiteral("--json")} +
                                  userSource());
        if (result.exitCode != 0)
            return QJsonObject{{QStringLiteral("error"), result.err}};
        const QJsonArray rows = result.json().value(QStringLiteral("access")).toArray();
        for (const QJsonValue& row : rows) {
            if (row.toObject().value(QStringLiteral("username")).toString() == username)
                return row.toObject();
        }
        return {};
    }

    // `mlflow-admin-cli serve ARGUMENTS --port 0 --data-dir DIR` in the background; the banner lines once it listens
    // (empty when it did not start within 30 s), and its port.
    struct Served
    {
        QString banner;
        quint16 port = 0;
    };
    Served startServe(QProcess& process, const QStringList& arguments, const QString& dataDir)
    {
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(
            QStringLiteral(MLFLOW_ADMIN_CLI_PATH),
            QStringList{QStringLiteral("serve")} + arguments +
                QStringList{QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--data-dir"), dataDir});
        QByteArray output;
        QElapsedTimer timer;
        timer.start();
        while (!output.contains("Ctrl-C") && process.state() != QProcess::NotRunning && timer.elapsed() < 30000) {
            QTest::qWait(20);
            output += process.readAll();
        }
        Served served;
        if (!output.contains("Ctrl-C"))
            return served;
        served.banner = QString::fromUtf8(output);
        static const QRegularExpression portPattern(QStringLiteral("http://127\\.0\\.0\\.1:(\\d+)"));
        served.port = static_cast<quint16>(portPattern.match(served.banner).captured(1).toUInt());
        return served;
    }

    // `serve --api 3 --demo` on a data dir inside `dir`.
    Served startApi3Demo(QProcess& process, const QTemporaryDir& dir)
    {
        return startServe(process, {QStringLiteral("--api"), QStringLiteral("3"), QStringLiteral("--demo")},
                          dir.filePath(QStringLiteral("data")));
    }

    static QList<QPair<QByteArray, QByteArray>> basicAuth(const QString& username, const QString& password,
                                                          const QByteArray& workspace = QByteArray())
    {
        QList<QPair<QByteArray, QByteArray>> headers{
            {"Authorization", "Basic " + (username + QLatin1Char(':') + password).toUtf8().toBase64()}};
        if (!workspace.isNull())
            headers.append({"X-MLFLOW-WORKSPACE", workspace});
        return headers;
    }

    // The experiment names `username` sees through the 2.0 search, which both generations serve.
    static QStringList experimentsVisibleTo(quint16 port, const QString& username, const QString& password,
                                            const QByteArray& workspace = QByteArray())
    {
        RawHttpClient client(QStringLiteral("127.0.0.1"), port);
        const auto response = client.send("GET", "/api/2.0/mlflow/experiments/search?max_results=100",
                                          basicAuth(username, password, workspace), {}, false);
        if (response.status != 200)
            return {QStringLiteral("HTTP %1").arg(response.status)};
        QStringList names;
        const QJsonArray experiments =
            QJsonDocument::fromJson(response.body).object().value(QStringLiteral("experiments")).toArray();
        for (const QJsonValue& experiment : experiments)
            names.append(experiment.toObject().value(QStringLiteral("name")).toString());
        names.sort();
        return names;
    }

    // What the known-users registry holds for the server at `url`, username -> origin: the file the CLI wrote
    // under this test's data folder, named as KnownUsersRegistry::defaultFilePath() names the console's.
    QMap<QString, QString> knownUsersOf(const QString& url) const
    {
        const QString name = QFileInfo(KnownUsersRegistry::defaultFilePath(QString(), QUrl(url))).fileName();
        const QString path = m_home.filePath(QStringLiteral("data/mlflow-admin/known-users/")) + name;
        QMap<QString, QString> origins;
        if (!QFileInfo::exists(path))
            return origins;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("known-users-check"));
            db.setDatabaseName(path);
            if (db.open()) {
                QSqlQuery query(db);
                query.exec(QStringLiteral("SELECT username, origin FROM known_users"));
                while (query.next())
                    origins.insert(query.value(0).toString(), query.value(1).toString());
            }
        }
        QSqlDatabase::removeDatabase(QStringLiteral("known-users-check"));
        return origins;
    }

    // Creates users directly on the server, as another administrator would, so that the CLI has not seen them.
    static bool createUsersBehindTheCli(quint16 port, const QStringList& usernames, const QString& prefix)
    {
        RawHttpClient client(QStringLiteral("127.0.0.1"), port);
        auto headers = basicAuth(DemoData::adminUsername, DemoData::adminPassword);
        headers.append(qMakePair(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")));
        for (const QString& username : usernames) {
            const QByteArray body =
                QJsonDocument(QJsonObject{{QStringLiteral("username"), username},
                                          {QStringLiteral("password"), username + QStringLiteral("-password")}})
                    .toJson(QJsonDocument::Compact);
            if (client.send("POST", prefix.toLatin1() + "/users/create", headers, body, true).status != 200)
                return false;
        }
        return true;
    }

    static void stopServe(QProcess& process)
    {
        process.terminate();
        QTRY_VERIFY_WITH_TIMEOUT(process.state() == QProcess::NotRunning, 10000);
        QCOMPARE(process.exitCode(), 0);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        m_fixture = &m_fixtures.of(Generations::mlflow2());
        QVERIFY2(m_fixture->started(), qPrintable(m_fixture->error()));
        m_url = m_fixture->server().url().toString();
        m_cli.setUrl(m_url);
        QVERIFY(useGeneration(Generations::mlflow3()));
        m_fixture3 = &m_fixtures.of(Generations::mlflow3());
        useGeneration(Generations::mlflow2());
    }

    void cleanup() { useGeneration(Generations::mlflow2()); }

    void help()
    {
        const Result result = run({QStringLiteral("--help")});
        QVERIFY(result.finished);
        QCOMPARE(result.exitCode, 0);
        QVERIFY(result.out.contains(QStringLiteral("Exit codes:")));
        QVERIFY(result.out.contains(QStringLiteral("partial failure")));
        QVERIFY(result.out.contains(QStringLiteral("users create")));

        const Result none = run({});
        QCOMPARE(none.exitCode, 2);
        const Result unknown = run({QStringLiteral("frobnicate")});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY(unknown.err.contains(QStringLiteral("--help")));
    }

    void version()
    {
        const Result result = run({QStringLiteral("--version")});
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(
            result.out.startsWith(QStringLiteral("mlflow-admin-cli %1 (Qt ").arg(QStringLiteral(MLFLOW_ADMIN_VERSION))),
            qPrintable(result.out));

        // The console answers too, without a display to open.
        QProcess console;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
            environment.remove(QString::fromLatin1(name));
        console.setProcessEnvironment(environment);
        console.start(QStringLiteral(MLFLOW_ADMIN_GUI_PATH), {QStringLiteral("--version")});
        QVERIFY(console.waitForFinished(30000)); // no server in this test's event loop to starve
        QCOMPARE(console.exitCode(), 0);
        QCOMPARE(QString::fromUtf8(console.readAllStandardOutput()).section(QLatin1String(" (Qt "), 0, 0),
                 QStringLiteral("mlflow-admin %1").arg(QStringLiteral(MLFLOW_ADMIN_VERSION)));
    }

    // The probe names the generation: 2.15.1 is the legacy API without users/list, 3.14 the RBAC API with it, and
    // only the workspaces server says workspaces are on.
    void probe_data() { addGenerations(true); }
    void probe()
    {
        QFETCH(Dialect, generation);
        QVERIFY(useGeneration(generation));
        const Result result = run({QStringLiteral("probe")});
        QVERIFY(result.finished);
        QCOMPARE(result.exitCode, 0);
        const QString version = generation.isMlflow3() ? QStringLiteral("3.14") : QStringLiteral("2.15.1");
        QVERIFY2(result.out.contains(version), qPrintable(result.out));
        QVERIFY(result.out.contains(QStringLiteral("admin")));

        const Result json = run({QStringLiteral("probe"), QStringLiteral("--json")});
        QCOMPARE(json.exitCode, 0);
        const QJsonObject object = json.json();
        QCOMPARE(object.value(QStringLiteral("status")).toString(), QStringLiteral("Ready"));
        QCOMPARE(object.value(QStringLiteral("is_admin")).toBool(), true);
        QVERIFY2(object.value(QStringLiteral("version")).toString().startsWith(version), qPrintable(json.out));
        QCOMPARE(object.value(QStringLiteral("api_generation")).toString(),
                 generation.isMlflow3() ? QStringLiteral("rbac") : QStringLiteral("legacy"));
        QCOMPARE(object.value(QStringLiteral("users_list")).toBool(), generation.isMlflow3());
        if (generation.isMlflow3())
            QCOMPARE(object.value(QStringLiteral("workspaces_enabled")).toBool(), generation.workspaces);
    }

    void explicitUrlAndUserOverrideEnvironment_data() { addGenerations(); }
    void explicitUrlAndUserOverrideEnvironment()
    {
        QFETCH(Dialect, generation);
        QVERIFY(useGeneration(generation));
        const Result result = run({QStringLiteral("--url"), currentUrl(), QStringLiteral("--user"),
                                   QStringLiteral("user1"), QStringLiteral("probe"), QStringLiteral("--json")},
                                  {{QStringLiteral("MLFLOW_TRACKING_URI"), QStringLiteral("http://127.0.0.1:1")},
                                   {QStringLiteral("MLFLOW_TRACKING_PASSWORD"), QStringLiteral("user1-password")}});
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(result.json().value(QStringLiteral("status")).toString(), QStringLiteral("NotAdmin"));
        QCOMPARE(result.json().value(QStringLiteral("username")).toString(), QStringLiteral("user1"));
    }

    void usersListFromAuthDatabase()
    {
        const Result result =
            run({QStringLiteral("users"), QStringLiteral("list"), QStringLiteral("--auth-db"), authDbUri()});
        QVERIFY(result.finished);
        QCOMPARE(result.exitCode, 0);
        for (const QString& name : {QStringLiteral("admin"), QStringLiteral("user1"), QStringLiteral("user2")})
            QVERIFY2(result.out.contains(name), qPrintable(result.out));
        QVERIFY2(result.out.contains(QStringLiteral("source: auth database")), qPrintable(result.out));

        const Result json = run({QStringLiteral("users"), QStringLiteral("list"), QStringLiteral("--auth-db"),
                                 authDbUri(), QStringLiteral("--json")});
        QCOMPARE(json.exitCode, 0);
        QCOMPARE(json.json().value(QStringLiteral("source")).toString(), QStringLiteral("auth_database"));
        QStringList names;
        for (const QJsonValue& user : json.json().value(QStringLiteral("users")).toArray())
            names.append(user.toObject().value(QStringLiteral("username")).toString());
        names.sort();
        QCOMPARE(names, (QStringList{QStringLiteral("admin"), QStringLiteral("user1"), QStringLiteral("user2")}));
    }

    // 2.15.1 has no users/list: the CLI lists the users it knows and says how to get all of them; 3.14 lists every
    // user itself and needs no hint.
    void usersListWithoutUsersEndpointSaysKnownUsers_data() { addGenerations(); }
    void usersListWithoutUsersEndpointSaysKnownUsers()
    {
        QFETCH(Dialect, generation);
        QVERIFY(useGeneration(generation));
        const Result result = run({QStringLiteral("users"), QStringLiteral("list"), QStringLiteral("--json")});
        QCOMPARE(result.exitCode, 0);
        if (generation.isMlflow3()) {
            QCOMPARE(result.json().value(QStringLiteral("source")).toString(), QStringLiteral("server_api"));
            QVERIFY2(!result.err.contains(QStringLiteral("--auth-db")), qPrintable(result.err));
            QStringList names;
            for (const QJsonValue& user : result.json().value(QStringLiteral("users")).toArray())
                names.append(user.toObject().value(QStringLiteral("username")).toString());
            QVERIFY2(names.contains(QStringLiteral("user2")), qPrintable(result.out));
        } else {
            QCOMPARE(result.json().value(QStringLiteral("source")).toString(), QStringLiteral("known_users"));
            QVERIFY(result.err.contains(QStringLiteral("--auth-db")));
        }
    }

    void authDatabasePasswordIsRefusedOnTheCommandLine()
    {
        const Result result = run({QStringLiteral("users"), QStringLiteral("list"), QStringLiteral("--auth-db"),
                                   QStringLiteral("postgresql://mlflow:s3cret-db-pw@127.0.0.1/auth")});
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.err.contains(QStringLiteral("MLFLOW_ADMIN_AUTH_DB_PASSWORD")), qPrintable(result.err));
        QVERIFY(!result.err.contains(QStringLiteral("s3cret")));
        QVERIFY(result.out.isEmpty());
    }

    void matrixShowsTheDemoScenario_data() { addGenerations(); }
    void matrixShowsTheDemoScenario()
    {
        QFETCH(Dialect, generation);
        QVERIFY(useGeneration(generation));
        const Result table = run(QStringList{QStringLiteral("matrix")} + userSource());
        QCOMPARE(table.exitCode, 0);
        QVERIFY2(table.out.contains(QStringLiteral("/user1/experiment1")), qPrintable(table.out));
        QVERIFY(table.out.contains(QStringLiteral("MANAGE (admin)")));

        const Result result = run(
            QStringList{QStringLiteral("matrix"), QStringLiteral("--format"), QStringLiteral("json")} + userSource());
        QCOMPARE(result.exitCode, 0);
        QSet<QString> manage; // "user experiment-name source" for every MANAGE cell
        for (const QJsonValue& value : result.json().value(QStringLiteral("cells")).toArray()) {
            const QJsonObject cell = value.toObject();
            if (cell.value(QStringLiteral("level")).toString() == QLatin1String("MANAGE"))
                manage.insert(cell.value(QStringLiteral("user")).toString() + QLatin1Char(' ') +
                              cell.value(QStringLiteral("resource")).toString() + QLatin1Char(' ') +
                              cell.value(QStringLiteral("source")).toString());
        }
        QVERIFY(manage.contains(QStringLiteral("user1 /user1/experiment1 explicit_grant")));
        QVERIFY(manage.contains(QStringLiteral("user1 /user1/experiment2 explicit_grant")));
        QVERIFY(manage.contains(QStringLiteral("user2 /user2/experiment1 explicit_grant")));
        QVERIFY(!manage.contains(QStringLiteral("user1 /user2/experiment1 explicit_grant")));
        QVERIFY(!manage.contains(QStringLiteral("user2 /user1/experiment1 explicit_grant")));
        const QJsonArray resources = result.json().value(QStringLiteral("resources")).toArray();
        QVERIFY(resources.size() >= 3);
        for (const QJsonValue& resource : resources) {
            const QString name = resource.toObject().value(QStringLiteral("resource_name")).toString();
            QVERIFY2(manage.contains(QStringLiteral("admin ") + name + QStringLiteral(" admin")), qPrintable(name));
        }

        const Result csv = run(
            QStringList{QStringLiteral("matrix"), QStringLiteral("--format"), QStringLiteral("csv")} + userSource());
        QCOMPARE(csv.exitCode, 0);
        QVERIFY(csv.out.startsWith(QStringLiteral("user,resource_type,resource,level")));
        QVERIFY(csv.out.contains(QStringLiteral("user2,experiment,/user2/experiment1,MANAGE")));
    }

    // The long layout lists exactly the CSV's cells, aligned; the wide one is the matrix; `auto` switches to the
    // listing past a dozen resources. CSV and JSON (both written while the cells are produced) list the same cells.
    void matrixLayoutsListTheSameCells()
    {
        // RFC 4180 as the test reads it: a field with a comma, quote or line break is quoted, quotes doubled.
        const auto csvField = [](QString text) {
            if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
                !text.contains(QLatin1Char('\n')))
                return text;
            return QLatin1Char('"') + text.replace(QLatin1Char('"'), QLatin1String("\"\"")) + QLatin1Char('"');
        };
        const auto listing = [&csvField](const QString& out, int skipLines) {
            QSet<QString> rows;
            const QStringList lines = out.split(QLatin1Char('\n'), Qt::SkipEmptyParts).mid(skipLines);
            static const QRegularExpression gap(QStringLiteral("\\s{2,}"));
            for (const QString& line : lines) {
                QStringList fields = line.split(gap).mid(0, 6);
                for (QString& field : fields)
                    field = csvField(field);
                rows.insert(fields.join(QLatin1Char(',')));
            }
            return rows;
        };
        const auto csvRows = [](const QString& out) {
            QStringList lines = out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
            lines.removeFirst();
            return QSet<QString>(lines.cbegin(), lines.cend());
        };

        const Result csv = run(
            QStringList{QStringLiteral("matrix"), QStringLiteral("--format"), QStringLiteral("csv")} + userSource());
        QVERIFY2(csv.exitCode == 0, qPrintable(csv.describe()));
        const Result longTable = run(
            QStringList{QStringLiteral("matrix"), QStringLiteral("--layout"), QStringLiteral("long")} + userSource());
        QVERIFY2(longTable.exitCode == 0, qPrintable(longTable.describe()));
        QVERIFY2(longTable.out.contains(QStringLiteral("Listed: every cell with access or an explicit grant")),
                 qPrintable(longTable.out));
        // Caption, the "Listed" line and the titles come before the rows.
        QCOMPARE(listing(longTable.out, 3), csvRows(csv.out));
        const QSet<QString> demoRows = csvRows(csv.out);
        QVERIFY(std::any_of(demoRows.cbegin(), demoRows.cend(), [](const QString& row) {
            return row.startsWith(QStringLiteral("user1,experiment,/user1/experiment1,MANAGE,")) &&
                   row.endsWith(QStringLiteral(",explicit_grant"));
        }));

        const Result wide = run(
            QStringList{QStringLiteral("matrix"), QStringLiteral("--layout"), QStringLiteral("wide")} + userSource());
        QVERIFY2(wide.exitCode == 0, qPrintable(wide.describe()));
        const QString wideTitles = wide.out.section(QLatin1Char('\n'), 1, 1);
        QVERIFY2(wideTitles.startsWith(QStringLiteral("User")) &&
                     wideTitles.contains(QStringLiteral("/user2/experiment1")),
                 qPrintable(wide.out));
        QCOMPARE(run(QStringList{QStringLiteral("matrix")} + userSource()).out, wide.out); // the demo is small

        const Result bad = run({QStringLiteral("matrix"), QStringLiteral("--layout"), QStringLiteral("sideways")});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains(QStringLiteral("--layout 'sideways'")), qPrintable(bad.err));

        // Past a dozen resources `auto` lists; JSON names the same cells as CSV and every resource.
        ServerFixture large(true);
        QVERIFY2(large.started(), qPrintable(large.error()));
        const QString previousUrl = currentUrl();
        m_cli.setUrl(large.server().url().toString());
        const QStringList largeSource{QStringLiteral("--auth-db"), QStringLiteral("sqlite:///") + large.dataDir() +
                                                                       QStringLiteral("/basic_auth.db")};
        // The same server before the twelve, so that what other tests created on the shared one does not count.
        const Result demoJson = run(
            QStringList{QStringLiteral("matrix"), QStringLiteral("--format"), QStringLiteral("json")} + largeSource);
        RawHttpClient http(QStringLiteral("127.0.0.1"), large.port());
        for (int i = 0; i < 12; ++i) {
            const RawHttpClient::Response created =
                http.send("POST", "/api/2.0/mlflow/experiments/create",
                          {{"Authorization", "Basic " + QByteArray("admin:password1234").toBase64()},
                           {"Content-Type", "application/json"}},
                          i == 0 ? QByteArray("{\"name\": \"/bulk/experiment0, \\\"quoted\\\"\"}")
                                 : QStringLiteral(R"({"name": "/bulk/experiment%1"})").arg(i).toUtf8(),
                          true);
            QCOMPARE(created.status, 200);
        }
        const Result autoTable = run(QStringList{QStringLiteral("matrix")} + largeSource);
        const Result largeCsv =
            run(QStringList{QStringLiteral("matrix"), QStringLiteral("--format"), QStringLiteral("csv")} + largeSource);
        const Result largeJson = run(
            QStringList{QStringLiteral("matrix"), QStringLiteral("--format"), QStringLiteral("json")} + largeSource);
        m_cli.setUrl(previousUrl);
        QVERIFY2(autoTable.exitCode == 0 && largeCsv.exitCode == 0 && largeJson.exitCode == 0,
                 qPrintable(autoTable.describe() + largeCsv.describe() + largeJson.describe()));
        QCOMPARE(listing(autoTable.out, 3), csvRows(largeCsv.out));
        QSet<QString> jsonRows;
        const QStringList keys{QStringLiteral("user"),  QStringLiteral("resource_type"), QStringLiteral("resource"),
                               QStringLiteral("level"), QStringLiteral("resource_id"),   QStringLiteral("source")};
        for (const QJsonValue& value : largeJson.json().value(QStringLiteral("cells")).toArray()) {
            QStringList fields;
            for (const QString& key : keys)
                fields.append(csvField(value.toObject().value(key).toString()));
            QVERIFY(!value.toObject().value(QStringLiteral("reason")).toString().isEmpty());
            jsonRows.insert(fields.join(QLatin1Char(',')));
        }
        QCOMPARE(jsonRows, csvRows(largeCsv.out));
        QVERIFY(std::any_of(jsonRows.cbegin(), jsonRows.cend(), [](const QString& row) {
            return row.startsWith(QStringLiteral("admin,experiment,/bulk/experiment11,MANAGE,"));
        }));
        QVERIFY2(
            largeCsv.out.contains(QStringLiteral("admin,experiment,\"/bulk/experiment0, \"\"quoted\"\"\",MANAGE,")),
            qPrintable(largeCsv.out.left(3000)));
        const auto experimentCount = [](const Result& json) {
            int count = 0;
            for (const QJsonValue& value : json.json().value(QStringLiteral("resources")).toArray())
                count +=
                    value.toObject().value(QStringLiteral("resource_type")).toString() == QLatin1String("experiment");
            return count;
        };
        QCOMPARE(experimentCount(largeJson), experimentCount(demoJson) + 12);
    }

    // The matrix's CSV, edited, is a file `apply` takes: its extra columns are known, and the rows whose level comes
    // from the admin flag (or a role, or the default) are skipped with a note rather than granted explicitly.
    void matrixCsvFeedsApply()
    {
        const Result csv = run(
            QStringList{QStringLiteral("matrix"), QStringLiteral("--format"), QStringLiteral("csv")} + userSource());
        QVERIFY2(csv.exitCode == 0, qPrintable(csv.describe()));
        QStringList lines = csv.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        int edited = 0;
        int adminRows = 0;
        for (QString& line : lines) {
            if (line.startsWith(QStringLiteral("user2,experiment,/user2/experiment1,MANAGE,"))) {
                line.replace(QStringLiteral(",MANAGE,"), QStringLiteral(",READ,"));
                ++edited;
            }
            adminRows += line.endsWith(QStringLiteral(",admin"));
        }
        QCOMPARE(edited, 1);
        QVERIFY(adminRows >= 3);
        const QString path = m_home.filePath(QStringLiteral("matrix-edited.csv"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write((lines.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8());
        file.close();

        const Result plan =
            run(QStringList{QStringLiteral("apply"), path, QStringLiteral("--dry-run"), QStringLiteral("--json")} +
                userSource());
        QVERIFY2(plan.exitCode == 0, qPrintable(plan.describe()));
        QVERIFY2(plan.err.contains(QStringLiteral("skipped, its level comes from 'admin'")), qPrintable(plan.err));
        const QJsonArray rows = plan.json().value(QStringLiteral("rows")).toArray();
        QCOMPARE(rows.size(), lines.size() - 1 - adminRows); // the header and the admin's rows are not planned
        int updates = 0;
        for (const QJsonValue& value : rows) {
            const QJsonObject row = value.toObject();
            QVERIFY(row.value(QStringLiteral("user")).toString() != QLatin1String("admin"));
            if (row.value(QStringLiteral("action")).toString() == QLatin1String("update")) {
                ++updates;
                QCOMPARE(row.value(QStringLiteral("resource")).toString(), QStringLiteral("/user2/experiment1"));
                QCOMPARE(row.value(QStringLiteral("after")).toString(), QStringLiteral("READ"));
            } else {
                QCOMPARE(row.value(QStringLiteral("action")).toString(), QStringLiteral("unchanged"));
            }
        }
        QCOMPARE(updates, 1);

        // Past the columns the header names, a value is still refused.
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write("user,resource_type,resource,level,resource_id,source\n"
                   "user2,experiment,/user2/experiment1,READ,,explicit_grant,oops\n");
        file.close();
        const Result extra =
            run(QStringList{QStringLiteral("apply"), path, QStringLiteral("--dry-run")} + userSource());
        QCOMPARE(extra.exitCode, 2);
        QVERIFY2(extra.err.contains(QStringLiteral("'oops'")), qPrintable(extra.err));
    }

    void grantRevokeRoundTrip_data() { addGenerations(); }
    void grantRevokeRoundTrip()
    {
        QFETCH(Dialect, generation);
        QVERIFY(useGeneration(generation));
        const QString experiment = QStringLiteral("/user1/experiment1");
        QCOMPARE(accessRow(experiment, QStringLiteral("user2")).value(QStringLiteral("source")).toString(),
                 QStringLiteral("unknown"));

        const Result grant = run({QStringLiteral("grant"), QStringLiteral("user2"), QStringLiteral("READ"),
                                  QStringLiteral("--experiment"), experiment});
        QCOMPARE(grant.exitCode, 0);
        QVERIFY2(grant.out.contains(QStringLiteral("READ")), qPrintable(grant.out));
        QJsonObject row = accessRow(experiment, QStringLiteral("user2"));
        QCOMPARE(row.value(QStringLiteral("permission")).toString(), QStringLiteral("READ"));
        QCOMPARE(row.value(QStringLiteral("source")).toString(), QStringLiteral("explicit_grant"));
        QVERIFY(row.value(QStringLiteral("reason")).toString().contains(QStringLiteral("explicit grant")));

        // By id this time, and a level change: an update in place on 2.15.1, revoke then grant on 3.14.
        const Result update = run({QStringLiteral("grant"), QStringLiteral("user2"), QStringLiteral("edit"),
                                   QStringLiteral("--experiment"), QStringLiteral("1"), QStringLiteral("--json")});
        QCOMPARE(update.exitCode, 0);
        QCOMPARE(update.json().value(QStringLiteral("action")).toString(), QStringLiteral("updated"));
        QCOMPARE(update.json().value(QStringLiteral("before")).toString(), QStringLiteral("READ"));
        QCOMPARE(accessRow(experiment, QStringLiteral("user2")).value(QStringLiteral("permission")).toString(),
                 QStringLiteral("EDIT"));

        // access --user: the subject is the last --user; the sign-in account comes from the environment.
        const Result byUser = run(QStringList{QStringLiteral("access"), QStringLiteral("--user"),
                                              QStringLiteral("user2"), QStringLiteral("--json")} +
                                  userSource());
        QCOMPARE(byUser.exitCode, 0);
        QCOMPARE(byUser.json().value(QStringLiteral("username")).toString(), QStringLiteral("user2"));
        bool sawEdit = false;
        for (const QJsonValue& value : byUser.json().value(QStringLiteral("access")).toArray()) {
            const QJsonObject access = value.toObject();
            if (access.value(QStringLiteral("resource_name")).toString() == experiment)
                sawEdit = access.value(QStringLiteral("permission")).toString() == QLatin1String("EDIT");
        }
        QVERIFY(sawEdit);

        const Result revoke =
            run({QStringLiteral("revoke"), QStringLiteral("user2"), QStringLiteral("--experiment"), experiment});
        QCOMPARE(revoke.exitCode, 0);
        QCOMPARE(accessRow(experiment, QStringLiteral("user2")).value(QStringLiteral("source")).toString(),
                 QStringLiteral("unknown"));

        const Result again =
            run({QStringLiteral("revoke"), QStringLiteral("user2"), QStringLiteral("--experiment"), experiment});
        QCOMPARE(again.exitCode, 5);
        QVERIFY(again.err.contains(QStringLiteral("no explicit grant")));
    }

    // 3.14: a role gives user1 READ on user2's experiment; `access` and `matrix` name the role in the reason, and
    // `grant` over it adds a direct grant without touching the role.
    void accessAndMatrixNameTheRole()
    {
        QVERIFY(useGeneration(Generations::mlflow3()));
        RawHttpClient http(QStringLiteral("127.0.0.1"), m_fixture3->port());
        const QList<QPair<QByteArray, QByteArray>> headers{
            {"Authorization", "Basic " + QByteArrayLiteral("admin:password1234").toBase64()},
            {"Content-Type", "application/json"}};
        const auto post = [&](const QByteArray& path, const QJsonObject& body) {
            return http.send("POST", path, headers, QJsonDocument(body).toJson(QJsonDocument::Compact), true);
        };
        RawHttpClient::Response role =
            post("/api/3.0/mlflow/roles/create", QJsonObject{{QStringLiteral("name"), QStringLiteral("auditors")},
                                                             {QStringLiteral("workspace"), QStringLiteral("default")}});
        QCOMPARE(role.status, 200);
        const qint64 roleId = QJsonDocument::fromJson(role.body)
                                  .object()
                                  .value(QStringLiteral("role"))
                                  .toObject()
                                  .value(QStringLiteral("id"))
                                  .toInteger();
        QVERIFY(roleId > 0);
        QCOMPARE(post("/api/3.0/mlflow/roles/permissions/add",
                      QJsonObject{{QStringLiteral("role_id"), roleId},
                                  {QStringLiteral("resource_type"), QStringLiteral("experiment")},
                                  {QStringLiteral("resource_pattern"), QStringLiteral("3")},
                                  {QStringLiteral("permission"), QStringLiteral("READ")}})
                     .status,
                 200);
        QCOMPARE(post("/api/3.0/mlflow/roles/assign", QJsonObject{{QStringLiteral("username"), QStringLiteral("user1")},
                                                                  {QStringLiteral("role_id"), roleId}})
                     .status,
                 200);

        QJsonObject row = accessRow(QStringLiteral("/user2/experiment1"), QStringLiteral("user1"));
        QCOMPARE(row.value(QStringLiteral("permission")).toString(), QStringLiteral("READ"));
        QCOMPARE(row.value(QStringLiteral("source")).toString(), QStringLiteral("role"));
        QCOMPARE(row.value(QStringLiteral("reason")).toString(), QStringLiteral("READ through role auditors"));

        const Result matrix = run({QStringLiteral("matrix")});
        QCOMPARE(matrix.exitCode, 0);
        QVERIFY2(matrix.out.contains(QStringLiteral("READ (role auditors)")), qPrintable(matrix.out));
        const Result json = run({QStringLiteral("matrix"), QStringLiteral("--format"), QStringLiteral("json")});
        bool named = false;
        for (const QJsonValue& value : json.json().value(QStringLiteral("cells")).toArray()) {
            const QJsonObject cell = value.toObject();
            named = named ||
                    (cell.value(QStringLiteral("user")).toString() == QLatin1String("user1") &&
                     cell.value(QStringLiteral("reason")).toString() == QLatin1String("READ through role auditors"));
        }
        QVERIFY2(named, qPrintable(json.out));

        // A direct EDIT on top: both are named, the grant wins; revoking it leaves the role's READ.
        QCOMPARE(run({QStringLiteral("grant"), QStringLiteral("user1"), QStringLiteral("EDIT"),
                      QStringLiteral("--experiment"), QStringLiteral("/user2/experiment1")})
                     .exitCode,
                 0);
        row = accessRow(QStringLiteral("/user2/experiment1"), QStringLiteral("user1"));
        QCOMPARE(row.value(QStringLiteral("permission")).toString(), QStringLiteral("EDIT"));
        QCOMPARE(row.value(QStringLiteral("reason")).toString(),
                 QStringLiteral("EDIT: explicit grant; also READ through role auditors"));
        QCOMPARE(run({QStringLiteral("revoke"), QStringLiteral("user1"), QStringLiteral("--experiment"),
                      QStringLiteral("/user2/experiment1")})
                     .exitCode,
                 0);
        QCOMPARE(accessRow(QStringLiteral("/user2/experiment1"), QStringLiteral("user1"))
                     .value(QStringLiteral("source"))
                     .toString(),
                 QStringLiteral("role"));
    }

    // 3.14 has no update, so a level change is revoke then grant. user1 lowering its own MANAGE loses the right to
    // grant with the revoke: the grant is refused, and the CLI says both facts and exits 6 (partial failure).
    void levelChangeStoppedHalfWayIsAPartialFailure()
    {
        QVERIFY(useGeneration(Generations::mlflow3()));
        const QString experiment = QStringLiteral("/user1/experiment1");
        const QMap<QString, QString> asUser1{
            {QStringLiteral("MLFLOW_TRACKING_USERNAME"), QStringLiteral("user1")},
            {QStringLiteral("MLFLOW_TRACKING_PASSWORD"), QStringLiteral("user1-password")}};
        const Result half = run({QStringLiteral("grant"), QStringLiteral("user1"), QStringLiteral("READ"),
                                 QStringLiteral("--experiment"), experiment},
                                asUser1);
        QCOMPARE(half.exitCode, 6);
        QVERIFY2(half.err.contains(QStringLiteral("the old MANAGE grant was revoked")), qPrintable(half.describe()));
        QVERIFY2(half.err.contains(QStringLiteral("granting READ then failed")), qPrintable(half.err));
        QVERIFY2(half.err.contains(QStringLiteral("restore")), qPrintable(half.err));
        QCOMPARE(accessRow(experiment, QStringLiteral("user1")).value(QStringLiteral("source")).toString(),
                 QStringLiteral("unknown"));

        // The admin puts the old level back.
        const Result restore = run({QStringLiteral("grant"), QStringLiteral("user1"), QStringLiteral("MANAGE"),
                                    QStringLiteral("--experiment"), experiment, QStringLiteral("--json")});
        QCOMPARE(restore.exitCode, 0);
        QCOMPARE(restore.json().value(QStringLiteral("action")).toString(), QStringLiteral("created"));
        QCOMPARE(accessRow(experiment, QStringLiteral("user1")).value(QStringLiteral("permission")).toString(),
                 QStringLiteral("MANAGE"));
    }

    void grantErrors_data() { addGenerations(); }
    void grantErrors()
    {
        QFETCH(Dialect, generation);
        QVERIFY(useGeneration(generation));
        const Result noResource = run({QStringLiteral("grant"), QStringLiteral("user2"), QStringLiteral("READ"),
                                       QStringLiteral("--experiment"), QStringLiteral("/nope")});
        QCOMPARE(noResource.exitCode, 5);
        QVERIFY(noResource.err.contains(QStringLiteral("experiments list")));
        const Result badLevel = run({QStringLiteral("grant"), QStringLiteral("user2"), QStringLiteral("OWNER"),
                                     QStringLiteral("--experiment"), QStringLiteral("1")});
        QCOMPARE(badLevel.exitCode, 2);
        const Result both =
            run({QStringLiteral("grant"), QStringLiteral("user2"), QStringLiteral("READ"),
                 QStringLiteral("--experiment"), QStringLiteral("1"), QStringLiteral("--model"), QStringLiteral("m")});
        QCOMPARE(both.exitCode, 2);
        const Result noUser = run({QStringLiteral("grant"), QStringLiteral("ghost"), QStringLiteral("READ"),
                                   QStringLiteral("--experiment"), QStringLiteral("1")});
        QCOMPARE(noUser.exitCode, 5);
        QVERIFY(noUser.err.contains(QStringLiteral("ghost")));
    }

    void usersCreateShowPasswdDelete_data() { addGenerations(); }
    void usersCreateShowPasswdDelete()
    {
        QFETCH(Dialect, generation);
        QVERIFY(useGeneration(generation));
        const QString password = QStringLiteral("carol-password-123");
        const Result create = run({QStringLiteral("users"), QStringLiteral("create"), QStringLiteral("carol"),
                                   QStringLiteral("--password-stdin")},
                                  {}, password.toUtf8() + "\n");
        QCOMPARE(create.exitCode, 0);
        QVERIFY(!create.out.contains(password));
        QVERIFY(!create.err.contains(password));

        // The new account works with its password.
        const Result signIn = run({QStringLiteral("--user"), QStringLiteral("carol"), QStringLiteral("probe")},
                                  {{QStringLiteral("MLFLOW_TRACKING_PASSWORD"), password}});
        QCOMPARE(signIn.exitCode, 0);

        const Result duplicate = run({QStringLiteral("users"), QStringLiteral("create"), QStringLiteral("carol"),
                                      QStringLiteral("--password-stdin")},
                                     {}, QByteArray("another-password-1\n"));
        QCOMPARE(duplicate.exitCode, 1);
        QVERIFY(duplicate.err.contains(QStringLiteral("already exists")));

        const Result show =
            run({QStringLiteral("users"), QStringLiteral("show"), QStringLiteral("carol"), QStringLiteral("--json")});
        QCOMPARE(show.exitCode, 0);
        QCOMPARE(show.json().value(QStringLiteral("username")).toString(), QStringLiteral("carol"));
        QCOMPARE(show.json().value(QStringLiteral("is_admin")).toBool(), false);

        // Listed: by 3.14's users/list, and on 2.15.1 (no users/list) because the CLI now knows the name.
        const Result known = run({QStringLiteral("users"), QStringLiteral("list")});
        QVERIFY(known.out.contains(QStringLiteral("carol")));

        // Sign-in password and new password both on stdin, one per line.
        const Result passwd = run({QStringLiteral("users"), QStringLiteral("passwd"), QStringLiteral("carol"),
                                   QStringLiteral("--password-stdin")},
                                  {{QStringLiteral("MLFLOW_TRACKING_PASSWORD"), QString()}},
                                  QByteArray("password1234\ncarol-new-password-1\n"));
        QCOMPARE(passwd.exitCode, 0);
        const Result newSignIn =
            run({QStringLiteral("--user"), QStringLiteral("carol"), QStringLiteral("probe")},
                {{QStringLiteral("MLFLOW_TRACKING_PASSWORD"), QStringLiteral("carol-new-password-1")}});
        QCOMPARE(newSignIn.exitCode, 0);

        const Result remove = run({QStringLiteral("users"), QStringLiteral("delete"), QStringLiteral("carol")});
        QCOMPARE(remove.exitCode, 0);
        const Result gone = run({QStringLiteral("users"), QStringLiteral("show"), QStringLiteral("carol")});
        QCOMPARE(gone.exitCode, 5);
        QVERIFY(gone.err.contains(QStringLiteral("carol")));
    }

    void usersCreateWithGeneratedPassword_data() { addGenerations(); }
    void usersCreateWithGeneratedPassword()
    {
        QFETCH(Dialect, generation);
        QVERIFY(useGeneration(generation));
        const Result create =
            run({QStringLiteral("users"), QStringLiteral("create"), QStringLiteral("dave"),
                 QStringLiteral("--generate-password"), QStringLiteral("--admin"), QStringLiteral("--json")});
        QCOMPARE(create.exitCode, 0);
        const QString generated = create.json().value(QStringLiteral("generated_password")).toString();
        QVERIFY(generated.size() >= 16);
        QCOMPARE(create.json().value(QStringLiteral("is_admin")).toBool(), true);
        const Result signIn =
            run({QStringLiteral("--user"), QStringLiteral("dave"), QStringLiteral("probe"), QStringLiteral("--json")},
                {{QStringLiteral("MLFLOW_TRACKING_PASSWORD"), generated}});
        QCOMPARE(signIn.exitCode, 0);
        QCOMPARE(signIn.json().value(QStringLiteral("is_admin")).toBool(), true);
        QCOMPARE(
            run({QStringLiteral("users"), QStringLiteral("set-admin"), QStringLiteral("dave"), QStringLiteral("no")})
                .exitCode,
            0);
        QCOMPARE(run({QStringLiteral("users"), QStringLiteral("delete"), QStringLiteral("dave")}).exitCode, 0);
    }

    void applyCsvDryRunThenForReal_data() { addGenerations(); }
    void applyCsvDryRunThenForReal()
    {
        QFETCH(Dialect, generation);
        QVERIFY(useGeneration(generation));
        const QString path = m_home.filePath(QStringLiteral("grants.csv"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("user,resource_type,resource,level\n"
                   "user2,experiment,/user1/experiment2,READ\n"
                   "user1,experiment,/user1/experiment1,MANAGE\n"
                   "user1,experiment,3,EDIT\n");
        file.close();

        const Result dryRun =
            run({QStringLiteral("apply"), path, QStringLiteral("--dry-run"), QStringLiteral("--json")});
        QCOMPARE(dryRun.exitCode, 0);
        QCOMPARE(dryRun.json().value(QStringLiteral("changes")).toInt(), 2);
        QCOMPARE(dryRun.json().value(QStringLiteral("dry_run")).toBool(), true);
        QCOMPARE(accessRow(QStringLiteral("/user1/experiment2"), QStringLiteral("user2"))
                     .value(QStringLiteral("source"))
                     .toString(),
                 QStringLiteral("unknown"));

        const Result apply = run({QStringLiteral("apply"), path});
        QCOMPARE(apply.exitCode, 0);
        QVERIFY2(apply.out.contains(QStringLiteral("applied")), qPrintable(apply.out));
        QCOMPARE(accessRow(QStringLiteral("/user1/experiment2"), QStringLiteral("user2"))
                     .value(QStringLiteral("permission"))
                     .toString(),
                 QStringLiteral("READ"));
        QCOMPARE(accessRow(QStringLiteral("/user2/experiment1"), QStringLiteral("user1"))
                     .value(QStringLiteral("permission"))
                     .toString(),
                 QStringLiteral("EDIT"));

        // Applying the same file again changes nothing; a revoke row removes the grant again.
        const Result again = run({QStringLiteral("apply"), path, QStringLiteral("--json")});
        QCOMPARE(again.exitCode, 0);
        QCOMPARE(again.json().value(QStringLiteral("changes")).toInt(), 0);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write("user2,experiment,/user1/experiment2,REVOKE\nuser1,experiment,3,\n");
        file.close();
        QCOMPARE(run({QStringLiteral("apply"), path}).exitCode, 0);
        QCOMPARE(accessRow(QStringLiteral("/user1/experiment2"), QStringLiteral("user2"))
                     .value(QStringLiteral("source"))
                     .toString(),
                 QStringLiteral("unknown"));
    }

    void applyRejectsBadFiles()
    {
        const QString path = m_home.filePath(QStringLiteral("bad.csv"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("user2,experiment,/user1/experiment2,OWNER\nuser2,table,x,READ\n");
        file.close();
        const Result bad = run({QStringLiteral("apply"), path});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY(bad.err.contains(QStringLiteral("Line 1")));
        QVERIFY(bad.err.contains(QStringLiteral("Line 2")));

        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write("ghost,experiment,/user1/experiment2,READ\n");
        file.close();
        QCOMPARE(run({QStringLiteral("apply"), path, QStringLiteral("--auth-db"), authDbUri()}).exitCode, 5);
        QCOMPARE(run({QStringLiteral("apply"), m_home.filePath(QStringLiteral("missing.csv"))}).exitCode, 2);
    }

    void applyReadsNamesFirstAndRefusesExtraFields()
    {
        // An experiment named like another one's id: the file's "1" means the one named "1".
        RawHttpClient http(QStringLiteral("127.0.0.1"), m_fixture->port());
        const RawHttpClient::Response created =
            http.send("POST", "/api/2.0/mlflow/experiments/create",
                      {{"Authorization", "Basic " + QByteArray("admin:password1234").toBase64()},
                       {"Content-Type", "application/json"}},
                      R"({"name": "1"})", true);
        QCOMPARE(created.status, 200);
        const QString namedOneId =
            QJsonDocument::fromJson(created.body).object().value(QStringLiteral("experiment_id")).toString();
        QVERIFY(namedOneId != QLatin1String("1"));

        const QString path = m_home.filePath(QStringLiteral("names.csv"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("user2,experiment,1,READ,,\n");
        file.close();
        const Result dryRun =
            run({QStringLiteral("apply"), path, QStringLiteral("--dry-run"), QStringLiteral("--json")});
        QVERIFY2(dryRun.exitCode == 0, qPrintable(dryRun.err));
        const QJsonObject row = dryRun.json().value(QStringLiteral("rows")).toArray().first().toObject();
        QCOMPARE(row.value(QStringLiteral("resource_id")).toString(), namedOneId);
        QCOMPARE(row.value(QStringLiteral("resource_name")).toString(), QStringLiteral("1"));

        // A field after the level is refused, not dropped.
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write("user2,experiment,/user1/experiment1,READ,oops\n");
        file.close();
        const Result extra = run({QStringLiteral("apply"), path});
        QCOMPARE(extra.exitCode, 2);
        QVERIFY2(extra.err.contains(QStringLiteral("Line 1")) && extra.err.contains(QStringLiteral("oops")),
                 qPrintable(extra.err));

        // Thousands of bad rows: the first twenty and a count.
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        for (int i = 0; i < 30; ++i)
            file.write("user2,table,x,READ\n");
        file.close();
        const Result many = run({QStringLiteral("apply"), path});
        QCOMPARE(many.exitCode, 2);
        QVERIFY2(many.err.contains(QStringLiteral("Line 20:")), qPrintable(many.err));
        QVERIFY(!many.err.contains(QStringLiteral("Line 21:")));
        QVERIFY(many.err.contains(QStringLiteral("10 more problem")));
    }

    void experimentsAndModels_data() { addGenerations(); }
    void experimentsAndModels()
    {
        QFETCH(Dialect, generation);
        QVERIFY(useGeneration(generation));
        const Result experiments =
            run({QStringLiteral("experiments"), QStringLiteral("list"), QStringLiteral("--json")});
        QCOMPARE(experiments.exitCode, 0);
        QStringList names;
        for (const QJsonValue& value : experiments.json().value(QStringLiteral("experiments")).toArray())
            names.append(value.toObject().value(QStringLiteral("name")).toString());
        QVERIFY(names.contains(QStringLiteral("/user1/experiment1")));
        QVERIFY(names.contains(QStringLiteral("/user2/experiment1")));

        const Result filtered = run({QStringLiteral("experiments"), QStringLiteral("list"), QStringLiteral("--filter"),
                                     QStringLiteral("name LIKE '/user1/%'")});
        QCOMPARE(filtered.exitCode, 0);
        QVERIFY(filtered.out.contains(QStringLiteral("/user1/experiment2")));
        QVERIFY(!filtered.out.contains(QStringLiteral("/user2/experiment1")));

        const Result models = run({QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--json")});
        QCOMPARE(models.exitCode, 0);
        QVERIFY(models.json().value(QStringLiteral("models")).isArray());
    }

    void wrongPasswordIsAnAuthenticationError_data() { addGenerations(); }
    void wrongPasswordIsAnAuthenticationError()
    {
        QFETCH(Dialect, generation);
        QVERIFY(useGeneration(generation));
        const Result result = run({QStringLiteral("probe")},
                                  {{QStringLiteral("MLFLOW_TRACKING_PASSWORD"), QStringLiteral("not-the-password")}});
        QCOMPARE(result.exitCode, 3);
        QVERIFY2(result.err.contains(QStringLiteral("rejected the user name or password")), qPrintable(result.err));
        QVERIFY(!result.err.contains(QStringLiteral("not-the-password")));
        QVERIFY(!result.out.contains(QStringLiteral("not-the-password")));

        const Result json = run({QStringLiteral("users"), QStringLiteral("list"), QStringLiteral("--json")},
                                {{QStringLiteral("MLFLOW_TRACKING_PASSWORD"), QStringLiteral("not-the-password")}});
        QCOMPARE(json.exitCode, 3);
        QCOMPARE(json.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("exit_code")).toInt(), 3);
    }

    void nonAdminIsDenied_data() { addGenerations(); }
    void nonAdminIsDenied()
    {
        QFETCH(Dialect, generation);
        QVERIFY(useGeneration(generation));
        const Result result = run({QStringLiteral("--user"), QStringLiteral("user1"), QStringLiteral("users"),
                                   QStringLiteral("delete"), QStringLiteral("user2")},
                                  {{QStringLiteral("MLFLOW_TRACKING_PASSWORD"), QStringLiteral("user1-password")}});
        QCOMPARE(result.exitCode, 4);
        QVERIFY(!result.err.isEmpty());
    }

    // user1 holds MANAGE on its own experiments only. It may grant and revoke there on both generations, even
    // though MLflow 3.13+ does not show it the current grant of user2 (the CLI says so instead of failing), and is
    // refused on user2's experiment.
    void memberGrantsWhereItManages_data() { addGenerations(); }
    void memberGrantsWhereItManages()
    {
        QFETCH(Dialect, generation);
        QVERIFY(useGeneration(generation));
        const QMap<QString, QString> asUser1{
            {QStringLiteral("MLFLOW_TRACKING_PASSWORD"), QStringLiteral("user1-password")}};
        const auto asMember = [&](const QStringList& arguments) {
            return run(QStringList{QStringLiteral("--user"), QStringLiteral("user1")} + arguments, asUser1);
        };
        const Result granted = asMember({QStringLiteral("grant"), QStringLiteral("user2"), QStringLiteral("EDIT"),
                                         QStringLiteral("--experiment"), QStringLiteral("/user1/experiment2")});
        QVERIFY2(granted.exitCode == 0, qPrintable(granted.err));
        QVERIFY2(granted.out.contains(generation.isMlflow3() ? QStringLiteral("not visible to this account")
                                                             : QStringLiteral("no explicit grant")),
                 qPrintable(granted.out));
        // What user2 sees tells whether the grant is there.
        const auto user2Sees = [&] {
            return run({QStringLiteral("--user"), QStringLiteral("user2"), QStringLiteral("experiments"),
                        QStringLiteral("list")},
                       {{QStringLiteral("MLFLOW_TRACKING_PASSWORD"), QStringLiteral("user2-password")}})
                .out.contains(QStringLiteral("/user1/experiment2"));
        };
        QVERIFY(user2Sees());
        if (generation.isMlflow3()) {
            // A second grant hits the hidden one: refused with what to do, nothing changed.
            const Result again = asMember({QStringLiteral("grant"), QStringLiteral("user2"), QStringLiteral("READ"),
                                           QStringLiteral("--experiment"), QStringLiteral("/user1/experiment2")});
            QVERIFY(again.exitCode != 0);
            QVERIFY2(again.err.contains(QStringLiteral("revoke user2")), qPrintable(again.err));
        }
        const Result revoked = asMember({QStringLiteral("revoke"), QStringLiteral("user2"),
                                         QStringLiteral("--experiment"), QStringLiteral("/user1/experiment2")});
        QVERIFY2(revoked.exitCode == 0, qPrintable(revoked.err));
        QVERIFY(!user2Sees());
        // Not its experiment: the server refuses (user1 cannot even see it).
        const Result foreign = asMember({QStringLiteral("grant"), QStringLiteral("user1"), QStringLiteral("READ"),
                                         QStringLiteral("--experiment"), QStringLiteral("/user2/experiment1")});
        QVERIFY(foreign.exitCode != 0);
    }

    void unreachableServerIsANetworkError()
    {
        // A port that was free a moment ago: nothing listens there.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 port = probe.serverPort();
        probe.close();
        const Result result =
            run({QStringLiteral("--url"), QStringLiteral("http://127.0.0.1:%1").arg(port), QStringLiteral("probe")});
        QCOMPARE(result.exitCode, 7);
        QVERIFY(result.err.contains(QStringLiteral("refused")));
    }

    void passwordArgumentIsRefused()
    {
        const Result result =
            run({QStringLiteral("--password"), QStringLiteral("hunter2-secret"), QStringLiteral("probe")});
        QCOMPARE(result.exitCode, 2);
        QVERIFY(result.err.contains(QStringLiteral("never taken as command-line arguments")));
        QVERIFY(!result.err.contains(QStringLiteral("hunter2-secret")));
        QCOMPARE(run({QStringLiteral("probe"), QStringLiteral("--password=hunter2-secret")}).exitCode, 2);
    }

    // A mistyped password option must never echo what follows it, whether it looks like a command or a value.
    void nearMissPasswordOptionsDoNotEcho()
    {
        const QString secret = QStringLiteral("hunter2-near-miss");
        const QList<QStringList> attempts = {
            {QStringLiteral("--passw"), secret, QStringLiteral("users"), QStringLiteral("list")},
            {QStringLiteral("users"), QStringLiteral("list"), QStringLiteral("--passwd=") + secret},
            {QStringLiteral("--pass"), secret, QStringLiteral("probe")},
        };
        for (const QStringList& arguments : attempts) {
            const Result result = run(arguments);
            QCOMPARE(result.exitCode, 2);
            QVERIFY2(result.err.contains(QStringLiteral("never taken as command-line arguments")),
                     qPrintable(result.err));
            QVERIFY2(!result.err.contains(secret) && !result.out.contains(secret), qPrintable(result.err));
        }
        // Any unknown global option: named, its value never repeated.
        const Result unknown = run({QStringLiteral("--frobnicate"), secret, QStringLiteral("probe")});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY2(unknown.err.contains(QStringLiteral("Unknown option `--frobnicate`")), qPrintable(unknown.err));
        QVERIFY(!unknown.err.contains(secret));
        // --password-stdin stays what it is.
        QCOMPARE(run({QStringLiteral("--password-stdin"), QStringLiteral("probe")}, {}, QByteArray("password1234\n"))
                     .exitCode,
                 0);
    }

    // The sign-in --user before the command and access's own --user after it compose.
    void signInUserAndAccessSubjectCompose_data() { addGenerations(); }
    void signInUserAndAccessSubjectCompose()
    {
        QFETCH(Dialect, generation);
        QVERIFY(useGeneration(generation));
        const Result byExperiment = run(QStringList{QStringLiteral("--user"), QStringLiteral("admin"),
                                                    QStringLiteral("access"), QStringLiteral("--experiment"),
                                                    QStringLiteral("/user1/experiment1"), QStringLiteral("--json")} +
                                        userSource());
        QVERIFY2(byExperiment.exitCode == 0, qPrintable(byExperiment.err));
        QVERIFY(byExperiment.json().value(QStringLiteral("access")).isArray());

        const Result both =
            run(QStringList{QStringLiteral("--user"), QStringLiteral("admin"), QStringLiteral("access"),
                            QStringLiteral("--user"), QStringLiteral("user1"), QStringLiteral("--json")} +
                userSource());
        QVERIFY2(both.exitCode == 0, qPrintable(both.err));
        QCOMPARE(both.json().value(QStringLiteral("username")).toString(), QStringLiteral("user1"));

        // The --user before the command really is the sign-in account: an unknown one is rejected by the server.
        const Result wrongSignIn = run({QStringLiteral("--user"), QStringLiteral("nobody"), QStringLiteral("access"),
                                        QStringLiteral("--user"), QStringLiteral("user1")});
        QCOMPARE(wrongSignIn.exitCode, 3);
    }

    void missingPasswordWithoutTerminal()
    {
        const Result result =
            run({QStringLiteral("probe")}, {{QStringLiteral("MLFLOW_TRACKING_PASSWORD"), QString()}}, QByteArray(""));
        QCOMPARE(result.exitCode, 3);
        QVERIFY(result.err.contains(QStringLiteral("MLFLOW_TRACKING_PASSWORD")));
        const Result fromStdin =
            run({QStringLiteral("--password-stdin"), QStringLiteral("probe")},
                {{QStringLiteral("MLFLOW_TRACKING_PASSWORD"), QString()}}, QByteArray("password1234\n"));
        QCOMPARE(fromStdin.exitCode, 0);
    }

    void usageErrors()
    {
        QCOMPARE(run({QStringLiteral("users"), QStringLiteral("show")}).exitCode, 2);
        QCOMPARE(run({QStringLiteral("users")}).exitCode, 2);
        QCOMPARE(run({QStringLiteral("probe"), QStringLiteral("--bogus")}).exitCode, 2);
        QCOMPARE(run({QStringLiteral("probe"), QStringLiteral("--timeout"), QStringLiteral("zero")}).exitCode, 2);
        QCOMPARE(run({QStringLiteral("matrix"), QStringLiteral("--format"), QStringLiteral("xml")}).exitCode, 2);
        const Result noServer = run({QStringLiteral("probe")}, {{QStringLiteral("MLFLOW_TRACKING_URI"), QString()}});
        QCOMPARE(noServer.exitCode, 2);
        QVERIFY(noServer.err.contains(QStringLiteral("--url")));
    }

    void serveApiOptionErrors()
    {
        QTemporaryDir dir;
        const QString dataDir = dir.filePath(QStringLiteral("data"));
        const Result workspacesAlone =
            run({QStringLiteral("serve"), QStringLiteral("--workspaces"), QStringLiteral("--data-dir"), dataDir});
        QCOMPARE(workspacesAlone.exitCode, 2);
        QVERIFY2(workspacesAlone.err.contains(QStringLiteral("--workspaces needs --api 3")),
                 qPrintable(workspacesAlone.describe()));
        const Result workspacesWith2 = run({QStringLiteral("serve"), QStringLiteral("--api"), QStringLiteral("2"),
                                            QStringLiteral("--workspaces"), QStringLiteral("--data-dir"), dataDir});
        QCOMPARE(workspacesWith2.exitCode, 2);
        const Result unknown = run({QStringLiteral("serve"), QStringLiteral("--api"), QStringLiteral("4"),
                                    QStringLiteral("--data-dir"), dataDir});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY2(unknown.err.contains(QStringLiteral("Invalid --api '4'")), qPrintable(unknown.describe()));
        QVERIFY(unknown.err.contains(QStringLiteral("2 (MLflow 2.15.1) or 3 (MLflow 3.14)")));
        // Refused before anything was created.
        QVERIFY(!QFileInfo::exists(dataDir));

        const Result help = run({QStringLiteral("serve"), QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains(QStringLiteral("--api <2|3>")));
        QVERIFY(help.out.contains(QStringLiteral("--workspaces")));
        QVERIFY(run({QStringLiteral("--help")}).out.contains(QStringLiteral("serve [--api 2|3 [--workspaces]]")));
    }

    // serve's connection options reach the server: a cap of one connection turns the second away with 503, and
    // --allowed-hosts widens the Host check; nonsense values are refused before anything starts.
    void serveConnectionOptions()
    {
        QTemporaryDir dir;
        const QString dataDir = dir.filePath(QStringLiteral("data"));
        const Result zero = run({QStringLiteral("serve"), QStringLiteral("--max-connections"), QStringLiteral("0"),
                                 QStringLiteral("--data-dir"), dataDir});
        QCOMPARE(zero.exitCode, 2);
        QVERIFY2(zero.err.contains(QStringLiteral("Invalid --max-connections '0'")), qPrintable(zero.describe()));
        const Result idle = run({QStringLiteral("serve"), QStringLiteral("--idle-timeout"), QStringLiteral("soon"),
                                 QStringLiteral("--data-dir"), dataDir});
        QCOMPARE(idle.exitCode, 2);
        QVERIFY(!QFileInfo::exists(dataDir));

        QProcess process;
        const Served served = startServe(process,
                                         {QStringLiteral("--max-connections"), QStringLiteral("1"),
                                          QStringLiteral("--allowed-hosts"), QStringLiteral("mlflow.test,*.corp.test")},
                                         dataDir);
        QVERIFY2(served.port != 0, qPrintable(served.banner));
        RawHttpClient first(QStringLiteral("127.0.0.1"), served.port);
        QCOMPARE(first.sendRaw("GET /health HTTP/1.1\r\nHost: mlflow.test\r\n\r\n").status, 200);
        RawHttpClient second(QStringLiteral("127.0.0.1"), served.port);
        const RawHttpClient::Response refused = second.sendRaw("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QCOMPARE(refused.status, 503);
        QVERIFY(!refused.header("retry-after").isEmpty());
        const QByteArray users = "GET /api/2.0/mlflow/users/get?username=admin HTTP/1.1\r\nAuthorization: Basic " +
                                 QByteArray("admin:password").toBase64() + "\r\nHost: ";
        QCOMPARE(first.sendRaw(users + "a.corp.test\r\n\r\n").status, 200);
        QCOMPARE(first.sendRaw(users + "evil.test\r\n\r\n").status, 403);
        process.terminate();
        QVERIFY(process.waitForFinished(10000));
    }

    void serveDefaultsToMlflow2()
    {
        QTemporaryDir dir;
        QProcess process;
        const Served served = startServe(process, {QStringLiteral("--demo")}, dir.filePath(QStringLiteral("data")));
        QVERIFY2(served.port != 0, qPrintable(served.banner + process.readAll()));
        QVERIFY2(served.banner.contains(QStringLiteral("MLflow-compatible server (MLflow 2.15.1) listening on")),
                 qPrintable(served.banner));
        QVERIFY(!served.banner.contains(QStringLiteral("workspace")));
        QCOMPARE(experimentsVisibleTo(served.port, DemoData::user1Username, DemoData::user1Password),
                 QStringList({QStringLiteral("/user1/experiment1"), QStringLiteral("/user1/experiment2")}));
        stopServe(process);
    }

    void serveApi3DemoSeeds()
    {
        QTemporaryDir dir;
        QProcess process;
        const Served served = startApi3Demo(process, dir);
        QVERIFY2(served.port != 0, qPrintable(served.banner + process.readAll()));
        QVERIFY2(served.banner.contains(QStringLiteral("MLflow-compatible server (MLflow 3.14) listening on")),
                 qPrintable(served.banner));
        QVERIFY(served.banner.contains(QStringLiteral("user1 / user1-password")));
        QVERIFY(!served.banner.contains(QStringLiteral("workspace")));
        // The demo scenario: each user sees only its own experiments; the admin sees them all.
        QCOMPARE(experimentsVisibleTo(served.port, DemoData::user1Username, DemoData::user1Password),
                 QStringList({QStringLiteral("/user1/experiment1"), QStringLiteral("/user1/experiment2")}));
        QCOMPARE(experimentsVisibleTo(served.port, DemoData::user2Username, DemoData::user2Password),
                 QStringList({QStringLiteral("/user2/experiment1")}));
        QVERIFY(experimentsVisibleTo(served.port, DemoData::adminUsername, DemoData::adminPassword)
                    .contains(QStringLiteral("/user2/experiment1")));

        // It answers as MLflow 3.14 does: users/current (which 2.15.1 lacks) and the creator's MANAGE as a row of
        // its hidden per-user role, listed by /api/3.0 users/current/permissions.
        RawHttpClient client(QStringLiteral("127.0.0.1"), served.port);
        const auto current = client.send("GET", "/api/2.0/mlflow/users/current",
                                         basicAuth(DemoData::user1Username, DemoData::user1Password), {}, false);
        QCOMPARE(current.status, 200);
        const QJsonObject currentJson = QJsonDocument::fromJson(current.body).object();
        QCOMPARE(currentJson.value(QStringLiteral("is_basic_auth")).toBool(), true);
        QCOMPARE(currentJson.value(QStringLiteral("user")).toObject().value(QStringLiteral("username")).toString(),
                 DemoData::user1Username);
        const auto permissions = client.send("GET", "/api/3.0/mlflow/users/current/permissions",
                                             basicAuth(DemoData::user1Username, DemoData::user1Password), {}, false);
        QCOMPARE(permissions.status, 200);
        const QJsonArray rows =
            QJsonDocument::fromJson(permissions.body).object().value(QStringLiteral("permissions")).toArray();
        QCOMPARE(rows.size(), 2);
        for (const QJsonValue& row : rows) {
            QCOMPARE(row.toObject().value(QStringLiteral("permission")).toString(), QStringLiteral("MANAGE"));
            QCOMPARE(row.toObject().value(QStringLiteral("resource_type")).toString(), QStringLiteral("experiment"));
        }
        QCOMPARE(client.send("GET", "/version", basicAuth(DemoData::adminUsername, DemoData::adminPassword), {}, false)
                     .body.left(4),
                 QByteArray("3.14"));
        stopServe(process);
    }

    void serveApi3WorkspacesDemoSeedsDefault()
    {
        QTemporaryDir dir;
        QProcess process;
        const Served served = startServe(
            process,
            {QStringLiteral("--api"), QStringLiteral("3"), QStringLiteral("--workspaces"), QStringLiteral("--demo")},
            dir.filePath(QStringLiteral("data")));
        QVERIFY2(served.port != 0, qPrintable(served.banner + process.readAll()));
        QVERIFY2(served.banner.contains(
                     QStringLiteral("MLflow-compatible server (MLflow 3.14 with workspaces) listening on")),
                 qPrintable(served.banner));
        QVERIFY(served.banner.contains(QStringLiteral("Demo data is in workspace 'default'")));
        const QStringList user1Own{QStringLiteral("/user1/experiment1"), QStringLiteral("/user1/experiment2")};
        // In `default`, named or implied, with the scenario's visibility.
        QCOMPARE(experimentsVisibleTo(served.port, DemoData::user1Username, DemoData::user1Password, "default"),
                 user1Own);
        QCOMPARE(experimentsVisibleTo(served.port, DemoData::user1Username, DemoData::user1Password), user1Own);
        QCOMPARE(experimentsVisibleTo(served.port, DemoData::user2Username, DemoData::user2Password, "default"),
                 QStringList({QStringLiteral("/user2/experiment1")}));
        // The admin sees them all.
        const QStringList admin = experimentsVisibleTo(served.port, DemoData::adminUsername, DemoData::adminPassword);
        QVERIFY2(admin.contains(QStringLiteral("/user2/experiment1")), qPrintable(admin.join(QLatin1Char(','))));
        stopServe(process);
    }

    void profiles()
    {
        const Result add = run({QStringLiteral("profiles"), QStringLiteral("add"), QStringLiteral("demo"),
                                QStringLiteral("--url"), m_url, QStringLiteral("--user"), QStringLiteral("user2")});
        QCOMPARE(add.exitCode, 0);
        const Result list = run({QStringLiteral("profiles"), QStringLiteral("list"), QStringLiteral("--json")});
        QCOMPARE(list.exitCode, 0);
        const QJsonArray profiles = list.json().value(QStringLiteral("profiles")).toArray();
        QCOMPARE(profiles.size(), 1);
        QCOMPARE(profiles.at(0).toObject().value(QStringLiteral("username")).toString(), QStringLiteral("user2"));

        const Result viaProfile = run(
            {QStringLiteral("--profile"), QStringLiteral("demo"), QStringLiteral("probe"), QStringLiteral("--json")},
            {{QStringLiteral("MLFLOW_TRACKING_URI"), QString()},
             {QStringLiteral("MLFLOW_TRACKING_USERNAME"), QString()},
             {QStringLiteral("MLFLOW_TRACKING_PASSWORD"), QStringLiteral("user2-password")}});
        QCOMPARE(viaProfile.exitCode, 0);
        QCOMPARE(viaProfile.json().value(QStringLiteral("username")).toString(), QStringLiteral("user2"));
        QCOMPARE(run({QStringLiteral("--profile"), QStringLiteral("nope"), QStringLiteral("probe")}).exitCode, 2);

        // A profile remembers the server's default permission, which `matrix` and `access` then use.
        QCOMPARE(run({QStringLiteral("profiles"), QStringLiteral("add"), QStringLiteral("bad-default"),
                      QStringLiteral("--url"), m_url, QStringLiteral("--default-permission"), QStringLiteral("OWNER")})
                     .exitCode,
                 2);
        const Result addDefault = run({QStringLiteral("profiles"), QStringLiteral("add"),
                                       QStringLiteral("read-default"), QStringLiteral("--url"), m_url,
                                       QStringLiteral("--user"), QStringLiteral("admin"), QStringLiteral("--auth-db"),
                                       authDbUri(), QStringLiteral("--default-permission"), QStringLiteral("READ")});
        QVERIFY2(addDefault.exitCode == 0, qPrintable(addDefault.describe()));
        const Result listed = run({QStringLiteral("profiles"), QStringLiteral("list"), QStringLiteral("--json")});
        QStringList defaults; // "name=LEVEL" per profile
        for (const QJsonValue& value : listed.json().value(QStringLiteral("profiles")).toArray())
            defaults.append(value.toObject().value(QStringLiteral("name")).toString() + QLatin1Char('=') +
                            value.toObject().value(QStringLiteral("default_permission")).toString());
        QCOMPARE(defaults, (QStringList{QStringLiteral("demo="), QStringLiteral("read-default=READ")}));
        const Result matrix = run({QStringLiteral("--profile"), QStringLiteral("read-default"),
                                   QStringLiteral("matrix"), QStringLiteral("--format"), QStringLiteral("json")},
                                  {{QStringLiteral("MLFLOW_TRACKING_URI"), QString()},
                                   {QStringLiteral("MLFLOW_TRACKING_USERNAME"), QString()}});
        QVERIFY2(matrix.exitCode == 0, qPrintable(matrix.describe()));
        QCOMPARE(matrix.json().value(QStringLiteral("default_permission")).toString(), QStringLiteral("READ"));
        bool inherited = false;
        for (const QJsonValue& value : matrix.json().value(QStringLiteral("cells")).toArray()) {
            const QJsonObject cell = value.toObject();
            if (cell.value(QStringLiteral("user")).toString() == QLatin1String("user2") &&
                cell.value(QStringLiteral("resource")).toString() == QLatin1String("/user1/experiment1"))
                inherited = cell.value(QStringLiteral("level")).toString() == QLatin1String("READ") &&
                            cell.value(QStringLiteral("source")).toString() == QLatin1String("default_permission");
        }
        QVERIFY2(inherited, qPrintable(matrix.out.left(2000)));
        // The command line still wins over the profile.
        const Result overridden = run({QStringLiteral("--profile"), QStringLiteral("read-default"),
                                       QStringLiteral("matrix"), QStringLiteral("--format"), QStringLiteral("json"),
                                       QStringLiteral("--default-permission"), QStringLiteral("NO_PERMISSIONS")});
        QCOMPARE(overridden.json().value(QStringLiteral("default_permission")).toString(),
                 QStringLiteral("NO_PERMISSIONS"));
    }

    // MLflow 2.15.1 cannot list users: every name a command learns from the server (created, looked up, named in a
    // grant or in a file) goes once into the registry that the console reads for the same server, and a name the
    // server does not know does not.
    void remembersEveryUserItLearns()
    {
        QTemporaryDir dir;
        QProcess process;
        const Served served = startServe(process, {QStringLiteral("--demo")}, dir.filePath(QStringLiteral("data")));
        QVERIFY2(served.port != 0, qPrintable(served.banner + process.readAll()));
        const QString url = QStringLiteral("http://127.0.0.1:%1").arg(served.port);
        const QMap<QString, QString> server{{QStringLiteral("MLFLOW_TRACKING_URI"), url}};
        QVERIFY(createUsersBehindTheCli(
            served.port,
            {QStringLiteral("bob"), QStringLiteral("carol"), QStringLiteral("dave"), QStringLiteral("erin")},
            QStringLiteral("/api/2.0/mlflow")));

        const Result created = run({QStringLiteral("users"), QStringLiteral("create"), QStringLiteral("alice"),
                                    QStringLiteral("--generate-password")},
                                   server);
        QVERIFY2(created.exitCode == 0, qPrintable(created.describe()));
        const Result granted = run({QStringLiteral("grant"), QStringLiteral("bob"), QStringLiteral("READ"),
                                    QStringLiteral("--experiment"), QStringLiteral("/user1/experiment1")},
                                   server);
        QVERIFY2(granted.exitCode == 0, qPrintable(granted.describe()));
        // `access --user` on a name the registry lacks looks it up first, instead of "no user named carol".
        const Result access =
            run({QStringLiteral("access"), QStringLiteral("--user"), QStringLiteral("carol"), QStringLiteral("--json")},
                server);
        QVERIFY2(access.exitCode == 0, qPrintable(access.describe()));
        QCOMPARE(access.json().value(QStringLiteral("username")).toString(), QStringLiteral("carol"));
        QTemporaryDir csvDir;
        const QString csv = csvDir.filePath(QStringLiteral("grants.csv"));
        {
            QFile file(csv);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("user,resource_type,resource,level\ndave,experiment,/user2/experiment1,EDIT\n");
        }
        const Result applied = run({QStringLiteral("apply"), csv}, server);
        QVERIFY2(applied.exitCode == 0, qPrintable(applied.describe()));
        const Result shown = run({QStringLiteral("users"), QStringLiteral("show"), QStringLiteral("erin")}, server);
        QVERIFY2(shown.exitCode == 0, qPrintable(shown.describe()));
        // Names the server does not know are refused, and not remembered.
        QCOMPARE(run({QStringLiteral("access"), QStringLiteral("--user"), QStringLiteral("nobody")}, server).exitCode,
                 5);
        QCOMPARE(run({QStringLiteral("grant"), QStringLiteral("nobody2"), QStringLiteral("READ"),
                      QStringLiteral("--experiment"), QStringLiteral("/user1/experiment1")},
                     server)
                     .exitCode,
                 5);

        const QMap<QString, QString> known = knownUsersOf(url);
        QCOMPARE(known.value(QStringLiteral("admin")), QStringLiteral("looked-up"));
        QCOMPARE(known.value(QStringLiteral("alice")), QStringLiteral("created"));
        QCOMPARE(known.value(QStringLiteral("bob")), QStringLiteral("named-in-grant"));
        QCOMPARE(known.value(QStringLiteral("carol")), QStringLiteral("looked-up"));
        QCOMPARE(known.value(QStringLiteral("dave")), QStringLiteral("looked-up")); // looked up before the apply
        QCOMPARE(known.value(QStringLiteral("erin")), QStringLiteral("looked-up"));
        QVERIFY2(!known.contains(QStringLiteral("nobody")) && !known.contains(QStringLiteral("nobody2")),
                 qPrintable(QStringList(known.keys()).join(QLatin1Char(','))));
        // ... and `users list` (known users) now shows all of them, the same list the console would show.
        const Result listed = run({QStringLiteral("users"), QStringLiteral("list"), QStringLiteral("--json")}, server);
        QCOMPARE(listed.json().value(QStringLiteral("source")).toString(), QStringLiteral("known_users"));
        QStringList names;
        for (const QJsonValue& user : listed.json().value(QStringLiteral("users")).toArray())
            names.append(user.toObject().value(QStringLiteral("username")).toString());
        QCOMPARE(names, (QStringList{QStringLiteral("admin"), QStringLiteral("alice"), QStringLiteral("bob"),
                                     QStringLiteral("carol"), QStringLiteral("dave"), QStringLiteral("erin")}));
        // The apply really went through for the looked-up user.
        const Result dave =
            run({QStringLiteral("users"), QStringLiteral("show"), QStringLiteral("dave"), QStringLiteral("--json")},
                server);
        const QJsonArray daveGrants = dave.json().value(QStringLiteral("grants")).toArray();
        QCOMPARE(daveGrants.size(), 1);
        QCOMPARE(daveGrants.first().toObject().value(QStringLiteral("permission")).toString(), QStringLiteral("EDIT"));
        stopServe(process);
    }

    // MLflow 3.14: a role assignment names its user too.
    void remembersUsersNamedInRoleAssignments()
    {
        QTemporaryDir dir;
        QProcess process;
        const Served served = startApi3Demo(process, dir);
        QVERIFY2(served.port != 0, qPrintable(served.banner + process.readAll()));
        const QString url = QStringLiteral("http://127.0.0.1:%1").arg(served.port);
        const QMap<QString, QString> server{{QStringLiteral("MLFLOW_TRACKING_URI"), url}};
        QVERIFY(createUsersBehindTheCli(served.port, {QStringLiteral("gina"), QStringLiteral("hugo")},
                                        QStringLiteral("/api/2.0/mlflow")));
        const Result role = run({QStringLiteral("roles"), QStringLiteral("create"), QStringLiteral("testers")}, server);
        QVERIFY2(role.exitCode == 0, qPrintable(role.describe()));
        for (const QString& username : {QStringLiteral("gina"), QStringLiteral("hugo")}) {
            const Result assigned =
                run({QStringLiteral("roles"), QStringLiteral("assign"), QStringLiteral("testers"), username}, server);
            QVERIFY2(assigned.exitCode == 0, qPrintable(assigned.describe()));
        }
        const Result unassigned = run(
            {QStringLiteral("roles"), QStringLiteral("unassign"), QStringLiteral("testers"), QStringLiteral("hugo")},
            server);
        QVERIFY2(unassigned.exitCode == 0, qPrintable(unassigned.describe()));
        QCOMPARE(run({QStringLiteral("roles"), QStringLiteral("assign"), QStringLiteral("testers"),
                      QStringLiteral("nobody")},
                     server)
                     .exitCode,
                 5);
        const QMap<QString, QString> known = knownUsersOf(url);
        QCOMPARE(known.value(QStringLiteral("gina")), QStringLiteral("named-in-grant"));
        QCOMPARE(known.value(QStringLiteral("hugo")), QStringLiteral("named-in-grant"));
        QVERIFY(!known.contains(QStringLiteral("nobody")));
        stopServe(process);
    }

    // The users source the console keeps for a profile (an auth database on PostgreSQL, its password in the
    // keychain, written as the console's Users page writes them) is what the CLI reads too, with that password;
    // a wrong one gives a sentence that says where it came from; MLFLOW_ADMIN_AUTH_DB_PASSWORD wins for one run.
    void profileAuthDatabaseOnPostgresWithKeychainPassword()
    {
        if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS") && !qEnvironmentVariableIsSet("CI"))
            QSKIP(
                "No D-Bus session: run under `dbus-run-session -- bash packaging/with-keyring.sh` (make check does).");
        QElapsedTimer timer;
        timer.start();
        const QString dbPassword = QStringLiteral("pg-secret-4711");
        PostgresServer postgres(dbPassword);
        QVERIFY2(postgres.started(), qPrintable(postgres.error()));
        // MLflow 2.x's auth tables (mlflow/server/auth/db/models.py, revision 8606fa83a998) with a few users.
        QVERIFY2(postgres.execute(
                     {QStringLiteral("CREATE TABLE users (id SERIAL PRIMARY KEY, username VARCHAR(255) UNIQUE, "
                                     "password_hash VARCHAR(255), is_admin BOOLEAN)"),
                      QStringLiteral("CREATE TABLE experiment_permissions (id SERIAL PRIMARY KEY, experiment_id "
                                     "VARCHAR(255) NOT NULL, user_id INTEGER NOT NULL REFERENCES users(id), "
                                     "permission VARCHAR(255), CONSTRAINT unique_experiment_user UNIQUE "
                                     "(experiment_id, user_id))"),
                      QStringLiteral("CREATE TABLE registered_model_permissions (id SERIAL PRIMARY KEY, name "
                                     "VARCHAR(255) NOT NULL, user_id INTEGER NOT NULL REFERENCES users(id), "
                                     "permission VARCHAR(255), CONSTRAINT unique_name_user UNIQUE (name, user_id))"),
                      QStringLiteral("INSERT INTO users (username, password_hash, is_admin) VALUES "
                                     "('admin', 'x', true), ('pg-ada', 'x', false), ('pg-grace', 'x', false)"),
                      QStringLiteral("INSERT INTO experiment_permissions (experiment_id, user_id, permission) "
                                     "VALUES ('1', 2, 'READ'), ('2', 2, 'EDIT'), ('1', 3, 'MANAGE')")}),
                 qPrintable(postgres.error()));

        const QString profile = QStringLiteral("pg-profile");
        const QString uri = QStringLiteral("postgresql://%1@127.0.0.1:%2/postgres")
                                .arg(QLatin1String(PostgresServer::superuser))
                                .arg(postgres.port());
        const Result added = run({QStringLiteral("profiles"), QStringLiteral("add"), profile, QStringLiteral("--url"),
                                  m_url, QStringLiteral("--user"), QStringLiteral("admin")});
        QVERIFY2(added.exitCode == 0, qPrintable(added.describe()));
        // What the console's Users page keeps after the auth database opened with a typed password.
        ServerProfile choice;
        choice.usersSource = UsersSource::AuthDatabase;
        choice.authDatabaseUri = uri;
        choice.authDatabasePasswordInKeychain = true;
        const QString profilesFile = run({QStringLiteral("profiles"), QStringLiteral("list"), QStringLiteral("--json")})
                                         .json()
                                         .value(QStringLiteral("file"))
                                         .toString();
        QVERIFY(profilesFile.startsWith(m_home.path()));
        ProfileStore store(profilesFile);
        QString error;
        QVERIFY2(store.saveUsersSource(profile, QUrl(m_url), QStringLiteral("admin"), choice, &error),
                 qPrintable(error));
        CredentialStore keychain;
        const auto keep = [&keychain, &profile](const QString& password) {
            CredentialJob* job = keychain.writePassword(CredentialStore::authDatabaseKey(profile), password);
            QSignalSpy finished(job, &CredentialJob::finished);
            return finished.wait(10000) && !job->hasError();
        };
        QVERIFY(keep(dbPassword));

        // No password anywhere but in the keychain; ~/.pgpass stays out of it.
        const QMap<QString, QString> environment{
            {QStringLiteral("MLFLOW_ADMIN_AUTH_DB_PASSWORD"), QString()},
            {QStringLiteral("PGPASSFILE"), m_home.filePath(QStringLiteral("none"))}};
        const QStringList list{QStringLiteral("--profile"), profile, QStringLiteral("users"), QStringLiteral("list"),
                               QStringLiteral("--json")};
        const Result listed = run(list, environment);
        QVERIFY2(listed.exitCode == 0, qPrintable(listed.describe()));
        QCOMPARE(listed.json().value(QStringLiteral("source")).toString(), QStringLiteral("auth_database"));
        QStringList names;
        for (const QJsonValue& user : listed.json().value(QStringLiteral("users")).toArray())
            names.append(user.toObject().value(QStringLiteral("username")).toString() + QLatin1Char(':') +
                         QString::number(user.toObject().value(QStringLiteral("experiment_grants")).toInt()));
        QCOMPARE(names,
                 (QStringList{QStringLiteral("admin:0"), QStringLiteral("pg-ada:2"), QStringLiteral("pg-grace:1")}));
        QVERIFY2(!listed.out.contains(dbPassword) && !listed.err.contains(dbPassword), qPrintable(listed.describe()));

        // The matrix's loader takes the same path.
        const Result access =
            run({QStringLiteral("--profile"), profile, QStringLiteral("access"), QStringLiteral("--experiment"),
                 QStringLiteral("/user1/experiment1"), QStringLiteral("--json")},
                environment);
        QVERIFY2(access.exitCode == 0, qPrintable(access.describe()));
        QVERIFY2(
            access.json().value(QStringLiteral("user_source")).toString().contains(QStringLiteral("postgresql://")),
            qPrintable(access.out));

        // A password changed on the database server since: the error says so and what to do.
        QVERIFY(keep(QStringLiteral("an-old-password")));
        const Result refused = run(list, environment);
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains(QStringLiteral("password authentication failed")), qPrintable(refused.err));
        QVERIFY2(refused.err.contains(QStringLiteral("kept in the keychain for %1").arg(profile)),
                 qPrintable(refused.err));
        QVERIFY2(refused.err.contains(QStringLiteral("MLFLOW_ADMIN_AUTH_DB_PASSWORD")), qPrintable(refused.err));
        QVERIFY(!refused.err.contains(QStringLiteral("an-old-password")));
        // The environment wins over the keychain for one run.
        QMap<QString, QString> fromEnvironment = environment;
        fromEnvironment.insert(QStringLiteral("MLFLOW_ADMIN_AUTH_DB_PASSWORD"), dbPassword);
        QCOMPARE(run(list, fromEnvironment).exitCode, 0);

        QCOMPARE(run({QStringLiteral("profiles"), QStringLiteral("remove"), profile}).exitCode, 0);
        QVERIFY2(timer.elapsed() < 20000, qPrintable(QString::number(timer.elapsed())));
    }

    // The same users source on MySQL/MariaDB, given on the command line with the password in the environment: the
    // users list and the matrix read users and grants from it, and a missing password says what to do.
    void authDatabaseOnMariaDb()
    {
        const QString dbPassword = QStringLiteral("maria-cli-secret");
        MariaDbServer mariadb(dbPassword);
        QVERIFY2(mariadb.started(), qPrintable(mariadb.error()));
        QVERIFY2(mariadb.execute({QStringLiteral("CREATE TABLE users (id INTEGER NOT NULL AUTO_INCREMENT, username "
                                                 "VARCHAR(255), password_hash VARCHAR(255), is_admin BOOL, PRIMARY "
                                                 "KEY (id), UNIQUE (username))"),
                                  QStringLiteral("CREATE TABLE experiment_permissions (id INTEGER NOT NULL "
                                                 "AUTO_INCREMENT, experiment_id VARCHAR(255) NOT NULL, user_id INTEGER "
                                                 "NOT NULL, permission VARCHAR(255), PRIMARY KEY (id))"),
                                  QStringLiteral("CREATE TABLE registered_model_permissions (id INTEGER NOT NULL "
                                                 "AUTO_INCREMENT, name VARCHAR(255) NOT NULL, user_id INTEGER NOT "
                                                 "NULL, permission VARCHAR(255), PRIMARY KEY (id))"),
                                  QStringLiteral("INSERT INTO users (username, password_hash, is_admin) VALUES "
                                                 "('admin', 'x', 1), ('my-ada', 'x', 0)"),
                                  QStringLiteral("INSERT INTO experiment_permissions (experiment_id, user_id, "
                                                 "permission) VALUES ('1', 2, 'EDIT')")}),
                 qPrintable(mariadb.error()));
        const QString uri = QStringLiteral("mysql://%1@127.0.0.1:%2/%3")
                                .arg(QLatin1String(MariaDbServer::account))
                                .arg(mariadb.port())
                                .arg(QLatin1String(MariaDbServer::database));
        const QMap<QString, QString> withPassword{{QStringLiteral("MLFLOW_ADMIN_AUTH_DB_PASSWORD"), dbPassword}};

        const Result listed = run({QStringLiteral("users"), QStringLiteral("list"), QStringLiteral("--auth-db"), uri,
                                   QStringLiteral("--json")},
                                  withPassword);
        QVERIFY2(listed.exitCode == 0, qPrintable(listed.describe()));
        QCOMPARE(listed.json().value(QStringLiteral("source")).toString(), QStringLiteral("auth_database"));
        QStringList names;
        for (const QJsonValue& user : listed.json().value(QStringLiteral("users")).toArray())
            names.append(user.toObject().value(QStringLiteral("username")).toString() + QLatin1Char(':') +
                         QString::number(user.toObject().value(QStringLiteral("experiment_grants")).toInt()));
        QCOMPARE(names, (QStringList{QStringLiteral("admin:0"), QStringLiteral("my-ada:1")}));

        const Result matrix = run({QStringLiteral("matrix"), QStringLiteral("--format"), QStringLiteral("csv"),
                                   QStringLiteral("--auth-db"), uri},
                                  withPassword);
        QVERIFY2(matrix.exitCode == 0, qPrintable(matrix.describe()));
        QVERIFY2(matrix.out.contains(QStringLiteral("my-ada")), qPrintable(matrix.out));
        QVERIFY2(matrix.out.contains(QStringLiteral("EDIT")), qPrintable(matrix.out));
        QVERIFY(!matrix.out.contains(dbPassword) && !matrix.err.contains(dbPassword));

        const Result refused = run({QStringLiteral("users"), QStringLiteral("list"), QStringLiteral("--auth-db"), uri},
                                   {{QStringLiteral("MLFLOW_ADMIN_AUTH_DB_PASSWORD"), QString()}});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains(QStringLiteral("Access denied")), qPrintable(refused.err));
        QVERIFY2(refused.err.contains(QStringLiteral("MLFLOW_ADMIN_AUTH_DB_PASSWORD")), qPrintable(refused.err));
    }

    void profilePasswordFromKeychain()
    {
        // Only a hand-run binary may skip; under CI (make check provides the bus) a missing keyring must fail.
        if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS") && !qEnvironmentVariableIsSet("CI"))
            QSKIP(
                "No D-Bus session: run under `dbus-run-session -- bash packaging/with-keyring.sh` (make check does).");
        const Result add =
            run({QStringLiteral("profiles"), QStringLiteral("add"), QStringLiteral("keyed"), QStringLiteral("--url"),
                 m_url, QStringLiteral("--user"), QStringLiteral("user1"), QStringLiteral("--save-password")},
                {{QStringLiteral("MLFLOW_TRACKING_PASSWORD"), QStringLiteral("user1-password")}});
        QVERIFY2(add.exitCode == 0, qPrintable(add.err));
        const Result viaKeychain = run(
            {QStringLiteral("--profile"), QStringLiteral("keyed"), QStringLiteral("probe"), QStringLiteral("--json")},
            {{QStringLiteral("MLFLOW_TRACKING_PASSWORD"), QString()}}, QByteArray(""));
        QVERIFY2(viaKeychain.exitCode == 0, qPrintable(viaKeychain.err));
        QCOMPARE(viaKeychain.json().value(QStringLiteral("username")).toString(), QStringLiteral("user1"));

        QCOMPARE(run({QStringLiteral("profiles"), QStringLiteral("remove"), QStringLiteral("keyed")}).exitCode, 0);
        QCOMPARE(run({QStringLiteral("profiles"), QStringLiteral("remove"), QStringLiteral("keyed")}).exitCode, 5);
    }

private:
    QTemporaryDir m_home;
    Generations::Fixtures m_fixtures;    // the demo server of each generation, built on first use
    ServerFixture* m_fixture = nullptr;  // MLflow 2.15.1, the default of every test
    ServerFixture* m_fixture3 = nullptr; // the same demo, speaking MLflow 3.14
    bool m_mlflow3 = false;
    QString m_url;
    CliRunner m_cli{QStringLiteral(MLFLOW_ADMIN_CLI_PATH), m_home.path()};
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"

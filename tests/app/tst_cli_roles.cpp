#include "CliRunner.h"
#include "RawHttpClient.h"
#include "ReferenceData.h"
#include "ServerFixture.h"

#include "models/ChangeSet.h"
#include "models/Directory.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QUrlQuery>
#include <QtTest>

#include <functional>

namespace {

// A stand-in for a real MLflow 3.14 with workspaces, answering from what such a server answered when it was
// recorded (tests/data/mlflow-reference/mlflow-3.14-workspaces-transcript.jsonl and mlflow-3.14-transcript.jsonl),
// and recording every request's path and X-MLFLOW-WORKSPACE header. The embedded server does not speak workspaces
// yet, so this is how the test sees what the CLI puts on the wire.
class RecordedWorkspaceServer : public QObject
{
public:
    struct Request
    {
        QByteArray method;
        QString path;
        QUrlQuery query;
        bool hasWorkspaceHeader = false;
        QString workspace;
    };
    struct Answer
    {
        int status = 200;
        QByteArray contentType = "application/json";
        QByteArray body;
    };

    bool start(QString* error)
    {
        const QList<QJsonObject> workspaces =
            ReferenceData::transcript(QStringLiteral("mlflow-3.14-workspaces-transcript.jsonl"), error);
        const QList<QJsonObject> plain =
            ReferenceData::transcript(QStringLiteral("mlflow-3.14-transcript.jsonl"), error);
        for (const QJsonObject& row : workspaces + plain)
            m_rows.insert(row.value(QStringLiteral("name")).toString(), row);
        for (const char* name : {"health_unknown_workspace_header", "server_info_admin_unknown_workspace_header",
                                 "workspaces_list_admin_after_creates", "roles_list_team_a_seeded", "version_admin",
                                 "users_current_admin", "users_list_admin"}) {
            if (!m_rows.contains(QLatin1String(name))) {
                *error = QStringLiteral("The recorded exchange %1 is missing from the transcripts.").arg(name);
                return false;
            }
        }
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { serve(socket); });
            }
        });
        if (!m_server.listen(QHostAddress::LocalHost, 0)) {
            *error = m_server.errorString();
            return false;
        }
        return true;
    }

    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()); }
    QList<Request> requests() const { return m_requests; }
    void clear() { m_requests.clear(); }

private:
    Answer recorded(const QString& name) const
    {
        const QJsonObject row = m_rows.value(name);
        Answer answer;
        answer.status = row.value(QStringLiteral("status")).toInt();
        const QJsonValue body = row.value(QStringLiteral("response_body"));
        answer.body =
            body.isObject() ? QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact) : body.toString().toUtf8();
        answer.contentType = row.value(QStringLiteral("response_headers"))
                                 .toObject()
                                 .value(QStringLiteral("content-type"))
                                 .toString()
                                 .toUtf8();
        return answer;
    }

    static Answer json(const QJsonObject& object) { return {200, "application/json", QJsonDocument(object).toJson()}; }

    Answer answer(const Request& request) const
    {
        static const QStringList known = {QStringLiteral("default"), QStringLiteral("team-a"), QStringLiteral("team-b"),
                                          QStringLiteral("scratch")};
        // Like MLflow: the header is resolved before authentication, on every path but server-info.
        if (request.path != QLatin1String("/api/3.0/mlflow/server-info") && request.hasWorkspaceHeader &&
            !request.workspace.isEmpty() && !known.contains(request.workspace)) {
            Answer missing = recorded(QStringLiteral("health_unknown_workspace_header"));
            missing.body.replace("'nope'", "'" + request.workspace.toUtf8() + "'");
            return missing;
        }
        if (request.path == QLatin1String("/health"))
            return {200, "text/plain; charset=utf-8", "OK"};
        if (request.path == QLatin1String("/version"))
            return recorded(QStringLiteral("version_admin"));
        if (request.path == QLatin1String("/api/3.0/mlflow/server-info"))
            return recorded(QStringLiteral("server_info_admin_unknown_workspace_header"));
        if (request.path == QLatin1String("/api/2.0/mlflow/users/get")) {
            const QJsonObject current =
                QJsonDocument::fromJson(recorded(QStringLiteral("users_current_admin")).body).object();
            return json({{QStringLiteral("user"), current.value(QStringLiteral("user"))}});
        }
        if (request.path == QLatin1String("/api/3.0/mlflow/users/current/permissions"))
            return json({{QStringLiteral("is_admin"), true}, {QStringLiteral("permissions"), QJsonArray()}});
        if (request.path == QLatin1String("/api/2.0/mlflow/users/list"))
            return recorded(QStringLiteral("users_list_admin"));
        if (request.path == QLatin1String("/api/3.0/mlflow/workspaces"))
            return recorded(QStringLiteral("workspaces_list_admin_after_creates"));
        if (request.path == QLatin1String("/api/3.0/mlflow/roles/list") &&
            request.query.allQueryItemValues(QStringLiteral("workspace")) == QStringList{QStringLiteral("team-a")})
            return recorded(QStringLiteral("roles_list_team_a_seeded"));
        return {404, "text/html; charset=utf-8", "<h1>Not Found</h1>"};
    }

    void serve(QTcpSocket* socket)
    {
        QByteArray& buffer = m_buffers[socket];
        buffer += socket->readAll();
        for (;;) {
            const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
            if (headEnd < 0)
                return;
            const QList<QByteArray> lines = buffer.left(headEnd).split('\n');
            qsizetype contentLength = 0;
            Request request;
            const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
            request.method = first.value(0);
            const QUrl target(QString::fromUtf8(first.value(1)));
            request.path = target.path();
            request.query = QUrlQuery(target.query());
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const QByteArray line = lines.at(i).trimmed();
                const qsizetype colon = line.indexOf(':');
                const QByteArray name = line.left(colon).trimmed().toLower();
                const QByteArray value = line.mid(colon + 1).trimmed();
                if (name == "content-length")
                    contentLength = value.toLongLong();
                if (name == "x-mlflow-workspace") {
                    request.hasWorkspaceHeader = true;
                    request.workspace = QString::fromUtf8(value);
                }
            }
            if (buffer.size() < headEnd + 4 + contentLength)
                return;
            buffer.remove(0, headEnd + 4 + contentLength);
            m_requests.append(request);
            const Answer reply = answer(request);
            socket->write("HTTP/1.1 " + QByteArray::number(reply.status) + " X\r\nContent-Type: " + reply.contentType +
                          "\r\nContent-Length: " + QByteArray::number(reply.body.size()) + "\r\n\r\n" + reply.body);
        }
    }

    QTcpServer m_server;
    QHash<QString, QJsonObject> m_rows;
    QHash<QTcpSocket*, QByteArray> m_buffers;
    QList<Request> m_requests;
};

QStringList names(const QJsonArray& rows, const QString& key = QStringLiteral("name"))
{
    QStringList result;
    for (const QJsonValue& row : rows)
        result.append(row.toObject().value(key).toString());
    return result;
}

// The calls a --json result of a roles command carries, as "REQUEST | description".
QStringList callsOf(const CliResult& result)
{
    QStringList calls;
    for (const QJsonValue& value : result.json().value(QStringLiteral("calls")).toArray()) {
        const QJsonObject call = value.toObject();
        calls.append(call.value(QStringLiteral("request")).toString() + QStringLiteral(" | ") +
                     call.value(QStringLiteral("description")).toString());
    }
    return calls;
}

// The role as `roles show --json` printed it.
Role roleOf(const QJsonObject& shown)
{
    Role role;
    role.id = shown.value(QStringLiteral("id")).toInteger();
    role.name = shown.value(QStringLiteral("name")).toString();
    role.workspace = shown.value(QStringLiteral("workspace")).toString();
    role.description = shown.value(QStringLiteral("description")).toString();
    for (const QJsonValue& value : shown.value(QStringLiteral("permissions")).toArray()) {
        const QJsonObject row = value.toObject();
        RolePermission permission;
        permission.id = row.value(QStringLiteral("id")).toInteger();
        permission.roleId = role.id;
        permission.resourceType = row.value(QStringLiteral("resource_type")).toString();
        permission.resourcePattern = row.value(QStringLiteral("resource_pattern")).toString();
        permission.level = Permissions::parse(row.value(QStringLiteral("permission")).toString())
                               .value_or(PermissionLevel::NoPermissions);
        role.permissions.append(permission);
    }
    return role;
}

// What the ChangeSet's planner plans for `stage` over a Directory of `roles`, `users` and `experiments`, as
// "REQUEST | description": what the CLI must print and send for the same change.
QStringList plannerCalls(const QList<Role>& roles, const QList<User>& users, const QList<Experiment>& experiments,
                         const std::function<bool(ChangeSet&)>& stage)
{
    Directory directory;
    directory.setGeneration(ApiGeneration::Rbac);
    directory.setContents(users, experiments, {}, ListingSource::ServerApi, roles);
    ChangeSet changes(&directory);
    if (!stage(changes))
        return {QStringLiteral("(the test's change could not be staged)")};
    QStringList calls;
    for (const ApiCall& call : changes.toApiCalls(PlanRules::forGeneration(ApiGeneration::Rbac)))
        calls.append(call.endpoint(ApiGeneration::Rbac) + QStringLiteral(" | ") + call.description());
    return calls;
}

// "POST /api/3.0/mlflow/roles/create" of each planned call.
QStringList requestsOf(const QStringList& calls)
{
    QStringList requests;
    for (const QString& call : calls)
        requests.append(call.section(QStringLiteral(" | "), 0, 0));
    return requests;
}

} // namespace

// The `roles` and `workspaces` commands and --workspace, driven through the real mlflow-admin-cli binary against
// embedded servers in this thread (MLflow 3.14 and 2.15.1 dialects), and --workspace against recorded answers of a
// real MLflow 3.14 with workspaces.
class TestCliRoles : public QObject
{
    Q_OBJECT

private:
    CliResult run(const QStringList& arguments) { return m_cli.run(arguments); }

    CliResult runAs(const QString& user, const QString& password, const QStringList& arguments)
    {
        return m_cli.run(arguments, {{QStringLiteral("MLFLOW_TRACKING_USERNAME"), user},
                                     {QStringLiteral("MLFLOW_TRACKING_PASSWORD"), password}});
    }

    // What user2 sees with its own account, through the CLI's tracking commands.
    QStringList user2Experiments()
    {
        const CliResult result =
            runAs(QStringLiteral("user2"), QStringLiteral("user2-password"),
                  {QStringLiteral("experiments"), QStringLiteral("list"), QStringLiteral("--json")});
        if (result.exitCode != 0)
            return {QStringLiteral("error: ") + result.describe()};
        return names(result.json().value(QStringLiteral("experiments")).toArray());
    }

    QStringList user2Models()
    {
        const CliResult result = runAs(QStringLiteral("user2"), QStringLiteral("user2-password"),
                                       {QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--json")});
        if (result.exitCode != 0)
            return {QStringLiteral("error: ") + result.describe()};
        return names(result.json().value(QStringLiteral("models")).toArray());
    }

    // Runs as admin with the client's request log on (one debug line per reply), and returns the requests that
    // could change something: everything but GETs and searches.
    CliResult runLogged(const QStringList& arguments, QStringList* writes)
    {
        const CliResult result =
            m_cli.run(arguments, {{QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("mlflowadmin.api.debug=true")},
                                  {QStringLiteral("QT_MESSAGE_PATTERN"), QStringLiteral("%{category}|%{message}")}});
        writes->clear();
        const QString prefix = QStringLiteral("mlflowadmin.api|");
        for (const QString& line : result.err.split(QLatin1Char('\n'))) {
            if (!line.startsWith(prefix) || !line.contains(QLatin1String(" -> ")))
                continue;
            const QString request = line.mid(prefix.size()).section(QStringLiteral(" -> "), 0, 0).section('?', 0, 0);
            // Searches are POSTs that only read.
            if (!request.startsWith(QLatin1String("GET ")) && !request.endsWith(QLatin1String("/search")))
                writes->append(request);
        }
        return result;
    }

    // Runs `arguments` with --dry-run (the planner's calls are printed, nothing is sent) and then for real (the same
    // calls are sent, and only they); both must be `expected`. Returns the real run.
    CliResult planned(const QStringList& arguments, const QStringList& expected)
    {
        QStringList writes;
        const CliResult dryRun =
            runLogged(arguments + QStringList{QStringLiteral("--dry-run"), QStringLiteral("--json")}, &writes);
        [&] {
            QVERIFY2(dryRun.exitCode == 0, qPrintable(dryRun.describe()));
            QCOMPARE(dryRun.json().value(QStringLiteral("dry_run")).toBool(), true);
            QCOMPARE(callsOf(dryRun), expected);
            QCOMPARE(writes, QStringList());
        }();
        const CliResult result = runLogged(arguments + QStringList{QStringLiteral("--json")}, &writes);
        [&] {
            QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));
            QCOMPARE(callsOf(result), expected);
            QCOMPARE(writes, requestsOf(expected));
        }();
        return result;
    }

    QJsonObject shownRole(const QString& name)
    {
        return run({QStringLiteral("roles"), QStringLiteral("show"), name, QStringLiteral("--json")})
            .json()
            .value(QStringLiteral("role"))
            .toObject();
    }

    QJsonObject roleByName(const QString& name, bool all = false)
    {
        QStringList arguments{QStringLiteral("roles"), QStringLiteral("list"), QStringLiteral("--json")};
        if (all)
            arguments.append(QStringLiteral("--all"));
        const CliResult result = run(arguments);
        for (const QJsonValue& role : result.json().value(QStringLiteral("roles")).toArray()) {
            if (role.toObject().value(QStringLiteral("name")).toString() == name)
                return role.toObject();
        }
        return {};
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        Dialect mlflow3;
        mlflow3.generation = Dialect::Generation::Mlflow3;
        m_server =
            std::make_unique<ServerFixture>(true, QStringLiteral("NO_PERMISSIONS"), QString(), QString(), mlflow3);
        QVERIFY2(m_server->started(), qPrintable(m_server->error()));
        m_cli.setUrl(m_server->server().url().toString());

        // A registered model of user1's, for grants on "all models".
        RawHttpClient http(QStringLiteral("127.0.0.1"), m_server->port());
        const QByteArray auth = "Basic " + QByteArray("user1:user1-password").toBase64();
        const RawHttpClient::Response created =
            http.send("POST", "/api/2.0/mlflow/registered-models/create",
                      {{"Authorization", auth}, {"Content-Type", "application/json"}}, R"({"name":"churn"})", true);
        QCOMPARE(created.status, 200);
    }

    void cleanupTestCase() { m_server.reset(); }

    void roleLifecycle()
    {
        QVERIFY(!user2Experiments().contains(QStringLiteral("/user1/experiment1")));
        QCOMPARE(user2Models(), QStringList());

        CliResult result =
            run({QStringLiteral("roles"), QStringLiteral("create"), QStringLiteral("readers"),
                 QStringLiteral("--description"), QStringLiteral("Reads team data"), QStringLiteral("--json")});
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(result.json().value(QStringLiteral("action")).toString(), QStringLiteral("created"));
        QCOMPARE(result.json().value(QStringLiteral("workspace")).toString(), QStringLiteral("default"));
        const qint64 roleId = result.json().value(QStringLiteral("id")).toInteger();
        QVERIFY(roleId > 0);

        result =
            run({QStringLiteral("roles"), QStringLiteral("grant"), QStringLiteral("readers"), QStringLiteral("READ"),
                 QStringLiteral("--experiment"), QStringLiteral("/user1/experiment1"), QStringLiteral("--json")});
        QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));
        QCOMPARE(result.json().value(QStringLiteral("action")).toString(), QStringLiteral("added"));
        QCOMPARE(result.json().value(QStringLiteral("resource_type")).toString(), QStringLiteral("experiment"));
        const QString experimentId = result.json().value(QStringLiteral("resource_pattern")).toString();
        QVERIFY2(!experimentId.isEmpty() && experimentId != QLatin1String("*"), qPrintable(result.out));

        result = run({QStringLiteral("roles"), QStringLiteral("grant"), QStringLiteral("readers"),
                      QStringLiteral("read"), QStringLiteral("--all-models")});
        QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));
        QVERIFY2(result.out.contains(QStringLiteral("every registered model")), qPrintable(result.out));

        // The same grant again changes nothing; another level changes the row in place.
        result = run({QStringLiteral("roles"), QStringLiteral("grant"), QString::number(roleId), QStringLiteral("READ"),
                      QStringLiteral("--experiment"), experimentId, QStringLiteral("--json")});
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(result.json().value(QStringLiteral("action")).toString(), QStringLiteral("unchanged"));
        result =
            run({QStringLiteral("roles"), QStringLiteral("grant"), QStringLiteral("readers"), QStringLiteral("EDIT"),
                 QStringLiteral("--experiment"), QStringLiteral("/user1/experiment1"), QStringLiteral("--json")});
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(result.json().value(QStringLiteral("action")).toString(), QStringLiteral("updated"));
        QCOMPARE(result.json().value(QStringLiteral("before")).toString(), QStringLiteral("READ"));
        QCOMPARE(result.json().value(QStringLiteral("after")).toString(), QStringLiteral("EDIT"));

        // Not yet assigned: user2 still sees nothing of user1's.
        QVERIFY(!user2Experiments().contains(QStringLiteral("/user1/experiment1")));

        result = run(
            {QStringLiteral("roles"), QStringLiteral("assign"), QStringLiteral("readers"), QStringLiteral("user2")});
        QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));
        QVERIFY(result.out.contains(QStringLiteral("user2 now holds role readers")));
        result = run({QStringLiteral("roles"), QStringLiteral("assign"), QStringLiteral("readers"),
                      QStringLiteral("user2"), QStringLiteral("--json")});
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(result.json().value(QStringLiteral("action")).toString(), QStringLiteral("unchanged"));

        QVERIFY(user2Experiments().contains(QStringLiteral("/user1/experiment1")));
        QVERIFY(!user2Experiments().contains(QStringLiteral("/user1/experiment2")));
        QCOMPARE(user2Models(), QStringList{QStringLiteral("churn")});

        result =
            run({QStringLiteral("roles"), QStringLiteral("show"), QStringLiteral("readers"), QStringLiteral("--json")});
        QCOMPARE(result.exitCode, 0);
        const QJsonObject shown = result.json().value(QStringLiteral("role")).toObject();
        QCOMPARE(shown.value(QStringLiteral("id")).toInteger(), roleId);
        QCOMPARE(shown.value(QStringLiteral("description")).toString(), QStringLiteral("Reads team data"));
        QCOMPARE(shown.value(QStringLiteral("users")).toArray(), QJsonArray{QStringLiteral("user2")});
        QStringList permissions;
        for (const QJsonValue& row : shown.value(QStringLiteral("permissions")).toArray()) {
            const QJsonObject permission = row.toObject();
            permissions.append(permission.value(QStringLiteral("resource_type")).toString() + QLatin1Char(' ') +
                               permission.value(QStringLiteral("resource_name")).toString() + QLatin1Char(' ') +
                               permission.value(QStringLiteral("permission")).toString());
        }
        permissions.sort();
        QCOMPARE(permissions, (QStringList{QStringLiteral("experiment /user1/experiment1 EDIT"),
                                           QStringLiteral("registered_model every registered_model READ")}));

        const QJsonObject listed = roleByName(QStringLiteral("readers"));
        QCOMPARE(listed.value(QStringLiteral("users")).toArray(), QJsonArray{QStringLiteral("user2")});
        QCOMPARE(listed.value(QStringLiteral("hidden")).toBool(), false);
        QCOMPARE(listed.value(QStringLiteral("permissions")).toArray().size(), 2);

        result = run({QStringLiteral("roles"), QStringLiteral("revoke"), QStringLiteral("readers"),
                      QStringLiteral("--experiment"), QStringLiteral("/user1/experiment1"), QStringLiteral("--json")});
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(result.json().value(QStringLiteral("action")).toString(), QStringLiteral("removed"));
        QCOMPARE(result.json().value(QStringLiteral("before")).toString(), QStringLiteral("EDIT"));
        QVERIFY(!user2Experiments().contains(QStringLiteral("/user1/experiment1")));
        QCOMPARE(user2Models(), QStringList{QStringLiteral("churn")});
        result = run({QStringLiteral("roles"), QStringLiteral("revoke"), QStringLiteral("readers"),
                      QStringLiteral("--experiment"), QStringLiteral("/user1/experiment1")});
        QCOMPARE(result.exitCode, 5);
        QVERIFY2(result.err.contains(QStringLiteral("holds no permission")), qPrintable(result.err));

        result = run(
            {QStringLiteral("roles"), QStringLiteral("unassign"), QStringLiteral("readers"), QStringLiteral("user2")});
        QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));
        QCOMPARE(user2Models(), QStringList());
        result = run(
            {QStringLiteral("roles"), QStringLiteral("unassign"), QStringLiteral("readers"), QStringLiteral("user2")});
        QCOMPARE(result.exitCode, 5);
        QVERIFY2(result.err.contains(QStringLiteral("does not hold role readers")), qPrintable(result.err));

        result = run({QStringLiteral("roles"), QStringLiteral("rename"), QStringLiteral("readers"),
                      QStringLiteral("viewers"), QStringLiteral("--json")});
        QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));
        QCOMPARE(result.json().value(QStringLiteral("name")).toString(), QStringLiteral("viewers"));
        result = run({QStringLiteral("roles"), QStringLiteral("describe"), QStringLiteral("viewers"),
                      QStringLiteral("Sees the models")});
        QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));
        result = run({QStringLiteral("roles"), QStringLiteral("show"), QString::number(roleId)});
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.out.contains(QStringLiteral("Role viewers (id %1) in workspace default").arg(roleId)),
                 qPrintable(result.out));
        QVERIFY(result.out.contains(QStringLiteral("Description: Sees the models")));
        QVERIFY(result.out.contains(QStringLiteral("Users: (none)")));

        result = run({QStringLiteral("roles"), QStringLiteral("delete"), QStringLiteral("viewers")});
        QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));
        result = run({QStringLiteral("roles"), QStringLiteral("show"), QStringLiteral("viewers")});
        QCOMPARE(result.exitCode, 5);
        result = run({QStringLiteral("roles"), QStringLiteral("show"), QString::number(roleId)});
        QCOMPARE(result.exitCode, 5);
        QVERIFY2(result.err.contains(QStringLiteral("no role with id %1").arg(roleId)), qPrintable(result.err));
    }

    // Every mutating roles subcommand stages its change in a ChangeSet and sends what the ChangeSet's planner plans:
    // the CLI prints (--dry-run) and sends exactly the calls the planner gives for the same change over the same
    // state, and nothing else that writes.
    void commandsSendThePlannersCalls()
    {
        const CliResult experiments =
            run({QStringLiteral("experiments"), QStringLiteral("list"), QStringLiteral("--json")});
        Experiment experiment;
        for (const QJsonValue& row : experiments.json().value(QStringLiteral("experiments")).toArray()) {
            if (row.toObject().value(QStringLiteral("name")).toString() == QLatin1String("/user1/experiment2")) {
                experiment.id = row.toObject().value(QStringLiteral("id")).toString();
                experiment.name = QStringLiteral("/user1/experiment2");
            }
        }
        QVERIFY2(!experiment.id.isEmpty(), qPrintable(experiments.out));
        const QString user2 = QStringLiteral("user2");
        const QString experimentType = QStringLiteral("experiment");
        User holder;
        holder.username = user2;
        User nonHolder = holder;

        // create
        const QStringList create{QStringLiteral("roles"), QStringLiteral("create"), QStringLiteral("planned"),
                                 QStringLiteral("--description"), QStringLiteral("Planned role")};
        const QStringList createCalls = plannerCalls({}, {}, {}, [](ChangeSet& changes) {
            return changes.stageCreateRole(QStringLiteral("planned"), QStringLiteral("default"),
                                           QStringLiteral("Planned role"));
        });
        QCOMPARE(requestsOf(createCalls), QStringList{QStringLiteral("POST /api/3.0/mlflow/roles/create")});
        QStringList writes;
        CliResult result = runLogged(create + QStringList{QStringLiteral("--dry-run")}, &writes);
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.out.contains(QStringLiteral("Dry run: 1 call(s) would be sent; nothing was changed.")),
                 qPrintable(result.out));
        QVERIFY2(result.out.contains(QStringLiteral("Create role planned in workspace default")),
                 qPrintable(result.out));
        QVERIFY(writes.isEmpty());
        QCOMPARE(run({QStringLiteral("roles"), QStringLiteral("show"), QStringLiteral("planned")}).exitCode, 5);
        result = planned(create, createCalls);
        QCOMPARE(result.json().value(QStringLiteral("action")).toString(), QStringLiteral("created"));
        QVERIFY(result.json().value(QStringLiteral("id")).toInteger() > 0);

        // grant: a new permission, then a level change in place
        Role role = roleOf(shownRole(QStringLiteral("planned")));
        QCOMPARE(role.description, QStringLiteral("Planned role"));
        const QStringList grant{QStringLiteral("roles"), QStringLiteral("grant"),        QStringLiteral("planned"),
                                QStringLiteral("READ"),  QStringLiteral("--experiment"), experiment.name};
        QStringList calls = plannerCalls({role}, {}, {experiment}, [&](ChangeSet& changes) {
            return changes.stageRolePermission(RoleRef::of(role), experimentType, experiment.id, PermissionLevel::Read);
        });
        QCOMPARE(calls, QStringList{QStringLiteral("POST /api/3.0/mlflow/roles/permissions/add | Grant READ on "
                                                   "experiment /user1/experiment2 to role planned")});
        QCOMPARE(planned(grant, calls).json().value(QStringLiteral("action")).toString(), QStringLiteral("added"));
        role = roleOf(shownRole(QStringLiteral("planned")));
        QCOMPARE(role.permissions.size(), 1);
        const QStringList edit{QStringLiteral("roles"), QStringLiteral("grant"),        QStringLiteral("planned"),
                               QStringLiteral("EDIT"),  QStringLiteral("--experiment"), experiment.id};
        calls = plannerCalls({role}, {}, {experiment}, [&](ChangeSet& changes) {
            return changes.stageRolePermission(RoleRef::of(role), experimentType, experiment.id, PermissionLevel::Edit);
        });
        QCOMPARE(requestsOf(calls), QStringList{QStringLiteral("PATCH /api/3.0/mlflow/roles/permissions/update")});
        QCOMPARE(planned(edit, calls).json().value(QStringLiteral("action")).toString(), QStringLiteral("updated"));
        // The same again: the planner has nothing to send, and nothing is sent.
        result = runLogged(edit + QStringList{QStringLiteral("--json")}, &writes);
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(result.json().value(QStringLiteral("action")).toString(), QStringLiteral("unchanged"));
        QCOMPARE(callsOf(result), QStringList());
        QCOMPARE(writes, QStringList());

        // assign and unassign
        role = roleOf(shownRole(QStringLiteral("planned")));
        const QStringList assign{QStringLiteral("roles"), QStringLiteral("assign"), QStringLiteral("planned"), user2};
        calls = plannerCalls({role}, {nonHolder}, {experiment}, [&](ChangeSet& changes) {
            return changes.stageRoleMember(RoleRef::of(role), user2, true);
        });
        QCOMPARE(calls,
                 QStringList{QStringLiteral("POST /api/3.0/mlflow/roles/assign | Assign role planned to user2")});
        QCOMPARE(planned(assign, calls).json().value(QStringLiteral("action")).toString(), QStringLiteral("assigned"));
        QVERIFY(user2Experiments().contains(experiment.name));
        result = runLogged(assign + QStringList{QStringLiteral("--json")}, &writes);
        QCOMPARE(result.json().value(QStringLiteral("action")).toString(), QStringLiteral("unchanged"));
        QCOMPARE(writes, QStringList()); // known from users/roles/list: no assign is sent
        holder.roles = {role};
        const QStringList unassign{QStringLiteral("roles"), QStringLiteral("unassign"), QStringLiteral("planned"),
                                   user2};
        calls = plannerCalls({role}, {holder}, {experiment}, [&](ChangeSet& changes) {
            return changes.stageRoleMember(RoleRef::of(role), user2, false);
        });
        QCOMPARE(requestsOf(calls), QStringList{QStringLiteral("DELETE /api/3.0/mlflow/roles/unassign")});
        QCOMPARE(planned(unassign, calls).json().value(QStringLiteral("action")).toString(),
                 QStringLiteral("unassigned"));
        QVERIFY(!user2Experiments().contains(experiment.name));
        result = runLogged(unassign, &writes);
        QCOMPARE(result.exitCode, 5);
        QVERIFY2(result.err.contains(QStringLiteral("user2 does not hold role planned")), qPrintable(result.err));
        QCOMPARE(writes, QStringList());

        // revoke
        const QStringList revoke{QStringLiteral("roles"), QStringLiteral("revoke"), QStringLiteral("planned"),
                                 QStringLiteral("--experiment"), experiment.name};
        calls = plannerCalls({role}, {}, {experiment}, [&](ChangeSet& changes) {
            return changes.stageRolePermission(RoleRef::of(role), experimentType, experiment.id, std::nullopt);
        });
        QCOMPARE(calls, QStringList{QStringLiteral("DELETE /api/3.0/mlflow/roles/permissions/remove | Remove EDIT on "
                                                   "experiment /user1/experiment2 from role planned")});
        result = planned(revoke, calls);
        QCOMPARE(result.json().value(QStringLiteral("before")).toString(), QStringLiteral("EDIT"));
        QCOMPARE(roleOf(shownRole(QStringLiteral("planned"))).permissions.size(), 0);

        // rename and describe
        role = roleOf(shownRole(QStringLiteral("planned")));
        const QStringList rename{QStringLiteral("roles"), QStringLiteral("rename"), QStringLiteral("planned"),
                                 QStringLiteral("planned2")};
        calls = plannerCalls({role}, {}, {}, [&](ChangeSet& changes) {
            return changes.stageRenameRole(RoleRef::of(role), QStringLiteral("planned2"));
        });
        QCOMPARE(calls, QStringList{QStringLiteral("PATCH /api/3.0/mlflow/roles/update | Rename role planned to "
                                                   "planned2")});
        QCOMPARE(planned(rename, calls).json().value(QStringLiteral("name")).toString(), QStringLiteral("planned2"));
        role = roleOf(shownRole(QStringLiteral("planned2")));
        const QStringList describe{QStringLiteral("roles"), QStringLiteral("describe"), QStringLiteral("planned2"),
                                   QStringLiteral("Planned, then described")};
        calls = plannerCalls({role}, {}, {}, [&](ChangeSet& changes) {
            return changes.stageDescribeRole(RoleRef::of(role), QStringLiteral("Planned, then described"));
        });
        QCOMPARE(requestsOf(calls), QStringList{QStringLiteral("PATCH /api/3.0/mlflow/roles/update")});
        QCOMPARE(planned(describe, calls).json().value(QStringLiteral("description")).toString(),
                 QStringLiteral("Planned, then described"));
        QCOMPARE(roleOf(shownRole(QStringLiteral("planned2"))).description, QStringLiteral("Planned, then described"));

        // delete
        role = roleOf(shownRole(QStringLiteral("planned2")));
        calls = plannerCalls({role}, {}, {},
                             [&](ChangeSet& changes) { return changes.stageDeleteRole(RoleRef::of(role)); });
        QCOMPARE(calls, QStringList{QStringLiteral("DELETE /api/3.0/mlflow/roles/delete | Delete role planned2")});
        planned({QStringLiteral("roles"), QStringLiteral("delete"), QStringLiteral("planned2")}, calls);
        QCOMPARE(run({QStringLiteral("roles"), QStringLiteral("show"), QStringLiteral("planned2")}).exitCode, 5);
    }

    void hiddenRolesAreDirectGrants()
    {
        // The demo's creators hold MANAGE on their experiments through their hidden roles.
        CliResult result = run({QStringLiteral("roles"), QStringLiteral("list"), QStringLiteral("--json")});
        QCOMPARE(result.exitCode, 0);
        for (const QJsonValue& role : result.json().value(QStringLiteral("roles")).toArray())
            QVERIFY(!role.toObject().value(QStringLiteral("name")).toString().startsWith(QLatin1String("__user_")));
        QVERIFY(result.json().value(QStringLiteral("hidden_roles_not_shown")).toInt() >= 2);

        result = run({QStringLiteral("roles"), QStringLiteral("list"), QStringLiteral("--all")});
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.out.contains(QStringLiteral("the direct grants of user1")), qPrintable(result.out));
        QVERIFY2(result.out.contains(QStringLiteral("the direct grants of user2")), qPrintable(result.out));

        QJsonObject hidden;
        const CliResult all =
            run({QStringLiteral("roles"), QStringLiteral("list"), QStringLiteral("--all"), QStringLiteral("--json")});
        for (const QJsonValue& role : all.json().value(QStringLiteral("roles")).toArray()) {
            if (role.toObject().value(QStringLiteral("direct_grants_of")).toString().endsWith(QLatin1String("user1")))
                hidden = role.toObject();
        }
        QVERIFY2(!hidden.isEmpty(), qPrintable(all.out));
        QCOMPARE(hidden.value(QStringLiteral("hidden")).toBool(), true);
        const QString hiddenName = hidden.value(QStringLiteral("name")).toString();
        const QString hiddenId = QString::number(hidden.value(QStringLiteral("id")).toInteger());

        // Mutations of a hidden role are refused, by name before any request and by id once it is read.
        result = run({QStringLiteral("roles"), QStringLiteral("grant"), hiddenName, QStringLiteral("READ"),
                      QStringLiteral("--all-models")});
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.err.contains(QStringLiteral("`grant USER LEVEL ...`")), qPrintable(result.err));
        for (const QString& sub : {QStringLiteral("delete"), QStringLiteral("assign")}) {
            QStringList arguments{QStringLiteral("roles"), sub, hiddenId};
            if (sub == QLatin1String("assign"))
                arguments.append(QStringLiteral("user2"));
            result = run(arguments);
            QCOMPARE(result.exitCode, 2);
            QVERIFY2(result.err.contains(QStringLiteral("the direct grants of user1;")), qPrintable(result.err));
            QVERIFY(result.err.contains(QStringLiteral("`revoke USER ...`")));
        }
        QCOMPARE(roleByName(hiddenName, true).value(QStringLiteral("permissions")).toArray(),
                 hidden.value(QStringLiteral("permissions")).toArray());

        // Reading it is fine.
        result = run({QStringLiteral("roles"), QStringLiteral("show"), hiddenId});
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.out.contains(QStringLiteral("Hidden role: it holds the direct grants of user1")),
                 qPrintable(result.out));
    }

    void errors()
    {
        CliResult result = run({QStringLiteral("roles"), QStringLiteral("show"), QStringLiteral("nobody")});
        QCOMPARE(result.exitCode, 5);
        QVERIFY2(result.err.contains(QStringLiteral("no role named 'nobody' in workspace default")),
                 qPrintable(result.err));
        result =
            run({QStringLiteral("roles"), QStringLiteral("assign"), QStringLiteral("nobody"), QStringLiteral("user2")});
        QCOMPARE(result.exitCode, 5);

        result = run({QStringLiteral("roles"), QStringLiteral("create"), QStringLiteral("__user_9__"),
                      QStringLiteral("--json")});
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.err.contains(QStringLiteral("reserved")), qPrintable(result.err));
        QCOMPARE(result.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("exit_code")).toInt(), 2);

        result = run({QStringLiteral("roles"), QStringLiteral("create"), QStringLiteral("auditors")});
        QCOMPARE(result.exitCode, 0);
        result = run({QStringLiteral("roles"), QStringLiteral("create"), QStringLiteral("auditors")});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains(QStringLiteral("already exists in workspace default")), qPrintable(result.err));

        result = run({QStringLiteral("roles"), QStringLiteral("grant"), QStringLiteral("auditors"),
                      QStringLiteral("NO_PERMISSIONS"), QStringLiteral("--all-models")});
        QCOMPARE(result.exitCode, 2);
        QVERIFY(result.err.contains(QStringLiteral("roles revoke")));
        result =
            run({QStringLiteral("roles"), QStringLiteral("grant"), QStringLiteral("auditors"), QStringLiteral("READ"),
                 QStringLiteral("--all-models"), QStringLiteral("--model"), QStringLiteral("churn")});
        QCOMPARE(result.exitCode, 2);
        result = run({QStringLiteral("roles"), QStringLiteral("grant"), QStringLiteral("auditors"),
                      QStringLiteral("READ"), QStringLiteral("--experiment"), QStringLiteral("/nowhere")});
        QCOMPARE(result.exitCode, 5);
        QVERIFY2(result.err.contains(QStringLiteral("/nowhere")), qPrintable(result.err));
        result = run(
            {QStringLiteral("roles"), QStringLiteral("assign"), QStringLiteral("auditors"), QStringLiteral("ghost")});
        QCOMPARE(result.exitCode, 5);
        QVERIFY2(result.err.contains(QStringLiteral("no user named 'ghost'")), qPrintable(result.err));

        // A non-admin without workspace rights may not create roles.
        result = runAs(QStringLiteral("user1"), QStringLiteral("user1-password"),
                       {QStringLiteral("roles"), QStringLiteral("create"), QStringLiteral("mine")});
        QCOMPARE(result.exitCode, 4);
    }

    void legacyServerHasNoRoles()
    {
        ServerFixture legacy(true);
        QVERIFY2(legacy.started(), qPrintable(legacy.error()));
        CliRunner cli(QStringLiteral(MLFLOW_ADMIN_CLI_PATH), m_home.path());
        cli.setUrl(legacy.server().url().toString());
        for (const QStringList& arguments :
             {QStringList{QStringLiteral("roles"), QStringLiteral("list")},
              QStringList{QStringLiteral("roles"), QStringLiteral("create"), QStringLiteral("readers")},
              QStringList{QStringLiteral("roles"), QStringLiteral("create"), QStringLiteral("readers"),
                          QStringLiteral("--dry-run")},
              QStringList{QStringLiteral("roles"), QStringLiteral("grant"), QStringLiteral("readers"),
                          QStringLiteral("READ"), QStringLiteral("--all-experiments"), QStringLiteral("--dry-run")},
              QStringList{QStringLiteral("roles"), QStringLiteral("revoke"), QStringLiteral("readers"),
                          QStringLiteral("--all-models")},
              QStringList{QStringLiteral("roles"), QStringLiteral("delete"), QStringLiteral("readers")},
              QStringList{QStringLiteral("roles"), QStringLiteral("assign"), QStringLiteral("readers"),
                          QStringLiteral("user2")}}) {
            // With the request log on: nothing at all goes to the roles API.
            const CliResult result =
                cli.run(arguments + QStringList{QStringLiteral("--json")},
                        {{QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("mlflowadmin.api.debug=true")}});
            QCOMPARE(result.exitCode, 8);
            QVERIFY2(result.err.contains(QStringLiteral("Roles need MLflow 3.12 or newer")), qPrintable(result.err));
            QVERIFY2(result.err.contains(QStringLiteral(" -> ")), qPrintable(result.err)); // the log is on
            QVERIFY2(!result.err.contains(QStringLiteral("/mlflow/roles")), qPrintable(result.err));
            QVERIFY(result.err.contains(QStringLiteral("2.15.1")));
            QCOMPARE(result.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("kind")).toString(),
                     QStringLiteral("NotSupported"));
        }
        const CliResult workspaces = cli.run({QStringLiteral("workspaces"), QStringLiteral("list")});
        QCOMPARE(workspaces.exitCode, 8);
        const CliResult other =
            cli.run({QStringLiteral("--workspace"), QStringLiteral("team-a"), QStringLiteral("probe")});
        QCOMPARE(other.exitCode, 8);
        QVERIFY2(other.err.contains(QStringLiteral("has no workspaces")), qPrintable(other.err));
    }

    // USE exists from MLflow 3.13 on: against a 2.x server `grant` and `apply` refuse it before sending anything;
    // against 3.14 it is granted.
    void useLevelOnlyWhereTheServerKnowsIt()
    {
        ServerFixture legacy(true);
        QVERIFY2(legacy.started(), qPrintable(legacy.error()));
        CliRunner cli(QStringLiteral(MLFLOW_ADMIN_CLI_PATH), m_home.path());
        cli.setUrl(legacy.server().url().toString());
        const QStringList access{QStringLiteral("access"), QStringLiteral("--user"), QStringLiteral("user2"),
                                 QStringLiteral("--json")};
        const QString before = cli.run(access).out;
        CliResult result = cli.run({QStringLiteral("grant"), QStringLiteral("user2"), QStringLiteral("USE"),
                                    QStringLiteral("--experiment"), QStringLiteral("/user1/experiment1")});
        QCOMPARE(result.exitCode, 8);
        QVERIFY2(result.err.contains(QStringLiteral("USE is a permission level of MLflow 3.13 and later")),
                 qPrintable(result.describe()));

        QTemporaryDir dir;
        const QString csv = dir.filePath(QStringLiteral("grants.csv"));
        QFile file(csv);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("user2,experiment,/user1/experiment2,READ\nuser2,experiment,/user1/experiment1,USE\n");
        file.close();
        result = cli.run({QStringLiteral("apply"), csv});
        QCOMPARE(result.exitCode, 8);
        QVERIFY2(result.err.contains(QStringLiteral("Line 2: USE is a permission level")),
                 qPrintable(result.describe()));
        QVERIFY2(result.err.contains(QStringLiteral("nothing was applied")), qPrintable(result.err));
        QCOMPARE(cli.run(access).out, before); // not even line 1 went out

        // MLflow 3.14 knows USE.
        result = run({QStringLiteral("grant"), QStringLiteral("user2"), QStringLiteral("USE"),
                      QStringLiteral("--experiment"), QStringLiteral("/user1/experiment2")});
        QCOMPARE(result.exitCode, 0);
        result = run({QStringLiteral("revoke"), QStringLiteral("user2"), QStringLiteral("--experiment"),
                      QStringLiteral("/user1/experiment2")});
        QCOMPARE(result.exitCode, 0);
    }

    void workspaceOptionWithoutWorkspaces()
    {
        CliResult result = run({QStringLiteral("probe"), QStringLiteral("--json")});
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(result.json().value(QStringLiteral("workspaces_enabled")).toBool(true), false);
        QCOMPARE(result.json().value(QStringLiteral("workspace")).toString(), QStringLiteral("default"));
        QCOMPARE(result.json().value(QStringLiteral("api_generation")).toString(), QStringLiteral("rbac"));

        // `default` is the one workspace such a server has; any other is refused before it is used.
        result = run({QStringLiteral("--workspace"), QStringLiteral("default"), QStringLiteral("roles"),
                      QStringLiteral("list")});
        QCOMPARE(result.exitCode, 0);
        result = run({QStringLiteral("roles"), QStringLiteral("create"), QStringLiteral("elsewhere"),
                      QStringLiteral("--workspace"), QStringLiteral("team-a")});
        QCOMPARE(result.exitCode, 8);
        QVERIFY2(result.err.contains(QStringLiteral("workspace 'team-a' cannot be used")), qPrintable(result.err));
        QVERIFY(roleByName(QStringLiteral("elsewhere")).isEmpty());

        result = run({QStringLiteral("--workspace"), QStringLiteral("Team_A"), QStringLiteral("probe")});
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.err.contains(QStringLiteral("lowercase letters")), qPrintable(result.err));
        result = run({QStringLiteral("--workspace"), QStringLiteral("ajax-api"), QStringLiteral("probe")});
        QCOMPARE(result.exitCode, 2);
    }

    void workspaceHeaderOnTheWire()
    {
        RecordedWorkspaceServer recorded;
        QString error;
        QVERIFY2(recorded.start(&error), qPrintable(error));
        CliRunner cli(QStringLiteral(MLFLOW_ADMIN_CLI_PATH), m_home.path());
        cli.setUrl(recorded.url());

        CliResult result = cli.run({QStringLiteral("--workspace"), QStringLiteral("team-a"), QStringLiteral("roles"),
                                    QStringLiteral("list"), QStringLiteral("--json")});
        QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));
        QCOMPARE(result.json().value(QStringLiteral("workspace")).toString(), QStringLiteral("team-a"));
        QCOMPARE(names(result.json().value(QStringLiteral("roles")).toArray()),
                 (QStringList{QStringLiteral("admin"), QStringLiteral("user")}));

        // The probe and server-info go without the header; the workspace check and everything after carry it.
        const QList<RecordedWorkspaceServer::Request> requests = recorded.requests();
        int checkAt = -1;
        for (int i = 0; i < requests.size(); ++i) {
            if (requests.at(i).path == QLatin1String("/health") && requests.at(i).hasWorkspaceHeader)
                checkAt = i;
        }
        QVERIFY(checkAt > 0);
        bool sawServerInfo = false;
        for (int i = 0; i < checkAt; ++i) {
            QVERIFY2(!requests.at(i).hasWorkspaceHeader, qPrintable(requests.at(i).path));
            sawServerInfo = sawServerInfo || requests.at(i).path == QLatin1String("/api/3.0/mlflow/server-info");
        }
        QVERIFY(sawServerInfo);
        QVERIFY(checkAt + 1 < requests.size());
        bool sawRoles = false;
        for (int i = checkAt; i < requests.size(); ++i) {
            QCOMPARE(requests.at(i).workspace, QStringLiteral("team-a"));
            if (requests.at(i).path == QLatin1String("/api/3.0/mlflow/roles/list")) {
                sawRoles = true;
                QCOMPARE(requests.at(i).query.allQueryItemValues(QStringLiteral("workspace")),
                         QStringList{QStringLiteral("team-a")});
            }
        }
        QVERIFY(sawRoles);

        recorded.clear();
        result = cli.run({QStringLiteral("--workspace"), QStringLiteral("nope"), QStringLiteral("roles"),
                          QStringLiteral("create"), QStringLiteral("x"), QStringLiteral("--json")});
        QCOMPARE(result.exitCode, 5);
        QVERIFY2(result.err.contains(QStringLiteral("no workspace named 'nope'")), qPrintable(result.err));
        for (const RecordedWorkspaceServer::Request& request : recorded.requests())
            QVERIFY2(request.path != QLatin1String("/api/3.0/mlflow/roles/create"), "a role create was sent");

        result = cli.run({QStringLiteral("probe"), QStringLiteral("--json"), QStringLiteral("--workspace"),
                          QStringLiteral("team-b")});
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(result.json().value(QStringLiteral("workspaces_enabled")).toBool(), true);
        QCOMPARE(result.json().value(QStringLiteral("workspace")).toString(), QStringLiteral("team-b"));
        result = cli.run({QStringLiteral("probe")});
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.out.contains(QRegularExpression(QStringLiteral("Workspaces +yes"))), qPrintable(result.out));
        QVERIFY(result.out.contains(QRegularExpression(QStringLiteral("Workspace in use +default"))));

        result = cli.run({QStringLiteral("--workspace"), QStringLiteral("team-a"), QStringLiteral("workspaces"),
                          QStringLiteral("list"), QStringLiteral("--json")});
        QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));
        const QJsonArray rows = result.json().value(QStringLiteral("workspaces")).toArray();
        QCOMPARE(names(rows), (QStringList{QStringLiteral("default"), QStringLiteral("scratch"),
                                           QStringLiteral("team-a"), QStringLiteral("team-b")}));
        for (const QJsonValue& row : rows)
            QCOMPARE(row.toObject().value(QStringLiteral("current")).toBool(),
                     row.toObject().value(QStringLiteral("name")).toString() == QLatin1String("team-a"));
    }

    void workspaceInProfile()
    {
        RecordedWorkspaceServer recorded;
        QString error;
        QVERIFY2(recorded.start(&error), qPrintable(error));
        CliRunner cli(QStringLiteral(MLFLOW_ADMIN_CLI_PATH), m_home.path());
        cli.setUrl(recorded.url());
        CliResult result = cli.run({QStringLiteral("profiles"), QStringLiteral("add"), QStringLiteral("team"),
                                    QStringLiteral("--url"), recorded.url(), QStringLiteral("--user"),
                                    QStringLiteral("admin"), QStringLiteral("--workspace"), QStringLiteral("team-a")});
        QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));
        result = cli.run({QStringLiteral("profiles"), QStringLiteral("list"), QStringLiteral("--json")});
        bool found = false;
        for (const QJsonValue& profile : result.json().value(QStringLiteral("profiles")).toArray()) {
            if (profile.toObject().value(QStringLiteral("name")).toString() == QLatin1String("team")) {
                found = true;
                QCOMPARE(profile.toObject().value(QStringLiteral("workspace")).toString(), QStringLiteral("team-a"));
            }
        }
        QVERIFY2(found, qPrintable(result.out));
        result = cli.run(
            {QStringLiteral("--profile"), QStringLiteral("team"), QStringLiteral("probe"), QStringLiteral("--json")});
        QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));
        QCOMPARE(result.json().value(QStringLiteral("workspace")).toString(), QStringLiteral("team-a"));
        // --workspace overrides the profile's.
        result = cli.run({QStringLiteral("--profile"), QStringLiteral("team"), QStringLiteral("--workspace"),
                          QStringLiteral("team-b"), QStringLiteral("probe"), QStringLiteral("--json")});
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(result.json().value(QStringLiteral("workspace")).toString(), QStringLiteral("team-b"));
        QCOMPARE(recorded.requests().last().workspace, QStringLiteral("team-b"));
    }

private:
    QTemporaryDir m_home;
    std::unique_ptr<ServerFixture> m_server;
    CliRunner m_cli{QStringLiteral(MLFLOW_ADMIN_CLI_PATH), m_home.path()};
};

QTEST_GUILESS_MAIN(TestCliRoles)
#include "tst_cli_roles.moc"

// MLflow 3.14's workspaces (`--enable-workspaces`) in the embedded server, over loopback: the X-MLFLOW-WORKSPACE
// header's rules (before authentication, also on /health), the workspace CRUD endpoints with the statuses and
// messages recorded from a real 3.14 (tests/data/mlflow-reference/mlflow-3.14-workspaces-transcript.jsonl), the
// scoping of experiments, runs and registered models, the delete modes, the "workspace" key of 3.x experiments,
// our deliberate difference (GET/PATCH/DELETE workspaces/<name> are authorized), and 3.x without workspaces.

#include "RawHttpClient.h"
#include "ServerFixture.h"

#include "server/MlflowError.h"
#include "server/TrackingStore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QtTest>

namespace {

const QString kAdmin = QStringLiteral("admin");
const QString kAdminPassword = QStringLiteral("password1234");
const QString kNoWorkspace; // send no X-MLFLOW-WORKSPACE header

Dialect withWorkspaces()
{
    Dialect dialect;
    dialect.generation = Dialect::Generation::Mlflow3;
    dialect.workspaces = true;
    return dialect;
}

Dialect mlflow3Only()
{
    Dialect dialect;
    dialect.generation = Dialect::Generation::Mlflow3;
    return dialect;
}

const QString kPatternMessage = QStringLiteral("Workspace name '%1' must match the pattern "
                                               "^(?!.*--)[a-z0-9]([-a-z0-9]*[a-z0-9])?$ (lowercase alphanumeric with "
                                               "optional internal hyphens).");

struct Answer
{
    int status = 0;
    QByteArray contentType;
    QByteArray body;
    QJsonObject json;
};

class Client
{
public:
    explicit Client(quint16 port) : m_http(QStringLiteral("127.0.0.1"), port) {}

    // `user` empty: no credentials. `workspace` null: no header; empty: the header with an empty value.
    Answer call(const QByteArray& method, const QString& target, const QJsonObject& body = {},
                const QString& workspace = kNoWorkspace, const QString& user = kAdmin,
                const QString& password = QString())
    {
        QList<QPair<QByteArray, QByteArray>> headers;
        if (!user.isEmpty()) {
            const QString secret = password.isEmpty() ? (user == kAdmin ? kAdminPassword : userPassword) : password;
            headers.append(qMakePair(QByteArray("Authorization"),
                                     "Basic " + (user + QLatin1Char(':') + secret).toUtf8().toBase64()));
        }
        if (!workspace.isNull())
            headers.append(qMakePair(QByteArray("X-MLFLOW-WORKSPACE"), workspace.toUtf8()));
        const bool withBody = method == "POST" || method == "PATCH" || !body.isEmpty();
        if (withBody)
            headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
        const RawHttpClient::Response response =
            m_http.send(method, target.toUtf8(), headers,
                        withBody ? QJsonDocument(body).toJson(QJsonDocument::Compact) : QByteArray(), withBody);
        Answer answer;
        answer.status = response.status;
        answer.contentType = response.header("content-type");
        answer.body = response.body;
        answer.json = QJsonDocument::fromJson(response.body).object();
        return answer;
    }

    Answer get(const QString& target, const QString& workspace = kNoWorkspace, const QString& user = kAdmin)
    {
        return call("GET", target, {}, workspace, user);
    }
    Answer post(const QString& target, const QJsonObject& body, const QString& workspace = kNoWorkspace,
                const QString& user = kAdmin)
    {
        return call("POST", target, body, workspace, user);
    }

    QString userPassword = QStringLiteral("alice-password-1");

private:
    RawHttpClient m_http;
};

const QString v2 = QStringLiteral("/api/2.0/mlflow/");
const QString v3 = QStringLiteral("/api/3.0/mlflow/");

// An MLflow JSON error; `answer` is evaluated once (it is often the request itself).
#define EXPECT_ERROR(answer, httpStatus, code, text)                                                                   \
    do {                                                                                                               \
        const Answer checked = (answer);                                                                               \
        QCOMPARE(checked.status, httpStatus);                                                                          \
        QCOMPARE(checked.contentType, QByteArray("application/json"));                                                 \
        QCOMPARE(checked.json.value(QStringLiteral("error_code")).toString(), QStringLiteral(code));                   \
        QCOMPARE(checked.json.value(QStringLiteral("message")).toString(), QString(text));                             \
    } while (false)

} // namespace

class TestWorkspaces : public QObject
{
    Q_OBJECT

private slots:
    void headerIsResolvedBeforeAuthentication();
    void headerNameRules_data();
    void headerNameRules();
    void serverInfoSkipsTheHeader();
    void createAndList();
    void createRefusals_data();
    void createRefusals();
    void getAndUpdate();
    void deleteRefusalsAndRestrict();
    void experimentsAreScopedToTheWorkspace();
    void registeredModelsAndRunsAreScoped();
    void deleteModesMoveOrRemoveResources();
    void workspaceItemEndpointsAreAuthorized();
    void mlflow3WithoutWorkspaces();
    void mlflow2HasNoWorkspaces();
    void olderTrackingDatabaseMovesIntoDefault();
};

void TestWorkspaces::headerIsResolvedBeforeAuthentication()
{
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), {}, {}, withWorkspaces());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Client client(fixture.port());

    // /health, without credentials: the header is checked first (recorded rows 1 and 2).
    Answer answer = client.call("GET", QStringLiteral("/health"), {}, QStringLiteral("nope"), QString());
    EXPECT_ERROR(answer, 404, "RESOURCE_DOES_NOT_EXIST", QStringLiteral("Workspace 'nope' not found"));
    QCOMPARE(answer.json.value(QStringLiteral("error_class")).toString(), QStringLiteral("RESOURCE_NOT_FOUND"));
    QCOMPARE(answer.json.value(QStringLiteral("sqlstate")).toString(), QStringLiteral("KAM00"));
    answer = client.call("GET", QStringLiteral("/health"), {}, QStringLiteral("Bad_Name"), QString());
    EXPECT_ERROR(answer, 400, "INVALID_PARAMETER_VALUE", kPatternMessage.arg(QStringLiteral("Bad_Name")));
    QCOMPARE(answer.json.value(QStringLiteral("error_class")).toString(), QStringLiteral("INVALID_PARAMETER_VALUE"));

    // Unknown workspace beats missing and wrong credentials (rows 3 and 4); a known one gets the usual 401 (row 5).
    const QJsonObject search{{QStringLiteral("max_results"), 100}};
    answer = client.call("POST", v2 + QStringLiteral("experiments/search"), search, QStringLiteral("nope"), QString());
    EXPECT_ERROR(answer, 404, "RESOURCE_DOES_NOT_EXIST", QStringLiteral("Workspace 'nope' not found"));
    answer = client.call("POST", v2 + QStringLiteral("experiments/search"), search, QStringLiteral("nope"), kAdmin,
                         QStringLiteral("wrong-password"));
    EXPECT_ERROR(answer, 404, "RESOURCE_DOES_NOT_EXIST", QStringLiteral("Workspace 'nope' not found"));
    answer =
        client.call("POST", v2 + QStringLiteral("experiments/search"), search, QStringLiteral("default"), QString());
    QCOMPARE(answer.status, 401);
    QCOMPARE(answer.contentType, QByteArray("text/html; charset=utf-8"));

    // No header and an empty header both mean `default` (row 7); /health is OK then.
    answer = client.call("GET", QStringLiteral("/health"), {}, QString(""), QString());
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.body, QByteArray("OK"));
    answer = client.get(v2 + QStringLiteral("users/current"), QString(""));
    QCOMPARE(answer.status, 200);
}

void TestWorkspaces::headerNameRules_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");
    QTest::newRow("upper-case default") << QStringLiteral("DEFAULT") << 400
                                        << kPatternMessage.arg(QStringLiteral("DEFAULT"));
    QTest::newRow("one character") << QStringLiteral("x") << 400
                                   << QStringLiteral("Workspace name 'x' must be between 2 and 63 characters.");
    QTest::newRow("64 characters") << QString(64, QLatin1Char('a')) << 400
                                   << QStringLiteral("Workspace name '%1' must be between 2 and 63 characters.")
                                          .arg(QString(64, QLatin1Char('a')));
    QTest::newRow("double hyphen") << QStringLiteral("team--x") << 400
                                   << kPatternMessage.arg(QStringLiteral("team--x"));
    QTest::newRow("reserved") << QStringLiteral("ajax-api") << 400
                              << QStringLiteral("Workspace name 'ajax-api' is reserved and cannot be used.");
    QTest::newRow("valid but unknown") << QStringLiteral("team-zz") << 404
                                       << QStringLiteral("Workspace 'team-zz' not found");
}

void TestWorkspaces::headerNameRules()
{
    QFETCH(QString, name);
    QFETCH(int, status);
    QFETCH(QString, message);
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), {}, {}, withWorkspaces());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Client client(fixture.port());
    const Answer answer = client.get(v2 + QStringLiteral("users/current"), name);
    QCOMPARE(answer.status, status);
    QCOMPARE(answer.json.value(QStringLiteral("message")).toString(), message);
    QCOMPARE(answer.json.value(QStringLiteral("error_code")).toString(),
             status == 404 ? QStringLiteral("RESOURCE_DOES_NOT_EXIST") : QStringLiteral("INVALID_PARAMETER_VALUE"));
}

void TestWorkspaces::serverInfoSkipsTheHeader()
{
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), {}, {}, withWorkspaces());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Client client(fixture.port());
    for (const QString& header : {QStringLiteral("nope"), QStringLiteral("Bad_Name")}) {
        const Answer answer = client.get(v3 + QStringLiteral("server-info"), header);
        QCOMPARE(answer.status, 200);
        // Flask's jsonify, byte for byte as the real server sent it (checked with curl on 3.14).
        QCOMPARE(
            answer.body,
            QByteArray("{\"store_type\":\"SqlStore\",\"trace_archival_enabled\":false,\"workspaces_enabled\":true}\n"));
    }
    QCOMPARE(client.call("GET", v3 + QStringLiteral("server-info"), {}, kNoWorkspace, QString()).status, 401);
}

void TestWorkspaces::createAndList()
{
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), {}, {}, withWorkspaces());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Client client(fixture.port());

    Answer answer = client.get(v3 + QStringLiteral("workspaces"));
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.json.value(QStringLiteral("workspaces")).toArray(),
             QJsonArray({QJsonObject{
                 {QStringLiteral("name"), QStringLiteral("default")},
                 {QStringLiteral("description"), QStringLiteral("Default workspace for legacy resources")}}}));

    answer =
        client.post(v3 + QStringLiteral("workspaces"), {{QStringLiteral("name"), QStringLiteral("team-b")},
                                                        {QStringLiteral("description"), QStringLiteral("Team B")}});
    QCOMPARE(answer.status, 201);
    // Pretty-printed like 3.14's tracking-style endpoints (json.dumps(indent=2); recorded length 74).
    QCOMPARE(answer.body,
             QByteArray("{\n  \"workspace\": {\n    \"description\": \"Team B\",\n    \"name\": \"team-b\"\n  }\n}"));
    QCOMPARE(answer.body.size(), 74);
    // Unset fields are omitted.
    answer = client.post(v3 + QStringLiteral("workspaces"), {{QStringLiteral("name"), QStringLiteral("scratch")}});
    QCOMPARE(answer.status, 201);
    QCOMPARE(answer.json, QJsonObject({{QStringLiteral("workspace"),
                                        QJsonObject{{QStringLiteral("name"), QStringLiteral("scratch")}}}}));
    QCOMPARE(
        client.post(v3 + QStringLiteral("workspaces"), {{QStringLiteral("name"), QStringLiteral("team-a")}}).status,
        201);

    // Sorted by name, on both prefixes; there is no /api/2.0 twin.
    for (const QString& prefix : {v3, QStringLiteral("/ajax-api/3.0/mlflow/")}) {
        answer = client.get(prefix + QStringLiteral("workspaces"));
        QCOMPARE(answer.status, 200);
        QStringList names;
        for (const QJsonValue& workspace : answer.json.value(QStringLiteral("workspaces")).toArray())
            names.append(workspace.toObject().value(QStringLiteral("name")).toString());
        QCOMPARE(names, QStringList({QStringLiteral("default"), QStringLiteral("scratch"), QStringLiteral("team-a"),
                                     QStringLiteral("team-b")}));
    }
    answer = client.get(v2 + QStringLiteral("workspaces"));
    QCOMPARE(answer.status, 404);
    QCOMPARE(answer.contentType, QByteArray("text/html; charset=utf-8"));

    // A created workspace is accepted in the header at once.
    QCOMPARE(client.get(v2 + QStringLiteral("users/current"), QStringLiteral("scratch")).status, 200);
}

void TestWorkspaces::createRefusals_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("message");
    QTest::newRow("duplicate") << QJsonObject{{QStringLiteral("name"), QStringLiteral("team-a")}}
                               << QStringLiteral("RESOURCE_ALREADY_EXISTS")
                               << QStringLiteral("Workspace 'team-a' already exists.");
    QTest::newRow("default") << QJsonObject{{QStringLiteral("name"), QStringLiteral("default")}}
                             << QStringLiteral("INVALID_PARAMETER_VALUE")
                             << QStringLiteral("The 'default' workspace is reserved and cannot be created");
    QTest::newRow("pattern") << QJsonObject{{QStringLiteral("name"), QStringLiteral("Team_C")}}
                             << QStringLiteral("INVALID_PARAMETER_VALUE")
                             << kPatternMessage.arg(QStringLiteral("Team_C"));
    QTest::newRow("reserved") << QJsonObject{{QStringLiteral("name"), QStringLiteral("ajax-api")}}
                              << QStringLiteral("INVALID_PARAMETER_VALUE")
                              << QStringLiteral("Workspace name 'ajax-api' is reserved and cannot be used.");
    QTest::newRow("one character") << QJsonObject{{QStringLiteral("name"), QStringLiteral("x")}}
                                   << QStringLiteral("INVALID_PARAMETER_VALUE")
                                   << QStringLiteral("Workspace name 'x' must be between 2 and 63 characters.");
    QTest::newRow("missing name") << QJsonObject{{QStringLiteral("description"), QStringLiteral("no name")}}
                                  << QStringLiteral("INVALID_PARAMETER_VALUE")
                                  << QStringLiteral("Missing value for required parameter 'name'. See the API docs for "
                                                    "more information about request parameters.");
}

void TestWorkspaces::createRefusals()
{
    QFETCH(QJsonObject, body);
    QFETCH(QString, code);
    QFETCH(QString, message);
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), {}, {}, withWorkspaces());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Client client(fixture.port());
    QCOMPARE(
        client.post(v3 + QStringLiteral("workspaces"), {{QStringLiteral("name"), QStringLiteral("team-a")}}).status,
        201);
    const Answer answer = client.post(v3 + QStringLiteral("workspaces"), body);
    QCOMPARE(answer.status, 400);
    QCOMPARE(answer.json.value(QStringLiteral("error_code")).toString(), code);
    QCOMPARE(answer.json.value(QStringLiteral("message")).toString(), message);
    QCOMPARE(answer.json.value(QStringLiteral("sqlstate")).toString(), QStringLiteral("KAM00"));
}

void TestWorkspaces::getAndUpdate()
{
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), {}, {}, withWorkspaces());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Client client(fixture.port());
    client.post(v3 + QStringLiteral("workspaces"), {{QStringLiteral("name"), QStringLiteral("team-b")},
                                                    {QStringLiteral("description"), QStringLiteral("Team B")}});
    client.post(v3 + QStringLiteral("workspaces"), {{QStringLiteral("name"), QStringLiteral("scratch")}});

    Answer answer = client.get(v3 + QStringLiteral("workspaces/team-b"));
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.json.value(QStringLiteral("workspace")).toObject().value(QStringLiteral("description")).toString(),
             QStringLiteral("Team B"));
    answer = client.get(v3 + QStringLiteral("workspaces/default"));
    QCOMPARE(answer.status, 200);
    EXPECT_ERROR(client.get(v3 + QStringLiteral("workspaces/team-zz")), 404, "RESOURCE_DOES_NOT_EXIST",
                 QStringLiteral("Workspace 'team-zz' not found"));
    EXPECT_ERROR(client.get(v3 + QStringLiteral("workspaces/Team_A")), 400, "INVALID_PARAMETER_VALUE",
                 kPatternMessage.arg(QStringLiteral("Team_A")));
    // A deeper path is no workspace item.
    QCOMPARE(client.get(v3 + QStringLiteral("workspaces/team-b/extra")).status, 404);

    answer = client.call("PATCH", v3 + QStringLiteral("workspaces/team-b"),
                         {{QStringLiteral("description"), QStringLiteral("Team B (updated)")}});
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.json,
             QJsonObject({{QStringLiteral("workspace"),
                           QJsonObject{{QStringLiteral("name"), QStringLiteral("team-b")},
                                       {QStringLiteral("description"), QStringLiteral("Team B (updated)")}}}}));
    answer = client.call("PATCH", v3 + QStringLiteral("workspaces/scratch"),
                         {{QStringLiteral("default_artifact_root"), QStringLiteral("s3://ws-bucket/scratch")}});
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.json,
             QJsonObject({{QStringLiteral("workspace"), QJsonObject{{QStringLiteral("name"), QStringLiteral("scratch")},
                                                                    {QStringLiteral("default_artifact_root"),
                                                                     QStringLiteral("s3://ws-bucket/scratch")}}}}));
    EXPECT_ERROR(client.call("PATCH", v3 + QStringLiteral("workspaces/team-b"), {}), 400, "INVALID_PARAMETER_VALUE",
                 QStringLiteral("Workspace update must have at least one key"));
    EXPECT_ERROR(client.call("PATCH", v3 + QStringLiteral("workspaces/team-zz"),
                             {{QStringLiteral("description"), QStringLiteral("x")}}),
                 404, "RESOURCE_DOES_NOT_EXIST", QStringLiteral("Workspace 'team-zz' not found"));
    QCOMPARE(client.get(v3 + QStringLiteral("workspaces/team-b"))
                 .json.value(QStringLiteral("workspace"))
                 .toObject()
                 .value(QStringLiteral("description"))
                 .toString(),
             QStringLiteral("Team B (updated)"));
}

void TestWorkspaces::deleteRefusalsAndRestrict()
{
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), {}, {}, withWorkspaces());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Client client(fixture.port());
    client.post(v3 + QStringLiteral("workspaces"), {{QStringLiteral("name"), QStringLiteral("team-b")}});
    client.post(v3 + QStringLiteral("workspaces"), {{QStringLiteral("name"), QStringLiteral("scratch")}});
    const QString teamB = QStringLiteral("team-b");
    QCOMPARE(client
                 .post(v2 + QStringLiteral("experiments/create"),
                       {{QStringLiteral("name"), QStringLiteral("carol-exp")}}, teamB)
                 .status,
             200);
    for (const QString& model : {QStringLiteral("model-a"), QStringLiteral("model-b")})
        QCOMPARE(client.post(v2 + QStringLiteral("registered-models/create"), {{QStringLiteral("name"), model}}, teamB)
                     .status,
                 200);

    EXPECT_ERROR(client.call("DELETE", v3 + QStringLiteral("workspaces/default")), 400, "INVALID_PARAMETER_VALUE",
                 QStringLiteral("The 'default' workspace is reserved and cannot be deleted"));
    EXPECT_ERROR(client.call("DELETE", v3 + QStringLiteral("workspaces/team-zz")), 404, "RESOURCE_DOES_NOT_EXIST",
                 QStringLiteral("Workspace 'team-zz' not found"));
    EXPECT_ERROR(client.call("DELETE", v3 + QStringLiteral("workspaces/team-b?mode=PURGE")), 400,
                 "INVALID_PARAMETER_VALUE",
                 QStringLiteral("Invalid deletion mode 'PURGE'. Must be one of: SET_DEFAULT, CASCADE, RESTRICT"));
    // `?mode=` names no mode (3.14 answers 400 too, checked with curl).
    EXPECT_ERROR(client.call("DELETE", v3 + QStringLiteral("workspaces/team-b?mode=")), 400, "INVALID_PARAMETER_VALUE",
                 QStringLiteral("Invalid deletion mode ''. Must be one of: SET_DEFAULT, CASCADE, RESTRICT"));
    // RESTRICT (the default mode) names registered_models first, as 3.14 does (row 144).
    Answer answer = client.call("DELETE", v3 + QStringLiteral("workspaces/team-b"));
    EXPECT_ERROR(answer, 500, "INVALID_STATE",
                 QStringLiteral("Cannot delete workspace 'team-b': table 'registered_models' still contains 2 "
                                "resource(s). Remove or reassign them before deleting the workspace."));
    QCOMPARE(answer.json.value(QStringLiteral("error_class")).toString(), QStringLiteral("CLIENT_INTERNAL_ERROR"));
    QCOMPARE(answer.json.value(QStringLiteral("sqlstate")).toString(), QStringLiteral("XXM00"));
    for (const QString& model : {QStringLiteral("model-a"), QStringLiteral("model-b")})
        QCOMPARE(client
                     .call("DELETE", v2 + QStringLiteral("registered-models/delete"), {{QStringLiteral("name"), model}},
                           teamB)
                     .status,
                 200);
    EXPECT_ERROR(client.call("DELETE", v3 + QStringLiteral("workspaces/team-b?mode=RESTRICT")), 500, "INVALID_STATE",
                 QStringLiteral("Cannot delete workspace 'team-b': table 'experiments' still contains 1 resource(s). "
                                "Remove or reassign them before deleting the workspace."));

    // An empty workspace goes: 204, empty text/html body; then it is unknown everywhere.
    answer = client.call("DELETE", v3 + QStringLiteral("workspaces/scratch"));
    QCOMPARE(answer.status, 204);
    QVERIFY(answer.body.isEmpty());
    QCOMPARE(answer.contentType, QByteArray("text/html; charset=utf-8"));
    EXPECT_ERROR(client.get(v3 + QStringLiteral("workspaces/scratch")), 404, "RESOURCE_DOES_NOT_EXIST",
                 QStringLiteral("Workspace 'scratch' not found"));
    EXPECT_ERROR(client.get(v2 + QStringLiteral("users/current"), QStringLiteral("scratch")), 404,
                 "RESOURCE_DOES_NOT_EXIST", QStringLiteral("Workspace 'scratch' not found"));
}

void TestWorkspaces::experimentsAreScopedToTheWorkspace()
{
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), {}, {}, withWorkspaces());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Client client(fixture.port());
    const QString teamA = QStringLiteral("team-a");
    client.post(v3 + QStringLiteral("workspaces"), {{QStringLiteral("name"), teamA}});
    const QJsonObject sharedName{{QStringLiteral("name"), QStringLiteral("shared-name")}};

    // Same name in two workspaces; ids are one global counter.
    Answer answer = client.post(v2 + QStringLiteral("experiments/create"), sharedName);
    QCOMPARE(answer.json.value(QStringLiteral("experiment_id")).toString(), QStringLiteral("1"));
    answer = client.post(v2 + QStringLiteral("experiments/create"), sharedName, teamA);
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.json.value(QStringLiteral("experiment_id")).toString(), QStringLiteral("2"));
    EXPECT_ERROR(client.post(v2 + QStringLiteral("experiments/create"), sharedName, teamA), 400,
                 "RESOURCE_ALREADY_EXISTS", QStringLiteral("Experiment(name=shared-name) already exists."));
    EXPECT_ERROR(client.post(v2 + QStringLiteral("experiments/create"),
                             {{QStringLiteral("name"), QStringLiteral("alice-exp-loc")},
                              {QStringLiteral("artifact_location"), QStringLiteral("s3://bucket/x")}},
                             teamA),
                 400, "INVALID_PARAMETER_VALUE",
                 QStringLiteral("artifact_location cannot be specified when workspaces are enabled"));

    // get: only the header's workspace; the experiment carries its workspace and a workspace artifact path.
    EXPECT_ERROR(client.get(v2 + QStringLiteral("experiments/get?experiment_id=2")), 404, "RESOURCE_DOES_NOT_EXIST",
                 QStringLiteral("No Experiment with id=2 exists"));
    answer = client.get(v2 + QStringLiteral("experiments/get?experiment_id=2"), teamA);
    QCOMPARE(answer.status, 200);
    QJsonObject experiment = answer.json.value(QStringLiteral("experiment")).toObject();
    QCOMPARE(experiment.value(QStringLiteral("workspace")).toString(), teamA);
    QCOMPARE(experiment.value(QStringLiteral("artifact_location")).toString(),
             QStringLiteral("mlflow-artifacts:/workspaces/team-a/2"));
    EXPECT_ERROR(client.get(v2 + QStringLiteral("experiments/get?experiment_id=0"), teamA), 404,
                 "RESOURCE_DOES_NOT_EXIST", QStringLiteral("No Experiment with id=0 exists"));

    // get-by-name resolves the name inside the workspace.
    answer = client.get(v2 + QStringLiteral("experiments/get-by-name?experiment_name=shared-name"), teamA);
    QCOMPARE(
        answer.json.value(QStringLiteral("experiment")).toObject().value(QStringLiteral("experiment_id")).toString(),
        QStringLiteral("2"));
    answer = client.get(v2 + QStringLiteral("experiments/get-by-name?experiment_name=shared-name"));
    QCOMPARE(
        answer.json.value(QStringLiteral("experiment")).toObject().value(QStringLiteral("experiment_id")).toString(),
        QStringLiteral("1"));

    // search: only `default` has the Default experiment 0 (rows 59, 61).
    const auto searchNames = [&client](const QString& workspace) {
        QStringList names;
        const Answer found =
            client.post(v2 + QStringLiteral("experiments/search"), {{QStringLiteral("max_results"), 100}}, workspace);
        for (const QJsonValue& item : found.json.value(QStringLiteral("experiments")).toArray())
            names.append(item.toObject().value(QStringLiteral("name")).toString() + QLatin1Char('@') +
                         item.toObject().value(QStringLiteral("workspace")).toString());
        return names;
    };
    QCOMPARE(searchNames(kNoWorkspace),
             QStringList({QStringLiteral("shared-name@default"), QStringLiteral("Default@default")}));
    QCOMPARE(searchNames(teamA), QStringList({QStringLiteral("shared-name@team-a")}));
    answer = client.get(v2 + QStringLiteral("experiments/get?experiment_id=0"));
    QCOMPARE(answer.json.value(QStringLiteral("experiment"))
                 .toObject()
                 .value(QStringLiteral("artifact_location"))
                 .toString(),
             QStringLiteral("mlflow-artifacts:/workspaces/default/0"));

    // A workspace with its own default_artifact_root puts experiments directly under it (checked on 3.14).
    client.post(v3 + QStringLiteral("workspaces"),
                {{QStringLiteral("name"), QStringLiteral("rooted")},
                 {QStringLiteral("default_artifact_root"), QStringLiteral("s3://ws-bucket/rooted")}});
    const QString rootedId = client
                                 .post(v2 + QStringLiteral("experiments/create"),
                                       {{QStringLiteral("name"), QStringLiteral("e-rooted")}}, QStringLiteral("rooted"))
                                 .json.value(QStringLiteral("experiment_id"))
                                 .toString();
    answer = client.get(v2 + QStringLiteral("experiments/get?experiment_id=") + rootedId, QStringLiteral("rooted"));
    QCOMPARE(answer.json.value(QStringLiteral("experiment"))
                 .toObject()
                 .value(QStringLiteral("artifact_location"))
                 .toString(),
             QStringLiteral("s3://ws-bucket/rooted/") + rootedId);

    // Writes to another workspace's experiment are "not found" too.
    EXPECT_ERROR(client.post(v2 + QStringLiteral("experiments/set-experiment-tag"),
                             {{QStringLiteral("experiment_id"), QStringLiteral("2")},
                              {QStringLiteral("key"), QStringLiteral("k")},
                              {QStringLiteral("value"), QStringLiteral("v")}}),
                 404, "RESOURCE_DOES_NOT_EXIST", QStringLiteral("No Experiment with id=2 exists"));
}

void TestWorkspaces::registeredModelsAndRunsAreScoped()
{
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), {}, {}, withWorkspaces());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Client client(fixture.port());
    const QString teamA = QStringLiteral("team-a");
    const QString teamB = QStringLiteral("team-b");
    client.post(v3 + QStringLiteral("workspaces"), {{QStringLiteral("name"), teamA}});
    client.post(v3 + QStringLiteral("workspaces"), {{QStringLiteral("name"), teamB}});

    const QJsonObject modelA{
        {QStringLiteral("name"), QStringLiteral("model-a")},
        {QStringLiteral("tags"), QJsonArray{QJsonObject{{QStringLiteral("key"), QStringLiteral("team")},
                                                        {QStringLiteral("value"), QStringLiteral("a")}}}}};
    QCOMPARE(client.post(v2 + QStringLiteral("registered-models/create"), modelA, teamA).status, 200);
    QCOMPARE(client
                 .post(v2 + QStringLiteral("registered-models/create"),
                       {{QStringLiteral("name"), QStringLiteral("model-a")}}, teamB)
                 .status,
             200);
    EXPECT_ERROR(client.post(v2 + QStringLiteral("registered-models/create"),
                             {{QStringLiteral("name"), QStringLiteral("model-a")}}, teamB),
                 400, "RESOURCE_ALREADY_EXISTS", QStringLiteral("Registered Model (name=model-a) already exists."));
    EXPECT_ERROR(client.get(v2 + QStringLiteral("registered-models/get?name=model-a")), 404, "RESOURCE_DOES_NOT_EXIST",
                 QStringLiteral("Registered Model with name=model-a not found"));
    // Each workspace's model-a has its own tags: team-b's has none.
    Answer answer = client.get(v2 + QStringLiteral("registered-models/get?name=model-a"), teamB);
    QCOMPARE(answer.status, 200);
    QVERIFY(!answer.json.value(QStringLiteral("registered_model")).toObject().contains(QStringLiteral("tags")));
    answer = client.get(v2 + QStringLiteral("registered-models/search?filter=tags.team%20%3D%20%27a%27"), teamB);
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.json, QJsonObject());
    answer = client.get(v2 + QStringLiteral("registered-models/search?filter=tags.team%20%3D%20%27a%27"), teamA);
    QCOMPARE(answer.json.value(QStringLiteral("registered_models")).toArray().size(), 1);
    answer = client.get(v2 + QStringLiteral("registered-models/search"));
    QCOMPARE(answer.json, QJsonObject());

    // Runs are found only with their experiment's workspace (rows 73-75).
    const QString experimentId =
        client.post(v2 + QStringLiteral("experiments/create"), {{QStringLiteral("name"), QStringLiteral("exp")}}, teamA)
            .json.value(QStringLiteral("experiment_id"))
            .toString();
    answer = client.post(
        v2 + QStringLiteral("runs/create"),
        {{QStringLiteral("experiment_id"), experimentId}, {QStringLiteral("run_name"), QStringLiteral("run-a1")}},
        teamA);
    QCOMPARE(answer.status, 200);
    const QJsonObject info =
        answer.json.value(QStringLiteral("run")).toObject().value(QStringLiteral("info")).toObject();
    const QString runId = info.value(QStringLiteral("run_id")).toString();
    QCOMPARE(info.value(QStringLiteral("artifact_uri")).toString(),
             QStringLiteral("mlflow-artifacts:/workspaces/team-a/%1/%2/artifacts").arg(experimentId, runId));
    const QString notFound = QStringLiteral("Run with id=%1 not found").arg(runId);
    const QJsonObject metric{{QStringLiteral("run_id"), runId},
                             {QStringLiteral("key"), QStringLiteral("m")},
                             {QStringLiteral("value"), 2.0},
                             {QStringLiteral("timestamp"), 1700000000000LL},
                             {QStringLiteral("step"), 1}};
    EXPECT_ERROR(client.post(v2 + QStringLiteral("runs/log-metric"), metric), 404, "RESOURCE_DOES_NOT_EXIST", notFound);
    EXPECT_ERROR(client.get(v2 + QStringLiteral("runs/get?run_id=") + runId, teamB), 404, "RESOURCE_DOES_NOT_EXIST",
                 notFound);
    QCOMPARE(client.post(v2 + QStringLiteral("runs/log-metric"), metric, teamA).status, 200);
    QCOMPARE(client.get(v2 + QStringLiteral("runs/get?run_id=") + runId, teamA).status, 200);
    const QJsonObject search{{QStringLiteral("experiment_ids"), QJsonArray{experimentId}}};
    QCOMPARE(client.post(v2 + QStringLiteral("runs/search"), search, teamA)
                 .json.value(QStringLiteral("runs"))
                 .toArray()
                 .size(),
             1);
    QCOMPARE(client.post(v2 + QStringLiteral("runs/search"), search, teamB).json, QJsonObject());
}

void TestWorkspaces::deleteModesMoveOrRemoveResources()
{
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), {}, {}, withWorkspaces());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Client client(fixture.port());
    const QString teamB = QStringLiteral("team-b");
    const QString teamC = QStringLiteral("team-c");
    client.post(v3 + QStringLiteral("workspaces"), {{QStringLiteral("name"), teamB}});
    client.post(v3 + QStringLiteral("workspaces"), {{QStringLiteral("name"), teamC}});
    const QJsonObject sharedName{{QStringLiteral("name"), QStringLiteral("shared-name")}};
    client.post(v2 + QStringLiteral("experiments/create"), sharedName);
    const QString teamCExperiment = client.post(v2 + QStringLiteral("experiments/create"), sharedName, teamC)
                                        .json.value(QStringLiteral("experiment_id"))
                                        .toString();
    const QString carolExperiment = client
                                        .post(v2 + QStringLiteral("experiments/create"),
                                              {{QStringLiteral("name"), QStringLiteral("carol-exp")}}, teamB)
                                        .json.value(QStringLiteral("experiment_id"))
                                        .toString();
    client.post(v2 + QStringLiteral("registered-models/create"), {{QStringLiteral("name"), QStringLiteral("model-b")}},
                teamB);
    const QString runId =
        client.post(v2 + QStringLiteral("runs/create"), {{QStringLiteral("experiment_id"), teamCExperiment}}, teamC)
            .json.value(QStringLiteral("run"))
            .toObject()
            .value(QStringLiteral("info"))
            .toObject()
            .value(QStringLiteral("run_id"))
            .toString();
    QVERIFY(!runId.isEmpty());

    // SET_DEFAULT refuses a name that exists in default (row 148) and changes nothing.
    EXPECT_ERROR(client.call("DELETE", v3 + QStringLiteral("workspaces/team-c?mode=SET_DEFAULT")), 500, "INVALID_STATE",
                 QStringLiteral("Cannot reassign resources from workspace 'team-c' to 'default': the following names "
                                "already exist in the default workspace and would cause conflicts:\n  - experiments: "
                                "'shared-name'\nRename or remove the conflicting resources before retrying."));
    QCOMPARE(client.get(v2 + QStringLiteral("experiments/get?experiment_id=") + teamCExperiment, teamC).status, 200);

    // CASCADE removes the workspace's experiments and their runs.
    Answer answer = client.call("DELETE", v3 + QStringLiteral("workspaces/team-c?mode=CASCADE"));
    QCOMPARE(answer.status, 204);
    EXPECT_ERROR(client.get(v2 + QStringLiteral("users/current"), teamC), 404, "RESOURCE_DOES_NOT_EXIST",
                 QStringLiteral("Workspace 'team-c' not found"));
    EXPECT_ERROR(client.get(v2 + QStringLiteral("experiments/get?experiment_id=") + teamCExperiment), 404,
                 "RESOURCE_DOES_NOT_EXIST", QStringLiteral("No Experiment with id=%1 exists").arg(teamCExperiment));
    EXPECT_ERROR(client.get(v2 + QStringLiteral("runs/get?run_id=") + runId), 404, "RESOURCE_DOES_NOT_EXIST",
                 QStringLiteral("Run with id=%1 not found").arg(runId));

    // SET_DEFAULT moves experiments and models to default, keeping their ids and artifact locations (row 153).
    QCOMPARE(client.call("DELETE", v3 + QStringLiteral("workspaces/team-b?mode=SET_DEFAULT")).status, 204);
    answer = client.get(v2 + QStringLiteral("experiments/get?experiment_id=") + carolExperiment);
    QCOMPARE(answer.status, 200);
    const QJsonObject experiment = answer.json.value(QStringLiteral("experiment")).toObject();
    QCOMPARE(experiment.value(QStringLiteral("workspace")).toString(), QStringLiteral("default"));
    QCOMPARE(experiment.value(QStringLiteral("artifact_location")).toString(),
             QStringLiteral("mlflow-artifacts:/workspaces/team-b/") + carolExperiment);
    QCOMPARE(client.get(v2 + QStringLiteral("registered-models/get?name=model-b")).status, 200);
    answer = client.get(v3 + QStringLiteral("workspaces"));
    QCOMPARE(answer.json.value(QStringLiteral("workspaces")).toArray().size(), 1);
}

// Deliberate difference: 3.14 lets any authenticated user read, update and delete workspaces/<name> (rows
// 138-140: alice, without any role, deleted `scratch`). We require presence for GET, an admin or the workspace's
// MANAGE holder for PATCH, and an admin for DELETE. Without a role store (WorkspaceRoleHooks null) a non-admin has
// no presence anywhere.
void TestWorkspaces::workspaceItemEndpointsAreAuthorized()
{
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), {}, {}, withWorkspaces());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Client client(fixture.port());
    client.post(v3 + QStringLiteral("workspaces"), {{QStringLiteral("name"), QStringLiteral("scratch")}});
    const QString alice = QStringLiteral("alice");
    QCOMPARE(client
                 .post(v2 + QStringLiteral("users/create"),
                       {{QStringLiteral("username"), alice}, {QStringLiteral("password"), client.userPassword}})
                 .status,
             200);

    const auto expectDenied = [](const Answer& answer) {
        QCOMPARE(answer.status, 403);
        QCOMPARE(answer.body, QByteArray("Permission denied"));
    };
    expectDenied(client.get(v3 + QStringLiteral("workspaces/scratch"), kNoWorkspace, alice));
    expectDenied(client.call("PATCH", v3 + QStringLiteral("workspaces/scratch"),
                             {{QStringLiteral("description"), QStringLiteral("renamed by alice")}}, kNoWorkspace,
                             alice));
    expectDenied(client.call("DELETE", v3 + QStringLiteral("workspaces/scratch"), {}, kNoWorkspace, alice));
    expectDenied(client.post(v3 + QStringLiteral("workspaces"), {{QStringLiteral("name"), QStringLiteral("mine")}},
                             kNoWorkspace, alice));
    // As recorded for a user without roles (row 37): the list is empty.
    const Answer list = client.get(v3 + QStringLiteral("workspaces"), kNoWorkspace, alice);
    QCOMPARE(list.status, 200);
    QCOMPARE(list.json, QJsonObject());

    // Nothing changed: the workspace is still there, with no description.
    const Answer scratch = client.get(v3 + QStringLiteral("workspaces/scratch"));
    QCOMPARE(scratch.status, 200);
    QCOMPARE(scratch.json.value(QStringLiteral("workspace")).toObject(),
             QJsonObject({{QStringLiteral("name"), QStringLiteral("scratch")}}));
}

void TestWorkspaces::mlflow3WithoutWorkspaces()
{
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), {}, {}, mlflow3Only());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Client client(fixture.port());
    const QByteArray disabledTail = " disabled because the server is running without workspaces support. To enable "
                                    "workspace, run `mlflow server` with `--enable-workspaces`";

    Answer answer = client.get(v3 + QStringLiteral("workspaces"));
    QCOMPARE(answer.status, 503);
    QCOMPARE(answer.contentType, QByteArray("text/html; charset=utf-8"));
    QCOMPARE(answer.body, "Endpoint: /api/3.0/mlflow/workspaces" + disabledTail);
    answer = client.call("DELETE", QStringLiteral("/ajax-api/3.0/mlflow/workspaces/team-a"));
    QCOMPARE(answer.status, 503);
    QCOMPARE(answer.body, "Endpoint: /ajax-api/3.0/mlflow/workspaces/<workspace_name>" + disabledTail);
    QCOMPARE(
        client.post(v3 + QStringLiteral("workspaces"), {{QStringLiteral("name"), QStringLiteral("team-a")}}).status,
        503);
    client.post(v2 + QStringLiteral("users/create"), {{QStringLiteral("username"), QStringLiteral("alice")},
                                                      {QStringLiteral("password"), client.userPassword}});
    answer = client.post(v3 + QStringLiteral("workspaces"), {{QStringLiteral("name"), QStringLiteral("team-a")}},
                         kNoWorkspace, QStringLiteral("alice"));
    QCOMPARE(answer.status, 403);
    QCOMPARE(client.get(v3 + QStringLiteral("workspaces"), kNoWorkspace, QStringLiteral("alice")).status, 503);

    // The header is ignored, and experiments still carry "workspace": "default" with the plain artifact path.
    QCOMPARE(client.call("GET", QStringLiteral("/health"), {}, QStringLiteral("nope"), QString()).status, 200);
    answer = client.post(v2 + QStringLiteral("experiments/create"), {{QStringLiteral("name"), QStringLiteral("e1")}},
                         QStringLiteral("nope"));
    QCOMPARE(answer.status, 200);
    const QString id = answer.json.value(QStringLiteral("experiment_id")).toString();
    answer = client.get(v2 + QStringLiteral("experiments/get?experiment_id=") + id, QStringLiteral("Bad_Name"));
    const QJsonObject experiment = answer.json.value(QStringLiteral("experiment")).toObject();
    QCOMPARE(experiment.value(QStringLiteral("workspace")).toString(), QStringLiteral("default"));
    QCOMPARE(experiment.value(QStringLiteral("artifact_location")).toString(),
             QStringLiteral("mlflow-artifacts:/") + id);
    QVERIFY(client
                .post(v2 + QStringLiteral("experiments/create"),
                      {{QStringLiteral("name"), QStringLiteral("e2")},
                       {QStringLiteral("artifact_location"), QStringLiteral("/tmp/x")}})
                .status == 200);
    answer = client.get(v3 + QStringLiteral("server-info"));
    QCOMPARE(answer.json.value(QStringLiteral("workspaces_enabled")).toBool(true), false);
    // 3.x errors carry the classification.
    answer = client.get(v2 + QStringLiteral("experiments/get?experiment_id=999"));
    QCOMPARE(answer.json.value(QStringLiteral("error_class")).toString(), QStringLiteral("RESOURCE_NOT_FOUND"));
}

void TestWorkspaces::mlflow2HasNoWorkspaces()
{
    ServerFixture fixture;
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Client client(fixture.port());
    QCOMPARE(client.get(v3 + QStringLiteral("workspaces")).status, 404);
    QCOMPARE(client.get(v3 + QStringLiteral("server-info")).status, 404);
    QCOMPARE(client.call("GET", QStringLiteral("/health"), {}, QStringLiteral("nope"), QString()).status, 200);
    Answer answer = client.get(v2 + QStringLiteral("experiments/get?experiment_id=0"), QStringLiteral("nope"));
    QCOMPARE(answer.status, 200);
    QVERIFY(!answer.json.value(QStringLiteral("experiment")).toObject().contains(QStringLiteral("workspace")));
    answer = client.get(v2 + QStringLiteral("experiments/get?experiment_id=999"));
    QCOMPARE(answer.status, 404);
    QVERIFY(!answer.json.contains(QStringLiteral("error_class")));
    QVERIFY(!answer.json.contains(QStringLiteral("sqlstate")));
}

// A tracking database written before workspaces (names globally unique, no workspace column) opens with every
// experiment and model in `default`, keeps ids and tags, and then allows the same name in another workspace.
void TestWorkspaces::olderTrackingDatabaseMovesIntoDefault()
{
    QTemporaryDir dir;
    const QString connection = QStringLiteral("tst_workspaces_upgrade");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(dir.filePath(QStringLiteral("mlflow.db")));
        QVERIFY(db.open());
        QSqlQuery query(db);
        // The schema TrackingStore wrote before this change (git show f1f6649:server/TrackingStore.cpp).
        for (
            const char* ddl :
            {"CREATE TABLE experiments (experiment_id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, "
             "artifact_location TEXT, lifecycle_stage TEXT NOT NULL DEFAULT 'active', creation_time INTEGER, "
             "last_update_time INTEGER)",
             "CREATE INDEX experiments_creation_time ON experiments (creation_time DESC, experiment_id)",
             "CREATE TABLE experiment_tags (experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id), key "
             "TEXT NOT NULL, value TEXT, PRIMARY KEY (experiment_id, key)) WITHOUT ROWID",
             "CREATE TABLE registered_models (name TEXT NOT NULL PRIMARY KEY, creation_time INTEGER, "
             "last_updated_time INTEGER, description TEXT)",
             "CREATE TABLE registered_model_tags (name TEXT NOT NULL REFERENCES registered_models (name), key TEXT NOT "
             "NULL, value TEXT, PRIMARY KEY (name, key)) WITHOUT ROWID",
             "INSERT INTO experiments VALUES (0, 'Default', 'mlflow-artifacts:/0', 'active', 1, 1)",
             "INSERT INTO experiments VALUES (7, 'old-exp', 'mlflow-artifacts:/7', 'active', 2, 2)",
             "INSERT INTO registered_models VALUES ('old-model', 3, 3, 'kept')",
             "INSERT INTO registered_model_tags VALUES ('old-model', 'k', 'v')"})
            QVERIFY2(query.exec(QString::fromLatin1(ddl)), qPrintable(query.lastError().text()));
        TrackingStoreOptions options;
        options.experimentsCarryWorkspace = true;
        options.workspaces = true;
        TrackingStore store(db, QStringLiteral("mlflow-artifacts:"), options);
        const QJsonObject experiment = store.experiment(QStringLiteral("7"));
        QCOMPARE(experiment.value(QStringLiteral("name")).toString(), QStringLiteral("old-exp"));
        QCOMPARE(experiment.value(QStringLiteral("workspace")).toString(), QStringLiteral("default"));
        const QJsonObject model = store.registeredModel(QStringLiteral("old-model"));
        QCOMPARE(model.value(QStringLiteral("description")).toString(), QStringLiteral("kept"));
        QCOMPARE(model.value(QStringLiteral("tags")).toArray().size(), 1);
        // Ids continue after the old ones; the old name is free in another workspace, not in default.
        QCOMPARE(store.createExperiment(QStringLiteral("old-exp"), QString(), {}, QStringLiteral("team-a")),
                 QStringLiteral("8"));
        QVERIFY_THROWS_EXCEPTION(MlflowError,
                                 store.createExperiment(QStringLiteral("old-exp"), QString(), {}, defaultWorkspace));
        QVERIFY(query.exec(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name LIKE '%_with_workspace'")));
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toInt(), 0);
    }
    QSqlDatabase::removeDatabase(connection);
}

QTEST_GUILESS_MAIN(TestWorkspaces)
#include "tst_workspaces.moc"

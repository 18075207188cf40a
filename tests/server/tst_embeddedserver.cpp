// The embedded server's rules beyond the recorded transcript: permission resolution, search refill across pages,
// bad input of every kind, request limits, concurrency, safety checks at start-up, durability across a killed
// process, and opening an auth database written by a real MLflow.

#include "RawHttpClient.h"
#include "ServerFixture.h"

#include "server/DemoData.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QtTest>

namespace {

struct Caller
{
    QString username;
    QString password;
};

const Caller admin{QStringLiteral("admin"), QStringLiteral("password1234")};

class Api
{
public:
    explicit Api(quint16 port) : m_client(QStringLiteral("127.0.0.1"), port) {}

    RawHttpClient::Response call(const Caller& caller, const QByteArray& method, const QString& endpoint,
                                 const QJsonObject& body = {}, const QString& query = {})
    {
        QByteArray target = "/api/2.0/mlflow/" + endpoint.toUtf8();
        if (!query.isEmpty())
            target += '?' + query.toUtf8();
        QList<QPair<QByteArray, QByteArray>> headers;
        headers.append(
            qMakePair(QByteArray("Authorization"),
                      "Basic " + (caller.username + QLatin1Char(':') + caller.password).toUtf8().toBase64()));
        const bool withBody = method != "GET";
        if (withBody)
            headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
        return m_client.send(method, target, headers, QJsonDocument(body).toJson(QJsonDocument::Compact), withBody);
    }

    RawHttpClient& raw() { return m_client; }

private:
    RawHttpClient m_client;
};

QJsonObject json(const RawHttpClient::Response& response)
{
    return QJsonDocument::fromJson(response.body).object();
}

QString errorCodeOf(const RawHttpClient::Response& response)
{
    return json(response).value(QStringLiteral("error_code")).toString();
}

QString createExperiment(Api& api, const Caller& caller, const QString& name)
{
    // Distinct creation times, so MLflow's default order (newest first) is deterministic.
    QTest::qWait(2);
    const auto response =
        api.call(caller, "POST", QStringLiteral("experiments/create"), {{QStringLiteral("name"), name}});
    return json(response).value(QStringLiteral("experiment_id")).toString();
}

void createUser(Api& api, const QString& username, const QString& password)
{
    const auto response = api.call(admin, "POST", QStringLiteral("users/create"),
                                   {{QStringLiteral("username"), username}, {QStringLiteral("password"), password}});
    QCOMPARE(response.status, 200);
}

void grant(Api& api, const QString& experimentId, const QString& username, const QString& level)
{
    const auto response = api.call(admin, "POST", QStringLiteral("experiments/permissions/create"),
                                   {{QStringLiteral("experiment_id"), experimentId},
                                    {QStringLiteral("username"), username},
                                    {QStringLiteral("permission"), level}});
    QCOMPARE(response.status, 200);
}

} // namespace

class EmbeddedServerTest : public QObject
{
    Q_OBJECT

private slots:
    void demoScenarioVisibility();
    void explicitRowWinsOverDefault();
    void adminBypassesExplicitDenial();
    void searchRefillsShortPagesAcrossTokens();
    void registeredModelGrantsFollowRenameAndDelete();
    void badInput_data();
    void badInput();
    void oversizedRequestsGet413AndServerSurvives();
    void injectionAndUnicodeNamesAreLiteral();
    void concurrentClients();
    void refusesPublicAddressWithDefaultAdminPassword();
    void opensRealMlflowAuthDatabase();
    void noticesWhatOtherProgramsWrite();
    void killedServerLosesNoCommittedWrite();
    void demoCanIgnoreEnvironmentConfig();
    void mlflow2DataDirOpensInMlflow3ModeAfterBackup();
};

void EmbeddedServerTest::demoScenarioVisibility()
{
    ServerFixture fixture(true);
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port());
    const QHash<QString, QStringList> expected = {
        {DemoData::user1Username, {QStringLiteral("/user1/experiment2"), QStringLiteral("/user1/experiment1")}},
        {DemoData::user2Username, {QStringLiteral("/user2/experiment1")}},
        {DemoData::adminUsername,
         {QStringLiteral("/user2/experiment1"), QStringLiteral("/user1/experiment2"),
          QStringLiteral("/user1/experiment1"), QStringLiteral("Default")}},
    };
    const QHash<QString, QString> passwords = {{DemoData::user1Username, DemoData::user1Password},
                                               {DemoData::user2Username, DemoData::user2Password},
                                               {DemoData::adminUsername, DemoData::adminPassword}};
    for (auto it = expected.cbegin(); it != expected.cend(); ++it) {
        const auto response = api.call({it.key(), passwords.value(it.key())}, "POST",
                                       QStringLiteral("experiments/search"), {{QStringLiteral("max_results"), 100}});
        QCOMPARE(response.status, 200);
        QStringList names;
        for (const QJsonValue& experiment : json(response).value(QStringLiteral("experiments")).toArray())
            names << experiment.toObject().value(QStringLiteral("name")).toString();
        QCOMPARE(names, it.value());
    }
    // Each demo run has its metric.
    const auto runs = api.call(admin, "POST", QStringLiteral("runs/search"),
                               {{QStringLiteral("experiment_ids"),
                                 QJsonArray{QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("3")}}});
    QCOMPARE(runs.status, 200);
    const QJsonArray runList = json(runs).value(QStringLiteral("runs")).toArray();
    QCOMPARE(runList.size(), 3);
    for (const QJsonValue& run : runList)
        QCOMPARE(
            run.toObject().value(QStringLiteral("data")).toObject().value(QStringLiteral("metrics")).toArray().size(),
            1);
}

// MLflow 2.x: a row is used as-is, so READ under a default of EDIT is a restriction, and NO_PERMISSIONS denies.
void EmbeddedServerTest::explicitRowWinsOverDefault()
{
    ServerFixture fixture(false, QStringLiteral("EDIT"));
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port());
    createUser(api, QStringLiteral("carol"), QStringLiteral("carol-password"));
    const Caller carol{QStringLiteral("carol"), QStringLiteral("carol-password")};
    const QString restricted = createExperiment(api, admin, QStringLiteral("restricted"));
    const QString hidden = createExperiment(api, admin, QStringLiteral("hidden"));
    const QString open = createExperiment(api, admin, QStringLiteral("open"));
    grant(api, restricted, QStringLiteral("carol"), QStringLiteral("READ"));
    grant(api, hidden, QStringLiteral("carol"), QStringLiteral("NO_PERMISSIONS"));

    auto tagged = [&](const QString& experimentId) {
        return api
            .call(carol, "POST", QStringLiteral("experiments/set-experiment-tag"),
                  {{QStringLiteral("experiment_id"), experimentId},
                   {QStringLiteral("key"), QStringLiteral("k")},
                   {QStringLiteral("value"), QStringLiteral("v")}})
            .status;
    };
    QCOMPARE(tagged(open), 200);       // default EDIT
    QCOMPARE(tagged(restricted), 403); // explicit READ is weaker than the default
    QCOMPARE(
        api.call(carol, "GET", QStringLiteral("experiments/get"), {}, QStringLiteral("experiment_id=") + restricted)
            .status,
        200);
    QCOMPARE(
        api.call(carol, "GET", QStringLiteral("experiments/get"), {}, QStringLiteral("experiment_id=") + hidden).status,
        403);
    const auto search =
        api.call(carol, "POST", QStringLiteral("experiments/search"), {{QStringLiteral("max_results"), 10}});
    QStringList names;
    for (const QJsonValue& experiment : json(search).value(QStringLiteral("experiments")).toArray())
        names << experiment.toObject().value(QStringLiteral("name")).toString();
    QCOMPARE(names, (QStringList{QStringLiteral("open"), QStringLiteral("restricted"), QStringLiteral("Default")}));
}

void EmbeddedServerTest::adminBypassesExplicitDenial()
{
    ServerFixture fixture;
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port());
    createUser(api, QStringLiteral("dave"), QStringLiteral("dave-password"));
    const Caller dave{QStringLiteral("dave"), QStringLiteral("dave-password")};
    const QString id = createExperiment(api, dave, QStringLiteral("daves"));
    // The creator got MANAGE; now make dave an admin and deny him explicitly: admins skip every check.
    QCOMPARE(api.call(admin, "PATCH", QStringLiteral("experiments/permissions/update"),
                      {{QStringLiteral("experiment_id"), id},
                       {QStringLiteral("username"), QStringLiteral("dave")},
                       {QStringLiteral("permission"), QStringLiteral("NO_PERMISSIONS")}})
                 .status,
             200);
    QCOMPARE(api.call(dave, "GET", QStringLiteral("experiments/get"), {}, QStringLiteral("experiment_id=") + id).status,
             403);
    QCOMPARE(api.call(admin, "PATCH", QStringLiteral("users/update-admin"),
                      {{QStringLiteral("username"), QStringLiteral("dave")}, {QStringLiteral("is_admin"), true}})
                 .status,
             200);
    QCOMPARE(api.call(dave, "GET", QStringLiteral("experiments/get"), {}, QStringLiteral("experiment_id=") + id).status,
             200);
}

void EmbeddedServerTest::searchRefillsShortPagesAcrossTokens()
{
    ServerFixture fixture;
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port());
    createUser(api, QStringLiteral("erin"), QStringLiteral("erin-password"));
    const Caller erin{QStringLiteral("erin"), QStringLiteral("erin-password")};
    QStringList readable;
    for (int i = 0; i < 25; ++i) {
        const QString name = QStringLiteral("exp-%1").arg(i, 2, 10, QLatin1Char('0'));
        const QString id = createExperiment(api, admin, name);
        if (i % 3 == 0) {
            grant(api, id, QStringLiteral("erin"), QStringLiteral("READ"));
            readable.prepend(name); // newest first
        }
        QTest::qWait(2); // distinct creation times, so the default order is by creation
    }
    QStringList seen;
    QString token;
    int pages = 0;
    do {
        QJsonObject body{{QStringLiteral("max_results"), 4}};
        if (!token.isEmpty())
            body.insert(QStringLiteral("page_token"), token);
        const auto response = api.call(erin, "POST", QStringLiteral("experiments/search"), body);
        QCOMPARE(response.status, 200);
        const QJsonObject page = json(response);
        const QJsonArray experiments = page.value(QStringLiteral("experiments")).toArray();
        token = page.value(QStringLiteral("next_page_token")).toString();
        if (!token.isEmpty())
            QCOMPARE(experiments.size(), 4); // only the last page may be short
        for (const QJsonValue& experiment : experiments)
            seen << experiment.toObject().value(QStringLiteral("name")).toString();
        QVERIFY(++pages < 20);
    } while (!token.isEmpty());
    QCOMPARE(seen, readable);
}

void EmbeddedServerTest::registeredModelGrantsFollowRenameAndDelete()
{
    ServerFixture fixture;
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port());
    createUser(api, QStringLiteral("frank"), QStringLiteral("frank-password"));
    const Caller frank{QStringLiteral("frank"), QStringLiteral("frank-password")};
    QCOMPARE(api.call(admin, "POST", QStringLiteral("registered-models/create"),
                      {{QStringLiteral("name"), QStringLiteral("m1")}})
                 .status,
             200);
    QCOMPARE(api.call(admin, "POST", QStringLiteral("registered-models/permissions/create"),
                      {{QStringLiteral("name"), QStringLiteral("m1")},
                       {QStringLiteral("username"), QStringLiteral("frank")},
                       {QStringLiteral("permission"), QStringLiteral("READ")}})
                 .status,
             200);
    QCOMPARE(
        api.call(admin, "POST", QStringLiteral("registered-models/rename"),
                 {{QStringLiteral("name"), QStringLiteral("m1")}, {QStringLiteral("new_name"), QStringLiteral("m2")}})
            .status,
        200);
    QCOMPARE(api.call(frank, "GET", QStringLiteral("registered-models/get"), {}, QStringLiteral("name=m2")).status,
             200);
    QCOMPARE(api.call(admin, "DELETE", QStringLiteral("registered-models/delete"),
                      {{QStringLiteral("name"), QStringLiteral("m2")}})
                 .status,
             200);
    // A new model of the same name must not inherit the old grants.
    QCOMPARE(api.call(admin, "POST", QStringLiteral("registered-models/create"),
                      {{QStringLiteral("name"), QStringLiteral("m2")}})
                 .status,
             200);
    QCOMPARE(api.call(frank, "GET", QStringLiteral("registered-models/get"), {}, QStringLiteral("name=m2")).status,
             403);
}

void EmbeddedServerTest::badInput_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("errorCode");
    const QByteArray auth = "Authorization: Basic " + QByteArray("admin:password1234").toBase64() + "\r\n";
    auto post = [&](const QByteArray& path, const QByteArray& body, const QByteArray& type = "application/json") {
        return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "Content-Type: " + type +
               "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    };
    auto get = [&](const QByteArray& target) {
        return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "\r\n";
    };
    QTest::newRow("malformed JSON is an empty body") << post("/api/2.0/mlflow/experiments/create", "{\"name\": ") << 400
                                                     << QStringLiteral("INVALID_PARAMETER_VALUE");
    QTest::newRow("JSON array body") << post("/api/2.0/mlflow/experiments/create", "[1,2]") << 400
                                     << QStringLiteral("INVALID_PARAMETER_VALUE");
    QTest::newRow("name of wrong type") << post("/api/2.0/mlflow/experiments/create", "{\"name\": {\"a\": 1}}") << 400
                                        << QStringLiteral("INVALID_PARAMETER_VALUE");
    QTest::newRow("max_results not a number") << get("/api/2.0/mlflow/experiments/search?max_results=lots") << 400
                                              << QStringLiteral("INVALID_PARAMETER_VALUE");
    QTest::newRow("max_results too large") << get("/api/2.0/mlflow/experiments/search?max_results=50001") << 400
                                           << QStringLiteral("INVALID_PARAMETER_VALUE");
    QTest::newRow("garbage page token") << get("/api/2.0/mlflow/experiments/search?max_results=5&page_token=%25%25")
                                        << 400 << QStringLiteral("INVALID_PARAMETER_VALUE");
    QTest::newRow("bad filter") << get("/api/2.0/mlflow/experiments/search?max_results=5&filter=name%20~%20x") << 400
                                << QStringLiteral("INVALID_PARAMETER_VALUE");
    QTest::newRow("is_admin as a string")
        << ("PATCH /api/2.0/mlflow/users/update-admin HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth +
            "Content-Type: application/json\r\nContent-Length: 37\r\n\r\n{\"username\":\"admin\",\"is_admin\":\"yes\"}")
        << 400 << QStringLiteral("INVALID_PARAMETER_VALUE");
    QTest::newRow("non-UTF-8 body") << post("/api/2.0/mlflow/experiments/create", "{\"name\": \"\xff\xfe\xc3\"}") << 400
                                    << QStringLiteral("INVALID_PARAMETER_VALUE");
    QTest::newRow("unknown route") << get("/api/2.0/mlflow/users/list") << 404 << QString();
    QTest::newRow("wrong method") << get("/api/2.0/mlflow/experiments/create") << 405 << QString();
    QTest::newRow("unknown run") << post("/api/2.0/mlflow/runs/log-metric",
                                         "{\"run_id\":\"nope\",\"key\":\"k\",\"value\":1,\"timestamp\":1}")
                                 << 404 << QStringLiteral("RESOURCE_DOES_NOT_EXIST");
    QTest::newRow("metric value not a number")
        << post("/api/2.0/mlflow/runs/log-metric",
                "{\"run_id\":\"x\",\"key\":\"k\",\"value\":\"high\",\"timestamp\":1}")
        << 400 << QStringLiteral("INVALID_PARAMETER_VALUE");
    QTest::newRow("garbage basic credentials")
        << QByteArray(
               "GET /api/2.0/mlflow/users/get?username=admin HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic "
               "!!!notbase64\r\n\r\n")
        << 401 << QString();
    QTest::newRow("credentials without colon")
        << ("GET /api/2.0/mlflow/users/get?username=admin HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic " +
            QByteArray("admin").toBase64() + "\r\n\r\n")
        << 401 << QString();
}

void EmbeddedServerTest::badInput()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QString, errorCode);
    static ServerFixture fixture;
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    RawHttpClient client(QStringLiteral("127.0.0.1"), fixture.port());
    const RawHttpClient::Response response = client.sendRaw(request);
    QVERIFY2(response.error.isEmpty(), qPrintable(response.error));
    QCOMPARE(response.status, status);
    QCOMPARE(errorCodeOf(response), errorCode);
    if (!errorCode.isEmpty())
        QVERIFY(!json(response).value(QStringLiteral("message")).toString().isEmpty());
    // The server keeps serving and its data is intact.
    Api api(fixture.port());
    const auto health =
        api.call(admin, "POST", QStringLiteral("experiments/search"), {{QStringLiteral("max_results"), 10}});
    QCOMPARE(health.status, 200);
    QCOMPARE(json(health)
                 .value(QStringLiteral("experiments"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QStringLiteral("name"))
                 .toString(),
             QStringLiteral("Default"));
}

void EmbeddedServerTest::oversizedRequestsGet413AndServerSurvives()
{
    ServerFixture fixture;
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    // A declared length over the limit is refused before the body is read.
    RawHttpClient declared(QStringLiteral("127.0.0.1"), fixture.port());
    const auto early = declared.sendRaw("POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                        "Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n{");
    QCOMPARE(early.status, 413);
    QCOMPARE(errorCodeOf(early), QStringLiteral("RESOURCE_EXHAUSTED"));
    // A body that really is too large, sent in full, is refused too.
    RawHttpClient sent(QStringLiteral("127.0.0.1"), fixture.port());
    const QByteArray big(17 * 1024 * 1024, 'a');
    const auto late = sent.sendRaw("POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                   "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
                                   QByteArray::number(big.size(), 16) + "\r\n" + big + "\r\n0\r\n\r\n");
    QCOMPARE(late.status, 413);
    Api api(fixture.port());
    QCOMPARE(api.call(admin, "GET", QStringLiteral("users/get"), {}, QStringLiteral("username=admin")).status, 200);
}

void EmbeddedServerTest::injectionAndUnicodeNamesAreLiteral()
{
    ServerFixture fixture;
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port());
    const QStringList names = {QStringLiteral("'; DROP TABLE experiments; --"), QStringLiteral("100% _done_"),
                               QStringLiteral("\u5b9f\u9a13 \U0001F9EA"), QStringLiteral("a\"b\\c")};
    for (const QString& name : names) {
        const QString id = createExperiment(api, admin, name);
        QVERIFY2(!id.isEmpty(), qPrintable(name));
        const auto byName =
            api.call(admin, "GET", QStringLiteral("experiments/get-by-name"), {},
                     QStringLiteral("experiment_name=") + QString::fromUtf8(QUrl::toPercentEncoding(name)));
        QCOMPARE(byName.status, 200);
        QCOMPARE(json(byName).value(QStringLiteral("experiment")).toObject().value(QStringLiteral("name")).toString(),
                 name);
    }
    // `=` matches literally: '100% _done_' must not match a LIKE-style wildcard.
    const auto search = api.call(
        admin, "POST", QStringLiteral("experiments/search"),
        {{QStringLiteral("max_results"), 10}, {QStringLiteral("filter"), QStringLiteral("name = '100% _done_'")}});
    QCOMPARE(json(search).value(QStringLiteral("experiments")).toArray().size(), 1);
    // A Unicode user name authenticates.
    const QString username = QStringLiteral("J\u00fcrgen-\u7528\u6237");
    createUser(api, username, QStringLiteral("p\u00e4ssw\u00f6rd-long"));
    QCOMPARE(api.call({username, QStringLiteral("p\u00e4ssw\u00f6rd-long")}, "GET", QStringLiteral("users/get"), {},
                      QStringLiteral("username=") + QString::fromUtf8(QUrl::toPercentEncoding(username)))
                 .status,
             200);
    // The tables are all still there.
    QCOMPARE(
        api.call(admin, "POST", QStringLiteral("experiments/search"), {{QStringLiteral("max_results"), 100}}).status,
        200);
}

void EmbeddedServerTest::concurrentClients()
{
    ServerFixture fixture(true);
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    constexpr int clients = 40;
    QList<QTcpSocket*> sockets;
    QHash<QTcpSocket*, QByteArray> received;
    const QByteArray request =
        "POST /api/2.0/mlflow/experiments/search HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic " +
        QByteArray("user1:user1-password").toBase64() +
        "\r\nContent-Type: application/json\r\nContent-Length: 18\r\n\r\n{\"max_results\":10}";
    for (int i = 0; i < clients; ++i) {
        auto* socket = new QTcpSocket(this);
        connect(socket, &QTcpSocket::readyRead, this, [socket, &received] { received[socket] += socket->readAll(); });
        connect(socket, &QTcpSocket::connected, this, [socket, request] { socket->write(request); });
        socket->connectToHost(QStringLiteral("127.0.0.1"), fixture.port());
        sockets << socket;
    }
    auto complete = [&] {
        for (QTcpSocket* socket : sockets) {
            const QByteArray data = received.value(socket);
            if (!data.contains("\r\n\r\n") || !data.contains("/user1/experiment1"))
                return false;
        }
        return true;
    };
    QTRY_VERIFY_WITH_TIMEOUT(complete(), 20000);
    for (QTcpSocket* socket : sockets) {
        QVERIFY(received.value(socket).startsWith("HTTP/1.1 200"));
        QVERIFY(!received.value(socket).contains("/user2/"));
        socket->deleteLater();
    }
}

void EmbeddedServerTest::refusesPublicAddressWithDefaultAdminPassword()
{
    QTemporaryDir dir;
    EmbeddedServerOptions options;
    options.host = QHostAddress(QHostAddress::AnyIPv4);
    options.port = 0;
    options.dataDir = dir.filePath(QStringLiteral("data"));
    // Not --demo: that never listens beyond loopback. MLflow 3's shipped admin password instead.
    const QString ini = dir.filePath(QStringLiteral("basic_auth.ini"));
    QFile config(ini);
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write("[mlflow]\ndefault_permission = READ\ndatabase_uri = sqlite:///basic_auth.db\n"
                 "admin_username = admin\nadmin_password = password1234\n");
    config.close();
    options.configPath = ini;
    {
        EmbeddedServer server(options);
        QString error;
        QVERIFY(!server.start(&error));
        QVERIFY2(error.contains(QLatin1String("well-known password")), qPrintable(error));
    }
    // Change the password on loopback, then the same data dir may be served on all addresses.
    {
        EmbeddedServerOptions local = options;
        local.host = QHostAddress(QHostAddress::LocalHost);
        EmbeddedServer server(local);
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        Api api(server.port());
        QCOMPARE(api.call(admin, "PATCH", QStringLiteral("users/update-password"),
                          {{QStringLiteral("username"), QStringLiteral("admin")},
                           {QStringLiteral("password"), QStringLiteral("a-much-better-secret")}})
                     .status,
                 200);
    }
    EmbeddedServer server(options);
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    Api api(server.port());
    QCOMPARE(api.call({QStringLiteral("admin"), QStringLiteral("a-much-better-secret")}, "GET",
                      QStringLiteral("users/get"), {}, QStringLiteral("username=admin"))
                 .status,
             200);
}

// A basic_auth.db as MLflow 2.x with Werkzeug 3 writes it: its schema, alembic stamp and a scrypt hash.
void EmbeddedServerTest::opensRealMlflowAuthDatabase()
{
    QTemporaryDir dir;
    const QString dataDir = dir.filePath(QStringLiteral("data"));
    QVERIFY(QDir().mkpath(dataDir));
    {
        QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("real-mlflow"));
        database.setDatabaseName(dataDir + QStringLiteral("/basic_auth.db"));
        QVERIFY(database.open());
        QSqlQuery query(database);
        QVERIFY(query.exec(QStringLiteral("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT "
                                          "alembic_version_pkc PRIMARY KEY (version_num))")));
        QVERIFY(query.exec(QStringLiteral("INSERT INTO alembic_version VALUES ('8606fa83a998')")));
        QVERIFY(
            query.exec(QStringLiteral("CREATE TABLE users (id INTEGER NOT NULL, username VARCHAR(255), password_hash "
                                      "VARCHAR(255), is_admin BOOLEAN, PRIMARY KEY (id), UNIQUE (username))")));
        QVERIFY(query.exec(QStringLiteral(
            "CREATE TABLE experiment_permissions (id INTEGER NOT NULL, experiment_id VARCHAR(255) NOT NULL, user_id "
            "INTEGER NOT NULL, permission VARCHAR(255), PRIMARY KEY (id), CONSTRAINT fk_user_id FOREIGN KEY(user_id) "
            "REFERENCES users (id), CONSTRAINT unique_experiment_user UNIQUE (experiment_id, user_id))")));
        QVERIFY(query.exec(QStringLiteral(
            "CREATE TABLE registered_model_permissions (id INTEGER NOT NULL, name VARCHAR(255) NOT NULL, user_id "
            "INTEGER NOT NULL, permission VARCHAR(255), PRIMARY KEY (id), CONSTRAINT fk_user_id FOREIGN KEY(user_id) "
            "REFERENCES users (id), CONSTRAINT unique_name_user UNIQUE (name, user_id))")));
        QVERIFY(
            query.prepare(QStringLiteral("INSERT INTO users (username, password_hash, is_admin) VALUES (?, ?, 1)")));
        query.addBindValue(QStringLiteral("admin"));
        query.addBindValue(
            QStringLiteral("scrypt:32768:8:1$BVW0waGigoF7EbZd$06658e87b9eca2d95732b57008e2b4e90975b7b28ea4"
                           "3329b6f98b8e0a22108525d99f9d889ea113ebe54b082057aeeee7459011d7e571850710e7"
                           "7eb82c6a6c"));
        QVERIFY(query.exec());
        database.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("real-mlflow"));

    EmbeddedServerOptions options;
    options.port = 0;
    options.dataDir = dataDir;
    EmbeddedServer server(options);
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    Api api(server.port());
    const Caller realAdmin{QStringLiteral("admin"), QStringLiteral("default-method")};
    const auto response = api.call(realAdmin, "GET", QStringLiteral("users/get"), {}, QStringLiteral("username=admin"));
    QCOMPARE(response.status, 200);
    QCOMPARE(json(response).value(QStringLiteral("user")).toObject().value(QStringLiteral("is_admin")).toBool(), true);
    // The shipped default did not overwrite the existing admin.
    QCOMPARE(api.call(admin, "GET", QStringLiteral("users/get"), {}, QStringLiteral("username=admin")).status, 401);
}

// The server keeps users (and 3.x roles) in memory once read. Another program may read and write its databases while
// it runs (the console's users source reads basic_auth.db directly): the next request must see what it wrote. The
// files are owner-only, for they hold password hashes.
void EmbeddedServerTest::noticesWhatOtherProgramsWrite()
{
    QTemporaryDir dir;
    EmbeddedServerOptions options;
    options.port = 0;
    options.dataDir = dir.filePath(QStringLiteral("data"));
    options.demo = true;
    EmbeddedServer server(options);
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));

    for (const char* name : {"basic_auth.db", "basic_auth.db-wal", "mlflow.db", "mlflow.db-wal"}) {
        const QString path = QDir(options.dataDir).filePath(QString::fromLatin1(name));
        QVERIFY2(QFile::exists(path), name);
        const QFileDevice::Permissions others =
            QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ReadOther | QFileDevice::WriteOther;
        QVERIFY2(!(QFile::permissions(path) & others), name);
    }

    Api api(server.port());
    const auto isAdmin = [&] {
        const auto response = api.call(admin, "GET", QStringLiteral("users/get"), {}, QStringLiteral("username=user1"));
        return json(response).value(QStringLiteral("user")).toObject().value(QStringLiteral("is_admin")).toBool();
    };
    QCOMPARE(isAdmin(), false); // now in the server's memory
    {
        QSqlDatabase outsider = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("outsider"));
        outsider.setDatabaseName(QDir(options.dataDir).filePath(QStringLiteral("basic_auth.db")));
        QVERIFY(outsider.open());
        QSqlQuery query(outsider);
        QVERIFY(query.exec(QStringLiteral("SELECT COUNT(*) FROM users")) && query.next());
        QCOMPARE(query.value(0).toInt(), 3);
        QVERIFY(query.exec(QStringLiteral("UPDATE users SET is_admin = 1 WHERE username = 'user1'")));
        outsider.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("outsider"));
    QCOMPARE(isAdmin(), true);
}

void EmbeddedServerTest::killedServerLosesNoCommittedWrite()
{
    QTemporaryDir dir;
    const QString dataDir = dir.filePath(QStringLiteral("data"));
    auto startServer = [&](QProcess& process) -> quint16 {
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(QStringLiteral(MLFLOW_ADMIN_CLI_PATH),
                      {QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0"),
                       QStringLiteral("--data-dir"), dataDir, QStringLiteral("--demo")});
        QByteArray output;
        QElapsedTimer timer;
        timer.start();
        while (!output.contains("listening on") && timer.elapsed() < 30000) {
            QTest::qWait(20);
            output += process.readAll();
        }
        const int colon = output.indexOf("127.0.0.1:");
        if (colon < 0)
            return 0;
        return static_cast<quint16>(output.mid(colon + 10, 6).split(' ').first().trimmed().toUInt());
    };

    QProcess first;
    const quint16 port = startServer(first);
    QVERIFY2(port != 0, "the server process did not start");
    {
        Api api(port);
        QVERIFY(!createExperiment(api, admin, QStringLiteral("survives-kill")).isEmpty());
        createUser(api, QStringLiteral("grace"), QStringLiteral("grace-password"));
    }
    first.kill(); // SIGKILL: no clean shutdown
    QTRY_VERIFY_WITH_TIMEOUT(first.state() == QProcess::NotRunning, 10000);

    QProcess second;
    const quint16 again = startServer(second);
    QVERIFY2(again != 0, "the server did not restart on the same data dir");
    Api api(again);
    QCOMPARE(api.call(admin, "GET", QStringLiteral("experiments/get-by-name"), {},
                      QStringLiteral("experiment_name=survives-kill"))
                 .status,
             200);
    QCOMPARE(api.call({QStringLiteral("grace"), QStringLiteral("grace-password")}, "GET", QStringLiteral("users/get"),
                      {}, QStringLiteral("username=grace"))
                 .status,
             200);
    // SIGTERM stops cleanly.
    second.terminate();
    QTRY_VERIFY_WITH_TIMEOUT(second.state() == QProcess::NotRunning, 10000);
    QCOMPARE(second.exitStatus(), QProcess::NormalExit);
    QCOMPARE(second.exitCode(), 0);
}

void EmbeddedServerTest::demoCanIgnoreEnvironmentConfig()
{
    QTemporaryDir dir;
    const QString ini = dir.filePath(QStringLiteral("env.ini"));
    QFile file(ini);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("[mlflow]\ndefault_permission = READ\n");
    file.close();
    const QByteArray previous = qgetenv("MLFLOW_AUTH_CONFIG_PATH");
    qputenv("MLFLOW_AUTH_CONFIG_PATH", ini.toLocal8Bit());
    QString defaults[2];
    for (int readEnvironment = 0; readEnvironment < 2; ++readEnvironment) {
        EmbeddedServerOptions options;
        options.port = 0;
        options.dataDir = dir.filePath(QStringLiteral("data%1").arg(readEnvironment));
        options.demo = true;
        options.readEnvironmentConfig = readEnvironment == 1;
        EmbeddedServer server(options);
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        defaults[readEnvironment] = server.defaultPermission();
    }
    if (previous.isNull())
        qunsetenv("MLFLOW_AUTH_CONFIG_PATH");
    else
        qputenv("MLFLOW_AUTH_CONFIG_PATH", previous);
    QCOMPARE(defaults[0], QStringLiteral("NO_PERMISSIONS")); // the demo's own setting
    QCOMPARE(defaults[1], QStringLiteral("READ"));           // the environment's file wins when allowed
}

// A data dir written in 2.15.1 mode, started again with --api 3: the auth database is backed up and migrated as
// MLflow 3.13 does on start, and what users could see stays exactly what they see.
void EmbeddedServerTest::mlflow2DataDirOpensInMlflow3ModeAfterBackup()
{
    QTemporaryDir dir;
    EmbeddedServerOptions options;
    options.port = 0;
    options.dataDir = dir.filePath(QStringLiteral("data"));
    options.demo = true;
    options.readEnvironmentConfig = false;
    {
        EmbeddedServer legacy(options);
        QString error;
        QVERIFY2(legacy.start(&error), qPrintable(error));
        QVERIFY(legacy.authDatabaseReport().isEmpty());
    }
    // Still the demo's configuration (NO_PERMISSIONS); a data dir that holds users is never seeded again.
    options.dialect.generation = Dialect::Generation::Mlflow3;
    EmbeddedServer current(options);
    QString error;
    QVERIFY2(current.start(&error), qPrintable(error));
    QVERIFY2(current.authDatabaseReport().contains(QLatin1String("Migrated")),
             qPrintable(current.authDatabaseReport()));
    const QStringList backups =
        QDir(options.dataDir).entryList({QStringLiteral("basic_auth.db.mlflow2-backup-*")}, QDir::Files);
    QCOMPARE(backups.size(), 1);
    QVERIFY(current.authDatabaseReport().contains(backups.first()));

    Api api(current.port());
    const auto search = api.call({DemoData::user1Username, DemoData::user1Password}, "POST",
                                 QStringLiteral("experiments/search"), {{QStringLiteral("max_results"), 100}});
    QCOMPARE(search.status, 200);
    QStringList names;
    for (const QJsonValue& experiment : json(search).value(QStringLiteral("experiments")).toArray())
        names << experiment.toObject().value(QStringLiteral("name")).toString();
    QCOMPARE(names, (QStringList{QStringLiteral("/user1/experiment2"), QStringLiteral("/user1/experiment1")}));
    // The creator's MANAGE moved into user1's hidden role.
    const auto rows = api.raw().send(
        "GET", "/api/3.0/mlflow/users/current/permissions",
        {{"Authorization",
          "Basic " + (DemoData::user1Username + QLatin1Char(':') + DemoData::user1Password).toUtf8().toBase64()}},
        {}, false);
    QCOMPARE(rows.status, 200);
    const QJsonArray permissions = json(rows).value(QStringLiteral("permissions")).toArray();
    QCOMPARE(permissions.size(), 2);
    for (const QJsonValue& row : permissions)
        QVERIFY(row.toObject().value(QStringLiteral("role_name")).toString().startsWith(QLatin1String("__user_")));
}

QTEST_GUILESS_MAIN(EmbeddedServerTest)
#include "tst_embeddedserver.moc"

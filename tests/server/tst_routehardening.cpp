// Issue 11, the route side: an id spelled differently never sidesteps a grant (the permission check and the store
// read the same number), Werkzeug's query decoding ('+' is a space), runs/search limited to what the caller may
// read, creates that never leave a resource without its creator's grant when the auth database is locked (a quick
// 503 with Retry-After instead), and owner-only data files.

#include "RawHttpClient.h"
#include "ServerFixture.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QtTest>

#include <sys/stat.h>

namespace {

struct Caller
{
    QString username;
    QString password;
};

const Caller admin{QStringLiteral("admin"), QStringLiteral("password1234")};
const Caller alice{QStringLiteral("alice"), QStringLiteral("alice-password-1")};

Dialect mlflow3()
{
    Dialect dialect;
    dialect.generation = Dialect::Generation::Mlflow3;
    return dialect;
}

class Api
{
public:
    Api(quint16 port, bool mlflow3) : m_client(QStringLiteral("127.0.0.1"), port), m_mlflow3(mlflow3) {}

    // `endpoint` is under /api/2.0/mlflow/ unless it starts with '/'; `query` is sent exactly as given.
    RawHttpClient::Response call(const Caller& caller, const QByteArray& method, const QString& endpoint,
                                 const QJsonObject& body = {}, const QByteArray& query = {})
    {
        QByteArray target =
            endpoint.startsWith(QLatin1Char('/')) ? endpoint.toUtf8() : "/api/2.0/mlflow/" + endpoint.toUtf8();
        if (!query.isEmpty())
            target += '?' + query;
        QList<QPair<QByteArray, QByteArray>> headers;
        headers.append(
            qMakePair(QByteArray("Authorization"),
                      "Basic " + (caller.username + QLatin1Char(':') + caller.password).toUtf8().toBase64()));
        const bool withBody = method != "GET";
        if (withBody)
            headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
        return m_client.send(method, target, headers, QJsonDocument(body).toJson(QJsonDocument::Compact), withBody);
    }

    void createUser(const QString& username, const QString& password)
    {
        const auto response = call(admin, "POST", QStringLiteral("users/create"),
                                   {{QStringLiteral("username"), username}, {QStringLiteral("password"), password}});
        QVERIFY2(response.status == 200, response.body.constData());
    }

    QString createExperiment(const Caller& caller, const QString& name)
    {
        const auto response =
            call(caller, "POST", QStringLiteral("experiments/create"), {{QStringLiteral("name"), name}});
        return QJsonDocument::fromJson(response.body).object().value(QStringLiteral("experiment_id")).toString();
    }

    QString createRun(const QString& experimentId, const QString& runName)
    {
        const auto response =
            call(admin, "POST", QStringLiteral("runs/create"),
                 {{QStringLiteral("experiment_id"), experimentId}, {QStringLiteral("run_name"), runName}});
        return QJsonDocument::fromJson(response.body)
            .object()
            .value(QStringLiteral("run"))
            .toObject()
            .value(QStringLiteral("info"))
            .toObject()
            .value(QStringLiteral("run_id"))
            .toString();
    }

    // An experiment grant in the dialect's own API.
    RawHttpClient::Response grantExperiment(const QString& experimentId, const QString& username, const QString& level)
    {
        if (m_mlflow3)
            return call(admin, "POST", QStringLiteral("/api/3.0/mlflow/users/permissions/grant"),
                        {{QStringLiteral("username"), username},
                         {QStringLiteral("resource_type"), QStringLiteral("experiment")},
                         {QStringLiteral("resource_id"), experimentId},
                         {QStringLiteral("permission"), level}});
        return call(admin, "POST", QStringLiteral("experiments/permissions/create"),
                    {{QStringLiteral("experiment_id"), experimentId},
                     {QStringLiteral("username"), username},
                     {QStringLiteral("permission"), level}});
    }

private:
    RawHttpClient m_client;
    bool m_mlflow3;
};

QJsonObject json(const RawHttpClient::Response& response)
{
    return QJsonDocument::fromJson(response.body).object();
}

QStringList runNames(const RawHttpClient::Response& response)
{
    QStringList names;
    for (const QJsonValue& run : json(response).value(QStringLiteral("runs")).toArray())
        names.append(
            run.toObject().value(QStringLiteral("info")).toObject().value(QStringLiteral("run_name")).toString());
    names.sort();
    return names;
}

int modeOf(const QString& path)
{
    struct stat info = {};
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return -1;
    return static_cast<int>(info.st_mode & 0777);
}

// A second connection to a server's database that holds SQLite's write lock until released, as another program
// writing the file would.
class WriteLock
{
public:
    explicit WriteLock(const QString& path)
        : m_name(QStringLiteral("routehardening-lock-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        m_held = db.open() && QSqlQuery(db).exec(QStringLiteral("BEGIN IMMEDIATE"));
    }
    ~WriteLock()
    {
        release();
        QSqlDatabase::removeDatabase(m_name);
    }
    bool held() const { return m_held; }
    void release()
    {
        if (!m_held)
            return;
        QSqlDatabase db = QSqlDatabase::database(m_name, false);
        QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
        db.close();
        m_held = false;
    }

private:
    QString m_name;
    bool m_held = false;
};

} // namespace

class RouteHardeningTest : public QObject
{
    Q_OBJECT

private slots:
    void explicitDenialHoldsForEverySpellingOfAnId();
    void grantsAreStoredUnderTheCanonicalId();
    void mlflow3ChecksTheIdTheStoreFinds();
    void plusInAQueryIsASpace_data();
    void plusInAQueryIsASpace();
    void runsSearchReturnsOnlyReadableExperiments_data();
    void runsSearchReturnsOnlyReadableExperiments();
    void lockedAuthDatabaseLeavesNoExperimentWithoutItsCreatorsGrant_data();
    void lockedAuthDatabaseLeavesNoExperimentWithoutItsCreatorsGrant();
    void lockedTrackingDatabaseAnswers503();
    void dataFilesAreOwnerOnlyAndTightenedOnStart();
    void mlflow3AnswersHeadAndOptionsAsItsFlaskDoes();
    void numbersWithoutOneSpellingAreNotNames();
};

// Under MLflow's shipped default (READ), an explicit NO_PERMISSIONS row is the only thing that denies: every
// spelling the store accepts as experiment 1 must meet it.
void RouteHardeningTest::explicitDenialHoldsForEverySpellingOfAnId()
{
    ServerFixture fixture(false, QStringLiteral("READ"));
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port(), false);
    api.createUser(alice.username, alice.password);
    const QString secret = api.createExperiment(admin, QStringLiteral("secret"));
    const QString open = api.createExperiment(admin, QStringLiteral("open"));
    QCOMPARE(api.grantExperiment(secret, alice.username, QStringLiteral("NO_PERMISSIONS")).status, 200);
    api.createRun(secret, QStringLiteral("secret-run"));
    api.createRun(open, QStringLiteral("open-run"));

    // The default lets alice read the other experiment: the denial is what is tested, not a closed server.
    QCOMPARE(api.call(alice, "GET", QStringLiteral("experiments/get"), {}, "experiment_id=" + open.toUtf8()).status,
             200);
    const QList<QByteArray> spellings = {secret.toUtf8(),         "0" + secret.toUtf8(),   "%2B" + secret.toUtf8(),
                                         "%20" + secret.toUtf8(), secret.toUtf8() + "%20", "+" + secret.toUtf8(),
                                         "000" + secret.toUtf8()};
    for (const QByteArray& spelling : spellings) {
        const auto asAdmin = api.call(admin, "GET", QStringLiteral("experiments/get"), {}, "experiment_id=" + spelling);
        QVERIFY2(asAdmin.status == 200, spelling.constData());
        QCOMPARE(json(asAdmin).value(QStringLiteral("experiment")).toObject().value(QStringLiteral("name")).toString(),
                 QStringLiteral("secret"));
        const auto asAlice = api.call(alice, "GET", QStringLiteral("experiments/get"), {}, "experiment_id=" + spelling);
        QVERIFY2(asAlice.status == 403,
                 qPrintable(QString::fromLatin1(spelling) + QStringLiteral(": ") + QString::number(asAlice.status) +
                            QLatin1Char(' ') + QString::fromUtf8(asAlice.body)));
    }
    // JSON bodies too, for writes: a run in the denied experiment, a rename, a tag.
    for (const QString& spelling : {QStringLiteral("0") + secret, QStringLiteral(" ") + secret,
                                    QStringLiteral("+") + secret, secret + QStringLiteral("\t")}) {
        QCOMPARE(api.call(alice, "POST", QStringLiteral("runs/create"), {{QStringLiteral("experiment_id"), spelling}})
                     .status,
                 403);
        QCOMPARE(
            api.call(alice, "POST", QStringLiteral("experiments/update"),
                     {{QStringLiteral("experiment_id"), spelling}, {QStringLiteral("new_name"), QStringLiteral("x")}})
                .status,
            403);
        const auto search = api.call(alice, "POST", QStringLiteral("runs/search"),
                                     {{QStringLiteral("experiment_ids"), QJsonArray{spelling, open}}});
        QCOMPARE(search.status, 200);
        QCOMPARE(runNames(search), QStringList{QStringLiteral("open-run")});
    }
    // What names no experiment is refused by the store whatever the check said.
    const auto hex = api.call(admin, "GET", QStringLiteral("experiments/get"), {}, "experiment_id=0x1");
    QCOMPARE(hex.status, 404);
    QCOMPARE(json(hex).value(QStringLiteral("error_code")).toString(), QStringLiteral("RESOURCE_DOES_NOT_EXIST"));
}

void RouteHardeningTest::grantsAreStoredUnderTheCanonicalId()
{
    ServerFixture fixture;
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port(), false);
    api.createUser(alice.username, alice.password);
    const QString id = api.createExperiment(admin, QStringLiteral("shared"));
    const auto created = api.grantExperiment(QStringLiteral("00") + id, alice.username, QStringLiteral("READ"));
    QCOMPARE(created.status, 200);
    QCOMPARE(json(created)
                 .value(QStringLiteral("experiment_permission"))
                 .toObject()
                 .value(QStringLiteral("experiment_id"))
                 .toString(),
             id);
    // The same row, whichever spelling: a second create is a duplicate, a get finds it, alice can read.
    QCOMPARE(api.grantExperiment(QStringLiteral("+") + id, alice.username, QStringLiteral("EDIT")).status, 400);
    QCOMPARE(api.call(admin, "GET", QStringLiteral("experiments/permissions/get"), {},
                      "experiment_id=" + id.toUtf8() + "&username=alice")
                 .status,
             200);
    QCOMPARE(api.call(alice, "GET", QStringLiteral("experiments/get"), {}, "experiment_id=" + id.toUtf8()).status, 200);
    const auto user = api.call(admin, "GET", QStringLiteral("users/get"), {}, "username=alice");
    const QJsonArray grants =
        json(user).value(QStringLiteral("user")).toObject().value(QStringLiteral("experiment_permissions")).toArray();
    QCOMPARE(grants.size(), 1);
    QCOMPARE(grants.first().toObject().value(QStringLiteral("experiment_id")).toString(), id);
}

// MLflow 3.x: the default is a floor, so the test is the other way round: a READ grant on "2" is found for "02".
void RouteHardeningTest::mlflow3ChecksTheIdTheStoreFinds()
{
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), QString(), QString(), mlflow3());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port(), true);
    api.createUser(alice.username, alice.password);
    const QString readable = api.createExperiment(admin, QStringLiteral("readable"));
    const QString hidden = api.createExperiment(admin, QStringLiteral("hidden"));
    QCOMPARE(api.grantExperiment(QStringLiteral("0") + readable, alice.username, QStringLiteral("READ")).status, 200);
    api.createRun(readable, QStringLiteral("readable-run"));
    api.createRun(hidden, QStringLiteral("hidden-run"));
    for (const QByteArray& spelling : {readable.toUtf8(), "0" + readable.toUtf8(), "%2B" + readable.toUtf8()}) {
        QVERIFY2(api.call(alice, "GET", QStringLiteral("experiments/get"), {}, "experiment_id=" + spelling).status ==
                     200,
                 spelling.constData());
    }
    for (const QByteArray& spelling : {hidden.toUtf8(), "0" + hidden.toUtf8(), "%20" + hidden.toUtf8()}) {
        QVERIFY2(api.call(alice, "GET", QStringLiteral("experiments/get"), {}, "experiment_id=" + spelling).status ==
                     403,
                 spelling.constData());
    }
    const auto permission = api.call(alice, "GET", QStringLiteral("/api/3.0/mlflow/users/permissions/get"), {},
                                     "username=alice&resource_type=experiment&resource_id=" + readable.toUtf8());
    QCOMPARE(permission.status, 200);
    QCOMPARE(json(permission).value(QStringLiteral("permission")).toString(), QStringLiteral("READ"));
    const auto search = api.call(
        alice, "POST", QStringLiteral("runs/search"),
        {{QStringLiteral("experiment_ids"), QJsonArray{QStringLiteral("0") + hidden, QStringLiteral(" ") + readable}}});
    QCOMPARE(search.status, 200);
    QCOMPARE(runNames(search), QStringList{QStringLiteral("readable-run")});
}

void RouteHardeningTest::plusInAQueryIsASpace_data()
{
    QTest::addColumn<bool>("mlflow3Dialect");
    QTest::newRow("2.15.1") << false;
    QTest::newRow("3.14") << true;
}

void RouteHardeningTest::plusInAQueryIsASpace()
{
    QFETCH(bool, mlflow3Dialect);
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), QString(), QString(),
                          mlflow3Dialect ? mlflow3() : Dialect());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port(), mlflow3Dialect);
    api.createUser(QStringLiteral("ann lee"), QStringLiteral("ann-lee-password-1"));
    api.createUser(QStringLiteral("c+d"), QStringLiteral("c-plus-d-password-1"));
    const auto username = [](const RawHttpClient::Response& response) {
        return json(response).value(QStringLiteral("user")).toObject().value(QStringLiteral("username")).toString();
    };
    // Python's requests sends a space as '+'; "%2B" stays a plus.
    const auto spaced = api.call(admin, "GET", QStringLiteral("users/get"), {}, "username=ann+lee");
    QCOMPARE(spaced.status, 200);
    QCOMPARE(username(spaced), QStringLiteral("ann lee"));
    const auto plus = api.call(admin, "GET", QStringLiteral("users/get"), {}, "username=c%2Bd");
    QCOMPARE(plus.status, 200);
    QCOMPARE(username(plus), QStringLiteral("c+d"));
    // The auth layer reads the same decoding as the handler: a user reading itself through '+'.
    const Caller annLee{QStringLiteral("ann lee"), QStringLiteral("ann-lee-password-1")};
    const auto self = api.call(annLee, "GET", QStringLiteral("users/get"), {}, "username=ann+lee");
    QCOMPARE(self.status, 200);
    QCOMPARE(username(self), QStringLiteral("ann lee"));
    // MLflow's set_experiment("my exp") looks the name up with get-by-name on its second run.
    const QString id = api.createExperiment(admin, QStringLiteral("my exp"));
    const auto byName = api.call(admin, "GET", QStringLiteral("experiments/get-by-name"), {}, "experiment_name=my+exp");
    QCOMPARE(byName.status, 200);
    QCOMPARE(
        json(byName).value(QStringLiteral("experiment")).toObject().value(QStringLiteral("experiment_id")).toString(),
        id);
    // Search filters arrive the same way.
    const auto search =
        api.call(admin, "GET", QStringLiteral("experiments/search"), {}, "max_results=10&filter=name+%3D+%27my+exp%27");
    QCOMPARE(search.status, 200);
    QCOMPARE(json(search).value(QStringLiteral("experiments")).toArray().size(), 1);
}

void RouteHardeningTest::runsSearchReturnsOnlyReadableExperiments_data()
{
    QTest::addColumn<bool>("mlflow3Dialect");
    QTest::newRow("2.15.1") << false;
    QTest::newRow("3.14") << true;
}

// A deliberate difference from 2.15.1 (which returns every run asked for), as MLflow 3.6+ does.
void RouteHardeningTest::runsSearchReturnsOnlyReadableExperiments()
{
    QFETCH(bool, mlflow3Dialect);
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), QString(), QString(),
                          mlflow3Dialect ? mlflow3() : Dialect());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port(), mlflow3Dialect);
    api.createUser(alice.username, alice.password);
    const QString mine = api.createExperiment(admin, QStringLiteral("shared-with-alice"));
    const QString theirs = api.createExperiment(admin, QStringLiteral("not-for-alice"));
    QCOMPARE(api.grantExperiment(mine, alice.username, QStringLiteral("READ")).status, 200);
    api.createRun(mine, QStringLiteral("run-shared"));
    api.createRun(theirs, QStringLiteral("run-private"));

    const auto both = api.call(alice, "POST", QStringLiteral("runs/search"),
                               {{QStringLiteral("experiment_ids"), QJsonArray{mine, theirs}}});
    QCOMPARE(both.status, 200);
    QCOMPARE(runNames(both), QStringList{QStringLiteral("run-shared")});
    const auto onlyTheirs = api.call(alice, "POST", QStringLiteral("runs/search"),
                                     {{QStringLiteral("experiment_ids"), QJsonArray{theirs}}});
    QCOMPARE(onlyTheirs.status, 200);
    QCOMPARE(runNames(onlyTheirs), QStringList());
    const auto asAdmin = api.call(admin, "POST", QStringLiteral("runs/search"),
                                  {{QStringLiteral("experiment_ids"), QJsonArray{mine, theirs}}});
    QCOMPARE(runNames(asAdmin), (QStringList{QStringLiteral("run-private"), QStringLiteral("run-shared")}));
}

void RouteHardeningTest::lockedAuthDatabaseLeavesNoExperimentWithoutItsCreatorsGrant_data()
{
    QTest::addColumn<bool>("mlflow3Dialect");
    QTest::newRow("2.15.1") << false;
    QTest::newRow("3.14") << true;
}

void RouteHardeningTest::lockedAuthDatabaseLeavesNoExperimentWithoutItsCreatorsGrant()
{
    QFETCH(bool, mlflow3Dialect);
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), QString(), QString(),
                          mlflow3Dialect ? mlflow3() : Dialect());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port(), mlflow3Dialect);
    api.createUser(alice.username, alice.password);

    WriteLock lock(fixture.dataDir() + QStringLiteral("/basic_auth.db"));
    QVERIFY(lock.held());
    QElapsedTimer timer;
    timer.start();
    const auto experiment =
        api.call(alice, "POST", QStringLiteral("experiments/create"), {{QStringLiteral("name"), QStringLiteral("e")}});
    const qint64 experimentMs = timer.elapsed();
    QVERIFY2(experiment.status == 503, experiment.body.constData());
    QCOMPARE(json(experiment).value(QStringLiteral("error_code")).toString(),
             QStringLiteral("TEMPORARILY_UNAVAILABLE"));
    QVERIFY(json(experiment).value(QStringLiteral("message")).toString().contains(QLatin1String("auth database")));
    QCOMPARE(experiment.header("retry-after"), QByteArray("1"));
    // The busy timeout is short: one locked database does not hold the only request thread for seconds.
    QVERIFY2(experimentMs < 2000, qPrintable(QString::number(experimentMs)));
    const auto model = api.call(alice, "POST", QStringLiteral("registered-models/create"),
                                {{QStringLiteral("name"), QStringLiteral("m")}});
    QCOMPARE(model.status, 503);
    // Reads go on while the lock is held.
    QCOMPARE(api.call(alice, "GET", QStringLiteral("users/get"), {}, "username=alice").status, 200);
    // Nothing half-made: neither the experiment nor the model exists without alice's MANAGE grant.
    QCOMPARE(api.call(admin, "GET", QStringLiteral("experiments/get-by-name"), {}, "experiment_name=e").status, 404);
    QCOMPARE(api.call(admin, "GET", QStringLiteral("registered-models/get"), {}, "name=m").status, 404);

    lock.release();
    const auto retried =
        api.call(alice, "POST", QStringLiteral("experiments/create"), {{QStringLiteral("name"), QStringLiteral("e")}});
    QCOMPARE(retried.status, 200);
    const QByteArray id = json(retried).value(QStringLiteral("experiment_id")).toString().toUtf8();
    QCOMPARE(api.call(alice, "GET", QStringLiteral("experiments/get"), {}, "experiment_id=" + id).status, 200);
    QCOMPARE(api.call(alice, "POST", QStringLiteral("experiments/delete"),
                      {{QStringLiteral("experiment_id"), QString::fromUtf8(id)}})
                 .status,
             200);
    QCOMPARE(api.call(alice, "POST", QStringLiteral("registered-models/create"),
                      {{QStringLiteral("name"), QStringLiteral("m")}})
                 .status,
             200);
    QCOMPARE(api.call(alice, "GET", QStringLiteral("registered-models/get"), {}, "name=m").status, 200);
}

void RouteHardeningTest::lockedTrackingDatabaseAnswers503()
{
    ServerFixture fixture;
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port(), false);
    WriteLock lock(fixture.dataDir() + QStringLiteral("/mlflow.db"));
    QVERIFY(lock.held());
    const auto response =
        api.call(admin, "POST", QStringLiteral("experiments/create"), {{QStringLiteral("name"), QStringLiteral("t")}});
    QCOMPARE(response.status, 503);
    QCOMPARE(json(response).value(QStringLiteral("error_code")).toString(), QStringLiteral("TEMPORARILY_UNAVAILABLE"));
    QVERIFY(json(response).value(QStringLiteral("message")).toString().contains(QLatin1String("tracking database")));
    QCOMPARE(response.header("retry-after"), QByteArray("1"));
    lock.release();
    QCOMPARE(
        api.call(admin, "POST", QStringLiteral("experiments/create"), {{QStringLiteral("name"), QStringLiteral("t")}})
            .status,
        200);
}

void RouteHardeningTest::dataFilesAreOwnerOnlyAndTightenedOnStart()
{
    QTemporaryDir dir;
    const QString dataDir = dir.filePath(QStringLiteral("data"));
    const QString ini = dir.filePath(QStringLiteral("basic_auth.ini"));
    {
        QFile file(ini);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("[mlflow]\ndefault_permission = READ\ndatabase_uri = sqlite:///basic_auth.db\n"
                   "admin_username = admin\nadmin_password = password1234\n");
    }
    EmbeddedServerOptions options;
    options.port = 0;
    options.dataDir = dataDir;
    options.configPath = ini;
    const QStringList files = {QStringLiteral("basic_auth.db"),     QStringLiteral("basic_auth.db-wal"),
                               QStringLiteral("basic_auth.db-shm"), QStringLiteral("mlflow.db"),
                               QStringLiteral("mlflow.db-wal"),     QStringLiteral("mlflow.db-shm")};
    {
        EmbeddedServer server(options);
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        Api api(server.port(), false);
        QVERIFY(!api.createExperiment(admin, QStringLiteral("written")).isEmpty());
        QCOMPARE(modeOf(dataDir), 0700);
        for (const QString& name : files)
            QVERIFY2(modeOf(dataDir + QLatin1Char('/') + name) == 0600,
                     qPrintable(name + QStringLiteral(": ") +
                                QString::number(modeOf(dataDir + QLatin1Char('/') + name), 8)));
        server.stop();
    }
    // Files an older version (or a copy) left readable to all are tightened when the server opens them.
    QVERIFY(::chmod(QFile::encodeName(dataDir).constData(), 0755) == 0);
    for (const QString& name : {QStringLiteral("basic_auth.db"), QStringLiteral("mlflow.db")})
        QVERIFY(::chmod(QFile::encodeName(dataDir + QLatin1Char('/') + name).constData(), 0644) == 0);
    QFile journal(dataDir + QStringLiteral("/basic_auth.db-journal"));
    QVERIFY(journal.open(QIODevice::WriteOnly));
    journal.close();
    QVERIFY(::chmod(QFile::encodeName(journal.fileName()).constData(), 0666) == 0);
    QCOMPARE(modeOf(dataDir + QStringLiteral("/mlflow.db")), 0644);
    {
        EmbeddedServer server(options);
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        QCOMPARE(modeOf(dataDir), 0700);
        QCOMPARE(modeOf(dataDir + QStringLiteral("/basic_auth.db")), 0600);
        QCOMPARE(modeOf(dataDir + QStringLiteral("/mlflow.db")), 0600);
        QCOMPARE(modeOf(journal.fileName()), 0600);
        server.stop();
    }
}

// Checked against a real 3.14 (the 2.15.1 answers are in the fidelity transcript): OPTIONS is 204 with the route's
// methods, HEAD runs the GET route without a validator and reads no query, so it is a 400 without a body.
void RouteHardeningTest::mlflow3AnswersHeadAndOptionsAsItsFlaskDoes()
{
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), QString(), QString(), mlflow3());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port(), true);
    const auto options = api.call(admin, "OPTIONS", QStringLiteral("experiments/search"));
    QCOMPARE(options.status, 204);
    QStringList allowed = QString::fromLatin1(options.header("allow")).split(QStringLiteral(", "));
    allowed.sort();
    QCOMPARE(allowed, (QStringList{QStringLiteral("GET"), QStringLiteral("HEAD"), QStringLiteral("OPTIONS"),
                                   QStringLiteral("POST")}));
    QCOMPARE(api.call(admin, "OPTIONS", QStringLiteral("experiments/no-such-endpoint")).status, 404);
    RawHttpClient raw(QStringLiteral("127.0.0.1"), fixture.port());
    const auto head = raw.send(
        "HEAD", "/api/2.0/mlflow/experiments/get?experiment_id=0",
        {qMakePair(QByteArray("Authorization"), "Basic " + QByteArrayLiteral("admin:password1234").toBase64())}, {},
        false);
    QCOMPARE(head.status, 400);
    QVERIFY(head.body.isEmpty());
    QCOMPARE(raw.send("HEAD", "/health", {}, {}, false).status, 200);

    // A HEAD is checked as its GET: the JSON body that the handler would read cannot probe someone else's
    // experiment (MLflow skips its validators for HEAD and answers 200 or 404).
    api.createUser(alice.username, alice.password);
    const QString hidden = api.createExperiment(admin, QStringLiteral("hidden"));
    const QByteArray aliceAuth = "Basic " + (alice.username + QLatin1Char(':') + alice.password).toUtf8().toBase64();
    const QByteArray body = "{\"experiment_id\": \"" + hidden.toUtf8() + "\"}";
    const auto probe = raw.send("HEAD", "/api/2.0/mlflow/experiments/get",
                                {qMakePair(QByteArray("Authorization"), aliceAuth),
                                 qMakePair(QByteArray("Content-Type"), QByteArray("application/json"))},
                                body, true);
    QCOMPARE(probe.status, 400);
    const auto probeWithId = raw.send("HEAD", "/api/2.0/mlflow/experiments/get?experiment_id=" + hidden.toUtf8(),
                                      {qMakePair(QByteArray("Authorization"), aliceAuth)}, {}, false);
    QCOMPARE(probeWithId.status, 403);
}

QTEST_GUILESS_MAIN(RouteHardeningTest)
#include "tst_routehardening.moc"

// A JSON number where a string belongs is read as its integer spelling; a fraction or a number past double's exact
// integers has no single spelling (4611686018427387904 and ...905 both printed "4.61169e+18"), so it is refused
// as MLflow refuses it, and two such numbers never become one experiment.
void RouteHardeningTest::numbersWithoutOneSpellingAreNotNames()
{
    ServerFixture fixture;
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port(), false);
    const auto create = [&api](const QJsonValue& name) {
        return api.call(admin, "POST", QStringLiteral("experiments/create"), {{QStringLiteral("name"), name}});
    };
    const auto integral = create(QJsonValue(12));
    QCOMPARE(integral.status, 200);
    const auto byName = api.call(admin, "GET", QStringLiteral("experiments/get-by-name"), {}, "experiment_name=12");
    QCOMPARE(byName.status, 200);
    for (const double number : {4611686018427387904.0, 4611686018427389952.0, 1.5}) {
        const auto refused = create(QJsonValue(number));
        QCOMPARE(refused.status, 400);
        QCOMPARE(json(refused).value(QStringLiteral("error_code")).toString(),
                 QStringLiteral("INVALID_PARAMETER_VALUE"));
    }
}

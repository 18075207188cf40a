#include "ReferenceData.h"
#include "server/JsonWriter.h"
#include "server/MlflowError.h"
#include "server/TrackingStore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <optional>

Q_DECLARE_METATYPE(ViewType)

namespace {

// The MlflowError a call throws, or nothing when it succeeds.
std::optional<MlflowError> errorOf(const std::function<void()>& call)
{
    try {
        call();
    } catch (const MlflowError& error) {
        return error;
    }
    return std::nullopt;
}

QByteArray codeOf(const std::function<void()>& call)
{
    const std::optional<MlflowError> error = errorOf(call);
    return error ? error->code() : QByteArray("no error");
}

// An experiment page as the JSON the search endpoint writes (ExperimentRecord::writeJson), null where refused.
SearchPage jsonPage(const ExperimentPage& page)
{
    SearchPage json;
    for (const std::optional<ExperimentRecord>& experiment : page.items)
        json.items.append(experiment ? QJsonValue(experiment->toJson()) : QJsonValue());
    json.nextOffset = page.nextOffset;
    return json;
}

QStringList namesOf(const QJsonArray& experiments)
{
    QStringList names;
    for (const QJsonValue& experiment : experiments)
        names.append(experiment.toObject().value(QLatin1String("name")).toString());
    return names;
}

QSet<QString> keysOf(const QJsonObject& object)
{
    const QStringList keys = object.keys();
    return QSet<QString>(keys.cbegin(), keys.cend());
}

QJsonArray tagArray(std::initializer_list<std::pair<QString, QString>> tags)
{
    QJsonArray array;
    for (const auto& [key, value] : tags)
        array.append(QJsonObject{{QStringLiteral("key"), key}, {QStringLiteral("value"), value}});
    return array;
}

QString tagValue(const QJsonArray& tags, const QString& key)
{
    for (const QJsonValue& tag : tags) {
        if (tag.toObject().value(QLatin1String("key")).toString() == key)
            return tag.toObject().value(QLatin1String("value")).toString();
    }
    return QString();
}

QJsonObject metricNamed(const QJsonObject& run, const QString& key)
{
    const QJsonArray metrics = run.value(QLatin1String("data")).toObject().value(QLatin1String("metrics")).toArray();
    for (const QJsonValue& metric : metrics) {
        if (metric.toObject().value(QLatin1String("key")).toString() == key)
            return metric.toObject();
    }
    return QJsonObject();
}

// The response body of the named exchange in the 2.15.1 reference transcript.
QJsonObject referenceResponse(const QString& exchangeName)
{
    QString error;
    const QList<QJsonObject> exchanges =
        ReferenceData::transcript(QStringLiteral("mlflow-2.15.1-transcript.jsonl"), &error);
    for (const QJsonObject& exchange : exchanges) {
        if (exchange.value(QLatin1String("name")).toString() == exchangeName)
            return exchange.value(QLatin1String("response_body")).toObject();
    }
    qWarning("%s", qPrintable(error.isEmpty() ? QStringLiteral("exchange %1 not in the transcript").arg(exchangeName)
                                              : error));
    return QJsonObject();
}

const QString kInjection = QStringLiteral("'; DROP TABLE experiments; --");
const QString kEmoji = QStringLiteral("\U0001F600 émoji");
const QString kBrackets = QStringLiteral("br[a]ck*t?");

} // namespace

class TestTrackingStore : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void defaultExperiment();
    void reopenKeepsData();
    void createAndGetExperiment();
    void experimentShapeMatchesReference();
    void createExperimentErrors_data();
    void createExperimentErrors();
    void duplicateNameIncludesDeleted();
    void renameExperiment();
    void deleteAndRestoreExperiment();
    void experimentTags();
    void unusualNamesRoundTrip_data();
    void unusualNamesRoundTrip();

    void jsonWriterMatchesQJsonDocument();
    void searchKeepRefusesRowsButCountsThem();
    void defaultSearchFollowsEveryChange();
    void searchExperiments_data();
    void searchExperiments();
    void searchExperimentsTieBreaker();
    void likeIgnoresConnectionPragma();
    void manyFilterShapes();
    void searchExperimentsErrors_data();
    void searchExperimentsErrors();
    void pagingChainsOffsets_data();
    void pagingChainsOffsets();

    void pageTokenVectors_data();
    void pageTokenVectors();
    void pageTokenGarbage_data();
    void pageTokenGarbage();

    void createRun();
    void createRunNames();
    void createRunErrors();
    void getRun();
    void updateRun();
    void logMetricKeepsLatest();
    void metricNonFiniteValues();
    void logParams();
    void setRunTags();
    void logBatch();
    void logBatchErrors();
    void writesToDeletedRun_data();
    void writesToDeletedRun();
    void deleteAndRestoreRun();
    void runsFollowTheirExperiment();
    void searchRuns_data();
    void searchRuns();
    void searchRunsPaging();
    void searchRunsErrors_data();
    void searchRunsErrors();

    void registeredModels();
    void registeredModelShapeMatchesReference();
    void searchRegisteredModels_data();
    void searchRegisteredModels();
    void registeredModelErrors();

private:
    void openStore();
    void closeStore();
    void setTimes(const QString& experimentId, qint64 creationTime, qint64 lastUpdateTime);
    QString createTimed(const QString& name, qint64 creationTime, qint64 lastUpdateTime, const QJsonArray& tags = {});
    void createSearchFixture();
    QStringList createRunFixture();

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_connectionName;
    std::unique_ptr<TrackingStore> m_store;
    int m_connectionCounter = 0;
};

void TestTrackingStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_connectionName = QStringLiteral("tst_trackingstore_%1").arg(++m_connectionCounter);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
        db.setDatabaseName(m_dir->filePath(QStringLiteral("mlflow.db")));
        QVERIFY(db.open());
        // The pragmas the embedded server sets on its connection; the store itself sets none.
        QSqlQuery pragma(db);
        for (const char* statement : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"})
            QVERIFY(pragma.exec(QString::fromLatin1(statement)));
    }
    openStore();
}

void TestTrackingStore::cleanup()
{
    closeStore();
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
    m_dir.reset();
}

void TestTrackingStore::openStore()
{
    m_store = std::make_unique<TrackingStore>(QSqlDatabase::database(m_connectionName, false));
}

void TestTrackingStore::closeStore()
{
    m_store.reset();
}

// Tests need exact times; the store stamps the wall clock.
void TestTrackingStore::setTimes(const QString& experimentId, qint64 creationTime, qint64 lastUpdateTime)
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    QVERIFY(query.prepare(
        QStringLiteral("UPDATE experiments SET creation_time = ?, last_update_time = ? WHERE experiment_id = ?")));
    query.addBindValue(creationTime);
    query.addBindValue(lastUpdateTime);
    query.addBindValue(experimentId.toLongLong());
    QVERIFY(query.exec());
}

QString TestTrackingStore::createTimed(const QString& name, qint64 creationTime, qint64 lastUpdateTime,
                                       const QJsonArray& tags)
{
    const QString id = m_store->createExperiment(name, QString(), tags);
    setTimes(id, creationTime, lastUpdateTime);
    return id;
}

// Active: alpha, Alpha-2, beta_%, the injection, the emoji, the brackets and Default; deleted: gamma.
void TestTrackingStore::createSearchFixture()
{
    setTimes(QStringLiteral("0"), 0, 0);
    createTimed(QStringLiteral("alpha"), 1000, 5000,
                tagArray({{QStringLiteral("team"), QStringLiteral("red")},
                          {QStringLiteral("key with spaces"), QStringLiteral("v 1")}}));
    createTimed(QStringLiteral("Alpha-2"), 2000, 4000, tagArray({{QStringLiteral("team"), QStringLiteral("blue")}}));
    createTimed(QStringLiteral("beta_%"), 3000, 3000);
    const QString gamma =
        createTimed(QStringLiteral("gamma"), 4000, 2000, tagArray({{QStringLiteral("team"), QStringLiteral("Red")}}));
    createTimed(kInjection, 5000, 1000);
    createTimed(kEmoji, 6000, 6000);
    createTimed(kBrackets, 7000, 7000);
    m_store->deleteExperiment(gamma);
    setTimes(gamma, 4000, 2000);
}

void TestTrackingStore::defaultExperiment()
{
    const QJsonObject experiment = m_store->experiment(QStringLiteral("0"));
    QCOMPARE(experiment.value(QLatin1String("experiment_id")).toString(), QStringLiteral("0"));
    QCOMPARE(experiment.value(QLatin1String("name")).toString(), QStringLiteral("Default"));
    QCOMPARE(experiment.value(QLatin1String("artifact_location")).toString(), QStringLiteral("mlflow-artifacts:/0"));
    QCOMPARE(experiment.value(QLatin1String("lifecycle_stage")).toString(), QStringLiteral("active"));
    QVERIFY(experiment.value(QLatin1String("creation_time")).toInteger() > 0);
    QCOMPARE(experiment.value(QLatin1String("last_update_time")), experiment.value(QLatin1String("creation_time")));
    QVERIFY(!experiment.contains(QLatin1String("tags")));
    QVERIFY(m_store->experimentExists(QStringLiteral("0")));
    QVERIFY(!m_store->experimentExists(QStringLiteral("1")));
    QVERIFY(!m_store->experimentExists(QStringLiteral("not-a-number")));
}

void TestTrackingStore::reopenKeepsData()
{
    QCOMPARE(m_store->createExperiment(QStringLiteral("first"), QString(), {}), QStringLiteral("1"));
    closeStore();
    openStore();
    SearchQuery query;
    query.viewType = ViewType::All;
    QCOMPARE(jsonPage(m_store->searchExperiments(query)).items.size(), 2);
    QCOMPARE(m_store->createExperiment(QStringLiteral("second"), QString(), {}), QStringLiteral("2"));
    QCOMPARE(m_store->experiment(QStringLiteral("1")).value(QLatin1String("name")).toString(), QStringLiteral("first"));
}

void TestTrackingStore::createAndGetExperiment()
{
    const QString first = m_store->createExperiment(QStringLiteral("/user1/experiment1"), QString(), {});
    QCOMPARE(first, QStringLiteral("1"));
    const QString second = m_store->createExperiment(
        QStringLiteral("with-tags"), QStringLiteral("s3://bucket/place"),
        tagArray({{QStringLiteral("owner"), QStringLiteral("me")}, {QStringLiteral("b.key"), QString()}}));
    QCOMPARE(second, QStringLiteral("2"));

    const QJsonObject experiment = m_store->experiment(first);
    QCOMPARE(experiment.value(QLatin1String("name")).toString(), QStringLiteral("/user1/experiment1"));
    QCOMPARE(experiment.value(QLatin1String("artifact_location")).toString(), QStringLiteral("mlflow-artifacts:/1"));
    QCOMPARE(experiment.value(QLatin1String("lifecycle_stage")).toString(), QStringLiteral("active"));
    QVERIFY(experiment.value(QLatin1String("creation_time")).isDouble());
    QVERIFY(!experiment.contains(QLatin1String("tags")));

    const QJsonObject tagged = m_store->experiment(second);
    QCOMPARE(tagged.value(QLatin1String("artifact_location")).toString(), QStringLiteral("s3://bucket/place"));
    const QJsonArray tags = tagged.value(QLatin1String("tags")).toArray();
    QCOMPARE(tags.size(), 2);
    QCOMPARE(tagValue(tags, QStringLiteral("owner")), QStringLiteral("me"));
    QVERIFY(tagValue(tags, QStringLiteral("b.key")).isEmpty());

    const std::optional<QJsonObject> byName = m_store->experimentByName(QStringLiteral("with-tags"));
    QVERIFY(byName);
    QCOMPARE(*byName, tagged);
    QVERIFY(!m_store->experimentByName(QStringLiteral("/nope")));
    QVERIFY(!m_store->experimentByName(QStringLiteral("WITH-TAGS")));

    const std::optional<MlflowError> missing = errorOf([&] { m_store->experiment(QStringLiteral("999999")); });
    QVERIFY(missing);
    QCOMPARE(missing->code(), QByteArray("RESOURCE_DOES_NOT_EXIST"));
    QCOMPARE(missing->httpStatus(), 404);
    QCOMPARE(missing->message(), QStringLiteral("No Experiment with id=999999 exists"));
    const std::optional<MlflowError> garbage = errorOf([&] { m_store->experiment(QStringLiteral("abc")); });
    QVERIFY(garbage);
    QCOMPARE(garbage->message(), QStringLiteral("No Experiment with id=abc exists"));
}

// Keys (not times) of what a real MLflow 2.15.1 answered for experiments/get.
void TestTrackingStore::experimentShapeMatchesReference()
{
    const QJsonObject reference =
        referenceResponse(QStringLiteral("user1_get_own_experiment")).value(QLatin1String("experiment")).toObject();
    QVERIFY2(!reference.isEmpty(), "reference transcript missing");
    const QString id = m_store->createExperiment(QStringLiteral("/user1/experiment1"), QString(), {});
    const QJsonObject ours = m_store->experiment(id);
    QCOMPARE(keysOf(ours), keysOf(reference));
    QCOMPARE(ours.value(QLatin1String("artifact_location")), reference.value(QLatin1String("artifact_location")));
    QCOMPARE(ours.value(QLatin1String("experiment_id")), reference.value(QLatin1String("experiment_id")));

    const QJsonObject searchReference = referenceResponse(QStringLiteral("search_admin_empty_server"));
    SearchQuery query;
    query.filter = QStringLiteral("name = 'Default'");
    const SearchPage page = jsonPage(m_store->searchExperiments(query));
    QCOMPARE(page.items.size(), 1);
    const QJsonObject referenceDefault = searchReference.value(QLatin1String("experiments")).toArray().at(0).toObject();
    QCOMPARE(keysOf(page.items.at(0).toObject()), keysOf(referenceDefault));
    QCOMPARE(page.items.at(0).toObject().value(QLatin1String("artifact_location")),
             referenceDefault.value(QLatin1String("artifact_location")));
}

void TestTrackingStore::createExperimentErrors_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("artifactLocation");
    QTest::addColumn<QJsonArray>("tags");
    QTest::addColumn<QByteArray>("code");
    QTest::addColumn<QString>("message");

    QTest::newRow("empty name") << QString() << QString() << QJsonArray() << QByteArray("INVALID_PARAMETER_VALUE")
                                << QStringLiteral("Invalid experiment name: ''");
    QTest::newRow("duplicate") << QStringLiteral("existing") << QString() << QJsonArray()
                               << QByteArray("RESOURCE_ALREADY_EXISTS")
                               << QStringLiteral("Experiment(name=existing) already exists.");
    QTest::newRow("duplicate Default") << QStringLiteral("Default") << QString() << QJsonArray()
                                       << QByteArray("RESOURCE_ALREADY_EXISTS")
                                       << QStringLiteral("Experiment(name=Default) already exists.");
    QTest::newRow("runs uri") << QStringLiteral("x") << QStringLiteral("runs:/abc/model") << QJsonArray()
                              << QByteArray("INVALID_PARAMETER_VALUE")
                              << QStringLiteral("Artifact location cannot be a runs:/ URI. Given: 'runs:/abc/model'");
    QTest::newRow("bad tag key") << QStringLiteral("x") << QString()
                                 << tagArray({{QStringLiteral("bad*key"), QStringLiteral("v")}})
                                 << QByteArray("INVALID_PARAMETER_VALUE") << QString();
    QTest::newRow("tag key resolving elsewhere")
        << QStringLiteral("x") << QString() << tagArray({{QStringLiteral("a/../b"), QStringLiteral("v")}})
        << QByteArray("INVALID_PARAMETER_VALUE") << QString();
}

void TestTrackingStore::createExperimentErrors()
{
    QFETCH(QString, name);
    QFETCH(QString, artifactLocation);
    QFETCH(QJsonArray, tags);
    QFETCH(QByteArray, code);
    QFETCH(QString, message);

    m_store->createExperiment(QStringLiteral("existing"), QString(), {});
    const std::optional<MlflowError> error = errorOf([&] { m_store->createExperiment(name, artifactLocation, tags); });
    QVERIFY(error);
    QCOMPARE(error->code(), code);
    QCOMPARE(error->httpStatus(), 400);
    if (!message.isEmpty())
        QCOMPARE(error->message(), message);
    // Nothing half-written: only Default and "existing" are there.
    SearchQuery all;
    all.viewType = ViewType::All;
    QCOMPARE(jsonPage(m_store->searchExperiments(all)).items.size(), 2);
}

void TestTrackingStore::duplicateNameIncludesDeleted()
{
    const QString id = m_store->createExperiment(QStringLiteral("gone"), QString(), {});
    m_store->deleteExperiment(id);
    const std::optional<MlflowError> error =
        errorOf([&] { m_store->createExperiment(QStringLiteral("gone"), QString(), {}); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("RESOURCE_ALREADY_EXISTS"));
    QCOMPARE(error->message(), QStringLiteral("Experiment(name=gone) already exists."));
    // Case matters for uniqueness, as in MLflow's SQLite store.
    QCOMPARE(m_store->createExperiment(QStringLiteral("GONE"), QString(), {}), QStringLiteral("2"));
    const std::optional<QJsonObject> deleted = m_store->experimentByName(QStringLiteral("gone"));
    QVERIFY(deleted);
    QCOMPARE(deleted->value(QLatin1String("lifecycle_stage")).toString(), QStringLiteral("deleted"));
}

void TestTrackingStore::renameExperiment()
{
    const QString id = m_store->createExperiment(QStringLiteral("before"), QString(), {});
    m_store->createExperiment(QStringLiteral("taken"), QString(), {});
    setTimes(id, 10, 10);
    m_store->renameExperiment(id, QStringLiteral("after"));
    const QJsonObject renamed = m_store->experiment(id);
    QCOMPARE(renamed.value(QLatin1String("name")).toString(), QStringLiteral("after"));
    QCOMPARE(renamed.value(QLatin1String("creation_time")).toInteger(), 10);
    QVERIFY(renamed.value(QLatin1String("last_update_time")).toInteger() > 10);
    QVERIFY(!m_store->experimentByName(QStringLiteral("before")));
    m_store->renameExperiment(id, QStringLiteral("after")); // to its own name: fine

    std::optional<MlflowError> error = errorOf([&] { m_store->renameExperiment(id, QStringLiteral("taken")); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("RESOURCE_ALREADY_EXISTS"));
    QCOMPARE(error->message(), QStringLiteral("Experiment(name=taken) already exists."));

    error = errorOf([&] { m_store->renameExperiment(id, QString()); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("INVALID_PARAMETER_VALUE"));

    error = errorOf([&] { m_store->renameExperiment(QStringLiteral("42"), QStringLiteral("x")); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("RESOURCE_DOES_NOT_EXIST"));
    QCOMPARE(error->message(), QStringLiteral("No Experiment with id=42 exists"));

    m_store->deleteExperiment(id);
    error = errorOf([&] { m_store->renameExperiment(id, QStringLiteral("again")); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("INVALID_STATE"));
    QCOMPARE(error->message(), QStringLiteral("Cannot rename a non-active experiment."));
}

void TestTrackingStore::deleteAndRestoreExperiment()
{
    const QString id = m_store->createExperiment(QStringLiteral("doomed"), QString(), {});
    setTimes(id, 10, 10);
    m_store->deleteExperiment(id);
    QJsonObject experiment = m_store->experiment(id);
    QCOMPARE(experiment.value(QLatin1String("lifecycle_stage")).toString(), QStringLiteral("deleted"));
    QVERIFY(experiment.value(QLatin1String("last_update_time")).toInteger() > 10);
    QVERIFY(m_store->experimentExists(id));

    std::optional<MlflowError> error = errorOf([&] { m_store->deleteExperiment(id); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("RESOURCE_DOES_NOT_EXIST"));
    QCOMPARE(error->message(), QStringLiteral("No Experiment with id=%1 exists").arg(id));

    m_store->restoreExperiment(id);
    experiment = m_store->experiment(id);
    QCOMPARE(experiment.value(QLatin1String("lifecycle_stage")).toString(), QStringLiteral("active"));

    error = errorOf([&] { m_store->restoreExperiment(id); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("RESOURCE_DOES_NOT_EXIST"));
    QCOMPARE(error->httpStatus(), 404);

    for (const QString& missing : {QStringLiteral("77"), QStringLiteral("x")}) {
        QCOMPARE(codeOf([&] { m_store->deleteExperiment(missing); }), QByteArray("RESOURCE_DOES_NOT_EXIST"));
        QCOMPARE(codeOf([&] { m_store->restoreExperiment(missing); }), QByteArray("RESOURCE_DOES_NOT_EXIST"));
    }
}

void TestTrackingStore::experimentTags()
{
    const QString id = m_store->createExperiment(QStringLiteral("tagged"), QString(), {});
    m_store->setExperimentTag(id, QStringLiteral("team"), QStringLiteral("red"));
    m_store->setExperimentTag(id, QStringLiteral("note"), QStringLiteral("a,b:c \U0001F600"));
    m_store->setExperimentTag(id, QStringLiteral("team"), QStringLiteral("blue"));
    const QJsonArray tags = m_store->experiment(id).value(QLatin1String("tags")).toArray();
    QCOMPARE(tags.size(), 2);
    QCOMPARE(tagValue(tags, QStringLiteral("team")), QStringLiteral("blue"));
    QCOMPARE(tagValue(tags, QStringLiteral("note")), QStringLiteral("a,b:c \U0001F600"));

    SearchQuery query;
    query.filter = QStringLiteral("tags.team = 'blue'");
    const SearchPage page = jsonPage(m_store->searchExperiments(query));
    QCOMPARE(page.items.size(), 1);
    QCOMPARE(page.items.at(0).toObject().value(QLatin1String("tags")).toArray().size(), 2);

    std::optional<MlflowError> error =
        errorOf([&] { m_store->setExperimentTag(QStringLiteral("99"), QStringLiteral("k"), QStringLiteral("v")); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("RESOURCE_DOES_NOT_EXIST"));
    error = errorOf([&] { m_store->setExperimentTag(id, QStringLiteral("bad\nkey"), QStringLiteral("v")); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("INVALID_PARAMETER_VALUE"));
    m_store->deleteExperiment(id);
    error = errorOf([&] { m_store->setExperimentTag(id, QStringLiteral("k"), QStringLiteral("v")); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("INVALID_PARAMETER_VALUE"));
    QCOMPARE(error->message(),
             QStringLiteral("The experiment %1 must be in the 'active' state. Current state is deleted.").arg(id));
}

void TestTrackingStore::unusualNamesRoundTrip_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("sql injection") << kInjection;
    QTest::newRow("quotes") << QStringLiteral("it's \"quoted\"");
    QTest::newRow("like wildcards") << QStringLiteral("100%_done");
    QTest::newRow("glob characters") << kBrackets;
    QTest::newRow("emoji and accents") << kEmoji;
    QTest::newRow("cjk") << QStringLiteral("実験/テスト");
    QTest::newRow("percent placeholders") << QStringLiteral("%1 %2 %L1");
    QTest::newRow("backslashes") << QStringLiteral("C:\\path\\to");
}

void TestTrackingStore::unusualNamesRoundTrip()
{
    QFETCH(QString, name);
    // A decoy that LIKE-style matching of the name as a pattern would also find.
    m_store->createExperiment(QStringLiteral("decoy") + name + QStringLiteral("decoy"), QString(), {});
    const QString id = m_store->createExperiment(name, QString(), tagArray({{QStringLiteral("k"), name}}));
    QCOMPARE(m_store->experiment(id).value(QLatin1String("name")).toString(), name);
    QCOMPARE(m_store->experimentByName(name)->value(QLatin1String("experiment_id")).toString(), id);
    QCOMPARE(tagValue(m_store->experiment(id).value(QLatin1String("tags")).toArray(), QStringLiteral("k")), name);

    const QString escapedSingle = QString(name).replace(QLatin1Char('\''), QStringLiteral("''"));
    for (const QString& filter :
         {QStringLiteral("name = '%1'").arg(escapedSingle), QStringLiteral("tags.k = '%1'").arg(escapedSingle),
          QStringLiteral("name LIKE '%1'").arg(escapedSingle)}) {
        SearchQuery query;
        query.filter = filter;
        const SearchPage page = jsonPage(m_store->searchExperiments(query));
        if (filter.contains(QLatin1String("LIKE")) && name.contains(QRegularExpression(QStringLiteral("[%_]"))))
            continue; // the name holds LIKE wildcards, so it is a pattern that may match the decoy too
        QCOMPARE(namesOf(page.items), QStringList{name});
    }

    const QString modelName = name + QStringLiteral(" model");
    m_store->createRegisteredModel(modelName, QString(), {});
    QCOMPARE(m_store->registeredModel(modelName).value(QLatin1String("name")).toString(), modelName);
    // The schema survived whatever the names held.
    SearchQuery all;
    all.viewType = ViewType::All;
    QCOMPARE(jsonPage(m_store->searchExperiments(all)).items.size(), 3);
}

// The search endpoint writes its JSON with JsonWriter; clients parse it like any other answer, so it must be
// exactly what QJsonDocument writes for the same values, escapes included.
void TestTrackingStore::jsonWriterMatchesQJsonDocument()
{
    QString every;
    for (char16_t c = 0; c < 0x80; ++c)
        every.append(QChar(c));
    const QStringList texts = {QString(), every, QStringLiteral("caf\u00e9 \u20ac \U0001F600 /a\\b \"q\""),
                               QStringLiteral("line\nbreak\ttab")};
    const QList<qint64> numbers = {0, -1, 1796133878757, std::numeric_limits<qint64>::min() + 1};
    QJsonObject expected;
    JsonWriter out;
    out.beginObject();
    out.key(QLatin1String("a_numbers")).beginArray();
    QJsonArray numberArray;
    for (qint64 n : numbers) {
        out.value(n);
        numberArray.append(n);
    }
    out.endArray();
    expected.insert(QStringLiteral("a_numbers"), numberArray);
    out.key(QLatin1String("b_empty")).beginObject().endObject();
    expected.insert(QStringLiteral("b_empty"), QJsonObject());
    out.key(QLatin1String("c_texts")).beginArray();
    QJsonArray textArray;
    for (const QString& text : texts) {
        out.beginObject().member(QLatin1String("text"), text).endObject();
        textArray.append(QJsonObject{{QStringLiteral("text"), text}});
    }
    out.endArray();
    expected.insert(QStringLiteral("c_texts"), textArray);
    out.key(QLatin1String("d_list")).beginArray().endArray();
    expected.insert(QStringLiteral("d_list"), QJsonArray());
    out.member(QLatin1String("e_true"), true).member(QLatin1String("f_false"), false);
    expected.insert(QStringLiteral("e_true"), true);
    expected.insert(QStringLiteral("f_false"), false);
    // Bytes written before (a cache's) go in as they are, with the commas around them.
    const QJsonObject nested{{QStringLiteral("k"), QStringLiteral("v")}};
    out.key(QLatin1String("g_written")).beginArray();
    out.written(QJsonDocument(nested).toJson(QJsonDocument::Compact)).value(qint64(7));
    out.written(QJsonDocument(nested).toJson(QJsonDocument::Compact));
    out.endArray();
    expected.insert(QStringLiteral("g_written"), QJsonArray{nested, 7, nested});
    out.endObject();
    QCOMPARE(out.take(), QJsonDocument(expected).toJson(QJsonDocument::Compact));
}

// A non-admin's search asks the store to skip rows it cannot read: they come back empty, still counted for paging.
void TestTrackingStore::searchKeepRefusesRowsButCountsThem()
{
    const QString first = m_store->createExperiment(QStringLiteral("keep-a"), QString(), QJsonArray());
    m_store->createExperiment(QStringLiteral("keep-b"), QString(), QJsonArray());
    SearchQuery query;
    query.keep = [&first](const QString& id) {
        return id != first;
    };
    query.maxResults = 2;
    const ExperimentPage partial = m_store->searchExperiments(query);
    QCOMPARE(partial.items.size(), 2); // refused rows count towards the page
    QCOMPARE(partial.nextOffset, std::optional<qint64>(2));
    query.maxResults = 3;
    const ExperimentPage page = m_store->searchExperiments(query);
    QCOMPARE(page.items.size(), 3);
    QSet<QString> kept;
    int refused = 0;
    for (const std::optional<ExperimentRecord>& item : page.items) {
        if (item)
            kept.insert(item->name);
        else
            ++refused;
    }
    QCOMPARE(refused, 1);
    QCOMPARE(kept, (QSet<QString>{QStringLiteral("keep-b"), QStringLiteral("Default")}));
    QCOMPARE(page.nextOffset, std::nullopt);
}

// The default search (no filter, no order) pages through an in-memory list of the experiments; after every kind of
// change, by the store, by SQL on the store's own connection, or by another program, it must answer what the SQL
// search with the same order answers.
void TestTrackingStore::defaultSearchFollowsEveryChange()
{
    const auto names = [this](ViewType viewType, const QStringList& orderBy) {
        SearchQuery query;
        query.viewType = viewType;
        query.orderBy = orderBy;
        QStringList result;
        for (const std::optional<ExperimentRecord>& item : m_store->searchExperiments(query).items) {
            QStringList tags;
            for (const auto& [key, value] : item->tags)
                tags << key + QLatin1Char('=') + value;
            result << item->name + QLatin1Char('|') + item->lifecycleStage + QLatin1Char('|') + tags.join(u',');
        }
        return result;
    };
    // Compares the cached default order with SQL's, for every view type; returns the active names.
    const auto agreed = [&names]() -> std::optional<QStringList> {
        for (ViewType viewType : {ViewType::ActiveOnly, ViewType::DeletedOnly, ViewType::All}) {
            const QStringList cached = names(viewType, {});
            if (cached != names(viewType, {QStringLiteral("creation_time DESC")})) {
                qWarning() << "cached" << cached << "SQL" << names(viewType, {QStringLiteral("creation_time DESC")});
                return std::nullopt;
            }
        }
        return names(ViewType::ActiveOnly, {});
    };
    QCOMPARE(agreed(), QStringList{QStringLiteral("Default|active|")});
    const QString id =
        m_store->createExperiment(QStringLiteral("cached-a"), QString(),
                                  QJsonArray{QJsonObject{{QStringLiteral("key"), QStringLiteral("k")},
                                                         {QStringLiteral("value"), QStringLiteral("v")}}});
    setTimes(id, 2000, 2000);
    setTimes(QStringLiteral("0"), 1000, 1000);
    QCOMPARE(agreed(), (QStringList{QStringLiteral("cached-a|active|k=v"), QStringLiteral("Default|active|")}));
    m_store->renameExperiment(id, QStringLiteral("cached-b"));
    m_store->setExperimentTag(id, QStringLiteral("k"), QStringLiteral("w"));
    QCOMPARE(agreed(), (QStringList{QStringLiteral("cached-b|active|k=w"), QStringLiteral("Default|active|")}));
    m_store->deleteExperiment(id);
    QCOMPARE(agreed(), QStringList{QStringLiteral("Default|active|")});
    QCOMPARE(names(ViewType::DeletedOnly, {}), QStringList{QStringLiteral("cached-b|deleted|k=w")});
    m_store->restoreExperiment(id);
    // Raw SQL on the store's own connection (what setTimes does) reorders the list.
    setTimes(id, 500, 500);
    QCOMPARE(agreed(), (QStringList{QStringLiteral("Default|active|"), QStringLiteral("cached-b|active|k=w")}));

    // Another program commits to the same file.
    {
        QSqlDatabase outsider = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("outsider"));
        outsider.setDatabaseName(m_dir->filePath(QStringLiteral("mlflow.db")));
        QVERIFY(outsider.open());
        QSqlQuery query(outsider);
        QVERIFY(query.prepare(QStringLiteral("UPDATE experiments SET name = ? WHERE experiment_id = ?")));
        query.addBindValue(QStringLiteral("renamed-outside"));
        query.addBindValue(id.toLongLong());
        QVERIFY(query.exec());
        QVERIFY(query.exec(QStringLiteral("DELETE FROM experiment_tags")));
        query.finish();
        outsider.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("outsider"));
    QCOMPARE(agreed(), (QStringList{QStringLiteral("Default|active|"), QStringLiteral("renamed-outside|active|")}));
}

void TestTrackingStore::searchExperiments_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QStringList>("orderBy");
    QTest::addColumn<ViewType>("viewType");
    QTest::addColumn<QStringList>("expected");

    const QString alpha = QStringLiteral("alpha");
    const QString alpha2 = QStringLiteral("Alpha-2");
    const QString beta = QStringLiteral("beta_%");
    const QString gamma = QStringLiteral("gamma");
    const QString def = QStringLiteral("Default");
    const ViewType active = ViewType::ActiveOnly;

    QTest::newRow("default order") << QString() << QStringList() << active
                                   << QStringList{kBrackets, kEmoji, kInjection, beta, alpha2, alpha, def};
    QTest::newRow("blank filter") << QStringLiteral("  ") << QStringList() << active
                                  << QStringList{kBrackets, kEmoji, kInjection, beta, alpha2, alpha, def};
    QTest::newRow("deleted only") << QString() << QStringList() << ViewType::DeletedOnly << QStringList{gamma};
    QTest::newRow("all") << QString() << QStringList() << ViewType::All
                         << QStringList{kBrackets, kEmoji, kInjection, gamma, beta, alpha2, alpha, def};

    QTest::newRow("name =") << QStringLiteral("name = 'alpha'") << QStringList() << active << QStringList{alpha};
    QTest::newRow("attribute.name = double quotes")
        << QStringLiteral("attribute.name = \"alpha\"") << QStringList() << active << QStringList{alpha};
    QTest::newRow("attributes.name") << QStringLiteral("attributes.name='Alpha-2'") << QStringList() << active
                                     << QStringList{alpha2};
    QTest::newRow("name = is case-sensitive")
        << QStringLiteral("name = 'ALPHA'") << QStringList() << active << QStringList();
    QTest::newRow("name = deleted, active view")
        << QStringLiteral("name = 'gamma'") << QStringList() << active << QStringList();
    QTest::newRow("name = deleted, all view")
        << QStringLiteral("name = 'gamma'") << QStringList() << ViewType::All << QStringList{gamma};
    QTest::newRow("name !=") << QStringLiteral("name != 'alpha'") << QStringList() << active
                             << QStringList{kBrackets, kEmoji, kInjection, beta, alpha2, def};
    QTest::newRow("name = with wildcards is literal")
        << QStringLiteral("name = 'beta_%'") << QStringList() << active << QStringList{beta};
    QTest::newRow("name = wildcard matches nothing")
        << QStringLiteral("name = 'alph%'") << QStringList() << active << QStringList();
    QTest::newRow("name LIKE is case-sensitive")
        << QStringLiteral("name LIKE 'alpha%'") << QStringList() << active << QStringList{alpha};
    QTest::newRow("name like lower-case keyword")
        << QStringLiteral("name like 'A%'") << QStringList() << active << QStringList{alpha2};
    QTest::newRow("name ILIKE") << QStringLiteral("name ILIKE 'alpha%'") << QStringList() << active
                                << QStringList{alpha2, alpha};
    QTest::newRow("name LIKE underscore")
        << QStringLiteral("name LIKE 'b_ta%'") << QStringList() << active << QStringList{beta};
    QTest::newRow("name LIKE glob characters are literal")
        << QStringLiteral("name LIKE 'br[a]ck*t?'") << QStringList() << active << QStringList{kBrackets};
    QTest::newRow("name LIKE star is not a wildcard")
        << QStringLiteral("name LIKE 'br*'") << QStringList() << active << QStringList();
    QTest::newRow("name LIKE with wildcards around brackets")
        << QStringLiteral("name LIKE '%[a]%'") << QStringList() << active << QStringList{kBrackets};
    QTest::newRow("name LIKE emoji") << QStringLiteral("name LIKE '\U0001F600%'") << QStringList() << active
                                     << QStringList{kEmoji};
    QTest::newRow("name LIKE underscore over emoji")
        << QStringLiteral("name LIKE '_ émoji'") << QStringList() << active << QStringList{kEmoji};
    QTest::newRow("name = injection") << QStringLiteral("name = \"'; DROP TABLE experiments; --\"") << QStringList()
                                      << active << QStringList{kInjection};
    QTest::newRow("name = injection doubled quotes") << QStringLiteral("name = '''; DROP TABLE experiments; --'")
                                                     << QStringList() << active << QStringList{kInjection};
    QTest::newRow("name = injection backslash quote") << QStringLiteral("name = '\\'; DROP TABLE experiments; --'")
                                                      << QStringList() << active << QStringList{kInjection};

    QTest::newRow("creation_time =") << QStringLiteral("creation_time = 2000") << QStringList() << active
                                     << QStringList{alpha2};
    QTest::newRow("creation_time !=") << QStringLiteral("creation_time != 2000") << QStringList() << active
                                      << QStringList{kBrackets, kEmoji, kInjection, beta, alpha, def};
    QTest::newRow("creation_time >") << QStringLiteral("creation_time > 5000") << QStringList() << active
                                     << QStringList{kBrackets, kEmoji};
    QTest::newRow("creation_time >=") << QStringLiteral("creation_time >= 5000") << QStringList() << active
                                      << QStringList{kBrackets, kEmoji, kInjection};
    QTest::newRow("creation_time <") << QStringLiteral("creation_time < 2000") << QStringList() << active
                                     << QStringList{alpha, def};
    QTest::newRow("creation_time <=") << QStringLiteral("creation_time <= 2000") << QStringList() << active
                                      << QStringList{alpha2, alpha, def};
    QTest::newRow("last_update_time <") << QStringLiteral("last_update_time < 3000") << QStringList() << active
                                        << QStringList{kInjection, def};
    QTest::newRow("last_update_time >= all view")
        << QStringLiteral("last_update_time >= 2000 and last_update_time <= 4000") << QStringList() << ViewType::All
        << QStringList{gamma, beta, alpha2};

    QTest::newRow("tag =") << QStringLiteral("tags.team = 'red'") << QStringList() << active << QStringList{alpha};
    QTest::newRow("tag = all view") << QStringLiteral("tags.team = 'Red'") << QStringList() << ViewType::All
                                    << QStringList{gamma};
    QTest::newRow("tag !=") << QStringLiteral("tags.team != 'red'") << QStringList() << active << QStringList{alpha2};
    QTest::newRow("tag LIKE") << QStringLiteral("tags.team LIKE 'r%'") << QStringList() << ViewType::All
                              << QStringList{alpha};
    QTest::newRow("tag ILIKE") << QStringLiteral("tags.team ILIKE 'r%'") << QStringList() << ViewType::All
                               << QStringList{gamma, alpha};
    QTest::newRow("tag key in backticks")
        << QStringLiteral("tags.`key with spaces` = 'v 1'") << QStringList() << active << QStringList{alpha};
    QTest::newRow("tag key in double quotes")
        << QStringLiteral("tag.\"key with spaces\" LIKE 'v%'") << QStringList() << active << QStringList{alpha};
    QTest::newRow("missing tag key") << QStringLiteral("tags.nothing = 'x'") << QStringList() << active
                                     << QStringList();

    QTest::newRow("AND") << QStringLiteral("name ILIKE 'a%' AND creation_time > 1500") << QStringList() << active
                         << QStringList{alpha2};
    QTest::newRow("and lower case") << QStringLiteral("name ILIKE 'a%' and tags.team = 'blue'") << QStringList()
                                    << active << QStringList{alpha2};
    QTest::newRow("three clauses") << QStringLiteral(
                                          "creation_time >= 1000 AND creation_time <= 3000 AND name != 'beta_%'")
                                   << QStringList() << active << QStringList{alpha2, alpha};

    QTest::newRow("order name") << QString() << QStringList{QStringLiteral("name")} << active
                                << QStringList{kInjection, alpha2, def, alpha, beta, kBrackets, kEmoji};
    QTest::newRow("order name DESC") << QString() << QStringList{QStringLiteral("name DESC")} << active
                                     << QStringList{kEmoji, kBrackets, beta, alpha, def, alpha2, kInjection};
    QTest::newRow("order attribute.last_update_time asc")
        << QString() << QStringList{QStringLiteral("attribute.last_update_time asc")} << active
        << QStringList{def, kInjection, beta, alpha2, alpha, kEmoji, kBrackets};
    QTest::newRow("order experiment_id DESC")
        << QString() << QStringList{QStringLiteral("experiment_id DESC")} << ViewType::All
        << QStringList{kBrackets, kEmoji, kInjection, gamma, beta, alpha2, alpha, def};
    QTest::newRow("order creation_time ASC with filter")
        << QStringLiteral("name LIKE '%a%'") << QStringList{QStringLiteral("creation_time ASC")} << active
        << QStringList{def, alpha, alpha2, beta, kBrackets};
    QTest::newRow("order with blank entry") << QString() << QStringList{QString()} << active
                                            << QStringList{kBrackets, kEmoji, kInjection, beta, alpha2, alpha, def};
}

void TestTrackingStore::searchExperiments()
{
    QFETCH(QString, filter);
    QFETCH(QStringList, orderBy);
    QFETCH(ViewType, viewType);
    QFETCH(QStringList, expected);

    createSearchFixture();
    SearchQuery query;
    query.filter = filter;
    query.orderBy = orderBy;
    query.viewType = viewType;
    const SearchPage page = jsonPage(m_store->searchExperiments(query));
    QCOMPARE(namesOf(page.items), expected);
    QVERIFY(!page.nextOffset);
}

void TestTrackingStore::searchExperimentsTieBreaker()
{
    QStringList ids;
    for (int i = 0; i < 4; ++i)
        ids.append(createTimed(QStringLiteral("same-%1").arg(i), 500, 500));
    SearchQuery query;
    query.filter = QStringLiteral("creation_time = 500");
    for (const QStringList& orderBy : {QStringList(), QStringList{QStringLiteral("creation_time DESC")},
                                       QStringList{QStringLiteral("last_update_time")}}) {
        query.orderBy = orderBy;
        QStringList found;
        for (const QJsonValue& experiment : jsonPage(m_store->searchExperiments(query)).items)
            found.append(experiment.toObject().value(QLatin1String("experiment_id")).toString());
        QCOMPARE(found, ids);
    }
    query.orderBy = QStringList{QStringLiteral("experiment_id DESC")};
    QCOMPARE(jsonPage(m_store->searchExperiments(query))
                 .items.first()
                 .toObject()
                 .value(QLatin1String("experiment_id"))
                 .toString(),
             ids.last());
}

// LIKE and ILIKE must not depend on how the caller configured the connection.
void TestTrackingStore::likeIgnoresConnectionPragma()
{
    createSearchFixture();
    for (const char* pragma : {"PRAGMA case_sensitive_like = ON", "PRAGMA case_sensitive_like = OFF"}) {
        QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
        QVERIFY(query.exec(QString::fromLatin1(pragma)));
        SearchQuery search;
        search.filter = QStringLiteral("name ILIKE 'ALPHA%'");
        QCOMPARE(namesOf(jsonPage(m_store->searchExperiments(search)).items),
                 (QStringList{QStringLiteral("Alpha-2"), QStringLiteral("alpha")}));
        search.filter = QStringLiteral("name LIKE 'Alpha%'");
        QCOMPARE(namesOf(jsonPage(m_store->searchExperiments(search)).items), QStringList{QStringLiteral("Alpha-2")});
    }
}

// More distinct filter shapes than the statement cache holds: answers stay right while it recycles.
void TestTrackingStore::manyFilterShapes()
{
    m_store->createExperiment(QStringLiteral("needle"), QString(), {});
    QString filter = QStringLiteral("name = 'needle'");
    for (int clauses = 1; clauses <= 150; ++clauses) {
        SearchQuery query;
        query.filter = filter;
        QCOMPARE(namesOf(jsonPage(m_store->searchExperiments(query)).items), QStringList{QStringLiteral("needle")});
        filter += QStringLiteral(" AND creation_time > %1").arg(clauses);
    }
    SearchQuery query;
    query.filter = QStringLiteral("name = 'needle'");
    QCOMPARE(namesOf(jsonPage(m_store->searchExperiments(query)).items), QStringList{QStringLiteral("needle")});
}

void TestTrackingStore::searchExperimentsErrors_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QStringList>("orderBy");

    const auto row = [](const char* name, const QString& filter) {
        QTest::newRow(name) << filter << QStringList();
    };
    row("OR", QStringLiteral("name = 'a' OR name = 'b'"));
    row("missing value", QStringLiteral("name LIKE"));
    row("missing comparator", QStringLiteral("name 'a'"));
    row("unquoted string", QStringLiteral("name = alpha"));
    row("number for name", QStringLiteral("name = 5"));
    row("ordering comparator on name", QStringLiteral("name > 'a'"));
    row("LIKE on a time", QStringLiteral("creation_time LIKE '1%'"));
    row("quoted time", QStringLiteral("creation_time = '1000'"));
    row("fractional time", QStringLiteral("creation_time > 1.5"));
    row("unknown attribute", QStringLiteral("bogus = 'x'"));
    row("experiment_id is not filterable", QStringLiteral("experiment_id = 1"));
    row("metrics", QStringLiteral("metrics.m > 1"));
    row("params", QStringLiteral("params.p = 'x'"));
    row("unknown entity", QStringLiteral("foo.bar = 'x'"));
    row("empty tag key", QStringLiteral("tags. = 'x'"));
    row("unterminated string", QStringLiteral("name = 'abc"));
    row("double equals", QStringLiteral("name == 'x'"));
    row("angle brackets", QStringLiteral("name <> 'x'"));
    row("IN", QStringLiteral("name IN ('a', 'b')"));
    row("IS NULL", QStringLiteral("tags.t IS NULL"));
    row("NOT LIKE", QStringLiteral("name NOT LIKE 'a%'"));
    row("trailing AND", QStringLiteral("name = 'a' AND"));
    row("leading comparator", QStringLiteral("= 'x'"));
    row("missing AND", QStringLiteral("name = 'a' name = 'b'"));
    row("unknown character", QStringLiteral("name ~ 'x'"));
    row("bang alone", QStringLiteral("name ! 'x'"));
    row("semicolon", QStringLiteral("name = 'a'; DROP TABLE experiments"));

    const auto order = [](const char* name, const QStringList& orderBy) {
        QTest::newRow(name) << QString() << orderBy;
    };
    order("order unknown key", {QStringLiteral("nonsense")});
    order("order bad direction", {QStringLiteral("name sideways")});
    order("order two directions", {QStringLiteral("name ASC DESC")});
    order("order by metric", {QStringLiteral("metrics.m")});
    order("order by tag", {QStringLiteral("tags.t DESC")});
    order("order duplicate", {QStringLiteral("name"), QStringLiteral("attribute.name DESC")});
    order("order injection", {QStringLiteral("name; DROP TABLE experiments")});
    order("order expression", {QStringLiteral("(name)")});
}

void TestTrackingStore::searchExperimentsErrors()
{
    QFETCH(QString, filter);
    QFETCH(QStringList, orderBy);
    SearchQuery query;
    query.filter = filter;
    query.orderBy = orderBy;
    const std::optional<MlflowError> error = errorOf([&] { m_store->searchExperiments(query); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("INVALID_PARAMETER_VALUE"));
    QCOMPARE(error->httpStatus(), 400);
    QVERIFY2(error->message().startsWith(QLatin1String("Invalid")) ||
                 error->message().startsWith(QLatin1String("`order_by`")),
             qPrintable(error->message()));
    // The experiments table is intact.
    QCOMPARE(m_store->searchExperiments(SearchQuery()).items.size(), 1);
}

void TestTrackingStore::pagingChainsOffsets_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<int>("maxResults");
    QTest::addColumn<QList<int>>("pageSizes");

    QTest::newRow("26 by 10") << QString() << 10 << QList<int>{10, 10, 6};
    QTest::newRow("25 filtered by 10") << QStringLiteral("name LIKE 'page-%'") << 10 << QList<int>{10, 10, 5};
    QTest::newRow("25 filtered by 5, exact multiple")
        << QStringLiteral("name LIKE 'page-%'") << 5 << QList<int>{5, 5, 5, 5, 5};
    QTest::newRow("26 by 1000") << QString() << 1000 << QList<int>{26};
    QTest::newRow("26 by 1") << QString() << 1 << QList<int>(26, 1);
}

void TestTrackingStore::pagingChainsOffsets()
{
    QFETCH(QString, filter);
    QFETCH(int, maxResults);
    QFETCH(QList<int>, pageSizes);

    for (int i = 0; i < 25; ++i)
        createTimed(QStringLiteral("page-%1").arg(i, 2, 10, QLatin1Char('0')), 1000 + i % 7, 1000);

    SearchQuery query;
    query.filter = filter;
    query.maxResults = maxResults;
    QByteArray token;
    QStringList seen;
    QList<int> sizes;
    for (;;) {
        query.offset = PageToken::decode(token);
        const SearchPage page = jsonPage(m_store->searchExperiments(query));
        sizes.append(int(page.items.size()));
        for (const QJsonValue& experiment : page.items)
            seen.append(experiment.toObject().value(QLatin1String("experiment_id")).toString());
        if (!page.nextOffset)
            break;
        QCOMPARE(*page.nextOffset, query.offset + maxResults);
        token = PageToken::encode(*page.nextOffset);
        QVERIFY(sizes.size() <= 30);
    }
    QCOMPARE(sizes, pageSizes);
    QCOMPARE(QSet<QString>(seen.cbegin(), seen.cend()).size(), seen.size());

    // The pages concatenated are the single-page answer.
    query.offset = 0;
    query.maxResults = 1000;
    QStringList all;
    for (const QJsonValue& experiment : jsonPage(m_store->searchExperiments(query)).items)
        all.append(experiment.toObject().value(QLatin1String("experiment_id")).toString());
    QCOMPARE(seen, all);
}

void TestTrackingStore::pageTokenVectors_data()
{
    QTest::addColumn<qint64>("offset");
    QTest::addColumn<QByteArray>("token");
    // Produced by Python: base64.b64encode(json.dumps({"offset": N}).encode()).
    QTest::newRow("0") << qint64(0) << QByteArray("eyJvZmZzZXQiOiAwfQ==");
    QTest::newRow("1") << qint64(1) << QByteArray("eyJvZmZzZXQiOiAxfQ==");
    QTest::newRow("2 (transcript)") << qint64(2) << QByteArray("eyJvZmZzZXQiOiAyfQ==");
    QTest::newRow("10") << qint64(10) << QByteArray("eyJvZmZzZXQiOiAxMH0=");
    QTest::newRow("1000") << qint64(1000) << QByteArray("eyJvZmZzZXQiOiAxMDAwfQ==");
    QTest::newRow("123456789") << qint64(123456789) << QByteArray("eyJvZmZzZXQiOiAxMjM0NTY3ODl9");
}

void TestTrackingStore::pageTokenVectors()
{
    QFETCH(qint64, offset);
    QFETCH(QByteArray, token);
    QCOMPARE(PageToken::encode(offset), token);
    QCOMPARE(PageToken::decode(token), offset);
}

void TestTrackingStore::pageTokenGarbage_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("message");

    const QString base64 = QStringLiteral("Invalid page token, could not base64-decode");
    const QString json = QStringLiteral("Invalid page token, could not parse JSON");
    const QString offset = QStringLiteral("Invalid page token, offset must be a non-negative integer");
    QTest::newRow("not base64") << QByteArray("!!!!") << base64;
    QTest::newRow("bad padding") << QByteArray("eyJvZmZzZXQiOiAyfQ=") << base64;
    QTest::newRow("spaces") << QByteArray("eyJv ZmZzZXQiOiAyfQ==") << base64;
    QTest::newRow("not json") << QByteArray("bm90IGpzb24=") << json;
    QTest::newRow("json array") << QByteArray("WzFd") << json;
    QTest::newRow("negative") << QByteArray("eyJvZmZzZXQiOiAtMX0=") << offset;
    QTest::newRow("string offset") << QByteArray("eyJvZmZzZXQiOiAiYWJjIn0=") << offset;
    QTest::newRow("fraction") << QByteArray("eyJvZmZzZXQiOiAxLjV9") << offset;
    QTest::newRow("no offset") << QByteArray("eyJmb28iOiAxfQ==") << offset;
}

void TestTrackingStore::pageTokenGarbage()
{
    QFETCH(QByteArray, token);
    QFETCH(QString, message);
    const std::optional<MlflowError> error = errorOf([&] { PageToken::decode(token); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("INVALID_PARAMETER_VALUE"));
    QCOMPARE(error->message(), message);
    QCOMPARE(PageToken::decode(QByteArray()), qint64(0));
    // Python's int() accepts a decimal string, and so do we.
    QCOMPARE(PageToken::decode("eyJvZmZzZXQiOiAiNyJ9"), qint64(7));
}

void TestTrackingStore::createRun()
{
    const QString experimentId = m_store->createExperiment(QStringLiteral("runs"), QString(), {});
    const QJsonObject run =
        m_store->createRun(experimentId, QStringLiteral("alice"), 1795667252210, QStringLiteral("run-u1e1"),
                           tagArray({{QStringLiteral("mlflow.user"), QStringLiteral("alice")}}));
    const QJsonObject info = run.value(QLatin1String("info")).toObject();
    const QString runId = info.value(QLatin1String("run_id")).toString();
    QVERIFY2(QRegularExpression(QStringLiteral("^[0-9a-f]{32}$")).match(runId).hasMatch(), qPrintable(runId));
    QCOMPARE(info.value(QLatin1String("run_uuid")).toString(), runId);
    QCOMPARE(info.value(QLatin1String("experiment_id")).toString(), experimentId);
    QCOMPARE(info.value(QLatin1String("run_name")).toString(), QStringLiteral("run-u1e1"));
    QCOMPARE(info.value(QLatin1String("user_id")).toString(), QStringLiteral("alice"));
    QCOMPARE(info.value(QLatin1String("status")).toString(), QStringLiteral("RUNNING"));
    QCOMPARE(info.value(QLatin1String("start_time")).toInteger(), 1795667252210);
    QCOMPARE(info.value(QLatin1String("lifecycle_stage")).toString(), QStringLiteral("active"));
    QCOMPARE(info.value(QLatin1String("artifact_uri")).toString(),
             QStringLiteral("mlflow-artifacts:/%1/%2/artifacts").arg(experimentId, runId));
    QVERIFY(!info.contains(QLatin1String("end_time")));
    QVERIFY(!run.contains(QLatin1String("inputs")));
    const QJsonObject data = run.value(QLatin1String("data")).toObject();
    QCOMPARE(keysOf(data), QSet<QString>{QStringLiteral("tags")});
    const QJsonArray tags = data.value(QLatin1String("tags")).toArray();
    QCOMPARE(tags.size(), 2);
    QCOMPARE(tagValue(tags, QStringLiteral("mlflow.runName")), QStringLiteral("run-u1e1"));
    QCOMPARE(tagValue(tags, QStringLiteral("mlflow.user")), QStringLiteral("alice"));
    QCOMPARE(m_store->experimentIdOfRun(runId), experimentId);

    // The same shape as MLflow 2.15.1's runs/create answer.
    const QJsonObject reference =
        referenceResponse(QStringLiteral("user1_create_run_in_u1e1")).value(QLatin1String("run")).toObject();
    QVERIFY2(!reference.isEmpty(), "reference transcript missing");
    const QJsonObject plain =
        m_store->createRun(experimentId, QString(), 1795667252210, QStringLiteral("run-u1e1"), {});
    QCOMPARE(keysOf(plain), keysOf(reference));
    QCOMPARE(keysOf(plain.value(QLatin1String("info")).toObject()),
             keysOf(reference.value(QLatin1String("info")).toObject()));
    QCOMPARE(plain.value(QLatin1String("data")), reference.value(QLatin1String("data")));
    QCOMPARE(plain.value(QLatin1String("info")).toObject().value(QLatin1String("user_id")),
             reference.value(QLatin1String("info")).toObject().value(QLatin1String("user_id")));
}

void TestTrackingStore::createRunNames()
{
    const QString experimentId = m_store->createExperiment(QStringLiteral("names"), QString(), {});
    const QRegularExpression generated(QStringLiteral("^[a-z]+-[a-z]+-\\d{1,3}$"));
    for (int i = 0; i < 5; ++i) {
        const QJsonObject run = m_store->createRun(experimentId, QString(), 1, QString(), {});
        const QString name = run.value(QLatin1String("info")).toObject().value(QLatin1String("run_name")).toString();
        QVERIFY2(generated.match(name).hasMatch(), qPrintable(name));
        QCOMPARE(tagValue(run.value(QLatin1String("data")).toObject().value(QLatin1String("tags")).toArray(),
                          QStringLiteral("mlflow.runName")),
                 name);
    }
    // The mlflow.runName tag names the run when run_name is absent, and may repeat it.
    const QJsonArray tag = tagArray({{QStringLiteral("mlflow.runName"), QStringLiteral("from-tag")}});
    QCOMPARE(m_store->createRun(experimentId, QString(), 1, QString(), tag)
                 .value(QLatin1String("info"))
                 .toObject()
                 .value(QLatin1String("run_name"))
                 .toString(),
             QStringLiteral("from-tag"));
    QCOMPARE(m_store->createRun(experimentId, QString(), 1, QStringLiteral("from-tag"), tag)
                 .value(QLatin1String("info"))
                 .toObject()
                 .value(QLatin1String("run_name"))
                 .toString(),
             QStringLiteral("from-tag"));
    const std::optional<MlflowError> conflict =
        errorOf([&] { m_store->createRun(experimentId, QString(), 1, QStringLiteral("other"), tag); });
    QVERIFY(conflict);
    QCOMPARE(conflict->code(), QByteArray("INVALID_PARAMETER_VALUE"));
}

void TestTrackingStore::createRunErrors()
{
    std::optional<MlflowError> error =
        errorOf([&] { m_store->createRun(QStringLiteral("404"), QString(), 1, QString(), {}); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("RESOURCE_DOES_NOT_EXIST"));
    QCOMPARE(error->message(), QStringLiteral("No Experiment with id=404 exists"));

    const QString experimentId = m_store->createExperiment(QStringLiteral("deleted"), QString(), {});
    m_store->deleteExperiment(experimentId);
    error = errorOf([&] { m_store->createRun(experimentId, QString(), 1, QString(), {}); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("INVALID_PARAMETER_VALUE"));
    QCOMPARE(error->httpStatus(), 400);
    QCOMPARE(
        error->message(),
        QStringLiteral("The experiment %1 must be in the 'active' state. Current state is deleted.").arg(experimentId));

    error = errorOf([&] {
        m_store->createRun(QStringLiteral("0"), QString(), 1, QString(),
                           tagArray({{QStringLiteral("bad|tag"), QStringLiteral("v")}}));
    });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("INVALID_PARAMETER_VALUE"));
}

void TestTrackingStore::getRun()
{
    const QJsonObject created =
        m_store->createRun(QStringLiteral("0"), QString(), 1795667252210, QStringLiteral("run-u1e1"), {});
    const QString runId = created.value(QLatin1String("info")).toObject().value(QLatin1String("run_id")).toString();
    m_store->logMetric(runId, QStringLiteral("loss"), 0.5, 1795667252210, 0);
    const QJsonObject run = m_store->run(runId);
    QCOMPARE(run.value(QLatin1String("info")), created.value(QLatin1String("info")));
    QCOMPARE(run.value(QLatin1String("inputs")).toObject(), QJsonObject());

    // Same keys and data as MLflow 2.15.1's runs/get after one log-metric.
    const QJsonObject reference =
        referenceResponse(QStringLiteral("user1_get_own_run")).value(QLatin1String("run")).toObject();
    QVERIFY2(!reference.isEmpty(), "reference transcript missing");
    QCOMPARE(keysOf(run), keysOf(reference));
    QCOMPARE(run.value(QLatin1String("data")), reference.value(QLatin1String("data")));
    QCOMPARE(run.value(QLatin1String("inputs")), reference.value(QLatin1String("inputs")));

    const QString missing = QStringLiteral("00000000000000000000000000000000");
    for (const std::function<void()>& call : std::initializer_list<std::function<void()>>{
             [&] { m_store->run(missing); }, [&] { m_store->experimentIdOfRun(missing); },
             [&] { m_store->logMetric(missing, QStringLiteral("loss"), 1, 1, 0); },
             [&] { m_store->metricHistory(missing, QStringLiteral("loss")); },
             [&] { m_store->updateRun(missing, QStringLiteral("FINISHED"), std::nullopt, std::nullopt); },
             [&] { m_store->deleteRun(missing); },
             [&] {
                 m_store->restoreRun(missing);
             }}) {
        const std::optional<MlflowError> error = errorOf(call);
        QVERIFY(error);
        QCOMPARE(error->code(), QByteArray("RESOURCE_DOES_NOT_EXIST"));
        QCOMPARE(error->message(), QStringLiteral("Run with id=00000000000000000000000000000000 not found"));
    }
}

void TestTrackingStore::updateRun()
{
    const QString runId = m_store->createRun(QStringLiteral("0"), QString(), 100, QStringLiteral("first"), {})
                              .value(QLatin1String("info"))
                              .toObject()
                              .value(QLatin1String("run_id"))
                              .toString();
    QJsonObject info = m_store->updateRun(runId, QStringLiteral("FINISHED"), qint64(200), std::nullopt);
    QCOMPARE(info.value(QLatin1String("status")).toString(), QStringLiteral("FINISHED"));
    QCOMPARE(info.value(QLatin1String("end_time")).toInteger(), 200);
    QCOMPARE(info.value(QLatin1String("run_name")).toString(), QStringLiteral("first"));
    QCOMPARE(info.value(QLatin1String("run_id")).toString(), runId);

    info = m_store->updateRun(runId, std::nullopt, std::nullopt, QStringLiteral("second"));
    QCOMPARE(info.value(QLatin1String("status")).toString(), QStringLiteral("FINISHED"));
    QCOMPARE(info.value(QLatin1String("end_time")).toInteger(), 200);
    QCOMPARE(info.value(QLatin1String("run_name")).toString(), QStringLiteral("second"));
    const QJsonObject run = m_store->run(runId);
    QCOMPARE(tagValue(run.value(QLatin1String("data")).toObject().value(QLatin1String("tags")).toArray(),
                      QStringLiteral("mlflow.runName")),
             QStringLiteral("second"));

    info = m_store->updateRun(runId, QStringLiteral("4"), std::nullopt, QString()); // enum number; empty name ignored
    QCOMPARE(info.value(QLatin1String("status")).toString(), QStringLiteral("FAILED"));
    QCOMPARE(info.value(QLatin1String("run_name")).toString(), QStringLiteral("second"));

    const std::optional<MlflowError> error =
        errorOf([&] { m_store->updateRun(runId, QStringLiteral("DONE"), std::nullopt, std::nullopt); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("INVALID_PARAMETER_VALUE"));
}

void TestTrackingStore::logMetricKeepsLatest()
{
    const QString runId = m_store->createRun(QStringLiteral("0"), QString(), 1, QString(), {})
                              .value(QLatin1String("info"))
                              .toObject()
                              .value(QLatin1String("run_id"))
                              .toString();
    struct Point
    {
        double value;
        qint64 timestamp;
        qint64 step;
        double expectedLatest;
    };
    // MLflow keeps the greatest (step, timestamp, value).
    const QList<Point> points = {
        {0.5, 100, 0, 0.5}, // first
        {0.4, 90, 1, 0.4},  // higher step wins despite the older timestamp
        {0.9, 80, 1, 0.4},  // same step, older timestamp: ignored
        {0.3, 90, 1, 0.4},  // same step and timestamp, smaller value: ignored
        {0.6, 90, 1, 0.6},  // same step and timestamp, bigger value wins
        {0.1, 95, 1, 0.1},  // same step, newer timestamp wins
        {7.0, 1, 0, 0.1},   // lower step: ignored
    };
    for (const Point& point : points) {
        m_store->logMetric(runId, QStringLiteral("loss"), point.value, point.timestamp, point.step);
        const QJsonObject latest = metricNamed(m_store->run(runId), QStringLiteral("loss"));
        QCOMPARE(latest.value(QLatin1String("value")).toDouble(), point.expectedLatest);
    }
    m_store->logMetric(runId, QStringLiteral("loss"), 0.1, 95, 1); // an exact repeat is stored once
    m_store->logMetric(runId, QStringLiteral("acc"), 0.75, 10, 3);

    const QJsonObject run = m_store->run(runId);
    const QJsonObject latest = metricNamed(run, QStringLiteral("loss"));
    QCOMPARE(latest, (QJsonObject{{QStringLiteral("key"), QStringLiteral("loss")},
                                  {QStringLiteral("value"), 0.1},
                                  {QStringLiteral("timestamp"), 95},
                                  {QStringLiteral("step"), 1}}));
    QCOMPARE(run.value(QLatin1String("data")).toObject().value(QLatin1String("metrics")).toArray().size(), 2);

    const QJsonArray history = m_store->metricHistory(runId, QStringLiteral("loss"));
    QCOMPARE(history.size(), points.size());
    for (const QJsonValue& point : history) {
        QCOMPARE(keysOf(point.toObject()), (QSet<QString>{QStringLiteral("key"), QStringLiteral("value"),
                                                          QStringLiteral("timestamp"), QStringLiteral("step")}));
        QCOMPARE(point.toObject().value(QLatin1String("key")).toString(), QStringLiteral("loss"));
    }
    QCOMPARE(history.first().toObject().value(QLatin1String("step")).toInteger(), 0);
    QCOMPARE(m_store->metricHistory(runId, QStringLiteral("nothing")), QJsonArray());

    const std::optional<MlflowError> error =
        errorOf([&] { m_store->logMetric(runId, QStringLiteral("bad*name"), 1, 1, 0); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("INVALID_PARAMETER_VALUE"));
    QVERIFY(error->message().startsWith(QLatin1String("Invalid metric name: 'bad*name'.")));
}

void TestTrackingStore::metricNonFiniteValues()
{
    const QString runId = m_store->createRun(QStringLiteral("0"), QString(), 1, QString(), {})
                              .value(QLatin1String("info"))
                              .toObject()
                              .value(QLatin1String("run_id"))
                              .toString();
    m_store->logMetric(runId, QStringLiteral("nan"), std::nan(""), 1, 0);
    m_store->logMetric(runId, QStringLiteral("inf"), HUGE_VAL, 1, 0);
    m_store->logMetric(runId, QStringLiteral("minus_inf"), -HUGE_VAL, 1, 0);
    const QJsonObject run = m_store->run(runId);
    QCOMPARE(metricNamed(run, QStringLiteral("nan")).value(QLatin1String("value")).toString(), QStringLiteral("NaN"));
    QCOMPARE(metricNamed(run, QStringLiteral("inf")).value(QLatin1String("value")).toString(),
             QStringLiteral("Infinity"));
    QCOMPARE(metricNamed(run, QStringLiteral("minus_inf")).value(QLatin1String("value")).toString(),
             QStringLiteral("-Infinity"));
    QCOMPARE(m_store->metricHistory(runId, QStringLiteral("nan")).at(0).toObject().value(QLatin1String("value")),
             QJsonValue(QStringLiteral("NaN")));
}

void TestTrackingStore::logParams()
{
    const QString runId = m_store->createRun(QStringLiteral("0"), QString(), 1, QString(), {})
                              .value(QLatin1String("info"))
                              .toObject()
                              .value(QLatin1String("run_id"))
                              .toString();
    m_store->logParam(runId, QStringLiteral("lr"), QStringLiteral("0.1"));
    m_store->logParam(runId, QStringLiteral("lr"), QStringLiteral("0.1")); // same value again is fine
    m_store->logParam(runId, QStringLiteral("layers"), QStringLiteral("'; DROP TABLE params; --"));
    const std::optional<MlflowError> error =
        errorOf([&] { m_store->logParam(runId, QStringLiteral("lr"), QStringLiteral("0.2")); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("INVALID_PARAMETER_VALUE"));
    QCOMPARE(error->message(), QStringLiteral("Changing param values is not allowed. Param with key='lr' was already "
                                              "logged with value='0.1' for run ID='%1'. Attempted logging new value "
                                              "'0.2'.")
                                   .arg(runId));
    const QJsonArray params =
        m_store->run(runId).value(QLatin1String("data")).toObject().value(QLatin1String("params")).toArray();
    QCOMPARE(params.size(), 2);
    QCOMPARE(tagValue(params, QStringLiteral("lr")), QStringLiteral("0.1"));
    QCOMPARE(tagValue(params, QStringLiteral("layers")), QStringLiteral("'; DROP TABLE params; --"));
}

void TestTrackingStore::setRunTags()
{
    const QString runId = m_store->createRun(QStringLiteral("0"), QString(), 1, QStringLiteral("named"), {})
                              .value(QLatin1String("info"))
                              .toObject()
                              .value(QLatin1String("run_id"))
                              .toString();
    m_store->setRunTag(runId, QStringLiteral("team"), QStringLiteral("red"));
    m_store->setRunTag(runId, QStringLiteral("team"), QStringLiteral("blue"));
    m_store->setRunTag(runId, QStringLiteral("mlflow.runName"), QStringLiteral("renamed"));
    const QJsonObject run = m_store->run(runId);
    const QJsonArray tags = run.value(QLatin1String("data")).toObject().value(QLatin1String("tags")).toArray();
    QCOMPARE(tags.size(), 2);
    QCOMPARE(tagValue(tags, QStringLiteral("team")), QStringLiteral("blue"));
    QCOMPARE(run.value(QLatin1String("info")).toObject().value(QLatin1String("run_name")).toString(),
             QStringLiteral("renamed"));
    const std::optional<MlflowError> error =
        errorOf([&] { m_store->setRunTag(runId, QString(), QStringLiteral("v")); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("INVALID_PARAMETER_VALUE"));
}

void TestTrackingStore::logBatch()
{
    const QString runId = m_store->createRun(QStringLiteral("0"), QString(), 1, QString(), {})
                              .value(QLatin1String("info"))
                              .toObject()
                              .value(QLatin1String("run_id"))
                              .toString();
    const QJsonArray metrics = {
        QJsonObject{{QStringLiteral("key"), QStringLiteral("loss")},
                    {QStringLiteral("value"), 0.5},
                    {QStringLiteral("timestamp"), 10},
                    {QStringLiteral("step"), 1}},
        // int64 as strings, as protobuf JSON writes them; step defaults to 0.
        QJsonObject{{QStringLiteral("key"), QStringLiteral("loss")},
                    {QStringLiteral("value"), 0.7},
                    {QStringLiteral("timestamp"), QStringLiteral("20")}},
        QJsonObject{{QStringLiteral("key"), QStringLiteral("acc")},
                    {QStringLiteral("value"), QStringLiteral("NaN")},
                    {QStringLiteral("timestamp"), 5}},
    };
    const QJsonArray params = tagArray({{QStringLiteral("lr"), QStringLiteral("0.1")},
                                        {QStringLiteral("lr"), QStringLiteral("0.1")},
                                        {QStringLiteral("depth"), QStringLiteral("3")}});
    const QJsonArray tags = tagArray({{QStringLiteral("team"), QStringLiteral("red")}});
    m_store->logBatch(runId, metrics, params, tags);

    const QJsonObject run = m_store->run(runId);
    const QJsonObject data = run.value(QLatin1String("data")).toObject();
    QCOMPARE(metricNamed(run, QStringLiteral("loss")).value(QLatin1String("value")).toDouble(), 0.5);
    QCOMPARE(metricNamed(run, QStringLiteral("loss")).value(QLatin1String("step")).toInteger(), 1);
    QCOMPARE(metricNamed(run, QStringLiteral("acc")).value(QLatin1String("value")).toString(), QStringLiteral("NaN"));
    QCOMPARE(data.value(QLatin1String("params")).toArray().size(), 2);
    QCOMPARE(tagValue(data.value(QLatin1String("tags")).toArray(), QStringLiteral("team")), QStringLiteral("red"));
    QCOMPARE(m_store->metricHistory(runId, QStringLiteral("loss")).size(), 2);
}

void TestTrackingStore::logBatchErrors()
{
    const QString runId = m_store->createRun(QStringLiteral("0"), QString(), 1, QString(), {})
                              .value(QLatin1String("info"))
                              .toObject()
                              .value(QLatin1String("run_id"))
                              .toString();
    m_store->logParam(runId, QStringLiteral("lr"), QStringLiteral("0.1"));

    QJsonArray tooManyMetrics;
    for (int i = 0; i < 1001; ++i) {
        tooManyMetrics.append(QJsonObject{{QStringLiteral("key"), QStringLiteral("m")},
                                          {QStringLiteral("value"), i},
                                          {QStringLiteral("timestamp"), i}});
    }
    QJsonArray tooManyParams;
    for (int i = 0; i < 101; ++i)
        tooManyParams.append(QJsonObject{{QStringLiteral("key"), QStringLiteral("p%1").arg(i)},
                                         {QStringLiteral("value"), QStringLiteral("v")}});
    const QJsonArray goodMetric = {QJsonObject{
        {QStringLiteral("key"), QStringLiteral("ok")}, {QStringLiteral("value"), 1}, {QStringLiteral("timestamp"), 1}}};

    const QList<std::function<void()>> calls = {
        [&] { m_store->logBatch(runId, tooManyMetrics, {}, {}); },
        [&] { m_store->logBatch(runId, {}, tooManyParams, {}); },
        [&] { m_store->logBatch(runId, {}, {}, tooManyParams); },
        [&] {
            m_store->logBatch(
                runId, {},
                tagArray({{QStringLiteral("a"), QStringLiteral("1")}, {QStringLiteral("a"), QStringLiteral("2")}}), {});
        },
        // Changing a logged param fails the whole batch, including the good metric before it.
        [&] {
            m_store->logBatch(runId, goodMetric, tagArray({{QStringLiteral("lr"), QStringLiteral("0.9")}}), {});
        },
        [&] {
            m_store->logBatch(runId,
                              {QJsonObject{{QStringLiteral("key"), QStringLiteral("m")}, {QStringLiteral("value"), 1}}},
                              {}, {});
        },
        [&] {
            m_store->logBatch(runId,
                              {QJsonObject{{QStringLiteral("key"), QStringLiteral("m")},
                                           {QStringLiteral("value"), QStringLiteral("lots")},
                                           {QStringLiteral("timestamp"), 1}}},
                              {}, {});
        },
        [&] { m_store->logBatch(runId, {QJsonValue(5)}, {}, {}); },
    };
    for (const std::function<void()>& call : calls) {
        const std::optional<MlflowError> error = errorOf(call);
        QVERIFY(error);
        QCOMPARE(error->code(), QByteArray("INVALID_PARAMETER_VALUE"));
    }
    QVERIFY(metricNamed(m_store->run(runId), QStringLiteral("ok")).isEmpty());
    QVERIFY(metricNamed(m_store->run(runId), QStringLiteral("m")).isEmpty());
}

void TestTrackingStore::writesToDeletedRun_data()
{
    QTest::addColumn<int>("operation");
    QTest::newRow("log metric") << 0;
    QTest::newRow("log param") << 1;
    QTest::newRow("set tag") << 2;
    QTest::newRow("log batch") << 3;
    QTest::newRow("update") << 4;
}

void TestTrackingStore::writesToDeletedRun()
{
    QFETCH(int, operation);
    const QString runId = m_store->createRun(QStringLiteral("0"), QString(), 1, QString(), {})
                              .value(QLatin1String("info"))
                              .toObject()
                              .value(QLatin1String("run_id"))
                              .toString();
    m_store->deleteRun(runId);
    const std::optional<MlflowError> error = errorOf([&] {
        switch (operation) {
        case 0:
            m_store->logMetric(runId, QStringLiteral("m"), 1, 1, 0);
            break;
        case 1:
            m_store->logParam(runId, QStringLiteral("p"), QStringLiteral("v"));
            break;
        case 2:
            m_store->setRunTag(runId, QStringLiteral("t"), QStringLiteral("v"));
            break;
        case 3:
            m_store->logBatch(runId, {}, {}, tagArray({{QStringLiteral("t"), QStringLiteral("v")}}));
            break;
        default:
            m_store->updateRun(runId, QStringLiteral("FINISHED"), std::nullopt, std::nullopt);
            break;
        }
    });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("INVALID_PARAMETER_VALUE"));
    QCOMPARE(error->httpStatus(), 400);
    QCOMPARE(error->message(),
             QStringLiteral("The run %1 must be in the 'active' state. Current state is deleted.").arg(runId));
}

void TestTrackingStore::deleteAndRestoreRun()
{
    const QString runId = m_store->createRun(QStringLiteral("0"), QString(), 1, QString(), {})
                              .value(QLatin1String("info"))
                              .toObject()
                              .value(QLatin1String("run_id"))
                              .toString();
    m_store->deleteRun(runId);
    QCOMPARE(m_store->run(runId).value(QLatin1String("info")).toObject().value(QLatin1String("lifecycle_stage")),
             QJsonValue(QStringLiteral("deleted")));
    m_store->deleteRun(runId); // idempotent, like MLflow
    m_store->restoreRun(runId);
    QCOMPARE(m_store->run(runId).value(QLatin1String("info")).toObject().value(QLatin1String("lifecycle_stage")),
             QJsonValue(QStringLiteral("active")));
    m_store->logMetric(runId, QStringLiteral("m"), 1, 1, 0);
}

// Runs take their artifact location from the experiment and share its lifecycle.
void TestTrackingStore::runsFollowTheirExperiment()
{
    const QString experimentId =
        m_store->createExperiment(QStringLiteral("custom"), QStringLiteral("s3://bucket/root/"), {});
    const QJsonObject created = m_store->createRun(experimentId, QString(), 1, QString(), {});
    const QString runId = created.value(QLatin1String("info")).toObject().value(QLatin1String("run_id")).toString();
    QCOMPARE(created.value(QLatin1String("info")).toObject().value(QLatin1String("artifact_uri")).toString(),
             QStringLiteral("s3://bucket/root/%1/artifacts").arg(runId));
    m_store->logMetric(runId, QStringLiteral("m"), 2, 1, 0);

    m_store->deleteExperiment(experimentId);
    QCOMPARE(m_store->run(runId).value(QLatin1String("info")).toObject().value(QLatin1String("lifecycle_stage")),
             QJsonValue(QStringLiteral("deleted")));
    SearchQuery deleted;
    deleted.viewType = ViewType::DeletedOnly;
    QCOMPARE(m_store->searchRuns({experimentId}, deleted).items.size(), 1);
    QCOMPARE(m_store->searchRuns({experimentId}, SearchQuery()).items.size(), 0);

    m_store->restoreExperiment(experimentId);
    const QJsonObject run = m_store->run(runId);
    QCOMPARE(run.value(QLatin1String("info")).toObject().value(QLatin1String("lifecycle_stage")),
             QJsonValue(QStringLiteral("active")));
    QCOMPARE(metricNamed(run, QStringLiteral("m")).value(QLatin1String("value")).toDouble(), 2.0);
}

// Four runs in experiment 1, one in experiment 2 (deleted run), returned as [a, b, c, d, e] ids.
QStringList TestTrackingStore::createRunFixture()
{
    const QString first = m_store->createExperiment(QStringLiteral("one"), QString(), {});
    const QString second = m_store->createExperiment(QStringLiteral("two"), QString(), {});
    QStringList ids;
    const auto create = [&](const QString& experimentId, qint64 startTime, const QString& name) {
        const QString id = m_store->createRun(experimentId, QStringLiteral("user"), startTime, name, {})
                               .value(QLatin1String("info"))
                               .toObject()
                               .value(QLatin1String("run_id"))
                               .toString();
        ids.append(id);
        return id;
    };
    const QString a = create(first, 100, QStringLiteral("run-a"));
    const QString b = create(first, 200, QStringLiteral("run-b"));
    const QString c = create(first, 300, QStringLiteral("Run-C"));
    const QString d = create(first, 400, QStringLiteral("run-d"));
    const QString e = create(second, 500, QStringLiteral("run-e"));
    m_store->updateRun(a, QStringLiteral("FINISHED"), qint64(150), std::nullopt);
    m_store->updateRun(b, QStringLiteral("FINISHED"), qint64(250), std::nullopt);
    m_store->logMetric(a, QStringLiteral("loss"), 0.2, 1, 0);
    m_store->logMetric(b, QStringLiteral("loss"), 0.9, 1, 0);
    m_store->logMetric(c, QStringLiteral("loss"), 0.6, 1, 0);
    m_store->logMetric(c, QStringLiteral("loss"), 0.1, 0, 0); // older: c's latest stays 0.6
    m_store->logParam(a, QStringLiteral("lr"), QStringLiteral("0.1"));
    m_store->logParam(b, QStringLiteral("lr"), QStringLiteral("0.01"));
    m_store->setRunTag(c, QStringLiteral("team"), QStringLiteral("red"));
    m_store->setRunTag(d, QStringLiteral("team"), QStringLiteral("Red"));
    m_store->logMetric(e, QStringLiteral("loss"), 0.5, 1, 0);
    m_store->deleteRun(e);
    return ids;
}

void TestTrackingStore::searchRuns_data()
{
    QTest::addColumn<QStringList>("experimentIds");
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QStringList>("orderBy");
    QTest::addColumn<ViewType>("viewType");
    QTest::addColumn<QString>("expected"); // run letters in order

    const QStringList first{QStringLiteral("1")};
    const QStringList both{QStringLiteral("1"), QStringLiteral("2")};
    const ViewType active = ViewType::ActiveOnly;
    QTest::newRow("default order") << first << QString() << QStringList() << active << QStringLiteral("dcba");
    QTest::newRow("both experiments, active") << both << QString() << QStringList() << active << QStringLiteral("dcba");
    QTest::newRow("both experiments, all")
        << both << QString() << QStringList() << ViewType::All << QStringLiteral("edcba");
    QTest::newRow("deleted only") << both << QString() << QStringList() << ViewType::DeletedOnly << QStringLiteral("e");
    QTest::newRow("no experiments") << QStringList() << QString() << QStringList() << active << QString();
    QTest::newRow("unknown experiment") << QStringList{QStringLiteral("x"), QStringLiteral("99")} << QString()
                                        << QStringList() << active << QString();
    QTest::newRow("status") << first << QStringLiteral("attributes.status = 'FINISHED'") << QStringList() << active
                            << QStringLiteral("ba");
    QTest::newRow("status !=") << first << QStringLiteral("attribute.status != 'FINISHED'") << QStringList() << active
                               << QStringLiteral("dc");
    QTest::newRow("run_name LIKE") << first << QStringLiteral("attributes.run_name LIKE 'run-%'") << QStringList()
                                   << active << QStringLiteral("dba");
    QTest::newRow("run_name ILIKE") << first << QStringLiteral("run_name ILIKE 'run-%'") << QStringList() << active
                                    << QStringLiteral("dcba");
    QTest::newRow("start_time") << first << QStringLiteral("attributes.start_time >= 200") << QStringList() << active
                                << QStringLiteral("dcb");
    QTest::newRow("end_time") << first << QStringLiteral("attributes.end_time < 200") << QStringList() << active
                              << QStringLiteral("a");
    QTest::newRow("metric >") << first << QStringLiteral("metrics.loss > 0.5") << QStringList() << active
                              << QStringLiteral("cb");
    QTest::newRow("metric <=") << both << QStringLiteral("metrics.loss <= 0.5") << QStringList() << ViewType::All
                               << QStringLiteral("ea");
    QTest::newRow("metric = integer literal")
        << first << QStringLiteral("metrics.loss != 1") << QStringList() << active << QStringLiteral("cba");
    QTest::newRow("param =") << first << QStringLiteral("params.lr = '0.1'") << QStringList() << active
                             << QStringLiteral("a");
    QTest::newRow("param LIKE") << first << QStringLiteral("params.lr LIKE '0.%'") << QStringList() << active
                                << QStringLiteral("ba");
    QTest::newRow("tag =") << first << QStringLiteral("tags.team = 'red'") << QStringList() << active
                           << QStringLiteral("c");
    QTest::newRow("tag ILIKE") << first << QStringLiteral("tags.team ILIKE 'red'") << QStringList() << active
                               << QStringLiteral("dc");
    QTest::newRow("tag runName") << first << QStringLiteral("tags.`mlflow.runName` = 'run-b'") << QStringList()
                                 << active << QStringLiteral("b");
    QTest::newRow("combined") << first << QStringLiteral("metrics.loss < 1 AND params.lr != '0.1'") << QStringList()
                              << active << QStringLiteral("b");
    QTest::newRow("order metric DESC, missing last")
        << first << QString() << QStringList{QStringLiteral("metrics.loss DESC")} << active << QStringLiteral("bcad");
    QTest::newRow("order metric ASC, missing last")
        << first << QString() << QStringList{QStringLiteral("metrics.loss ASC")} << active << QStringLiteral("acbd");
    QTest::newRow("order run_name") << first << QString() << QStringList{QStringLiteral("attributes.run_name")}
                                    << active << QStringLiteral("cabd");
    QTest::newRow("order start_time ASC")
        << first << QString() << QStringList{QStringLiteral("start_time ASC")} << active << QStringLiteral("abcd");
    QTest::newRow("order param then default")
        << first << QString() << QStringList{QStringLiteral("params.lr")} << active << QStringLiteral("badc");
    QTest::newRow("order tag DESC") << first << QString() << QStringList{QStringLiteral("tags.team DESC")} << active
                                    << QStringLiteral("cdba");
}

void TestTrackingStore::searchRuns()
{
    QFETCH(QStringList, experimentIds);
    QFETCH(QString, filter);
    QFETCH(QStringList, orderBy);
    QFETCH(ViewType, viewType);
    QFETCH(QString, expected);

    const QStringList ids = createRunFixture();
    SearchQuery query;
    query.filter = filter;
    query.orderBy = orderBy;
    query.viewType = viewType;
    const SearchPage page = m_store->searchRuns(experimentIds, query);
    QString letters;
    for (const QJsonValue& run : page.items) {
        const QJsonObject object = run.toObject();
        const qsizetype index =
            ids.indexOf(object.value(QLatin1String("info")).toObject().value(QLatin1String("run_id")).toString());
        QVERIFY(index >= 0);
        letters.append(QLatin1Char(char('a' + index)));
        QCOMPARE(keysOf(object),
                 (QSet<QString>{QStringLiteral("info"), QStringLiteral("data"), QStringLiteral("inputs")}));
        QCOMPARE(object, m_store->run(ids.at(index)));
    }
    QCOMPARE(letters, expected);
    QVERIFY(!page.nextOffset);
}

void TestTrackingStore::searchRunsPaging()
{
    const QString experimentId = m_store->createExperiment(QStringLiteral("many runs"), QString(), {});
    for (int i = 0; i < 7; ++i)
        m_store->createRun(experimentId, QString(), 1000 + i, QString(), {});
    SearchQuery query;
    query.maxResults = 3;
    QList<qint64> startTimes;
    QList<qsizetype> sizes;
    for (;;) {
        const SearchPage page = m_store->searchRuns({experimentId}, query);
        sizes.append(page.items.size());
        for (const QJsonValue& run : page.items)
            startTimes.append(
                run.toObject().value(QLatin1String("info")).toObject().value(QLatin1String("start_time")).toInteger());
        if (!page.nextOffset)
            break;
        query.offset = PageToken::decode(PageToken::encode(*page.nextOffset));
    }
    QCOMPARE(sizes, (QList<qsizetype>{3, 3, 1}));
    QCOMPARE(startTimes, (QList<qint64>{1006, 1005, 1004, 1003, 1002, 1001, 1000}));
}

void TestTrackingStore::searchRunsErrors_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QStringList>("orderBy");
    QTest::newRow("metric vs string") << QStringLiteral("metrics.loss > '0.5'") << QStringList();
    QTest::newRow("metric LIKE") << QStringLiteral("metrics.loss LIKE '0%'") << QStringList();
    QTest::newRow("param ordering comparator") << QStringLiteral("params.lr > '0.1'") << QStringList();
    QTest::newRow("param unquoted") << QStringLiteral("params.lr = 0.1") << QStringList();
    QTest::newRow("unknown attribute") << QStringLiteral("attributes.color = 'red'") << QStringList();
    QTest::newRow("status as number") << QStringLiteral("attributes.status = 3") << QStringList();
    QTest::newRow("IN") << QStringLiteral("attributes.run_id IN ('a')") << QStringList();
    QTest::newRow("OR") << QStringLiteral("tags.a = 'x' OR tags.b = 'y'") << QStringList();
    QTest::newRow("order unknown") << QString() << QStringList{QStringLiteral("attributes.color")};
    QTest::newRow("order duplicate") << QString()
                                     << QStringList{QStringLiteral("metrics.m"), QStringLiteral("metric.m DESC")};
}

void TestTrackingStore::searchRunsErrors()
{
    QFETCH(QString, filter);
    QFETCH(QStringList, orderBy);
    SearchQuery query;
    query.filter = filter;
    query.orderBy = orderBy;
    const std::optional<MlflowError> error = errorOf([&] { m_store->searchRuns({QStringLiteral("0")}, query); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("INVALID_PARAMETER_VALUE"));
}

void TestTrackingStore::registeredModels()
{
    QJsonObject model = m_store->createRegisteredModel(QStringLiteral("user1-model"), QString(), {});
    QCOMPARE(keysOf(model), (QSet<QString>{QStringLiteral("name"), QStringLiteral("creation_timestamp"),
                                           QStringLiteral("last_updated_timestamp")}));
    QCOMPARE(model.value(QLatin1String("name")).toString(), QStringLiteral("user1-model"));
    QCOMPARE(model.value(QLatin1String("creation_timestamp")), model.value(QLatin1String("last_updated_timestamp")));
    QCOMPARE(m_store->registeredModel(QStringLiteral("user1-model")), model);

    model = m_store->createRegisteredModel(QStringLiteral("described"), QStringLiteral("A model."),
                                           tagArray({{QStringLiteral("stage"), QStringLiteral("prod")}}));
    QCOMPARE(model.value(QLatin1String("description")).toString(), QStringLiteral("A model."));
    QCOMPARE(tagValue(model.value(QLatin1String("tags")).toArray(), QStringLiteral("stage")), QStringLiteral("prod"));

    const QJsonObject renamed = m_store->renameRegisteredModel(QStringLiteral("described"), QStringLiteral("renamed"));
    QCOMPARE(renamed.value(QLatin1String("name")).toString(), QStringLiteral("renamed"));
    QCOMPARE(renamed.value(QLatin1String("creation_timestamp")), model.value(QLatin1String("creation_timestamp")));
    QCOMPARE(renamed.value(QLatin1String("tags")), model.value(QLatin1String("tags")));
    QCOMPARE(renamed.value(QLatin1String("description")), model.value(QLatin1String("description")));
    QVERIFY(errorOf([&] { m_store->registeredModel(QStringLiteral("described")); }));

    m_store->deleteRegisteredModel(QStringLiteral("renamed"));
    const std::optional<MlflowError> error = errorOf([&] { m_store->registeredModel(QStringLiteral("renamed")); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("RESOURCE_DOES_NOT_EXIST"));
    QCOMPARE(error->message(), QStringLiteral("Registered Model with name=renamed not found"));
    // The name is free again, and its old tags are gone with it.
    QVERIFY(!m_store->createRegisteredModel(QStringLiteral("renamed"), QString(), {}).contains(QLatin1String("tags")));
}

void TestTrackingStore::registeredModelShapeMatchesReference()
{
    const QJsonObject reference = referenceResponse(QStringLiteral("user1_create_registered_model"))
                                      .value(QLatin1String("registered_model"))
                                      .toObject();
    QVERIFY2(!reference.isEmpty(), "reference transcript missing");
    const QJsonObject model = m_store->createRegisteredModel(QStringLiteral("user1-model"), QString(), {});
    QCOMPARE(keysOf(model), keysOf(reference));
    QCOMPARE(model.value(QLatin1String("name")), reference.value(QLatin1String("name")));
}

void TestTrackingStore::searchRegisteredModels_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QStringList>("orderBy");
    QTest::addColumn<QStringList>("expected");

    const QString a = QStringLiteral("alpha-model");
    const QString b = QStringLiteral("Beta_model");
    const QString c = QStringLiteral("gamma");
    QTest::newRow("default order") << QString() << QStringList() << QStringList{b, a, c};
    QTest::newRow("name =") << QStringLiteral("name = 'gamma'") << QStringList() << QStringList{c};
    QTest::newRow("name = literal underscore")
        << QStringLiteral("name = 'Beta%model'") << QStringList() << QStringList();
    QTest::newRow("name LIKE") << QStringLiteral("name LIKE '%model'") << QStringList() << QStringList{b, a};
    QTest::newRow("name LIKE case-sensitive") << QStringLiteral("name LIKE 'beta%'") << QStringList() << QStringList();
    QTest::newRow("name ILIKE") << QStringLiteral("name ILIKE 'beta%'") << QStringList() << QStringList{b};
    QTest::newRow("name !=") << QStringLiteral("name != 'gamma'") << QStringList() << QStringList{b, a};
    QTest::newRow("tag") << QStringLiteral("tags.stage = 'prod'") << QStringList() << QStringList{a};
    QTest::newRow("order name DESC") << QString() << QStringList{QStringLiteral("name DESC")} << QStringList{c, a, b};
    QTest::newRow("order last_updated_timestamp DESC")
        << QString() << QStringList{QStringLiteral("last_updated_timestamp DESC")} << QStringList{c, b, a};
    QTest::newRow("order timestamp") << QString() << QStringList{QStringLiteral("timestamp")} << QStringList{a, b, c};
}

void TestTrackingStore::searchRegisteredModels()
{
    QFETCH(QString, filter);
    QFETCH(QStringList, orderBy);
    QFETCH(QStringList, expected);

    m_store->createRegisteredModel(QStringLiteral("alpha-model"), QString(),
                                   tagArray({{QStringLiteral("stage"), QStringLiteral("prod")}}));
    m_store->createRegisteredModel(QStringLiteral("Beta_model"), QString(), {});
    m_store->createRegisteredModel(QStringLiteral("gamma"), QString(), {});
    {
        // Distinct update times: alpha oldest, gamma newest.
        QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
        QVERIFY(query.prepare(QStringLiteral("UPDATE registered_models SET last_updated_time = ? WHERE name = ?")));
        const QStringList order{QStringLiteral("alpha-model"), QStringLiteral("Beta_model"), QStringLiteral("gamma")};
        for (int i = 0; i < order.size(); ++i) {
            query.bindValue(0, 1000 + i);
            query.bindValue(1, order.at(i));
            QVERIFY(query.exec());
        }
    }
    SearchQuery query;
    query.filter = filter;
    query.orderBy = orderBy;
    const SearchPage page = m_store->searchRegisteredModels(query);
    QCOMPARE(namesOf(page.items), expected);

    query.maxResults = 1;
    const SearchPage first = m_store->searchRegisteredModels(query);
    QCOMPARE(first.items.size(), qMin<qsizetype>(1, expected.size()));
    QCOMPARE(first.nextOffset.has_value(), expected.size() > 1);
}

void TestTrackingStore::registeredModelErrors()
{
    m_store->createRegisteredModel(QStringLiteral("taken"), QString(), {});
    m_store->createRegisteredModel(QStringLiteral("other"), QString(), {});

    std::optional<MlflowError> error =
        errorOf([&] { m_store->createRegisteredModel(QStringLiteral("taken"), QString(), {}); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("RESOURCE_ALREADY_EXISTS"));
    QCOMPARE(error->message(), QStringLiteral("Registered Model (name=taken) already exists."));

    error = errorOf([&] { m_store->createRegisteredModel(QString(), QString(), {}); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("INVALID_PARAMETER_VALUE"));

    error = errorOf([&] { m_store->renameRegisteredModel(QStringLiteral("other"), QStringLiteral("taken")); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("RESOURCE_ALREADY_EXISTS"));
    QCOMPARE(error->message(), QStringLiteral("Registered Model (name=taken) already exists."));

    error = errorOf([&] { m_store->renameRegisteredModel(QStringLiteral("missing"), QStringLiteral("new")); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("RESOURCE_DOES_NOT_EXIST"));
    QCOMPARE(error->message(), QStringLiteral("Registered Model with name=missing not found"));

    error = errorOf([&] { m_store->deleteRegisteredModel(QStringLiteral("missing")); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("RESOURCE_DOES_NOT_EXIST"));

    SearchQuery query;
    for (const QString& filter : {QStringLiteral("creation_timestamp > 5"), QStringLiteral("metrics.m > 1"),
                                  QStringLiteral("name = 'a' OR name = 'b'")}) {
        query.filter = filter;
        error = errorOf([&] { m_store->searchRegisteredModels(query); });
        QVERIFY2(error, qPrintable(filter));
        QCOMPARE(error->code(), QByteArray("INVALID_PARAMETER_VALUE"));
    }
    query.filter.clear();
    query.orderBy = QStringList{QStringLiteral("description")};
    error = errorOf([&] { m_store->searchRegisteredModels(query); });
    QVERIFY(error);
    QCOMPARE(error->code(), QByteArray("INVALID_PARAMETER_VALUE"));
}

QTEST_GUILESS_MAIN(TestTrackingStore)
#include "tst_trackingstore.moc"

// TrackingApi paged searches against the embedded server, on every generation (the tracking API is 2.0 on both; the
// 3.14 server with workspaces is asked without a workspace header, so it answers for the default workspace).

#include "ApiTestSupport.h"
#include "Generations.h"
#include "api/Connection.h"
#include "api/TrackingApi.h"

#include <QtTest>

using namespace ApiTest;

class TestTrackingApi : public QObject
{
    Q_OBJECT

private slots:
    void adminSeesAllExperimentsAcrossPages_data() { Generations::addRows(true); }
    void adminSeesAllExperimentsAcrossPages();
    void nonAdminSeesOwnExperiments_data() { Generations::addRows(true); }
    void nonAdminSeesOwnExperiments();
    void filterAndDeletedView_data() { Generations::addRows(true); }
    void filterAndDeletedView();
    void registeredModelsAcrossPages_data() { Generations::addRows(true); }
    void registeredModelsAcrossPages();
    void searchErrorsPropagate_data() { Generations::addRows(true); }
    void searchErrorsPropagate();

private:
    QStringList names(const QList<Experiment>& experiments);
    // The demo server of the current row's generation and an admin connection to it, kept for the other functions
    // of the row; false when the server did not start.
    bool useGeneration();

    Generations::Fixtures m_fixtures;
    std::map<QString, std::unique_ptr<Connection>> m_admins;
    ServerFixture* m_fixture = nullptr;
    Connection* m_admin = nullptr;
};

bool TestTrackingApi::useGeneration()
{
    QFETCH(Dialect, generation);
    m_fixture = &m_fixtures.of(generation);
    if (!m_fixture->started()) {
        qWarning() << m_fixture->error();
        return false;
    }
    std::unique_ptr<Connection>& admin = m_admins[Generations::rowName(generation)];
    if (!admin) {
        admin =
            std::make_unique<Connection>(m_fixture->server().url(), DemoData::adminUsername, DemoData::adminPassword);
    }
    m_admin = admin.get();
    return true;
}

QStringList TestTrackingApi::names(const QList<Experiment>& experiments)
{
    QStringList result;
    for (const Experiment& experiment : experiments)
        result.append(experiment.name);
    result.sort();
    return result;
}

void TestTrackingApi::adminSeesAllExperimentsAcrossPages()
{
    QVERIFY(useGeneration());
    TrackingApi api(m_admin);
    ExperimentListJob* onePage = api.searchExperiments(ViewType::ActiveOnly);
    QVERIFY(waitFor(onePage));
    QVERIFY2(!onePage->hasError(), qPrintable(onePage->error().toLogString()));
    const QStringList expected{QStringLiteral("/user1/experiment1"), QStringLiteral("/user1/experiment2"),
                               QStringLiteral("/user2/experiment1"), QStringLiteral("Default")};
    QCOMPARE(names(onePage->value()), expected);

    // One experiment per page: four pages, the same result.
    ExperimentListJob* paged = api.searchExperiments(ViewType::ActiveOnly, QString(), 1);
    QVERIFY(waitFor(paged));
    QVERIFY2(!paged->hasError(), qPrintable(paged->error().toLogString()));
    QCOMPARE(names(paged->value()), expected);
    for (const Experiment& experiment : paged->value()) {
        QVERIFY(!experiment.id.isEmpty());
        QVERIFY(experiment.creationTime > 0);
        QVERIFY(!experiment.isDeleted());
    }
}

void TestTrackingApi::nonAdminSeesOwnExperiments()
{
    QVERIFY(useGeneration());
    Connection connection(m_fixture->server().url(), DemoData::user1Username, DemoData::user1Password);
    TrackingApi api(&connection);
    ExperimentListJob* job = api.searchExperiments(ViewType::ActiveOnly, QString(), 1);
    QVERIFY(waitFor(job));
    QVERIFY2(!job->hasError(), qPrintable(job->error().toLogString()));
    QCOMPARE(names(job->value()),
             QStringList({QStringLiteral("/user1/experiment1"), QStringLiteral("/user1/experiment2")}));
}

void TestTrackingApi::filterAndDeletedView()
{
    QVERIFY(useGeneration());
    TrackingApi api(m_admin);
    ExperimentListJob* filtered = api.searchExperiments(ViewType::ActiveOnly, QStringLiteral("name LIKE '/user1/%'"));
    QVERIFY(waitFor(filtered));
    QVERIFY2(!filtered->hasError(), qPrintable(filtered->error().toLogString()));
    QCOMPARE(names(filtered->value()),
             QStringList({QStringLiteral("/user1/experiment1"), QStringLiteral("/user1/experiment2")}));

    // Delete one and look at the deleted and all views.
    QString id;
    for (const Experiment& experiment : filtered->value()) {
        if (experiment.name == QLatin1String("/user1/experiment2"))
            id = experiment.id;
    }
    QVERIFY(!id.isEmpty());
    ApiReply* remove =
        m_admin->post(QStringLiteral("/api/2.0/mlflow/experiments/delete"), {{QStringLiteral("experiment_id"), id}});
    QVERIFY(waitFor(remove));
    QVERIFY2(!remove->hasError(), qPrintable(remove->error().toLogString()));

    ExperimentListJob* deleted = api.searchExperiments(ViewType::DeletedOnly);
    QVERIFY(waitFor(deleted));
    QCOMPARE(names(deleted->value()), QStringList({QStringLiteral("/user1/experiment2")}));
    QVERIFY(deleted->value().first().isDeleted());

    ExperimentListJob* all = api.searchExperiments(ViewType::All, QString(), 2);
    QVERIFY(waitFor(all));
    QCOMPARE(all->value().size(), 4);

    ApiReply* restore =
        m_admin->post(QStringLiteral("/api/2.0/mlflow/experiments/restore"), {{QStringLiteral("experiment_id"), id}});
    QVERIFY(waitFor(restore));
}

void TestTrackingApi::registeredModelsAcrossPages()
{
    QVERIFY(useGeneration());
    for (int i = 0; i < 5; ++i) {
        ApiReply* create = m_admin->post(QStringLiteral("/api/2.0/mlflow/registered-models/create"),
                                         {{QStringLiteral("name"), QStringLiteral("model-%1").arg(i)}});
        QVERIFY(waitFor(create));
        QVERIFY2(!create->hasError(), qPrintable(create->error().toLogString()));
    }
    TrackingApi api(m_admin);
    RegisteredModelListJob* job = api.searchRegisteredModels(QString(), 2);
    QVERIFY(waitFor(job));
    QVERIFY2(!job->hasError(), qPrintable(job->error().toLogString()));
    QStringList found;
    for (const RegisteredModel& model : job->value()) {
        found.append(model.name);
        QVERIFY(model.creationTimestamp > 0);
    }
    found.sort();
    QCOMPARE(found, QStringList({QStringLiteral("model-0"), QStringLiteral("model-1"), QStringLiteral("model-2"),
                                 QStringLiteral("model-3"), QStringLiteral("model-4")}));

    // user2 may read none of them: an empty result ({} on the wire) is an empty list, not an error.
    Connection connection(m_fixture->server().url(), DemoData::user2Username, DemoData::user2Password);
    TrackingApi user2(&connection);
    RegisteredModelListJob* none = user2.searchRegisteredModels();
    QVERIFY(waitFor(none));
    QVERIFY(!none->hasError());
    QVERIFY(none->value().isEmpty());
}

void TestTrackingApi::searchErrorsPropagate()
{
    QVERIFY(useGeneration());
    Connection connection(m_fixture->server().url(), DemoData::user1Username, QStringLiteral("bad"));
    TrackingApi api(&connection);
    ExperimentListJob* job = api.searchExperiments();
    QVERIFY(waitFor(job));
    QCOMPARE(job->error().kind(), ApiError::Kind::Unauthenticated);

    TrackingApi admin(m_admin);
    ExperimentListJob* bad = admin.searchExperiments(ViewType::ActiveOnly, QStringLiteral("this is not a filter"));
    QVERIFY(waitFor(bad));
    QCOMPARE(bad->error().kind(), ApiError::Kind::InvalidRequest);
}

QTEST_GUILESS_MAIN(TestTrackingApi)
#include "tst_trackingapi.moc"

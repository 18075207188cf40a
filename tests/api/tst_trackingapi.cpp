// TrackingApi paged searches against the embedded server.

#include "ApiTestSupport.h"
#include "api/Connection.h"
#include "api/TrackingApi.h"

#include <QtTest>

using namespace ApiTest;

class TestTrackingApi : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void adminSeesAllExperimentsAcrossPages();
    void nonAdminSeesOwnExperiments();
    void filterAndDeletedView();
    void registeredModelsAcrossPages();
    void searchErrorsPropagate();

private:
    QStringList names(const QList<Experiment>& experiments);

    TestServer m_fixture;
    std::unique_ptr<Connection> m_admin;
};

void TestTrackingApi::initTestCase()
{
    QVERIFY2(m_fixture.start(true), qPrintable(m_fixture.error));
    m_admin = std::make_unique<Connection>(m_fixture.url(), DemoData::adminUsername, DemoData::adminPassword);
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
    TrackingApi api(m_admin.get());
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
    Connection connection(m_fixture.url(), DemoData::user1Username, DemoData::user1Password);
    TrackingApi api(&connection);
    ExperimentListJob* job = api.searchExperiments(ViewType::ActiveOnly, QString(), 1);
    QVERIFY(waitFor(job));
    QVERIFY2(!job->hasError(), qPrintable(job->error().toLogString()));
    QCOMPARE(names(job->value()),
             QStringList({QStringLiteral("/user1/experiment1"), QStringLiteral("/user1/experiment2")}));
}

void TestTrackingApi::filterAndDeletedView()
{
    TrackingApi api(m_admin.get());
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
    for (int i = 0; i < 5; ++i) {
        ApiReply* create = m_admin->post(QStringLiteral("/api/2.0/mlflow/registered-models/create"),
                                         {{QStringLiteral("name"), QStringLiteral("model-%1").arg(i)}});
        QVERIFY(waitFor(create));
        QVERIFY2(!create->hasError(), qPrintable(create->error().toLogString()));
    }
    TrackingApi api(m_admin.get());
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
    Connection connection(m_fixture.url(), DemoData::user2Username, DemoData::user2Password);
    TrackingApi user2(&connection);
    RegisteredModelListJob* none = user2.searchRegisteredModels();
    QVERIFY(waitFor(none));
    QVERIFY(!none->hasError());
    QVERIFY(none->value().isEmpty());
}

void TestTrackingApi::searchErrorsPropagate()
{
    Connection connection(m_fixture.url(), DemoData::user1Username, QStringLiteral("bad"));
    TrackingApi api(&connection);
    ExperimentListJob* job = api.searchExperiments();
    QVERIFY(waitFor(job));
    QCOMPARE(job->error().kind(), ApiError::Kind::Unauthenticated);

    TrackingApi admin(m_admin.get());
    ExperimentListJob* bad = admin.searchExperiments(ViewType::ActiveOnly, QStringLiteral("this is not a filter"));
    QVERIFY(waitFor(bad));
    QCOMPARE(bad->error().kind(), ApiError::Kind::InvalidRequest);
}

QTEST_GUILESS_MAIN(TestTrackingApi)
#include "tst_trackingapi.moc"

#include "ModelsTestSupport.h"

#include "api/AuthDatabaseReader.h"
#include "api/KnownUsersRegistry.h"
#include "models/Directory.h"

#include <QJsonObject>
#include <QSignalSpy>
#include <QtTest>

using namespace ModelsTest;

// Directory against the real embedded server (demo scenario) and its in-memory rules.
class TestDirectory : public QObject
{
    Q_OBJECT

private slots:
    void loadsDemoThroughKnownUsers();
    void loadsDemoThroughAuthDatabase();
    void failsWithoutUserSource();
    void cancelKeepsOldContents();
    void legacyAndRbacRules();
    void mutatorsEmitFineGrainedSignals();
    void experimentNameFilterReachesServer();
    void modelNameFilterReachesServer();

private:
    static void checkDemoPermissions(Directory& directory);
};

void TestDirectory::checkDemoPermissions(Directory& directory)
{
    const QString u1e1 = experimentId(directory, QStringLiteral("/user1/experiment1"));
    const QString u1e2 = experimentId(directory, QStringLiteral("/user1/experiment2"));
    const QString u2e1 = experimentId(directory, QStringLiteral("/user2/experiment1"));
    QVERIFY(!u1e1.isEmpty() && !u1e2.isEmpty() && !u2e1.isEmpty());

    // Unknown default: no guessing.
    QCOMPARE(directory.effectivePermission(QStringLiteral("user2"), ResourceType::Experiment, u1e1).source,
             EffectivePermission::Source::Unknown);

    directory.setDefaultPermission(PermissionLevel::NoPermissions);
    for (const QString& id : {u1e1, u1e2}) {
        const EffectivePermission user1 =
            directory.effectivePermission(QStringLiteral("user1"), ResourceType::Experiment, id);
        QCOMPARE(user1.level, PermissionLevel::Manage);
        QCOMPARE(user1.source, EffectivePermission::Source::ExplicitGrant);
        QVERIFY(user1.reason().contains(QLatin1String("MANAGE")));
    }
    const EffectivePermission user1OnOther =
        directory.effectivePermission(QStringLiteral("user1"), ResourceType::Experiment, u2e1);
    QCOMPARE(user1OnOther.level, PermissionLevel::NoPermissions);
    QCOMPARE(user1OnOther.source, EffectivePermission::Source::DefaultPermission);
    const EffectivePermission user2 =
        directory.effectivePermission(QStringLiteral("user2"), ResourceType::Experiment, u2e1);
    QCOMPARE(user2.level, PermissionLevel::Manage);
    QCOMPARE(user2.source, EffectivePermission::Source::ExplicitGrant);
    for (const QString& id : {u1e1, u1e2}) {
        const EffectivePermission none =
            directory.effectivePermission(QStringLiteral("user2"), ResourceType::Experiment, id);
        QCOMPARE(none.level, PermissionLevel::NoPermissions);
        QCOMPARE(none.source, EffectivePermission::Source::DefaultPermission);
    }
    for (const QString& id : {u1e1, u1e2, u2e1}) {
        const EffectivePermission admin =
            directory.effectivePermission(QStringLiteral("admin"), ResourceType::Experiment, id);
        QCOMPARE(admin.level, PermissionLevel::Manage);
        QCOMPARE(admin.source, EffectivePermission::Source::Admin);
    }

    const QList<UserAccess> access = directory.usersWithAccess(ResourceType::Experiment, u1e1);
    QStringList names;
    for (const UserAccess& entry : access)
        names.append(entry.username);
    names.sort();
    QCOMPARE(names, (QStringList{QStringLiteral("admin"), QStringLiteral("user1")}));
    QCOMPARE(directory.usersWithAccessCount(ResourceType::Experiment, u1e1), 2);
    QCOMPARE(directory.usersWithAccessCount(ResourceType::Experiment, u2e1), 2);

    QCOMPARE(directory.grantCount(QStringLiteral("user1"), ResourceType::Experiment), 2);
    QCOMPARE(directory.grantCount(QStringLiteral("user2"), ResourceType::Experiment), 1);
    QVERIFY(directory.isAdmin(QStringLiteral("admin")));
    QVERIFY(!directory.isAdmin(QStringLiteral("user1")));
    QCOMPARE(directory.generation(), ApiGeneration::Legacy);
}

void TestDirectory::loadsDemoThroughKnownUsers()
{
    DemoSession session;
    QVERIFY2(session.fixture.started(), qPrintable(session.fixture.error()));

    KnownUsersRegistry registry;
    QString error;
    QVERIFY2(registry.open(session.fixture.tempPath(QStringLiteral("known-users.db")), &error), qPrintable(error));
    for (const char* name : {"admin", "user1", "user2", "ghost"})
        QVERIFY(registry.remember(QString::fromLatin1(name), KnownUsersRegistry::Origin::TypedIn));

    Directory directory;
    QSignalSpy started(&directory, &Directory::loadStarted);
    QSignalSpy progress(&directory, &Directory::progress);
    QSignalSpy loaded(&directory, &Directory::loaded);
    QSignalSpy failed(&directory, &Directory::failed);
    QSignalSpy reset(&directory, &Directory::reset);
    Directory::LoadOptions options;
    options.knownUsers = &registry;
    directory.load(session.auth.get(), session.tracking.get(), options);
    QVERIFY(directory.isLoading());
    QCOMPARE(started.count(), 1);
    QVERIFY(QTest::qWaitFor([&] { return !loaded.isEmpty() || !failed.isEmpty(); }, 20000));
    QVERIFY2(failed.isEmpty(),
             failed.isEmpty() ? "" : qPrintable(failed.first().first().value<ApiError>().toLogString()));
    QVERIFY(!directory.isLoading());
    QCOMPARE(reset.count(), 1);

    // "ghost" is known locally but not on the server: skipped, not an error.
    QCOMPARE(directory.userCount(), 3);
    QVERIFY(!directory.hasUser(QStringLiteral("ghost")));
    QCOMPARE(directory.userSource(), ListingSource::KnownUsers);
    QVERIFY(directory.experimentCount() >= 3);

    QVERIFY(!progress.isEmpty());
    const QList<QVariant> last = progress.last();
    QCOMPARE(last.at(0).toInt(), last.at(1).toInt());
    QCOMPARE(last.at(1).toInt(), 3 + 4); // listing, experiments, models + four users/get

    checkDemoPermissions(directory);
}

void TestDirectory::loadsDemoThroughAuthDatabase()
{
    DemoSession session;
    QVERIFY2(session.loadDirectory(), qPrintable(session.fixture.error()));
    Directory& directory = session.directory;
    QCOMPARE(directory.userSource(), ListingSource::AuthDatabase);
    QCOMPARE(directory.userCount(), 3);
    checkDemoPermissions(directory);
}

void TestDirectory::failsWithoutUserSource()
{
    DemoSession session;
    QVERIFY2(session.fixture.started(), qPrintable(session.fixture.error()));
    Directory directory;
    QSignalSpy failed(&directory, &Directory::failed);
    directory.load(session.auth.get(), session.tracking.get());
    QVERIFY(failed.wait(20000));
    QCOMPARE(failed.first().first().value<ApiError>().kind(), ApiError::Kind::NotSupported);
    QVERIFY(!directory.isLoading());
}

void TestDirectory::cancelKeepsOldContents()
{
    DemoSession session;
    QVERIFY2(session.fixture.started(), qPrintable(session.fixture.error()));
    Directory directory;
    User old;
    old.username = QStringLiteral("before");
    directory.setContents({old}, {}, {}, ListingSource::KnownUsers);

    AuthDatabaseReader reader;
    QString error;
    QVERIFY2(reader.open(session.authDatabaseUri(), &error), qPrintable(error));
    Directory::LoadOptions options;
    options.authDatabase = &reader;
    QSignalSpy failed(&directory, &Directory::failed);
    QSignalSpy loaded(&directory, &Directory::loaded);
    directory.load(session.auth.get(), session.tracking.get(), options);
    directory.cancel();
    QTRY_COMPARE(failed.count(), 1);
    QCOMPARE(failed.first().first().value<ApiError>().kind(), ApiError::Kind::Cancelled);
    QTest::qWait(50);
    QCOMPARE(loaded.count(), 0);
    QCOMPARE(directory.userCount(), 1);
    QVERIFY(directory.hasUser(QStringLiteral("before")));
    QVERIFY(!directory.isLoading());
}

void TestDirectory::legacyAndRbacRules()
{
    Directory directory;
    User alice;
    alice.username = QStringLiteral("alice");
    Grant grant;
    grant.username = alice.username;
    grant.resourceId = QStringLiteral("7");
    grant.level = PermissionLevel::Read;
    alice.experimentGrants.append(grant);
    directory.setContents({alice}, {}, {}, ListingSource::ServerApi);
    directory.setDefaultPermission(PermissionLevel::Edit);

    // 2.x: an explicit row wins as is, even when weaker than the default.
    directory.setGeneration(ApiGeneration::Legacy);
    EffectivePermission p =
        directory.effectivePermission(QStringLiteral("alice"), ResourceType::Experiment, QStringLiteral("7"));
    QCOMPARE(p.level, PermissionLevel::Read);
    QCOMPARE(p.source, EffectivePermission::Source::ExplicitGrant);
    p = directory.effectivePermission(QStringLiteral("alice"), ResourceType::Experiment, QStringLiteral("8"));
    QCOMPARE(p.level, PermissionLevel::Edit);
    QCOMPARE(p.source, EffectivePermission::Source::DefaultPermission);
    // alice's explicit READ on 7 still reads.
    QCOMPARE(directory.usersWithAccessCount(ResourceType::Experiment, QStringLiteral("7")), 1);

    // 3.13+: the default is a floor.
    directory.setGeneration(ApiGeneration::Rbac);
    p = directory.effectivePermission(QStringLiteral("alice"), ResourceType::Experiment, QStringLiteral("7"));
    QCOMPARE(p.level, PermissionLevel::Edit);
    QCOMPARE(p.source, EffectivePermission::Source::DefaultPermission);

    // Explicit NO_PERMISSIONS under a READ default denies on 2.x.
    directory.setGeneration(ApiGeneration::Legacy);
    directory.setDefaultPermission(PermissionLevel::Read);
    grant.level = PermissionLevel::NoPermissions;
    directory.applyGrant(grant);
    QVERIFY(!directory.effectivePermission(QStringLiteral("alice"), ResourceType::Experiment, QStringLiteral("7"))
                 .canRead());
    QCOMPARE(directory.usersWithAccessCount(ResourceType::Experiment, QStringLiteral("7")), 0);
    QCOMPARE(directory.usersWithAccessCount(ResourceType::Experiment, QStringLiteral("9")), 1);
}

void TestDirectory::mutatorsEmitFineGrainedSignals()
{
    Directory directory;
    User admin;
    admin.username = QStringLiteral("admin");
    admin.isAdmin = true;
    User bob;
    bob.username = QStringLiteral("bob");
    directory.setContents({admin, bob}, {}, {}, ListingSource::ServerApi);

    QSignalSpy grantChanged(&directory, &Directory::grantChanged);
    QSignalSpy userChanged(&directory, &Directory::userChanged);
    QSignalSpy added(&directory, &Directory::userAdded);
    QSignalSpy removed(&directory, &Directory::userRemoved);

    Grant grant;
    grant.username = QStringLiteral("bob");
    grant.resourceType = ResourceType::RegisteredModel;
    grant.resourceId = QStringLiteral("model-a");
    grant.level = PermissionLevel::Edit;
    directory.applyGrant(grant);
    QCOMPARE(grantChanged.count(), 1);
    QCOMPARE(grantChanged.first().at(0).toString(), QStringLiteral("bob"));
    QCOMPARE(grantChanged.first().at(2).toString(), QStringLiteral("model-a"));
    QCOMPARE(userChanged.count(), 1); // grant count changed
    QCOMPARE(directory.grantCount(QStringLiteral("bob"), ResourceType::RegisteredModel), 1);
    QCOMPARE(directory.totalGrantCount(), 1);

    directory.applyGrant(grant); // same level: nothing happens
    QCOMPARE(grantChanged.count(), 1);
    grant.level = PermissionLevel::Manage;
    directory.applyGrant(grant);
    QCOMPARE(grantChanged.count(), 2);
    QCOMPARE(userChanged.count(), 1); // count unchanged
    QCOMPARE(directory.grantsOf(QStringLiteral("bob"), ResourceType::RegisteredModel).first().level,
             PermissionLevel::Manage);

    directory.setAdmin(QStringLiteral("bob"), true);
    QCOMPARE(userChanged.count(), 2);
    QCOMPARE(directory.effectivePermission(QStringLiteral("bob"), ResourceType::Experiment, QStringLiteral("1")).source,
             EffectivePermission::Source::Admin);

    User carol;
    carol.username = QStringLiteral("carol");
    directory.addUser(carol);
    QCOMPARE(added.count(), 1);
    QCOMPARE(added.first().first().toInt(), 2);
    QCOMPARE(directory.userRow(QStringLiteral("carol")), 2);

    directory.removeUser(QStringLiteral("bob"));
    QCOMPARE(removed.count(), 1);
    QCOMPARE(directory.userRow(QStringLiteral("carol")), 1);
    QCOMPARE(directory.totalGrantCount(), 0);
    QCOMPARE(grantChanged.count(), 3); // bob's grant went with him
    QVERIFY(!directory.explicitLevel(QStringLiteral("bob"), ResourceType::RegisteredModel, QStringLiteral("model-a")));

    directory.removeGrant(QStringLiteral("carol"), ResourceType::Experiment, QStringLiteral("1")); // none: no signal
    QCOMPARE(grantChanged.count(), 3);
}

void TestDirectory::experimentNameFilterReachesServer()
{
    DemoSession session;
    QVERIFY2(session.fixture.started(), qPrintable(session.fixture.error()));
    // Names with a single quote, and with both kinds of quote, to check how the filter quotes the text.
    const QString quoted = QStringLiteral("/user1/o'brien");
    const QString bothQuotes = QStringLiteral("/user2/say \"hi\" o'k");
    QVERIFY(session.createNamed(QStringLiteral("experiments/create"), {quoted, bothQuotes}));

    AuthDatabaseReader reader;
    Directory directory;
    QSignalSpy reset(&directory, &Directory::reset);
    auto loadMatching = [&](const QString& text) {
        Directory::LoadOptions options;
        options.experimentNameContains = text;
        return session.load(&directory, &reader, options);
    };
    auto loadedNames = [&directory] {
        QStringList names;
        for (int row = 0; row < directory.experimentCount(); ++row)
            names.append(directory.experimentAt(row).name);
        names.sort();
        return names;
    };

    QVERIFY(loadMatching(QStringLiteral("/user1/experiment")));
    QCOMPARE(directory.experimentCount(), 2);
    QCOMPARE(loadedNames(), (QStringList{QStringLiteral("/user1/experiment1"), QStringLiteral("/user1/experiment2")}));
    QCOMPARE(directory.experimentNameFilter(), QStringLiteral("/user1/experiment"));
    QCOMPARE(directory.userCount(), 3); // users and their grants are not filtered
    QCOMPARE(directory.grantCount(QStringLiteral("user2"), ResourceType::Experiment), 1);

    QVERIFY(loadMatching(QStringLiteral("user1")));
    QCOMPARE(directory.experimentCount(), 3);

    QVERIFY(loadMatching(QStringLiteral("o'brien")));
    QCOMPARE(loadedNames(), QStringList{quoted});
    QVERIFY(loadMatching(QStringLiteral("\"hi\" o'k")));
    QCOMPARE(loadedNames(), QStringList{bothQuotes});
    QVERIFY(loadMatching(QStringLiteral("no such experiment")));
    QCOMPARE(directory.experimentCount(), 0);

    // Empty: everything again, Default included, and the Directory no longer calls itself filtered.
    QVERIFY(loadMatching(QString()));
    QCOMPARE(directory.experimentCount(), 6);
    QVERIFY(directory.experimentRowByName(QStringLiteral("Default")) >= 0);
    QVERIFY(directory.experimentNameFilter().isEmpty());
    QCOMPARE(reset.count(), 6);

    // The filter strings themselves: the quote that the text does not contain, or _ when it contains both.
    QCOMPARE(TrackingApi::nameContainsFilter(QStringLiteral("a")), QStringLiteral("name LIKE '%a%'"));
    QCOMPARE(TrackingApi::nameContainsFilter(QStringLiteral("o'b")), QStringLiteral("name LIKE \"%o'b%\""));
    QCOMPARE(TrackingApi::nameContainsFilter(QStringLiteral("\"o'b\"")), QStringLiteral("name LIKE '%\"o_b\"%'"));
}

void TestDirectory::modelNameFilterReachesServer()
{
    DemoSession session;
    QVERIFY2(session.fixture.started(), qPrintable(session.fixture.error()));
    QVERIFY(session.createNamed(
        QStringLiteral("registered-models/create"),
        {QStringLiteral("churn-model"), QStringLiteral("fraud-model"), QStringLiteral("fraud-model-o'neil")}));
    AuthDatabaseReader reader;
    Directory directory;
    Directory::LoadOptions options;
    QVERIFY(session.load(&directory, &reader, options));
    const int allModels = directory.registeredModelCount();
    const int allExperiments = directory.experimentCount();
    QVERIFY(allModels >= 3);

    options.modelNameContains = QStringLiteral("fraud");
    QVERIFY(session.load(&directory, &reader, options));
    QCOMPARE(directory.registeredModelCount(), 2);
    QVERIFY(directory.registeredModelRow(QStringLiteral("fraud-model")) >= 0);
    QVERIFY(directory.registeredModelRow(QStringLiteral("churn-model")) < 0);
    QCOMPARE(directory.modelNameFilter(), QStringLiteral("fraud"));
    QCOMPARE(directory.nameFilter(ResourceType::RegisteredModel), QStringLiteral("fraud"));
    QCOMPARE(directory.experimentCount(), allExperiments); // the experiments are not filtered
    QVERIFY(directory.experimentNameFilter().isEmpty());

    options.modelNameContains = QStringLiteral("o'neil");
    QVERIFY(session.load(&directory, &reader, options));
    QCOMPARE(directory.registeredModelCount(), 1);

    options.modelNameContains.clear();
    QVERIFY(session.load(&directory, &reader, options));
    QCOMPARE(directory.registeredModelCount(), allModels);
    QVERIFY(directory.modelNameFilter().isEmpty());
}

QTEST_GUILESS_MAIN(TestDirectory)
#include "tst_directory.moc"

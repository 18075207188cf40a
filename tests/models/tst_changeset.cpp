#include "GrantBuilder.h"
#include "ModelsTestSupport.h"

#include "api/AuthDatabaseReader.h"
#include "models/ChangeSet.h"
#include "models/Directory.h"

#include <QFile>
#include <QSignalSpy>
#include <QtTest>

using namespace ModelsTest;

namespace {

// admin (admin), alice with MANAGE on experiment 1, bob without grants; experiments 1 and 2.
void fillSmallDirectory(Directory& directory)
{
    User admin;
    admin.username = QStringLiteral("admin");
    admin.isAdmin = true;
    User alice;
    alice.username = QStringLiteral("alice");
    alice.experimentGrants.append(makeGrant(alice.username, QStringLiteral("1"), PermissionLevel::Manage));
    User bob;
    bob.username = QStringLiteral("bob");
    Experiment one;
    one.id = QStringLiteral("1");
    one.name = QStringLiteral("/alice/one");
    Experiment two;
    two.id = QStringLiteral("2");
    two.name = QStringLiteral("/alice/two");
    directory.setContents({admin, alice, bob}, {one, two}, {}, ListingSource::ServerApi);
    directory.setGeneration(ApiGeneration::Legacy);
}

bool waitApplied(QSignalSpy& spy)
{
    return QTest::qWaitFor([&] { return !spy.isEmpty(); }, 20000);
}

} // namespace

// ChangeSet: staging rules and minimal calls in memory, then apply against the real embedded server.
class TestChangeSet : public QObject
{
    Q_OBJECT

private slots:
    void stagingTwiceOnANewCellIsOneCreate();
    void grantThenRevokeIsNothing();
    void backToLoadedValueIsNothing();
    void updatesAndRevokes();
    void undoRedo();
    void manyCellsAreOneUndoStep();
    void userOperationsInOrder();
    void pendingPermission();
    void applyGrantVisibleToUser_data() { addRows(true); }
    void applyGrantVisibleToUser();
    void partialFailureStaysStaged_data() { addRows(); }
    void partialFailureStaysStaged();
    void applyUserOperations_data() { addRows(); }
    void applyUserOperations();
    void grantsOfAFailedCreationAreNotSent_data() { addRows(); }
    void grantsOfAFailedCreationAreNotSent();
    void persistenceWithoutPasswords();
    void restoredCreateNeedsItsPassword_data() { addRows(); }
    void restoredCreateNeedsItsPassword();
    void levelChangeIsOnePlanForEveryCaller_data() { addRows(); }
    void levelChangeIsOnePlanForEveryCaller();
    void halfAppliedLevelChangeKeepsBothFacts();
};

void TestChangeSet::stagingTwiceOnANewCellIsOneCreate()
{
    Directory directory;
    fillSmallDirectory(directory);
    ChangeSet changes(&directory);
    QVERIFY(changes.stageGrant(QStringLiteral("bob"), ResourceType::Experiment, QStringLiteral("1"),
                               PermissionLevel::Read));
    QVERIFY(changes.stageGrant(QStringLiteral("bob"), ResourceType::Experiment, QStringLiteral("1"),
                               PermissionLevel::Edit));
    const QList<ApiCall> calls = changes.toApiCalls();
    QCOMPARE(calls.size(), 1);
    QCOMPARE(calls.first().kind, ApiCall::Kind::CreateGrant);
    QCOMPARE(calls.first().level, PermissionLevel::Edit);
    QCOMPARE(calls.first().username, QStringLiteral("bob"));
    QCOMPARE(calls.first().resourceId, QStringLiteral("1"));
    QCOMPARE(calls.first().legacyEndpoint(), QStringLiteral("POST /api/2.0/mlflow/experiments/permissions/create"));
    QVERIFY(calls.first().description().contains(QLatin1String("EDIT")));
    QCOMPARE(changes.count(), 1);
    QCOMPARE(changes.undoStack()->count(), 2);
}

void TestChangeSet::grantThenRevokeIsNothing()
{
    Directory directory;
    fillSmallDirectory(directory);
    ChangeSet changes(&directory);
    QVERIFY(changes.stageGrant(QStringLiteral("bob"), ResourceType::Experiment, QStringLiteral("2"),
                               PermissionLevel::Read));
    QVERIFY(changes.stageRevoke(QStringLiteral("bob"), ResourceType::Experiment, QStringLiteral("2")));
    QVERIFY(changes.toApiCalls().isEmpty());
    QVERIFY(changes.isEmpty());
    QVERIFY(!changes.isPending(QStringLiteral("bob"), ResourceType::Experiment, QStringLiteral("2")));
}

void TestChangeSet::backToLoadedValueIsNothing()
{
    Directory directory;
    fillSmallDirectory(directory);
    ChangeSet changes(&directory);
    QVERIFY(changes.stageGrant(QStringLiteral("alice"), ResourceType::Experiment, QStringLiteral("1"),
                               PermissionLevel::Read));
    QCOMPARE(changes.count(), 1);
    QVERIFY(changes.stageGrant(QStringLiteral("alice"), ResourceType::Experiment, QStringLiteral("1"),
                               PermissionLevel::Manage));
    QVERIFY(changes.isEmpty());
    QVERIFY(changes.toApiCalls().isEmpty());
    QVERIFY(changes.stageSetAdmin(QStringLiteral("admin"), true)); // already admin
    QVERIFY(changes.isEmpty());
}

void TestChangeSet::updatesAndRevokes()
{
    Directory directory;
    fillSmallDirectory(directory);
    ChangeSet changes(&directory);
    QVERIFY(changes.stageGrant(QStringLiteral("alice"), ResourceType::Experiment, QStringLiteral("1"),
                               PermissionLevel::Read));
    QList<ApiCall> calls = changes.toApiCalls();
    QCOMPARE(calls.size(), 1);
    QCOMPARE(calls.first().kind, ApiCall::Kind::UpdateGrant);
    QCOMPARE(calls.first().level, PermissionLevel::Read);

    // A server without in-place update (3.13+) gets revoke + grant; the revoke names the level it takes away.
    calls = changes.toApiCalls(PlanRules::forGeneration(ApiGeneration::Rbac));
    QCOMPARE(calls.size(), 2);
    QCOMPARE(calls.at(0).kind, ApiCall::Kind::DeleteGrant);
    QCOMPARE(calls.at(0).level, PermissionLevel::Manage);
    QCOMPARE(calls.at(1).kind, ApiCall::Kind::CreateGrant);
    QCOMPARE(calls.at(1).level, PermissionLevel::Read);
    QCOMPARE(calls.at(1).endpoint(ApiGeneration::Rbac), QStringLiteral("POST /api/3.0/mlflow/users/permissions/grant"));

    QVERIFY(changes.stageRevoke(QStringLiteral("alice"), ResourceType::Experiment, QStringLiteral("1")));
    calls = changes.toApiCalls();
    QCOMPARE(calls.size(), 1);
    QCOMPARE(calls.first().kind, ApiCall::Kind::DeleteGrant);

    // An explicit NO_PERMISSIONS is a real row on 2.x.
    QVERIFY(changes.stageGrant(QStringLiteral("bob"), ResourceType::Experiment, QStringLiteral("2"),
                               PermissionLevel::NoPermissions));
    QCOMPARE(changes.toApiCalls().size(), 2);

    // Unknown users and empty ids are refused.
    QVERIFY(!changes.stageGrant(QStringLiteral("nobody"), ResourceType::Experiment, QStringLiteral("1"),
                                PermissionLevel::Read));
    QVERIFY(!changes.stageGrant(QStringLiteral("bob"), ResourceType::Experiment, QString(), PermissionLevel::Read));
}

void TestChangeSet::undoRedo()
{
    Directory directory;
    fillSmallDirectory(directory);
    ChangeSet changes(&directory);
    QSignalSpy staging(&changes, &ChangeSet::grantStagingChanged);
    const QString bob = QStringLiteral("bob");
    const QString one = QStringLiteral("1");
    QVERIFY(changes.stageGrant(bob, ResourceType::Experiment, one, PermissionLevel::Read));
    QVERIFY(changes.stageGrant(bob, ResourceType::Experiment, one, PermissionLevel::Edit));
    QCOMPARE(changes.pendingLevel(bob, ResourceType::Experiment, one), PermissionLevel::Edit);
    QCOMPARE(staging.count(), 2);

    changes.undoStack()->undo();
    QCOMPARE(changes.pendingLevel(bob, ResourceType::Experiment, one), PermissionLevel::Read);
    changes.undoStack()->undo();
    QVERIFY(!changes.pendingLevel(bob, ResourceType::Experiment, one));
    QVERIFY(changes.isEmpty());
    QVERIFY(changes.toApiCalls().isEmpty());
    QCOMPARE(staging.count(), 4);

    changes.undoStack()->redo();
    changes.undoStack()->redo();
    QCOMPARE(changes.pendingLevel(bob, ResourceType::Experiment, one), PermissionLevel::Edit);
    QCOMPARE(changes.toApiCalls().size(), 1);

    changes.discard();
    QVERIFY(changes.isEmpty());
    QCOMPARE(changes.undoStack()->count(), 0);
}

void TestChangeSet::manyCellsAreOneUndoStep()
{
    Directory directory;
    fillSmallDirectory(directory);
    ChangeSet changes(&directory);
    const QList<GrantCell> cells{
        {QStringLiteral("bob"), {ResourceType::Experiment, QStringLiteral("1")}},
        {QStringLiteral("bob"), {ResourceType::Experiment, QStringLiteral("2")}},
        {QStringLiteral("alice"), {ResourceType::Experiment, QStringLiteral("2")}},
    };
    QVERIFY(changes.stageGrants(cells, PermissionLevel::Read));
    QCOMPARE(changes.count(), 3);
    QCOMPARE(changes.undoStack()->count(), 1);
    changes.undoStack()->undo();
    QVERIFY(changes.isEmpty());
}

void TestChangeSet::userOperationsInOrder()
{
    Directory directory;
    fillSmallDirectory(directory);
    ChangeSet changes(&directory);
    QVERIFY(changes.stageDeleteUser(QStringLiteral("alice")));
    QVERIFY(changes.stageCreateUser(QStringLiteral("carol"), QStringLiteral("a-long-password"), true));
    QVERIFY(!changes.stageCreateUser(QStringLiteral("bob"), QStringLiteral("a-long-password"))); // exists
    QVERIFY(changes.stageGrant(QStringLiteral("carol"), ResourceType::Experiment, QStringLiteral("2"),
                               PermissionLevel::Edit));
    QVERIFY(changes.stageResetPassword(QStringLiteral("bob"), QStringLiteral("another-password")));
    // alice's grant change is moot: she is being deleted.
    QVERIFY(changes.stageGrant(QStringLiteral("alice"), ResourceType::Experiment, QStringLiteral("2"),
                               PermissionLevel::Read));

    const QList<ApiCall> calls = changes.toApiCalls();
    QCOMPARE(calls.size(), 5);
    QCOMPARE(calls.at(0).kind, ApiCall::Kind::CreateUser);
    QCOMPARE(calls.at(1).kind, ApiCall::Kind::SetAdmin);
    QVERIFY(calls.at(1).admin);
    QCOMPARE(calls.at(2).kind, ApiCall::Kind::UpdatePassword);
    QCOMPARE(calls.at(3).kind, ApiCall::Kind::CreateGrant);
    QCOMPARE(calls.at(3).username, QStringLiteral("carol"));
    QCOMPARE(calls.at(4).kind, ApiCall::Kind::DeleteUser);
    for (const ApiCall& call : calls) {
        QVERIFY(!call.description().contains(QLatin1String("a-long-password")));
        QVERIFY(!call.description().contains(QLatin1String("another-password")));
    }

    // Creating then deleting a never-applied user is nothing, and takes the user's staged grants along.
    QVERIFY(changes.stageDeleteUser(QStringLiteral("carol")));
    QVERIFY(!changes.stagedUser(QStringLiteral("carol")));
    QVERIFY(!changes.isPending(QStringLiteral("carol"), ResourceType::Experiment, QStringLiteral("2")));
    QCOMPARE(changes.toApiCalls().size(), 2);
    changes.undoStack()->undo();
    QVERIFY(changes.isPending(QStringLiteral("carol"), ResourceType::Experiment, QStringLiteral("2")));
    QCOMPARE(changes.toApiCalls().size(), 5);
}

void TestChangeSet::pendingPermission()
{
    Directory directory;
    fillSmallDirectory(directory);
    directory.setDefaultPermission(PermissionLevel::NoPermissions);
    ChangeSet changes(&directory);
    QVERIFY(changes.stageRevoke(QStringLiteral("alice"), ResourceType::Experiment, QStringLiteral("1")));
    const auto pending =
        changes.pendingPermission(QStringLiteral("alice"), ResourceType::Experiment, QStringLiteral("1"));
    QVERIFY(pending);
    QCOMPARE(pending->source, EffectivePermission::Source::DefaultPermission);
    QCOMPARE(pending->level, PermissionLevel::NoPermissions);
    QVERIFY(!changes.pendingPermission(QStringLiteral("bob"), ResourceType::Experiment, QStringLiteral("1")));
}

void TestChangeSet::applyGrantVisibleToUser()
{
    QFETCH(Dialect, generation);
    DemoSession session(true, generation);
    QVERIFY2(session.loadDirectory(), qPrintable(session.fixture.error()));
    Directory& directory = session.directory;
    const QString experiment = experimentId(directory, QStringLiteral("/user1/experiment1"));
    QVERIFY(!experiment.isEmpty());

    // Before: user2 does not see it.
    auto user2 = session.connectAs(DemoData::user2Username, DemoData::user2Password);
    TrackingApi user2Tracking(user2.get());
    auto* before = user2Tracking.searchExperiments(ViewType::ActiveOnly);
    QVERIFY(waitFor(before));
    QVERIFY(!before->hasError());
    for (const Experiment& e : before->value())
        QVERIFY(e.id != experiment);

    ChangeSet changes(&directory);
    QSignalSpy applied(&changes, &ChangeSet::applied);
    QSignalSpy progress(&changes, &ChangeSet::progress);
    QSignalSpy grantChanged(&directory, &Directory::grantChanged);
    QVERIFY(changes.stageGrant(DemoData::user2Username, ResourceType::Experiment, experiment, PermissionLevel::Read));
    QVERIFY(changes.apply(session.auth.get()));
    QVERIFY(changes.isApplying());
    QVERIFY(!changes.apply(session.auth.get())); // never twice at once
    QVERIFY(!changes.stageRevoke(DemoData::user2Username, ResourceType::Experiment, experiment));
    QVERIFY(waitApplied(applied));
    const auto summary = applied.first().first().value<ApplySummary>();
    QCOMPARE(summary.succeeded, 1);
    QCOMPARE(summary.failed, 0);
    QVERIFY(summary.results.first().ok());
    QVERIFY(changes.isEmpty());
    QVERIFY(!changes.isApplying());
    QCOMPARE(progress.last().at(0).toInt(), 1);
    QCOMPARE(grantChanged.count(), 1);
    QCOMPARE(directory.explicitLevel(DemoData::user2Username, ResourceType::Experiment, experiment),
             PermissionLevel::Read);

    // The server agrees, and user2 now sees the experiment.
    auto* check = session.auth->getGrant(DemoData::user2Username, ResourceType::Experiment, experiment);
    QVERIFY(waitFor(check));
    QVERIFY(!check->hasError());
    QCOMPARE(check->value().level, PermissionLevel::Read);
    auto* after = user2Tracking.searchExperiments(ViewType::ActiveOnly);
    QVERIFY(waitFor(after));
    QVERIFY(!after->hasError());
    bool visible = false;
    for (const Experiment& e : after->value())
        visible = visible || e.name == QLatin1String("/user1/experiment1");
    QVERIFY(visible);
}

void TestChangeSet::partialFailureStaysStaged()
{
    QFETCH(Dialect, generation);
    DemoSession session(true, generation);
    QVERIFY2(session.fixture.started(), qPrintable(session.fixture.error()));
    auto* create = session.auth->createUser(QStringLiteral("user3"), QStringLiteral("user3-password"));
    QVERIFY(waitFor(create));
    QVERIFY(!create->hasError());

    AuthDatabaseReader reader;
    Directory directory;
    QVERIFY(session.load(&directory, &reader));
    QVERIFY(directory.hasUser(QStringLiteral("user3")));
    const QString experiment = experimentId(directory, QStringLiteral("/user1/experiment2"));

    // Deleted behind our back.
    auto* remove = session.auth->deleteUser(QStringLiteral("user3"));
    QVERIFY(waitFor(remove));
    QVERIFY(!remove->hasError());

    ChangeSet changes(&directory);
    QVERIFY(changes.stageGrant(QStringLiteral("user3"), ResourceType::Experiment, experiment, PermissionLevel::Edit));
    QVERIFY(changes.stageGrant(DemoData::user2Username, ResourceType::Experiment, experiment, PermissionLevel::Read));
    QSignalSpy applied(&changes, &ChangeSet::applied);
    QVERIFY(changes.apply(session.auth.get()));
    QVERIFY(waitApplied(applied));
    auto summary = applied.first().first().value<ApplySummary>();
    QCOMPARE(summary.succeeded, 1);
    QCOMPARE(summary.failed, 1);

    QCOMPARE(changes.count(), 1);
    const StagedGrant* failed = changes.stagedGrant(QStringLiteral("user3"), ResourceType::Experiment, experiment);
    QVERIFY(failed);
    QCOMPARE(failed->error.kind(), ApiError::Kind::NotFound);
    QVERIFY(!changes.isPending(DemoData::user2Username, ResourceType::Experiment, experiment));

    // A second apply sends only what is left: the user2 grant is not sent again (it would fail as a duplicate).
    QCOMPARE(changes.toApiCalls().size(), 1);
    applied.clear();
    QVERIFY(changes.apply(session.auth.get()));
    QVERIFY(waitApplied(applied));
    summary = applied.first().first().value<ApplySummary>();
    QCOMPARE(summary.succeeded, 0);
    QCOMPARE(summary.failed, 1);
    QCOMPARE(summary.results.size(), 1);
    QCOMPARE(summary.results.first().error.kind(), ApiError::Kind::NotFound);
}

void TestChangeSet::applyUserOperations()
{
    QFETCH(Dialect, generation);
    DemoSession session(true, generation);
    QVERIFY2(session.loadDirectory(), qPrintable(session.fixture.error()));
    Directory& directory = session.directory;
    const QString experiment = experimentId(directory, QStringLiteral("/user2/experiment1"));

    ChangeSet changes(&directory);
    QVERIFY(changes.stageCreateUser(QStringLiteral("user4"), QStringLiteral("user4-password"), true));
    QVERIFY(changes.stageGrant(QStringLiteral("user4"), ResourceType::Experiment, experiment, PermissionLevel::Edit));
    QVERIFY(changes.stageResetPassword(DemoData::user1Username, QStringLiteral("user1-new-password")));
    QVERIFY(changes.stageDeleteUser(DemoData::user2Username));
    QSignalSpy applied(&changes, &ChangeSet::applied);
    QSignalSpy added(&directory, &Directory::userAdded);
    QVERIFY(changes.apply(session.auth.get()));
    QVERIFY(waitApplied(applied));
    const auto summary = applied.first().first().value<ApplySummary>();
    for (const ChangeResult& result : summary.results)
        QVERIFY2(result.ok(), qPrintable(result.description + QLatin1String(": ") + result.error.toLogString()));
    QCOMPARE(summary.succeeded, 4);
    QVERIFY(changes.isEmpty());
    QCOMPARE(added.count(), 1);
    QVERIFY(directory.isAdmin(QStringLiteral("user4")));
    QVERIFY(!directory.hasUser(DemoData::user2Username));
    QCOMPARE(directory.explicitLevel(QStringLiteral("user4"), ResourceType::Experiment, experiment),
             PermissionLevel::Edit);

    // The new user and the new password work; user2 is gone.
    auto user4 = session.connectAs(QStringLiteral("user4"), QStringLiteral("user4-password"));
    const auto user4Auth = session.makeAuth(user4.get());
    auto* self = user4Auth->getUser(QStringLiteral("user4"));
    QVERIFY(waitFor(self));
    QVERIFY2(!self->hasError(), qPrintable(self->error().toLogString()));
    QVERIFY(self->value().isAdmin);
    auto user1 = session.connectAs(DemoData::user1Username, QStringLiteral("user1-new-password"));
    const auto user1Auth = session.makeAuth(user1.get());
    auto* user1Self = user1Auth->getUser(DemoData::user1Username);
    QVERIFY(waitFor(user1Self));
    QVERIFY(!user1Self->hasError());
    auto* gone = session.auth->getUser(DemoData::user2Username);
    QVERIFY(waitFor(gone));
    QCOMPARE(gone->error().kind(), ApiError::Kind::NotFound);
}

void TestChangeSet::grantsOfAFailedCreationAreNotSent()
{
    QFETCH(Dialect, generation);
    DemoSession session(true, generation);
    QVERIFY2(session.loadDirectory(), qPrintable(session.fixture.error()));
    Directory& directory = session.directory;
    const QString experiment = experimentId(directory, QStringLiteral("/user2/experiment1"));

    // Someone else creates "late" after the load, so our staged creation of it fails.
    UserJob* elsewhere = session.auth->createUser(QStringLiteral("late"), QStringLiteral("late-password-1"));
    QVERIFY(waitFor(elsewhere));
    QVERIFY(!elsewhere->hasError());
    ChangeSet changes(&directory);
    QVERIFY(changes.stageCreateUser(QStringLiteral("late"), QStringLiteral("our-password-1")));
    QVERIFY(changes.isStagedCreation(QStringLiteral("late")));
    QVERIFY(changes.stageGrant(QStringLiteral("late"), ResourceType::Experiment, experiment, PermissionLevel::Read));
    QSignalSpy applied(&changes, &ChangeSet::applied);
    QVERIFY(changes.apply(session.auth.get()));
    QVERIFY(waitApplied(applied));
    const auto summary = applied.first().first().value<ApplySummary>();
    QCOMPARE(summary.failed, 2);
    QCOMPARE(summary.results.first().error.kind(), ApiError::Kind::AlreadyExists);

    // The grant was held back, says why, and stays staged with the creation.
    const StagedGrant* grant = changes.stagedGrant(QStringLiteral("late"), ResourceType::Experiment, experiment);
    QVERIFY(grant);
    QCOMPARE(grant->error.kind(), ApiError::Kind::NotSent);
    QVERIFY2(grant->error.userMessage().startsWith(QStringLiteral("Not sent: creating the user")),
             qPrintable(grant->error.userMessage()));
    QVERIFY(changes.stagedUser(QStringLiteral("late")));
    GrantJob* onServer = session.auth->getGrant(QStringLiteral("late"), ResourceType::Experiment, experiment);
    QVERIFY(waitFor(onServer));
    QCOMPARE(onServer->error().kind(), ApiError::Kind::NotFound);
}

void TestChangeSet::persistenceWithoutPasswords()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("staged.db"));
    const QString secret = QStringLiteral("never-on-disk-3141");
    const QString secret2 = QStringLiteral("also-not-on-disk-2718");

    Directory directory;
    fillSmallDirectory(directory);
    ChangeSet changes(&directory);
    QVERIFY(changes.stageGrant(QStringLiteral("bob"), ResourceType::Experiment, QStringLiteral("2"),
                               PermissionLevel::Edit));
    QVERIFY(changes.stageRevoke(QStringLiteral("alice"), ResourceType::Experiment, QStringLiteral("1")));
    QVERIFY(changes.stageGrant(QStringLiteral("bob"), ResourceType::RegisteredModel, QStringLiteral("model x"),
                               PermissionLevel::Read));
    QVERIFY(changes.stageCreateUser(QStringLiteral("carol"), secret));
    QVERIFY(changes.stageResetPassword(QStringLiteral("bob"), secret2));
    QVERIFY(changes.stageSetAdmin(QStringLiteral("alice"), true));
    QVERIFY(!changes.needsPasswords());
    QString error;
    QVERIFY2(changes.save(path, &error), qPrintable(error));
    // Staged grants and users are the owner's alone (issue 11): no group or other bits.
    const QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup |
                                            QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
    QCOMPARE(QFile::permissions(path) & others, QFileDevice::Permissions());
    QVERIFY(QFile::permissions(path) & QFileDevice::ReadOwner);
    QVERIFY(QFile::setPermissions(path, QFile::permissions(path) | QFileDevice::ReadOther));
    QVERIFY2(changes.save(path, &error), qPrintable(error));
    QCOMPARE(QFile::permissions(path) & others, QFileDevice::Permissions());

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY(!bytes.contains(secret.toUtf8()));
    QVERIFY(!bytes.contains(secret2.toUtf8()));
    file.close();

    ChangeSet restored(&directory);
    QSignalSpy changed(&restored, &ChangeSet::changed);
    QVERIFY2(restored.restore(path, &error), qPrintable(error));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(restored.count(), changes.count());
    QCOMPARE(restored.toApiCalls(), changes.toApiCalls());
    QVERIFY(restored.needsPasswords());
    QVERIFY(restored.stagedUser(QStringLiteral("carol"))->needsPassword());
    QVERIFY(restored.stagedUser(QStringLiteral("bob"))->needsPassword());
    QCOMPARE(restored.stagedUser(QStringLiteral("alice"))->admin, std::optional<bool>(true));
    QVERIFY(!restored.stagedGrant(QStringLiteral("alice"), ResourceType::Experiment, QStringLiteral("1"))->target);
    QVERIFY(restored.setPassword(QStringLiteral("carol"), secret));
    QVERIFY(restored.setPassword(QStringLiteral("bob"), secret2));
    QVERIFY(!restored.needsPasswords());

    // Saving again replaces the file's contents; an empty set saves as empty.
    ChangeSet empty(&directory);
    QVERIFY(empty.save(path, &error));
    QVERIFY(restored.restore(path, &error));
    QVERIFY(restored.isEmpty());

    // Auto-save keeps the file current after each change.
    ChangeSet autoSaved(&directory);
    autoSaved.setAutoSavePath(path);
    QVERIFY(autoSaved.stageGrant(QStringLiteral("bob"), ResourceType::Experiment, QStringLiteral("1"),
                                 PermissionLevel::Read));
    QTest::qWait(10);
    ChangeSet reread(&directory);
    QVERIFY(reread.restore(path, &error));
    QCOMPARE(reread.count(), 1);

    // A change staged just before the change set goes away (no event-loop turn in between) is saved too.
    {
        ChangeSet closing(&directory);
        closing.setAutoSavePath(path);
        QVERIFY(closing.stageGrant(QStringLiteral("bob"), ResourceType::Experiment, QStringLiteral("1"),
                                   PermissionLevel::Edit));
        QVERIFY(closing.stageGrant(QStringLiteral("alice"), ResourceType::Experiment, QStringLiteral("1"),
                                   PermissionLevel::Read));
    }
    QVERIFY(reread.restore(path, &error));
    QCOMPARE(reread.count(), 2);
    QCOMPARE(reread.pendingLevel(QStringLiteral("bob"), ResourceType::Experiment, QStringLiteral("1")),
             std::optional<PermissionLevel>(PermissionLevel::Edit));
}

void TestChangeSet::restoredCreateNeedsItsPassword()
{
    QFETCH(Dialect, generation);
    DemoSession session(true, generation);
    QVERIFY2(session.loadDirectory(), qPrintable(session.fixture.error()));
    Directory& directory = session.directory;
    const QString experiment = experimentId(directory, QStringLiteral("/user1/experiment1"));
    const QString path = session.fixture.tempPath(QStringLiteral("staged.db"));
    {
        ChangeSet before(&directory);
        QVERIFY(before.stageCreateUser(QStringLiteral("user5"), QStringLiteral("user5-password")));
        QVERIFY(
            before.stageGrant(DemoData::user2Username, ResourceType::Experiment, experiment, PermissionLevel::Edit));
        QVERIFY(before.save(path));
    }
    ChangeSet changes(&directory);
    QVERIFY(changes.restore(path));
    QVERIFY(changes.needsPasswords());

    // Without its password the creation fails at once and stays staged; the rest goes through, once.
    QSignalSpy applied(&changes, &ChangeSet::applied);
    QVERIFY(changes.apply(session.auth.get()));
    QVERIFY(waitApplied(applied));
    auto summary = applied.first().first().value<ApplySummary>();
    QCOMPARE(summary.succeeded, 1);
    QCOMPARE(summary.failed, 1);
    QCOMPARE(summary.results.size(), 2);
    QVERIFY(changes.stagedUser(QStringLiteral("user5")));
    QVERIFY(changes.stagedUser(QStringLiteral("user5"))->error.isError());
    QVERIFY(!directory.hasUser(QStringLiteral("user5")));
    QCOMPARE(directory.explicitLevel(DemoData::user2Username, ResourceType::Experiment, experiment),
             PermissionLevel::Edit);

    QVERIFY(changes.setPassword(QStringLiteral("user5"), QStringLiteral("user5-password")));
    applied.clear();
    QVERIFY(changes.apply(session.auth.get()));
    QVERIFY(waitApplied(applied));
    summary = applied.first().first().value<ApplySummary>();
    QCOMPARE(summary.succeeded, 1);
    QCOMPARE(summary.failed, 0);
    QVERIFY(changes.isEmpty());
    QVERIFY(directory.hasUser(QStringLiteral("user5")));
}

// The apply, the review dialog (toApiCalls with the AuthApi's rules) and the Directory's generation agree on the
// calls of a level change, and the apply sends exactly those: one update on 2.x, revoke then grant on 3.14.
void TestChangeSet::levelChangeIsOnePlanForEveryCaller()
{
    QFETCH(Dialect, generation);
    const bool mlflow3 = generation.isMlflow3();
    DemoSession session(true, generation);
    QVERIFY2(session.loadDirectory(), qPrintable(session.fixture.error()));
    Directory& directory = session.directory;
    QCOMPARE(directory.generation(), mlflow3 ? ApiGeneration::Rbac : ApiGeneration::Legacy);
    const QString experiment = experimentId(directory, QStringLiteral("/user1/experiment1"));
    QVERIFY(!experiment.isEmpty());

    ChangeSet changes(&directory);
    QSignalSpy applied(&changes, &ChangeSet::applied);
    QVERIFY(changes.stageGrant(DemoData::user2Username, ResourceType::Experiment, experiment, PermissionLevel::Read));
    QVERIFY(changes.apply(session.auth.get()));
    QVERIFY(waitApplied(applied));
    QVERIFY(changes.isEmpty());

    QVERIFY(changes.stageGrant(DemoData::user2Username, ResourceType::Experiment, experiment, PermissionLevel::Edit));
    const QList<ApiCall> planned = changes.toApiCalls(PlanRules::of(*session.auth));
    QCOMPARE(changes.toApiCalls(), planned);
    const QList<PlannedChange> plan = changes.plan(PlanRules::of(*session.auth));
    QCOMPARE(plan.size(), 1);
    QCOMPARE(plan.first().calls, planned);
    if (mlflow3) {
        QCOMPARE(planned.size(), 2);
        QCOMPARE(planned.at(0).kind, ApiCall::Kind::DeleteGrant);
        QCOMPARE(planned.at(0).level, PermissionLevel::Read);
        QCOMPARE(planned.at(1).kind, ApiCall::Kind::CreateGrant);
    } else {
        QCOMPARE(planned.size(), 1);
        QCOMPARE(planned.at(0).kind, ApiCall::Kind::UpdateGrant);
    }
    QCOMPARE(planned.last().level, PermissionLevel::Edit);

    applied.clear();
    RequestLog log;
    QVERIFY(changes.apply(session.auth.get()));
    QVERIFY(waitApplied(applied));
    QCOMPARE(applied.first().first().value<ApplySummary>().succeeded, 1);
    QCOMPARE(log.requests().size(), planned.size());
    if (mlflow3) {
        QCOMPARE(log.count(QStringLiteral("POST /api/3.0/mlflow/users/permissions/revoke")), 1);
        QCOMPARE(log.count(QStringLiteral("POST /api/3.0/mlflow/users/permissions/grant")), 1);
    } else {
        QCOMPARE(log.count(QStringLiteral("PATCH /api/2.0/mlflow/experiments/permissions/update")), 1);
    }
    auto* check = session.auth->getGrant(DemoData::user2Username, ResourceType::Experiment, experiment);
    QVERIFY(waitFor(check));
    QVERIFY2(!check->hasError(), qPrintable(check->error().toLogString()));
    QCOMPARE(check->value().level, PermissionLevel::Edit);
}

// 3.14 has no update: when the grant of a level change fails after its revoke went through, the change stays
// staged with both facts (the level it wants and the level that was revoked); retrying or restoring the old level
// are both one apply away, and the fact survives a save and restore.
void TestChangeSet::halfAppliedLevelChangeKeepsBothFacts()
{
    DemoSession session(true, Generations::mlflow3());
    QVERIFY2(session.loadDirectory(), qPrintable(session.fixture.error()));
    Directory& directory = session.directory;
    const QString experiment = experimentId(directory, QStringLiteral("/user1/experiment1"));
    ChangeSet changes(&directory);
    QSignalSpy applied(&changes, &ChangeSet::applied);
    QVERIFY(changes.stageGrant(DemoData::user2Username, ResourceType::Experiment, experiment, PermissionLevel::Read));
    QVERIFY(changes.apply(session.auth.get()));
    QVERIFY(waitApplied(applied));
    QVERIFY(changes.isEmpty());

    // The moment the revoke is accepted, the account loses its rights: the grant that follows is refused (403).
    QMetaObject::Connection demote = connect(
        &directory, &Directory::grantChanged, &directory, [&](const QString& username, ResourceType, const QString&) {
            if (username == DemoData::user2Username)
                session.connection->setCredentials(DemoData::user2Username, DemoData::user2Password);
        });
    QVERIFY(changes.stageGrant(DemoData::user2Username, ResourceType::Experiment, experiment, PermissionLevel::Edit));
    applied.clear();
    QVERIFY(changes.apply(session.auth.get()));
    QVERIFY(waitApplied(applied));
    QObject::disconnect(demote);
    session.connection->setCredentials(DemoData::adminUsername, DemoData::adminPassword);

    const auto summary = applied.first().first().value<ApplySummary>();
    QCOMPARE(summary.failed, 1);
    QCOMPARE(summary.halfApplied, 1);
    QCOMPARE(summary.committedCalls, 1);
    QVERIFY(summary.results.first().halfApplied);
    const StagedGrant* staged = changes.stagedGrant(DemoData::user2Username, ResourceType::Experiment, experiment);
    QVERIFY(staged);
    QVERIFY(staged->isHalfApplied());
    QCOMPARE(staged->revokedLevel, std::optional<PermissionLevel>(PermissionLevel::Read));
    QCOMPARE(staged->target, std::optional<PermissionLevel>(PermissionLevel::Edit));
    QCOMPARE(staged->error.kind(), ApiError::Kind::PermissionDenied);
    QVERIFY(!directory.explicitLevel(DemoData::user2Username, ResourceType::Experiment, experiment));
    // The undo history described the state before the revoke; it is gone rather than wrong.
    QCOMPARE(changes.undoStack()->count(), 0);
    // Retrying is the same change again: now only the grant.
    QList<ApiCall> calls = changes.toApiCalls();
    QCOMPARE(calls.size(), 1);
    QCOMPARE(calls.first().kind, ApiCall::Kind::CreateGrant);
    QCOMPARE(calls.first().level, PermissionLevel::Edit);

    // Saved and restored (a crash right now), both facts are still there.
    const QString path = session.fixture.tempPath(QStringLiteral("half.db"));
    QVERIFY(changes.save(path));
    ChangeSet reread(&directory);
    QVERIFY(reread.restore(path));
    const StagedGrant* restored = reread.stagedGrant(DemoData::user2Username, ResourceType::Experiment, experiment);
    QVERIFY(restored);
    QCOMPARE(restored->revokedLevel, std::optional<PermissionLevel>(PermissionLevel::Read));
    QCOMPARE(restored->target, std::optional<PermissionLevel>(PermissionLevel::Edit));

    // Restoring the old level instead: one grant of READ, and afterwards nothing is staged.
    QVERIFY(!changes.restoreRevokedLevel(DemoData::user1Username, ResourceType::Experiment, experiment));
    QVERIFY(changes.restoreRevokedLevel(DemoData::user2Username, ResourceType::Experiment, experiment));
    calls = changes.toApiCalls();
    QCOMPARE(calls.size(), 1);
    QCOMPARE(calls.first().kind, ApiCall::Kind::CreateGrant);
    QCOMPARE(calls.first().level, PermissionLevel::Read);
    QVERIFY(!changes.stagedGrant(DemoData::user2Username, ResourceType::Experiment, experiment)->isHalfApplied());
    applied.clear();
    QVERIFY(changes.apply(session.auth.get()));
    QVERIFY(waitApplied(applied));
    QCOMPARE(applied.first().first().value<ApplySummary>().succeeded, 1);
    QVERIFY(changes.isEmpty());
    auto* check = session.auth->getGrant(DemoData::user2Username, ResourceType::Experiment, experiment);
    QVERIFY(waitFor(check));
    QVERIFY2(!check->hasError(), qPrintable(check->error().toLogString()));
    QCOMPARE(check->value().level, PermissionLevel::Read);
}

QTEST_GUILESS_MAIN(TestChangeSet)
#include "tst_changeset.moc"

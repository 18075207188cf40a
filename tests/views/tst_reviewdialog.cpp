// The review dialog names each change's resource and its old and new level, and after an apply says in one line
// what happened instead of showing emptied tables; on both generations of the embedded demo server.
// On MLflow 3.14, where a level change is a revoke and then a grant: when the grant fails after
// the revoke went through, the change stays with both facts and the dialog offers both ways out, retrying (Apply)
// and restoring the old level (Restore old levels), each one click and one apply away. On MLflow 2.15.1 the same
// change is one update call, which cannot be half applied.

#include "GuiTestSupport.h"

#include "Generations.h"

#include "api/AuthApi.h"
#include "api/Connection.h"
#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "server/DemoData.h"
#include "views/LoginDialog.h"
#include "views/MainWindow.h"
#include "views/ReviewChangesDialog.h"
#include "views/Session.h"
#include "views/UserPasswordDialog.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTreeWidget>
#include <QtTest>

class TestReviewDialog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { GuiTest::isolate(m_dir); }

    void halfAppliedChangeOffersRetryAndRestore_data() { Generations::addRows(); }
    void halfAppliedChangeOffersRetryAndRestore()
    {
        QFETCH(Dialect, generation);
        std::unique_ptr<Session> session = GuiTest::demoSession(generation);
        QVERIFY(session);
        MainWindow window(session.release());
        window.show();
        window.refresh();
        QTRY_VERIFY_WITH_TIMEOUT(window.directory()->experimentCount() > 0 && !window.directory()->isLoading(), 20000);
        Directory* directory = window.directory();
        ChangeSet* changes = window.changeSet();
        Connection* connection = window.session()->connection();
        const QString experiment = directory->resourceIdAt(
            ResourceType::Experiment, directory->experimentRowByName(QStringLiteral("/user1/experiment1")));
        ReviewChangesDialog review(changes, window.session()->auth(), &window);
        const auto applyAndWait = [&] {
            QSignalSpy applied(changes, &ChangeSet::applied);
            QTest::mouseClick(review.applyButton(), Qt::LeftButton);
            return applied.wait(20000);
        };
        QVERIFY(
            changes->stageGrant(DemoData::user2Username, ResourceType::Experiment, experiment, PermissionLevel::Read));
        review.show();
        QVERIFY(applyAndWait());
        QVERIFY(changes->isEmpty());
        QVERIFY(!review.restoreButton()->isVisible());

        // READ -> EDIT; the moment the revoke (3.14) or the update (2.15.1) is accepted the session loses its admin
        // rights, so a grant after it fails.
        QVERIFY(
            changes->stageGrant(DemoData::user2Username, ResourceType::Experiment, experiment, PermissionLevel::Edit));
        const QList<ApiCall> calls = changes->toApiCalls(PlanRules::of(*window.session()->auth()));
        QCOMPARE(calls.size(), generation.isMlflow3() ? 2 : 1);
        QCOMPARE(calls.first().kind, generation.isMlflow3() ? ApiCall::Kind::DeleteGrant : ApiCall::Kind::UpdateGrant);
        QMetaObject::Connection demote = connect(
            directory, &Directory::grantChanged, this, [&](const QString& username, ResourceType, const QString&) {
                if (username == DemoData::user2Username)
                    connection->setCredentials(DemoData::user2Username, DemoData::user2Password);
            });
        QVERIFY(applyAndWait());
        QObject::disconnect(demote);
        connection->setCredentials(DemoData::adminUsername, DemoData::adminPassword);
        if (!generation.isMlflow3()) {
            // The one update carried the whole change: nothing is left staged, there is nothing to restore.
            QVERIFY(changes->isEmpty());
            QVERIFY(!review.restoreButton()->isVisible());
            QCOMPARE(review.summary(), QStringLiteral("1 change applied."));
            QCOMPARE(directory->explicitLevel(DemoData::user2Username, ResourceType::Experiment, experiment),
                     std::optional<PermissionLevel>(PermissionLevel::Edit));
            return;
        }
        QCOMPARE(changes->count(), 1);
        QVERIFY(changes->stagedGrant(DemoData::user2Username, ResourceType::Experiment, experiment)->isHalfApplied());
        QTRY_VERIFY(review.restoreButton()->isVisible());
        const QString status = review.changesList()->topLevelItem(0)->text(1);
        QVERIFY2(status.contains(QStringLiteral("The old READ was revoked")) &&
                     status.contains(QStringLiteral("Restore old levels")),
                 qPrintable(status));

        // Restore: the old level is what is staged now, and one apply puts it back.
        QTest::mouseClick(review.restoreButton(), Qt::LeftButton);
        const StagedGrant* restored =
            changes->stagedGrant(DemoData::user2Username, ResourceType::Experiment, experiment);
        QVERIFY(restored);
        QCOMPARE(restored->target, std::optional<PermissionLevel>(PermissionLevel::Read));
        QVERIFY(!review.restoreButton()->isVisible());
        QVERIFY(applyAndWait());
        QVERIFY(changes->isEmpty());
        QCOMPARE(directory->explicitLevel(DemoData::user2Username, ResourceType::Experiment, experiment),
                 std::optional<PermissionLevel>(PermissionLevel::Read));
    }

    void showsOldAndNewLevelsAndSummarizesTheApply_data() { Generations::addRows(); }
    void showsOldAndNewLevelsAndSummarizesTheApply()
    {
        QFETCH(Dialect, generation);
        std::unique_ptr<Session> session = GuiTest::demoSession(generation);
        QVERIFY(session);
        // A user who exists at load time and is gone at apply time: the one change that fails.
        AuthApi* auth = session->auth();
        UserJob* created = auth->createUser(QStringLiteral("ghost"), QStringLiteral("ghost-password-1"));
        QVERIFY(GuiTest::waitFor(created));
        QVERIFY2(!created->hasError(), qPrintable(created->error().toLogString()));
        MainWindow* window = GuiTest::openLoadedWindow(session.release());
        QVERIFY(window);
        std::unique_ptr<MainWindow> owner(window);
        Directory* directory = window->directory();
        ChangeSet* changes = window->changeSet();
        const auto experiment = [directory](const QString& name) {
            return directory->resourceIdAt(ResourceType::Experiment, directory->experimentRowByName(name));
        };
        const QString u1e1 = experiment(QStringLiteral("/user1/experiment1"));
        const QString u2e1 = experiment(QStringLiteral("/user2/experiment1"));
        QVERIFY(changes->stageGrant(DemoData::user2Username, ResourceType::Experiment, u1e1, PermissionLevel::Read));
        QVERIFY(changes->stageGrant(DemoData::user1Username, ResourceType::Experiment, u1e1, PermissionLevel::Edit));
        QVERIFY(changes->stageGrant(QStringLiteral("ghost"), ResourceType::Experiment, u2e1, PermissionLevel::Read));

        ReviewChangesDialog* review = window->openReview();
        QStringList texts;
        for (int i = 0; i < review->changesList()->topLevelItemCount(); ++i)
            texts.append(review->changesList()->topLevelItem(i)->text(0));
        // Names, not ids; what the cell has now and what it gets.
        QVERIFY2(texts.contains(QStringLiteral("user1 on experiment /user1/experiment1: MANAGE → EDIT")),
                 qPrintable(texts.join(QLatin1Char('|'))));
        QVERIFY2(
            texts.contains(QStringLiteral("user2 on experiment /user1/experiment1: no explicit permission → READ")),
            qPrintable(texts.join(QLatin1Char('|'))));
        QVERIFY2(
            texts.contains(QStringLiteral("ghost on experiment /user2/experiment1: no explicit permission → READ")),
            qPrintable(texts.join(QLatin1Char('|'))));

        // The calls: one each on 2.15.1 (MANAGE -> EDIT is an update); on 3.14 that change is a revoke and a grant.
        QCOMPARE(review->callsList()->topLevelItemCount(), generation.isMlflow3() ? 4 : 3);

        ApiJob* removed = auth->deleteUser(QStringLiteral("ghost"));
        QVERIFY(GuiTest::waitFor(removed));
        QVERIFY(!removed->hasError());
        QSignalSpy applied(review, &ReviewChangesDialog::appliedChanges);
        QTest::mouseClick(review->applyButton(), Qt::LeftButton);
        QVERIFY(applied.wait(20000));
        const QString summary = review->findChild<QLabel*>(QStringLiteral("summaryLabel"))->text();
        QVERIFY2(summary.startsWith(QStringLiteral("2 changes applied, 1 failed: Grant READ on experiment "
                                                   "/user2/experiment1 to ghost: ")),
                 qPrintable(summary));
        QCOMPARE(review->summary(), summary);
        QCOMPARE(review->resultsList()->topLevelItemCount(), 3);
        // The failed change is still staged, so its list stays; with nothing staged, only the results show.
        QVERIFY(review->changesList()->isVisible());
        QCOMPARE(review->changesList()->topLevelItemCount(), 1);
        QVERIFY(changes->stageRevoke(QStringLiteral("ghost"), ResourceType::Experiment, u2e1));
        QVERIFY(changes->isEmpty());
        QVERIFY(changes->stageGrant(DemoData::user1Username, ResourceType::Experiment, u1e1, PermissionLevel::Manage));
        QTest::mouseClick(review->applyButton(), Qt::LeftButton);
        QVERIFY(applied.wait(20000));
        QCOMPARE(review->summary(), QStringLiteral("1 change applied."));
        QVERIFY(!review->changesList()->isVisible());
        QVERIFY(!review->callsList()->isVisible());
        QVERIFY(review->resultsList()->isVisible());
        QCOMPARE(review->resultsList()->topLevelItem(0)->text(1), QStringLiteral("applied"));
        // Opened again for the next round, the staged lists are back.
        review->close();
        QVERIFY(changes->stageGrant(DemoData::user2Username, ResourceType::Experiment, u1e1, PermissionLevel::Edit));
        window->openReview();
        QVERIFY(review->changesList()->isVisible());
        QVERIFY(!review->resultsList()->isVisible());
        changes->discard();
    }

    // Not the review dialog, but the other place an admin copies something secret from: a generated password is
    // shown in full, copied with one click, and gone from the clipboard after the delay if still there.
    void generatedPasswordIsCopiedAndClearedLater()
    {
        UserPasswordDialog dialog(UserPasswordDialog::Mode::NewUser, QString(), {});
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QCOMPARE(dialog.clipboardClearDelay(), 60000); // a minute unless told otherwise
        dialog.setProperty("clipboardClearDelay", 300);
        QCOMPARE(dialog.clipboardClearDelay(), 300);
        QVERIFY(!dialog.copyButton()->isEnabled());
        dialog.fillGeneratedPassword();
        const QString password = dialog.password();
        QCOMPARE(password.size(), 20);
        QCOMPARE(dialog.passwordEdit()->echoMode(), QLineEdit::Normal);
        // In full: the field is wide enough for every character.
        QVERIFY(dialog.passwordEdit()->fontMetrics().horizontalAdvance(password) <
                dialog.passwordEdit()->contentsRect().width());
        QVERIFY(dialog.copyButton()->isEnabled());
        QClipboard* clipboard = QGuiApplication::clipboard();
        clipboard->setText(QStringLiteral("before"));
        QTest::mouseClick(dialog.copyButton(), Qt::LeftButton);
        QCOMPARE(clipboard->text(), password);
        QVERIFY(dialog.findChild<QLabel*>(QStringLiteral("copiedLabel"))->isVisible());
        dialog.close(); // the clearing outlives the dialog
        QTRY_VERIFY_WITH_TIMEOUT(clipboard->text().isEmpty(), 5000);

        // Something copied since is left alone.
        UserPasswordDialog second(UserPasswordDialog::Mode::ResetPassword, DemoData::user1Username, {});
        second.setClipboardClearDelay(300);
        second.fillGeneratedPassword();
        QTest::mouseClick(second.copyButton(), Qt::LeftButton);
        QCOMPARE(clipboard->text(), second.password());
        clipboard->setText(QStringLiteral("something else"));
        QTest::qWait(600);
        QCOMPARE(clipboard->text(), QStringLiteral("something else"));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestReviewDialog)
#include "tst_reviewdialog.moc"

// The review dialog on MLflow 3.14, where a level change is a revoke and then a grant: when the grant fails after
// the revoke went through, the change stays with both facts and the dialog offers both ways out, retrying (Apply)
// and restoring the old level (Restore old levels), each one click and one apply away.

#include "GuiTestSupport.h"
#include "api/AuthApi.h"
#include "api/Connection.h"
#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "server/DemoData.h"
#include "views/LoginDialog.h"
#include "views/MainWindow.h"
#include "views/ReviewChangesDialog.h"
#include "views/Session.h"

#include <QPushButton>
#include <QSignalSpy>
#include <QTreeWidget>
#include <QtTest>

class TestReviewDialog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { GuiTest::isolate(m_dir); }

    void halfAppliedChangeOffersRetryAndRestore()
    {
        std::unique_ptr<Session> session = GuiTest::demoSession(GuiTest::mlflow3());
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

        // READ -> EDIT; the moment the revoke is accepted the session loses its admin rights, so the grant fails.
        QVERIFY(
            changes->stageGrant(DemoData::user2Username, ResourceType::Experiment, experiment, PermissionLevel::Edit));
        QMetaObject::Connection demote = connect(
            directory, &Directory::grantChanged, this, [&](const QString& username, ResourceType, const QString&) {
                if (username == DemoData::user2Username)
                    connection->setCredentials(DemoData::user2Username, DemoData::user2Password);
            });
        QVERIFY(applyAndWait());
        QObject::disconnect(demote);
        connection->setCredentials(DemoData::adminUsername, DemoData::adminPassword);
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

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestReviewDialog)
#include "tst_reviewdialog.moc"

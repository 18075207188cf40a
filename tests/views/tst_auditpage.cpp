// The Audit page and review mode on both generations of the embedded demo server: an applied grant shows on the
// page (which the console's own recorder wrote), the filters narrow it, Verify and Export work; a review campaign
// that keeps one grant and revokes another stages exactly that revoke and records the campaign.

#include "GuiTestSupport.h"

#include "Generations.h"

#include "models/AuditLogModel.h"
#include "models/AuditRecorder.h"
#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "server/DemoData.h"
#include "views/AuditPage.h"
#include "views/MainWindow.h"
#include "views/RecertificationDialog.h"
#include "views/ReviewChangesDialog.h"
#include "views/Session.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTableWidget>
#include <QtTest>

class TestAuditPage : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<MainWindow> openDemo(const Dialect& generation)
    {
        std::unique_ptr<Session> session = GuiTest::demoSession(generation);
        if (!session)
            return nullptr;
        return std::unique_ptr<MainWindow>(GuiTest::openLoadedWindow(session.release()));
    }
    static QString experimentId(MainWindow& window, const QString& name)
    {
        const int row = window.directory()->experimentRowByName(name);
        return row >= 0 ? window.directory()->experimentAt(row).id : QString();
    }
    static bool applyThroughReview(MainWindow& window)
    {
        ReviewChangesDialog* review = window.openReview();
        QSignalSpy applied(window.changeSet(), &ChangeSet::applied);
        QTest::mouseClick(review->applyButton(), Qt::LeftButton);
        const bool ok = applied.wait(20000);
        review->close();
        return ok;
    }
    static QString cell(AuditPage* page, int row, AuditLogModel::Column column)
    {
        return page->proxy()->index(row, column).data().toString();
    }

private slots:
    void initTestCase() { GuiTest::isolate(m_dir); }

    void appliedGrantShowsAndFiltersNarrowIt_data() { Generations::addRows(); }
    void appliedGrantShowsAndFiltersNarrowIt()
    {
        QFETCH(Dialect, generation);
        std::unique_ptr<MainWindow> window = openDemo(generation);
        QVERIFY(window);
        AuditPage* page = window->auditPage();
        QVERIFY(page);

        // Listed in the page list on every generation, with its Ctrl+6 shortcut.
        auto* pages = window->findChild<QListWidget*>(QStringLiteral("pageList"));
        QVERIFY(!pages->item(MainWindow::AuditPageIndex)->isHidden());
        QCOMPARE(pages->item(MainWindow::AuditPageIndex)->text(), QStringLiteral("Audit"));
        auto* show = window->findChild<QAction*>(QStringLiteral("showPage6Action"));
        QVERIFY(show);
        QCOMPARE(show->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_6));
        show->trigger();
        QCOMPARE(window->currentPage(), MainWindow::AuditPageIndex);
        QCOMPARE(page->model()->rowCount(), 0);

        ChangeSet* changes = window->changeSet();
        QVERIFY(changes->stageGrant(DemoData::user2Username, ResourceType::Experiment,
                                    experimentId(*window, QStringLiteral("/user1/experiment1")),
                                    PermissionLevel::Read));
        QVERIFY(applyThroughReview(*window));
        QVERIFY(changes->isEmpty());
        QCOMPARE(page->model()->rowCount(), 1);
        QCOMPARE(cell(page, 0, AuditLogModel::ChangeColumn), QStringLiteral("grant.create"));
        QVERIFY(cell(page, 0, AuditLogModel::SubjectColumn).contains(QStringLiteral("user2")));
        QVERIFY(cell(page, 0, AuditLogModel::SubjectColumn).contains(QStringLiteral("/user1/experiment1")));
        QCOMPARE(cell(page, 0, AuditLogModel::BeforeColumn), QStringLiteral("none"));
        QCOMPARE(cell(page, 0, AuditLogModel::AfterColumn), QStringLiteral("READ"));
        QCOMPARE(cell(page, 0, AuditLogModel::ResultColumn), QStringLiteral("applied"));
        QVERIFY(cell(page, 0, AuditLogModel::ActorColumn).startsWith(QStringLiteral("admin")));
        QCOMPARE(page->model()->entryAt(0).value(QStringLiteral("origin")).toString(), QStringLiteral("console"));

        QVERIFY(changes->stageGrant(DemoData::user1Username, ResourceType::Experiment,
                                    experimentId(*window, QStringLiteral("/user2/experiment1")),
                                    PermissionLevel::Edit));
        QVERIFY(applyThroughReview(*window));
        QCOMPARE(page->model()->rowCount(), 2);

        QTest::keyClicks(page->userFilterEdit(), QStringLiteral("user2"));
        QCOMPARE(page->proxy()->rowCount(), 1);
        QCOMPARE(cell(page, 0, AuditLogModel::AfterColumn), QStringLiteral("READ"));
        page->resourceFilterEdit()->setText(QStringLiteral("/user2/experiment1"));
        QCOMPARE(page->proxy()->rowCount(), 0);
        page->userFilterEdit()->clear();
        QCOMPARE(page->proxy()->rowCount(), 1);
        QCOMPARE(cell(page, 0, AuditLogModel::AfterColumn), QStringLiteral("EDIT"));
        page->resourceFilterEdit()->clear();
        page->dateRangeBox()->setChecked(true);
        page->sinceEdit()->setDate(QDate::currentDate().addDays(-1));
        page->untilEdit()->setDate(QDate::currentDate().addDays(1));
        QCOMPARE(page->proxy()->rowCount(), 2);
        page->sinceEdit()->setDate(QDate::currentDate().addDays(1));
        QCOMPARE(page->proxy()->rowCount(), 0);
        page->dateRangeBox()->setChecked(false);
        QCOMPARE(page->proxy()->rowCount(), 2);

        QTest::mouseClick(page->findChild<QPushButton*>(QStringLiteral("auditVerifyButton")), Qt::LeftButton);
        QVERIFY2(page->chainLabel()->text().contains(QStringLiteral("intact: 2 entries")),
                 qPrintable(page->chainLabel()->text()));

        page->userFilterEdit()->setText(QStringLiteral("user1"));
        const QString csvPath = m_dir.filePath(QStringLiteral("audit-%1.csv").arg(Generations::rowName(generation)));
        QVERIFY(page->exportTo(csvPath));
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = csv.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        QVERIFY(lines.at(0).startsWith("seq,time,"));
        QVERIFY(lines.at(1).contains("grant.create") && lines.at(1).contains("EDIT"));
        page->userFilterEdit()->clear();
        const QString jsonPath = m_dir.filePath(QStringLiteral("audit-%1.json").arg(Generations::rowName(generation)));
        QVERIFY(page->exportTo(jsonPath));
        QFile json(jsonPath);
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonArray exported = QJsonDocument::fromJson(json.readAll()).array();
        QCOMPARE(exported.size(), 2);
        QCOMPARE(exported.at(1).toObject().value(QStringLiteral("hash")).toString(),
                 AuditTrail::hashOf(exported.at(1).toObject()));

        // An edited entry: Verify says where.
        QFile trail(page->trailPath());
        QVERIFY(trail.open(QIODevice::ReadOnly));
        QByteArray bytes = trail.readAll();
        trail.close();
        bytes.replace("\"after\":\"READ\"", "\"after\":\"MANAGE\"");
        QVERIFY(trail.open(QIODevice::WriteOnly | QIODevice::Truncate));
        trail.write(bytes);
        trail.close();
        QVERIFY(!page->verify().ok);
        QVERIFY2(page->chainLabel()->text().contains(QStringLiteral("entry 1 (line 1)")),
                 qPrintable(page->chainLabel()->text()));
        window->changeSet()->discard();
    }

    void reviewKeepsOneRevokesOneAndRecordsTheCampaign_data() { Generations::addRows(); }
    void reviewKeepsOneRevokesOneAndRecordsTheCampaign()
    {
        QFETCH(Dialect, generation);
        std::unique_ptr<MainWindow> window = openDemo(generation);
        QVERIFY(window);
        window->showPage(MainWindow::AuditPageIndex);
        QTest::mouseClick(window->auditPage()->reviewButton(), Qt::LeftButton);
        RecertificationDialog* dialog = window->recertificationDialog();
        QVERIFY(dialog);
        QVERIFY(QTest::qWaitForWindowExposed(dialog));

        // user1's explicit grants: the MANAGE it got on the two experiments it created.
        dialog->scopeBox()->setCurrentIndex(1);
        dialog->subjectBox()->setCurrentIndex(dialog->subjectBox()->findText(DemoData::user1Username));
        QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("startReviewButton")), Qt::LeftButton);
        ReviewCampaign* campaign = dialog->campaign();
        QVERIFY(campaign);
        QCOMPARE(campaign->count(), 2);
        for (const ReviewCampaign::Item& item : campaign->items())
            QCOMPARE(item.username, DemoData::user1Username);
        QVERIFY(dialog->progressLabel()->text().contains(QStringLiteral("0 of 2 decided")));

        // K keeps the first and moves on; R revokes the second.
        dialog->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(dialog));
        QTest::keyClick(dialog->grantsView(), Qt::Key_K);
        QCOMPARE(campaign->item(0).decision, ReviewCampaign::Decision::Keep);
        QCOMPARE(campaign->current(), 1);
        QTest::keyClick(dialog->grantsView(), Qt::Key_R);
        QCOMPARE(campaign->item(1).decision, ReviewCampaign::Decision::Revoke);
        QVERIFY2(dialog->progressLabel()->text().contains(QStringLiteral("2 of 2 decided, 1 to revoke")),
                 qPrintable(dialog->progressLabel()->text()));
        QCOMPARE(dialog->grantsView()->item(1, 3)->text(), QStringLiteral("✖ Revoke"));
        const ReviewCampaign::Item revoked = campaign->item(1);
        const ReviewCampaign::Item kept = campaign->item(0);
        const QString id = campaign->id();

        // The campaign's document for its report, before it is finished: JSON and CSV, owner-only.
        QString error;
        const QString jsonPath =
            m_dir.filePath(QStringLiteral("campaign-%1.json").arg(Generations::rowName(generation)));
        QVERIFY2(dialog->exportCampaign(jsonPath, &error), qPrintable(error));
        QFile jsonFile(jsonPath);
        QVERIFY(jsonFile.open(QIODevice::ReadOnly));
        const QJsonObject exported = QJsonDocument::fromJson(jsonFile.readAll()).object();
        QCOMPARE(exported.value(QStringLiteral("id")).toString(), id);
        QCOMPARE(exported.value(QStringLiteral("revoked")).toInt(), 1);
        QCOMPARE(QFile::permissions(jsonPath) & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
        const QString csvPath = m_dir.filePath(QStringLiteral("campaign-%1.csv").arg(Generations::rowName(generation)));
        QVERIFY2(dialog->exportCampaign(csvPath, &error), qPrintable(error));
        QFile csvFile(csvPath);
        QVERIFY(csvFile.open(QIODevice::ReadOnly));
        const QString csv = QString::fromUtf8(csvFile.readAll());
        QVERIFY2(csv.contains(revoked.resourceName) && csv.contains(QStringLiteral("revoke")), qPrintable(csv));
        QVERIFY(!dialog->exportCampaign(m_dir.filePath(QStringLiteral("no-such-folder/c.json")), &error));
        QVERIFY(!error.isEmpty());

        QVERIFY(window->changeSet()->isEmpty());
        QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("finishReviewButton")), Qt::LeftButton);
        ChangeSet* changes = window->changeSet();
        QCOMPARE(changes->count(), 1);
        const StagedGrant* staged = changes->stagedGrant(revoked.username, revoked.type, revoked.resourceId);
        QVERIFY(staged);
        QVERIFY(!staged->target.has_value());
        QVERIFY(!changes->stagedGrant(kept.username, kept.type, kept.resourceId));

        AuditPage* page = window->auditPage();
        QCOMPARE(page->model()->rowCount(), 1);
        const QJsonObject entry = page->model()->entryAt(0);
        QCOMPARE(entry.value(QStringLiteral("kind")).toString(), QStringLiteral("review.campaign"));
        const QJsonObject record = entry.value(QStringLiteral("campaign")).toObject();
        QCOMPARE(record.value(QStringLiteral("id")).toString(), id);
        QCOMPARE(record.value(QStringLiteral("reviewer")).toString(), DemoData::adminUsername);
        QCOMPARE(record.value(QStringLiteral("kept")).toInt(), 1);
        QCOMPARE(record.value(QStringLiteral("revoked")).toInt(), 1);
        const QJsonArray decisions = record.value(QStringLiteral("decisions")).toArray();
        QCOMPARE(decisions.size(), 2);
        QCOMPARE(decisions.at(1).toObject().value(QStringLiteral("decision")).toString(), QStringLiteral("revoke"));
        QCOMPARE(decisions.at(1).toObject().value(QStringLiteral("resource_id")).toString(), revoked.resourceId);
        QVERIFY(!decisions.at(0).toObject().value(QStringLiteral("decided_at")).toString().isEmpty());

        // The revoke is applied like any other change and recorded as one.
        QVERIFY(applyThroughReview(*window));
        QVERIFY(changes->isEmpty());
        QCOMPARE(window->directory()->explicitLevel(revoked.username, revoked.type, revoked.resourceId),
                 std::optional<PermissionLevel>());
        QCOMPARE(page->model()->rowCount(), 2);
        QCOMPARE(page->model()->entryAt(1).value(QStringLiteral("kind")).toString(), QStringLiteral("grant.revoke"));
        QVERIFY(page->verify().ok);
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestAuditPage)
#include "tst_auditpage.moc"

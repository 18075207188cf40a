// GUI tests of Save snapshot and the access matrix's Compare mode, on both generations (embedded MLflow 2.15.1 and
// 3.14 demo servers over loopback, signed in through the real login dialog).

#include "AdminWindowTest.h"
#include "GuiTestSupport.h"

#include "Generations.h"

#include "models/AccessMatrixModel.h"
#include "models/AccessSnapshot.h"
#include "models/Directory.h"
#include "models/ModelRoles.h"
#include "models/SnapshotDiff.h"
#include "server/DemoData.h"
#include "views/AccessMatrixPage.h"
#include "views/MainWindow.h"
#include "views/ReviewChangesDialog.h"

#include <QDir>
#include <QFile>
#include <QFont>
#include <QLabel>
#include <QMenuBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>

class TestSnapshotCompare : public GuiTest::AdminWindowTest
{
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(setUpWindows()); }
    void cleanup() { closeTestWindow(); }

    void saveThenCompareShowsTheAppliedGrant_data() { Generations::addRows(); }
    void saveThenCompareShowsTheAppliedGrant();

private:
    bool applyThroughReview();
};

bool TestSnapshotCompare::applyThroughReview()
{
    m_window->reviewAction()->trigger();
    ReviewChangesDialog* review = m_window->reviewDialog();
    if (!review || !review->applyButton()->isEnabled())
        return false;
    QSignalSpy applied(review, &ReviewChangesDialog::appliedChanges);
    QTest::mouseClick(review->applyButton(), Qt::LeftButton);
    if (!applied.wait(20000))
        return false;
    review->close();
    return true;
}

void TestSnapshotCompare::saveThenCompareShowsTheAppliedGrant()
{
    QFETCH(Dialect, generation);
    m_window = openWindow(generation);
    QVERIFY(m_window);
    Directory* directory = m_window->directory();
    const QString u1e1 = experimentId(QStringLiteral("/user1/experiment1"));
    QVERIFY(!u1e1.isEmpty());
    QVERIFY(!directory->explicitLevel(DemoData::user2Username, ResourceType::Experiment, u1e1));

    // The File menu offers it.
    QMenu* file = m_window->menuBar()->findChildren<QMenu*>().value(0);
    QVERIFY(file);
    QVERIFY(file->actions().contains(m_window->saveSnapshotAction()));
    QVERIFY(file->actions().contains(m_window->compareSnapshotAction()));

    const QString path = m_dir.filePath(QStringLiteral("before-%1.json").arg(Generations::rowName(generation)));
    QString error;
    QVERIFY2(m_window->saveSnapshot(path, &error), qPrintable(error));
    QCOMPARE(QFile::permissions(path) & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
             QFile::Permissions());
    QFile saved(path);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    const auto snapshot = AccessSnapshot::fromJson(saved.readAll(), &error);
    QVERIFY2(snapshot, qPrintable(error));
    QCOMPARE(snapshot->users().size(), directory->userCount());
    QCOMPARE(snapshot->serverUrl(), m_window->session()->connection()->baseUrl().toString());
    QCOMPARE(snapshot->generation(), directory->generation());
    QCOMPARE(m_window->lastSnapshotPath(), QFileInfo(path).absoluteFilePath());

    // Stage and apply one grant: user2 READ on user1's first experiment; a snapshot is saved after the apply.
    m_window->autoSnapshotAction()->setChecked(true);
    QDir autoFolder(MainWindow::autoSnapshotFolder());
    const QStringList autoBefore = autoFolder.entryList({QStringLiteral("*.json")}, QDir::Files);
    m_window->showPage(MainWindow::MatrixPageIndex);
    AccessMatrixPage* page = m_window->matrixPage();
    QModelIndex cell = page->indexFor(DemoData::user2Username, u1e1);
    QVERIFY(cell.isValid());
    page->view()->setCurrentIndex(cell);
    QCOMPARE(page->setSelection(PermissionLevel::Read), 1);
    QVERIFY(applyThroughReview());
    QCOMPARE(directory->explicitLevel(DemoData::user2Username, ResourceType::Experiment, u1e1),
             std::optional<PermissionLevel>(PermissionLevel::Read));
    m_window->autoSnapshotAction()->setChecked(false);
    const QStringList autoAfter = autoFolder.entryList({QStringLiteral("*.json")}, QDir::Files);
    QCOMPARE(autoAfter.size(), autoBefore.size() + 1);
    QString autoPath;
    for (const QString& name : autoAfter) {
        if (!autoBefore.contains(name))
            autoPath = autoFolder.filePath(name);
    }
    QCOMPARE(QFile::permissions(autoFolder.path()) & (QFile::ReadGroup | QFile::ReadOther | QFile::ExeOther),
             QFile::Permissions());
    QCOMPARE(QFile::permissions(autoPath) & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
    QFile automatic(autoPath);
    QVERIFY(automatic.open(QIODevice::ReadOnly));
    const auto afterApply = AccessSnapshot::fromJson(automatic.readAll(), &error);
    QVERIFY2(afterApply, qPrintable(error));
    QVERIFY(afterApply->cell(DemoData::user2Username, ResourceType::Experiment, u1e1));
    QCOMPARE(afterApply->cell(DemoData::user2Username, ResourceType::Experiment, u1e1)->permission.level,
             PermissionLevel::Read);

    QVERIFY(!page->isComparing());
    QVERIFY(m_window->compareWithSnapshot(path, &error));
    QVERIFY(page->isComparing());
    QVERIFY(page->compareBar()->isVisible());
    cell = page->indexFor(DemoData::user2Username, u1e1);
    QCOMPARE(cell.data(Qt::DisplayRole).toString(), QStringLiteral("+READ"));
    QCOMPARE(cell.data(ModelRoles::ComparisonRole).toInt(), static_cast<int>(SnapshotDiff::Change::Gained));
    const QString tip = cell.data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(QLatin1String("gained")) && tip.contains(QLatin1String("READ: explicit grant")),
             qPrintable(tip));
    // Every other cell is unchanged, and shows what it showed before.
    const QAbstractItemModel* model = page->view()->model();
    int changed = 0;
    for (int row = 0; row < model->rowCount(); ++row) {
        for (int column = 0; column < model->columnCount(); ++column) {
            const QModelIndex index = model->index(row, column);
            // Only what changed is tinted and bold, so it stands out; its text says how, without the colour.
            if (index.data(ModelRoles::ComparisonRole).toInt() >= 0) {
                ++changed;
                QVERIFY(index.data(Qt::BackgroundRole).isValid());
                QVERIFY(index.data(Qt::FontRole).value<QFont>().bold());
            } else {
                QVERIFY2(!index.data().toString().startsWith(QLatin1Char('+')), qPrintable(index.data().toString()));
                QVERIFY(!index.data(Qt::BackgroundRole).isValid());
                QVERIFY(!index.data(Qt::FontRole).isValid());
            }
        }
    }
    QCOMPARE(changed, 1);
    const QString summary = page->compareSummary()->text();
    QVERIFY2(summary.contains(QLatin1String("Experiments: 1 gained. Registered models: no change.")),
             qPrintable(summary));
    QVERIFY(summary.contains(QFileInfo(path).fileName()));

    // Leaving Compare mode gives the plain matrix back; "last snapshot" brings it again.
    QTest::mouseClick(page->leaveCompareButton(), Qt::LeftButton);
    QVERIFY(!page->isComparing());
    QVERIFY(!page->compareBar()->isVisible());
    QVERIFY(!cell.data().toString().startsWith(QLatin1Char('+')));
    QCOMPARE(cell.data(ModelRoles::ComparisonRole).toInt(), -1);
    m_window->compareLastSnapshotAction()->trigger();
    QVERIFY(page->isComparing());
    QCOMPARE(cell.data().toString(), QStringLiteral("+READ"));

    // A snapshot saved now has nothing to show.
    const QString now = m_dir.filePath(QStringLiteral("after-%1.json").arg(Generations::rowName(generation)));
    QVERIFY2(m_window->saveSnapshot(now, &error), qPrintable(error));
    QVERIFY(m_window->compareWithSnapshot(now, &error));
    QCOMPARE(cell.data(ModelRoles::ComparisonRole).toInt(), -1);
    QVERIFY2(page->compareSummary()->text().contains(QLatin1String("No cell changed.")),
             qPrintable(page->compareSummary()->text()));

    // A file that is not a snapshot is refused with the reason, and Compare mode stays as it was.
    const QString garbage = m_dir.filePath(QStringLiteral("garbage.json"));
    QFile bad(garbage);
    QVERIFY(bad.open(QIODevice::WriteOnly | QIODevice::Truncate));
    bad.write("user,resource\n");
    bad.close();
    QVERIFY(!m_window->compareWithSnapshot(garbage, &error));
    QVERIFY2(error.contains(QLatin1String("not JSON")), qPrintable(error));
    QVERIFY(page->isComparing());
}

QTEST_MAIN(TestSnapshotCompare)
#include "tst_snapshotcompare.moc"

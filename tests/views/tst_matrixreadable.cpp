// GUI tests of the console at scale, on both generations (an embedded MLflow 2.15.1 and 3.14 demo server over
// loopback, signed in through the real login dialog): elided headers with their tooltip, remembered column widths,
// the matrix's cells filter, the per-user access panel, staged cells that stand out, the keyboard (Tab leaves the
// tables, R acts on the current cell), "default (unknown)", staged users in the page counts, and mnemonics.

#include "AdminWindowTest.h"
#include "GuiTestSupport.h"
#include "ServerFixture.h"

#include "Generations.h"

#include "api/Connection.h"
#include "api/RbacAuthApi.h"
#include "api/ServerProbe.h"
#include "models/AccessMatrixModel.h"
#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "models/MatrixFilterProxy.h"
#include "models/ModelRoles.h"
#include "models/UserAccessModel.h"
#include "models/UsersModel.h"
#include "server/DemoData.h"
#include "services/ProfileStore.h"
#include "views/AccessMatrixPage.h"
#include "views/ElidingHeaderView.h"
#include "views/LoginDialog.h"
#include "views/MainWindow.h"
#include "views/MessageBox.h"
#include "views/ResourcePage.h"
#include "views/UserAccessPanel.h"
#include "views/UsersPage.h"

#include <QAbstractButton>
#include <QApplication>
#include <QComboBox>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSet>
#include <QTableView>

#include <memory>

class TestMatrixReadable : public GuiTest::AdminWindowTest
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();

    void headerElidesInTheMiddle_data() { Generations::addRows(); }
    void headerElidesInTheMiddle();
    void columnWidthsAreRemembered_data() { Generations::addRows(); }
    void columnWidthsAreRemembered();
    void cellFiltersHideEmptyUsersAndResources_data() { Generations::addRows(); }
    void cellFiltersHideEmptyUsersAndResources();
    void userPanelListsAccessWithReasons_data() { Generations::addRows(); }
    void userPanelListsAccessWithReasons();
    void keysActOnTheCurrentCellAndStagedCellsStandOut_data() { Generations::addRows(); }
    void keysActOnTheCurrentCellAndStagedCellsStandOut();
    void tabLeavesTheTables_data() { Generations::addRows(); }
    void tabLeavesTheTables();
    void unknownDefaultIsSaid_data() { Generations::addRows(); }
    void unknownDefaultIsSaid();
    void pageCountsIncludeStagedUsers_data() { Generations::addRows(); }
    void pageCountsIncludeStagedUsers();
    void mnemonicsDoNotClash_data() { Generations::addRows(); }
    void mnemonicsDoNotClash();
    void fitsASmallScreen_data() { Generations::addRows(); }
    void fitsASmallScreen();

private:
    // Creates the experiment as the admin (when it does not exist yet) and reloads the window.
    bool createExperiment(const Dialect& generation, const QString& name);
};

void TestMatrixReadable::initTestCase()
{
    QVERIFY(setUpWindows());
}

void TestMatrixReadable::cleanup()
{
    closeTestWindow();
}

bool TestMatrixReadable::createExperiment(const Dialect& generation, const QString& name)
{
    if (!experimentId(name).isEmpty())
        return true;
    Connection admin(m_servers.of(generation).server().url(), DemoData::adminUsername, DemoData::adminPassword);
    ApiReply* reply =
        admin.post(QStringLiteral("/api/2.0/mlflow/experiments/create"), QJsonObject{{QStringLiteral("name"), name}});
    if (!GuiTest::waitFor(reply) || reply->hasError()) {
        qWarning("Experiment not created: %s", qPrintable(reply->error().toLogString()));
        delete reply;
        return false;
    }
    delete reply;
    QSignalSpy loaded(m_window, &MainWindow::loadFinished);
    m_window->refresh();
    return loaded.wait(20000) && loaded.first().first().toBool() && !experimentId(name).isEmpty();
}

void TestMatrixReadable::headerElidesInTheMiddle()
{
    QFETCH(Dialect, generation);
    m_window = openWindow(generation);
    QVERIFY(m_window);
    const QString longName = QStringLiteral("/team094/forecasting/nightly-retraining/experiment019994");
    QVERIFY(createExperiment(generation, longName));
    m_window->showPage(MainWindow::MatrixPageIndex);
    AccessMatrixPage* page = m_window->matrixPage();
    const QModelIndex cell = page->indexFor(DemoData::user1Username, experimentId(longName));
    QVERIFY(cell.isValid());
    auto* header = qobject_cast<ElidingHeaderView*>(page->view()->horizontalHeader());
    QVERIFY(header);
    const int narrow = header->fontMetrics().horizontalAdvance(QStringLiteral("/team094/…/experiment019994")) + 40;
    header->resizeSection(cell.column(), narrow);

    // The beginning and the end survive, the middle goes; the header's tooltip has the whole name.
    const QString shown = header->displayedText(cell.column());
    QVERIFY2(shown.startsWith(QStringLiteral("/team094/")) && shown.endsWith(QStringLiteral("/experiment019994")) &&
                 shown.contains(QStringLiteral("…")) && shown.size() < longName.size(),
             qPrintable(shown));
    QVERIFY(header->fontMetrics().horizontalAdvance(shown) <= narrow);
    // Narrower, the end still names it.
    header->resizeSection(cell.column(),
                          header->fontMetrics().horizontalAdvance(QStringLiteral("…/experiment019994")) + 30);
    QCOMPARE(header->displayedText(cell.column()), QStringLiteral("…/experiment019994"));
    const QString tooltip =
        page->view()->model()->headerData(cell.column(), Qt::Horizontal, Qt::ToolTipRole).toString();
    QVERIFY2(tooltip.contains(longName), qPrintable(tooltip));
    // Wide enough, nothing is cut.
    header->resizeSection(cell.column(), header->fontMetrics().horizontalAdvance(longName) + 40);
    QCOMPARE(header->displayedText(cell.column()), longName);
    // A short name is left alone at the default width.
    const QModelIndex shortCell =
        page->indexFor(DemoData::user1Username, experimentId(QStringLiteral("/user1/experiment1")));
    QCOMPARE(header->displayedText(shortCell.column()), QStringLiteral("/user1/experiment1"));
}

void TestMatrixReadable::columnWidthsAreRemembered()
{
    QFETCH(Dialect, generation);
    m_window = openWindow(generation);
    QVERIFY(m_window);
    m_window->showPage(MainWindow::MatrixPageIndex);
    AccessMatrixPage* page = m_window->matrixPage();
    const QString e1 = experimentId(QStringLiteral("/user1/experiment1"));
    const QString e2 = experimentId(QStringLiteral("/user1/experiment2"));
    QHeaderView* matrixHeader = page->view()->horizontalHeader();
    const int defaultWidth = matrixHeader->defaultSectionSize();
    const int matrixWidth = defaultWidth + 77;
    matrixHeader->resizeSection(page->indexFor(DemoData::user1Username, e1).column(), matrixWidth);
    m_window->showPage(MainWindow::UsersPageIndex);
    QHeaderView* usersHeader = m_window->usersPage()->view()->horizontalHeader();
    const int usersWidth = usersHeader->sectionSize(UsersModel::Admin) + 31;
    usersHeader->resizeSection(UsersModel::Admin, usersWidth);
    QHeaderView* experimentsHeader = m_window->experimentsPage()->view()->horizontalHeader();
    const int experimentsWidth = experimentsHeader->sectionSize(0) + 45;
    experimentsHeader->resizeSection(0, experimentsWidth);
    delete m_window;
    m_window = nullptr;

    // A new window, as at the next start: each page gets its widths back, and the matrix's follow the experiment.
    m_window = openWindow(generation);
    QVERIFY(m_window);
    page = m_window->matrixPage();
    QCOMPARE(page->view()->horizontalHeader()->sectionSize(page->indexFor(DemoData::user1Username, e1).column()),
             matrixWidth);
    QCOMPARE(page->view()->horizontalHeader()->sectionSize(page->indexFor(DemoData::user1Username, e2).column()),
             defaultWidth);
    QCOMPARE(m_window->usersPage()->view()->horizontalHeader()->sectionSize(UsersModel::Admin), usersWidth);
    QCOMPARE(m_window->experimentsPage()->view()->horizontalHeader()->sectionSize(0), experimentsWidth);
    // The users-as-columns layout is another set of sections; back to users as rows, the width is there again.
    page->orientationCombo()->setCurrentIndex(1);
    page->orientationCombo()->setCurrentIndex(0);
    QTRY_COMPARE(page->view()->horizontalHeader()->sectionSize(page->indexFor(DemoData::user1Username, e1).column()),
                 matrixWidth);
}

void TestMatrixReadable::cellFiltersHideEmptyUsersAndResources()
{
    QFETCH(Dialect, generation);
    m_window = openWindow(generation);
    QVERIFY(m_window);
    m_window->showPage(MainWindow::MatrixPageIndex);
    AccessMatrixPage* page = m_window->matrixPage();
    // The demo's own setting, so that "no grant" means no access.
    m_window->directory()->setDefaultPermission(PermissionLevel::NoPermissions);
    // A staged user with nothing yet: a row in "All cells" only.
    QVERIFY(m_window->changeSet()->stageCreateUser(QStringLiteral("newcomer"), QStringLiteral("Newcomer-Pass-1234")));
    const QString defaultExperiment = experimentId(QStringLiteral("Default"));
    const QString e1 = experimentId(QStringLiteral("/user1/experiment1"));
    const QString u2e1 = experimentId(QStringLiteral("/user2/experiment1"));
    QVERIFY(!defaultExperiment.isEmpty() && !e1.isEmpty() && !u2e1.isEmpty());
    QAbstractItemModel* shown = page->view()->model();
    const auto rowShown = [&](const QString& user) {
        for (int row = 0; row < shown->rowCount(); ++row) {
            if (shown->headerData(row, Qt::Vertical, ModelRoles::UsernameRole).toString() == user)
                return true;
        }
        return false;
    };
    const auto columnShown = [&](const QString& id) {
        for (int column = 0; column < shown->columnCount(); ++column) {
            if (shown->headerData(column, Qt::Horizontal, ModelRoles::ResourceIdRole).toString() == id)
                return true;
        }
        return false;
    };
    const auto choose = [&](MatrixFilterProxy::CellFilter filter) {
        QComboBox* combo = page->cellFilterCombo();
        combo->setCurrentIndex(combo->findData(static_cast<int>(filter)));
        QCOMPARE(page->proxy()->cellFilter(), filter);
    };

    QVERIFY(rowShown(QStringLiteral("newcomer")));
    QVERIFY(columnShown(defaultExperiment));

    // Only cells with access: the Default experiment (only the admin reaches it) and the newcomer go; the admin stays.
    choose(MatrixFilterProxy::CellFilter::CellsWithAccess);
    QVERIFY(!columnShown(defaultExperiment));
    QVERIFY(!rowShown(QStringLiteral("newcomer")));
    QVERIFY(columnShown(e1) && columnShown(u2e1));
    QVERIFY(rowShown(DemoData::user1Username) && rowShown(DemoData::user2Username));
    QVERIFY(rowShown(DemoData::adminUsername));
    // Among the rows the text filter keeps: user2 alone reaches only its own experiment.
    QTest::keyClicks(page->rowFilterEdit(), DemoData::user2Username);
    page->applyFilters();
    QCOMPARE(shown->rowCount(), 1);
    QVERIFY(columnShown(u2e1) && !columnShown(e1));
    page->rowFilterEdit()->clear();
    page->applyFilters();
    QVERIFY(columnShown(e1));

    // Only explicit grants: the admin holds none on the demo's experiments either.
    choose(MatrixFilterProxy::CellFilter::ExplicitGrants);
    QVERIFY(!columnShown(defaultExperiment));
    QVERIFY(rowShown(DemoData::user1Username) && rowShown(DemoData::user2Username));
    QVERIFY(!rowShown(QStringLiteral("newcomer")));
    // A staged grant counts as something to show, once the event that staged it is over.
    QVERIFY(m_window->changeSet()->stageGrant(QStringLiteral("newcomer"), ResourceType::Experiment, defaultExperiment,
                                              PermissionLevel::Read));
    QTRY_VERIFY(columnShown(defaultExperiment));
    QVERIFY(rowShown(QStringLiteral("newcomer")));
    // The orientation switch keeps the filter: users are columns now, resources rows.
    page->orientationCombo()->setCurrentIndex(1);
    bool newcomerColumn = false;
    for (int column = 0; column < shown->columnCount(); ++column)
        newcomerColumn |= shown->headerData(column, Qt::Horizontal, ModelRoles::UsernameRole).toString() ==
                          QStringLiteral("newcomer");
    QVERIFY(newcomerColumn);
    QVERIFY(page->indexFor(QStringLiteral("newcomer"), defaultExperiment).isValid());
    page->orientationCombo()->setCurrentIndex(0);

    choose(MatrixFilterProxy::CellFilter::AllCells);
    QVERIFY(rowShown(DemoData::adminUsername));
    QCOMPARE(shown->columnCount(), m_window->directory()->experimentCount());
}

void TestMatrixReadable::userPanelListsAccessWithReasons()
{
    QFETCH(Dialect, generation);
    const QString roleName = QStringLiteral("panel-readers");
    if (generation.isMlflow3()) {
        // A named role gives user1 READ on user2's experiment: the panel must name it as the reason.
        Connection admin(m_servers.of(generation).server().url(), DemoData::adminUsername, DemoData::adminPassword);
        ServerProbe* probe = ServerProbe::run(&admin);
        QVERIFY(GuiTest::waitFor(probe));
        std::unique_ptr<AuthApi> auth(probe->createAuthApi());
        auto* rbac = dynamic_cast<RbacAuthApi*>(auth.get());
        QVERIFY(rbac);
        RoleJob* role = rbac->createRole(roleName, QStringLiteral("default"));
        QVERIFY(GuiTest::waitFor(role));
        QVERIFY2(!role->hasError(), qPrintable(role->error().toLogString()));
        const qint64 roleId = role->value().id;
        delete role;
        // The id of /user2/experiment1, from the server.
        ApiReply* byName =
            admin.get(QStringLiteral("/api/2.0/mlflow/experiments/get-by-name"),
                      QUrlQuery{{QStringLiteral("experiment_name"), QStringLiteral("/user2/experiment1")}});
        QVERIFY(GuiTest::waitFor(byName) && !byName->hasError());
        const QString id = byName->json()
                               .value(QStringLiteral("experiment"))
                               .toObject()
                               .value(QStringLiteral("experiment_id"))
                               .toString();
        delete byName;
        RolePermissionJob* permission =
            rbac->addRolePermission(roleId, QStringLiteral("experiment"), id, PermissionLevel::Read);
        QVERIFY(GuiTest::waitFor(permission));
        QVERIFY2(!permission->hasError(), qPrintable(permission->error().toLogString()));
        delete permission;
        ApiJob* assign = rbac->assignRole(DemoData::user1Username, roleId);
        QVERIFY(GuiTest::waitFor(assign));
        QVERIFY2(!assign->hasError(), qPrintable(assign->error().toLogString()));
        delete assign;
    }
    m_window = openWindow(generation);
    QVERIFY(m_window);
    m_window->directory()->setDefaultPermission(PermissionLevel::NoPermissions);
    m_window->showPage(MainWindow::MatrixPageIndex);
    AccessMatrixPage* page = m_window->matrixPage();
    const QString e1 = experimentId(QStringLiteral("/user1/experiment1"));
    const QString e2 = experimentId(QStringLiteral("/user1/experiment2"));
    const QString u2e1 = experimentId(QStringLiteral("/user2/experiment1"));
    page->view()->setCurrentIndex(page->indexFor(DemoData::user1Username, u2e1));
    UserAccessPanel* panel = page->userPanel();
    QCOMPARE(panel->user(), DemoData::user1Username);

    QHash<QString, int> rows; // resource id -> panel row
    const auto readRows = [&](UserAccessModel* model) {
        rows.clear();
        for (int row = 0; row < model->rowCount(); ++row)
            rows.insert(model->accessAt(row).resourceId, row);
    };
    readRows(panel->model());
    QVERIFY(rows.contains(e1) && rows.contains(e2));
    const QModelIndex why = panel->model()->index(rows.value(e1), UserAccessModel::Why);
    QCOMPARE(why.data().toString(), QStringLiteral("explicit grant"));
    QCOMPARE(panel->model()->index(rows.value(e1), UserAccessModel::Permission).data().toString(),
             QStringLiteral("MANAGE"));
    QVERIFY(why.data(Qt::ToolTipRole).toString().contains(QStringLiteral("explicit grant")));
    QVERIFY(panel->titleLabel()->text().contains(DemoData::user1Username));
    if (generation.isMlflow3()) {
        QCOMPARE(panel->model()->rowCount(), 3);
        QVERIFY(rows.contains(u2e1));
        const QModelIndex roleWhy = panel->model()->index(rows.value(u2e1), UserAccessModel::Why);
        QCOMPARE(roleWhy.data().toString(), QStringLiteral("role %1").arg(roleName));
        QCOMPARE(panel->model()->index(rows.value(u2e1), UserAccessModel::Permission).data().toString(),
                 QStringLiteral("READ"));
    } else {
        QCOMPARE(panel->model()->rowCount(), 2);
    }

    // A staged grant shows at once (after the event), marked as staged; undone, it goes again.
    const QString defaultExperiment = experimentId(QStringLiteral("Default"));
    QVERIFY(m_window->changeSet()->stageGrant(DemoData::user1Username, ResourceType::Experiment, defaultExperiment,
                                              PermissionLevel::Edit));
    QTRY_COMPARE(panel->model()->rowCount(), generation.isMlflow3() ? 4 : 3);
    readRows(panel->model());
    QVERIFY(panel->model()
                ->index(rows.value(defaultExperiment), UserAccessModel::Permission)
                .data()
                .toString()
                .contains(QStringLiteral("◆")));
    m_window->changeSet()->undoStack()->undo();
    QTRY_COMPARE(panel->model()->rowCount(), generation.isMlflow3() ? 3 : 2);

    // The same panel on the Users page, for the selected user; user2 holds only its own experiment.
    m_window->showPage(MainWindow::UsersPageIndex);
    m_window->usersPage()->selectUser(DemoData::user2Username);
    UserAccessPanel* usersPanel = m_window->usersPage()->accessPanel();
    QCOMPARE(usersPanel->user(), DemoData::user2Username);
    QCOMPARE(usersPanel->model()->rowCount(), 1);
    QCOMPARE(usersPanel->model()->accessAt(0).resourceId, u2e1);
    // With the default unknown the list cannot be complete, and says so.
    QVERIFY(usersPanel->noteLabel()->isHidden());
    m_window->directory()->setDefaultPermission(std::nullopt);
    QTRY_VERIFY(!usersPanel->noteLabel()->isHidden());
    // A readable default gives every experiment, with the default as the reason where nothing else applies.
    m_window->directory()->setDefaultPermission(PermissionLevel::Read);
    QTRY_COMPARE(usersPanel->model()->rowCount(),
                 m_window->directory()->experimentCount() + m_window->directory()->registeredModelCount());
    readRows(usersPanel->model());
    QCOMPARE(usersPanel->model()->index(rows.value(defaultExperiment), UserAccessModel::Why).data().toString(),
             QStringLiteral("default permission"));
}

void TestMatrixReadable::keysActOnTheCurrentCellAndStagedCellsStandOut()
{
    QFETCH(Dialect, generation);
    m_window = openWindow(generation);
    QVERIFY(m_window);
    m_window->showPage(MainWindow::MatrixPageIndex);
    AccessMatrixPage* page = m_window->matrixPage();
    const QString e2 = experimentId(QStringLiteral("/user1/experiment2"));
    const QString e1 = experimentId(QStringLiteral("/user1/experiment1"));
    QTableView* view = page->view();
    const QModelIndex cell = page->indexFor(DemoData::user2Username, e2);
    const QModelIndex unstaged = page->indexFor(DemoData::user1Username, e1);
    QVERIFY(cell.isValid() && unstaged.isValid());

    // Current, not selected: R still stages READ there.
    view->setFocus();
    view->selectionModel()->clearSelection();
    view->selectionModel()->setCurrentIndex(cell, QItemSelectionModel::NoUpdate);
    QVERIFY(view->selectionModel()->selectedIndexes().isEmpty());
    QTest::keyClick(view, Qt::Key_R);
    QCOMPARE(m_window->changeSet()->count(), 1);
    QCOMPARE(m_window->changeSet()->pendingLevel(DemoData::user2Username, ResourceType::Experiment, e2),
             std::optional<PermissionLevel>(PermissionLevel::Read));
    QVERIFY(cell.data(ModelRoles::PendingRole).toBool());
    // Delete on the current cell revokes the staged level again (one more undo step, nothing left staged).
    QTest::keyClick(view, Qt::Key_Delete);
    QCOMPARE(m_window->changeSet()->count(), 0);
    QTest::keyClick(view, Qt::Key_E);
    QCOMPARE(m_window->changeSet()->pendingLevel(DemoData::user2Username, ResourceType::Experiment, e2),
             std::optional<PermissionLevel>(PermissionLevel::Edit));

    // A colour of its own, unlike any level's...
    const QColor staged = cell.data(Qt::BackgroundRole).value<QBrush>().color();
    const QColor granted = unstaged.data(Qt::BackgroundRole).value<QBrush>().color();
    QVERIFY(staged.isValid() && granted.isValid());
    QVERIFY2(staged != granted, qPrintable(staged.name()));
    QVERIFY(cell.data(Qt::ForegroundRole).value<QBrush>().color().lightness() < 100);
    // ...and a pattern: the cell's empty left margin is hatched (several colours), an unstaged cell's is flat.
    const auto marginColours = [view](const QModelIndex& index) {
        // On a small screen the window is small too: bring the cell into view before looking at its pixels.
        view->scrollTo(index);
        const QRect rect = view->visualRect(index);
        const QImage image = view->viewport()->grab(rect).toImage();
        QSet<QRgb> colours;
        for (int x = 3; x < 14; ++x) {
            for (int y = 3; y < image.height() - 3; ++y)
                colours.insert(image.pixel(x, y));
        }
        return colours.size();
    };
    view->selectionModel()->clearSelection();
    view->selectionModel()->setCurrentIndex(page->indexFor(DemoData::adminUsername, e1), QItemSelectionModel::NoUpdate);
    QVERIFY2(marginColours(cell) >= 2, "the staged cell is not hatched");
    QCOMPARE(marginColours(unstaged), 1);
    // The legend says what the pattern means.
    QVERIFY(page->findChild<QLabel*>(QStringLiteral("legend"))->text().contains(QStringLiteral("hatched")));
}

void TestMatrixReadable::tabLeavesTheTables()
{
    QFETCH(Dialect, generation);
    m_window = openWindow(generation);
    QVERIFY(m_window);
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window));
    m_window->showPage(MainWindow::MatrixPageIndex);
    QTableView* matrix = m_window->matrixPage()->view();
    matrix->setFocus();
    matrix->setCurrentIndex(matrix->model()->index(0, 0));
    QTRY_COMPARE(QApplication::focusWidget(), matrix);
    QTest::keyClick(matrix, Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), m_window->matrixPage()->userPanel()->view());
    // Shift+Tab from the matrix goes back to the filters above it, not to the previous cell.
    matrix->setFocus();
    QTest::keyClick(matrix, Qt::Key_Backtab);
    QVERIFY(QApplication::focusWidget() != matrix);
    QCOMPARE(matrix->currentIndex(), matrix->model()->index(0, 0));
    QTest::keyClick(matrix, Qt::Key_Tab, Qt::ShiftModifier);

    for (QTableView* table :
         {m_window->usersPage()->view(), m_window->experimentsPage()->view(), m_window->modelsPage()->view()}) {
        m_window->showPage(table == m_window->usersPage()->view()         ? MainWindow::UsersPageIndex
                           : table == m_window->experimentsPage()->view() ? MainWindow::ExperimentsPageIndex
                                                                          : MainWindow::ModelsPageIndex);
        table->setFocus();
        QTRY_COMPARE(QApplication::focusWidget(), table);
        QTest::keyClick(table, Qt::Key_Tab);
        QVERIFY2(QApplication::focusWidget() != table, qPrintable(table->objectName()));
        table->setFocus();
        QTest::keyClick(table, Qt::Key_Tab, Qt::ShiftModifier);
        QVERIFY2(QApplication::focusWidget() != table, qPrintable(table->objectName()));
    }
}

void TestMatrixReadable::unknownDefaultIsSaid()
{
    QFETCH(Dialect, generation);
    // A real server's profile: the default is not known, and the selector says it only assumes one. (Other tests
    // chose one, which the profile keeps: forget it.)
    if (auto profile = m_profiles->profile(profileName(generation))) {
        profile->defaultPermission.reset();
        QVERIFY(m_profiles->save(*profile, nullptr));
    }
    m_window = openWindow(generation);
    QVERIFY(m_window);
    AccessMatrixPage* page = m_window->matrixPage();
    QVERIFY(!m_window->directory()->defaultPermission());
    const QModelIndex ungranted = page->indexFor(DemoData::user2Username, experimentId(QStringLiteral("Default")));
    QCOMPARE(ungranted.data().toString(), QStringLiteral("default (unknown)"));
    QVERIFY(ungranted.data(Qt::ToolTipRole).toString().contains(QStringLiteral("not known")));
    QCOMPARE(page->defaultPermissionLabel()->text().remove(QLatin1Char('&')), QStringLiteral("Assumed default:"));
    QVERIFY(page->defaultPermissionLabel()->toolTip().contains(QStringLiteral("assumption")));
    QVERIFY(page->defaultPermissionCombo()->isEnabled());
    // An explicit grant still says what it is.
    QVERIFY(page->indexFor(DemoData::user2Username, experimentId(QStringLiteral("/user2/experiment1")))
                .data()
                .toString()
                .startsWith(QStringLiteral("MANAGE")));
    delete m_window;
    m_window = nullptr;

    // The offline demo is the console's own server: its default is a fact, not an assumption.
    std::unique_ptr<Session> demo = GuiTest::demoSession(generation);
    QVERIFY(demo);
    m_window = GuiTest::openLoadedWindow(demo.release());
    QVERIFY(m_window);
    page = m_window->matrixPage();
    QVERIFY(m_window->directory()->isDefaultPermissionStated());
    QCOMPARE(page->defaultPermissionLabel()->text().remove(QLatin1Char('&')), QStringLiteral("Default:"));
    QVERIFY(!page->defaultPermissionCombo()->isEnabled());
    const int row = m_window->directory()->experimentRowByName(QStringLiteral("Default"));
    QVERIFY(row >= 0);
    QCOMPARE(page->indexFor(DemoData::user2Username, m_window->directory()->experimentAt(row).id).data().toString(),
             QStringLiteral("—"));
}

void TestMatrixReadable::pageCountsIncludeStagedUsers()
{
    QFETCH(Dialect, generation);
    m_window = openWindow(generation);
    QVERIFY(m_window);
    auto* pages = m_window->findChild<QListWidget*>(QStringLiteral("pageList"));
    QVERIFY(pages);
    const int users = m_window->directory()->userCount();
    QCOMPARE(pages->item(MainWindow::UsersPageIndex)->text(), QStringLiteral("Users (%1)").arg(users));
    QVERIFY(m_window->changeSet()->stageCreateUser(QStringLiteral("counted"), QStringLiteral("Counted-Pass-1234")));
    QCOMPARE(pages->item(MainWindow::UsersPageIndex)->text(), QStringLiteral("Users (%1 + 1 staged)").arg(users));
    m_window->changeSet()->undoStack()->undo();
    QCOMPARE(pages->item(MainWindow::UsersPageIndex)->text(), QStringLiteral("Users (%1)").arg(users));
}

void TestMatrixReadable::mnemonicsDoNotClash()
{
    QFETCH(Dialect, generation);
    m_window = openWindow(generation);
    QVERIFY(m_window);
    // The menu bar's letters work on every page.
    QSet<QChar> menuLetters;
    for (QAction* menu : m_window->menuBar()->actions()) {
        const QKeySequence mnemonic = QKeySequence::mnemonic(menu->text());
        QVERIFY2(!mnemonic.isEmpty(), qPrintable(menu->text()));
        menuLetters.insert(mnemonic.toString().back().toLower());
    }
    const QRegularExpression single(QStringLiteral("(^|[^&])&([^&]|$)"));
    for (int index = 0; index < MainWindow::PageCount; ++index) {
        const auto pageIndex = static_cast<MainWindow::Page>(index);
        if (pageIndex == MainWindow::RolesPageIndex && !m_window->hasRoles())
            continue;
        m_window->showPage(pageIndex);
        QWidget* page = m_window->pageWidget(pageIndex);
        QHash<QChar, QString> letters;
        for (QChar letter : menuLetters)
            letters.insert(letter, QStringLiteral("menu"));
        QStringList texts;
        for (QLabel* label : page->findChildren<QLabel*>()) {
            if (!label->isVisibleTo(page) || label->textFormat() == Qt::RichText)
                continue;
            // Without a buddy a label shows its '&' as it is.
            if (!label->buddy())
                QVERIFY2(!single.match(label->text()).hasMatch(), qPrintable(label->text()));
            else
                texts.append(label->text());
        }
        for (QAbstractButton* button : page->findChildren<QAbstractButton*>()) {
            if (button->isVisibleTo(page))
                texts.append(button->text());
        }
        for (const QString& text : texts) {
            const QKeySequence mnemonic = QKeySequence::mnemonic(text);
            if (mnemonic.isEmpty())
                continue;
            const QChar letter = mnemonic.toString().back().toLower();
            QVERIFY2(!letters.contains(letter),
                     qPrintable(QStringLiteral("%1: '%2' and '%3' share Alt+%4")
                                    .arg(MainWindow::pageName(pageIndex), text, letters.value(letter), letter)));
            letters.insert(letter, text);
        }
    }
}

void TestMatrixReadable::fitsASmallScreen()
{
    QFETCH(Dialect, generation);
    m_window = openWindow(generation);
    QVERIFY(m_window);
    // 800 x 500 is the smallest screen the console is tried on: no page may make the window wider or taller.
    m_window->resize(800, 500);
    for (int index = 0; index < MainWindow::PageCount; ++index) {
        m_window->showPage(static_cast<MainWindow::Page>(index));
        QCoreApplication::processEvents(); // the layouts settle
        QVERIFY2(m_window->minimumSizeHint().width() <= 800 && m_window->minimumSizeHint().height() <= 500,
                 qPrintable(QStringLiteral("%1: %2 x %3")
                                .arg(MainWindow::pageName(static_cast<MainWindow::Page>(index)))
                                .arg(m_window->minimumSizeHint().width())
                                .arg(m_window->minimumSizeHint().height())));
    }
    QCOMPARE(m_window->size(), QSize(800, 500));
}

QTEST_MAIN(TestMatrixReadable)
#include "tst_matrixreadable.moc"

// GUI test of the Roles page against an embedded MLflow 3.14 (--api 3) demo server over loopback: the real login
// dialog, page, dialogs and review, driven with QTest on the offscreen platform; the result is checked through the
// client API as user2 and as the matrix explains it.

#include "AdminWindowTest.h"
#include "GuiTestSupport.h"
#include "ServerFixture.h"

#include "Generations.h"

#include "api/Connection.h"
#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "models/MatrixFilterProxy.h"
#include "models/ModelRoles.h"
#include "models/UsersModel.h"
#include "server/DemoData.h"
#include "services/ProfileStore.h"
#include "views/AccessMatrixPage.h"
#include "views/LoginDialog.h"
#include "views/MainWindow.h"
#include "views/MessageBox.h"
#include "views/ReviewChangesDialog.h"
#include "views/RolePermissionDialog.h"
#include "views/RolesPage.h"
#include "views/Session.h"
#include "views/UsersPage.h"

#include <QAction>
#include <QComboBox>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTableView>
#include <QTreeWidget>

#include <memory>

class TestRolesPage : public GuiTest::AdminWindowTest
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void pageIsListedOnlyWithRoles();
    void createGrantAssignApplyAndExplain();
    void stagedRoleChangesPreviewInTheMatrix();

private:
    // Roles exist from MLflow 3.13 on: every function here runs on the 3.14 server (2.15.1 has no Roles page, which
    // tst_mainwindow's loginThroughDialog asserts).
    MainWindow* openWindow() { return AdminWindowTest::openWindow(Generations::mlflow3()); }
    QStringList experimentsVisibleTo(const QString& username, const QString& password)
    {
        return GuiTest::experimentsVisibleTo(server(Generations::mlflow3()).server().url(), username, password);
    }
    // Types `text` into the open QInputDialog of the page and presses Enter.
    bool answerInputDialog(RolesPage* page, const QString& text);
};

void TestRolesPage::initTestCase()
{
    QVERIFY(setUpWindows());
}

void TestRolesPage::cleanup()
{
    closeTestWindow();
}

bool TestRolesPage::answerInputDialog(RolesPage* page, const QString& text)
{
    auto* dialog = qobject_cast<QInputDialog*>(page->openDialog());
    if (!dialog || !QTest::qWaitForWindowExposed(dialog))
        return false;
    if (dialog->comboBoxItems().isEmpty()) {
        auto* edit = dialog->findChild<QLineEdit*>();
        if (!edit)
            return false;
        edit->selectAll();
        QTest::keyClicks(edit, text);
        QTest::keyClick(edit, Qt::Key_Return);
    } else {
        auto* combo = dialog->findChild<QComboBox*>();
        const int index = combo ? combo->findText(text) : -1;
        if (index < 0)
            return false;
        combo->setCurrentIndex(index);
        QTest::keyClick(combo, Qt::Key_Return);
    }
    return QTest::qWaitFor([page] { return !page->openDialog(); }, 5000);
}

void TestRolesPage::pageIsListedOnlyWithRoles()
{
    m_window = openWindow();
    QVERIFY(m_window);
    QVERIFY(m_window->hasRoles());
    auto* pages = m_window->findChild<QListWidget*>(QStringLiteral("pageList"));
    QVERIFY(pages);
    QVERIFY(!pages->item(MainWindow::RolesPageIndex)->isHidden());
    QCOMPARE(pages->item(MainWindow::RolesPageIndex)->text(), QStringLiteral("Roles (0)"));
    // Reached from the keyboard like the other pages: the page list, then the arrow keys.
    m_window->showPage(MainWindow::MatrixPageIndex);
    pages->setFocus();
    QTest::keyClick(pages, Qt::Key_Down);
    QCOMPARE(m_window->currentPage(), MainWindow::RolesPageIndex);
    QCOMPARE(m_window->rolesPage()->rolesView()->topLevelItemCount(), 0);
    // Ctrl+F reaches the page's filter.
    QTest::keyClick(m_window, Qt::Key_F, Qt::ControlModifier);
    QTRY_VERIFY(m_window->rolesPage()->filterEdit()->hasFocus());
}

void TestRolesPage::createGrantAssignApplyAndExplain()
{
    m_window = openWindow();
    QVERIFY(m_window);
    RolesPage* page = m_window->rolesPage();
    m_window->showPage(MainWindow::RolesPageIndex);
    const int experimentRow = m_window->directory()->experimentRowByName(QStringLiteral("/user1/experiment1"));
    QVERIFY(experimentRow >= 0);
    const QString experimentId = m_window->directory()->experimentAt(experimentRow).id;
    QVERIFY(!experimentsVisibleTo(DemoData::user2Username, DemoData::user2Password)
                 .contains(QStringLiteral("/user1/experiment1")));

    // Create.
    QTest::mouseClick(page->findChild<QPushButton*>(QStringLiteral("newRoleButton")), Qt::LeftButton);
    QVERIFY(answerInputDialog(page, QStringLiteral("auditors")));
    QCOMPARE(page->rolesView()->topLevelItemCount(), 1);
    QCOMPARE(page->rolesView()->topLevelItem(0)->text(RolesPage::NameColumn), QStringLiteral("auditors ◆"));
    QCOMPARE(page->rolesView()->topLevelItem(0)->text(RolesPage::WorkspaceColumn), QStringLiteral("default"));
    QVERIFY(page->currentRole());
    QCOMPARE(page->currentRole()->name, QStringLiteral("auditors"));

    // Grant READ on /user1/experiment1 through the picker, which searches the server.
    QTest::mouseClick(page->findChild<QPushButton*>(QStringLiteral("addPermissionButton")), Qt::LeftButton);
    auto* picker = qobject_cast<RolePermissionDialog*>(page->openDialog());
    QVERIFY(picker);
    QVERIFY(QTest::qWaitForWindowExposed(picker));
    QCOMPARE(picker->resultsList()->item(0)->text(), QStringLiteral("* — every experiment"));
    QTest::keyClicks(picker->searchEdit(), QStringLiteral("user1/experiment1"));
    QTRY_VERIFY_WITH_TIMEOUT(!picker->isSearching() && picker->findChild<QLabel*>(QStringLiteral("searchStatus"))
                                                           ->text()
                                                           .contains(QStringLiteral("on the server match")),
                             10000);
    QCOMPARE(picker->resultsList()->count(), 2); // "*" and the one experiment the server found
    QVERIFY(picker->selectPattern(experimentId));
    picker->levelCombo()->setCurrentIndex(picker->levelCombo()->findText(QStringLiteral("READ")));
    QTest::keyClick(picker->resultsList(), Qt::Key_Return);
    QTRY_VERIFY(!page->openDialog());
    QCOMPARE(page->permissionsView()->topLevelItemCount(), 1);
    QCOMPARE(page->permissionsView()->topLevelItem(0)->text(0), QStringLiteral("experiment /user1/experiment1 ◆"));
    QCOMPARE(page->permissionsView()->topLevelItem(0)->text(1), QStringLiteral("READ"));

    // Assign user2.
    QTest::mouseClick(page->findChild<QPushButton*>(QStringLiteral("assignUserButton")), Qt::LeftButton);
    QVERIFY(answerInputDialog(page, DemoData::user2Username));
    QCOMPARE(page->membersView()->topLevelItemCount(), 1);
    QCOMPARE(page->membersView()->topLevelItem(0)->text(0), DemoData::user2Username + QStringLiteral(" ◆"));
    QCOMPARE(page->rolesView()->topLevelItem(0)->text(RolesPage::MembersColumn), DemoData::user2Username);
    QCOMPARE(m_window->changeSet()->count(), 3);
    QCOMPARE(m_window->undoAction()->text(), QStringLiteral("&Undo Assign role auditors to user2"));
    QVERIFY(m_window->reviewAction()->text().contains(QStringLiteral("(3)")));
    // The Users page shows the staged assignment.
    const QAbstractItemModel* users = m_window->usersPage()->view()->model();
    QModelIndex user2Roles;
    for (int row = 0; row < users->rowCount(); ++row) {
        if (users->index(row, UsersModel::Username).data().toString() == DemoData::user2Username)
            user2Roles = users->index(row, UsersModel::Roles);
    }
    QVERIFY(user2Roles.isValid());
    QCOMPARE(user2Roles.data().toString(), QStringLiteral("auditors ◆"));

    // Review shows each change and the exact calls, in the order they are sent; then apply.
    m_window->reviewAction()->trigger();
    ReviewChangesDialog* review = m_window->reviewDialog();
    QVERIFY(review);
    QCOMPARE(review->changesList()->topLevelItemCount(), 3);
    QCOMPARE(review->callsList()->topLevelItemCount(), 3);
    QCOMPARE(review->callsList()->topLevelItem(0)->text(1), QStringLiteral("POST /api/3.0/mlflow/roles/create"));
    QCOMPARE(review->callsList()->topLevelItem(0)->text(0),
             QStringLiteral("Create role auditors in workspace default"));
    QCOMPARE(review->callsList()->topLevelItem(1)->text(1),
             QStringLiteral("POST /api/3.0/mlflow/roles/permissions/add"));
    QCOMPARE(review->callsList()->topLevelItem(1)->text(0),
             QStringLiteral("Grant READ on experiment /user1/experiment1 to role auditors"));
    QCOMPARE(review->callsList()->topLevelItem(2)->text(1), QStringLiteral("POST /api/3.0/mlflow/roles/assign"));
    QVERIFY(review->applyButton()->isEnabled());
    QSignalSpy applied(review, &ReviewChangesDialog::appliedChanges);
    QTest::mouseClick(review->applyButton(), Qt::LeftButton);
    QVERIFY(applied.wait(20000));
    QCOMPARE(applied.first().at(0).toInt(), 3);
    QCOMPARE(applied.first().at(1).toInt(), 0);
    for (int i = 0; i < review->resultsList()->topLevelItemCount(); ++i)
        QCOMPARE(review->resultsList()->topLevelItem(i)->text(1), QStringLiteral("applied"));
    review->close();
    QCOMPARE(m_window->changeSet()->count(), 0);
    QCOMPARE(page->rolesView()->topLevelItem(0)->text(RolesPage::NameColumn), QStringLiteral("auditors"));
    QCOMPARE(page->rolesView()->topLevelItem(0)->text(RolesPage::PermissionsColumn), QStringLiteral("1"));

    // user2, signing in through the client API, now sees the experiment.
    QVERIFY(experimentsVisibleTo(DemoData::user2Username, DemoData::user2Password)
                .contains(QStringLiteral("/user1/experiment1")));

    // The matrix cell explains itself by the role, and the role filter keeps only its members.
    m_window->showPage(MainWindow::MatrixPageIndex);
    AccessMatrixPage* matrix = m_window->matrixPage();
    const QModelIndex cell = matrix->indexFor(DemoData::user2Username, experimentId);
    QVERIFY(cell.isValid());
    QCOMPARE(cell.data().toString(), QStringLiteral("READ (role auditors)"));
    QVERIFY2(cell.data(Qt::ToolTipRole).toString().contains(QStringLiteral("READ through role auditors")),
             qPrintable(cell.data(Qt::ToolTipRole).toString()));
    QVERIFY(matrix->roleFilterCombo()->isVisible());
    QVERIFY(matrix->setRoleFilter(QStringLiteral("auditors")));
    QCOMPARE(matrix->view()->model()->rowCount(), 1);
    QVERIFY(matrix->indexFor(DemoData::user2Username, experimentId).isValid());
    QVERIFY(!matrix->indexFor(DemoData::user1Username, experimentId).isValid());
    QVERIFY(matrix->setRoleFilter(QString()));
    QVERIFY(matrix->view()->model()->rowCount() > 1);

    // A reload from the server shows the same role, permission and member.
    QSignalSpy reloaded(m_window, &MainWindow::loadFinished);
    m_window->refresh();
    QVERIFY(reloaded.wait(20000));
    QVERIFY(page->selectRole(QStringLiteral("auditors")));
    QCOMPARE(page->permissionsView()->topLevelItem(0)->text(0), QStringLiteral("experiment /user1/experiment1"));
    QCOMPARE(page->membersView()->topLevelItem(0)->text(0), DemoData::user2Username);

    // Rename and unassign are staged and undone by name.
    m_window->showPage(MainWindow::RolesPageIndex);
    page->membersView()->setCurrentItem(page->membersView()->topLevelItem(0));
    QTest::mouseClick(page->findChild<QPushButton*>(QStringLiteral("unassignUserButton")), Qt::LeftButton);
    QCOMPARE(m_window->undoAction()->text(), QStringLiteral("&Undo Unassign role auditors from user2"));
    QTest::mouseClick(page->findChild<QPushButton*>(QStringLiteral("renameRoleButton")), Qt::LeftButton);
    QVERIFY(answerInputDialog(page, QStringLiteral("reviewers")));
    QCOMPARE(m_window->undoAction()->text(), QStringLiteral("&Undo Rename role auditors to reviewers"));
    QCOMPARE(page->rolesView()->topLevelItem(0)->text(RolesPage::NameColumn), QStringLiteral("reviewers ◆"));
    m_window->undoAction()->trigger();
    m_window->undoAction()->trigger();
    QVERIFY(m_window->changeSet()->isEmpty());
    QCOMPARE(page->rolesView()->topLevelItem(0)->text(RolesPage::NameColumn), QStringLiteral("auditors"));
}

void TestRolesPage::stagedRoleChangesPreviewInTheMatrix()
{
    // After createGrantAssignApplyAndExplain: role auditors gives user2 READ on /user1/experiment1.
    m_window = openWindow();
    QVERIFY(m_window);
    Directory* directory = m_window->directory();
    directory->setDefaultPermission(PermissionLevel::NoPermissions); // the demo's own setting
    const auto idOf = [directory](const QString& name) {
        const int row = directory->experimentRowByName(name);
        return row >= 0 ? directory->experimentAt(row).id : QString();
    };
    const QString u1e1 = idOf(QStringLiteral("/user1/experiment1"));
    const QString u2e1 = idOf(QStringLiteral("/user2/experiment1"));
    QVERIFY(!u1e1.isEmpty() && !u2e1.isEmpty());
    AccessMatrixPage* matrix = m_window->matrixPage();
    const auto cell = [matrix](const QString& user, const QString& experiment) {
        return matrix->indexFor(user, experiment);
    };
    QCOMPARE(cell(DemoData::user2Username, u1e1).data().toString(), QStringLiteral("READ (role auditors)"));
    QVERIFY(!cell(DemoData::user2Username, u1e1).data(ModelRoles::PendingRole).toBool());

    // Unassigned on the Roles page: the cell shows what it will be (nothing), marked staged, and says what it is now.
    m_window->showPage(MainWindow::RolesPageIndex);
    RolesPage* page = m_window->rolesPage();
    QVERIFY(page->selectRole(QStringLiteral("auditors")));
    page->membersView()->setCurrentItem(page->membersView()->topLevelItem(0));
    QTest::mouseClick(page->findChild<QPushButton*>(QStringLiteral("unassignUserButton")), Qt::LeftButton);
    QCOMPARE(m_window->changeSet()->count(), 1);
    QModelIndex unassigned = cell(DemoData::user2Username, u1e1);
    QVERIFY(unassigned.data(ModelRoles::PendingRole).toBool());
    QCOMPARE(unassigned.data(ModelRoles::PermissionLevelRole).toInt(), int(PermissionLevel::NoPermissions));
    QCOMPARE(unassigned.data().toString(), QStringLiteral("— ◆"));
    const QString tooltip = unassigned.data(Qt::ToolTipRole).toString();
    QVERIFY2(tooltip.contains(QStringLiteral("Pending change")) &&
                 tooltip.contains(QStringLiteral("READ through role auditors")),
             qPrintable(tooltip));
    // Cells the role does not reach stay as they are.
    QVERIFY(!cell(DemoData::user2Username, u2e1).data(ModelRoles::PendingRole).toBool());
    m_window->undoAction()->trigger();
    QVERIFY(m_window->changeSet()->isEmpty());
    QVERIFY(!cell(DemoData::user2Username, u1e1).data(ModelRoles::PendingRole).toBool());
    QCOMPARE(cell(DemoData::user2Username, u1e1).data().toString(), QStringLiteral("READ (role auditors)"));

    // A role permission on every experiment and a new member, both staged: every cell the role will reach previews
    // the role's EDIT with the reason; where more is given already, the level stays and the role is named as well.
    QTest::mouseClick(page->findChild<QPushButton*>(QStringLiteral("addPermissionButton")), Qt::LeftButton);
    auto* picker = qobject_cast<RolePermissionDialog*>(page->openDialog());
    QVERIFY(picker);
    QVERIFY(QTest::qWaitForWindowExposed(picker));
    QVERIFY(picker->selectPattern(QStringLiteral("*")));
    picker->levelCombo()->setCurrentIndex(picker->levelCombo()->findText(QStringLiteral("EDIT")));
    QTest::keyClick(picker->resultsList(), Qt::Key_Return);
    QTRY_VERIFY(!page->openDialog());
    QTest::mouseClick(page->findChild<QPushButton*>(QStringLiteral("assignUserButton")), Qt::LeftButton);
    QVERIFY(answerInputDialog(page, DemoData::user1Username));
    QCOMPARE(m_window->changeSet()->count(), 2);
    const QModelIndex widened = cell(DemoData::user2Username, u2e1); // user2 manages its own experiment
    QVERIFY(widened.data(ModelRoles::PendingRole).toBool());
    QCOMPARE(widened.data(ModelRoles::PermissionLevelRole).toInt(), int(PermissionLevel::Manage));
    QCOMPARE(widened.data(ModelRoles::PermissionSourceRole).toInt(), int(EffectivePermission::Source::ExplicitGrant));
    QVERIFY2(widened.data(Qt::ToolTipRole).toString().contains(QStringLiteral("EDIT through role auditors")),
             qPrintable(widened.data(Qt::ToolTipRole).toString()));
    const QModelIndex upgraded = cell(DemoData::user2Username, u1e1);
    QVERIFY(upgraded.data(ModelRoles::PendingRole).toBool());
    QCOMPARE(upgraded.data().toString(), QStringLiteral("EDIT (role auditors) ◆"));
    const QModelIndex assigned = cell(DemoData::user1Username, u2e1);
    QVERIFY(assigned.data(ModelRoles::PendingRole).toBool());
    QCOMPARE(assigned.data(ModelRoles::PermissionLevelRole).toInt(), int(PermissionLevel::Edit));
    QCOMPARE(assigned.data(ModelRoles::PermissionSourceRole).toInt(), int(EffectivePermission::Source::Role));
    QVERIFY2(assigned.data(Qt::ToolTipRole).toString().contains(QStringLiteral("EDIT through role auditors")),
             qPrintable(assigned.data(Qt::ToolTipRole).toString()));
    // user1's MANAGE on its own experiment stays the winner.
    QCOMPARE(cell(DemoData::user1Username, u1e1).data(ModelRoles::PermissionLevelRole).toInt(),
             int(PermissionLevel::Manage));
    // The admin's cells are the admin's whatever the roles say.
    QVERIFY(!cell(DemoData::adminUsername, u2e1).data(ModelRoles::PendingRole).toBool());

    // Applied, the server gives what the preview said: the same levels and reasons, no longer staged.
    QSignalSpy applied(m_window->changeSet(), &ChangeSet::applied);
    QVERIFY(m_window->changeSet()->apply(m_window->session()->auth()));
    QVERIFY(applied.wait(20000));
    QCOMPARE(applied.first().first().value<ApplySummary>().failed, 0);
    QSignalSpy reloaded(m_window, &MainWindow::loadFinished);
    m_window->refresh();
    QVERIFY(reloaded.wait(20000));
    QCOMPARE(cell(DemoData::user2Username, u1e1).data().toString(), QStringLiteral("EDIT (role auditors)"));
    const QModelIndex granted = cell(DemoData::user1Username, u2e1);
    QVERIFY(!granted.data(ModelRoles::PendingRole).toBool());
    QCOMPARE(granted.data().toString(), QStringLiteral("EDIT (role auditors)"));
    QVERIFY(experimentsVisibleTo(DemoData::user1Username, DemoData::user1Password)
                .contains(QStringLiteral("/user2/experiment1")));
}

QTEST_MAIN(TestRolesPage)
#include "tst_rolespage.moc"

// GUI test of the console for an account without the admin flag, on both generations of the embedded demo server:
// the real login dialog (with its "Not an administrator" question), the main window, the Users page and the
// matrix, driven offscreen. user1 manages its two experiments and nothing else.

#include "GuiTestSupport.h"
#include "ServerFixture.h"

#include "Generations.h"

#include "api/Connection.h"
#include "api/LegacyAuthApi.h"
#include "api/RbacAuthApi.h"
#include "models/AccessMatrixModel.h"
#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "server/DemoData.h"
#include "views/AccessMatrixPage.h"
#include "views/LoginDialog.h"
#include "views/MainWindow.h"
#include "views/MessageBox.h"
#include "views/UsersPage.h"
#include "views/UsersSourceDialog.h"

#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QTableView>

#include <algorithm>

#include <memory>

class TestMemberWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void memberManagesWhatItOwns_data() { Generations::addRows(); }
    void memberManagesWhatItOwns();

private:
    MainWindow* signInAsUser1(ServerFixture& server);

    QTemporaryDir m_dir;
    MainWindow* m_window = nullptr;
};

void TestMemberWindow::initTestCase()
{
    QVERIFY(m_dir.isValid());
    GuiTest::isolate(m_dir);
}

void TestMemberWindow::cleanup()
{
    GuiTest::closeWindow(m_window);
}

MainWindow* TestMemberWindow::signInAsUser1(ServerFixture& server)
{
    LoginDialog dialog(nullptr, nullptr);
    dialog.show();
    dialog.findChild<QLineEdit*>(QStringLiteral("urlEdit"))->setText(server.server().url().toString());
    dialog.findChild<QLineEdit*>(QStringLiteral("usernameEdit"))->setText(DemoData::user1Username);
    dialog.findChild<QLineEdit*>(QStringLiteral("passwordEdit"))->setText(DemoData::user1Password);
    // The dialog asks whether to go on with limited rights.
    MessageBox::setNextAnswer(QMessageBox::Yes);
    return GuiTest::connectAndOpen(dialog);
}

void TestMemberWindow::memberManagesWhatItOwns()
{
    QFETCH(Dialect, generation);
    ServerFixture server(true, QStringLiteral("NO_PERMISSIONS"), QString(), QString(), generation);
    QVERIFY2(server.started(), qPrintable(server.error()));
    {
        // The admin gives user2 READ on /user1/experiment1 beforehand (experiment id 1 in the demo).
        Connection admin(server.server().url(), DemoData::adminUsername, DemoData::adminPassword);
        std::unique_ptr<AuthApi> auth;
        if (generation.isMlflow3())
            auth = std::make_unique<RbacAuthApi>(&admin);
        else
            auth = std::make_unique<LegacyAuthApi>(&admin);
        GrantJob* job = auth->createGrant(
            Grant{DemoData::user2Username, -1, ResourceType::Experiment, QStringLiteral("1"), PermissionLevel::Read});
        QVERIFY(GuiTest::waitFor(job));
        QVERIFY2(!job->hasError(), qPrintable(job->error().toLogString()));
    }

    m_window = signInAsUser1(server);
    QVERIFY(m_window);
    Directory* directory = m_window->findChild<Directory*>();
    QVERIFY(directory);
    QVERIFY(directory->isMemberView());
    // No Roles page for a member; the status bar says what this window is.
    auto* pages = m_window->findChild<QListWidget*>(QStringLiteral("pageList"));
    QVERIFY(pages);
    QVERIFY(pages->item(MainWindow::RolesPageIndex)->isHidden());
    auto* userLabel = m_window->findChild<QLabel*>(QStringLiteral("userLabel"));
    QVERIFY(userLabel && userLabel->text().contains(QLatin1String("not an admin")));

    // Users page: the admin-only actions are off and the page says why.
    m_window->showPage(MainWindow::UsersPageIndex);
    auto* usersPage = m_window->findChild<UsersPage*>();
    QVERIFY(!usersPage->findChild<QPushButton*>(QStringLiteral("newUserButton"))->isEnabled());
    QVERIFY(!usersPage->findChild<QPushButton*>(QStringLiteral("deleteUserButton"))->isEnabled());
    const QList<QLabel*> labels = usersPage->findChildren<QLabel*>();
    QVERIFY(std::any_of(labels.cbegin(), labels.cend(), [](const QLabel* label) {
        return label->isVisible() && label->text().contains(QLatin1String("not an administrator"));
    }));

    // 2.x cannot list users: user2 is added by name, which a member cannot look up (403), so it is kept as typed.
    if (!directory->hasUser(DemoData::user2Username)) {
        QVERIFY(!generation.isMlflow3());
        QVERIFY(usersPage->findChild<QPushButton*>(QStringLiteral("addExistingUserButton"))->isVisible());
        QTest::mouseClick(usersPage->findChild<QPushButton*>(QStringLiteral("addExistingUserButton")), Qt::LeftButton);
        QPointer<UsersSourceDialog> dialog = m_window->usersSourceDialog();
        QVERIFY(dialog);
        QCOMPARE(dialog->choice(), UsersSourceDialog::Choice::UserNames);
        dialog->namesEdit()->setPlainText(DemoData::user2Username);
        QTest::mouseClick(dialog->okButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(directory->hasUser(DemoData::user2Username) && !m_window->isLoading(), 20000);
    }
    QVERIFY(directory->hasUser(DemoData::user2Username));

    // The matrix: user1's own experiments only; user2's cell on /user1/experiment1 is what the server says (2.x)
    // or "not visible" (3.14); cells of experiments user1 manages are editable.
    m_window->showPage(MainWindow::MatrixPageIndex);
    auto* matrix = m_window->findChild<AccessMatrixModel*>();
    QVERIFY(matrix);
    QCOMPARE(directory->experimentCount(), 2);
    const QModelIndex cell = matrix->indexFor(DemoData::user2Username, QStringLiteral("1"));
    QVERIFY(cell.isValid());
    const QString text = cell.data(Qt::DisplayRole).toString();
    if (generation.isMlflow3())
        QVERIFY2(text.contains(QLatin1String("not visible")), qPrintable(text));
    else
        QVERIFY2(text.startsWith(QLatin1String("READ")), qPrintable(text));
    QVERIFY(matrix->flags(cell) & Qt::ItemIsEditable);

    // Granting where user1 manages goes through: user2 gets EDIT on /user1/experiment2.
    const QModelIndex second = matrix->indexFor(DemoData::user2Username, QStringLiteral("2"));
    QVERIFY(second.isValid());
    QVERIFY(matrix->setData(second, QStringLiteral("EDIT"), Qt::EditRole));
    QSignalSpy applied(m_window->changeSet(), &ChangeSet::applied);
    QVERIFY(m_window->changeSet()->apply(m_window->session()->auth()));
    QVERIFY(applied.wait(20000));
    QVERIFY2(m_window->changeSet()->isEmpty(), "the grant failed");
    const QStringList names =
        GuiTest::experimentsVisibleTo(server.server().url(), DemoData::user2Username, DemoData::user2Password);
    QVERIFY2(names.contains(QStringLiteral("/user1/experiment2")), qPrintable(names.join(u',')));
}

QTEST_MAIN(TestMemberWindow)
#include "tst_memberwindow.moc"

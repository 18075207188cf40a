// The users-source dialog: signing in as admin to a server that cannot list its users (an embedded MLflow 2.15.1,
// which has no users/list, like every MLflow before 3.10) says so at once and offers the auth database, typed user
// names, or going on; each choice works, is kept (in the profile, or for an unsaved connection under its URL and
// user) and is not asked again. The demo never asks, and the Users page's buttons open the same dialog.

#include "GuiTestSupport.h"
#include "ServerFixture.h"

#include "api/KnownUsersRegistry.h"
#include "models/Directory.h"
#include "server/DemoData.h"
#include "services/ProfileStore.h"
#include "views/LoginDialog.h"
#include "views/MainWindow.h"
#include "views/Session.h"
#include "views/SignInFlow.h"
#include "views/UsersPage.h"
#include "views/UsersSourceDialog.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QRadioButton>
#include <QtTest>

#include <memory>

class TestUsersSource : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();

    void authDatabaseChoiceIsKeptInTheProfile();
    void typedNamesAreLookedUpAndKeptForAnUnsavedConnection();
    void continueIsKeptAndLaterAsksAgain();
    void aKeptDatabaseThatNoLongerOpensIsSaidAtSignIn();
    void demoDoesNotAsk();
    void usersPageOpensTheSameDialog();
    void parsesNamesInEveryCommonForm();

private:
    // Signs in through a fresh login dialog and SignInFlow as the server's admin, under `profile` (empty: an
    // unsaved connection); returns the window once it has finished its first load.
    MainWindow* signIn(const QString& profile);
    QString authDatabasePath() const { return m_server->dataDir() + QStringLiteral("/basic_auth.db"); }

    QTemporaryDir m_dir;
    std::unique_ptr<ServerFixture> m_server;
    std::unique_ptr<ProfileStore> m_profiles;
    std::unique_ptr<LoginDialog> m_dialog;
    std::unique_ptr<SignInFlow> m_flow;
};

void TestUsersSource::initTestCase()
{
    QVERIFY(m_dir.isValid());
    GuiTest::isolate(m_dir);
    m_server = std::make_unique<ServerFixture>(true); // the demo scenario on MLflow 2.15.1's API: admin, user1, user2
    QVERIFY2(m_server->started(), qPrintable(m_server->error()));
    m_profiles = std::make_unique<ProfileStore>(m_dir.filePath(QStringLiteral("profiles.ini")));
}

void TestUsersSource::cleanup()
{
    m_flow.reset(); // deletes a window still open, and its session
    m_dialog.reset();
}

MainWindow* TestUsersSource::signIn(const QString& profile)
{
    m_flow.reset();
    m_dialog = std::make_unique<LoginDialog>(m_profiles.get(), nullptr);
    m_flow = std::make_unique<SignInFlow>(m_dialog.get());
    m_dialog->show();
    m_dialog->findChild<QComboBox*>(QStringLiteral("profileCombo"))->setEditText(profile);
    m_dialog->findChild<QLineEdit*>(QStringLiteral("urlEdit"))->setText(m_server->server().url().toString());
    m_dialog->findChild<QLineEdit*>(QStringLiteral("usernameEdit"))->setText(DemoData::adminUsername);
    m_dialog->findChild<QLineEdit*>(QStringLiteral("passwordEdit"))->setText(DemoData::adminPassword);
    m_dialog->connectToServer();
    if (!QTest::qWaitFor([this] { return m_flow->window() && !m_flow->window()->isLoading(); }, 20000)) {
        qWarning("Sign-in failed: %s", qPrintable(m_dialog->messageText()));
        return nullptr;
    }
    return m_flow->window();
}

void TestUsersSource::authDatabaseChoiceIsKeptInTheProfile()
{
    MainWindow* window = signIn(QStringLiteral("with-database"));
    QVERIFY(window);
    // Said on the spot, over the new window, before the admin wonders where the users are.
    QPointer<UsersSourceDialog> dialog = window->usersSourceDialog();
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    const QString explanation = dialog->findChild<QLabel*>(QStringLiteral("explanationLabel"))->text();
    QVERIFY2(explanation.contains(QStringLiteral("cannot list its users")) &&
                 explanation.contains(QStringLiteral("2.15.1")),
             qPrintable(explanation));
    QCOMPARE(window->directory()->userSource(), ListingSource::KnownUsers);
    QCOMPARE(window->directory()->userCount(), 1); // only ourselves so far
    QVERIFY2(window->usersSourceText().contains(QStringLiteral("1 known to this console")),
             qPrintable(window->usersSourceText()));
    QVERIFY2(window->statusText().contains(window->usersSourceText()), qPrintable(window->statusText()));

    // A wrong file is said in the dialog, which stays open; editing clears the error.
    QCOMPARE(dialog->choice(), UsersSourceDialog::Choice::AuthDatabase);
    QCOMPARE(dialog->databaseKind(), UsersSourceDialog::DatabaseKind::SqliteFile);
    QVERIFY(!dialog->okButton()->isEnabled()); // nothing to open yet
    dialog->sqlitePathEdit()->setText(m_dir.filePath(QStringLiteral("no-such.db")));
    QTest::mouseClick(dialog->okButton(), Qt::LeftButton);
    QVERIFY2(dialog->errorText().contains(QStringLiteral("does not exist")), qPrintable(dialog->errorText()));
    QVERIFY(dialog->isVisible());
    QCOMPARE(window->directory()->userSource(), ListingSource::KnownUsers);
    QTest::keyClick(dialog->sqlitePathEdit(), Qt::Key_End);
    QTest::keyClick(dialog->sqlitePathEdit(), Qt::Key_Backspace);
    QVERIFY(dialog->errorText().isEmpty());

    // The server's own basic_auth.db: every user, and the profile keeps it.
    dialog->sqlitePathEdit()->setText(authDatabasePath());
    QCOMPARE(dialog->authDatabaseUri(), QStringLiteral("sqlite:///") + authDatabasePath());
    QTest::mouseClick(dialog->okButton(), Qt::LeftButton);
    QTRY_VERIFY(!dialog);
    QTRY_VERIFY_WITH_TIMEOUT(window->directory()->userCount() == 3 && !window->isLoading(), 20000);
    QCOMPARE(window->directory()->userSource(), ListingSource::AuthDatabase);
    QVERIFY2(window->usersSourceText().contains(QStringLiteral("3 from the auth database")),
             qPrintable(window->usersSourceText()));
    const auto profile = m_profiles->profile(QStringLiteral("with-database"));
    QVERIFY(profile);
    QCOMPARE(profile->usersSource, UsersSource::AuthDatabase);
    QCOMPARE(profile->authDatabaseUri, QStringLiteral("sqlite:///") + authDatabasePath());
    QVERIFY(!profile->authDatabasePasswordInKeychain); // SQLite has none

    // The next sign-in to the profile does not ask, and lists every user at once.
    window = signIn(QStringLiteral("with-database"));
    QVERIFY(window);
    QVERIFY(!window->usersSourceDialog());
    QCOMPARE(window->directory()->userSource(), ListingSource::AuthDatabase);
    QCOMPARE(window->directory()->userCount(), 3);
}

void TestUsersSource::typedNamesAreLookedUpAndKeptForAnUnsavedConnection()
{
    MainWindow* window = signIn(QString());
    QVERIFY(window);
    QPointer<UsersSourceDialog> dialog = window->usersSourceDialog();
    QVERIFY(dialog);
    auto* names = dialog->findChild<QRadioButton*>(QStringLiteral("namesChoice"));
    // On the button's own circle: a radio button takes clicks only on its indicator and text.
    QTest::mouseClick(names, Qt::LeftButton, {}, QPoint(8, names->height() / 2));
    QCOMPARE(dialog->choice(), UsersSourceDialog::Choice::UserNames);
    QVERIFY(!dialog->okButton()->isEnabled());
    dialog->namesEdit()->setPlainText(QStringLiteral("user1, nobody\n user2 \n"));
    QCOMPARE(dialog->userNames(),
             (QStringList{DemoData::user1Username, QStringLiteral("nobody"), DemoData::user2Username}));
    QTest::mouseClick(dialog->okButton(), Qt::LeftButton);
    // The two that exist are added; the unknown name stays in the box with the reason beside it.
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->errorText().isEmpty(), 20000);
    QVERIFY2(dialog->errorText().contains(QStringLiteral("nobody")), qPrintable(dialog->errorText()));
    QCOMPARE(dialog->namesEdit()->toPlainText(), QStringLiteral("nobody"));
    QTRY_VERIFY_WITH_TIMEOUT(window->directory()->hasUser(DemoData::user1Username) &&
                                 window->directory()->hasUser(DemoData::user2Username) && !window->isLoading(),
                             20000);
    QCOMPARE(window->directory()->userCount(), 3);
    QCOMPARE(window->directory()->grantCount(DemoData::user1Username, ResourceType::Experiment), 2);
    QVERIFY2(window->usersSourceText().contains(QStringLiteral("3 known to this console")),
             qPrintable(window->usersSourceText()));
    dialog->reject();

    // The shared registry (the CLI reads the same file for this address) holds them.
    KnownUsersRegistry registry;
    QString error;
    QVERIFY2(registry.open(KnownUsersRegistry::defaultFilePath(QString(), m_server->server().url()), &error),
             qPrintable(error));
    QVERIFY(registry.contains(DemoData::user1Username));
    QVERIFY(registry.contains(DemoData::user2Username));
    QVERIFY(!registry.contains(QStringLiteral("nobody")));
    registry.close();

    // Kept for this URL and user although no profile was saved: the next sign-in does not ask.
    QCOMPARE(m_profiles->usersSource(QString(), m_server->server().url(), DemoData::adminUsername).usersSource,
             UsersSource::KnownUsers);
    window = signIn(QString());
    QVERIFY(window);
    QVERIFY(!window->usersSourceDialog());
    QCOMPARE(window->directory()->userSource(), ListingSource::KnownUsers);
    QVERIFY(window->directory()->hasUser(DemoData::user2Username));
}

void TestUsersSource::continueIsKeptAndLaterAsksAgain()
{
    // "Ask me next time" keeps nothing.
    MainWindow* window = signIn(QStringLiteral("later"));
    QVERIFY(window);
    QVERIFY(window->usersSourceDialog());
    QTest::mouseClick(window->usersSourceDialog()->findChild<QPushButton*>(QStringLiteral("laterButton")),
                      Qt::LeftButton);
    QTRY_VERIFY(!window->usersSourceDialog());
    QCOMPARE(m_profiles->profile(QStringLiteral("later"))->usersSource, UsersSource::NotChosen);
    window = signIn(QStringLiteral("later"));
    QVERIFY(window);
    QVERIFY(window->usersSourceDialog());

    // Continue is an answer: kept, and not asked again.
    window = signIn(QStringLiteral("continue"));
    QVERIFY(window);
    QPointer<UsersSourceDialog> dialog = window->usersSourceDialog();
    QVERIFY(dialog);
    dialog->setChoice(UsersSourceDialog::Choice::Continue);
    QVERIFY(dialog->okButton()->isEnabled());
    QTest::mouseClick(dialog->okButton(), Qt::LeftButton);
    QTRY_VERIFY(!dialog);
    QCOMPARE(m_profiles->profile(QStringLiteral("continue"))->usersSource, UsersSource::KnownUsers);
    QCOMPARE(window->directory()->userSource(), ListingSource::KnownUsers);
    window = signIn(QStringLiteral("continue"));
    QVERIFY(window);
    QVERIFY(!window->usersSourceDialog());
    QCOMPARE(window->directory()->userSource(), ListingSource::KnownUsers);
}

void TestUsersSource::aKeptDatabaseThatNoLongerOpensIsSaidAtSignIn()
{
    ServerProfile profile;
    profile.name = QStringLiteral("moved-database");
    profile.url = m_server->server().url();
    profile.username = DemoData::adminUsername;
    profile.usersSource = UsersSource::AuthDatabase;
    profile.authDatabaseUri = QStringLiteral("sqlite:///") + m_dir.filePath(QStringLiteral("moved/basic_auth.db"));
    QString error;
    QVERIFY2(m_profiles->save(profile, &error), qPrintable(error));
    MainWindow* window = signIn(profile.name);
    QVERIFY(window);
    QPointer<UsersSourceDialog> dialog = window->usersSourceDialog();
    QVERIFY(dialog);
    QVERIFY2(dialog->errorText().contains(QStringLiteral("did not open")) &&
                 dialog->errorText().contains(QStringLiteral("does not exist")),
             qPrintable(dialog->errorText()));
    // The kept file is in the form, to correct.
    QCOMPARE(dialog->authDatabaseUri(), profile.authDatabaseUri);
    dialog->sqlitePathEdit()->setText(authDatabasePath());
    QTest::mouseClick(dialog->okButton(), Qt::LeftButton);
    QTRY_VERIFY(!dialog);
    QTRY_VERIFY_WITH_TIMEOUT(window->directory()->userCount() == 3 && !window->isLoading(), 20000);
    QCOMPARE(m_profiles->profile(profile.name)->authDatabaseUri, QStringLiteral("sqlite:///") + authDatabasePath());
}

void TestUsersSource::demoDoesNotAsk()
{
    m_dialog = std::make_unique<LoginDialog>(m_profiles.get(), nullptr);
    m_flow = std::make_unique<SignInFlow>(m_dialog.get());
    m_dialog->startDemo();
    QTRY_VERIFY_WITH_TIMEOUT(m_flow->window() && m_flow->window()->directory()->userCount() == 3, 20000);
    MainWindow* window = m_flow->window();
    QVERIFY(window->session()->isDemo());
    QVERIFY(!window->session()->probe().hasUsersList); // MLflow 2.15.1's dialect: it cannot list users either
    QVERIFY(!window->usersSourceDialog());
    QCOMPARE(window->directory()->userSource(), ListingSource::AuthDatabase);
}

void TestUsersSource::usersPageOpensTheSameDialog()
{
    MainWindow* window = signIn(QStringLiteral("continue"));
    QVERIFY(window);
    QVERIFY(!window->usersSourceDialog());
    window->showPage(MainWindow::UsersPageIndex);
    auto* add = window->usersPage()->findChild<QPushButton*>(QStringLiteral("addExistingUserButton"));
    auto* database = window->usersPage()->findChild<QPushButton*>(QStringLiteral("authDatabaseButton"));
    QVERIFY(add && add->isVisible());
    QVERIFY(database && database->isVisible());
    QTest::mouseClick(add, Qt::LeftButton);
    QPointer<UsersSourceDialog> dialog = window->usersSourceDialog();
    QVERIFY(dialog);
    QCOMPARE(dialog->choice(), UsersSourceDialog::Choice::UserNames);
    dialog->reject();
    QTRY_VERIFY(!dialog);

    QTest::mouseClick(database, Qt::LeftButton);
    dialog = window->usersSourceDialog();
    QVERIFY(dialog);
    QCOMPARE(dialog->choice(), UsersSourceDialog::Choice::AuthDatabase);
    // A server database: its password has a field of its own, and one inside the URI is refused before anything
    // is opened, since a URI is shown and kept in the profile.
    dialog->setDatabaseKind(UsersSourceDialog::DatabaseKind::ServerDatabase);
    QCOMPARE(dialog->passwordEdit()->echoMode(), QLineEdit::Password);
    dialog->uriEdit()->setText(QStringLiteral("postgresql://mlflow:s3cret@127.0.0.1/auth"));
    QTest::mouseClick(dialog->okButton(), Qt::LeftButton);
    QVERIFY2(dialog->errorText().contains(QStringLiteral("Password field")), qPrintable(dialog->errorText()));
    QCOMPARE(window->directory()->userSource(), ListingSource::KnownUsers);
    // Without it in the URI, the password field's content is what the database gets; this machine's Qt has no
    // PostgreSQL driver, so the attempt fails with a sentence naming what to install, and nothing is kept.
    dialog->uriEdit()->setText(QStringLiteral("postgresql://mlflow@127.0.0.1/auth"));
    dialog->passwordEdit()->setText(QStringLiteral("s3cret"));
    QCOMPARE(dialog->authDatabasePassword(), QStringLiteral("s3cret"));
    QCOMPARE(dialog->authDatabaseUri(), QStringLiteral("postgresql://mlflow@127.0.0.1/auth"));
    QTest::mouseClick(dialog->okButton(), Qt::LeftButton);
    QTRY_VERIFY(!dialog->errorText().isEmpty());
    QVERIFY(dialog->isVisible());
    QCOMPARE(m_profiles->profile(QStringLiteral("continue"))->authDatabaseUri, QString());
    QFile profilesFile(m_profiles->fileName());
    QVERIFY(profilesFile.open(QIODevice::ReadOnly));
    QVERIFY(!profilesFile.readAll().contains("s3cret"));
}

void TestUsersSource::parsesNamesInEveryCommonForm()
{
    QCOMPARE(UsersSourceDialog::parseUserNames(QStringLiteral("a\nb\r\nc")),
             (QStringList{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}));
    QCOMPARE(UsersSourceDialog::parseUserNames(QStringLiteral(" a , b,,a ; c ")),
             (QStringList{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}));
    QCOMPARE(UsersSourceDialog::parseUserNames(QStringLiteral("alice smith@example.org\n")),
             QStringList{QStringLiteral("alice smith@example.org")});
    QVERIFY(UsersSourceDialog::parseUserNames(QStringLiteral(" ,\n ")).isEmpty());
}

QTEST_MAIN(TestUsersSource)
#include "tst_userssource.moc"

// The login dialog's keyboard behaviour: Enter means Connect whatever had the focus, and Esc while connecting stops
// the attempt instead of closing the dialog (which, with no window open, ends the application). Also: deleting a
// profile, errors in their own area that go when the form changes, a busy bar that says what it waits for,
// "Remember password" without a keychain, and no Qt network warnings when anything is cancelled.
// Only cancellingNeverWarns reaches a real MLflow server (the offline demo), so it runs on both generations of it
// (../common/Generations.h); the other functions talk to no server or to a stand-in that answers the probe's first
// steps, which are the same for 2.x and 3.x, and holds the rest, so a second generation would repeat them as they are.

#include "GuiTestSupport.h"

#include "Generations.h"

#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "server/DemoData.h"
#include "services/CredentialStore.h"
#include "services/ProfileStore.h"
#include "views/LoginDialog.h"
#include "views/MainWindow.h"
#include "views/MessageBox.h"
#include "views/Session.h"
#include "views/SignInFlow.h"

#include <QAbstractItemView>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QPointer>
#include <QToolButton>

#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

class TestLoginDialog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { GuiTest::isolate(m_dir); }

    void enterAfterSignOutConnects()
    {
        LoginDialog dialog(nullptr, nullptr);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto* cancel = dialog.findChild<QPushButton*>(QStringLiteral("cancelButton"));
        auto* demo = dialog.findChild<QPushButton*>(QStringLiteral("demoButton"));
        auto* connectButton = dialog.findChild<QPushButton*>(QStringLiteral("connectButton"));
        QVERIFY(cancel && demo && connectButton);
        // As after Sign out, with the focus left on Cancel or the demo button by the last session.
        dialog.reopen(QString(), QStringLiteral("Signed out."));
        QSignalSpy rejected(&dialog, &QDialog::rejected);
        for (QPushButton* focused : {cancel, demo}) {
            focused->setFocus();
            QTRY_VERIFY(focused->hasFocus());
            QTest::keyClick(focused, Qt::Key_Return);
            QCOMPARE(rejected.size(), 0);
            QVERIFY(dialog.isVisible());
            QVERIFY(connectButton->isDefault());
            // Connect ran: with an empty form it asks for the address.
            QVERIFY2(dialog.messageText().contains(QStringLiteral("address"), Qt::CaseInsensitive) ||
                         dialog.messageText().contains(QStringLiteral("user name"), Qt::CaseInsensitive),
                     qPrintable(dialog.messageText()));
            dialog.reopen(QString(), QStringLiteral("Signed out."));
        }
    }

    void escapeWhileConnectingStops()
    {
        // A server that accepts and never answers keeps the attempt pending.
        GuiTest::SilentServer silent;
        QVERIFY(silent.isListening());
        LoginDialog dialog(nullptr, nullptr);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        dialog.findChild<QLineEdit*>(QStringLiteral("urlEdit"))->setText(silent.url());
        dialog.findChild<QLineEdit*>(QStringLiteral("usernameEdit"))->setText(QStringLiteral("admin"));
        dialog.findChild<QLineEdit*>(QStringLiteral("passwordEdit"))->setText(QStringLiteral("password1234"));
        QSignalSpy rejected(&dialog, &QDialog::rejected);
        QTest::failOnWarning(QRegularExpression(QStringLiteral("Internal problem")));
        dialog.connectToServer();
        QVERIFY(dialog.isConnecting());
        QTRY_VERIFY(silent.holdsConnection());
        QTest::keyClick(&dialog, Qt::Key_Escape);
        QVERIFY(!dialog.isConnecting());
        QCOMPARE(rejected.size(), 0);
        QVERIFY(dialog.isVisible());
        QCOMPARE(dialog.messageText(), QStringLiteral("Connecting was cancelled."));
        QTest::qWait(200); // the cancelled reply's late signals, if any, would warn here
        // Not connecting: Esc closes, as any dialog's.
        QTest::keyClick(&dialog, Qt::Key_Escape);
        QCOMPARE(rejected.size(), 1);
    }

    void deleteProfileAsksFirst()
    {
        ProfileStore profiles(m_dir.filePath(QStringLiteral("delete-profiles.ini")));
        QString error;
        for (const QString& name : {QStringLiteral("alpha"), QStringLiteral("beta")}) {
            ServerProfile profile;
            profile.name = name;
            profile.url = QUrl(QStringLiteral("https://%1.example.org").arg(name));
            profile.username = QStringLiteral("admin");
            QVERIFY2(profiles.save(profile, &error), qPrintable(error));
        }
        LoginDialog dialog(&profiles, nullptr);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto* combo = dialog.findChild<QComboBox*>(QStringLiteral("profileCombo"));
        auto* deleteButton = dialog.findChild<QPushButton*>(QStringLiteral("deleteProfileButton"));
        QVERIFY(combo && deleteButton && deleteButton->isEnabled());
        dialog.selectProfile(QStringLiteral("alpha"));
        QCOMPARE(dialog.findChild<QLineEdit*>(QStringLiteral("urlEdit"))->text(),
                 QStringLiteral("https://alpha.example.org"));

        // Asked first; "No" keeps it.
        const int boxes = MessageBox::shownCount();
        MessageBox::setNextAnswer(QMessageBox::No);
        QTest::mouseClick(deleteButton, Qt::LeftButton);
        QCOMPARE(MessageBox::shownCount(), boxes + 1);
        QVERIFY2(MessageBox::lastText().contains(QStringLiteral("alpha")), qPrintable(MessageBox::lastText()));
        QVERIFY(profiles.contains(QStringLiteral("alpha")));
        MessageBox::setNextAnswer(QMessageBox::Yes);
        QTest::mouseClick(deleteButton, Qt::LeftButton);
        QVERIFY(!profiles.contains(QStringLiteral("alpha")));
        QCOMPARE(combo->findText(QStringLiteral("alpha")), -1);
        QVERIFY(dialog.findChild<QLineEdit*>(QStringLiteral("urlEdit"))->text().isEmpty());
        QVERIFY2(dialog.messageText().contains(QStringLiteral("deleted")), qPrintable(dialog.messageText()));

        // The Delete key on the open list deletes the highlighted profile, after asking too.
        combo->showPopup();
        QAbstractItemView* list = combo->view();
        QTRY_VERIFY(list->isVisible());
        list->setCurrentIndex(list->model()->index(combo->findText(QStringLiteral("beta")), 0));
        MessageBox::setNextAnswer(QMessageBox::Yes);
        QTest::keyClick(list, Qt::Key_Delete);
        QCOMPARE(MessageBox::shownCount(), boxes + 3);
        QVERIFY(!profiles.contains(QStringLiteral("beta")));
        QCOMPARE(combo->count(), 0);
        QVERIFY(!deleteButton->isEnabled()); // nothing left to delete
        MessageBox::setNextAnswer(QMessageBox::NoButton);
    }

    void errorsHaveTheirOwnAreaAndGoWhenTheFormChanges()
    {
        LoginDialog dialog(nullptr, nullptr);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto* url = dialog.findChild<QLineEdit*>(QStringLiteral("urlEdit"));
        auto* user = dialog.findChild<QLineEdit*>(QStringLiteral("usernameEdit"));
        auto* message = dialog.findChild<QLabel*>(QStringLiteral("messageLabel"));
        QTest::keyClicks(url, QStringLiteral("http://127.0.0.1:9"));
        dialog.connectToServer(); // no user name: refused with a sentence
        QVERIFY(!dialog.isConnecting());
        QVERIFY2(dialog.messageText().contains(QStringLiteral("user name")), qPrintable(dialog.messageText()));
        QTRY_VERIFY(message->isVisible());
        // A long error grows the dialog; it never lies over a field.
        dialog.connectToServer();
        QCoreApplication::processEvents();
        const QRect messageArea(message->mapTo(&dialog, QPoint(0, 0)), message->size());
        for (QWidget* field : dialog.findChildren<QLineEdit*>()) {
            if (!field->isVisible())
                continue;
            const QRect fieldArea(field->mapTo(&dialog, QPoint(0, 0)), field->size());
            QVERIFY2(!messageArea.intersects(fieldArea), qPrintable(field->objectName()));
        }
        // Typing in any field clears it: it answered the form as it was.
        QTest::keyClicks(user, QStringLiteral("a"));
        QVERIFY(dialog.messageText().isEmpty());
        QVERIFY(!message->isVisible());
        dialog.connectToServer(); // http://127.0.0.1:9 refuses: a fresh message once the attempt ends
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.isConnecting(), 20000);
        QVERIFY(!dialog.messageText().isEmpty());
        QTest::keyClick(url, Qt::Key_Backspace);
        QVERIFY(dialog.messageText().isEmpty());
    }

    void busyBarSaysWhatItWaitsFor()
    {
        // A stand-in server that answers /health and users/get like MLflow and then holds every other request:
        // the probe stays in its last step, checking the API.
        QTcpServer stalling;
        QVERIFY(stalling.listen(QHostAddress::LocalHost, 0));
        QList<QTcpSocket*> sockets;
        connect(&stalling, &QTcpServer::newConnection, this, [&] {
            while (QTcpSocket* socket = stalling.nextPendingConnection()) {
                sockets.append(socket);
                connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                    const QByteArray request = socket->readAll();
                    QByteArray body;
                    if (request.startsWith("GET /health "))
                        body = "OK";
                    else if (request.startsWith("GET /api/2.0/mlflow/users/get"))
                        body = R"({"user": {"id": 1, "username": "admin", "is_admin": true}})";
                    else
                        return; // held
                    socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                                  QByteArray::number(body.size()) + "\r\n\r\n" + body);
                });
            }
        });
        LoginDialog dialog(nullptr, nullptr);
        dialog.show();
        const QString address = QStringLiteral("http://127.0.0.1:%1").arg(stalling.serverPort());
        dialog.findChild<QLineEdit*>(QStringLiteral("urlEdit"))->setText(address);
        dialog.findChild<QLineEdit*>(QStringLiteral("usernameEdit"))->setText(QStringLiteral("admin"));
        dialog.findChild<QLineEdit*>(QStringLiteral("passwordEdit"))->setText(QStringLiteral("secret"));
        dialog.connectToServer();
        QVERIFY(dialog.isConnecting());
        QVERIFY2(dialog.busyText().startsWith(QStringLiteral("Connecting to %1").arg(address)),
                 qPrintable(dialog.busyText()));
        QTRY_COMPARE_WITH_TIMEOUT(dialog.busyText(), QStringLiteral("Checking the server's API…"), 10000);
        dialog.cancelConnect();
        QVERIFY(dialog.busyText().isEmpty());
        qDeleteAll(sockets);
    }

    void rememberPasswordNeedsAWorkingKeychain()
    {
        // D-Bus is "disabled:" here (GuiTest::isolate): no keychain can answer, as on a desktop without one.
        CredentialStore credentials(QStringLiteral("mlflow-admin-logindialog-test"));
        LoginDialog dialog(nullptr, &credentials);
        dialog.show();
        auto* remember = dialog.findChild<QCheckBox*>(QStringLiteral("rememberBox"));
        auto* note = dialog.findChild<QLabel*>(QStringLiteral("keychainNote"));
        QTRY_VERIFY_WITH_TIMEOUT(note->isVisible(), 10000);
        QVERIFY(!dialog.keychainWorks());
        QVERIFY(!remember->isEnabled());
        QVERIFY(!remember->isChecked());
        QVERIFY2(note->text().contains(QStringLiteral("cannot be remembered")), qPrintable(note->text()));
        QCOMPARE(remember->toolTip(), note->text());

        // Without any credential store it says so too.
        LoginDialog none(nullptr, nullptr);
        QVERIFY(!none.findChild<QCheckBox*>(QStringLiteral("rememberBox"))->isEnabled());
        QVERIFY(!none.findChild<QLabel*>(QStringLiteral("keychainNote"))->text().isEmpty());
    }

    // Cancelling at every stage (the connection attempt, the first load, the window with staged changes) must not
    // make Qt's network stack complain: a handler fails the test on its "Internal problem" warning.
    void cancellingNeverWarns_data() { Generations::addRows(); }
    void cancellingNeverWarns()
    {
        QFETCH(Dialect, generation);
        s_internalProblems = 0;
        s_previousHandler = qInstallMessageHandler(&TestLoginDialog::watchMessages);
        // The connection attempt, stopped while the server keeps it waiting.
        {
            GuiTest::SilentServer silent;
            QVERIFY(silent.isListening());
            LoginDialog dialog(nullptr, nullptr);
            dialog.show();
            dialog.findChild<QLineEdit*>(QStringLiteral("urlEdit"))->setText(silent.url());
            dialog.findChild<QLineEdit*>(QStringLiteral("usernameEdit"))->setText(QStringLiteral("admin"));
            dialog.connectToServer();
            QTRY_VERIFY(silent.holdsConnection());
            QTest::mouseClick(dialog.findChild<QPushButton*>(QStringLiteral("cancelButton")), Qt::LeftButton);
            QVERIFY(!dialog.isConnecting());
            QTest::qWait(100);
        }
        // The first load, cancelled from the status bar; then closing with a staged change, cancelled and
        // confirmed.
        {
            LoginDialog dialog(nullptr, nullptr);
            dialog.setDemoDialect(generation);
            SignInFlow flow(&dialog);
            dialog.startDemo();
            QTRY_VERIFY_WITH_TIMEOUT(flow.window() != nullptr, 20000);
            QPointer<MainWindow> window = flow.window();
            QCOMPARE(window->session()->embeddedServer()->dialect().isMlflow3(), generation.isMlflow3());
            auto* cancelLoad = window->findChild<QToolButton*>(QStringLiteral("cancelLoadButton"));
            QTRY_VERIFY_WITH_TIMEOUT(!window->isLoading() && window->directory()->userCount() == 3, 20000);
            // A load in flight, cancelled from the status bar.
            window->refresh();
            QVERIFY(window->isLoading());
            QTest::mouseClick(cancelLoad, Qt::LeftButton);
            QVERIFY(!window->isLoading());
            QTest::qWait(100);
            // Closing with a staged change asks; "No" keeps the window. "Yes" closes it, here in the middle of a
            // load, whose requests the session cancels on its way out.
            QVERIFY(window->changeSet()->stageSetAdmin(DemoData::user1Username, true));
            MessageBox::setNextAnswer(QMessageBox::No);
            window->close();
            QVERIFY2(MessageBox::lastText().contains(QStringLiteral("lose the staged changes")),
                     qPrintable(MessageBox::lastText()));
            QVERIFY(window->isVisible());
            window->refresh();
            QVERIFY(window->isLoading());
            MessageBox::setNextAnswer(QMessageBox::Yes);
            window->close();
            QTRY_VERIFY(!window);
            QTest::qWait(200);
        }
        qInstallMessageHandler(s_previousHandler);
        MessageBox::setNextAnswer(QMessageBox::NoButton);
        QCOMPARE(s_internalProblems, 0);
    }

private:
    static void watchMessages(QtMsgType type, const QMessageLogContext& context, const QString& message)
    {
        if (message.contains(QStringLiteral("Internal problem")))
            ++s_internalProblems;
        if (s_previousHandler)
            s_previousHandler(type, context, message);
    }

    static inline int s_internalProblems = 0;
    static inline QtMessageHandler s_previousHandler = nullptr;
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestLoginDialog)
#include "tst_logindialog.moc"

// The login dialog's keyboard behaviour: Enter means Connect whatever had the focus, and Esc while connecting stops
// the attempt instead of closing the dialog (which, with no window open, ends the application).

#include "GuiTestSupport.h"
#include "views/LoginDialog.h"

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
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        QList<QTcpSocket*> held;
        connect(&silent, &QTcpServer::newConnection, this, [&] {
            while (QTcpSocket* socket = silent.nextPendingConnection())
                held.append(socket);
        });
        LoginDialog dialog(nullptr, nullptr);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        dialog.findChild<QLineEdit*>(QStringLiteral("urlEdit"))
            ->setText(QStringLiteral("http://127.0.0.1:%1").arg(silent.serverPort()));
        dialog.findChild<QLineEdit*>(QStringLiteral("usernameEdit"))->setText(QStringLiteral("admin"));
        dialog.findChild<QLineEdit*>(QStringLiteral("passwordEdit"))->setText(QStringLiteral("password1234"));
        QSignalSpy rejected(&dialog, &QDialog::rejected);
        QTest::failOnWarning(QRegularExpression(QStringLiteral("Internal problem")));
        dialog.connectToServer();
        QVERIFY(dialog.isConnecting());
        QTRY_VERIFY(!held.isEmpty());
        QTest::keyClick(&dialog, Qt::Key_Escape);
        QVERIFY(!dialog.isConnecting());
        QCOMPARE(rejected.size(), 0);
        QVERIFY(dialog.isVisible());
        QCOMPARE(dialog.messageText(), QStringLiteral("Connecting was cancelled."));
        QTest::qWait(200); // the cancelled reply's late signals, if any, would warn here
        // Not connecting: Esc closes, as any dialog's.
        QTest::keyClick(&dialog, Qt::Key_Escape);
        QCOMPARE(rejected.size(), 1);
        qDeleteAll(held);
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestLoginDialog)
#include "tst_logindialog.moc"

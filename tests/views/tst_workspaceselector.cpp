// The console on an MLflow 3.14 with workspaces (the embedded demo with --workspaces): the toolbar offers the
// workspaces, picking one reloads the window for it (every request then names it), the status bar says which, and
// staged changes pin the workspace until they are applied or discarded. On a server without workspaces there is
// no selector.

#include "../common/Generations.h"
#include "../common/RawHttpClient.h"
#include "GuiTestSupport.h"

#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "server/DemoData.h"
#include "server/EmbeddedServer.h"
#include "views/LoginDialog.h"
#include "views/MainWindow.h"
#include "views/MessageBox.h"
#include "views/Session.h"

#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QToolBar>
#include <QtTest>

class TestWorkspaceSelector : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { GuiTest::isolate(m_dir); }

    void switchesWorkspaces()
    {
        std::unique_ptr<Session> session = GuiTest::demoSession(Generations::mlflow3(true));
        QVERIFY(session);
        // A second workspace with an experiment of its own, made through the server's API as an admin would.
        const quint16 port = session->embeddedServer()->port();
        RawHttpClient http(QStringLiteral("127.0.0.1"), port);
        const QByteArray auth =
            "Basic " + (DemoData::adminUsername + QLatin1Char(':') + DemoData::adminPassword).toUtf8().toBase64();
        QCOMPARE(http.send("POST", "/api/3.0/mlflow/workspaces",
                           {{"Authorization", auth}, {"Content-Type", "application/json"}}, R"({"name":"team-a"})",
                           true)
                     .status,
                 201); // as MLflow 3.14 answers a created workspace
        QCOMPARE(
            http.send("POST", "/api/2.0/mlflow/experiments/create",
                      {{"Authorization", auth}, {"Content-Type", "application/json"}, {"X-MLFLOW-WORKSPACE", "team-a"}},
                      R"({"name":"/team-a/forecast"})", true)
                .status,
            200);

        MainWindow window(session.release());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.refresh();
        QTRY_VERIFY_WITH_TIMEOUT(!window.directory()->isLoading(), 20000);
        auto* combo = window.findChild<QComboBox*>(QStringLiteral("workspaceCombo"));
        QVERIFY(combo);
        QTRY_VERIFY(combo->isVisible());
        QTRY_COMPARE(combo->count(), 2);
        QCOMPARE(combo->currentText(), QStringLiteral("default"));
        auto* version = window.findChild<QLabel*>(QStringLiteral("versionLabel"));
        QVERIFY2(version->text().contains(QStringLiteral("workspace default")), qPrintable(version->text()));
        QVERIFY(window.directory()->experimentRowByName(QStringLiteral("/user1/experiment1")) >= 0);

        // Picked from the keyboard: the window reloads for team-a.
        combo->setFocus();
        QTest::keyClick(combo, Qt::Key_Down);
        QCOMPARE(combo->currentText(), QStringLiteral("team-a"));
        QTRY_VERIFY_WITH_TIMEOUT(window.directory()->experimentRowByName(QStringLiteral("/team-a/forecast")) >= 0,
                                 20000);
        QTRY_VERIFY_WITH_TIMEOUT(!window.directory()->isLoading(), 20000);
        QCOMPARE(window.directory()->experimentRowByName(QStringLiteral("/user1/experiment1")), -1);
        QCOMPARE(window.session()->connection()->workspace(), QStringLiteral("team-a"));
        QVERIFY2(version->text().contains(QStringLiteral("workspace team-a")), qPrintable(version->text()));

        // A staged change pins the workspace: switching is refused with the reason, and nothing moves.
        const QString experimentId = window.directory()->resourceIdAt(
            ResourceType::Experiment, window.directory()->experimentRowByName(QStringLiteral("/team-a/forecast")));
        QVERIFY(window.changeSet()->stageGrant(DemoData::user1Username, ResourceType::Experiment, experimentId,
                                               PermissionLevel::Read));
        const int boxes = MessageBox::shownCount();
        QTest::keyClick(combo, Qt::Key_Up);
        QCOMPARE(MessageBox::shownCount(), boxes + 1);
        QVERIFY2(MessageBox::lastText().contains(QStringLiteral("belong to workspace team-a")),
                 qPrintable(MessageBox::lastText()));
        QCOMPARE(combo->currentText(), QStringLiteral("team-a"));
        QCOMPARE(window.session()->connection()->workspace(), QStringLiteral("team-a"));
        window.changeSet()->discard();
    }

    void noSelectorWithoutWorkspaces()
    {
        std::unique_ptr<Session> session = GuiTest::demoSession();
        QVERIFY(session);
        MainWindow window(session.release());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto* combo = window.findChild<QComboBox*>(QStringLiteral("workspaceCombo"));
        QVERIFY(combo);
        QTest::qWait(500); // server-info has been asked and answered by now
        QVERIFY(!combo->isVisible());
        auto* version = window.findChild<QLabel*>(QStringLiteral("versionLabel"));
        QVERIFY(!version->text().contains(QStringLiteral("workspace")));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestWorkspaceSelector)
#include "tst_workspaceselector.moc"

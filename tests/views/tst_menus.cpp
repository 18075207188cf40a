// The main window's menu bar and help: every toolbar action is also in a menu with its shortcut, Ctrl+1... switch
// pages, F1 opens the manual, About names the versions and the licence, Ctrl+Q quits, the title says "demo".

#include "GuiTestSupport.h"
#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "views/AboutDialog.h"
#include "views/LoginDialog.h"
#include "views/MainWindow.h"
#include "views/ManualDialog.h"
#include "views/Session.h"

#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QScreen>
#include <QSignalSpy>
#include <QToolBar>
#include <QtTest>

class TestMenus : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        GuiTest::isolate(m_dir);
        QCoreApplication::setApplicationVersion(QStringLiteral("9.8.7"));
    }

    void menusCarryEveryAction()
    {
        MainWindow* window = openDemoWindow();
        QVERIFY(window);
        window->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(window->directory()->experimentCount() > 0 && !window->directory()->isLoading(),
                                 20000);
        QVERIFY2(window->windowTitle().contains(QStringLiteral("offline demo")), qPrintable(window->windowTitle()));

        QStringList titles;
        QList<QAction*> inMenus;
        for (QAction* menuAction : window->menuBar()->actions()) {
            titles.append(menuAction->text().remove(QLatin1Char('&')));
            inMenus += menuAction->menu()->actions();
        }
        QCOMPARE(titles, (QStringList{QStringLiteral("File"), QStringLiteral("Edit"), QStringLiteral("View"),
                                      QStringLiteral("Server"), QStringLiteral("Help")}));
        auto* toolbar = window->findChild<QToolBar*>(QStringLiteral("mainToolBar"));
        QVERIFY(toolbar);
        for (QAction* action : toolbar->actions()) {
            if (action->isSeparator() || action->text().isEmpty())
                continue; // separators and the spacer
            QVERIFY2(inMenus.contains(action), qPrintable(action->text()));
            QVERIFY2(!action->shortcut().isEmpty() || action == window->discardAction(), qPrintable(action->text()));
        }

        // Ctrl+1... switch pages.
        QTest::keyClick(window, Qt::Key_2, Qt::ControlModifier);
        QCOMPARE(window->currentPage(), MainWindow::ExperimentsPageIndex);
        QTest::keyClick(window, Qt::Key_4, Qt::ControlModifier);
        QCOMPARE(window->currentPage(), MainWindow::MatrixPageIndex);
        QTest::keyClick(window, Qt::Key_1, Qt::ControlModifier);
        QCOMPARE(window->currentPage(), MainWindow::UsersPageIndex);

        // F1: the manual, from the program's resources.
        QTest::keyClick(window, Qt::Key_F1);
        ManualDialog* manual = nullptr;
        QTRY_VERIFY((manual = window->findChild<ManualDialog*>()) && manual->isVisible());
        QVERIFY2(manual->plainText().contains(QStringLiteral("Access matrix")), qPrintable(manual->plainText()));
        QVERIFY(manual->plainText().contains(QStringLiteral("Review & apply")));
        manual->close();

        // About: this program's version, Qt's, the server's MLflow, the licence.
        window->findChild<QAction*>(QStringLiteral("aboutAction"))->trigger();
        AboutDialog* about = nullptr;
        QTRY_VERIFY((about = window->findChild<AboutDialog*>()) && about->isVisible());
        const QString text = about->text();
        QVERIFY2(text.contains(QStringLiteral("mlflow-admin 9.8.7")), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("Qt %1").arg(QString::fromLatin1(qVersion()))));
        QVERIFY(text.contains(QStringLiteral("MLflow 2.15.1")));
        QVERIFY(text.contains(QStringLiteral("offline demo")));
        QVERIFY(text.contains(QStringLiteral("Apache License, Version 2.0")));
        about->close();

        // Undo says in words what it would take back, with the resource's name.
        Directory* directory = window->directory();
        const int row = directory->experimentRowByName(QStringLiteral("/user1/experiment1"));
        QVERIFY(row >= 0);
        const QString id = directory->resourceIdAt(ResourceType::Experiment, row);
        QVERIFY(window->changeSet()->stageGrant(QStringLiteral("user2"), ResourceType::Experiment, id,
                                                PermissionLevel::Read));
        QCOMPARE(window->undoAction()->text().remove(QLatin1Char('&')),
                 QStringLiteral("Undo Grant READ on /user1/experiment1 to user2"));
        QVERIFY(window->changeSet()->stageGrant(QStringLiteral("user2"), ResourceType::Experiment, id, std::nullopt));
        QCOMPARE(window->undoAction()->text().remove(QLatin1Char('&')),
                 QStringLiteral("Undo Revoke user2's permission on /user1/experiment1"));
        window->changeSet()->discard();

        // Ctrl+Q closes the window (nothing staged, so nothing to ask).
        QTest::keyClick(window, Qt::Key_Q, Qt::ControlModifier);
        QTRY_VERIFY(!window->isVisible());
        delete window;
    }

    // The first window fits the screen it opens on (the offscreen screen is smaller than the 1100 x 700 the window
    // wants on a large one).
    void firstWindowFitsTheScreen()
    {
        MainWindow* window = openDemoWindow();
        QVERIFY(window);
        const QSize available = window->screen()->availableGeometry().size();
        QVERIFY2(window->width() <= available.width() && window->height() <= available.height(),
                 qPrintable(QStringLiteral("%1x%2 on %3x%4")
                                .arg(window->width())
                                .arg(window->height())
                                .arg(available.width())
                                .arg(available.height())));
        QVERIFY(window->width() <= 1100 && window->height() <= 700);
        delete window;
    }

private:
    MainWindow* openDemoWindow()
    {
        std::unique_ptr<Session> session = GuiTest::demoSession();
        if (!session)
            return nullptr;
        auto* window = new MainWindow(session.release());
        window->show();
        if (!QTest::qWaitForWindowExposed(window)) {
            delete window;
            return nullptr;
        }
        return window;
    }

    QTemporaryDir m_dir;
};

QTEST_MAIN(TestMenus)
#include "tst_menus.moc"

// The console in a narrow window (800 px, the width of a small laptop screen split in two): the status bar's
// parts fit or elide with their whole text in the tooltip, for an admin and for an account without the admin flag
// on both generations; and the per-user access panel keeps resource names that look alike apart.

#include "Generations.h"
#include "GuiTestSupport.h"
#include "ServerFixture.h"

#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "models/UserAccessModel.h"
#include "server/DemoData.h"
#include "views/ElidingLabel.h"
#include "views/LoginDialog.h"
#include "views/MainWindow.h"
#include "views/MessageBox.h"
#include "views/UserAccessPanel.h"

#include <QLineEdit>
#include <QSet>
#include <QStatusBar>
#include <QStyle>
#include <QTableView>
#include <QToolTip>

#include <memory>

class TestNarrowWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void statusBarIsReadableAt800Pixels_data();
    void statusBarIsReadableAt800Pixels();
    void userPanelKeepsAlikeNamesApart();

private:
    QTemporaryDir m_dir;
    MainWindow* m_window = nullptr;
};

void TestNarrowWindow::initTestCase()
{
    QVERIFY(m_dir.isValid());
    GuiTest::isolate(m_dir);
}

void TestNarrowWindow::cleanup()
{
    GuiTest::closeWindow(m_window);
}

void TestNarrowWindow::statusBarIsReadableAt800Pixels_data()
{
    QTest::addColumn<Dialect>("generation");
    QTest::addColumn<bool>("admin");
    QTest::newRow("mlflow-2.15.1 admin") << Dialect() << true;
    QTest::newRow("mlflow-2.15.1 member") << Dialect() << false;
    QTest::newRow("mlflow-3.14 admin") << Generations::mlflow3() << true;
    QTest::newRow("mlflow-3.14 member") << Generations::mlflow3() << false;
}

void TestNarrowWindow::statusBarIsReadableAt800Pixels()
{
    QFETCH(Dialect, generation);
    QFETCH(bool, admin);
    ServerFixture server(true, QStringLiteral("NO_PERMISSIONS"), QString(), QString(), generation);
    QVERIFY2(server.started(), qPrintable(server.error()));
    {
        LoginDialog dialog(nullptr, nullptr);
        dialog.show();
        dialog.findChild<QLineEdit*>(QStringLiteral("urlEdit"))->setText(server.server().url().toString());
        dialog.findChild<QLineEdit*>(QStringLiteral("usernameEdit"))
            ->setText(admin ? DemoData::adminUsername : DemoData::user1Username);
        dialog.findChild<QLineEdit*>(QStringLiteral("passwordEdit"))
            ->setText(admin ? DemoData::adminPassword : DemoData::user1Password);
        if (!admin)
            MessageBox::setNextAnswer(QMessageBox::Yes); // go on with limited rights
        // 2.15.1 cannot list users: the admin is asked where they come from; "continue" keeps the known users.
        m_window = GuiTest::connectAndOpen(dialog);
    }
    QVERIFY(m_window);
    m_window->resize(800, 600);
    QTRY_COMPARE(m_window->width(), 800);
    QStatusBar* bar = m_window->statusBar();
    QTest::qWait(50); // the status bar lays out on the resize event
    const QList<ElidingLabel*> labels = bar->findChildren<ElidingLabel*>();
    QVERIFY(labels.size() >= 6);
    int elided = 0;
    const auto check = [&](int expectedShown) {
        int shown = 0;
        for (ElidingLabel* label : labels) {
            const QString name = label->objectName();
            if (!label->isVisible())
                continue;
            ++shown;
            QVERIFY2(label->width() >= label->minimumSizeHint().width(), qPrintable(name));
            QVERIFY2(label->geometry().right() <= bar->width(), qPrintable(name));
            // It fits, or it says that it is shortened (an ellipsis) and shows the whole text on hover.
            const QString displayed = label->displayedText();
            QVERIFY2(label->fontMetrics().horizontalAdvance(displayed) <= label->contentsRect().width(),
                     qPrintable(name + QLatin1String(": ") + displayed));
            if (label->isElided()) {
                ++elided;
                QVERIFY2(displayed.contains(QChar(0x2026)), qPrintable(displayed));
                QVERIFY2(label->displayedToolTip().contains(label->text()), qPrintable(name));
                // Hovering shows it: the tooltip event the application sends.
                QHelpEvent hover(QEvent::ToolTip, QPoint(4, 4), label->mapToGlobal(QPoint(4, 4)));
                QApplication::sendEvent(label, &hover);
                QTRY_VERIFY(QToolTip::isVisible());
                QCOMPARE(QToolTip::text(), label->displayedToolTip());
                QToolTip::hideText();
            } else {
                QCOMPARE(displayed, label->text());
            }
        }
        QCOMPARE(shown, expectedShown);
    };
    // Server, version, user, refreshed, and the users source where the server cannot list users; "pending changes"
    // only once there is one.
    auto* pending = bar->findChild<ElidingLabel*>(QStringLiteral("pendingLabel"));
    QVERIFY(pending && !pending->isVisible());
    check(generation.isMlflow3() ? 4 : 5);
    // A staged new user, which any account's console can stage, whatever users it knows.
    QVERIFY(m_window->changeSet()->stageCreateUser(QStringLiteral("newcomer"), QStringLiteral("newcomer-password")));
    QTRY_VERIFY(pending->isVisible());
    QTest::qWait(50);
    QCOMPARE(pending->text(), QStringLiteral("pending changes: 1"));
    check(generation.isMlflow3() ? 5 : 6);
    // Who is signed in, and with which rights, is never shortened at this width.
    auto* user = bar->findChild<ElidingLabel*>(QStringLiteral("userLabel"));
    QVERIFY(user);
    QVERIFY2(!user->isElided(), qPrintable(user->displayedText()));
    QVERIFY(user->text().contains(admin ? QStringLiteral("admin") : QStringLiteral("not an admin")));

    // The window cannot get much narrower (its toolbar), but fonts can be wider than here: squeezed, each part
    // that gives way says so and keeps its text in the tooltip.
    for (ElidingLabel* label : labels) {
        if (label->isVisible() && label != user)
            label->setFixedWidth(label->minimumSizeHint().width());
    }
    QTest::qWait(50);
    elided = 0;
    check(generation.isMlflow3() ? 5 : 6);
    QCOMPARE(elided, generation.isMlflow3() ? 3 : 4); // all but who is signed in and when it was refreshed
    for (ElidingLabel* label : labels) {
        label->setMinimumWidth(0);
        label->setMaximumWidth(QWIDGETSIZE_MAX);
    }

    // Where there is room, nothing is shortened.
    m_window->resize(1280, 700);
    QTRY_COMPARE(m_window->width(), 1280);
    QTest::qWait(50);
    for (ElidingLabel* label : labels) {
        if (label->isVisible())
            QVERIFY2(!label->isElided(), qPrintable(label->objectName() + QLatin1String(": ") + label->text()));
    }
}

void TestNarrowWindow::userPanelKeepsAlikeNamesApart()
{
    const QStringList names{
        QStringLiteral("/team094/forecasting/nightly/experiment019994"),
        QStringLiteral("/team094/forecasting/weekly/experiment019994"),
        QStringLiteral("/team095/forecasting/nightly/experiment019994"),
        QStringLiteral("/team094/forecasting/nightly/experiment019995"),
        QStringLiteral("/team094/experiment000001"),
    };
    QList<Experiment> experiments;
    User user;
    user.id = 2;
    user.username = QStringLiteral("ada");
    for (int i = 0; i < names.size(); ++i) {
        Experiment experiment;
        experiment.id = QString::number(i + 1);
        experiment.name = names.at(i);
        experiment.lifecycleStage = QStringLiteral("active");
        experiments.append(experiment);
        user.experimentGrants.append(
            Grant{user.username, user.id, ResourceType::Experiment, experiment.id, PermissionLevel::Read});
    }
    Directory directory;
    directory.setContents({user}, experiments, {}, ListingSource::ServerApi);
    directory.setDefaultPermission(PermissionLevel::NoPermissions);
    ChangeSet changes(&directory);
    UserAccessPanel panel(&directory, &changes);
    panel.resize(320, 400);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.setUser(user.username);
    UserAccessModel* model = panel.model();
    QCOMPARE(model->rowCount(), names.size());
    QTableView* view = panel.view();

    // From the panel's first width (125 px) up: at each, every name is told apart from the others, fits
    // its cell, and is whole in the tooltip.
    for (const int width : {125, 150, 170, 260}) {
        view->setColumnWidth(UserAccessModel::Resource, width);
        QSet<QString> seen;
        for (int row = 0; row < model->rowCount(); ++row) {
            const QString name = model->accessAt(row).name;
            const QString shown = panel.displayedName(row);
            QVERIFY2(!seen.contains(shown), qPrintable(QStringLiteral("%1 px: '%2' twice").arg(width).arg(shown)));
            seen.insert(shown);
            QVERIFY2(view->fontMetrics().horizontalAdvance(shown) < width,
                     qPrintable(QStringLiteral("%1 px: %2").arg(width).arg(shown)));
            QVERIFY(model->index(row, UserAccessModel::Resource).data(Qt::ToolTipRole).toString().contains(name));
        }
    }

    // Shortened only where needed: a name nothing resembles keeps the matrix's form, and the look-alikes keep
    // the segment that tells them apart.
    view->setColumnWidth(UserAccessModel::Resource, 800);
    for (int row = 0; row < model->rowCount(); ++row)
        QCOMPARE(panel.displayedName(row), model->accessAt(row).name);
    view->setColumnWidth(UserAccessModel::Resource,
                         view->fontMetrics().horizontalAdvance(QStringLiteral("/team094/…/weekly/…/experiment019994")) +
                             30);
    for (int row = 0; row < model->rowCount(); ++row) {
        const QString name = model->accessAt(row).name;
        const QString shown = panel.displayedName(row);
        if (name == QLatin1String("/team094/forecasting/weekly/experiment019994"))
            QVERIFY2(shown.contains(QStringLiteral("weekly")) && shown.endsWith(QStringLiteral("experiment019994")),
                     qPrintable(shown));
        if (name == QLatin1String("/team095/forecasting/nightly/experiment019994"))
            QVERIFY2(shown.startsWith(QStringLiteral("/team095/")), qPrintable(shown));
        if (name == QLatin1String("/team094/experiment000001"))
            QCOMPARE(shown, name);
    }
}

QTEST_MAIN(TestNarrowWindow)
#include "tst_narrowwindow.moc"

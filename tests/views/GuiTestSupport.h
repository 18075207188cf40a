#pragma once

// Shared by the views tests: settings and keychain isolation, and waiting for API jobs without letting them
// delete themselves. Certificates for HTTPS tests come from ../common/TestCertificate.h.

#include "api/ApiJob.h"
#include "models/ChangeSet.h"
#include "server/Dialect.h"
#include "views/LoginDialog.h"
#include "views/MainWindow.h"
#include "views/MessageBox.h"
#include "views/Session.h"

#include <QPushButton>

#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

namespace GuiTest {

template <typename Job>
bool waitFor(Job* job, int timeoutMs = 20000)
{
    job->setAutoDelete(false);
    return QTest::qWaitFor([job] { return job->isFinished(); }, timeoutMs);
}

// Keeps the test away from the user's settings, data and keychain: QStandardPaths test mode, QSettings in a
// temporary folder, and a D-Bus address that fails at once instead of reaching (or autolaunching) a keyring.
inline void isolate(const QTemporaryDir& dir)
{
    // Test mode puts data under ~/.qttest; a private HOME keeps even that inside the temporary folder.
    qputenv("HOME", dir.filePath(QStringLiteral("home")).toLocal8Bit());
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir.filePath(QStringLiteral("settings")));
    qputenv("DBUS_SESSION_BUS_ADDRESS", "disabled:");
}

// Signs in to the offline demo (the embedded server in `dialect`) through the login dialog, as its Offline demo
// button does; null when that failed.
inline std::unique_ptr<Session> demoSession(const Dialect& dialect = Dialect())
{
    LoginDialog dialog(nullptr, nullptr);
    dialog.setDemoDialect(dialect);
    QSignalSpy signedIn(&dialog, &LoginDialog::signedIn);
    dialog.startDemo();
    if (!QTest::qWaitFor([&] { return !signedIn.isEmpty() || !dialog.isConnecting(); }, 20000) || signedIn.isEmpty())
        return nullptr;
    return std::unique_ptr<Session>(dialog.takeSession());
}

// The main window for `session` (taken over), shown and after its first successful load; null otherwise.
inline MainWindow* openLoadedWindow(Session* session)
{
    auto* window = new MainWindow(session);
    window->show();
    if (!QTest::qWaitForWindowExposed(window)) {
        delete window;
        return nullptr;
    }
    QSignalSpy loaded(window, &MainWindow::loadFinished);
    window->refresh();
    if (!loaded.wait(20000) || !loaded.first().first().toBool()) {
        delete window;
        return nullptr;
    }
    return window;
}

// Presses Connect in a filled-in login dialog and opens the main window of the session once it has loaded; null,
// with the dialog's message as a warning, when the sign-in or the load failed.
inline MainWindow* connectAndOpen(LoginDialog& dialog)
{
    QSignalSpy signedIn(&dialog, &LoginDialog::signedIn);
    QTest::mouseClick(dialog.findChild<QPushButton*>(QStringLiteral("connectButton")), Qt::LeftButton);
    if (!QTest::qWaitFor([&] { return !signedIn.isEmpty() || !dialog.isConnecting(); }, 20000) || signedIn.isEmpty()) {
        qWarning("Sign-in failed: %s", qPrintable(dialog.messageText()));
        return nullptr;
    }
    return openLoadedWindow(dialog.takeSession());
}

// A test's cleanup: drops the window's staged changes (so closing does not ask), deletes it, and forgets any
// answer queued for a message box.
inline void closeWindow(MainWindow*& window)
{
    if (window) {
        window->changeSet()->discard();
        QTest::qWait(20);
        delete window;
        window = nullptr;
    }
    MessageBox::setNextAnswer(QMessageBox::NoButton);
}

inline Dialect mlflow3(bool workspaces = false)
{
    Dialect dialect;
    dialect.generation = Dialect::Generation::Mlflow3;
    dialect.workspaces = workspaces;
    return dialect;
}

} // namespace GuiTest

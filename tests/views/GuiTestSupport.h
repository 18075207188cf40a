#pragma once

// Shared by the views tests: settings and keychain isolation, waiting for API jobs without letting them delete
// themselves, signing in through the real dialogs, and looking at the server as another client would.
// Certificates for HTTPS tests come from ../common/TestCertificate.h, the generations from ../common/Generations.h.

#include "ServerFixture.h"

#include "api/ApiJob.h"
#include "api/Connection.h"
#include "api/TrackingApi.h"
#include "models/ChangeSet.h"
#include "server/DemoData.h"
#include "server/Dialect.h"
#include "services/ProfileStore.h"
#include "views/LoginDialog.h"
#include "views/MainWindow.h"
#include "views/MessageBox.h"
#include "views/Session.h"

#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

namespace GuiTest {

// A loopback server that accepts connections and never answers: a connection attempt to it stays pending until
// someone cancels it. The accepted sockets are its children and go with it.
class SilentServer : public QTcpServer
{
public:
    SilentServer()
    {
        listen(QHostAddress::LocalHost, 0);
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* socket = nextPendingConnection())
                m_held.append(socket);
        });
    }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(serverPort()); }
    // Whether a client has connected (and is kept waiting).
    bool holdsConnection() const { return !m_held.isEmpty(); }

private:
    QList<QTcpSocket*> m_held;
};

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

// The names of the experiments `username` finds on the server at `url` with its own client; {"<error>"} when the
// search failed.
inline QStringList experimentsVisibleTo(const QUrl& url, const QString& username, const QString& password)
{
    Connection connection(url, username, password);
    TrackingApi tracking(&connection);
    std::unique_ptr<ExperimentListJob> job(tracking.searchExperiments());
    if (!waitFor(job.get()) || job->hasError())
        return {QStringLiteral("<error>")};
    QStringList names;
    for (const Experiment& experiment : job->value())
        names.append(experiment.name);
    return names;
}

// Saves the profile `name` for the demo admin on `server`, unless there is one. MLflow 2.15.1 has no users/list, so
// there the profile reads the names from the server's auth database, as an admin would set it up.
inline bool saveAdminProfile(ProfileStore& profiles, const QString& name, ServerFixture& server)
{
    if (profiles.contains(name))
        return true;
    ServerProfile profile;
    profile.name = name;
    profile.url = server.server().url();
    profile.username = DemoData::adminUsername;
    if (!server.server().dialect().isMlflow3())
        profile.authDatabaseUri = QStringLiteral("sqlite:///") + server.dataDir() + QStringLiteral("/basic_auth.db");
    QString error;
    if (!profiles.save(profile, &error)) {
        qWarning("Profile not saved: %s", qPrintable(error));
        return false;
    }
    return true;
}

// Signs in through the login dialog with the saved profile `name` and the demo admin's password typed in; the main
// window once it has loaded, or null (with the reason as a warning).
inline MainWindow* openProfileWindow(ProfileStore* profiles, const QString& name)
{
    LoginDialog dialog(profiles, nullptr);
    dialog.show();
    dialog.selectProfile(name);
    QTest::keyClicks(dialog.findChild<QLineEdit*>(QStringLiteral("passwordEdit")), DemoData::adminPassword);
    return connectAndOpen(dialog);
}

} // namespace GuiTest

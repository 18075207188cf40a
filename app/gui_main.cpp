#include "app/gui/ScreenshotWriter.h"
#include "app/services/CredentialStore.h"
#include "app/services/ProfileStore.h"
#include "views/LoginDialog.h"
#include "views/MainWindow.h"
#include "views/SignInFlow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QSettings>

#include <cstdio>

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("mlflow-admin"));
    QApplication::setOrganizationName(QStringLiteral("mlflow-admin"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/mlflow-admin.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QCoreApplication::translate("main", "Administration console for MLflow basic-auth servers."));
    parser.addHelpOption();
    const QCommandLineOption demoOption(
        QStringLiteral("demo"),
        QCoreApplication::translate("main", "Start the built-in demo server and sign in as its administrator."));
    const QCommandLineOption profileOption(QStringLiteral("profile"),
                                           QCoreApplication::translate("main", "Preselect the saved profile <name>."),
                                           QCoreApplication::translate("main", "name"));
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"),
        QCoreApplication::translate("main", "Write a PNG of every page to <dir> once loaded, then exit."),
        QCoreApplication::translate("main", "dir"));
    parser.addOptions({demoOption, profileOption, screenshotOption});
    parser.process(app);

    const QString screenshotDir = parser.value(screenshotOption);
    if (!screenshotDir.isEmpty() && !parser.isSet(demoOption)) {
        std::fputs(qPrintable(QCoreApplication::translate("main", "--screenshot needs --demo.\n")), stderr);
        return 2;
    }

    ProfileStore profiles;
    CredentialStore credentials;
    LoginDialog dialog(&profiles, &credentials);
    // Dialog, then main window, and the dialog again after "Sign out". Declared after the dialog: an open window
    // (screenshots, or quit from elsewhere) owns the session and the demo server's data dir, and goes first.
    SignInFlow flow(&dialog);

    if (!screenshotDir.isEmpty()) {
        flow.setLoadOnOpen(false); // the writer loads once it has added its example model
        QObject::connect(&flow, &SignInFlow::windowOpened, &app, [&screenshotDir](MainWindow* window) {
            // A fixed size, so the pictures in the README do not depend on the last session's window.
            window->resize(1100, 640);
            auto* writer = new ScreenshotWriter(window, screenshotDir, window);
            writer->start();
        });
    }
    QObject::connect(&dialog, &QDialog::rejected, &app, &QCoreApplication::quit);
    if (!screenshotDir.isEmpty()) {
        QObject::connect(&dialog, &LoginDialog::connectFailed, &app, [](const QString& message) {
            std::fputs(qPrintable(message + QLatin1Char('\n')), stderr);
            QCoreApplication::exit(1);
        });
    }

    const QString profile = parser.isSet(profileOption) ? parser.value(profileOption)
                                                        : QSettings().value(QStringLiteral("lastProfile")).toString();
    dialog.selectProfile(profile);
    if (parser.isSet(demoOption)) {
        dialog.startDemo();
        // Connecting always finishes asynchronously; not connecting now means the server did not even start.
        if (!screenshotDir.isEmpty() && !dialog.isConnecting()) {
            std::fputs(qPrintable(dialog.messageText() + QLatin1Char('\n')), stderr);
            return 1;
        }
    }
    if (screenshotDir.isEmpty())
        dialog.show();
    return app.exec();
}

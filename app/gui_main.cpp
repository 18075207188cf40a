#include "api/PrivateFiles.h"
#include "app/gui/ScreenshotWriter.h"
#include "services/CredentialStore.h"
#include "services/DialectChoice.h"
#include "services/ProfileStore.h"
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
    // Answered before QApplication exists, so that it works without a display (over ssh, in packaging scripts).
    for (int i = 1; i < argc; ++i) {
        if (qstrcmp(argv[i], "--version") == 0) {
            std::printf("mlflow-admin %s (Qt %s)\n", MLFLOW_ADMIN_VERSION, qVersion());
            return 0;
        }
    }
    QApplication app(argc, argv);
    QApplication::setApplicationVersion(QStringLiteral(MLFLOW_ADMIN_VERSION));
    QApplication::setApplicationName(QStringLiteral("mlflow-admin"));
    QApplication::setOrganizationName(QStringLiteral("mlflow-admin"));
    // The settings file names servers and users: owner-only before anything writes it.
    PrivateFiles::ensureSettingsFile(QSettings().fileName());
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/mlflow-admin.svg")));
    // Wayland compositors and docks match the window to the installed .desktop file by this id.
    QGuiApplication::setDesktopFileName(QStringLiteral(MLFLOW_ADMIN_APP_ID));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QCoreApplication::translate("main", "Administration console for MLflow basic-auth servers."));
    parser.addHelpOption();
    parser.addVersionOption();
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
    const QCommandLineOption apiOption(
        QStringLiteral("api"),
        QCoreApplication::translate("main", "With --demo: the demo server speaks MLflow 2 (2.15.1, the default) or 3 "
                                            "(3.14)."),
        QStringLiteral("2|3"), QStringLiteral("2"));
    const QCommandLineOption workspacesOption(
        QStringLiteral("workspaces"),
        QCoreApplication::translate("main", "With --demo --api 3: the demo server has MLflow 3.14's workspaces."));
    parser.addOptions({demoOption, apiOption, workspacesOption, profileOption, screenshotOption});
    parser.process(app);

    QString dialectError;
    const std::optional<Dialect> demoDialect =
        DialectChoice::fromCommandLine(parser.value(apiOption), parser.isSet(workspacesOption), &dialectError);
    if (!demoDialect) {
        std::fputs(qPrintable(dialectError + QLatin1Char('\n')), stderr);
        return 2;
    }
    if ((parser.isSet(apiOption) || parser.isSet(workspacesOption)) && !parser.isSet(demoOption)) {
        std::fputs(qPrintable(QCoreApplication::translate(
                       "main", "--api and --workspaces choose the demo server's MLflow and need --demo.\n")),
                   stderr);
        return 2;
    }

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
        // For this run only: `--demo` alone is MLflow 2.15.1 whatever the dialog last remembered.
        dialog.setDemoDialect(*demoDialect);
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

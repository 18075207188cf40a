#include "app/cli/CliApplication.h"
#include "app/cli/CommandLine.h"
#include "app/cli/ServeCommand.h"

#include "api/PrivateFiles.h"

#include <QCoreApplication>
#include <QGuiApplication>
#include <QSettings>
#include <QTextStream>

#include <memory>

namespace {

// `report` lays out text and a chart (fonts, QPdfWriter), which needs a QGuiApplication; on the headless offscreen
// platform, so that it runs over SSH and in cron. Every other command stays a plain QCoreApplication.
std::unique_ptr<QCoreApplication> makeApplication(int& argc, char* argv[])
{
    QStringList arguments;
    for (int index = 1; index < argc; ++index)
        arguments.append(QString::fromLocal8Bit(argv[index]));
    // `serve` waits on sockets only. Qt's own event dispatcher instead of GLib's: with GLib, every socket write
    // switched a write notifier on and off, and each switch woke the loop through an eventfd (two writes, a poll
    // and a read per request, a fifth of the server's time under load). The other commands keep GLib, which the
    // keychain's libsecret needs to deliver its answers.
    if (arguments.value(0) == QLatin1String("serve") && !qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QList<int> indexes;
    if (CommandLine::commandWords(arguments, 1, &indexes) == QStringList{QStringLiteral("report")}) {
        if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        return std::make_unique<QGuiApplication>(argc, argv);
    }
    return std::make_unique<QCoreApplication>(argc, argv);
}

} // namespace

int main(int argc, char* argv[])
{
    const std::unique_ptr<QCoreApplication> app = makeApplication(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("mlflow-admin-cli"));
    QCoreApplication::setOrganizationName(QStringLiteral("mlflow-admin"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MLFLOW_ADMIN_VERSION));
    // The settings file names servers and users: owner-only before anything writes it.
    PrivateFiles::ensureSettingsFile(QSettings().fileName());
    QStringList arguments = QCoreApplication::arguments();
    arguments.removeFirst();
    if (arguments == QStringList{QStringLiteral("--version")}) {
        QTextStream(stdout) << QCoreApplication::applicationName() << ' ' << QCoreApplication::applicationVersion()
                            << " (Qt " << qVersion() << ")\n";
        return 0;
    }
    if (!arguments.isEmpty() && arguments.first() == QLatin1String("serve"))
        return ServeCommand::run(QStringList{QCoreApplication::arguments().constFirst()} + arguments.mid(1));

    // The one place the CLI waits: its top-level event loop runs until the command has finished.
    CliApplication cli;
    QObject::connect(
        &cli, &CliApplication::finished, app.get(), [](int code) { QCoreApplication::exit(code); },
        Qt::QueuedConnection);
    cli.start(arguments);
    if (cli.isFinished())
        return cli.exitCode();
    QCoreApplication::exec();
    return cli.exitCode();
}

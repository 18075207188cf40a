#include "app/cli/CliApplication.h"
#include "app/cli/ServeCommand.h"

#include "api/PrivateFiles.h"

#include <QCoreApplication>
#include <QSettings>
#include <QTextStream>

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
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
        &cli, &CliApplication::finished, &app, [](int code) { QCoreApplication::exit(code); }, Qt::QueuedConnection);
    cli.start(arguments);
    if (cli.isFinished())
        return cli.exitCode();
    QCoreApplication::exec();
    return cli.exitCode();
}

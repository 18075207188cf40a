#include "app/cli/ServeCommand.h"

#include "server/DemoData.h"
#include "server/EmbeddedServer.h"
#include "services/DialectChoice.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QSocketNotifier>
#include <QTextStream>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace {

// Signals arrive on a socket pair so that the Qt event loop, not the signal handler, stops the server.
int signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(signalPipe[1], &byte, 1);
}

void installStopSignals(QObject* context)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) != 0)
        return;
    auto* notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, context);
    QObject::connect(notifier, &QSocketNotifier::activated, context, [] { QCoreApplication::quit(); });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

} // namespace

namespace ServeCommand {

int run(const QStringList& arguments)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
        "ServeCommand", "Run the embedded MLflow-compatible server (MLflow 2.15.1 or 3.14 basic-auth behaviour)."));
    parser.addHelpOption();
    const QCommandLineOption hostOption(QStringLiteral("host"),
                                        QCoreApplication::translate("ServeCommand", "Address to listen on."),
                                        QStringLiteral("ADDRESS"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption portOption(QStringLiteral("port"),
                                        QCoreApplication::translate("ServeCommand", "Port (0 picks a free one)."),
                                        QStringLiteral("PORT"), QStringLiteral("5000"));
    const QCommandLineOption dataDirOption(
        QStringLiteral("data-dir"),
        QCoreApplication::translate("ServeCommand", "Directory of basic_auth.db and mlflow.db."), QStringLiteral("DIR"),
        QDir::current().absoluteFilePath(QStringLiteral("mlflow-data")));
    const QCommandLineOption configOption(
        QStringLiteral("config"),
        QCoreApplication::translate("ServeCommand", "basic_auth.ini (default: $MLFLOW_AUTH_CONFIG_PATH)."),
        QStringLiteral("FILE"));
    const QCommandLineOption demoOption(
        QStringLiteral("demo"),
        QCoreApplication::translate("ServeCommand", "Seed the demo scenario (admin, user1, user2, three "
                                                    "experiments; default_permission NO_PERMISSIONS)."));
    const QCommandLineOption certOption(
        QStringLiteral("tls-cert"),
        QCoreApplication::translate("ServeCommand", "Serve HTTPS with this PEM certificate."), QStringLiteral("FILE"));
    const QCommandLineOption keyOption(QStringLiteral("tls-key"),
                                       QCoreApplication::translate("ServeCommand", "PEM private key for --tls-cert."),
                                       QStringLiteral("FILE"));
    const QCommandLineOption apiOption(
        QStringLiteral("api"),
        QCoreApplication::translate("ServeCommand",
                                    "MLflow generation to speak: 2 (MLflow 2.15.1) or 3 (MLflow 3.14)."),
        QStringLiteral("2|3"), QStringLiteral("2"));
    const QCommandLineOption workspacesOption(
        QStringLiteral("workspaces"),
        QCoreApplication::translate("ServeCommand", "With --api 3: serve MLflow 3.14's workspaces "
                                                    "(the X-MLFLOW-WORKSPACE header); the demo seeds 'default'."));
    const ConnectionLimits defaults;
    const QCommandLineOption maxConnectionsOption(
        QStringLiteral("max-connections"),
        QCoreApplication::translate("ServeCommand", "Connections open at once; more get 503 (default %1).")
            .arg(defaults.maxConnections),
        QStringLiteral("N"), QString::number(defaults.maxConnections));
    const QCommandLineOption idleTimeoutOption(
        QStringLiteral("idle-timeout"),
        QCoreApplication::translate("ServeCommand", "Seconds a kept-alive connection may sit idle (default %1).")
            .arg(defaults.idleTimeoutMs / 1000),
        QStringLiteral("SECONDS"), QString::number(defaults.idleTimeoutMs / 1000));
    const QCommandLineOption allowedHostsOption(
        QStringLiteral("allowed-hosts"),
        QCoreApplication::translate("ServeCommand",
                                    "Comma-separated host names clients may use in the Host header, besides IP "
                                    "addresses and localhost (wildcards as in 'mlflow.*.example.org'; '*' allows any; "
                                    "MLflow's MLFLOW_SERVER_ALLOWED_HOSTS)."),
        QStringLiteral("HOSTS"));
    parser.addOptions({hostOption, portOption, dataDirOption, configOption, demoOption, apiOption, workspacesOption,
                       certOption, keyOption, maxConnectionsOption, idleTimeoutOption, allowedHostsOption});
    parser.process(arguments);

    EmbeddedServerOptions options;
    if (!options.host.setAddress(parser.value(hostOption))) {
        err << QCoreApplication::translate("ServeCommand", "Invalid --host '%1': give an IP address such as 127.0.0.1.")
                   .arg(parser.value(hostOption))
            << '\n';
        return 2;
    }
    bool portOk = false;
    const uint port = parser.value(portOption).toUInt(&portOk);
    if (!portOk || port > 65535) {
        err << QCoreApplication::translate("ServeCommand", "Invalid --port '%1': give a number from 0 to 65535.")
                   .arg(parser.value(portOption))
            << '\n';
        return 2;
    }
    options.port = static_cast<quint16>(port);
    QString dialectError;
    const std::optional<Dialect> dialect =
        DialectChoice::fromCommandLine(parser.value(apiOption), parser.isSet(workspacesOption), &dialectError);
    if (!dialect) {
        err << dialectError << '\n';
        return 2;
    }
    options.dialect = *dialect;
    options.dataDir = parser.value(dataDirOption);
    options.configPath = parser.value(configOption);
    options.demo = parser.isSet(demoOption);
    options.tlsCertificatePath = parser.value(certOption);
    options.tlsKeyPath = parser.value(keyOption);
    bool numberOk = false;
    const int maxConnections = parser.value(maxConnectionsOption).toInt(&numberOk);
    if (!numberOk || maxConnections < 1) {
        err << QCoreApplication::translate("ServeCommand",
                                           "Invalid --max-connections '%1': give a number of at least 1.")
                   .arg(parser.value(maxConnectionsOption))
            << '\n';
        return 2;
    }
    options.limits.maxConnections = maxConnections;
    const int idleSeconds = parser.value(idleTimeoutOption).toInt(&numberOk);
    if (!numberOk || idleSeconds < 1 || idleSeconds > 24 * 3600) {
        err << QCoreApplication::translate("ServeCommand",
                                           "Invalid --idle-timeout '%1': give a number of seconds from 1 to 86400.")
                   .arg(parser.value(idleTimeoutOption))
            << '\n';
        return 2;
    }
    options.limits.idleTimeoutMs = idleSeconds * 1000;
    QString allowedHosts = parser.value(allowedHostsOption);
    if (allowedHosts.isEmpty())
        allowedHosts = qEnvironmentVariable("MLFLOW_SERVER_ALLOWED_HOSTS");
    options.allowedHosts = allowedHosts.split(QLatin1Char(','), Qt::SkipEmptyParts);

    EmbeddedServer server(options);
    QString error;
    if (!server.start(&error)) {
        err << error << '\n';
        return 1;
    }
    out << QCoreApplication::translate("ServeCommand", "MLflow-compatible server (%1) listening on %2 (data: %3)")
               .arg(server.dialect().describe(), server.url().toString(), QDir(options.dataDir).absolutePath())
        << '\n';
    if (options.demo) {
        out << QCoreApplication::translate("ServeCommand",
                                           "Demo users (loopback only): %1 / %2 (admin), %3 / %4, %5 / %6")
                   .arg(DemoData::adminUsername, DemoData::adminPassword, DemoData::user1Username,
                        DemoData::user1Password, DemoData::user2Username, DemoData::user2Password)
            << '\n';
        if (options.dialect.workspaces)
            out << QCoreApplication::translate("ServeCommand", "Demo data is in workspace '%1'.")
                       .arg(DemoData::workspace)
                << '\n';
    }
    out << QCoreApplication::translate("ServeCommand", "Press Ctrl-C to stop.") << Qt::endl;
    installStopSignals(&server);
    const int status = QCoreApplication::exec();
    server.stop();
    out << QCoreApplication::translate("ServeCommand", "Server stopped.") << Qt::endl;
    return status;
}

} // namespace ServeCommand

#include "app/cli/CommandLine.h"

#include "api/WorkspaceApi.h"
#include "app/cli/ExitCode.h"

#include <QSet>

namespace {

// Global options that take a value: their next argument is not a command word.
const QSet<QString>& valueOptions()
{
    static const QSet<QString> names = {QStringLiteral("--url"),       QStringLiteral("--user"),
                                        QStringLiteral("--profile"),   QStringLiteral("--auth-db"),
                                        QStringLiteral("--ca-bundle"), QStringLiteral("--pin-sha256"),
                                        QStringLiteral("--timeout"),   QStringLiteral("--workspace")};
    return names;
}

QString globalOptionsHelp()
{
    return CommandLine::tr(
        "Global options (before or after the command):\n"
        "  --url URL            MLflow server, e.g. https://mlflow.example.com (default: $MLFLOW_TRACKING_URI)\n"
        "  --user NAME          account to sign in with (default: $MLFLOW_TRACKING_USERNAME)\n"
        "  --profile NAME       use a saved profile (see `profiles add`); --url/--user override it\n"
        "  --password-stdin     read the password from the first line of standard input\n"
        "  --auth-db URI        read users and grants straight from the auth database, e.g.\n"
        "                       sqlite:////srv/mlflow/basic_auth.db (read-only; for servers without users/list)\n"
        "  --json               machine-readable JSON on standard output\n"
        "  --ca-bundle FILE     extra trusted CA certificates (PEM)\n"
        "  --pin-sha256 HEX     accept the server certificate with this SHA-256 fingerprint (self-signed)\n"
        "  --timeout S          seconds to wait for each request (default 30)\n"
        "  --workspace NAME     MLflow 3.10+ workspace to work in (default: the profile's, else `default`)\n"
        "  -h, --help           this help; `COMMAND --help` for one command\n");
}

QString passwordHelp()
{
    return CommandLine::tr(
        "The sign-in password comes from, in this order: $MLFLOW_TRACKING_PASSWORD; --password-stdin; the\n"
        "profile's keychain entry; a prompt without echo. It is never accepted as an argument (--password is\n"
        "refused). For `users create` and `users passwd`, --password-stdin gives the new password instead, after a\n"
        "first line with the sign-in password when neither the environment nor the keychain provides it.\n");
}

} // namespace

void CommandLine::addGlobalOptions(QCommandLineParser& parser)
{
    parser.addOptions({
        {QStringLiteral("url"), tr("MLflow server URL (default: $MLFLOW_TRACKING_URI)."), QStringLiteral("URL")},
        {QStringLiteral("user"), tr("Account to sign in with (default: $MLFLOW_TRACKING_USERNAME)."),
         QStringLiteral("NAME")},
        {QStringLiteral("profile"), tr("Use a saved profile."), QStringLiteral("NAME")},
        {QStringLiteral("password-stdin"), tr("Read the password from standard input.")},
        {QStringLiteral("auth-db"), tr("Read users and grants from the auth database (read-only)."),
         QStringLiteral("URI")},
        {QStringLiteral("json"), tr("Machine-readable JSON output.")},
        {QStringLiteral("ca-bundle"), tr("Extra trusted CA certificates (PEM)."), QStringLiteral("FILE")},
        {QStringLiteral("pin-sha256"), tr("Accept the server certificate with this SHA-256 fingerprint."),
         QStringLiteral("HEX")},
        {QStringLiteral("timeout"), tr("Seconds to wait for each request (default 30)."), QStringLiteral("S")},
        {QStringLiteral("workspace"), tr("MLflow workspace to work in (default: `default`)."), QStringLiteral("NAME")},
    });
    parser.addHelpOption();
}

bool CommandLine::readGlobalOptions(const QCommandLineParser& parser, GlobalOptions* options, QString* error)
{
    options->url = parser.value(QStringLiteral("url"));
    options->user = parser.value(QStringLiteral("user"));
    options->profile = parser.value(QStringLiteral("profile"));
    options->authDatabaseUri = parser.value(QStringLiteral("auth-db"));
    options->caBundle = parser.value(QStringLiteral("ca-bundle"));
    options->pinSha256 = parser.value(QStringLiteral("pin-sha256"));
    options->passwordStdin = parser.isSet(QStringLiteral("password-stdin"));
    options->json = parser.isSet(QStringLiteral("json"));
    if (parser.isSet(QStringLiteral("workspace"))) {
        options->workspace = parser.value(QStringLiteral("workspace"));
        if (const QString problem = WorkspaceApi::nameProblem(options->workspace); !problem.isEmpty()) {
            *error = problem + QLatin1Char(' ') + tr("List the workspaces with `workspaces list`.");
            return false;
        }
    }
    if (parser.isSet(QStringLiteral("timeout"))) {
        bool ok = false;
        const int seconds = parser.value(QStringLiteral("timeout")).toInt(&ok);
        if (!ok || seconds <= 0 || seconds > 3600) {
            *error = tr("Invalid --timeout '%1': give a number of seconds from 1 to 3600.")
                         .arg(parser.value(QStringLiteral("timeout")));
            return false;
        }
        options->timeoutSeconds = seconds;
    }
    return true;
}

QString CommandLine::refusedPasswordArgument(const QStringList& arguments)
{
    for (const QString& argument : arguments) {
        // Near misses (--pass, --passw, --passwd=...) count too: an unknown option's next word would otherwise be
        // taken for a command and echoed in the error message.
        const QString name = argument.section(QLatin1Char('='), 0, 0);
        const bool nearMiss = (name.startsWith(QLatin1String("--pass")) || name.startsWith(QLatin1String("-pass")) ||
                               name == QLatin1String("--pw")) &&
                              name != QLatin1String("--password-stdin") && name != QLatin1String("-password-stdin");
        if (nearMiss || argument == QLatin1String("-p")) {
            return tr("Passwords are never taken as command-line arguments, because those end up in the shell "
                      "history and the process list. Use $MLFLOW_TRACKING_PASSWORD, --password-stdin, a profile "
                      "with a keychain entry, or type it when asked.");
        }
        if (argument == QLatin1String("--"))
            break;
    }
    return {};
}

QStringList CommandLine::commandWords(const QStringList& arguments, int count, QList<int>* indexes)
{
    QStringList words;
    for (int i = 0; i < arguments.size() && words.size() < count; ++i) {
        const QString& argument = arguments.at(i);
        if (argument.startsWith(QLatin1Char('-'))) {
            if (valueOptions().contains(argument))
                ++i;
            continue;
        }
        words.append(argument);
        indexes->append(i);
    }
    return words;
}

CommandLine::UserOptions CommandLine::splitUserOptions(const QStringList& arguments, int firstWordIndex)
{
    UserOptions users;
    QStringList afterWords;
    for (int i = 0; i < arguments.size(); ++i) {
        const QString& argument = arguments.at(i);
        if (argument == QLatin1String("--"))
            break;
        QString value;
        if (argument == QLatin1String("--user") && i + 1 < arguments.size())
            value = arguments.at(++i);
        else if (argument.startsWith(QLatin1String("--user=")))
            value = argument.mid(7);
        else
            continue;
        if (i < firstWordIndex)
            users.signIn = value;
        else
            afterWords.append(value);
    }
    if (users.signIn.isEmpty() && afterWords.size() >= 2)
        users.signIn = afterWords.first();
    if (!afterWords.isEmpty())
        users.subject = afterWords.last();
    return users;
}

QString CommandLine::generalHelp(const QList<CommandSpec>& commands)
{
    QString text = tr("mlflow-admin-cli: manage the users and permissions of an MLflow tracking server that runs the "
                      "basic-auth app.\n\n"
                      "Usage: mlflow-admin-cli [global options] COMMAND [arguments] [options]\n\nCommands:\n");
    const auto add = [&text](const QString& head, const QString& description) {
        // Short heads share the line with their description; long ones get it on the next line. 120 columns.
        const int indent = 32;
        const QString pad(indent, QLatin1Char(' '));
        QString line = QLatin1String("  ") + head;
        line = line.size() + 2 <= indent ? line.leftJustified(indent) : line + QLatin1Char('\n') + pad;
        qsizetype column = indent;
        const QStringList words = description.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        for (qsizetype i = 0; i < words.size(); ++i) {
            if (i > 0 && column + 1 + words.at(i).size() > 118) {
                line += QLatin1Char('\n') + pad;
                column = indent;
            } else if (i > 0) {
                line += QLatin1Char(' ');
                ++column;
            }
            line += words.at(i);
            column += words.at(i).size();
        }
        text += line + QLatin1Char('\n');
    };
    for (const CommandSpec& command : commands)
        add((command.words.join(QLatin1Char(' ')) + QLatin1Char(' ') + command.synopsis).trimmed(),
            command.description);
    add(QStringLiteral("serve [--api 2|3 [--workspaces]] [--demo] [--port P] [--data-dir DIR]"),
        tr("run the embedded MLflow-compatible server (see `serve --help`)"));
    text += QLatin1Char('\n') + globalOptionsHelp() + QLatin1Char('\n') + passwordHelp() + QLatin1Char('\n');
    text += tr("Environment: MLFLOW_TRACKING_URI, MLFLOW_TRACKING_USERNAME, MLFLOW_TRACKING_PASSWORD, as for "
               "MLflow's own client.\n\n");
    text += ExitCodes::helpText();
    return text;
}

QString CommandLine::commandHelp(const CommandSpec& command, const QCommandLineParser& parser)
{
    QString text = tr("Usage: mlflow-admin-cli %1 %2\n%3\n\n")
                       .arg(command.words.join(QLatin1Char(' ')), command.synopsis, command.description);
    // Reuse Qt's option formatting, but not its usage line, which knows nothing about command words.
    const QString qtHelp = parser.helpText();
    const qsizetype optionsAt = qtHelp.indexOf(QLatin1String("Options:"));
    if (optionsAt >= 0)
        text += qtHelp.mid(optionsAt);
    text += QLatin1Char('\n') + passwordHelp() + QLatin1Char('\n') + ExitCodes::helpText();
    return text;
}

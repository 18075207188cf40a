#include "app/cli/CliApplication.h"

#include "app/cli/AccessCommand.h"
#include "app/cli/ApplyCommand.h"
#include "app/cli/AuditCommand.h"
#include "app/cli/CliSession.h"
#include "app/cli/DiffCommand.h"
#include "app/cli/ExperimentsCommand.h"
#include "app/cli/GrantsCommand.h"
#include "app/cli/MatrixCommand.h"
#include "app/cli/ModelsCommand.h"
#include "app/cli/OutputWriter.h"
#include "app/cli/ProbeCommand.h"
#include "app/cli/ProfilesCommand.h"
#include "app/cli/ReportCommand.h"
#include "app/cli/RolesCommand.h"
#include "app/cli/SnapshotCommand.h"
#include "app/cli/UsersCommand.h"
#include "app/cli/WorkspacesCommand.h"

#include <QTextStream>

CliApplication::CliApplication(QObject* parent) : QObject(parent) {}

CliApplication::~CliApplication()
{
    // The command refers to the context and the session: delete it first.
    delete m_command;
    delete m_session;
}

QList<CommandSpec> CliApplication::commands()
{
    QList<CommandSpec> all;
    all += ProbeCommand::specs();
    all += UsersCommand::specs();
    all += ExperimentsCommand::specs();
    all += ModelsCommand::specs();
    all += GrantsCommand::specs();
    all += AccessCommand::specs();
    all += MatrixCommand::specs();
    all += ReportCommand::specs();
    all += ApplyCommand::specs();
    all += RolesCommand::specs() + WorkspacesCommand::specs();
    all += ProfilesCommand::specs();
    all += SnapshotCommand::specs() + DiffCommand::specs();
    all += AuditCommand::specs();
    return all;
}

void CliApplication::start(const QStringList& arguments)
{
    const bool json = arguments.contains(QStringLiteral("--json"));
    const QString refused = CommandLine::refusedPasswordArgument(arguments);
    if (!refused.isEmpty()) {
        usageError(refused, json);
        return;
    }

    const QList<CommandSpec> specs = commands();
    QList<int> indexes;
    const QStringList words = CommandLine::commandWords(arguments, 2, &indexes);
    const bool wantsHelp = arguments.contains(QStringLiteral("--help")) || arguments.contains(QStringLiteral("-h")) ||
                           arguments.contains(QStringLiteral("help"));
    if (words.isEmpty() || words.first() == QLatin1String("help")) {
        QTextStream(wantsHelp || !words.isEmpty() ? stdout : stderr) << CommandLine::generalHelp(specs);
        finish(wantsHelp || !words.isEmpty() ? 0 : static_cast<int>(ExitCode::Usage));
        return;
    }

    const CommandSpec* spec = nullptr;
    for (const CommandSpec& candidate : specs) {
        if (candidate.words.first() != words.first())
            continue;
        if (candidate.words.size() == 1 || (words.size() > 1 && candidate.words.at(1) == words.at(1))) {
            spec = &candidate;
            break;
        }
    }
    if (!spec) {
        QStringList known;
        for (const CommandSpec& candidate : specs) {
            if (candidate.words.first() == words.first() && candidate.words.size() > 1)
                known.append(candidate.words.at(1));
        }
        if (!known.isEmpty() && words.size() < 2 && wantsHelp) {
            QTextStream(stdout) << CommandLine::generalHelp(specs);
            finish(0);
        } else if (!known.isEmpty() && words.size() < 2) {
            usageError(tr("`%1` needs a subcommand: %2. See `mlflow-admin-cli --help`.")
                           .arg(words.first(), known.join(QLatin1String(", "))),
                       json);
        } else if (!known.isEmpty()) {
            usageError(tr("Unknown subcommand `%1 %2`; use one of: %3.")
                           .arg(words.first(), words.at(1), known.join(QLatin1String(", "))),
                       json);
        } else if (indexes.first() > 0 && arguments.at(indexes.first() - 1).startsWith(QLatin1Char('-'))) {
            // The word is most likely the value of a mistyped option: name the option, never the value (it may be
            // a secret).
            usageError(tr("Unknown option `%1`. See `mlflow-admin-cli --help` for the global options.")
                           .arg(arguments.at(indexes.first() - 1).section(QLatin1Char('='), 0, 0)),
                       json);
        } else {
            usageError(tr("Unknown command `%1`. See `mlflow-admin-cli --help` for the list.").arg(words.first()),
                       json);
        }
        return;
    }

    m_context = std::make_unique<CliContext>();
    m_context->spec = *spec;
    QStringList rest = arguments;
    for (qsizetype i = spec->words.size() - 1; i >= 0; --i)
        rest.removeAt(indexes.at(i));
    QCommandLineParser& parser = m_context->parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    CommandLine::addGlobalOptions(parser);
    parser.addOptions(spec->options);
    for (const QString& name : spec->argumentNames)
        parser.addPositionalArgument(name, QString());
    if (!parser.parse(QStringList{QStringLiteral("mlflow-admin-cli")} + rest)) {
        QString problem = parser.errorText();
        while (problem.endsWith(QLatin1Char('.')))
            problem.chop(1);
        usageError(tr("%1. See `mlflow-admin-cli %2 --help`.").arg(problem, spec->words.join(QLatin1Char(' '))), json);
        return;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << CommandLine::commandHelp(*spec, parser);
        finish(0);
        return;
    }
    QString error;
    if (!CommandLine::readGlobalOptions(parser, &m_context->options, &error)) {
        usageError(error, json);
        return;
    }
    if (spec->userOptionIsSubject) {
        const CommandLine::UserOptions users = CommandLine::splitUserOptions(arguments, indexes.first());
        m_context->options.user = users.signIn;
        m_context->subjectUser = users.subject;
    }
    m_context->arguments = parser.positionalArguments();
    const qsizetype given = m_context->arguments.size();
    if (given > spec->argumentNames.size() || given < spec->argumentNames.size() - spec->optionalArguments) {
        usageError(
            tr("`%1` takes %2. Usage: mlflow-admin-cli %1 %3")
                .arg(spec->words.join(QLatin1Char(' ')),
                     spec->argumentNames.isEmpty() ? tr("no arguments") : spec->argumentNames.join(QLatin1Char(' ')),
                     spec->synopsis),
            json);
        return;
    }

    m_out = std::make_unique<OutputWriter>(m_context->options.json ? OutputFormat::Json : OutputFormat::Table);
    m_context->out = m_out.get();
    m_command = spec->create(m_context.get());
    connect(m_command, &CliCommand::finished, this, &CliApplication::finish);
    if (!m_command->prepare() || m_command->isDone())
        return;
    if (!m_command->needsServer()) {
        m_command->start();
        return;
    }
    m_session = new CliSession(m_context->options, m_out.get());
    m_context->session = m_session;
    ExitCode code = ExitCode::Ok;
    if (!m_session->resolve(&code, &error)) {
        m_out->error(error, static_cast<int>(code));
        finish(static_cast<int>(code));
        return;
    }
    connect(m_session, &CliSession::ready, m_command, &CliCommand::start);
    connect(m_session, &CliSession::failed, m_command, &CliCommand::sessionFailed);
    m_session->open(m_command->readsNewPasswordFromStdin());
}

void CliApplication::usageError(const QString& message, bool json)
{
    OutputWriter(json ? OutputFormat::Json : OutputFormat::Table)
        .error(message, static_cast<int>(ExitCode::Usage), QStringLiteral("Usage"));
    finish(static_cast<int>(ExitCode::Usage));
}

void CliApplication::finish(int exitCode)
{
    if (m_finished)
        return;
    m_finished = true;
    m_exitCode = exitCode;
    emit finished(exitCode);
}

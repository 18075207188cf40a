#pragma once

#include "api/ApiError.h"
#include "api/PermissionLevel.h"
#include "app/cli/CommandLine.h"
#include "app/cli/ExitCode.h"

#include <QCommandLineParser>
#include <QJsonObject>
#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

class AuditRecorder;
class ChangeSet;
class CliSession;
class DirectoryLoader;
class OutputWriter;

// What a running command gets: its spec, its parsed command line, the output and the session.
struct CliContext
{
    CommandSpec spec;
    QStringList arguments; // positional arguments after the command words
    QString subjectUser;   // the user a command is about (`access --user U`), see CommandSpec::userOptionIsSubject
    QCommandLineParser parser;
    GlobalOptions options;
    OutputWriter* out = nullptr;
    CliSession* session = nullptr;
};

// One command, run asynchronously: prepare() checks the arguments before any network traffic, start() runs once
// the session is ready (or at once when needsServer() is false), and finished() carries the exit code.
class CliCommand : public QObject
{
    Q_OBJECT

public:
    explicit CliCommand(CliContext* context, QObject* parent = nullptr);

    virtual bool needsServer() const { return true; }
    // The command reads a new password from standard input (decides where the sign-in password may come from).
    virtual bool readsNewPasswordFromStdin() const { return false; }
    // Validates the arguments; on failure calls fail() (usually with ExitCode::Usage) and returns false.
    virtual bool prepare() { return true; }
    virtual void start() = 0;
    // The session could not be opened; the default prints the message (and, for an untrusted certificate, puts its
    // fingerprint in the JSON error).
    virtual void sessionFailed(int exitCode, const QString& message, const QString& kind);

    bool isDone() const { return m_done; }
    int exitCode() const { return m_exitCode; }

signals:
    void finished(int exitCode);

protected:
    // The exit code an error of kind `code` ends the command with; `diff` keeps 1 for "different".
    virtual ExitCode errorExitCode(ExitCode code) const { return code; }
    void done(ExitCode code = ExitCode::Ok);
    void fail(ExitCode code, const QString& message, const QString& kind = QString(),
              const QJsonObject& details = QJsonObject());
    // Reports an API failure: "`what`: the error's sentence", with the exit code for its kind.
    void fail(const ApiError& error, const QString& what = QString());
    // Creates `loader`, loads the whole Directory through the session and calls `loaded` when it is ready; on a
    // failure reports it as "`what`: ..." and never calls `loaded`. `namedUsers`: see DirectoryLoader::setNamedUsers.
    void loadDirectory(std::unique_ptr<DirectoryLoader>& loader, const QString& what, std::function<void()> loaded,
                       const QStringList& namedUsers = {});

    // The audit trail of the session's server, for changes this command sends (origin "cli <command words>"),
    // made on first use. A failure to record is printed on stderr at once and makes a successful command exit
    // with ExitCode::AuditFailed.
    AuditRecorder* audit();
    // Records every apply of `changes`; call before connecting to its applied() signal.
    void auditApplies(ChangeSet* changes);

    // --default-permission (AccessCommand::defaultPermissionOption), when given, into `level`; false after a usage
    // error for an unknown level.
    bool readDefaultPermissionOption(std::optional<PermissionLevel>* level);
    QString option(const QString& name) const { return m_context->parser.value(name); }
    bool isSet(const QString& name) const { return m_context->parser.isSet(name); }
    QString argument(int index) const { return m_context->arguments.value(index); }
    QString word(int index) const { return m_context->spec.words.value(index); }
    OutputWriter& out() const { return *m_context->out; }
    CliSession& session() const { return *m_context->session; }
    const GlobalOptions& globalOptions() const { return m_context->options; }

    CliContext* m_context;

private:
    bool m_done = false;
    int m_exitCode = 0;
    AuditRecorder* m_audit = nullptr;
};

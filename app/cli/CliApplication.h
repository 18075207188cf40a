#pragma once

#include "app/cli/CliCommand.h"
#include "app/cli/CommandLine.h"

#include <QObject>
#include <QStringList>

#include <memory>

class CliSession;
class OutputWriter;

// Parses the command line, picks the command, opens the session it needs, runs it, and reports its exit code.
// Nothing here blocks: main() runs the event loop until finished().
class CliApplication : public QObject
{
    Q_OBJECT

public:
    explicit CliApplication(QObject* parent = nullptr);
    ~CliApplication() override;

    // Every command but `serve`, in the order --help lists them.
    static QList<CommandSpec> commands();

    // `arguments` without the program name. Either finishes at once (help, usage errors) or later.
    void start(const QStringList& arguments);
    bool isFinished() const { return m_finished; }
    int exitCode() const { return m_exitCode; }

signals:
    void finished(int exitCode);

private:
    void finish(int exitCode);
    void usageError(const QString& message, bool json);

    std::unique_ptr<CliContext> m_context;
    std::unique_ptr<OutputWriter> m_out;
    CliSession* m_session = nullptr;
    CliCommand* m_command = nullptr;
    bool m_finished = false;
    int m_exitCode = 0;
};

#pragma once

#include "app/cli/CliCommand.h"
#include "models/AuditTrail.h"

// `audit list [--since DATE] [--until DATE] [--user U] [--resource R]` and `audit verify`: the local audit trail of
// the server the options name (profile, --url or $MLFLOW_TRACKING_URI, and the workspace). Needs no connection.
class AuditCommand : public CliCommand
{
    Q_OBJECT

public:
    enum class Action { List, Verify };

    AuditCommand(CliContext* context, Action action);
    static QList<CommandSpec> specs();

    bool needsServer() const override { return false; }
    bool prepare() override;
    void start() override;

private:
    // The trail's file for the server and workspace of the options; false after reporting why there is none.
    bool resolveTrail();
    void list();
    void verify();

    Action m_action;
    QString m_filePath;
    AuditFilter m_filter;
};

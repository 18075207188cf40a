#pragma once

#include "app/cli/CliCommand.h"

// `workspaces list`: the MLflow 3.10+ workspaces the account may see.
class WorkspacesCommand : public CliCommand
{
    Q_OBJECT

public:
    using CliCommand::CliCommand;
    static QList<CommandSpec> specs();
    void start() override;

private:
    void list();
};

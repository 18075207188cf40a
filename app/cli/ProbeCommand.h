#pragma once

#include "api/WorkspaceApi.h"
#include "app/cli/CliCommand.h"

#include <optional>

// `probe`: what the login probe finds out about the server and the account, and whether the server has workspaces.
class ProbeCommand : public CliCommand
{
    Q_OBJECT

public:
    using CliCommand::CliCommand;
    static QList<CommandSpec> specs();
    void start() override;

private:
    void report(const std::optional<ServerInfo>& info);
};

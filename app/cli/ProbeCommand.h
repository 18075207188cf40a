#pragma once

#include "app/cli/CliCommand.h"

// `probe`: what the login probe finds out about the server and the account.
class ProbeCommand : public CliCommand
{
    Q_OBJECT

public:
    using CliCommand::CliCommand;
    static QList<CommandSpec> specs();
    void start() override;
};

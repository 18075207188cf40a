#pragma once

#include "app/cli/CliCommand.h"

// `models list`: the registered models.
class ModelsCommand : public CliCommand
{
    Q_OBJECT

public:
    using CliCommand::CliCommand;
    static QList<CommandSpec> specs();
    void start() override;
};

#pragma once

#include "app/cli/CliCommand.h"

// `experiments list [--filter F] [--deleted | --all]`.
class ExperimentsCommand : public CliCommand
{
    Q_OBJECT

public:
    using CliCommand::CliCommand;
    static QList<CommandSpec> specs();
    bool prepare() override;
    void start() override;
};

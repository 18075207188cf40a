#pragma once

#include "app/cli/CliCommand.h"
#include "app/cli/DirectoryLoader.h"
#include "app/cli/OutputWriter.h"

#include <memory>

// `matrix [--format table|csv|json]`: every user's effective permission on every experiment and model.
class MatrixCommand : public CliCommand
{
    Q_OBJECT

public:
    using CliCommand::CliCommand;
    static QList<CommandSpec> specs();
    bool prepare() override;
    void start() override;

private:
    void print();

    std::unique_ptr<DirectoryLoader> m_loader;
    OutputFormat m_format = OutputFormat::Table;
    std::optional<PermissionLevel> m_defaultPermission;
};

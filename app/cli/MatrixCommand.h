#pragma once

#include "app/cli/CliCommand.h"
#include "app/cli/DirectoryLoader.h"
#include "app/cli/OutputWriter.h"

#include <memory>

namespace ListedCells {
struct Cell;
}

// `matrix [--format table|csv|json] [--layout auto|wide|long]`: every user's effective permission on every
// experiment and model. CSV and JSON list the cells that say something (ListedCells) and are written while they are
// produced, so a server with 2,000 users and 20,000 experiments is never held as text. The table is the wide
// matrix for a few resources and the same listing, aligned, for many.
class MatrixCommand : public CliCommand
{
    Q_OBJECT

public:
    using CliCommand::CliCommand;
    static QList<CommandSpec> specs();
    bool prepare() override;
    void start() override;

private:
    enum class Layout { Auto, Wide, Long };

    void print();
    void printCsv(OutputWriter& writer);
    void printJson(OutputWriter& writer);
    void printLongTable(OutputWriter& writer);
    void printWideTable(OutputWriter& writer);
    // One listed cell as the texts of the listing's columns (user, type, resource, level, id, source, reason).
    QStringList listingTexts(const ListedCells::Cell& cell, bool withReason) const;

    std::unique_ptr<DirectoryLoader> m_loader;
    OutputFormat m_format = OutputFormat::Table;
    Layout m_layout = Layout::Auto;
    std::optional<PermissionLevel> m_defaultPermission;
};

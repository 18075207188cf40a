#pragma once

#include "app/cli/CliCommand.h"
#include "app/cli/DirectoryLoader.h"
#include "models/AccessReport.h"
#include "reports/ReportWriter.h"

#include <memory>

// `report [--format pdf|html|csv|json] [-o FILE] [--user U | --experiment E | --model M] [--snapshot FILE]`: an
// access report for people, of the live server or of a saved snapshot.
class ReportCommand : public CliCommand
{
    Q_OBJECT

public:
    using CliCommand::CliCommand;
    static QList<CommandSpec> specs();
    bool needsServer() const override;
    bool prepare() override;
    void start() override;

private:
    void writeReport(const AccessSnapshot& snapshot, const ReportWriter::Producer& producer);

    std::unique_ptr<DirectoryLoader> m_loader;
    ReportFormat m_format = ReportFormat::Pdf;
    QString m_outputPath; // empty: standard output (not for PDF)
    AccessReport::Scope m_scope;
    std::optional<PermissionLevel> m_defaultPermission;
};

#pragma once

#include "app/cli/CliCommand.h"
#include "app/cli/DirectoryLoader.h"
#include "models/AccessSnapshot.h"

#include <memory>
#include <optional>

// `diff A B` and `diff A --live`: who gained, lost or changed access between two snapshots, or between a snapshot
// and the server now. Exits as diff(1) does: 0 without a difference, 1 with one, 2 or more on trouble.
class DiffCommand : public CliCommand
{
    Q_OBJECT

public:
    using CliCommand::CliCommand;
    static QList<CommandSpec> specs();
    bool needsServer() const override { return m_live; }
    bool prepare() override;
    void start() override;

protected:
    // 1 means "different" here, so an error other commands report as 1 is 2.
    ExitCode errorExitCode(ExitCode code) const override;

private:
    void compare(const AccessSnapshot& after, const QString& afterLabel);

    bool m_live = false;
    AccessSnapshot m_before;
    std::unique_ptr<DirectoryLoader> m_loader;
    std::optional<PermissionLevel> m_defaultPermission;
};

#pragma once

#include "app/cli/CliCommand.h"
#include "app/cli/DirectoryLoader.h"
#include "models/AccessSnapshot.h"

#include <functional>
#include <memory>
#include <optional>

// `snapshot save FILE [--default-permission LEVEL]`: the full access picture of the server, with the reason for
// every cell, in the versioned JSON of docs/snapshot-format.md, written owner-only.
class SnapshotCommand : public CliCommand
{
    Q_OBJECT

public:
    using CliCommand::CliCommand;
    static QList<CommandSpec> specs();
    bool prepare() override;
    void start() override;

    // Loads the Directory as `matrix` does and takes its snapshot; shared with `diff --live`. The default
    // permission is `defaultPermission`, else the profile's, else `fallbackDefault`; `taken` gets the snapshot
    // (or a failure). False, and `taken` is never called, with a translated `error` when a local source of user
    // names (--auth-db) cannot be opened.
    static bool takeLive(CliSession& session, std::unique_ptr<DirectoryLoader>& loader,
                         std::optional<PermissionLevel> defaultPermission,
                         std::optional<PermissionLevel> fallbackDefault,
                         std::function<void(const ApiError&, const AccessSnapshot&)> taken, QString* error);

private:
    std::unique_ptr<DirectoryLoader> m_loader;
    std::optional<PermissionLevel> m_defaultPermission;
};

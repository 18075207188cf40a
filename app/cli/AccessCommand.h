#pragma once

#include "app/cli/CliCommand.h"
#include "app/cli/DirectoryLoader.h"

#include <memory>

// `access (--user U | --experiment E | --model M)`: who can do what, with the reason for each permission.
class AccessCommand : public CliCommand
{
    Q_OBJECT

public:
    using CliCommand::CliCommand;
    static QList<CommandSpec> specs();
    // --default-permission, shared with `matrix`: MLflow's REST API does not reveal the server's default.
    static QCommandLineOption defaultPermissionOption();
    // Applies --default-permission to the directory; false with a usage error for a bad level.
    static bool readDefaultPermission(const QCommandLineParser& parser, std::optional<PermissionLevel>* level,
                                      QString* error);

    bool prepare() override;
    void start() override;

private:
    void showUser(const QString& username);
    void showResource(ResourceType type, const QString& text);

    std::unique_ptr<DirectoryLoader> m_loader;
    std::optional<PermissionLevel> m_defaultPermission;
};

#pragma once

#include "app/cli/CliCommand.h"

// `profiles list|add|remove`: saved servers for --profile NAME; passwords go to the OS keychain only.
class ProfilesCommand : public CliCommand
{
    Q_OBJECT

public:
    enum class Action { List, Add, Remove };

    ProfilesCommand(CliContext* context, Action action);
    static QList<CommandSpec> specs();

    bool needsServer() const override { return false; }
    bool prepare() override;
    void start() override;

private:
    void list();
    void add();
    void remove();

    Action m_action;
};

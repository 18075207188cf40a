#pragma once

#include "api/PermissionLevel.h"
#include "app/cli/CliCommand.h"
#include "app/cli/ResourceLookup.h"

#include <memory>

class ChangeSet;
class Directory;

// `grant USER LEVEL (--experiment NAME|ID | --model NAME)` and `revoke USER (--experiment ... | --model ...)`.
class GrantsCommand : public CliCommand
{
    Q_OBJECT

public:
    enum class Action { Grant, Revoke };

    GrantsCommand(CliContext* context, Action action);
    static QList<CommandSpec> specs();
    // Reads --experiment / --model; shared with `access`. False after reporting a usage error.
    static bool readResourceOption(const QCommandLineParser& parser, ResourceType* type, QString* text, QString* error);
    // "READ", "read", "no_permissions"... to a level; shared with `apply`.
    static std::optional<PermissionLevel> parseLevel(const QString& text);

    ~GrantsCommand() override;

    bool prepare() override;
    void start() override;

private:
    // Reads the current grant, then stages the change in a ChangeSet over a Directory holding just that grant,
    // so the ChangeSet's planner decides the calls (update in place, or revoke then grant on 3.13+).
    void change(const ResolvedResource& resource);
    void onApplied(const ResolvedResource& resource, std::optional<PermissionLevel> before);
    void report(const ResolvedResource& resource, const QString& action, std::optional<PermissionLevel> before,
                std::optional<PermissionLevel> after);
    void failForUser(const ApiError& error, const QString& what);

    Action m_action;
    QString m_username;
    PermissionLevel m_level = PermissionLevel::NoPermissions;
    ResourceType m_type = ResourceType::Experiment;
    QString m_resourceText;
    std::unique_ptr<Directory> m_directory;
    std::unique_ptr<ChangeSet> m_changes;
    // MLflow 3.13+ did not show us the user's current grant (we are no admin); see change().
    bool m_beforeHidden = false;
};

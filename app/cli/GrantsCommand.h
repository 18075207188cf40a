#pragma once

#include "api/PermissionLevel.h"
#include "app/cli/CliCommand.h"
#include "app/cli/ResourceLookup.h"

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

    bool prepare() override;
    void start() override;

private:
    void grant(const ResolvedResource& resource);
    void revoke(const ResolvedResource& resource);
    void report(const ResolvedResource& resource, const QString& action, std::optional<PermissionLevel> before,
                std::optional<PermissionLevel> after);
    void failForUser(const ApiError& error, const QString& what);

    Action m_action;
    QString m_username;
    PermissionLevel m_level = PermissionLevel::NoPermissions;
    ResourceType m_type = ResourceType::Experiment;
    QString m_resourceText;
};

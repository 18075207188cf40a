#pragma once

#include "api/PermissionLevel.h"
#include "api/RbacAuthApi.h"
#include "app/cli/CliCommand.h"
#include "app/cli/ResourceLookup.h"

#include <QHash>

#include <functional>

// `roles list|show|create|delete|rename|describe|grant|revoke|assign|unassign`: MLflow 3.13+ roles in the current
// workspace. A role is named by its name in the workspace or by its numeric id. The hidden __user_<id>__ roles hold
// each user's direct grants; they are shown as such and never changed here (that is what `grant`/`revoke` do).
class RolesCommand : public CliCommand
{
    Q_OBJECT

public:
    enum class Action { List, Show, Create, Delete, Rename, Describe, Grant, Revoke, Assign, Unassign };

    RolesCommand(CliContext* context, Action action);
    static QList<CommandSpec> specs();

    bool prepare() override;
    void start() override;

private:
    bool mutates() const;
    // Reads --experiment / --model / --all-experiments / --all-models into m_resourceType and m_resourceText.
    bool readResource(QString* error);
    // The role named `text` (an id, else a name in the current workspace); reports NotFound itself.
    void findRole(const QString& text, std::function<void(const Role&)> found);
    // For mutations: refuses a hidden per-user role with a sentence naming `grant`/`revoke`. True when refused.
    bool refuseHidden(const Role& role);
    // The same once users/list has named the role's user; true when `role` is hidden (the refusal follows).
    bool refuseHiddenNamingUser(const Role& role);
    // "experiment /x (id 1)", or "every experiment of workspace default" for the * pattern.
    QString describeTarget(const Role& role, const QString& resourceName) const;
    // User names by id from users/list; empty (not a failure) when the account may not list users.
    void loadUserNames(std::function<void()> loaded);
    // "direct grants of user2" for a hidden role, else empty.
    QString hiddenOwner(const Role& role) const;
    // "user2" or "user id 7" for an id users/list did not name.
    QString userName(qint64 userId) const;

    void list();
    void show(const Role& role);
    void create();
    void remove(const Role& role);
    void update(const Role& role);
    void grant(const Role& role, const QString& pattern, const QString& resourceName);
    void revoke(const Role& role, const QString& pattern, const QString& resourceName);
    void assign(const Role& role);
    void unassign(const Role& role);
    // Resolves the resource of grant/revoke (lookup for one experiment or model, "*" for all) and calls `resolved`.
    void resolveResource(std::function<void(const QString& pattern, const QString& resourceName)> resolved);
    void reportPermission(const Role& role, const QString& action, const QString& pattern, const QString& resourceName,
                          std::optional<PermissionLevel> before, std::optional<PermissionLevel> after);
    void reportMembership(const Role& role, const QString& action);

    RbacAuthApi* rbac() const;
    QString workspace() const;

    Action m_action;
    QString m_roleText;
    QString m_text;         // NEW name, description TEXT, or USER
    QString m_resourceType; // wire name: experiment or registered_model
    QString m_resourceText; // id or name as typed; empty for all resources of the type
    PermissionLevel m_level = PermissionLevel::Read;
    QHash<qint64, QString> m_userNames;
    QHash<qint64, QStringList> m_roleUsers; // role id -> users holding it, from users/list
};

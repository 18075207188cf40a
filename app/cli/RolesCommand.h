#pragma once

#include "api/PermissionLevel.h"
#include "api/RbacAuthApi.h"
#include "app/cli/CliCommand.h"
#include "app/cli/ResourceLookup.h"
#include "models/ChangeSet.h"

#include <QHash>

#include <functional>
#include <memory>

// `roles list|show|create|delete|rename|describe|grant|revoke|assign|unassign`: MLflow 3.13+ roles in the current
// workspace. A role is named by its name in the workspace or by its numeric id. The hidden __user_<id>__ roles hold
// each user's direct grants; they are shown as such and never changed here (that is what `grant`/`revoke` do).
// Every change is staged in a ChangeSet over a Directory holding what was just read (the role, the user, the
// resource), so the ChangeSet's one planner decides the calls, as it does for the console's Roles page.
class RolesCommand : public CliCommand
{
    Q_OBJECT

public:
    enum class Action { List, Show, Create, Delete, Rename, Describe, Grant, Revoke, Assign, Unassign };

    RolesCommand(CliContext* context, Action action);
    ~RolesCommand() override;
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
    // grant and revoke: stages the role permission the command names, over the role as just read.
    void changePermission(const Role& role, const QString& pattern, const ResolvedResource& resource);
    // Resolves the resource of grant/revoke (lookup for one experiment or model, "*" for all, with an empty
    // `resource`) and calls `resolved`.
    void resolveResource(std::function<void(const QString& pattern, const ResolvedResource& resource)> resolved);
    // Whether USER holds `role` (users/roles/list); nullopt when the account may not read that, in which case the
    // server decides. Reports an unknown user itself.
    void readMembership(const Role& role, std::function<void(std::optional<bool> member)> known);
    // assign and unassign: stages the membership over the role as just read and USER as far as known.
    void changeMembership(const Role& role, std::optional<bool> member);

    // A fresh ChangeSet over a Directory of just `roles`, `users` and `experiments`, as the server answered now.
    ChangeSet* changesOver(const QList<Role>& roles, const QList<User>& users = {},
                           const QList<Experiment>& experiments = {});
    // The planner's calls for what is staged.
    QList<ApiCall> plannedCalls() const;
    // With --dry-run prints the planned calls and stops; otherwise applies them and calls `applied` with the
    // change's error (none: it went through).
    void send(std::function<void(const ApiError& error)> applied);
    void printPlan();
    // `object` with the calls that were planned and sent ("calls"), for scripts.
    QJsonObject withCalls(QJsonObject object) const;
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
    std::unique_ptr<Directory> m_directory;
    std::unique_ptr<ChangeSet> m_changes; // over m_directory, so declared after it
    QList<ApiCall> m_calls;               // what send() planned
};

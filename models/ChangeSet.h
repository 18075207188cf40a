#pragma once

#include "api/ApiError.h"
#include "api/AuthApi.h"
#include "api/WireTypes.h"
#include "models/Directory.h"
#include "models/EffectivePermission.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUndoStack>

#include <optional>

// One cell of the access matrix: a user and a resource.
struct GrantCell
{
    QString username;
    ResourceKey resource;

    friend bool operator==(const GrantCell& a, const GrantCell& b)
    {
        return a.username == b.username && a.resource == b.resource;
    }
};

inline size_t qHash(const GrantCell& cell, size_t seed = 0)
{
    return qHash(cell.username, seed) ^ qHash(cell.resource, seed + 1);
}

// A staged change of one cell: the explicit level it should end up with, or no explicit row (revoke).
struct StagedGrant
{
    GrantCell cell;
    std::optional<PermissionLevel> target; // nullopt: remove the explicit row
    ApiError error;                        // why the last apply of this change failed
    // Set when an apply revoked this old level to grant `target` (3.13+ has no in-place update) and the grant
    // failed: the user now has no direct grant here. Apply again to retry `target`, or restoreRevokedLevel().
    std::optional<PermissionLevel> revokedLevel;

    bool isHalfApplied() const { return revokedLevel.has_value(); }
};

// Staged operations on one user. A password lives only here, in memory; it is never saved to disk, so a restored
// create or reset lacks it until setPassword().
struct StagedUser
{
    QString username;
    bool create = false;
    bool remove = false;
    std::optional<bool> admin;
    bool resetPassword = false;
    QString password;
    ApiError error;

    bool needsPassword() const { return (create || resetPassword) && password.isEmpty(); }
    bool isEmpty() const { return !create && !remove && !admin && !resetPassword; }
};

// A role as staged changes name it (3.13+): a loaded role by its id, or one that a staged change creates, by its
// workspace and name until the server's answer to the creation gives it an id.
struct RoleRef
{
    qint64 id = -1; // -1: created by a staged change
    QString workspace;
    QString name; // for people; a loaded role is the same role whatever its name becomes

    bool isNew() const { return id < 0; }
    static RoleRef of(const Role& role) { return RoleRef{role.id, role.workspace, role.name}; }
    friend bool operator==(const RoleRef& a, const RoleRef& b)
    {
        return a.id == b.id && (a.id >= 0 || (a.workspace == b.workspace && a.name == b.name));
    }
};

inline size_t qHash(const RoleRef& role, size_t seed = 0)
{
    return role.id >= 0 ? qHash(role.id, seed) : qHash(role.workspace, seed) ^ qHash(role.name, seed + 1);
}

// Staged operations on one role itself: create, rename, describe, delete.
struct StagedRole
{
    RoleRef role;
    bool create = false;
    bool remove = false;
    std::optional<QString> name;        // a rename of a loaded role
    std::optional<QString> description; // the new description (or a created role's first one)
    ApiError error;

    bool isEmpty() const { return !create && !remove && !name && !description; }
};

// One permission of a role: its resource type (wire name: experiment, registered_model, ...) and pattern (an id, a
// model name or "*").
struct RolePermissionKey
{
    RoleRef role;
    QString resourceType;
    QString pattern;

    friend bool operator==(const RolePermissionKey& a, const RolePermissionKey& b)
    {
        return a.role == b.role && a.resourceType == b.resourceType && a.pattern == b.pattern;
    }
};

inline size_t qHash(const RolePermissionKey& key, size_t seed = 0)
{
    return qHash(key.role, seed) ^ qHash(key.resourceType, seed + 1) ^ qHash(key.pattern, seed + 2);
}

// A staged role permission: the level it should end up with, or none (remove it).
struct StagedRolePermission
{
    RolePermissionKey key;
    std::optional<PermissionLevel> target;
    ApiError error;
};

struct RoleMemberKey
{
    RoleRef role;
    QString username;

    friend bool operator==(const RoleMemberKey& a, const RoleMemberKey& b)
    {
        return a.role == b.role && a.username == b.username;
    }
};

inline size_t qHash(const RoleMemberKey& key, size_t seed = 0)
{
    return qHash(key.role, seed) ^ qHash(key.username, seed + 1);
}

// A staged assignment (or unassignment) of a role to a user.
struct StagedRoleMember
{
    RoleMemberKey key;
    bool assign = true;
    ApiError error;
};

// One request the change set will send; what the review dialog lists.
struct ApiCall
{
    enum class Kind {
        CreateUser,
        SetAdmin,
        UpdatePassword,
        CreateGrant,
        UpdateGrant,
        DeleteGrant,
        DeleteUser,
        // 3.13+ roles
        CreateRole,
        UpdateRole,
        DeleteRole,
        AddRolePermission,
        UpdateRolePermission,
        RemoveRolePermission,
        AssignRole,
        UnassignRole,
    };

    Kind kind = Kind::CreateGrant;
    QString username;
    ResourceType resourceType = ResourceType::Experiment;
    QString resourceId;
    PermissionLevel level = PermissionLevel::NoPermissions;
    bool admin = false;
    // Role calls: the role, a rename and description (UpdateRole, CreateRole), the permission's wire resource type
    // and id (its pattern is resourceId). Grant and role calls: the resource's name for people ("/user1/experiment1")
    // where the Directory knows it.
    RoleRef role;
    std::optional<QString> roleName;
    std::optional<QString> roleDescription;
    QString permissionType;
    qint64 rolePermissionId = -1;
    QString resourceName;

    bool isRoleCall() const { return kind >= Kind::CreateRole; }
    // A translated sentence, e.g. "Grant READ on experiment /user1/experiment1 to user2". Never contains a password.
    QString description() const;
    // The request it becomes on a legacy (2.x-3.12) server, e.g. "POST /api/2.0/mlflow/users/create".
    QString legacyEndpoint() const;
    // The request on a server of that generation (3.13+ grants go through /api/3.0/mlflow/users/permissions/*).
    QString endpoint(ApiGeneration generation) const;

    friend bool operator==(const ApiCall& a, const ApiCall& b)
    {
        return a.kind == b.kind && a.username == b.username && a.resourceType == b.resourceType &&
               a.resourceId == b.resourceId && a.level == b.level && a.admin == b.admin && a.role == b.role &&
               a.roleName == b.roleName && a.roleDescription == b.roleDescription &&
               a.permissionType == b.permissionType && a.rolePermissionId == b.rolePermissionId;
    }
};

// How a server turns staged changes into calls. Every caller that sends or shows calls (the apply, the review
// dialog, the CLI's grant, revoke and apply) asks the ChangeSet's one planner with these rules, so a server
// generation with other rules needs a new rule here, not another planner.
struct PlanRules
{
    bool updateInPlace = true;       // 2.x-3.12 change a level with one update; 3.13+ revoke, then grant
    bool storesNoPermissions = true; // 2.x-3.12 keep an explicit NO_PERMISSIONS row; on 3.13+ it means no grant
    bool knowsUse = false;           // USE exists from 3.13 on

    // Why a grant of `level` cannot be sent to this generation, or nothing when it can.
    std::optional<QString> refusal(PermissionLevel level) const;

    static PlanRules forGeneration(ApiGeneration generation);
    static PlanRules of(const AuthApi& auth);
};

// The calls of one staged change, in order, and the phase they run in: 0 create users and roles; 1 admin flags,
// passwords, grants, role renames and role permissions; 2 role assignments (user and role exist by then, and the
// role already carries its permissions); 3 delete roles and users.
struct PlannedChange
{
    enum class Subject { User, Grant, Role, RolePermission, RoleMember };

    Subject subject = Subject::Grant;
    bool isUser = false;
    QString username;
    GrantCell cell;                   // grant changes only
    RolePermissionKey rolePermission; // role changes: .role; role permission changes: all of it
    QString memberName;               // role assignments: the user
    int phase = 1;
    QList<ApiCall> calls;
};

// What one planned change is about, in words the audit trail keeps: its kind ("grant.create", "grant.level",
// "grant.revoke", "user.create", "user.delete", "user.admin", "user.password_reset", "role.create", "role.update",
// "role.delete", "role.permission", "role.member"), its subject and the state before and after it, as loaded before
// the apply. Never a password.
struct ChangeFacts
{
    QString kind;
    QString username;     // users, grants, role assignments
    QString resourceType; // grants and role permissions: the wire name (experiment, registered_model)
    QString resourceId;   // an experiment id, a model name or a role permission's pattern
    QString resourceName; // for people: "/user1/experiment1"
    QString role;         // role changes: the role's name
    QString workspace;    // role changes: the role's workspace
    QString before;       // e.g. "READ", "none", "admin", "absent"
    QString after;
};

// One request an apply sent for a change (or could not send, `sent` false), and how the server answered.
struct CallOutcome
{
    QString description; // ApiCall::description()
    QString request;     // "POST /api/2.0/mlflow/experiments/permissions/create"
    int httpStatus = 0;  // 0: no HTTP answer
    bool sent = false;
    QString error; // empty: accepted
};

// The outcome of one staged change after apply().
struct ChangeResult
{
    QString description;
    ApiError error;           // isError() false: applied
    bool halfApplied = false; // a level change whose revoke went through and whose grant failed
    ChangeFacts facts;
    QList<CallOutcome> calls; // in the order they were sent
    bool ok() const { return !error.isError(); }
};

struct ApplySummary
{
    int succeeded = 0;
    int failed = 0;
    int halfApplied = 0;    // of the failed ones
    int committedCalls = 0; // calls the server accepted, including those of failed changes
    QList<ChangeResult> results;
};

// Staged changes to users and grants, with undo and redo (a QUndoStack the views can bind their actions to).
// Nothing reaches the server before apply(), which turns the staged state into the minimal list of calls
// (staging READ then EDIT on a new cell becomes one create with EDIT; a change back to the loaded value becomes
// nothing), sends them through the Connection's bounded queue, updates the Directory for each success, and
// leaves failed changes staged with their error. Staged changes can be saved to a per-profile SQLite file
// (without passwords) and restored after a crash.
class ChangeSet : public QObject
{
    Q_OBJECT

public:
    explicit ChangeSet(Directory* directory, QObject* parent = nullptr);
    ~ChangeSet() override;

    Directory* directory() const { return m_directory; }
    QUndoStack* undoStack() { return &m_undo; }

    // Staging. Each returns false (and stages nothing) when the change makes no sense or an apply is running.
    // `level` nullopt means revoke: remove the explicit row.
    bool stageGrant(const QString& username, ResourceType type, const QString& resourceId,
                    std::optional<PermissionLevel> level);
    bool stageRevoke(const QString& username, ResourceType type, const QString& resourceId)
    {
        return stageGrant(username, type, resourceId, std::nullopt);
    }
    // Many cells at once (a selection in the matrix), as one undo step.
    bool stageGrants(const QList<GrantCell>& cells, std::optional<PermissionLevel> level);
    // Grants may be staged on a user whose creation is staged: apply() sends the creation first and those grants
    // after it, or not at all when it failed. Undoing the creation needs no special case: the undo stack is linear,
    // so by then the grants staged after it have been undone already. Deleting such a user (stageDeleteUser) drops
    // the creation and its grants as one undo step.
    bool stageCreateUser(const QString& username, const QString& password, bool admin = false);
    bool stageDeleteUser(const QString& username);
    bool stageSetAdmin(const QString& username, bool isAdmin);
    bool stageResetPassword(const QString& username, const QString& password);
    // Supplies the password of a restored create or reset (not an undo step: passwords are not history).
    bool setPassword(const QString& username, const QString& password);
    // Drops everything staged, and the undo history.
    void discard();

    // Roles (3.13+). A new role is known by workspace and name until applied; grants and assignments may be staged
    // on it and are sent after its creation, with the id the server answered. Deleting a staged new role drops it
    // with its staged permissions and members as one undo step. Role changes are saved to the crash file like the
    // others: a new role by workspace and name, which is how its staged permissions and members name it.
    bool stageCreateRole(const QString& name, const QString& workspace, const QString& description = QString());
    bool stageRenameRole(const RoleRef& role, const QString& newName); // loaded roles only
    bool stageDescribeRole(const RoleRef& role, const QString& description);
    bool stageDeleteRole(const RoleRef& role);
    // `resourceType` is the wire name (experiment, registered_model); `level` nullopt removes the permission.
    bool stageRolePermission(const RoleRef& role, const QString& resourceType, const QString& pattern,
                             std::optional<PermissionLevel> level);
    bool stageRoleMember(const RoleRef& role, const QString& username, bool assign);

    QList<StagedRole> stagedRoles() const;
    QList<StagedRolePermission> stagedRolePermissions() const;
    QList<StagedRoleMember> stagedRoleMembers() const;
    const StagedRole* stagedRole(const RoleRef& role) const;
    const StagedRolePermission* stagedRolePermission(const RolePermissionKey& key) const;
    const StagedRoleMember* stagedRoleMember(const RoleMemberKey& key) const;
    // A creation is staged for the role and the Directory does not have it (yet).
    bool isStagedRoleCreation(const RoleRef& role) const;
    // The loaded role behind `role` (by id, or by workspace and name once its creation was applied), or -1.
    int directoryRoleRow(const RoleRef& role) const;
    // The level the loaded role has on the resource, and that permission's id.
    std::optional<RolePermission> loadedRolePermission(const RolePermissionKey& key) const;
    bool loadedMember(const RoleRef& role, const QString& username) const;
    // A resource as people read it: "/user1/experiment1" for an experiment id, "every experiment" for "*".
    QString resourceText(const QString& resourceType, const QString& pattern) const;

    bool isEmpty() const
    {
        return m_grants.isEmpty() && m_users.isEmpty() && m_roles.isEmpty() && m_rolePermissions.isEmpty() &&
               m_roleMembers.isEmpty();
    }
    int count() const
    {
        return static_cast<int>(m_grants.size() + m_users.size() + m_roles.size() + m_rolePermissions.size() +
                                m_roleMembers.size());
    }
    QList<StagedGrant> stagedGrants() const; // sorted by user, type, resource
    QList<StagedUser> stagedUsers() const;   // sorted by user name
    const StagedGrant* stagedGrant(const QString& username, ResourceType type, const QString& resourceId) const;
    const StagedUser* stagedUser(const QString& username) const;
    bool isPending(const QString& username, ResourceType type, const QString& resourceId) const
    {
        return stagedGrant(username, type, resourceId) != nullptr;
    }
    bool hasPendingUserChange(const QString& username) const { return m_users.contains(username); }
    // A creation is staged for `username` and the Directory does not have the user (yet).
    bool isStagedCreation(const QString& username) const;
    // What the cell will be once the staged changes are applied: a grant staged on it, a staged admin flag of the
    // user, or staged role changes (assignments, role permissions, deletions) that change what the user's roles give
    // there; nullopt when nothing staged changes the cell.
    std::optional<EffectivePermission> pendingPermission(const QString& username, ResourceType type,
                                                         const QString& resourceId) const;
    std::optional<PermissionLevel> pendingLevel(const QString& username, ResourceType type,
                                                const QString& resourceId) const;
    // The role permissions that staged role changes newly bring the user: those staged on a role the user holds or
    // will hold, and those of a role staged to be assigned. (What staged changes take away concerns only resources
    // the loaded roles already name.) Lets whole-user questions find resources that only a staged role names.
    QList<RolePermissionKey> stagedRoleReach(const QString& username) const;
    // Whether some staged create or reset lacks its password (after restore()).
    bool needsPasswords() const;

    // The planner: each staged change with its minimal calls, sorted by phase then user, type and resource. On
    // servers without in-place update (3.13+) a level change becomes revoke + grant. A change the server already
    // matches (e.g. after a refresh) has no calls.
    QList<PlannedChange> plan(const PlanRules& rules) const;
    // The calls of plan(), in the order apply() sends them: user creations, then admin flags, passwords and
    // grants, then user deletions. Without rules, those of the Directory's generation.
    QList<ApiCall> toApiCalls(const PlanRules& rules) const;
    QList<ApiCall> toApiCalls() const { return toApiCalls(PlanRules::forGeneration(m_directory->generation())); }
    // What a planned change is about and what it changes, from the loaded state (call it before applying).
    ChangeFacts factsOf(const PlannedChange& change) const;

    // Stages the level a half-applied change revoked (see StagedGrant::revokedLevel) in place of its target, so
    // the next apply puts the old grant back. False when the cell is not half-applied or an apply is running.
    bool restoreRevokedLevel(const QString& username, ResourceType type, const QString& resourceId);

    // Sends everything; false when empty or an apply is already running. Emits progress() and applied().
    bool apply(AuthApi* auth);
    bool isApplying() const { return m_applying; }
    // Aborts the requests still running; their changes stay staged with a Cancelled error.
    void cancelApply();

    // Persistence (prepared statements only; passwords are never written).
    bool save(const QString& path, QString* error = nullptr) const;
    // Replaces the staged state with the file's; the undo history starts afresh.
    bool restore(const QString& path, QString* error = nullptr);
    // Saves after every change (coalesced per event-loop turn), so a crash keeps the staged changes. Empty: off.
    void setAutoSavePath(const QString& path);
    QString autoSavePath() const { return m_autoSavePath; }
    // Writes an auto-save still waiting for the next event-loop turn now (the destructor does too).
    void flushAutoSave();

signals:
    void grantStagingChanged(const QString& username, ResourceType type, const QString& resourceId);
    void userStagingChanged(const QString& username);
    // A staged role, role permission or role membership changed.
    void roleStagingChanged();
    // Anything staged changed (count, content, errors).
    void changed();
    void applyStarted(int total);
    void progress(int done, int total);
    void applied(const ApplySummary& summary);

private:
    template <typename Key, typename Entry>
    class PutCommand;
    using GrantCommand = PutCommand<GrantCell, StagedGrant>;
    using UserCommand = PutCommand<QString, StagedUser>;
    using RoleCommand = PutCommand<RoleRef, StagedRole>;
    using RolePermissionCommand = PutCommand<RolePermissionKey, StagedRolePermission>;
    using RoleMemberCommand = PutCommand<RoleMemberKey, StagedRoleMember>;
    class ApplyRun;
    friend class ApplyRun;

    // Used by the undo commands: put a cell's / user's staged state, or remove it (nullopt).
    void put(const GrantCell& cell, const std::optional<StagedGrant>& entry);
    void put(const QString& username, const std::optional<StagedUser>& entry);
    void put(const RoleRef& role, const std::optional<StagedRole>& entry);
    void put(const RolePermissionKey& key, const std::optional<StagedRolePermission>& entry);
    void put(const RoleMemberKey& key, const std::optional<StagedRoleMember>& entry);
    bool roleUsable(const RoleRef& role) const; // loaded or staged for creation, and not staged for deletion
    // The roles the user holds, as loaded or with the staged role changes applied.
    QList<RoleRef> heldRoles(const QString& username, bool staged) const;
    // What the user's roles give on the resource (Source::Role contributors, in Directory::resolve()'s order): as
    // loaded, or with the staged role changes applied.
    QList<EffectivePermission::Contributor> roleContributors(const QString& username, ResourceType type,
                                                             const QString& resourceId, bool staged) const;
    std::optional<StagedGrant> grantEntry(const GrantCell& cell) const;
    std::optional<StagedUser> userEntry(const QString& username) const;
    std::optional<StagedRole> roleEntry(const RoleRef& role) const;
    bool pushGrant(const GrantCell& cell, std::optional<PermissionLevel> level);

    QList<ApiCall> callsFor(const StagedGrant& grant, const PlanRules& rules) const;
    void markRevoked(const GrantCell& cell, PermissionLevel level);
    QList<ApiCall> callsFor(const StagedUser& user) const;
    QList<ApiCall> callsFor(const StagedRole& role) const;
    QList<ApiCall> callsFor(const StagedRolePermission& permission) const;
    QList<ApiCall> callsFor(const StagedRoleMember& member) const;
    void commitRole(const ApiCall& call, const ApiJob* job);
    void applyFinished(const ApplySummary& summary);
    void commit(const ApiCall& call, const User& created);
    // After a change's last call (or with no calls to send): drop it when the server now matches it, else keep it
    // with its error.
    void settleChange(const PlannedChange& change, const ApiError& error);
    qint64 loadedRoleId(const RoleRef& role) const; // -1 when the Directory does not have it
    void scheduleAutoSave();

    QPointer<Directory> m_directory;
    QUndoStack m_undo;
    QHash<GrantCell, StagedGrant> m_grants;
    QHash<QString, StagedUser> m_users;
    QHash<RoleRef, StagedRole> m_roles;
    QHash<RolePermissionKey, StagedRolePermission> m_rolePermissions;
    QHash<RoleMemberKey, StagedRoleMember> m_roleMembers;
    bool m_applying = false;
    ApplyRun* m_run = nullptr;
    QString m_autoSavePath;
    bool m_autoSaveScheduled = false;
};

Q_DECLARE_METATYPE(ApplySummary)

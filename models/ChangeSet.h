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

// One request the change set will send; what the review dialog lists.
struct ApiCall
{
    enum class Kind { CreateUser, SetAdmin, UpdatePassword, CreateGrant, UpdateGrant, DeleteGrant, DeleteUser };

    Kind kind = Kind::CreateGrant;
    QString username;
    ResourceType resourceType = ResourceType::Experiment;
    QString resourceId;
    PermissionLevel level = PermissionLevel::NoPermissions;
    bool admin = false;

    // A translated sentence, e.g. "Grant READ on experiment 1 to user2". Never contains a password.
    QString description() const;
    // The request it becomes on a legacy (2.x-3.12) server, e.g. "POST /api/2.0/mlflow/users/create".
    QString legacyEndpoint() const;
    // The request on a server of that generation (3.13+ grants go through /api/3.0/mlflow/users/permissions/*).
    QString endpoint(ApiGeneration generation) const;

    friend bool operator==(const ApiCall& a, const ApiCall& b)
    {
        return a.kind == b.kind && a.username == b.username && a.resourceType == b.resourceType &&
               a.resourceId == b.resourceId && a.level == b.level && a.admin == b.admin;
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

// The calls of one staged change, in order, and the phase they run in (0 create users; 1 admin flags, passwords
// and grants; 2 delete users).
struct PlannedChange
{
    bool isUser = false;
    QString username;
    GrantCell cell; // grant changes only
    int phase = 1;
    QList<ApiCall> calls;
};

// The outcome of one staged change after apply().
struct ChangeResult
{
    QString description;
    ApiError error;           // isError() false: applied
    bool halfApplied = false; // a level change whose revoke went through and whose grant failed
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

    bool isEmpty() const { return m_grants.isEmpty() && m_users.isEmpty(); }
    int count() const { return static_cast<int>(m_grants.size() + m_users.size()); }
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
    // What the cell will be once the staged change is applied; nullopt when nothing is staged for it.
    std::optional<EffectivePermission> pendingPermission(const QString& username, ResourceType type,
                                                         const QString& resourceId) const;
    std::optional<PermissionLevel> pendingLevel(const QString& username, ResourceType type,
                                                const QString& resourceId) const;
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
    class ApplyRun;
    friend class ApplyRun;

    // Used by the undo commands: put a cell's / user's staged state, or remove it (nullopt).
    void put(const GrantCell& cell, const std::optional<StagedGrant>& entry);
    void put(const QString& username, const std::optional<StagedUser>& entry);
    std::optional<StagedGrant> grantEntry(const GrantCell& cell) const;
    std::optional<StagedUser> userEntry(const QString& username) const;
    bool pushGrant(const GrantCell& cell, std::optional<PermissionLevel> level);

    QList<ApiCall> callsFor(const StagedGrant& grant, const PlanRules& rules) const;
    void markRevoked(const GrantCell& cell, PermissionLevel level);
    QList<ApiCall> callsFor(const StagedUser& user) const;
    void applyFinished(const ApplySummary& summary);
    void commit(const ApiCall& call, const User& created);
    void settle(bool isUser, const QString& username, const GrantCell& cell, const ApiError& error);
    void forgetIfSettled(bool isUser, const QString& username, const GrantCell& cell);
    void scheduleAutoSave();

    QPointer<Directory> m_directory;
    QUndoStack m_undo;
    QHash<GrantCell, StagedGrant> m_grants;
    QHash<QString, StagedUser> m_users;
    bool m_applying = false;
    ApplyRun* m_run = nullptr;
    QString m_autoSavePath;
    bool m_autoSaveScheduled = false;
};

Q_DECLARE_METATYPE(ApplySummary)

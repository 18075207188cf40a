#pragma once

#include "api/ApiError.h"
#include "api/AuthApi.h"
#include "api/Connection.h" // AuthApi.h holds a QPointer<Connection> but only forward-declares Connection
#include "api/WireTypes.h"
#include "models/EffectivePermission.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

class AuthDatabaseReader;
class KnownUsersRegistry;
class TrackingApi;

// One resource a grant applies to: an experiment (by id) or a registered model (by name).
struct ResourceKey
{
    ResourceType type = ResourceType::Experiment;
    QString id;

    friend bool operator==(const ResourceKey& a, const ResourceKey& b) { return a.type == b.type && a.id == b.id; }
};

inline size_t qHash(const ResourceKey& key, size_t seed = 0)
{
    return qHash(key.id, seed) ^ static_cast<size_t>(key.type);
}

// A named role (MLflow 3.12+) as the Directory keeps it: the server's role with its permissions, and the users
// it is assigned to. Hidden per-user roles (__user_<id>__) are not kept as roles: their rows are direct grants.
struct DirectoryRole
{
    Role role;
    QStringList members; // user names, in user row order of the load
};

// One user and what they can do on one resource; a row of the "who has access" panel.
struct UserAccess
{
    QString username;
    EffectivePermission permission;
};

// The loaded picture of one server: users with their explicit grants, experiments (active and deleted),
// registered models, the default permission when the admin told us, and the API generation. It is the single
// source of truth the item models read, so it is built for 2,000 users x 20,000 experiments x 50,000 grants:
// users, experiments and models are vectors with name -> row hashes, and grants are indexed twice (by user and by
// resource) so both a matrix cell and a "who has access" question are hash lookups.
class Directory : public QObject
{
    Q_OBJECT

public:
    // Where load() takes the user names from when the server has no users/list (MLflow before 3.10). The
    // AuthDatabaseReader wins over the registry; both must stay alive until load() finishes.
    // `experimentNameContains` / `modelNameContains` load only the experiments / registered models whose name
    // contains it, filtered by the server (for servers with more than the console should hold); empty loads all.
    struct LoadOptions
    {
        AuthDatabaseReader* authDatabase = nullptr;
        KnownUsersRegistry* knownUsers = nullptr;
        ViewType experimentView = ViewType::All;
        bool loadRegisteredModels = true;
        QString experimentNameContains;
        QString modelNameContains;
        // Who signs in. An account without the admin flag cannot read other users' grants in bulk: the load then
        // reads what MLflow shows it (its own grants, and on 2.x other users' grants on the experiments it
        // manages, one experiments/permissions/get each) and marks the rest as not visible.
        QString viewer;
        bool viewerIsAdmin = true;
    };

    explicit Directory(QObject* parent = nullptr);
    ~Directory() override;

    // Replaces everything at once (used by load(), by the CLI when reading an auth database, and by tests).
    // Grants are taken from each User's experimentGrants / modelGrants and, on 3.13+, from the rows of the user's
    // hidden __user_<id>__ roles in User::roles; the user's other roles make them a member. `roles` adds roles no
    // user holds and is the authority on every role's name, description and permissions (roles/list).
    void setContents(const QList<User>& users, const QList<Experiment>& experiments,
                     const QList<RegisteredModel>& models, ListingSource source, const QList<Role>& roles = {});

    // Fetches everything through `auth` and `tracking` (both must outlive the load) and replaces the contents
    // when all of it arrived. Emits progress(), then loaded() or failed(). A load in progress is cancelled first.
    void load(AuthApi* auth, TrackingApi* tracking, const LoadOptions& options);
    void load(AuthApi* auth, TrackingApi* tracking) { load(auth, tracking, LoadOptions()); }
    // Aborts the requests of a load in progress; it then fails with a Cancelled error. The old contents stay.
    void cancel();
    bool isLoading() const { return m_load != nullptr; }

    ApiGeneration generation() const { return m_generation; }

    // The account the picture was loaded for (see LoadOptions::viewer). An admin's picture is complete; a member's
    // holds its own access, and on 2.x the access of others to the experiments it manages.
    void setViewer(const QString& username, bool isAdmin);
    QString viewer() const { return m_viewer; }
    bool isMemberView() const { return !m_viewerIsAdmin; }
    // Whether the server showed us this user's access to the resource; effectivePermission() says NotVisible if not.
    bool isAccessVisible(const QString& username, ResourceType type, const QString& resourceId) const;
    // Whether the signed-in account may grant and revoke on the resource: admins everywhere, a member where it
    // holds MANAGE (MLflow's validate_can_manage_* rule).
    bool viewerCanManage(ResourceType type, const QString& resourceId) const;
    // Member view, 2.x: every known user's explicit row on the resource was read.
    void markAccessRead(const ResourceKey& resource) { m_accessRead.insert(resource); }
    void setGeneration(ApiGeneration generation) { m_generation = generation; }
    ListingSource userSource() const { return m_userSource; }

    // The REST API does not expose default_permission, so it is unknown until the admin states it (a local
    // assumption, kept in the profile) or the console knows the server's configuration (`stated`: the demo's own).
    std::optional<PermissionLevel> defaultPermission() const { return m_defaultPermission; }
    void setDefaultPermission(std::optional<PermissionLevel> level, bool stated = false);
    // Whether the default permission comes from the server's configuration rather than from an assumption.
    bool isDefaultPermissionStated() const { return m_defaultPermissionStated; }

    // Users: rows are stable until a user is added (appended) or removed.
    int userCount() const { return static_cast<int>(m_users.size()); }
    const User& userAt(int row) const { return m_users.at(row); } // grant lists are empty: see grantsOf()
    int userRow(const QString& username) const { return m_userRows.value(username, -1); }
    bool hasUser(const QString& username) const { return m_userRows.contains(username); }
    bool isAdmin(const QString& username) const;
    int grantCount(const QString& username, ResourceType type) const;
    QList<Grant> grantsOf(const QString& username, ResourceType type) const;
    int totalGrantCount() const { return m_grantTotal; }

    // Named roles (3.12+), in the order the server listed them; hidden per-user roles are not among them.
    int roleCount() const { return static_cast<int>(m_roles.size()); }
    const DirectoryRole& roleAt(int row) const { return m_roles.at(row); }
    int roleRow(qint64 roleId) const { return m_roleRows.value(roleId, -1); }
    int roleRowByName(const QString& name, const QString& workspace = QString()) const;
    // The named roles assigned to the user, as rows.
    QList<int> roleRowsOf(const QString& username) const { return m_userRoles.value(username); }

    int experimentCount() const { return static_cast<int>(m_experiments.size()); }
    // The LoadOptions::experimentNameContains of the last successful load(): when not empty, the experiments are
    // only the part of the server's that matched. setContents() leaves it as it is.
    QString experimentNameFilter() const { return m_experimentNameFilter; }
    // Likewise LoadOptions::modelNameContains for the registered models.
    QString modelNameFilter() const { return m_modelNameFilter; }
    QString nameFilter(ResourceType type) const
    {
        return type == ResourceType::Experiment ? m_experimentNameFilter : m_modelNameFilter;
    }
    const Experiment& experimentAt(int row) const { return m_experiments.at(row); }
    int experimentRow(const QString& id) const { return m_experimentRows.value(id, -1); }
    // The experiment with that exact name, or -1 (names are unique among experiments in MLflow).
    int experimentRowByName(const QString& name) const;

    int registeredModelCount() const { return static_cast<int>(m_models.size()); }
    const RegisteredModel& registeredModelAt(int row) const { return m_models.at(row); }
    int registeredModelRow(const QString& name) const { return m_modelRows.value(name, -1); }

    // Rows of one resource type: experiments or registered models, so matrix code need not branch.
    int resourceCount(ResourceType type) const;
    QString resourceIdAt(ResourceType type, int row) const;
    QString resourceNameAt(ResourceType type, int row) const;
    int resourceRow(ResourceType type, const QString& id) const;

    // The explicit row for (user, resource), if any.
    std::optional<PermissionLevel> explicitLevel(const QString& username, ResourceType type,
                                                 const QString& resourceId) const;
    EffectivePermission effectivePermission(const QString& username, ResourceType type,
                                            const QString& resourceId) const;
    // The rule itself, for "what would it be if the explicit row were `explicitLevel`" (staged cells): on 2.x an
    // explicit row is used as it is, else the default; on 3.13+ the highest of the direct grant, every role of the
    // user that names the resource or "*", and the default permission as a floor. Admins get MANAGE.
    EffectivePermission resolve(const QString& username, ResourceType type, const QString& resourceId, bool isAdmin,
                                std::optional<PermissionLevel> explicitLevel) const;
    // The same with the user's roles given as their contributors (Source::Role) in place of the loaded ones: what a
    // cell will be once staged role assignments and role permissions are applied (see ChangeSet::pendingPermission).
    EffectivePermission resolve(const QString& username, ResourceType type, const QString& resourceId, bool isAdmin,
                                std::optional<PermissionLevel> explicitLevel,
                                const QList<EffectivePermission::Contributor>& roles) const;
    // The same for a user without roles.
    EffectivePermission resolve(bool isAdmin, std::optional<PermissionLevel> explicitLevel) const
    {
        return resolve(QString(), ResourceType::Experiment, QString(), isAdmin, explicitLevel);
    }
    // Every user who can at least read the resource, with the reason, in user row order.
    QList<UserAccess> usersWithAccess(ResourceType type, const QString& resourceId) const;
    // The resources whose permission for the user something names: an explicit row or a role entry for that
    // resource. Elsewhere only what names no resource applies (see readsWithoutNamedGrant()). Unordered, unique.
    QList<QString> namedResources(const QString& username, ResourceType type) const;
    // Whether the user may read resources that nothing names for them: an admin, an all-resources pattern of theirs
    // or of a role they hold, or a default permission that allows reading. When false, the user can read only
    // some of namedResources(), so questions about everything a user can access need not ask every resource.
    bool readsWithoutNamedGrant(const QString& username, ResourceType type, bool isAdmin) const;
    int usersWithAccessCount(ResourceType type, const QString& resourceId) const;

    // Mutators, called after the server accepted the corresponding change.
    void applyGrant(const Grant& grant);
    void removeGrant(const QString& username, ResourceType type, const QString& resourceId);
    void addUser(const User& user);
    void removeUser(const QString& username);
    void setAdmin(const QString& username, bool isAdmin);
    // Roles (3.13+), after the server accepted the change; each emits rolesChanged().
    void addRoleFromServer(const Role& role); // a created role, as the server answered
    void updateRole(qint64 roleId, const std::optional<QString>& name, const std::optional<QString>& description);
    void removeRole(qint64 roleId);
    void putRolePermission(qint64 roleId, const RolePermission& permission); // added or updated, by permission id
    void removeRolePermission(qint64 roleId, qint64 rolePermissionId);
    void assignRole(const QString& username, qint64 roleId);
    void unassignRole(const QString& username, qint64 roleId);

signals:
    void loadStarted();
    void progress(int done, int total);
    void loaded();
    void failed(const ApiError& error);

    // Around a wholesale replacement of the contents (load, setContents): item models reset.
    void aboutToReset();
    void reset();

    void userAboutToBeAdded(int row);
    void userAdded(int row);
    void userAboutToBeRemoved(int row);
    void userRemoved(int row);
    // The admin flag or the grant counts of one user changed.
    void userChanged(const QString& username);
    void usersChanged();
    void grantChanged(const QString& username, ResourceType type, const QString& resourceId);
    void defaultPermissionChanged();
    // A role, its permissions or its members changed: cells of its members may have changed.
    void rolesChanged();

private:
    class LoadRun;
    friend class LoadRun;

    using GrantMap = QHash<ResourceKey, PermissionLevel>;
    using AccessMap = QHash<QString, PermissionLevel>;

    // A role's experiment and registered-model permissions, indexed for one lookup per cell.
    struct RoleIndex
    {
        GrantMap exact;
        std::optional<PermissionLevel> allExperiments;
        std::optional<PermissionLevel> allModels;
    };
    void indexRole(int row);
    // resolve() with the loaded roles (`roles` null) or the given role contributors.
    EffectivePermission resolveWith(const QString& username, ResourceType type, const QString& resourceId, bool isAdmin,
                                    std::optional<PermissionLevel> explicitLevel,
                                    const QList<EffectivePermission::Contributor>* roles) const;
    int addRole(const Role& role);

    void clearIndexes();
    void insertGrant(const QString& username, ResourceType type, const QString& resourceId, PermissionLevel level);
    bool eraseGrant(const QString& username, ResourceType type, const QString& resourceId);
    void finishLoad(LoadRun* run, const ApiError& error);

    QVector<User> m_users;
    QHash<QString, int> m_userRows;
    QVector<Experiment> m_experiments;
    QHash<QString, int> m_experimentRows;
    QHash<QString, int> m_experimentNameRows;
    QVector<RegisteredModel> m_models;
    QHash<QString, int> m_modelRows;

    QVector<DirectoryRole> m_roles;
    QVector<RoleIndex> m_roleIndexes;
    QHash<qint64, int> m_roleRows;
    QHash<QString, QList<int>> m_userRoles; // username -> named role rows
    // "*" rows in a user's hidden role: MLflow's roles/permissions/add accepts them there (checked on 3.14).
    QHash<QString, RoleIndex> m_directPatterns;

    QHash<QString, GrantMap> m_grantsByUser;          // username -> resource -> level
    QHash<ResourceKey, AccessMap> m_grantsByResource; // resource -> username -> level
    int m_grantTotal = 0;
    int m_adminCount = 0;

    QString m_experimentNameFilter;
    QString m_modelNameFilter;
    std::optional<PermissionLevel> m_defaultPermission;
    bool m_defaultPermissionStated = false;
    ApiGeneration m_generation = ApiGeneration::Unknown;
    QString m_viewer;
    bool m_viewerIsAdmin = true;
    QSet<ResourceKey> m_accessRead;
    ListingSource m_userSource = ListingSource::ServerApi;
    LoadRun* m_load = nullptr;
};

#include "models/Directory.h"

#include "api/AuthDatabaseReader.h"
#include "api/KnownUsersRegistry.h"
#include "api/RbacAuthApi.h"
#include "api/TrackingApi.h"

#include <QSet>
#include <QTimer>

#include <algorithm>

// One load in flight: the user listing, one users/get per user, and the two searches, all running at once (the
// Connection's queue bounds what is on the wire). Results are collected here and handed to the Directory in one go,
// so a failed or cancelled load leaves the previous picture untouched.
class Directory::LoadRun : public QObject
{
public:
    LoadRun(Directory* directory, AuthApi* auth, TrackingApi* tracking, const LoadOptions& options)
        : QObject(directory), m_directory(directory), m_auth(auth), m_tracking(tracking), m_options(options)
    {}

    void start()
    {
        // listing + experiments + models; the users/get calls are added once the names are known.
        m_total = 1 + 1 + (m_options.loadRegisteredModels ? 1 : 0);
        reportProgress();

        const QString filter = m_options.experimentNameContains.isEmpty()
                                   ? QString()
                                   : TrackingApi::nameContainsFilter(m_options.experimentNameContains);
        ExperimentListJob* experiments = m_tracking->searchExperiments(m_options.experimentView, filter);
        m_pendingSearches = m_options.loadRegisteredModels ? 2 : 1;
        track(experiments, [this, experiments] {
            m_experiments = experiments->value();
            searchDone();
        });
        if (m_options.loadRegisteredModels) {
            RegisteredModelListJob* models = m_tracking->searchRegisteredModels(
                m_options.modelNameContains.isEmpty() ? QString()
                                                      : TrackingApi::nameContainsFilter(m_options.modelNameContains));
            track(models, [this, models] {
                m_models = models->value();
                searchDone();
            });
        }

        if (!m_options.viewerIsAdmin && !m_options.viewer.isEmpty()) {
            loadAsMember();
            return;
        }

        if (auto* rbac = qobject_cast<RbacAuthApi*>(m_auth.data()); rbac && rbac->canListUsers()) {
            listEverything(rbac);
            return;
        }
        if (m_auth->canListUsers()) {
            UserListJob* listing = m_auth->listUsers();
            track(listing, [this, listing] { fetchUsers(listing->value()); });
            return;
        }
        // The local sources are synchronous; answer on the next turn so that callers see loadStarted() first and
        // the searches are already queued.
        QTimer::singleShot(0, this, [this] { listFromLocalSource(); });
    }

    void cancel() { fail(ApiError(ApiError::Kind::Cancelled, Directory::tr("The load was cancelled."))); }

private:
    template <typename Job, typename OnSuccess>
    void track(Job* job, OnSuccess onSuccess)
    {
        m_jobs.append(job);
        connect(job, &ApiJob::finished, this, [this, job, onSuccess] {
            if (m_finished)
                return;
            if (job->hasError()) {
                fail(job->error());
                return;
            }
            onSuccess();
            stepDone();
        });
    }

    // MLflow 3.13+: for an admin, users/list carries every user's roles (the hidden ones hold the direct grants)
    // and roles/list without a workspace every role with its permissions, so two requests replace one users/get
    // per user. Other accounts may not list every role (403 on 3.14) and see only their own roles in users/list;
    // for them each user is read as before, which shows what that account may see.
    void listEverything(RbacAuthApi* auth)
    {
        m_total += 1;
        UserListJob* listing = auth->listUsers();
        RoleListJob* roles = auth->listRoles();
        m_jobs.append(listing);
        m_jobs.append(roles);
        const auto bothDone = [this, listing, roles] {
            if (m_finished || !listing->isFinished() || !roles->isFinished())
                return;
            if (listing->hasError()) {
                fail(listing->error());
                return;
            }
            if (roles->hasError() && roles->error().kind() != ApiError::Kind::PermissionDenied) {
                fail(roles->error());
                return;
            }
            // Only an admin's users/list carries every user's roles; anyone else sees just their own there.
            const QString self = m_auth->connection() ? m_auth->connection()->username() : QString();
            const QList<User>& listed = listing->value().users;
            const bool admin = std::any_of(listed.cbegin(), listed.cend(),
                                           [&self](const User& user) { return user.username == self && user.isAdmin; });
            if (roles->hasError() || !admin) {
                fetchUsers(listing->value()); // first: it adds its requests to the total
                stepDone();
                stepDone(); // the roles request: answered, with nothing to use
                return;
            }
            m_source = listing->value().source;
            m_users = QVector<User>(listing->value().users.cbegin(), listing->value().users.cend());
            m_roles = roles->value();
            stepDone();
            stepDone();
        };
        for (ApiJob* job : {static_cast<ApiJob*>(listing), static_cast<ApiJob*>(roles)}) {
            job->setAutoDelete(false);
            connect(job, &ApiJob::finished, this, bothDone);
            connect(this, &QObject::destroyed, job, &QObject::deleteLater);
        }
    }

    void searchDone()
    {
        --m_pendingSearches;
        if (m_memberView)
            readOthersOnManagedResources();
    }

    // An account without the admin flag. MLflow answers users/get only for oneself (with one's own grants on
    // 2.x), users/list on 3.14 to everyone, and experiments/permissions/get (2.x) to whoever manages the
    // experiment; 3.13+ shows a member nobody else's grants. So: our own account, the names the server or a local
    // source knows, then on 2.x one question per (user, resource we manage).
    void loadAsMember()
    {
        m_memberView = true;
        m_total += 1;
        UserJob* own = m_auth->getUser(m_options.viewer);
        track(own, [this, own] {
            m_self = own->value();
            m_haveSelf = true;
            readOthersOnManagedResources();
        });
        if (!m_auth->canListUsers()) {
            m_memberNames = localNames();
            m_haveNames = true;
            stepDone(); // the listing step start() counted
            return;
        }
        UserListJob* listing = m_auth->listUsers();
        m_jobs.append(listing);
        connect(listing, &ApiJob::finished, this, [this, listing] {
            if (m_finished)
                return;
            // With workspaces 3.14 lists users only for those who may create there; the local names then.
            m_memberNames = listing->hasError() ? localNames() : listing->value().users;
            m_haveNames = true;
            readOthersOnManagedResources();
            stepDone();
        });
    }

    // The names of a server without users/list (or one that refuses it to us); sets where they came from. A source
    // that cannot be read gives no names here: the member still sees its own account.
    QList<User> localNames()
    {
        ApiError error;
        if (const std::optional<UserListing> listing = readLocalListing(&error)) {
            m_source = listing->source;
            return listing->users;
        }
        if (m_options.authDatabase)
            m_source = ListingSource::AuthDatabase;
        else if (m_options.knownUsers)
            m_source = ListingSource::KnownUsers;
        return {};
    }

    // Runs once our own grants, the names and the searches are in; adds its questions to the total before the
    // step that called it is counted, so the load cannot finish early.
    void readOthersOnManagedResources()
    {
        if (m_memberChecksStarted || !m_haveSelf || !m_haveNames || m_pendingSearches > 0 || m_finished)
            return;
        m_memberChecksStarted = true;
        if (m_auth->generation() == ApiGeneration::Rbac)
            return;
        QList<ResourceKey> managed;
        for (const QList<Grant>* grants : {&m_self.experimentGrants, &m_self.modelGrants}) {
            for (const Grant& grant : *grants) {
                if (grant.level == PermissionLevel::Manage)
                    managed.append(ResourceKey{grant.resourceType, grant.resourceId});
            }
        }
        for (const ResourceKey& resource : std::as_const(managed)) {
            m_readResources.insert(resource);
            for (const User& user : std::as_const(m_memberNames)) {
                if (user.username == m_options.viewer)
                    continue;
                m_total += 1;
                GrantJob* job = m_auth->getGrant(user.username, resource.type, resource.id);
                m_jobs.append(job);
                connect(job, &ApiJob::finished, this, [this, job, resource, username = user.username] {
                    if (m_finished)
                        return;
                    if (!job->hasError()) {
                        Grant grant = job->value();
                        grant.username = username;
                        m_othersGrants[username].append(grant);
                    } else if (job->error().kind() != ApiError::Kind::NotFound) {
                        // Not ours to read after all (MANAGE was taken away meanwhile): leave it not visible.
                        m_readResources.remove(resource);
                    }
                    stepDone();
                });
            }
        }
    }

    // The member's picture: its own account first, then every other known name with what was read of it.
    QList<User> memberUsers() const
    {
        QList<User> users;
        User self = m_self;
        for (const User& listed : m_memberNames) {
            if (listed.username == self.username && self.roles.isEmpty())
                self.roles = listed.roles; // 3.14's users/list carries one's own roles, users/get does not
        }
        users.append(self);
        for (const User& listed : m_memberNames) {
            if (listed.username == self.username)
                continue;
            User other;
            other.id = listed.id;
            other.username = listed.username;
            other.isAdmin = listed.isAdmin;
            for (const Grant& grant : m_othersGrants.value(listed.username))
                (grant.resourceType == ResourceType::Experiment ? other.experimentGrants : other.modelGrants)
                    .append(grant);
            users.append(other);
        }
        return users;
    }

    // The one place that reads the local user sources: the auth database wins over the known-users registry.
    std::optional<UserListing> readLocalListing(ApiError* error) const
    {
        QString problem;
        if (m_options.authDatabase) {
            if (const auto snapshot = m_options.authDatabase->read(&problem))
                return snapshot->listing;
            *error = ApiError(ApiError::Kind::Database, problem);
            return std::nullopt;
        }
        if (m_options.knownUsers) {
            if (auto listing = m_options.knownUsers->users(&problem))
                return listing;
            *error = ApiError(ApiError::Kind::Database, problem);
            return std::nullopt;
        }
        *error = ApiError(ApiError::Kind::NotSupported,
                          Directory::tr("This server cannot list its users; add known user names or connect to its "
                                        "auth database."));
        return std::nullopt;
    }

    void listFromLocalSource()
    {
        if (m_finished)
            return;
        ApiError error;
        const std::optional<UserListing> listing = readLocalListing(&error);
        if (!listing) {
            fail(error);
            return;
        }
        if (listing->source == ListingSource::AuthDatabase) {
            // The server's own tables already hold every user with every grant: asking the server once per user
            // would only repeat them, at the cost of a password check per request on a real MLflow (38 s for 300
            // users on 2.15.1).
            m_source = listing->source;
            m_users = QVector<User>(listing->users.cbegin(), listing->users.cend());
        } else {
            fetchUsers(*listing);
        }
        stepDone();
    }

    // users/get per listed user: legacy servers return the user's grants with it, and it also confirms that a
    // name from a local source still exists on the server.
    void fetchUsers(const UserListing& listing)
    {
        m_source = listing.source;
        m_users.resize(listing.users.size());
        m_total += static_cast<int>(listing.users.size());
        for (int i = 0; i < listing.users.size(); ++i) {
            UserJob* job = m_auth->getUser(listing.users.at(i).username);
            m_jobs.append(job);
            connect(job, &ApiJob::finished, this, [this, job, i] {
                if (m_finished)
                    return;
                if (job->hasError()) {
                    // A name from the known-users registry may have been deleted on the server: not an error.
                    if (job->error().kind() != ApiError::Kind::NotFound) {
                        fail(job->error());
                        return;
                    }
                } else {
                    m_users[i] = job->value();
                }
                stepDone();
            });
        }
    }

    void stepDone()
    {
        ++m_done;
        reportProgress();
        if (m_done == m_total)
            succeed();
    }

    void reportProgress() { emit m_directory->progress(m_done, m_total); }

    void succeed()
    {
        m_finished = true;
        QList<User> users;
        users.reserve(m_users.size());
        for (User& user : m_users) {
            if (!user.username.isEmpty())
                users.append(std::move(user));
        }
        if (m_memberView)
            users = memberUsers();
        m_directory->setGeneration(m_auth->generation());
        m_directory->setViewer(m_options.viewer, !m_memberView);
        for (const ResourceKey& resource : std::as_const(m_readResources))
            m_directory->markAccessRead(resource);
        // Before the contents, so that whoever follows reset() already knows the experiments are a filtered part.
        m_directory->m_experimentNameFilter = m_options.experimentNameContains;
        m_directory->m_modelNameFilter = m_options.modelNameContains;
        m_directory->setContents(users, m_experiments, m_models, m_source, m_roles);
        m_directory->finishLoad(this, ApiError());
    }

    void fail(const ApiError& error)
    {
        if (m_finished)
            return;
        m_finished = true;
        for (const QPointer<ApiJob>& job : std::as_const(m_jobs)) {
            if (job && !job->isFinished())
                job->abort();
        }
        m_directory->finishLoad(this, error);
    }

    Directory* m_directory;
    QPointer<AuthApi> m_auth;
    QPointer<TrackingApi> m_tracking;
    LoadOptions m_options;
    QList<QPointer<ApiJob>> m_jobs;
    QVector<User> m_users; // in listing order; empty username = gone on the server
    QList<Experiment> m_experiments;
    QList<RegisteredModel> m_models;
    QList<Role> m_roles; // 3.13+ roles/list, for an admin
    ListingSource m_source = ListingSource::ServerApi;
    // Member view (see loadAsMember).
    bool m_memberView = false;
    bool m_haveSelf = false;
    bool m_haveNames = false;
    bool m_memberChecksStarted = false;
    int m_pendingSearches = 0;
    User m_self;
    QList<User> m_memberNames;
    QHash<QString, QList<Grant>> m_othersGrants;
    QSet<ResourceKey> m_readResources;
    int m_done = 0;
    int m_total = 0;
    bool m_finished = false;
};

Directory::Directory(QObject* parent) : QObject(parent) {}

Directory::~Directory() = default;

void Directory::setContents(const QList<User>& users, const QList<Experiment>& experiments,
                            const QList<RegisteredModel>& models, ListingSource source, const QList<Role>& roles)
{
    emit aboutToReset();
    clearIndexes();
    m_userSource = source;

    m_users.reserve(users.size());
    m_userRows.reserve(users.size());
    for (const User& user : users) {
        if (m_userRows.contains(user.username))
            continue;
        User stored = user;
        stored.experimentGrants.clear();
        stored.modelGrants.clear();
        stored.roles.clear();
        m_userRows.insert(stored.username, static_cast<int>(m_users.size()));
        m_adminCount += stored.isAdmin ? 1 : 0;
        m_users.append(std::move(stored));
        for (const Grant& grant : user.experimentGrants)
            insertGrant(user.username, ResourceType::Experiment, grant.resourceId, grant.level);
        for (const Grant& grant : user.modelGrants)
            insertGrant(user.username, ResourceType::RegisteredModel, grant.resourceId, grant.level);
        for (const Role& role : user.roles) {
            if (role.isHiddenUserRole()) {
                // 3.13+ keeps direct grants as the rows of this role; other resource types are not shown here.
                for (const RolePermission& permission : role.permissions) {
                    const auto type = Resources::parseWireName(permission.resourceType);
                    if (!type)
                        continue;
                    if (!permission.isPattern()) {
                        insertGrant(user.username, *type, permission.resourcePattern, permission.level);
                        continue;
                    }
                    RoleIndex& patterns = m_directPatterns[user.username];
                    auto& all = *type == ResourceType::Experiment ? patterns.allExperiments : patterns.allModels;
                    all = std::max(all.value_or(permission.level), permission.level);
                }
                continue;
            }
            const int row = addRole(role);
            if (!m_userRoles.value(user.username).contains(row)) {
                m_userRoles[user.username].append(row);
                m_roles[row].members.append(user.username);
            }
        }
    }
    for (const Role& role : roles) {
        if (role.isHiddenUserRole())
            continue;
        const int row = addRole(role);
        // roles/list is what the server holds now; a role embedded in users/list may be cut to what was visible.
        m_roles[row].role = role;
        indexRole(row);
    }

    m_experiments.reserve(experiments.size());
    m_experimentRows.reserve(experiments.size());
    for (const Experiment& experiment : experiments) {
        if (m_experimentRows.contains(experiment.id))
            continue;
        m_experimentRows.insert(experiment.id, static_cast<int>(m_experiments.size()));
        m_experimentNameRows.insert(experiment.name, static_cast<int>(m_experiments.size()));
        m_experiments.append(experiment);
    }

    m_models.reserve(models.size());
    m_modelRows.reserve(models.size());
    for (const RegisteredModel& model : models) {
        if (m_modelRows.contains(model.name))
            continue;
        m_modelRows.insert(model.name, static_cast<int>(m_models.size()));
        m_models.append(model);
    }
    emit reset();
    emit usersChanged();
}

void Directory::load(AuthApi* auth, TrackingApi* tracking, const LoadOptions& options)
{
    if (m_load)
        cancel();
    if (!auth || !tracking) {
        emit failed(ApiError(ApiError::Kind::InvalidRequest, tr("There is no connection to load from.")));
        return;
    }
    m_load = new LoadRun(this, auth, tracking, options);
    emit loadStarted();
    m_load->start();
}

void Directory::cancel()
{
    if (m_load)
        m_load->cancel();
}

void Directory::finishLoad(LoadRun* run, const ApiError& error)
{
    if (m_load == run)
        m_load = nullptr;
    run->deleteLater();
    if (error.isError())
        emit failed(error);
    else
        emit loaded();
}

void Directory::setDefaultPermission(std::optional<PermissionLevel> level, bool stated)
{
    if (m_defaultPermission == level && m_defaultPermissionStated == stated)
        return;
    m_defaultPermission = level;
    m_defaultPermissionStated = stated && level.has_value();
    emit defaultPermissionChanged();
}

bool Directory::isAdmin(const QString& username) const
{
    const int row = userRow(username);
    return row >= 0 && m_users.at(row).isAdmin;
}

int Directory::grantCount(const QString& username, ResourceType type) const
{
    const auto it = m_grantsByUser.constFind(username);
    if (it == m_grantsByUser.constEnd())
        return 0;
    int count = 0;
    for (auto grant = it->constBegin(); grant != it->constEnd(); ++grant) {
        if (grant.key().type == type)
            ++count;
    }
    return count;
}

QList<Grant> Directory::grantsOf(const QString& username, ResourceType type) const
{
    QList<Grant> grants;
    const auto it = m_grantsByUser.constFind(username);
    if (it == m_grantsByUser.constEnd())
        return grants;
    const int row = userRow(username);
    for (auto grant = it->constBegin(); grant != it->constEnd(); ++grant) {
        if (grant.key().type != type)
            continue;
        Grant g;
        g.username = username;
        g.userId = row >= 0 ? m_users.at(row).id : -1;
        g.resourceType = type;
        g.resourceId = grant.key().id;
        g.level = grant.value();
        grants.append(g);
    }
    return grants;
}

int Directory::experimentRowByName(const QString& name) const
{
    return m_experimentNameRows.value(name, -1);
}

int Directory::resourceCount(ResourceType type) const
{
    return type == ResourceType::Experiment ? experimentCount() : registeredModelCount();
}

QString Directory::resourceIdAt(ResourceType type, int row) const
{
    return type == ResourceType::Experiment ? m_experiments.at(row).id : m_models.at(row).name;
}

QString Directory::resourceNameAt(ResourceType type, int row) const
{
    return type == ResourceType::Experiment ? m_experiments.at(row).name : m_models.at(row).name;
}

int Directory::resourceRow(ResourceType type, const QString& id) const
{
    return type == ResourceType::Experiment ? experimentRow(id) : registeredModelRow(id);
}

std::optional<PermissionLevel> Directory::explicitLevel(const QString& username, ResourceType type,
                                                        const QString& resourceId) const
{
    const auto it = m_grantsByUser.constFind(username);
    if (it == m_grantsByUser.constEnd())
        return std::nullopt;
    const auto grant = it->constFind(ResourceKey{type, resourceId});
    if (grant == it->constEnd())
        return std::nullopt;
    return grant.value();
}

void Directory::setViewer(const QString& username, bool isAdmin)
{
    m_viewer = username;
    m_viewerIsAdmin = isAdmin;
    m_accessRead.clear();
}

bool Directory::isAccessVisible(const QString& username, ResourceType type, const QString& resourceId) const
{
    // An admin's access needs no grant to be known.
    return m_viewerIsAdmin || username == m_viewer || m_accessRead.contains(ResourceKey{type, resourceId}) ||
           isAdmin(username);
}

bool Directory::viewerCanManage(ResourceType type, const QString& resourceId) const
{
    if (m_viewerIsAdmin)
        return true;
    const EffectivePermission own = effectivePermission(m_viewer, type, resourceId);
    return own.isKnown() && own.level == PermissionLevel::Manage;
}

EffectivePermission Directory::effectivePermission(const QString& username, ResourceType type,
                                                   const QString& resourceId) const
{
    if (!isAccessVisible(username, type, resourceId)) {
        EffectivePermission hidden;
        hidden.source = EffectivePermission::Source::NotVisible;
        return hidden;
    }
    return resolve(username, type, resourceId, isAdmin(username), explicitLevel(username, type, resourceId));
}

EffectivePermission Directory::resolve(const QString& username, ResourceType type, const QString& resourceId,
                                       bool isAdmin, std::optional<PermissionLevel> explicitLevel) const
{
    return resolveWith(username, type, resourceId, isAdmin, explicitLevel, nullptr);
}

EffectivePermission Directory::resolve(const QString& username, ResourceType type, const QString& resourceId,
                                       bool isAdmin, std::optional<PermissionLevel> explicitLevel,
                                       const QList<EffectivePermission::Contributor>& roles) const
{
    return resolveWith(username, type, resourceId, isAdmin, explicitLevel, &roles);
}

EffectivePermission Directory::resolveWith(const QString& username, ResourceType type, const QString& resourceId,
                                           bool isAdmin, std::optional<PermissionLevel> explicitLevel,
                                           const QList<EffectivePermission::Contributor>* roles) const
{
    using Source = EffectivePermission::Source;
    using Contributor = EffectivePermission::Contributor;
    EffectivePermission result;
    if (isAdmin) {
        result.level = PermissionLevel::Manage;
        result.source = Source::Admin;
        return result;
    }
    if (m_generation != ApiGeneration::Rbac) {
        // 2.x-3.12: an explicit row is used as it is, even when weaker than the default.
        if (explicitLevel) {
            result.level = *explicitLevel;
            result.source = Source::ExplicitGrant;
        } else if (m_defaultPermission) {
            result.level = *m_defaultPermission;
            result.source = Source::DefaultPermission;
        }
        return result;
    }

    // 3.13+: everything that applies, highest first; on a tie a grant is named before a role, a role before the
    // default, because that is what the admin would change.
    QList<Contributor> contributors;
    if (explicitLevel)
        contributors.append(Contributor{*explicitLevel, Source::ExplicitGrant, QString(), false});
    if (const auto patterns = m_directPatterns.constFind(username); patterns != m_directPatterns.constEnd()) {
        const auto& all = type == ResourceType::Experiment ? patterns->allExperiments : patterns->allModels;
        if (all)
            contributors.append(Contributor{*all, Source::ExplicitGrant, QString(), true});
    }
    if (roles) {
        contributors += *roles;
    } else if (const auto roleRows = m_userRoles.constFind(username); roleRows != m_userRoles.constEnd()) {
        for (const int row : *roleRows) {
            const RoleIndex& index = m_roleIndexes.at(row);
            const QString& name = m_roles.at(row).role.name;
            const auto exact = index.exact.constFind(ResourceKey{type, resourceId});
            if (exact != index.exact.constEnd())
                contributors.append(Contributor{exact.value(), Source::Role, name, false});
            const auto& all = type == ResourceType::Experiment ? index.allExperiments : index.allModels;
            if (all)
                contributors.append(Contributor{*all, Source::Role, name, true});
        }
    }
    if (m_defaultPermission && (contributors.isEmpty() || *m_defaultPermission > PermissionLevel::NoPermissions))
        contributors.append(Contributor{*m_defaultPermission, Source::DefaultPermission, QString(), false});
    if (contributors.isEmpty())
        return result;
    std::stable_sort(contributors.begin(), contributors.end(),
                     [](const Contributor& a, const Contributor& b) { return a.level > b.level; });
    const Contributor& winner = contributors.first();
    result.level = winner.level;
    result.source = winner.source;
    result.detail = winner.detail;
    // A lone default or a lone grant needs no list; a role or pattern is always listed so the reason can name it.
    if (contributors.size() > 1 || winner.source == Source::Role || winner.allResources)
        result.contributors = contributors;
    return result;
}

QList<UserAccess> Directory::usersWithAccess(ResourceType type, const QString& resourceId) const
{
    QList<UserAccess> result;
    for (const User& user : m_users) {
        const EffectivePermission permission = effectivePermission(user.username, type, resourceId);
        if (permission.canRead())
            result.append(UserAccess{user.username, permission});
    }
    return result;
}

QList<QString> Directory::namedResources(const QString& username, ResourceType type) const
{
    QSet<QString> ids;
    if (const auto grants = m_grantsByUser.constFind(username); grants != m_grantsByUser.constEnd()) {
        for (auto grant = grants->constBegin(); grant != grants->constEnd(); ++grant) {
            if (grant.key().type == type)
                ids.insert(grant.key().id);
        }
    }
    if (const auto roleRows = m_userRoles.constFind(username); roleRows != m_userRoles.constEnd()) {
        for (const int row : *roleRows) {
            const GrantMap& exact = m_roleIndexes.at(row).exact;
            for (auto entry = exact.constBegin(); entry != exact.constEnd(); ++entry) {
                if (entry.key().type == type)
                    ids.insert(entry.key().id);
            }
        }
    }
    return ids.values();
}

bool Directory::readsWithoutNamedGrant(const QString& username, ResourceType type, bool isAdmin) const
{
    if (isAdmin || (m_defaultPermission && Permissions::canRead(*m_defaultPermission)))
        return true;
    const auto readsAll = [type](const RoleIndex& index) {
        const auto& all = type == ResourceType::Experiment ? index.allExperiments : index.allModels;
        return all && Permissions::canRead(*all);
    };
    if (const auto patterns = m_directPatterns.constFind(username);
        patterns != m_directPatterns.constEnd() && readsAll(*patterns))
        return true;
    const QList<int> roleRows = m_userRoles.value(username);
    return std::any_of(roleRows.cbegin(), roleRows.cend(), [&](int row) { return readsAll(m_roleIndexes.at(row)); });
}

// Counted from the resource's few explicit rows rather than by asking every user, because the experiments table
// shows this number on every visible row.
int Directory::usersWithAccessCount(ResourceType type, const QString& resourceId) const
{
    // With roles a user may read without any row of their own; ask each user then (roles are rare and few).
    if (!m_userRoles.isEmpty() || !m_directPatterns.isEmpty() || !m_viewerIsAdmin)
        return static_cast<int>(usersWithAccess(type, resourceId).size());
    const int admins = m_adminCount;
    const int nonAdmins = userCount() - admins;
    int holders = 0;
    int readableHolders = 0;
    const auto it = m_grantsByResource.constFind(ResourceKey{type, resourceId});
    if (it != m_grantsByResource.constEnd()) {
        for (auto grant = it->constBegin(); grant != it->constEnd(); ++grant) {
            const int row = userRow(grant.key());
            if (row < 0 || m_users.at(row).isAdmin)
                continue;
            ++holders;
            if (resolve(false, grant.value()).canRead())
                ++readableHolders;
        }
    }
    const bool defaultReadable = resolve(false, std::nullopt).canRead();
    return admins + readableHolders + (defaultReadable ? nonAdmins - holders : 0);
}

void Directory::applyGrant(const Grant& grant)
{
    const int before = grantCount(grant.username, grant.resourceType);
    const auto old = explicitLevel(grant.username, grant.resourceType, grant.resourceId);
    if (old == grant.level)
        return;
    if (old)
        eraseGrant(grant.username, grant.resourceType, grant.resourceId);
    insertGrant(grant.username, grant.resourceType, grant.resourceId, grant.level);
    emit grantChanged(grant.username, grant.resourceType, grant.resourceId);
    if (before != grantCount(grant.username, grant.resourceType))
        emit userChanged(grant.username);
}

void Directory::removeGrant(const QString& username, ResourceType type, const QString& resourceId)
{
    if (!eraseGrant(username, type, resourceId))
        return;
    emit grantChanged(username, type, resourceId);
    emit userChanged(username);
}

void Directory::addUser(const User& user)
{
    if (user.username.isEmpty() || hasUser(user.username))
        return;
    const int row = userCount();
    emit userAboutToBeAdded(row);
    User stored = user;
    stored.experimentGrants.clear();
    stored.modelGrants.clear();
    m_users.append(stored);
    m_userRows.insert(user.username, row);
    m_adminCount += user.isAdmin ? 1 : 0;
    for (const Grant& grant : user.experimentGrants)
        insertGrant(user.username, ResourceType::Experiment, grant.resourceId, grant.level);
    for (const Grant& grant : user.modelGrants)
        insertGrant(user.username, ResourceType::RegisteredModel, grant.resourceId, grant.level);
    emit userAdded(row);
    emit usersChanged();
}

void Directory::removeUser(const QString& username)
{
    const int row = userRow(username);
    if (row < 0)
        return;
    emit userAboutToBeRemoved(row);
    QList<ResourceKey> removed;
    const auto grants = m_grantsByUser.constFind(username);
    if (grants != m_grantsByUser.constEnd())
        removed = grants->keys();
    for (const ResourceKey& key : std::as_const(removed))
        eraseGrant(username, key.type, key.id);
    m_adminCount -= m_users.at(row).isAdmin ? 1 : 0;
    m_directPatterns.remove(username);
    for (const int roleRow : m_userRoles.take(username))
        m_roles[roleRow].members.removeAll(username);
    m_users.remove(row);
    m_userRows.remove(username);
    for (int i = row; i < m_users.size(); ++i)
        m_userRows[m_users.at(i).username] = i;
    emit userRemoved(row);
    // Per-resource counts (e.g. "users with access") change with the grants that went.
    for (const ResourceKey& key : std::as_const(removed))
        emit grantChanged(username, key.type, key.id);
    emit usersChanged();
}

void Directory::setAdmin(const QString& username, bool isAdmin)
{
    const int row = userRow(username);
    if (row < 0 || m_users.at(row).isAdmin == isAdmin)
        return;
    m_users[row].isAdmin = isAdmin;
    m_adminCount += isAdmin ? 1 : -1;
    emit userChanged(username);
    emit usersChanged();
}

void Directory::clearIndexes()
{
    m_users.clear();
    m_userRows.clear();
    m_experiments.clear();
    m_experimentRows.clear();
    m_experimentNameRows.clear();
    m_models.clear();
    m_modelRows.clear();
    m_roles.clear();
    m_roleIndexes.clear();
    m_roleRows.clear();
    m_userRoles.clear();
    m_directPatterns.clear();
    m_grantsByUser.clear();
    m_grantsByResource.clear();
    m_grantTotal = 0;
    m_adminCount = 0;
}

int Directory::roleRowByName(const QString& name, const QString& workspace) const
{
    for (int row = 0; row < m_roles.size(); ++row) {
        const Role& role = m_roles.at(row).role;
        if (role.name == name && (workspace.isEmpty() || role.workspace == workspace))
            return row;
    }
    return -1;
}

int Directory::addRole(const Role& role)
{
    const auto it = m_roleRows.constFind(role.id);
    if (it != m_roleRows.constEnd())
        return it.value();
    const int row = static_cast<int>(m_roles.size());
    m_roles.append(DirectoryRole{role, {}});
    m_roleIndexes.append(RoleIndex());
    m_roleRows.insert(role.id, row);
    indexRole(row);
    return row;
}

void Directory::indexRole(int row)
{
    RoleIndex index;
    for (const RolePermission& permission : m_roles.at(row).role.permissions) {
        const auto type = Resources::parseWireName(permission.resourceType);
        if (!type)
            continue; // prompts, workspaces, gateways: not resources this console shows
        if (permission.isPattern()) {
            auto& all = *type == ResourceType::Experiment ? index.allExperiments : index.allModels;
            all = std::max(all.value_or(permission.level), permission.level);
        } else {
            const ResourceKey key{*type, permission.resourcePattern};
            index.exact.insert(key, std::max(index.exact.value(key, permission.level), permission.level));
        }
    }
    m_roleIndexes[row] = index;
}

void Directory::insertGrant(const QString& username, ResourceType type, const QString& resourceId,
                            PermissionLevel level)
{
    const ResourceKey key{type, resourceId};
    GrantMap& byUser = m_grantsByUser[username];
    if (!byUser.contains(key))
        ++m_grantTotal;
    byUser.insert(key, level);
    m_grantsByResource[key].insert(username, level);
}

bool Directory::eraseGrant(const QString& username, ResourceType type, const QString& resourceId)
{
    const ResourceKey key{type, resourceId};
    auto byUser = m_grantsByUser.find(username);
    if (byUser == m_grantsByUser.end() || !byUser->remove(key))
        return false;
    --m_grantTotal;
    if (byUser->isEmpty())
        m_grantsByUser.erase(byUser);
    auto byResource = m_grantsByResource.find(key);
    if (byResource != m_grantsByResource.end()) {
        byResource->remove(username);
        if (byResource->isEmpty())
            m_grantsByResource.erase(byResource);
    }
    return true;
}

void Directory::addRoleFromServer(const Role& role)
{
    if (role.isHiddenUserRole() || m_roleRows.contains(role.id))
        return;
    addRole(role);
    emit rolesChanged();
}

void Directory::updateRole(qint64 roleId, const std::optional<QString>& name, const std::optional<QString>& description)
{
    const int row = roleRow(roleId);
    if (row < 0)
        return;
    if (name)
        m_roles[row].role.name = *name;
    if (description)
        m_roles[row].role.description = *description;
    emit rolesChanged();
}

void Directory::removeRole(qint64 roleId)
{
    const int row = roleRow(roleId);
    if (row < 0)
        return;
    m_roles.remove(row);
    m_roleIndexes.remove(row);
    m_roleRows.remove(roleId);
    for (auto it = m_roleRows.begin(); it != m_roleRows.end(); ++it) {
        if (it.value() > row)
            --it.value();
    }
    // Rows after the removed one move up by one in every member list.
    for (auto it = m_userRoles.begin(); it != m_userRoles.end(); ++it) {
        QList<int>& rows = it.value();
        rows.removeAll(row);
        for (int& other : rows) {
            if (other > row)
                --other;
        }
    }
    emit rolesChanged();
}

void Directory::putRolePermission(qint64 roleId, const RolePermission& permission)
{
    const int row = roleRow(roleId);
    if (row < 0)
        return;
    QList<RolePermission>& permissions = m_roles[row].role.permissions;
    const auto it = std::find_if(permissions.begin(), permissions.end(),
                                 [&permission](const RolePermission& p) { return p.id == permission.id; });
    if (it != permissions.end())
        *it = permission;
    else
        permissions.append(permission);
    indexRole(row);
    emit rolesChanged();
}

void Directory::removeRolePermission(qint64 roleId, qint64 rolePermissionId)
{
    const int row = roleRow(roleId);
    if (row < 0)
        return;
    QList<RolePermission>& permissions = m_roles[row].role.permissions;
    permissions.removeIf([rolePermissionId](const RolePermission& p) { return p.id == rolePermissionId; });
    indexRole(row);
    emit rolesChanged();
}

void Directory::assignRole(const QString& username, qint64 roleId)
{
    const int row = roleRow(roleId);
    if (row < 0 || m_userRoles.value(username).contains(row))
        return;
    m_userRoles[username].append(row);
    m_roles[row].members.append(username);
    emit rolesChanged();
}

void Directory::unassignRole(const QString& username, qint64 roleId)
{
    const int row = roleRow(roleId);
    if (row < 0)
        return;
    auto it = m_userRoles.find(username);
    if (it != m_userRoles.end()) {
        it->removeAll(row);
        if (it->isEmpty())
            m_userRoles.erase(it);
    }
    m_roles[row].members.removeAll(username);
    emit rolesChanged();
}

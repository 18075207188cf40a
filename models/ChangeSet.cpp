#include "models/ChangeSet.h"

#include "api/PrivateFiles.h"
#include "api/RbacAuthApi.h"

#include <QAtomicInteger>
#include <QCoreApplication>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>
#include <QVariant>

#include <algorithm>
#include <tuple>

namespace {

QString resourceTypeText(ResourceType type)
{
    return type == ResourceType::Experiment ? QCoreApplication::translate("ApiCall", "experiment")
                                            : QCoreApplication::translate("ApiCall", "registered model");
}

// The undo stack's words for staging `level` (nothing: a revoke) on a cell, with the resource's name where known.
QString grantUndoText(const Directory* directory, const GrantCell& cell, std::optional<PermissionLevel> level)
{
    const int row = directory->resourceRow(cell.resource.type, cell.resource.id);
    const QString resource = row >= 0 ? directory->resourceNameAt(cell.resource.type, row) : cell.resource.id;
    if (!level)
        return QCoreApplication::translate("ChangeSet", "Revoke %1's permission on %2").arg(cell.username, resource);
    if (*level == PermissionLevel::NoPermissions)
        return QCoreApplication::translate("ChangeSet", "Deny %1 any access to %2 (NO_PERMISSIONS)")
            .arg(cell.username, resource);
    return QCoreApplication::translate("ChangeSet", "Grant %1 on %2 to %3")
        .arg(Permissions::name(*level), resource, cell.username);
}

bool cellLess(const GrantCell& a, const GrantCell& b)
{
    if (a.username != b.username)
        return a.username < b.username;
    if (a.resource.type != b.resource.type)
        return a.resource.type < b.resource.type;
    return a.resource.id < b.resource.id;
}

// A private Qt Sql connection for the duration of one save or restore; each gets its own name so that several
// change sets (profiles) never share one.
class SqlFile
{
public:
    explicit SqlFile(const QString& path)
    {
        static QAtomicInteger<int> counter;
        m_name = QStringLiteral("mlflowadmin-changeset-%1").arg(counter.fetchAndAddRelaxed(1));
        // Staged grants say who is about to get access to what: owner-only, like every file of ours.
        if (!PrivateFiles::ensureSqliteFile(path, &m_error))
            return;
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        m_open = db.open();
        if (!m_open)
            m_error = db.lastError().text();
    }
    ~SqlFile()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }
    SqlFile(const SqlFile&) = delete;
    SqlFile& operator=(const SqlFile&) = delete;

    bool isOpen() const { return m_open; }
    QString error() const { return m_error; }
    QSqlDatabase database() const { return QSqlDatabase::database(m_name, false); }

private:
    QString m_name;
    QString m_error;
    bool m_open = false;
};

bool exec(QSqlQuery& query, QString* error)
{
    if (query.exec())
        return true;
    if (error)
        *error = query.lastError().text();
    return false;
}

bool createSchema(const QSqlDatabase& db, QString* error)
{
    QSqlQuery query(db);
    if (!query.prepare(QStringLiteral(
            "CREATE TABLE IF NOT EXISTS staged_grants (username TEXT NOT NULL, resource_type TEXT NOT NULL, "
            "resource_id TEXT NOT NULL, revoke INTEGER NOT NULL, level TEXT, revoked_level TEXT, "
            "PRIMARY KEY (username, resource_type, resource_id))")) ||
        !exec(query, error))
        return false;
    // Files written before half-applied level changes were kept lack the column.
    if (!query.prepare(QStringLiteral("SELECT name FROM pragma_table_info('staged_grants') WHERE name = ?")))
        return false;
    query.addBindValue(QStringLiteral("revoked_level"));
    if (!exec(query, error))
        return false;
    if (!query.next() && (!query.prepare(QStringLiteral("ALTER TABLE staged_grants ADD COLUMN revoked_level TEXT")) ||
                          !exec(query, error)))
        return false;
    if (!query.prepare(QStringLiteral(
            "CREATE TABLE IF NOT EXISTS staged_users (username TEXT PRIMARY KEY, create_user INTEGER NOT NULL, "
            "delete_user INTEGER NOT NULL, admin INTEGER, reset_password INTEGER NOT NULL)")) ||
        !exec(query, error))
        return false;
    // Roles (3.13+) are named as RoleRef names them: a loaded role by its id, a role whose creation is staged by
    // role_id -1 with its workspace and name, so its staged permissions and members find it again on restore.
    if (!query.prepare(QStringLiteral(
            "CREATE TABLE IF NOT EXISTS staged_roles (role_id INTEGER NOT NULL, workspace TEXT NOT NULL, "
            "name TEXT NOT NULL, create_role INTEGER NOT NULL, delete_role INTEGER NOT NULL, new_name TEXT, "
            "has_description INTEGER NOT NULL, description TEXT)")) ||
        !exec(query, error))
        return false;
    if (!query.prepare(QStringLiteral(
            "CREATE TABLE IF NOT EXISTS staged_role_permissions (role_id INTEGER NOT NULL, workspace TEXT NOT NULL, "
            "name TEXT NOT NULL, resource_type TEXT NOT NULL, pattern TEXT NOT NULL, remove INTEGER NOT NULL, "
            "level TEXT)")) ||
        !exec(query, error))
        return false;
    if (!query.prepare(QStringLiteral(
            "CREATE TABLE IF NOT EXISTS staged_role_members (role_id INTEGER NOT NULL, workspace TEXT NOT NULL, "
            "name TEXT NOT NULL, username TEXT NOT NULL, assign INTEGER NOT NULL)")) ||
        !exec(query, error))
        return false;
    return true;
}

void bindRole(QSqlQuery& query, const RoleRef& role)
{
    query.bindValue(0, role.isNew() ? qint64(-1) : role.id);
    query.bindValue(1, role.workspace);
    query.bindValue(2, role.name);
}

// A RoleRef from the first three columns; nullopt for a row no version of ours writes.
std::optional<RoleRef> readRole(const QSqlQuery& query)
{
    RoleRef role{query.value(0).toLongLong(), query.value(1).toString(), query.value(2).toString()};
    if (role.id < 0)
        role.id = -1;
    if (role.isNew() && (role.workspace.isEmpty() || role.name.isEmpty()))
        return std::nullopt;
    return role;
}

} // namespace

QString ApiCall::description() const
{
    const QString level = Permissions::name(this->level);
    switch (kind) {
    case Kind::CreateUser:
        return QCoreApplication::translate("ApiCall", "Create user %1").arg(username);
    case Kind::SetAdmin:
        return admin ? QCoreApplication::translate("ApiCall", "Make %1 an administrator").arg(username)
                     : QCoreApplication::translate("ApiCall", "Remove administrator rights from %1").arg(username);
    case Kind::UpdatePassword:
        return QCoreApplication::translate("ApiCall", "Reset the password of %1").arg(username);
    // People read names; the request itself carries the id.
    case Kind::CreateGrant:
        return QCoreApplication::translate("ApiCall", "Grant %1 on %2 %3 to %4")
            .arg(level, resourceTypeText(resourceType), resourceName.isEmpty() ? resourceId : resourceName, username);
    case Kind::UpdateGrant:
        return QCoreApplication::translate("ApiCall", "Change the permission of %1 on %2 %3 to %4")
            .arg(username, resourceTypeText(resourceType), resourceName.isEmpty() ? resourceId : resourceName, level);
    case Kind::DeleteGrant:
        return QCoreApplication::translate("ApiCall", "Revoke the explicit permission of %1 on %2 %3")
            .arg(username, resourceTypeText(resourceType), resourceName.isEmpty() ? resourceId : resourceName);
    case Kind::DeleteUser:
        return QCoreApplication::translate("ApiCall", "Delete user %1").arg(username);
    case Kind::CreateRole:
        return QCoreApplication::translate("ApiCall", "Create role %1 in workspace %2").arg(role.name, role.workspace);
    case Kind::UpdateRole: {
        QStringList parts;
        if (roleName)
            parts.append(QCoreApplication::translate("ApiCall", "Rename role %1 to %2").arg(role.name, *roleName));
        if (roleDescription)
            parts.append(QCoreApplication::translate("ApiCall", "Describe role %1 as \"%2\"")
                             .arg(roleName.value_or(role.name), *roleDescription));
        return parts.join(QLatin1String("; "));
    }
    case Kind::DeleteRole:
        return QCoreApplication::translate("ApiCall", "Delete role %1").arg(role.name);
    case Kind::AddRolePermission:
        return QCoreApplication::translate("ApiCall", "Grant %1 on %2 to role %3").arg(level, resourceName, role.name);
    case Kind::UpdateRolePermission:
        return QCoreApplication::translate("ApiCall", "Change the permission of role %1 on %2 to %3")
            .arg(role.name, resourceName, level);
    case Kind::RemoveRolePermission:
        return QCoreApplication::translate("ApiCall", "Remove %1 on %2 from role %3")
            .arg(level, resourceName, role.name);
    case Kind::AssignRole:
        return QCoreApplication::translate("ApiCall", "Assign role %1 to %2").arg(role.name, username);
    case Kind::UnassignRole:
        return QCoreApplication::translate("ApiCall", "Unassign role %1 from %2").arg(role.name, username);
    }
    return {};
}

namespace {

// Roles exist only on 3.13+, so each role call has one endpoint whatever the generation.
QString roleEndpoint(ApiCall::Kind kind)
{
    switch (kind) {
    case ApiCall::Kind::CreateRole:
        return QStringLiteral("POST /api/3.0/mlflow/roles/create");
    case ApiCall::Kind::UpdateRole:
        return QStringLiteral("PATCH /api/3.0/mlflow/roles/update");
    case ApiCall::Kind::DeleteRole:
        return QStringLiteral("DELETE /api/3.0/mlflow/roles/delete");
    case ApiCall::Kind::AddRolePermission:
        return QStringLiteral("POST /api/3.0/mlflow/roles/permissions/add");
    case ApiCall::Kind::UpdateRolePermission:
        return QStringLiteral("PATCH /api/3.0/mlflow/roles/permissions/update");
    case ApiCall::Kind::RemoveRolePermission:
        return QStringLiteral("DELETE /api/3.0/mlflow/roles/permissions/remove");
    case ApiCall::Kind::AssignRole:
        return QStringLiteral("POST /api/3.0/mlflow/roles/assign");
    case ApiCall::Kind::UnassignRole:
        return QStringLiteral("DELETE /api/3.0/mlflow/roles/unassign");
    default:
        return {};
    }
}

} // namespace

QString ApiCall::endpoint(ApiGeneration generation) const
{
    if (generation != ApiGeneration::Rbac || isRoleCall())
        return legacyEndpoint();
    switch (kind) {
    case Kind::CreateGrant:
    case Kind::UpdateGrant: // never planned for 3.13+, which has no update
        return QStringLiteral("POST /api/3.0/mlflow/users/permissions/grant");
    case Kind::DeleteGrant:
        return QStringLiteral("POST /api/3.0/mlflow/users/permissions/revoke");
    default:
        return legacyEndpoint(); // users stay under /api/2.0/mlflow/users/*
    }
}

QString ApiCall::legacyEndpoint() const
{
    const QString permissions = resourceType == ResourceType::Experiment
                                    ? QStringLiteral("/api/2.0/mlflow/experiments/permissions/")
                                    : QStringLiteral("/api/2.0/mlflow/registered-models/permissions/");
    switch (kind) {
    case Kind::CreateUser:
        return QStringLiteral("POST /api/2.0/mlflow/users/create");
    case Kind::SetAdmin:
        return QStringLiteral("PATCH /api/2.0/mlflow/users/update-admin");
    case Kind::UpdatePassword:
        return QStringLiteral("PATCH /api/2.0/mlflow/users/update-password");
    case Kind::CreateGrant:
        return QStringLiteral("POST ") + permissions + QStringLiteral("create");
    case Kind::UpdateGrant:
        return QStringLiteral("PATCH ") + permissions + QStringLiteral("update");
    case Kind::DeleteGrant:
        return QStringLiteral("DELETE ") + permissions + QStringLiteral("delete");
    case Kind::DeleteUser:
        return QStringLiteral("DELETE /api/2.0/mlflow/users/delete");
    case Kind::CreateRole:
    case Kind::UpdateRole:
    case Kind::DeleteRole:
    case Kind::AddRolePermission:
    case Kind::UpdateRolePermission:
    case Kind::RemoveRolePermission:
    case Kind::AssignRole:
    case Kind::UnassignRole:
        return roleEndpoint(kind);
    }
    return {};
}

// Undo steps hold the whole staged state of one cell or user before and after, so undo and redo are plain puts.
// They are nested in ChangeSet so their names cannot clash with another class elsewhere in the program.
template <typename Key, typename Entry>
class ChangeSet::PutCommand : public QUndoCommand
{
public:
    PutCommand(ChangeSet* set, Key key, std::optional<Entry> before, std::optional<Entry> after, const QString& text)
        : m_set(set), m_key(std::move(key)), m_before(std::move(before)), m_after(std::move(after))
    {
        setText(text);
    }
    void redo() override { m_set->put(m_key, m_after); }
    void undo() override { m_set->put(m_key, m_before); }

private:
    ChangeSet* m_set;
    Key m_key;
    std::optional<Entry> m_before;
    std::optional<Entry> m_after;
};

// One apply: the staged changes grouped in three phases (create users; admin flags, passwords and grants; delete
// users), each phase sent at once through the Connection's queue. Each change commits to the Directory and to the
// staged state call by call, so a change that failed half-way is never sent twice.
class ChangeSet::ApplyRun : public QObject
{
public:
    struct Unit
    {
        PlannedChange change;
        int next = 0;
        QString description;
        ChangeFacts facts;
        QList<CallOutcome> outcomes;
    };

    ApplyRun(ChangeSet* set, AuthApi* auth) : QObject(set), m_set(set), m_auth(auth) {}

    // Returns the number of changes to send.
    int prepare()
    {
        m_phases.resize(4);
        const QList<PlannedChange> changes = m_set->plan(PlanRules::of(*m_auth));
        for (const PlannedChange& change : changes)
            addUnit(change.phase, Unit{change, 0, QString(), ChangeFacts(), {}});
        return m_total;
    }

    void start()
    {
        emit m_set->applyStarted(m_total);
        emit m_set->progress(0, m_total);
        runPhase();
    }

    void cancel()
    {
        m_cancelled = true;
        for (const QPointer<ApiJob>& job : std::as_const(m_jobs)) {
            if (job && !job->isFinished())
                job->abort();
        }
    }

private:
    void addUnit(int phase, Unit unit)
    {
        QStringList texts;
        for (const ApiCall& call : std::as_const(unit.change.calls))
            texts.append(call.description());
        unit.description = texts.join(QLatin1String("; "));
        unit.facts = m_set->factsOf(unit.change);
        if (unit.change.calls.isEmpty()) {
            // Staged, but already what the server has (e.g. after a refresh): nothing to send, just forget it.
            m_set->settleChange(unit.change, ApiError());
            return;
        }
        m_phases[phase].append(std::move(unit));
        ++m_total;
    }

    void runPhase()
    {
        while (m_phase < m_phases.size() && m_phases.at(m_phase).isEmpty())
            ++m_phase;
        if (m_phase >= m_phases.size()) {
            m_set->applyFinished(m_summary);
            return;
        }
        // A change can fail synchronously (no password) and the last one to finish starts the next phase from
        // inside this loop, so the loop works on its own copy of the phase number.
        const int phase = m_phase;
        const int count = static_cast<int>(m_phases.at(phase).size());
        m_running = count;
        for (int i = 0; i < count; ++i)
            step(phase, i);
    }

    // Why a change cannot be sent now, because something it depends on was not created.
    ApiError missingDependency(const Unit& unit) const
    {
        using Subject = PlannedChange::Subject;
        const Subject subject = unit.change.subject;
        // Grants and assignments run after the creations; for a user whose creation failed they would only fail on
        // the server too. Likewise for a role whose creation failed.
        if ((subject == Subject::Grant || subject == Subject::RoleMember) &&
            m_set->isStagedCreation(unit.change.username))
            return ApiError(ApiError::Kind::NotSent,
                            ChangeSet::tr("creating the user %1 failed; apply again once the user exists.")
                                .arg(unit.change.username));
        const RoleRef& role = unit.change.rolePermission.role;
        if ((subject == Subject::RolePermission || subject == Subject::RoleMember) && role.isNew() &&
            m_set->isStagedRoleCreation(role))
            return ApiError(
                ApiError::Kind::NotSent,
                ChangeSet::tr("creating the role %1 failed; apply again once the role exists.").arg(role.name));
        return ApiError();
    }

    void step(int phase, int index)
    {
        Unit& unit = m_phases[phase][index];
        if (unit.next == unit.change.calls.size()) {
            unitDone(unit, ApiError());
            return;
        }
        if (m_cancelled) {
            unitDone(unit, ApiError(ApiError::Kind::Cancelled, ChangeSet::tr("Applying was cancelled.")));
            return;
        }
        if (const ApiError missing = missingDependency(unit); missing.isError()) {
            unitDone(unit, missing);
            return;
        }
        const ApiCall call = unit.change.calls.at(unit.next);
        ApiError refusal;
        ApiJob* job = send(call, &refusal);
        if (!job) {
            unit.outcomes.append(CallOutcome{call.description(), call.endpoint(m_auth->generation()),
                                             refusal.httpStatus(), false, refusal.userMessage()});
            unitDone(unit, refusal);
            return;
        }
        m_jobs.append(job);
        connect(job, &ApiJob::finished, this, [this, job, phase, index, call] {
            Unit& unit = m_phases[phase][index];
            const QString request = !job->lastRequest().isEmpty() ? job->lastRequest()
                                    : !job->error().endpoint().isEmpty()
                                        ? job->error().endpoint()
                                        : call.endpoint(m_auth ? m_auth->generation() : ApiGeneration::Legacy);
            const int status = job->lastHttpStatus() ? job->lastHttpStatus() : job->error().httpStatus();
            unit.outcomes.append(CallOutcome{call.description(), request, status, !job->lastRequest().isEmpty(),
                                             job->hasError() ? job->error().userMessage() : QString()});
            if (job->hasError()) {
                unitDone(unit, job->error());
                return;
            }
            if (call.isRoleCall()) {
                m_set->commitRole(call, job);
            } else {
                User created;
                if (call.kind == ApiCall::Kind::CreateUser)
                    created = static_cast<UserJob*>(job)->value();
                m_set->commit(call, created);
            }
            ++m_summary.committedCalls;
            // A revoke that is not the change's last call is half of a level change: until the grant goes
            // through, the user has lost the old level, and the staged change must say so.
            if (unit.change.subject == PlannedChange::Subject::Grant && call.kind == ApiCall::Kind::DeleteGrant &&
                unit.next + 1 < unit.change.calls.size())
                m_set->markRevoked(unit.change.cell, call.level);
            ++unit.next;
            step(phase, index);
        });
    }

    // The job of one call, or nullptr with `refusal` saying why it cannot be sent.
    ApiJob* send(const ApiCall& call, ApiError* refusal)
    {
        if (call.isRoleCall())
            return sendRoleCall(call, refusal);
        Grant grant;
        grant.username = call.username;
        grant.resourceType = call.resourceType;
        grant.resourceId = call.resourceId;
        grant.level = call.level;
        const StagedUser* user = m_set->stagedUser(call.username);
        // Worded only when needed: a translated sentence and a sanitising pass for every grant of a large apply.
        const auto noPassword = [&call] {
            return ApiError(
                ApiError::Kind::InvalidRequest,
                ChangeSet::tr("No password was given for %1; enter one before applying.").arg(call.username));
        };
        switch (call.kind) {
        case ApiCall::Kind::CreateUser:
            if (!user || user->password.isEmpty()) {
                *refusal = noPassword();
                return nullptr;
            }
            return m_auth->createUser(call.username, user->password);
        case ApiCall::Kind::UpdatePassword:
            if (!user || user->password.isEmpty()) {
                *refusal = noPassword();
                return nullptr;
            }
            return m_auth->updatePassword(call.username, user->password);
        case ApiCall::Kind::SetAdmin:
            return m_auth->setAdmin(call.username, call.admin);
        case ApiCall::Kind::CreateGrant:
            return m_auth->createGrant(grant);
        case ApiCall::Kind::UpdateGrant:
            return m_auth->updateGrant(grant);
        case ApiCall::Kind::DeleteGrant:
            return m_auth->deleteGrant(call.username, call.resourceType, call.resourceId);
        case ApiCall::Kind::DeleteUser:
            return m_auth->deleteUser(call.username);
        default:
            break;
        }
        *refusal = ApiError(ApiError::Kind::InvalidRequest, ChangeSet::tr("Unknown change; discard it."));
        return nullptr;
    }

    ApiJob* sendRoleCall(const ApiCall& call, ApiError* refusal)
    {
        auto* rbac = qobject_cast<RbacAuthApi*>(m_auth.data());
        if (!rbac) {
            *refusal = ApiError(ApiError::Kind::NotSupported,
                                ChangeSet::tr("This server has no roles (they need MLflow 3.13 or later); discard "
                                              "the role changes."));
            return nullptr;
        }
        if (call.kind == ApiCall::Kind::CreateRole)
            return rbac->createRole(call.role.name, call.role.workspace, call.roleDescription.value_or(QString()));
        // A role created in this apply is known by name until now: the Directory has its id from the answer.
        const qint64 roleId = m_set->loadedRoleId(call.role);
        if (roleId < 0) {
            *refusal = ApiError(ApiError::Kind::NotSent,
                                ChangeSet::tr("The role %1 is not on the server; refresh and stage the change again.")
                                    .arg(call.role.name));
            return nullptr;
        }
        switch (call.kind) {
        case ApiCall::Kind::UpdateRole:
            return rbac->updateRole(roleId, call.roleName, call.roleDescription);
        case ApiCall::Kind::DeleteRole:
            return rbac->deleteRole(roleId);
        case ApiCall::Kind::AddRolePermission:
            return rbac->addRolePermission(roleId, call.permissionType, call.resourceId, call.level);
        case ApiCall::Kind::UpdateRolePermission:
            return rbac->updateRolePermission(call.rolePermissionId, call.level);
        case ApiCall::Kind::RemoveRolePermission:
            return rbac->removeRolePermission(call.rolePermissionId);
        case ApiCall::Kind::AssignRole:
            return rbac->assignRole(call.username, roleId);
        case ApiCall::Kind::UnassignRole:
            return rbac->unassignRole(call.username, roleId);
        default:
            break;
        }
        *refusal = ApiError(ApiError::Kind::InvalidRequest, ChangeSet::tr("Unknown role change; discard it."));
        return nullptr;
    }

    void unitDone(const Unit& unit, const ApiError& error)
    {
        const PlannedChange& change = unit.change;
        const StagedGrant* staged =
            change.subject == PlannedChange::Subject::Grant
                ? m_set->stagedGrant(change.cell.username, change.cell.resource.type, change.cell.resource.id)
                : nullptr;
        const bool halfApplied = error.isError() && staged && staged->isHalfApplied();
        ChangeResult result{unit.description, error, halfApplied, unit.facts, unit.outcomes};
        if (error.isError() && unit.outcomes.isEmpty()) // never sent: a dependency failed, or cancelled
            result.calls.append(CallOutcome{unit.description, QString(), 0, false, error.userMessage()});
        m_summary.results.append(result);
        if (error.isError())
            ++m_summary.failed;
        else
            ++m_summary.succeeded;
        m_summary.halfApplied += halfApplied ? 1 : 0;
        m_set->settleChange(change, error);
        emit m_set->progress(m_summary.succeeded + m_summary.failed, m_total);
        if (--m_running == 0) {
            ++m_phase;
            runPhase();
        }
    }

    ChangeSet* m_set;
    QPointer<AuthApi> m_auth;
    QVector<QVector<Unit>> m_phases;
    QList<QPointer<ApiJob>> m_jobs;
    ApplySummary m_summary;
    int m_phase = 0;
    int m_running = 0;
    int m_total = 0;
    bool m_cancelled = false;
};

ChangeSet::ChangeSet(Directory* directory, QObject* parent) : QObject(parent), m_directory(directory)
{
    qRegisterMetaType<ApplySummary>();
    // A reload may make staged changes moot or change what they mean; views re-read pending cells on reset.
    connect(directory, &Directory::reset, this, &ChangeSet::changed);
}

ChangeSet::~ChangeSet()
{
    // A change staged in the last event-loop turn (e.g. just before signing out) must not be lost.
    flushAutoSave();
    // The undo stack must not call back into a half-destroyed change set.
    m_undo.clear();
}

bool ChangeSet::stageGrant(const QString& username, ResourceType type, const QString& resourceId,
                           std::optional<PermissionLevel> level)
{
    if (m_applying || username.isEmpty() || resourceId.isEmpty())
        return false;
    if (!m_directory->hasUser(username) && !isStagedCreation(username))
        return false;
    return pushGrant(GrantCell{username, ResourceKey{type, resourceId}}, level);
}

bool ChangeSet::stageGrants(const QList<GrantCell>& cells, std::optional<PermissionLevel> level)
{
    if (m_applying || cells.isEmpty())
        return false;
    m_undo.beginMacro(
        level ? tr("Grant %1 on %n cell(s)", nullptr, static_cast<int>(cells.size())).arg(Permissions::name(*level))
              : tr("Revoke %n permission(s)", nullptr, static_cast<int>(cells.size())));
    bool any = false;
    for (const GrantCell& cell : cells)
        any = stageGrant(cell.username, cell.resource.type, cell.resource.id, level) || any;
    m_undo.endMacro();
    return any;
}

bool ChangeSet::pushGrant(const GrantCell& cell, std::optional<PermissionLevel> level)
{
    // 3.13+ cannot store an explicit NO_PERMISSIONS; there "no access" means "no grant".
    if (level == PermissionLevel::NoPermissions && m_directory->generation() == ApiGeneration::Rbac)
        level = std::nullopt;
    const std::optional<StagedGrant> before = grantEntry(cell);
    std::optional<StagedGrant> after;
    // Staging the cell again keeps the fact that an earlier apply revoked its old level; staging what the server
    // now has (no grant) accepts that loss.
    if (level != m_directory->explicitLevel(cell.username, cell.resource.type, cell.resource.id))
        after = StagedGrant{cell, level, ApiError(), before ? before->revokedLevel : std::nullopt};
    const bool same = before.has_value() == after.has_value() && (!before || before->target == after->target);
    if (same)
        return true;
    m_undo.push(new GrantCommand(this, cell, before, after, grantUndoText(m_directory, cell, level)));
    return true;
}

bool ChangeSet::stageCreateUser(const QString& username, const QString& password, bool admin)
{
    if (m_applying || username.isEmpty() || password.isEmpty() || m_directory->hasUser(username) ||
        m_users.contains(username))
        return false;
    StagedUser user;
    user.username = username;
    user.create = true;
    user.password = password;
    if (admin)
        user.admin = true;
    m_undo.push(new UserCommand(this, username, std::nullopt, user, tr("Create user %1").arg(username)));
    return true;
}

bool ChangeSet::stageDeleteUser(const QString& username)
{
    if (m_applying)
        return false;
    const std::optional<StagedUser> before = userEntry(username);
    std::optional<StagedUser> after;
    if (before && before->create && !m_directory->hasUser(username)) {
        // Deleting a user that only exists in the change set forgets the creation and the grants staged for them,
        // as one undo step.
        m_undo.beginMacro(tr("Delete user %1").arg(username));
        const QList<GrantCell> cells = m_grants.keys();
        for (const GrantCell& cell : cells) {
            if (cell.username == username)
                m_undo.push(new GrantCommand(this, cell, grantEntry(cell), std::nullopt,
                                             tr("Forget the staged permission of %1").arg(cell.username)));
        }
        m_undo.push(new UserCommand(this, username, before, std::nullopt, tr("Delete user %1").arg(username)));
        m_undo.endMacro();
        return true;
    } else if (m_directory->hasUser(username)) {
        if (before && before->remove)
            return true;
        StagedUser user;
        user.username = username;
        user.remove = true;
        after = user;
    } else {
        return false;
    }
    m_undo.push(new UserCommand(this, username, before, after, tr("Delete user %1").arg(username)));
    return true;
}

bool ChangeSet::stageSetAdmin(const QString& username, bool isAdmin)
{
    if (m_applying)
        return false;
    const std::optional<StagedUser> before = userEntry(username);
    StagedUser user = before.value_or(StagedUser());
    user.username = username;
    if (user.remove)
        return false;
    if (user.create && !m_directory->hasUser(username)) {
        user.admin = isAdmin ? std::optional<bool>(true) : std::nullopt;
    } else if (m_directory->hasUser(username)) {
        user.admin = isAdmin == m_directory->isAdmin(username) ? std::nullopt : std::optional<bool>(isAdmin);
    } else {
        return false;
    }
    std::optional<StagedUser> after;
    if (!user.isEmpty())
        after = user;
    if (before.has_value() == after.has_value() && (!before || before->admin == after->admin))
        return true;
    m_undo.push(new UserCommand(this, username, before, after,
                                isAdmin ? tr("Make %1 an administrator").arg(username)
                                        : tr("Remove administrator rights from %1").arg(username)));
    return true;
}

bool ChangeSet::stageResetPassword(const QString& username, const QString& password)
{
    if (m_applying || password.isEmpty())
        return false;
    const std::optional<StagedUser> before = userEntry(username);
    StagedUser user = before.value_or(StagedUser());
    user.username = username;
    if (user.remove || (!user.create && !m_directory->hasUser(username)))
        return false;
    if (!user.create)
        user.resetPassword = true;
    user.password = password;
    m_undo.push(new UserCommand(this, username, before, user, tr("Reset the password of %1").arg(username)));
    return true;
}

bool ChangeSet::setPassword(const QString& username, const QString& password)
{
    auto it = m_users.find(username);
    if (m_applying || password.isEmpty() || it == m_users.end() || !(it->create || it->resetPassword))
        return false;
    it->password = password;
    emit userStagingChanged(username);
    emit changed();
    return true;
}

namespace {

QString roleDisplayName(const RoleRef& role, const Directory* directory)
{
    const int row = role.isNew() ? directory->roleRowByName(role.name, role.workspace) : directory->roleRow(role.id);
    return row >= 0 ? directory->roleAt(row).role.name : role.name;
}

} // namespace

int ChangeSet::directoryRoleRow(const RoleRef& role) const
{
    return role.isNew() ? m_directory->roleRowByName(role.name, role.workspace) : m_directory->roleRow(role.id);
}

qint64 ChangeSet::loadedRoleId(const RoleRef& role) const
{
    const int row = directoryRoleRow(role);
    return row >= 0 ? m_directory->roleAt(row).role.id : -1;
}

bool ChangeSet::isStagedRoleCreation(const RoleRef& role) const
{
    const StagedRole* staged = stagedRole(role);
    return staged && staged->create && directoryRoleRow(role) < 0;
}

bool ChangeSet::roleUsable(const RoleRef& role) const
{
    const StagedRole* staged = stagedRole(role);
    if (staged && staged->remove)
        return false;
    return directoryRoleRow(role) >= 0 || isStagedRoleCreation(role);
}

std::optional<RolePermission> ChangeSet::loadedRolePermission(const RolePermissionKey& key) const
{
    const int row = directoryRoleRow(key.role);
    if (row < 0)
        return std::nullopt;
    for (const RolePermission& permission : m_directory->roleAt(row).role.permissions) {
        if (permission.resourceType == key.resourceType && permission.resourcePattern == key.pattern)
            return permission;
    }
    return std::nullopt;
}

bool ChangeSet::loadedMember(const RoleRef& role, const QString& username) const
{
    const int row = directoryRoleRow(role);
    return row >= 0 && m_directory->roleAt(row).members.contains(username);
}

QString ChangeSet::resourceText(const QString& resourceType, const QString& pattern) const
{
    const auto type = Resources::parseWireName(resourceType);
    const bool all = pattern == QLatin1String(RolePermission::allResources);
    if (type == ResourceType::Experiment) {
        if (all)
            return tr("every experiment");
        const int row = m_directory->experimentRow(pattern);
        return row >= 0 ? tr("experiment %1").arg(m_directory->experimentAt(row).name)
                        : tr("experiment %1").arg(pattern);
    }
    if (type == ResourceType::RegisteredModel)
        return all ? tr("every registered model") : tr("registered model %1").arg(pattern);
    return all ? tr("every %1").arg(resourceType) : tr("%1 %2").arg(resourceType, pattern);
}

bool ChangeSet::stageCreateRole(const QString& name, const QString& workspace, const QString& description)
{
    const QString trimmed = name.trimmed();
    const RoleRef role{-1, workspace.isEmpty() ? QStringLiteral("default") : workspace, trimmed};
    // Only 3.13+ servers have roles.
    if (m_applying || m_directory->generation() != ApiGeneration::Rbac || trimmed.isEmpty() ||
        Role::isHiddenUserRoleName(trimmed) || m_directory->roleRowByName(trimmed, role.workspace) >= 0 ||
        m_roles.contains(role))
        return false;
    StagedRole staged;
    staged.role = role;
    staged.create = true;
    if (!description.isEmpty())
        staged.description = description;
    m_undo.push(new RoleCommand(this, role, std::nullopt, staged, tr("Create role %1").arg(trimmed)));
    return true;
}

bool ChangeSet::stageRenameRole(const RoleRef& role, const QString& newName)
{
    const QString trimmed = newName.trimmed();
    const int row = directoryRoleRow(role);
    if (m_applying || role.isNew() || row < 0 || trimmed.isEmpty() || Role::isHiddenUserRoleName(trimmed))
        return false;
    const Role& loaded = m_directory->roleAt(row).role;
    const std::optional<StagedRole> before = roleEntry(role);
    StagedRole staged = before.value_or(StagedRole{role, false, false, std::nullopt, std::nullopt, ApiError()});
    if (staged.remove)
        return false;
    staged.name = trimmed == loaded.name ? std::nullopt : std::optional<QString>(trimmed);
    std::optional<StagedRole> after;
    if (!staged.isEmpty())
        after = staged;
    if (before.has_value() == after.has_value() && (!before || before->name == after->name))
        return true;
    m_undo.push(new RoleCommand(this, role, before, after, tr("Rename role %1 to %2").arg(loaded.name, trimmed)));
    return true;
}

bool ChangeSet::stageDescribeRole(const RoleRef& role, const QString& description)
{
    if (m_applying)
        return false;
    const std::optional<StagedRole> before = roleEntry(role);
    StagedRole staged = before.value_or(StagedRole{role, false, false, std::nullopt, std::nullopt, ApiError()});
    if (staged.remove)
        return false;
    if (isStagedRoleCreation(role)) {
        staged.description = description.isEmpty() ? std::nullopt : std::optional<QString>(description);
    } else if (const int row = directoryRoleRow(role); row >= 0) {
        const bool same = description == m_directory->roleAt(row).role.description;
        staged.description = same ? std::nullopt : std::optional<QString>(description);
    } else {
        return false;
    }
    std::optional<StagedRole> after;
    if (!staged.isEmpty())
        after = staged;
    if (before.has_value() == after.has_value() && (!before || before->description == after->description))
        return true;
    m_undo.push(
        new RoleCommand(this, role, before, after, tr("Describe role %1").arg(roleDisplayName(role, m_directory))));
    return true;
}

bool ChangeSet::stageDeleteRole(const RoleRef& role)
{
    if (m_applying)
        return false;
    const std::optional<StagedRole> before = roleEntry(role);
    const QString name = roleDisplayName(role, m_directory);
    if (isStagedRoleCreation(role)) {
        // A role that only exists in the change set goes with what was staged on it, as one undo step.
        m_undo.beginMacro(tr("Delete role %1").arg(name));
        const QList<RolePermissionKey> permissions = m_rolePermissions.keys();
        for (const RolePermissionKey& key : permissions) {
            if (key.role == role)
                m_undo.push(new RolePermissionCommand(this, key, m_rolePermissions.value(key), std::nullopt,
                                                      tr("Remove a permission from role %1").arg(name)));
        }
        const QList<RoleMemberKey> members = m_roleMembers.keys();
        for (const RoleMemberKey& key : members) {
            if (key.role == role)
                m_undo.push(new RoleMemberCommand(this, key, m_roleMembers.value(key), std::nullopt,
                                                  tr("Assign role %1 to %2").arg(name, key.username)));
        }
        m_undo.push(new RoleCommand(this, role, before, std::nullopt, tr("Delete role %1").arg(name)));
        m_undo.endMacro();
        return true;
    }
    if (directoryRoleRow(role) < 0)
        return false;
    if (before && before->remove)
        return true;
    StagedRole staged;
    staged.role = role;
    staged.remove = true;
    m_undo.push(new RoleCommand(this, role, before, staged, tr("Delete role %1").arg(name)));
    return true;
}

bool ChangeSet::stageRolePermission(const RoleRef& role, const QString& resourceType, const QString& pattern,
                                    std::optional<PermissionLevel> level)
{
    if (m_applying || pattern.isEmpty() || resourceType.isEmpty() || !roleUsable(role))
        return false;
    // A role permission of NO_PERMISSIONS grants nothing: staging it means removing the permission.
    if (level == PermissionLevel::NoPermissions)
        level = std::nullopt;
    const RolePermissionKey key{role, resourceType, pattern};
    const std::optional<RolePermission> loaded = loadedRolePermission(key);
    const auto it = m_rolePermissions.constFind(key);
    const std::optional<StagedRolePermission> before =
        it == m_rolePermissions.constEnd() ? std::nullopt : std::optional<StagedRolePermission>(*it);
    std::optional<StagedRolePermission> after;
    const bool asLoaded = loaded ? (level && *level == loaded->level) : !level;
    if (!asLoaded)
        after = StagedRolePermission{key, level, ApiError()};
    if (before.has_value() == after.has_value() && (!before || before->target == after->target))
        return true;
    const QString name = roleDisplayName(role, m_directory);
    const QString resource = resourceText(resourceType, pattern);
    const QString text = level ? tr("Grant %1 on %2 to role %3").arg(Permissions::name(*level), resource, name)
                               : tr("Remove the permission on %1 from role %2").arg(resource, name);
    m_undo.push(new RolePermissionCommand(this, key, before, after, text));
    return true;
}

bool ChangeSet::stageRoleMember(const RoleRef& role, const QString& username, bool assign)
{
    if (m_applying || username.isEmpty() || !roleUsable(role))
        return false;
    if (!m_directory->hasUser(username) && !isStagedCreation(username))
        return false;
    const RoleMemberKey key{role, username};
    const auto it = m_roleMembers.constFind(key);
    const std::optional<StagedRoleMember> before =
        it == m_roleMembers.constEnd() ? std::nullopt : std::optional<StagedRoleMember>(*it);
    std::optional<StagedRoleMember> after;
    if (assign != loadedMember(role, username))
        after = StagedRoleMember{key, assign, ApiError()};
    if (before.has_value() == after.has_value() && (!before || before->assign == after->assign))
        return true;
    const QString name = roleDisplayName(role, m_directory);
    m_undo.push(new RoleMemberCommand(this, key, before, after,
                                      assign ? tr("Assign role %1 to %2").arg(name, username)
                                             : tr("Unassign role %1 from %2").arg(name, username)));
    return true;
}

QList<StagedRole> ChangeSet::stagedRoles() const
{
    QList<StagedRole> roles = m_roles.values();
    std::sort(roles.begin(), roles.end(), [](const StagedRole& a, const StagedRole& b) {
        return std::tie(a.role.workspace, a.role.name, a.role.id) < std::tie(b.role.workspace, b.role.name, b.role.id);
    });
    return roles;
}

QList<StagedRolePermission> ChangeSet::stagedRolePermissions() const
{
    QList<StagedRolePermission> permissions = m_rolePermissions.values();
    std::sort(permissions.begin(), permissions.end(), [](const StagedRolePermission& a, const StagedRolePermission& b) {
        return std::tie(a.key.role.name, a.key.role.id, a.key.resourceType, a.key.pattern) <
               std::tie(b.key.role.name, b.key.role.id, b.key.resourceType, b.key.pattern);
    });
    return permissions;
}

QList<StagedRoleMember> ChangeSet::stagedRoleMembers() const
{
    QList<StagedRoleMember> members = m_roleMembers.values();
    std::sort(members.begin(), members.end(), [](const StagedRoleMember& a, const StagedRoleMember& b) {
        return std::tie(a.key.role.name, a.key.role.id, a.key.username) <
               std::tie(b.key.role.name, b.key.role.id, b.key.username);
    });
    return members;
}

const StagedRole* ChangeSet::stagedRole(const RoleRef& role) const
{
    const auto it = m_roles.constFind(role);
    return it == m_roles.constEnd() ? nullptr : &it.value();
}

const StagedRolePermission* ChangeSet::stagedRolePermission(const RolePermissionKey& key) const
{
    const auto it = m_rolePermissions.constFind(key);
    return it == m_rolePermissions.constEnd() ? nullptr : &it.value();
}

const StagedRoleMember* ChangeSet::stagedRoleMember(const RoleMemberKey& key) const
{
    const auto it = m_roleMembers.constFind(key);
    return it == m_roleMembers.constEnd() ? nullptr : &it.value();
}

std::optional<StagedRole> ChangeSet::roleEntry(const RoleRef& role) const
{
    const auto it = m_roles.constFind(role);
    if (it == m_roles.constEnd())
        return std::nullopt;
    return it.value();
}

QList<ApiCall> ChangeSet::callsFor(const StagedRole& staged) const
{
    const int row = directoryRoleRow(staged.role);
    ApiCall call;
    call.role = staged.role;
    if (row >= 0) {
        call.role = RoleRef::of(m_directory->roleAt(row).role);
    }
    if (staged.remove) {
        if (row < 0)
            return {};
        call.kind = ApiCall::Kind::DeleteRole;
        return {call};
    }
    if (staged.create && row < 0) {
        call.kind = ApiCall::Kind::CreateRole;
        call.roleDescription = staged.description;
        return {call};
    }
    if (row < 0 || staged.create)
        return {}; // created already, with its description
    const Role& loaded = m_directory->roleAt(row).role;
    if (staged.name && *staged.name != loaded.name)
        call.roleName = staged.name;
    if (staged.description && *staged.description != loaded.description)
        call.roleDescription = staged.description;
    if (!call.roleName && !call.roleDescription)
        return {};
    call.kind = ApiCall::Kind::UpdateRole;
    return {call};
}

QList<ApiCall> ChangeSet::callsFor(const StagedRolePermission& staged) const
{
    // Deleting the role takes its permissions with it.
    if (const StagedRole* role = stagedRole(staged.key.role); role && role->remove)
        return {};
    const std::optional<RolePermission> loaded = loadedRolePermission(staged.key);
    if (!loaded && !staged.target)
        return {};
    if (loaded && staged.target == loaded->level)
        return {};
    ApiCall call;
    const int row = directoryRoleRow(staged.key.role);
    call.role = row >= 0 ? RoleRef::of(m_directory->roleAt(row).role) : staged.key.role;
    call.permissionType = staged.key.resourceType;
    call.resourceId = staged.key.pattern;
    call.resourceType = Resources::parseWireName(staged.key.resourceType).value_or(ResourceType::Experiment);
    call.resourceName = resourceText(staged.key.resourceType, staged.key.pattern);
    if (!loaded) {
        call.kind = ApiCall::Kind::AddRolePermission;
        call.level = *staged.target;
    } else if (!staged.target) {
        call.kind = ApiCall::Kind::RemoveRolePermission;
        call.rolePermissionId = loaded->id;
        call.level = loaded->level;
    } else {
        call.kind = ApiCall::Kind::UpdateRolePermission;
        call.rolePermissionId = loaded->id;
        call.level = *staged.target;
    }
    return {call};
}

QList<ApiCall> ChangeSet::callsFor(const StagedRoleMember& staged) const
{
    if (const StagedRole* role = stagedRole(staged.key.role); role && role->remove)
        return {};
    if (const StagedUser* user = stagedUser(staged.key.username); user && user->remove)
        return {};
    if (staged.assign == loadedMember(staged.key.role, staged.key.username))
        return {};
    ApiCall call;
    const int row = directoryRoleRow(staged.key.role);
    call.role = row >= 0 ? RoleRef::of(m_directory->roleAt(row).role) : staged.key.role;
    call.username = staged.key.username;
    call.kind = staged.assign ? ApiCall::Kind::AssignRole : ApiCall::Kind::UnassignRole;
    return {call};
}

// Called by the apply after each role call the server accepted, like commit() for users and grants.
void ChangeSet::commitRole(const ApiCall& call, const ApiJob* job)
{
    switch (call.kind) {
    case ApiCall::Kind::CreateRole: {
        Role role = static_cast<const RoleJob*>(job)->value();
        if (role.name.isEmpty())
            role.name = call.role.name;
        if (role.workspace.isEmpty())
            role.workspace = call.role.workspace;
        m_directory->addRoleFromServer(role);
        if (auto it = m_roles.find(call.role); it != m_roles.end()) {
            it->create = false;
            it->description.reset();
        }
        break;
    }
    case ApiCall::Kind::UpdateRole:
        m_directory->updateRole(call.role.id, call.roleName, call.roleDescription);
        if (auto it = m_roles.find(call.role); it != m_roles.end()) {
            it->name.reset();
            it->description.reset();
        }
        break;
    case ApiCall::Kind::DeleteRole: {
        m_directory->removeRole(call.role.id);
        if (auto it = m_roles.find(call.role); it != m_roles.end())
            it->remove = false;
        // What was staged on it went with it.
        m_rolePermissions.removeIf([&call](const auto& entry) { return entry.key().role == call.role; });
        m_roleMembers.removeIf([&call](const auto& entry) { return entry.key().role == call.role; });
        break;
    }
    case ApiCall::Kind::AddRolePermission:
    case ApiCall::Kind::UpdateRolePermission: {
        RolePermission permission = static_cast<const RolePermissionJob*>(job)->value();
        const qint64 roleId = loadedRoleId(call.role);
        if (permission.id < 0)
            permission.id = call.rolePermissionId;
        permission.roleId = roleId;
        permission.resourceType = call.permissionType;
        permission.resourcePattern = call.resourceId;
        permission.level = call.level;
        m_directory->putRolePermission(roleId, permission);
        break;
    }
    case ApiCall::Kind::RemoveRolePermission:
        m_directory->removeRolePermission(loadedRoleId(call.role), call.rolePermissionId);
        break;
    case ApiCall::Kind::AssignRole:
        m_directory->assignRole(call.username, loadedRoleId(call.role));
        break;
    case ApiCall::Kind::UnassignRole:
        m_directory->unassignRole(call.username, loadedRoleId(call.role));
        break;
    default:
        break;
    }
}

void ChangeSet::put(const RoleRef& role, const std::optional<StagedRole>& entry)
{
    if (entry)
        m_roles.insert(role, *entry);
    else
        m_roles.remove(role);
    emit roleStagingChanged();
    emit changed();
    scheduleAutoSave();
}

void ChangeSet::put(const RolePermissionKey& key, const std::optional<StagedRolePermission>& entry)
{
    if (entry)
        m_rolePermissions.insert(key, *entry);
    else
        m_rolePermissions.remove(key);
    emit roleStagingChanged();
    emit changed();
    scheduleAutoSave();
}

void ChangeSet::put(const RoleMemberKey& key, const std::optional<StagedRoleMember>& entry)
{
    if (entry)
        m_roleMembers.insert(key, *entry);
    else
        m_roleMembers.remove(key);
    emit roleStagingChanged();
    emit changed();
    scheduleAutoSave();
}

void ChangeSet::discard()
{
    if (m_applying)
        return;
    m_undo.clear();
    const QList<GrantCell> cells = m_grants.keys();
    const QList<QString> users = m_users.keys();
    m_grants.clear();
    m_users.clear();
    m_roles.clear();
    m_rolePermissions.clear();
    m_roleMembers.clear();
    emit roleStagingChanged();
    for (const GrantCell& cell : cells)
        emit grantStagingChanged(cell.username, cell.resource.type, cell.resource.id);
    for (const QString& user : users)
        emit userStagingChanged(user);
    emit changed();
    scheduleAutoSave();
}

QList<StagedGrant> ChangeSet::stagedGrants() const
{
    QList<StagedGrant> grants = m_grants.values();
    std::sort(grants.begin(), grants.end(),
              [](const StagedGrant& a, const StagedGrant& b) { return cellLess(a.cell, b.cell); });
    return grants;
}

QList<StagedUser> ChangeSet::stagedUsers() const
{
    QList<StagedUser> users = m_users.values();
    std::sort(users.begin(), users.end(),
              [](const StagedUser& a, const StagedUser& b) { return a.username < b.username; });
    return users;
}

const StagedGrant* ChangeSet::stagedGrant(const QString& username, ResourceType type, const QString& resourceId) const
{
    const auto it = m_grants.constFind(GrantCell{username, ResourceKey{type, resourceId}});
    return it == m_grants.constEnd() ? nullptr : &it.value();
}

const StagedUser* ChangeSet::stagedUser(const QString& username) const
{
    const auto it = m_users.constFind(username);
    return it == m_users.constEnd() ? nullptr : &it.value();
}

std::optional<EffectivePermission> ChangeSet::pendingPermission(const QString& username, ResourceType type,
                                                                const QString& resourceId) const
{
    const StagedGrant* grant = stagedGrant(username, type, resourceId);
    // A staged admin flag changes every cell of the user, staged grant or not.
    const StagedUser* user = stagedUser(username);
    const bool loadedAdmin = m_directory->isAdmin(username);
    const bool adminChanges = user && user->admin && *user->admin != loadedAdmin;
    // Staged role changes matter only where they change what the user's roles give on this resource.
    const bool rolesStaged = !m_roleMembers.isEmpty() || !m_rolePermissions.isEmpty() || !m_roles.isEmpty();
    const QList<EffectivePermission::Contributor> stagedRoles =
        rolesStaged ? roleContributors(username, type, resourceId, true) : QList<EffectivePermission::Contributor>();
    const bool rolesChange = rolesStaged && stagedRoles != roleContributors(username, type, resourceId, false);
    if (!grant && !adminChanges && !rolesChange)
        return std::nullopt;
    const bool admin = adminChanges ? *user->admin : loadedAdmin;
    const std::optional<PermissionLevel> explicitLevel =
        grant ? grant->target : m_directory->explicitLevel(username, type, resourceId);
    if (rolesChange)
        return m_directory->resolve(username, type, resourceId, admin, explicitLevel, stagedRoles);
    return m_directory->resolve(username, type, resourceId, admin, explicitLevel);
}

QList<EffectivePermission::Contributor> ChangeSet::roleContributors(const QString& username, ResourceType type,
                                                                    const QString& resourceId, bool staged) const
{
    using Contributor = EffectivePermission::Contributor;
    const QList<RoleRef> roles = heldRoles(username, staged);
    const QString resourceType = Resources::wireName(type);
    const QString everything = QString::fromLatin1(RolePermission::allResources);
    QList<Contributor> contributors;
    for (const RoleRef& role : roles) {
        const int row = directoryRoleRow(role);
        QString name = row >= 0 ? m_directory->roleAt(row).role.name : role.name;
        if (const StagedRole* entry = staged ? stagedRole(role) : nullptr; entry && entry->name)
            name = *entry->name;
        // This resource's own entry, then the role's "*", as Directory::resolve() lists them.
        for (const QString& pattern : {resourceId, everything}) {
            const RolePermissionKey key{role, resourceType, pattern};
            std::optional<PermissionLevel> level;
            if (const auto loaded = loadedRolePermission(key))
                level = loaded->level;
            if (const StagedRolePermission* permission = staged ? stagedRolePermission(key) : nullptr)
                level = permission->target;
            if (level)
                contributors.append(
                    Contributor{*level, EffectivePermission::Source::Role, name, pattern == everything});
        }
    }
    return contributors;
}

QList<RoleRef> ChangeSet::heldRoles(const QString& username, bool staged) const
{
    // As loaded, then with the staged assignments, unassignments and role deletions.
    QList<RoleRef> roles;
    for (const int row : m_directory->roleRowsOf(username))
        roles.append(RoleRef::of(m_directory->roleAt(row).role));
    if (!staged)
        return roles;
    for (const StagedRoleMember& member : m_roleMembers) {
        if (member.key.username != username)
            continue;
        roles.removeAll(member.key.role);
        if (member.assign)
            roles.append(member.key.role);
    }
    roles.erase(std::remove_if(roles.begin(), roles.end(),
                               [this](const RoleRef& role) {
                                   const StagedRole* entry = stagedRole(role);
                                   return entry && entry->remove;
                               }),
                roles.end());
    return roles;
}

QList<RolePermissionKey> ChangeSet::stagedRoleReach(const QString& username) const
{
    QList<RolePermissionKey> reach;
    if (m_rolePermissions.isEmpty() && m_roleMembers.isEmpty())
        return reach;
    for (const RoleRef& role : heldRoles(username, true)) {
        for (const StagedRolePermission& permission : m_rolePermissions) {
            if (permission.key.role == role && permission.target)
                reach.append(permission.key);
        }
        if (loadedMember(role, username))
            continue;
        // A role staged to be assigned brings what it already holds.
        if (const int row = directoryRoleRow(role); row >= 0) {
            for (const RolePermission& permission : m_directory->roleAt(row).role.permissions)
                reach.append(RolePermissionKey{role, permission.resourceType, permission.resourcePattern});
        }
    }
    return reach;
}

std::optional<PermissionLevel> ChangeSet::pendingLevel(const QString& username, ResourceType type,
                                                       const QString& resourceId) const
{
    const auto permission = pendingPermission(username, type, resourceId);
    if (!permission)
        return std::nullopt;
    return permission->level;
}

bool ChangeSet::isStagedCreation(const QString& username) const
{
    const StagedUser* user = stagedUser(username);
    return user && user->create && !m_directory->hasUser(username);
}

bool ChangeSet::needsPasswords() const
{
    return std::any_of(m_users.cbegin(), m_users.cend(), [](const StagedUser& user) { return user.needsPassword(); });
}

QList<ApiCall> ChangeSet::callsFor(const StagedGrant& grant, const PlanRules& rules) const
{
    const GrantCell& cell = grant.cell;
    // The user's deletion takes their grants with it.
    if (const StagedUser* user = stagedUser(cell.username); user && user->remove)
        return {};
    // The level is kept apart from the optional: GCC's -O3 reads "may be used uninitialized" into *target below even
    // where it is set, and -Werror then fails the Release build.
    const PermissionLevel targetLevel = grant.target.value_or(PermissionLevel::NoPermissions);
    const bool dropped = grant.target && targetLevel == PermissionLevel::NoPermissions && !rules.storesNoPermissions;
    const std::optional<PermissionLevel> target =
        grant.target && !dropped ? std::optional<PermissionLevel>(targetLevel) : std::nullopt;
    const auto loaded = m_directory->explicitLevel(cell.username, cell.resource.type, cell.resource.id);
    if (target == loaded)
        return {};
    ApiCall call;
    call.username = cell.username;
    call.resourceType = cell.resource.type;
    call.resourceId = cell.resource.id;
    const int resourceRow = m_directory->resourceRow(cell.resource.type, cell.resource.id);
    if (resourceRow >= 0)
        call.resourceName = m_directory->resourceNameAt(cell.resource.type, resourceRow);
    if (!loaded) {
        call.kind = ApiCall::Kind::CreateGrant;
        call.level = targetLevel; // a target is set here: both unset returned above
        return {call};
    }
    if (!target) {
        call.kind = ApiCall::Kind::DeleteGrant;
        call.level = *loaded;
        return {call};
    }
    call.level = targetLevel;
    if (rules.updateInPlace) {
        call.kind = ApiCall::Kind::UpdateGrant;
        return {call};
    }
    ApiCall remove = call;
    remove.kind = ApiCall::Kind::DeleteGrant;
    remove.level = *loaded; // what the revoke takes away, and what a restore would give back
    call.kind = ApiCall::Kind::CreateGrant;
    return {remove, call};
}

QList<ApiCall> ChangeSet::callsFor(const StagedUser& user) const
{
    QList<ApiCall> calls;
    ApiCall call;
    call.username = user.username;
    const bool exists = m_directory->hasUser(user.username);
    if (user.remove) {
        if (exists) {
            call.kind = ApiCall::Kind::DeleteUser;
            calls.append(call);
        }
        return calls;
    }
    const bool creating = user.create && !exists;
    if (creating) {
        call.kind = ApiCall::Kind::CreateUser;
        calls.append(call);
    }
    const bool currentAdmin = creating ? false : m_directory->isAdmin(user.username);
    if (user.admin && *user.admin != currentAdmin && (creating || exists)) {
        call.kind = ApiCall::Kind::SetAdmin;
        call.admin = *user.admin;
        calls.append(call);
    }
    if (user.resetPassword && !creating && exists) {
        call.kind = ApiCall::Kind::UpdatePassword;
        call.admin = false;
        calls.append(call);
    }
    return calls;
}

PlanRules PlanRules::forGeneration(ApiGeneration generation)
{
    PlanRules rules;
    rules.updateInPlace = generation != ApiGeneration::Rbac;
    rules.storesNoPermissions = generation != ApiGeneration::Rbac;
    rules.knowsUse = generation == ApiGeneration::Rbac;
    return rules;
}

PlanRules PlanRules::of(const AuthApi& auth)
{
    PlanRules rules;
    rules.updateInPlace = auth.canUpdateGrantInPlace();
    rules.storesNoPermissions = auth.canGrantNoPermissions();
    rules.knowsUse = auth.generation() == ApiGeneration::Rbac;
    return rules;
}

std::optional<QString> PlanRules::refusal(PermissionLevel level) const
{
    if (level == PermissionLevel::Use && !knowsUse)
        return QCoreApplication::translate("PlanRules",
                                           "USE is a permission level of MLflow 3.13 and later; this server (MLflow "
                                           "2.x to 3.12) knows READ, EDIT, MANAGE and NO_PERMISSIONS.");
    return std::nullopt;
}

QList<PlannedChange> ChangeSet::plan(const PlanRules& rules) const
{
    QList<PlannedChange> phases[4];
    const QList<StagedUser> users = stagedUsers();
    for (const StagedUser& user : users) {
        PlannedChange change;
        change.subject = PlannedChange::Subject::User;
        change.isUser = true;
        change.username = user.username;
        change.phase = user.remove ? 3 : (isStagedCreation(user.username) ? 0 : 1);
        change.calls = callsFor(user);
        phases[change.phase].append(change);
    }
    const QList<StagedRole> roles = stagedRoles();
    for (const StagedRole& role : roles) {
        PlannedChange change;
        change.subject = PlannedChange::Subject::Role;
        change.rolePermission.role = role.role;
        change.phase = role.remove ? 3 : (isStagedRoleCreation(role.role) ? 0 : 1);
        change.calls = callsFor(role);
        phases[change.phase].append(change);
    }
    const QList<StagedGrant> grants = stagedGrants();
    for (const StagedGrant& grant : grants) {
        PlannedChange change;
        change.username = grant.cell.username;
        change.cell = grant.cell;
        change.phase = 1;
        change.calls = callsFor(grant, rules);
        phases[1].append(change);
    }
    const QList<StagedRolePermission> permissions = stagedRolePermissions();
    for (const StagedRolePermission& permission : permissions) {
        PlannedChange change;
        change.subject = PlannedChange::Subject::RolePermission;
        change.rolePermission = permission.key;
        change.phase = 1;
        change.calls = callsFor(permission);
        phases[1].append(change);
    }
    const QList<StagedRoleMember> members = stagedRoleMembers();
    for (const StagedRoleMember& member : members) {
        PlannedChange change;
        change.subject = PlannedChange::Subject::RoleMember;
        change.rolePermission.role = member.key.role;
        change.username = member.key.username;
        change.memberName = member.key.username;
        change.phase = 2;
        change.calls = callsFor(member);
        phases[2].append(change);
    }
    return phases[0] + phases[1] + phases[2] + phases[3];
}

QList<ApiCall> ChangeSet::toApiCalls(const PlanRules& rules) const
{
    QList<ApiCall> calls;
    const QList<PlannedChange> changes = plan(rules);
    for (const PlannedChange& change : changes)
        calls += change.calls;
    return calls;
}

bool ChangeSet::restoreRevokedLevel(const QString& username, ResourceType type, const QString& resourceId)
{
    const StagedGrant* grant = stagedGrant(username, type, resourceId);
    if (m_applying || !grant || !grant->isHalfApplied())
        return false;
    const PermissionLevel old = *grant->revokedLevel;
    m_undo.push(new GrantCommand(this, grant->cell, *grant, StagedGrant{grant->cell, old, ApiError(), std::nullopt},
                                 tr("Restore %1 of %2").arg(Permissions::name(old), username)));
    return true;
}

void ChangeSet::markRevoked(const GrantCell& cell, PermissionLevel level)
{
    auto it = m_grants.find(cell);
    if (it == m_grants.end())
        return;
    it->revokedLevel = level;
    emit grantStagingChanged(cell.username, cell.resource.type, cell.resource.id);
}

bool ChangeSet::apply(AuthApi* auth)
{
    if (m_applying || !auth || isEmpty())
        return false;
    m_applying = true;
    m_run = new ApplyRun(this, auth);
    m_run->prepare();
    m_run->start();
    return true;
}

void ChangeSet::cancelApply()
{
    if (m_run)
        m_run->cancel();
}

void ChangeSet::applyFinished(const ApplySummary& summary)
{
    m_applying = false;
    if (m_run) {
        m_run->deleteLater();
        m_run = nullptr;
    }
    // Undo steps describe changes relative to the state before the apply; once anything went through they would
    // undo into nonsense, so the history restarts from the new state.
    // A half-applied level change counts: its revoke changed the server.
    if (summary.succeeded > 0 || summary.committedCalls > 0)
        m_undo.clear();
    emit changed();
    scheduleAutoSave();
    emit applied(summary);
}

// Called by the apply after each call the server accepted: the Directory learns the new state, and the staged
// entry forgets what is done, so nothing is sent twice.
void ChangeSet::commit(const ApiCall& call, const User& created)
{
    switch (call.kind) {
    case ApiCall::Kind::CreateUser: {
        User user = created;
        if (user.username.isEmpty())
            user.username = call.username;
        m_directory->addUser(user);
        if (auto it = m_users.find(call.username); it != m_users.end()) {
            it->create = false;
            if (!it->resetPassword)
                it->password.clear();
        }
        break;
    }
    case ApiCall::Kind::SetAdmin:
        m_directory->setAdmin(call.username, call.admin);
        if (auto it = m_users.find(call.username); it != m_users.end())
            it->admin.reset();
        break;
    case ApiCall::Kind::UpdatePassword:
        if (auto it = m_users.find(call.username); it != m_users.end()) {
            it->resetPassword = false;
            it->password.clear();
        }
        break;
    case ApiCall::Kind::DeleteUser: {
        m_directory->removeUser(call.username);
        if (auto it = m_users.find(call.username); it != m_users.end())
            it->remove = false;
        // Their staged grants went with them.
        const QList<GrantCell> cells = m_grants.keys();
        for (const GrantCell& cell : cells) {
            if (cell.username == call.username) {
                m_grants.remove(cell);
                emit grantStagingChanged(cell.username, cell.resource.type, cell.resource.id);
            }
        }
        break;
    }
    case ApiCall::Kind::CreateGrant:
    case ApiCall::Kind::UpdateGrant: {
        Grant grant;
        grant.username = call.username;
        grant.resourceType = call.resourceType;
        grant.resourceId = call.resourceId;
        grant.level = call.level;
        m_directory->applyGrant(grant);
        break;
    }
    case ApiCall::Kind::DeleteGrant:
        m_directory->removeGrant(call.username, call.resourceType, call.resourceId);
        break;
    default:
        break; // role calls: commitRole()
    }
}

void ChangeSet::settleChange(const PlannedChange& change, const ApiError& error)
{
    switch (change.subject) {
    case PlannedChange::Subject::User: {
        auto it = m_users.find(change.username);
        if (it == m_users.end())
            return;
        if (it->isEmpty() || (!error.isError() && callsFor(*it).isEmpty()))
            m_users.erase(it);
        else
            it->error = error;
        emit userStagingChanged(change.username);
        return;
    }
    case PlannedChange::Subject::Grant: {
        auto it = m_grants.find(change.cell);
        if (it == m_grants.end())
            return;
        if (!error.isError())
            m_grants.erase(it);
        else
            it->error = error;
        emit grantStagingChanged(change.cell.username, change.cell.resource.type, change.cell.resource.id);
        return;
    }
    case PlannedChange::Subject::Role: {
        auto it = m_roles.find(change.rolePermission.role);
        if (it == m_roles.end())
            return;
        if (it->isEmpty() || (!error.isError() && callsFor(*it).isEmpty()))
            m_roles.erase(it);
        else
            it->error = error;
        break;
    }
    case PlannedChange::Subject::RolePermission: {
        auto it = m_rolePermissions.find(change.rolePermission);
        if (it == m_rolePermissions.end())
            return;
        if (!error.isError())
            m_rolePermissions.erase(it);
        else
            it->error = error;
        break;
    }
    case PlannedChange::Subject::RoleMember: {
        auto it = m_roleMembers.find(RoleMemberKey{change.rolePermission.role, change.memberName});
        if (it == m_roleMembers.end())
            return;
        if (!error.isError())
            m_roleMembers.erase(it);
        else
            it->error = error;
        break;
    }
    }
    emit roleStagingChanged();
}

void ChangeSet::put(const GrantCell& cell, const std::optional<StagedGrant>& entry)
{
    if (entry)
        m_grants.insert(cell, *entry);
    else
        m_grants.remove(cell);
    emit grantStagingChanged(cell.username, cell.resource.type, cell.resource.id);
    emit changed();
    scheduleAutoSave();
}

void ChangeSet::put(const QString& username, const std::optional<StagedUser>& entry)
{
    if (entry)
        m_users.insert(username, *entry);
    else
        m_users.remove(username);
    emit userStagingChanged(username);
    emit changed();
    scheduleAutoSave();
}

std::optional<StagedGrant> ChangeSet::grantEntry(const GrantCell& cell) const
{
    const auto it = m_grants.constFind(cell);
    if (it == m_grants.constEnd())
        return std::nullopt;
    return it.value();
}

std::optional<StagedUser> ChangeSet::userEntry(const QString& username) const
{
    const auto it = m_users.constFind(username);
    if (it == m_users.constEnd())
        return std::nullopt;
    return it.value();
}

bool ChangeSet::save(const QString& path, QString* error) const
{
    SqlFile file(path);
    if (!file.isOpen()) {
        if (error)
            *error = tr("Cannot open %1: %2").arg(path, file.error());
        return false;
    }
    QSqlDatabase db = file.database();
    if (!createSchema(db, error) || !db.transaction())
        return false;
    QSqlQuery query(db);
    bool ok = true;
    for (const char* statement : {"DELETE FROM staged_grants", "DELETE FROM staged_users", "DELETE FROM staged_roles",
                                  "DELETE FROM staged_role_permissions", "DELETE FROM staged_role_members"})
        ok = ok && query.prepare(QLatin1String(statement)) && exec(query, error);
    if (ok) {
        ok = query.prepare(QStringLiteral("INSERT INTO staged_grants (username, resource_type, resource_id, revoke, "
                                          "level, revoked_level) VALUES (?, ?, ?, ?, ?, ?)"));
        for (auto it = m_grants.cbegin(); ok && it != m_grants.cend(); ++it) {
            query.bindValue(0, it->cell.username);
            query.bindValue(1, Resources::wireName(it->cell.resource.type));
            query.bindValue(2, it->cell.resource.id);
            query.bindValue(3, it->target ? 0 : 1);
            query.bindValue(4, it->target ? QVariant(Permissions::name(*it->target)) : QVariant());
            query.bindValue(5, it->revokedLevel ? QVariant(Permissions::name(*it->revokedLevel)) : QVariant());
            ok = exec(query, error);
        }
    }
    if (ok) {
        // Deliberately no password column: a restored create or reset asks for the password again.
        ok = query.prepare(QStringLiteral("INSERT INTO staged_users (username, create_user, delete_user, admin, "
                                          "reset_password) VALUES (?, ?, ?, ?, ?)"));
        for (auto it = m_users.cbegin(); ok && it != m_users.cend(); ++it) {
            query.bindValue(0, it->username);
            query.bindValue(1, it->create ? 1 : 0);
            query.bindValue(2, it->remove ? 1 : 0);
            query.bindValue(3, it->admin ? QVariant(*it->admin ? 1 : 0) : QVariant());
            query.bindValue(4, it->resetPassword ? 1 : 0);
            ok = exec(query, error);
        }
    }
    if (ok) {
        ok = query.prepare(QStringLiteral("INSERT INTO staged_roles (role_id, workspace, name, create_role, "
                                          "delete_role, new_name, has_description, description) "
                                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
        for (auto it = m_roles.cbegin(); ok && it != m_roles.cend(); ++it) {
            bindRole(query, it->role);
            query.bindValue(3, it->create ? 1 : 0);
            query.bindValue(4, it->remove ? 1 : 0);
            query.bindValue(5, it->name ? QVariant(*it->name) : QVariant());
            // A flag of its own: an empty description is a change too, and SQLite may store it as NULL.
            query.bindValue(6, it->description ? 1 : 0);
            query.bindValue(7, it->description ? QVariant(*it->description) : QVariant());
            ok = exec(query, error);
        }
    }
    if (ok) {
        ok = query.prepare(QStringLiteral("INSERT INTO staged_role_permissions (role_id, workspace, name, "
                                          "resource_type, pattern, remove, level) VALUES (?, ?, ?, ?, ?, ?, ?)"));
        for (auto it = m_rolePermissions.cbegin(); ok && it != m_rolePermissions.cend(); ++it) {
            bindRole(query, it->key.role);
            query.bindValue(3, it->key.resourceType);
            query.bindValue(4, it->key.pattern);
            query.bindValue(5, it->target ? 0 : 1);
            query.bindValue(6, it->target ? QVariant(Permissions::name(*it->target)) : QVariant());
            ok = exec(query, error);
        }
    }
    if (ok) {
        ok = query.prepare(QStringLiteral(
            "INSERT INTO staged_role_members (role_id, workspace, name, username, assign) VALUES (?, ?, ?, ?, ?)"));
        for (auto it = m_roleMembers.cbegin(); ok && it != m_roleMembers.cend(); ++it) {
            bindRole(query, it->key.role);
            query.bindValue(3, it->key.username);
            query.bindValue(4, it->assign ? 1 : 0);
            ok = exec(query, error);
        }
    }
    if (!ok) {
        db.rollback();
        return false;
    }
    if (!db.commit()) {
        if (error)
            *error = db.lastError().text();
        return false;
    }
    return true;
}

bool ChangeSet::restore(const QString& path, QString* error)
{
    if (m_applying)
        return false;
    QHash<GrantCell, StagedGrant> grants;
    QHash<QString, StagedUser> users;
    QHash<RoleRef, StagedRole> roles;
    QHash<RolePermissionKey, StagedRolePermission> rolePermissions;
    QHash<RoleMemberKey, StagedRoleMember> roleMembers;
    {
        SqlFile file(path);
        if (!file.isOpen()) {
            if (error)
                *error = tr("Cannot open %1: %2").arg(path, file.error());
            return false;
        }
        QSqlDatabase db = file.database();
        if (!createSchema(db, error))
            return false;
        QSqlQuery query(db);
        if (!query.prepare(QStringLiteral(
                "SELECT username, resource_type, resource_id, revoke, level, revoked_level FROM staged_grants")) ||
            !exec(query, error))
            return false;
        while (query.next()) {
            const auto type = Resources::parseWireName(query.value(1).toString());
            const auto level = Permissions::parse(query.value(4).toString());
            const bool revoke = query.value(3).toInt() != 0;
            if (!type || (!revoke && !level))
                continue; // written by a newer version; skipping beats guessing a permission
            StagedGrant grant;
            grant.cell = GrantCell{query.value(0).toString(), ResourceKey{*type, query.value(2).toString()}};
            if (!revoke)
                grant.target = level;
            grant.revokedLevel = Permissions::parse(query.value(5).toString());
            grants.insert(grant.cell, grant);
        }
        if (!query.prepare(
                QStringLiteral("SELECT username, create_user, delete_user, admin, reset_password FROM staged_users")) ||
            !exec(query, error))
            return false;
        while (query.next()) {
            StagedUser user;
            user.username = query.value(0).toString();
            user.create = query.value(1).toInt() != 0;
            user.remove = query.value(2).toInt() != 0;
            if (!query.value(3).isNull())
                user.admin = query.value(3).toInt() != 0;
            user.resetPassword = query.value(4).toInt() != 0;
            if (!user.username.isEmpty() && !user.isEmpty())
                users.insert(user.username, user);
        }
        if (!query.prepare(QStringLiteral("SELECT role_id, workspace, name, create_role, delete_role, new_name, "
                                          "has_description, description FROM staged_roles")) ||
            !exec(query, error))
            return false;
        while (query.next()) {
            const std::optional<RoleRef> role = readRole(query);
            if (!role)
                continue;
            StagedRole staged;
            staged.role = *role;
            staged.create = query.value(3).toInt() != 0;
            staged.remove = query.value(4).toInt() != 0;
            if (!query.value(5).isNull())
                staged.name = query.value(5).toString();
            if (query.value(6).toInt() != 0)
                staged.description = query.value(7).toString();
            if (!staged.isEmpty())
                roles.insert(staged.role, staged);
        }
        if (!query.prepare(QStringLiteral("SELECT role_id, workspace, name, resource_type, pattern, remove, level "
                                          "FROM staged_role_permissions")) ||
            !exec(query, error))
            return false;
        while (query.next()) {
            const std::optional<RoleRef> role = readRole(query);
            const bool remove = query.value(5).toInt() != 0;
            const auto level = Permissions::parse(query.value(6).toString());
            const RolePermissionKey key{role.value_or(RoleRef()), query.value(3).toString(), query.value(4).toString()};
            if (!role || key.resourceType.isEmpty() || key.pattern.isEmpty() || (!remove && !level))
                continue;
            rolePermissions.insert(key, StagedRolePermission{key, remove ? std::nullopt : level, ApiError()});
        }
        if (!query.prepare(
                QStringLiteral("SELECT role_id, workspace, name, username, assign FROM staged_role_members")) ||
            !exec(query, error))
            return false;
        while (query.next()) {
            const std::optional<RoleRef> role = readRole(query);
            const RoleMemberKey key{role.value_or(RoleRef()), query.value(3).toString()};
            if (!role || key.username.isEmpty())
                continue;
            roleMembers.insert(key, StagedRoleMember{key, query.value(4).toInt() != 0, ApiError()});
        }
    }
    m_undo.clear();
    const QList<GrantCell> oldCells = m_grants.keys();
    const QList<QString> oldUsers = m_users.keys();
    m_grants = grants;
    m_users = users;
    m_roles = roles;
    m_rolePermissions = rolePermissions;
    m_roleMembers = roleMembers;
    emit roleStagingChanged();
    for (const GrantCell& cell : oldCells + m_grants.keys())
        emit grantStagingChanged(cell.username, cell.resource.type, cell.resource.id);
    for (const QString& user : oldUsers + m_users.keys())
        emit userStagingChanged(user);
    emit changed();
    return true;
}

void ChangeSet::setAutoSavePath(const QString& path)
{
    m_autoSavePath = path;
}

void ChangeSet::scheduleAutoSave()
{
    if (m_autoSavePath.isEmpty() || m_autoSaveScheduled)
        return;
    m_autoSaveScheduled = true;
    QTimer::singleShot(0, this, &ChangeSet::flushAutoSave);
}

void ChangeSet::flushAutoSave()
{
    if (!m_autoSaveScheduled)
        return;
    m_autoSaveScheduled = false;
    if (!m_autoSavePath.isEmpty())
        save(m_autoSavePath);
}

ChangeFacts ChangeSet::factsOf(const PlannedChange& change) const
{
    ChangeFacts facts;
    const QString none = QStringLiteral("none");
    auto levelText = [&none](std::optional<PermissionLevel> level) {
        return level ? Permissions::name(*level) : none;
    };
    auto roleName = [this](const RoleRef& ref) {
        const int row = directoryRoleRow(ref);
        return row >= 0 ? m_directory->roleAt(row).role.name : ref.name;
    };
    switch (change.subject) {
    case PlannedChange::Subject::Grant: {
        const GrantCell& cell = change.cell;
        facts.username = cell.username;
        facts.resourceType = Resources::wireName(cell.resource.type);
        facts.resourceId = cell.resource.id;
        const int row = m_directory->resourceRow(cell.resource.type, cell.resource.id);
        facts.resourceName = row >= 0 ? m_directory->resourceNameAt(cell.resource.type, row) : cell.resource.id;
        const std::optional<PermissionLevel> before =
            m_directory->explicitLevel(cell.username, cell.resource.type, cell.resource.id);
        const StagedGrant* staged = stagedGrant(cell.username, cell.resource.type, cell.resource.id);
        const std::optional<PermissionLevel> after = staged ? staged->target : before;
        facts.kind = !before  ? QStringLiteral("grant.create")
                     : !after ? QStringLiteral("grant.revoke")
                              : QStringLiteral("grant.level");
        facts.before = levelText(before);
        facts.after = levelText(after);
        break;
    }
    case PlannedChange::Subject::User: {
        facts.username = change.username;
        const StagedUser* staged = stagedUser(change.username);
        const bool exists = m_directory->hasUser(change.username);
        const QString was = !exists                                 ? QStringLiteral("absent")
                            : m_directory->isAdmin(change.username) ? QStringLiteral("admin")
                                                                    : QStringLiteral("user");
        facts.before = was;
        facts.after = was;
        QStringList kinds;
        if (staged && staged->remove) {
            kinds.append(QStringLiteral("user.delete"));
            facts.after = QStringLiteral("absent");
        } else if (staged) {
            if (staged->create) {
                kinds.append(QStringLiteral("user.create"));
                facts.after = QStringLiteral("user");
            }
            if (staged->admin) {
                if (!staged->create)
                    kinds.append(QStringLiteral("user.admin"));
                facts.after = *staged->admin ? QStringLiteral("admin") : QStringLiteral("user");
            }
            if (staged->resetPassword) {
                kinds.append(QStringLiteral("user.password_reset"));
                // Only that it changed: the password itself is never recorded.
                facts.after += QStringLiteral(", password reset");
            }
        }
        facts.kind = kinds.join(QLatin1Char(','));
        break;
    }
    case PlannedChange::Subject::Role: {
        const RoleRef& ref = change.rolePermission.role;
        facts.role = roleName(ref);
        facts.workspace = ref.workspace;
        const StagedRole* staged = stagedRole(ref);
        const int row = directoryRoleRow(ref);
        const QString loaded = row >= 0 ? m_directory->roleAt(row).role.name : QStringLiteral("absent");
        facts.before = loaded;
        if (staged && staged->remove) {
            facts.kind = QStringLiteral("role.delete");
            facts.after = QStringLiteral("absent");
        } else if (staged && staged->create) {
            facts.kind = QStringLiteral("role.create");
            facts.after = ref.name;
        } else {
            facts.kind = QStringLiteral("role.update");
            QStringList after;
            if (staged && staged->name)
                after.append(tr("name %1").arg(*staged->name));
            if (staged && staged->description)
                after.append(tr("description \"%1\"").arg(*staged->description));
            facts.after = after.join(QLatin1String(", "));
        }
        break;
    }
    case PlannedChange::Subject::RolePermission: {
        const RolePermissionKey& key = change.rolePermission;
        facts.kind = QStringLiteral("role.permission");
        facts.role = roleName(key.role);
        facts.workspace = key.role.workspace;
        facts.resourceType = key.resourceType;
        facts.resourceId = key.pattern;
        facts.resourceName = resourceText(key.resourceType, key.pattern);
        const std::optional<RolePermission> loaded = loadedRolePermission(key);
        const StagedRolePermission* staged = stagedRolePermission(key);
        facts.before = loaded ? Permissions::name(loaded->level) : none;
        facts.after = staged ? levelText(staged->target) : facts.before;
        break;
    }
    case PlannedChange::Subject::RoleMember: {
        const RoleRef& ref = change.rolePermission.role;
        facts.kind = QStringLiteral("role.member");
        facts.role = roleName(ref);
        facts.workspace = ref.workspace;
        facts.username = change.memberName.isEmpty() ? change.username : change.memberName;
        const StagedRoleMember* staged = stagedRoleMember(RoleMemberKey{ref, facts.username});
        const bool was = loadedMember(ref, facts.username);
        facts.before = was ? QStringLiteral("member") : QStringLiteral("not a member");
        facts.after =
            staged ? (staged->assign ? QStringLiteral("member") : QStringLiteral("not a member")) : facts.before;
        break;
    }
    }
    return facts;
}

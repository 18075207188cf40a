#include "app/cli/RolesCommand.h"

#include "api/TrackingApi.h"
#include "app/cli/CliSession.h"
#include "app/cli/OutputWriter.h"
#include "models/Directory.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>

#include <algorithm>

namespace {

const QString experimentType = QStringLiteral("experiment");
const QString modelType = QStringLiteral("registered_model");

QList<QCommandLineOption> resourceOptions()
{
    const auto tr = [](const char* text) {
        return QCoreApplication::translate("RolesCommand", text);
    };
    return {
        {QStringLiteral("experiment"), tr("One experiment, by id or name."), QStringLiteral("NAME|ID")},
        {QStringLiteral("model"), tr("One registered model, by name."), QStringLiteral("NAME")},
        {QStringLiteral("all-experiments"), tr("Every experiment of the workspace (pattern *).")},
        {QStringLiteral("all-models"), tr("Every registered model of the workspace (pattern *).")},
    };
}

CommandSpec rolesSpec(const QString& sub, const QString& synopsis, const QString& description,
                      const QStringList& argumentNames, RolesCommand::Action action,
                      const QList<QCommandLineOption>& options = {})
{
    CommandSpec spec;
    spec.words = QStringList{QStringLiteral("roles"), sub};
    spec.synopsis = synopsis;
    spec.description = description;
    spec.argumentNames = argumentNames;
    spec.options = options;
    spec.create = [action](CliContext* context) -> CliCommand* {
        return new RolesCommand(context, action);
    };
    return spec;
}

QJsonValue levelJson(std::optional<PermissionLevel> level)
{
    return level ? QJsonValue(Permissions::name(*level)) : QJsonValue(QJsonValue::Null);
}

// "experiment 1", "registered_model *": one permission for people.
QString permissionTarget(const RolePermission& permission)
{
    return permission.resourceType + QLatin1Char(' ') + permission.resourcePattern;
}

bool isRoleId(const QString& text)
{
    static const QRegularExpression digits(QStringLiteral("^[0-9]{1,18}$"));
    return digits.match(text).hasMatch();
}

} // namespace

RolesCommand::RolesCommand(CliContext* context, Action action) : CliCommand(context), m_action(action) {}

RolesCommand::~RolesCommand()
{
    m_changes.reset(); // before the Directory it refers to
}

QList<CommandSpec> RolesCommand::specs()
{
    const QCommandLineOption all(QStringLiteral("all"),
                                 tr("Also list the hidden per-user roles that hold users' direct grants."));
    const QCommandLineOption description(QStringLiteral("description"), tr("What the role is for."),
                                         QStringLiteral("TEXT"));
    const QCommandLineOption dryRun(QStringLiteral("dry-run"),
                                    tr("Show the calls that would be sent; change nothing."));
    const QString role = QStringLiteral("ROLE");
    const QString resource = QStringLiteral("(--experiment NAME|ID | --model NAME | --all-experiments | --all-models)");
    return {
        rolesSpec(QStringLiteral("list"), QStringLiteral("[--all]"),
                  tr("list the roles of the workspace with their permissions and users (MLflow 3.13+)"), {},
                  Action::List, {all}),
        rolesSpec(QStringLiteral("show"), role, tr("show one role (name or id): its permissions and its users"), {role},
                  Action::Show),
        rolesSpec(QStringLiteral("create"), QStringLiteral("ROLE [--description TEXT] [--dry-run]"),
                  tr("create an empty role in the workspace"), {role}, Action::Create, {description, dryRun}),
        rolesSpec(QStringLiteral("delete"), QStringLiteral("ROLE [--dry-run]"),
                  tr("delete a role; its users lose what it granted"), {role}, Action::Delete, {dryRun}),
        rolesSpec(QStringLiteral("rename"), QStringLiteral("ROLE NEW [--dry-run]"), tr("rename a role"),
                  {role, QStringLiteral("NEW")}, Action::Rename, {dryRun}),
        rolesSpec(QStringLiteral("describe"), QStringLiteral("ROLE TEXT [--dry-run]"), tr("set a role's description"),
                  {role, QStringLiteral("TEXT")}, Action::Describe, {dryRun}),
        rolesSpec(QStringLiteral("grant"), QStringLiteral("ROLE LEVEL ") + resource + QStringLiteral(" [--dry-run]"),
                  tr("give a role LEVEL (READ, USE, EDIT, MANAGE) on one resource or on all of a type"),
                  {role, QStringLiteral("LEVEL")}, Action::Grant,
                  resourceOptions() + QList<QCommandLineOption>{dryRun}),
        rolesSpec(QStringLiteral("revoke"), QStringLiteral("ROLE ") + resource + QStringLiteral(" [--dry-run]"),
                  tr("remove a role's permission on a resource (or on all of a type)"), {role}, Action::Revoke,
                  resourceOptions() + QList<QCommandLineOption>{dryRun}),
        rolesSpec(QStringLiteral("assign"), QStringLiteral("ROLE USER [--dry-run]"), tr("give USER the role"),
                  {role, QStringLiteral("USER")}, Action::Assign, {dryRun}),
        rolesSpec(QStringLiteral("unassign"), QStringLiteral("ROLE USER [--dry-run]"),
                  tr("take the role away from USER"), {role, QStringLiteral("USER")}, Action::Unassign, {dryRun}),
    };
}

bool RolesCommand::mutates() const
{
    return m_action != Action::List && m_action != Action::Show;
}

bool RolesCommand::prepare()
{
    m_roleText = argument(0);
    m_text = argument(1);
    const auto reserved = [this](const QString& name) {
        if (!Role::isHiddenUserRoleName(name))
            return false;
        fail(ExitCode::Usage, tr("Role names starting with __user_ are reserved: MLflow keeps each user's direct "
                                 "grants in a hidden role named __user_<id>__. Choose another name."));
        return true;
    };
    if ((m_action == Action::Create && reserved(m_roleText)) || (m_action == Action::Rename && reserved(m_text)))
        return false;
    if ((m_action == Action::Create || m_action == Action::Rename) &&
        (m_action == Action::Create ? m_roleText : m_text).trimmed().isEmpty()) {
        fail(ExitCode::Usage, tr("The role name is empty."));
        return false;
    }
    // A hidden role named on the command line is refused before any request; one named by id once it is read.
    if (mutates() && m_action != Action::Create && Role::isHiddenUserRoleName(m_roleText)) {
        Role hidden;
        hidden.name = m_roleText;
        refuseHidden(hidden);
        return false;
    }
    if (m_action == Action::Grant) {
        QString name = argument(1).trimmed().toUpper();
        name.replace(QLatin1Char('-'), QLatin1Char('_'));
        const auto level = Permissions::parse(name);
        if (!level) {
            fail(ExitCode::Usage, tr("Unknown permission level '%1'. Use READ, USE, EDIT or MANAGE.").arg(argument(1)));
            return false;
        }
        if (*level == PermissionLevel::NoPermissions) {
            fail(ExitCode::Usage, tr("A role cannot hold NO_PERMISSIONS: MLflow accepts only READ, USE, EDIT and "
                                     "MANAGE in roles. To take a permission away, use `roles revoke`."));
            return false;
        }
        m_level = *level;
    }
    if (m_action == Action::Grant || m_action == Action::Revoke) {
        QString error;
        if (!readResource(&error)) {
            fail(ExitCode::Usage, error);
            return false;
        }
    }
    return true;
}

bool RolesCommand::readResource(QString* error)
{
    const bool experiment = isSet(QStringLiteral("experiment"));
    const bool model = isSet(QStringLiteral("model"));
    const bool allExperiments = isSet(QStringLiteral("all-experiments"));
    const bool allModels = isSet(QStringLiteral("all-models"));
    if (int(experiment) + int(model) + int(allExperiments) + int(allModels) != 1) {
        *error = tr("Name exactly one resource: --experiment NAME|ID, --model NAME, --all-experiments or "
                    "--all-models.");
        return false;
    }
    m_resourceType = (experiment || allExperiments) ? experimentType : modelType;
    if (experiment || model) {
        m_resourceText = option(experiment ? QStringLiteral("experiment") : QStringLiteral("model"));
        if (m_resourceText.isEmpty()) {
            *error = tr("The resource name is empty.");
            return false;
        }
    }
    return true;
}

RbacAuthApi* RolesCommand::rbac() const
{
    return qobject_cast<RbacAuthApi*>(session().auth());
}

QString RolesCommand::workspace() const
{
    return session().workspace();
}

void RolesCommand::start()
{
    // Checked before anything is sent: a 2.x server would answer every roles path with an HTML 404.
    if (!rbac()) {
        const ProbeResult& probe = session().probe();
        fail(ExitCode::Unsupported,
             tr("Roles need MLflow 3.12 or newer, and mlflow-admin-cli manages them on MLflow 3.13 and newer. This "
                "server (MLflow %1) has only per-user grants: use `grant` and `revoke` instead.")
                 .arg(probe.version.isEmpty() ? tr("of unknown version") : probe.version),
             QStringLiteral("NotSupported"));
        return;
    }
    switch (m_action) {
    case Action::List:
        loadUserNames([this] { list(); });
        return;
    case Action::Create:
        create();
        return;
    case Action::Show:
        loadUserNames([this] { findRole(m_roleText, [this](const Role& role) { show(role); }); });
        return;
    case Action::Grant:
    case Action::Revoke:
        // The resource first: a typo in it should not depend on the role existing.
        resolveResource([this](const QString& pattern, const ResolvedResource& resource) {
            findRole(m_roleText, [this, pattern, resource](const Role& role) {
                if (refuseHiddenNamingUser(role))
                    return;
                changePermission(role, pattern, resource);
            });
        });
        return;
    case Action::Delete:
    case Action::Rename:
    case Action::Describe:
    case Action::Assign:
    case Action::Unassign:
        findRole(m_roleText, [this](const Role& role) {
            if (refuseHiddenNamingUser(role))
                return;
            if (m_action == Action::Delete)
                remove(role);
            else if (m_action == Action::Assign || m_action == Action::Unassign)
                readMembership(role, [this, role](std::optional<bool> member) { changeMembership(role, member); });
            else
                update(role);
        });
        return;
    }
}

void RolesCommand::findRole(const QString& text, std::function<void(const Role&)> found)
{
    if (isRoleId(text)) {
        RoleJob* job = rbac()->getRole(text.toLongLong());
        connect(job, &ApiJob::finished, this, [this, job, text, found] {
            if (job->hasError() && job->error().kind() == ApiError::Kind::NotFound) {
                fail(ExitCode::NotFound,
                     tr("There is no role with id %1. List the roles with `roles list`.").arg(text));
                return;
            }
            if (job->hasError()) {
                fail(job->error(), tr("Reading role %1 failed").arg(text));
                return;
            }
            found(job->value());
        });
        return;
    }
    RoleListJob* job = rbac()->listRoles({workspace()});
    connect(job, &ApiJob::finished, this, [this, job, text, found] {
        if (job->hasError()) {
            fail(job->error(), tr("Listing the roles of workspace %1 failed").arg(workspace()));
            return;
        }
        for (const Role& role : job->value()) {
            if (role.name == text && role.workspace == workspace()) {
                found(role);
                return;
            }
        }
        fail(ExitCode::NotFound, tr("There is no role named '%1' in workspace %2. List the roles with `roles list`, "
                                    "or name another workspace with --workspace.")
                                     .arg(text, workspace()));
    });
}

bool RolesCommand::refuseHidden(const Role& role)
{
    if (!role.isHiddenUserRole())
        return false;
    const QString owner = hiddenOwner(role);
    fail(ExitCode::Usage,
         tr("%1 is the hidden role that holds %2; MLflow manages it itself. Change a user's direct grants with "
            "`grant USER LEVEL ...` and `revoke USER ...` instead.")
             .arg(role.name, owner.isEmpty() ? tr("a user's direct grants") : owner));
    return true;
}

bool RolesCommand::refuseHiddenNamingUser(const Role& role)
{
    if (!role.isHiddenUserRole())
        return false;
    // One more request, so that the refusal names the user instead of an id.
    loadUserNames([this, role] { refuseHidden(role); });
    return true;
}

QString RolesCommand::hiddenOwner(const Role& role) const
{
    static const QRegularExpression pattern(QStringLiteral("^__user_([0-9]+)__$"));
    const QRegularExpressionMatch match = pattern.match(role.name);
    if (!match.hasMatch())
        return {};
    const qint64 id = match.captured(1).toLongLong();
    return tr("the direct grants of %1").arg(userName(id));
}

QString RolesCommand::userName(qint64 userId) const
{
    const QString name = m_userNames.value(userId);
    return name.isEmpty() ? tr("user id %1").arg(userId) : name;
}

void RolesCommand::loadUserNames(std::function<void()> loaded)
{
    if (!rbac()->canListUsers()) {
        loaded();
        return;
    }
    UserListJob* job = rbac()->listUsers();
    connect(job, &ApiJob::finished, this, [this, job, loaded] {
        // Names only make the output friendlier; without them it shows ids.
        if (!job->hasError()) {
            for (const User& user : job->value().users) {
                m_userNames.insert(user.id, user.username);
                for (const Role& role : user.roles)
                    m_roleUsers[role.id].append(user.username);
            }
        }
        loaded();
    });
}

void RolesCommand::list()
{
    const bool all = isSet(QStringLiteral("all"));
    RoleListJob* job = rbac()->listRoles({workspace()});
    connect(job, &ApiJob::finished, this, [this, job, all] {
        if (job->hasError()) {
            fail(job->error(), tr("Listing the roles of workspace %1 failed").arg(workspace()));
            return;
        }
        Table table;
        table.addColumn(QStringLiteral("id"), tr("Id"));
        table.addColumn(QStringLiteral("name"), tr("Role"));
        table.addColumn(QStringLiteral("description"), tr("Description"));
        table.addColumn(QStringLiteral("permissions"), tr("Permissions"));
        table.addColumn(QStringLiteral("users"), tr("Users"));
        QJsonArray roles;
        int hidden = 0;
        for (const Role& role : job->value()) {
            if (role.workspace != workspace())
                continue;
            if (role.isHiddenUserRole() && !all) {
                ++hidden;
                continue;
            }
            QStringList permissions;
            QJsonArray permissionsJson;
            for (const RolePermission& permission : role.permissions) {
                permissions.append(permissionTarget(permission) + QLatin1Char(' ') +
                                   Permissions::name(permission.level));
                permissionsJson.append(
                    QJsonObject{{QStringLiteral("id"), permission.id},
                                {QStringLiteral("resource_type"), permission.resourceType},
                                {QStringLiteral("resource_pattern"), permission.resourcePattern},
                                {QStringLiteral("permission"), Permissions::name(permission.level)}});
            }
            const QString owner = hiddenOwner(role);
            const QStringList users = m_roleUsers.value(role.id);
            table.addRow({role.id, role.name, owner.isEmpty() ? role.description : owner,
                          permissions.join(QLatin1String(", ")), users.join(QLatin1String(", "))});
            QJsonObject object{{QStringLiteral("id"), role.id},
                               {QStringLiteral("name"), role.name},
                               {QStringLiteral("workspace"), role.workspace},
                               {QStringLiteral("description"), role.description},
                               {QStringLiteral("hidden"), role.isHiddenUserRole()},
                               {QStringLiteral("permissions"), permissionsJson},
                               {QStringLiteral("users"), QJsonArray::fromStringList(users)}};
            if (role.isHiddenUserRole())
                object.insert(QStringLiteral("direct_grants_of"), owner.isEmpty() ? QString() : owner);
            roles.append(object);
        }
        if (out().isJson()) {
            out().json(QJsonObject{{QStringLiteral("workspace"), workspace()},
                                   {QStringLiteral("roles"), roles},
                                   {QStringLiteral("hidden_roles_not_shown"), hidden}});
        } else {
            out().table(table, tr("Roles in workspace %1:").arg(workspace()));
            if (hidden > 0)
                out().line(tr("%n hidden per-user role(s) holding direct grants not shown; see them with --all, "
                              "change them with `grant`/`revoke`.",
                              nullptr, hidden));
        }
        done();
    });
}

void RolesCommand::show(const Role& role)
{
    // Experiment names for the ids the role refers to; a failure leaves only the ids.
    ExperimentListJob* experiments = session().tracking()->searchExperiments(ViewType::All);
    connect(experiments, &ApiJob::finished, this, [this, experiments, role] {
        QHash<QString, QString> experimentNames;
        if (!experiments->hasError()) {
            for (const Experiment& experiment : experiments->value())
                experimentNames.insert(experiment.id, experiment.name);
        }
        RoleAssignmentsJob* assignments = rbac()->listRoleAssignments(role.id);
        connect(assignments, &ApiJob::finished, this, [this, assignments, role, experimentNames] {
            // Only admins and the workspace's admins may list a role's users; others see "unknown".
            const bool usersKnown = !assignments->hasError();
            QStringList users;
            for (const RoleAssignment& assignment : assignments->value())
                users.append(userName(assignment.userId));
            if (!usersKnown && role.isHiddenUserRole())
                users.clear();

            Table table;
            table.addColumn(QStringLiteral("id"), tr("Id"));
            table.addColumn(QStringLiteral("resource_type"), tr("Resource type"));
            table.addColumn(QStringLiteral("resource_pattern"), tr("Resource"));
            table.addColumn(QStringLiteral("resource_name"), tr("Name"));
            table.addColumn(QStringLiteral("permission"), tr("Permission"));
            for (const RolePermission& permission : role.permissions) {
                QString name;
                if (permission.isPattern())
                    name = permission.resourceType == experimentType ? tr("every experiment")
                                                                     : tr("every %1").arg(permission.resourceType);
                else if (permission.resourceType == experimentType)
                    name = experimentNames.value(permission.resourcePattern);
                else
                    name = permission.resourcePattern;
                table.addRow({permission.id, permission.resourceType, permission.resourcePattern, name,
                              Permissions::name(permission.level)});
            }
            const QString owner = hiddenOwner(role);
            if (out().isJson()) {
                QJsonObject object{{QStringLiteral("id"), role.id},
                                   {QStringLiteral("name"), role.name},
                                   {QStringLiteral("workspace"), role.workspace},
                                   {QStringLiteral("description"), role.description},
                                   {QStringLiteral("hidden"), role.isHiddenUserRole()},
                                   {QStringLiteral("permissions"), table.toJson()},
                                   {QStringLiteral("users"), usersKnown ? QJsonValue(QJsonArray::fromStringList(users))
                                                                        : QJsonValue(QJsonValue::Null)}};
                if (role.isHiddenUserRole())
                    object.insert(QStringLiteral("direct_grants_of"), owner);
                out().json(QJsonObject{{QStringLiteral("role"), object}});
            } else {
                out().line(tr("Role %1 (id %2) in workspace %3").arg(role.name).arg(role.id).arg(role.workspace));
                if (!owner.isEmpty())
                    out().line(tr("Hidden role: it holds %1 (change them with `grant`/`revoke`).").arg(owner));
                else if (!role.description.isEmpty())
                    out().line(tr("Description: %1").arg(role.description));
                out().table(table);
                if (!usersKnown)
                    out().line(tr("Users: unknown (only administrators of the workspace may list them)"));
                else
                    out().line(tr("Users: %1").arg(users.isEmpty() ? tr("(none)") : users.join(QLatin1String(", "))));
            }
            done();
        });
    });
}

ChangeSet* RolesCommand::changesOver(const QList<Role>& roles, const QList<User>& users,
                                     const QList<Experiment>& experiments)
{
    m_changes.reset();
    m_directory = std::make_unique<Directory>();
    m_directory->setGeneration(ApiGeneration::Rbac);
    m_directory->setContents(users, experiments, {}, ListingSource::ServerApi, roles);
    m_changes = std::make_unique<ChangeSet>(m_directory.get());
    return m_changes.get();
}

QList<ApiCall> RolesCommand::plannedCalls() const
{
    return m_changes->toApiCalls(PlanRules::of(*session().auth()));
}

void RolesCommand::send(std::function<void(const ApiError&)> applied)
{
    m_calls = plannedCalls();
    if (isSet(QStringLiteral("dry-run"))) {
        printPlan();
        return;
    }
    if (m_calls.isEmpty()) {
        applied(ApiError()); // the server already has it (a rename to the role's own name, say)
        return;
    }
    auditApplies(m_changes.get());
    connect(m_changes.get(), &ChangeSet::applied, this, [applied](const ApplySummary& summary) {
        // One change is staged; a failed one stays staged with its error, which is what the report needs.
        for (const ChangeResult& result : summary.results) {
            if (!result.ok()) {
                applied(result.error);
                return;
            }
        }
        applied(ApiError());
    });
    if (!m_changes->apply(session().auth()))
        fail(ExitCode::Other, tr("The change could not be started; nothing was sent. Run the command again."));
}

QJsonObject RolesCommand::withCalls(QJsonObject object) const
{
    QJsonArray calls;
    for (const ApiCall& call : m_calls)
        calls.append(QJsonObject{{QStringLiteral("request"), call.endpoint(ApiGeneration::Rbac)},
                                 {QStringLiteral("description"), call.description()}});
    object.insert(QStringLiteral("calls"), calls);
    return object;
}

void RolesCommand::printPlan()
{
    if (out().isJson()) {
        out().json(
            withCalls(QJsonObject{{QStringLiteral("dry_run"), true}, {QStringLiteral("workspace"), workspace()}}));
    } else {
        Table table;
        table.addColumn(QStringLiteral("request"), tr("Request"));
        table.addColumn(QStringLiteral("description"), tr("Change"));
        for (const ApiCall& call : std::as_const(m_calls))
            table.addRow({call.endpoint(ApiGeneration::Rbac), call.description()});
        out().table(table, tr("Dry run: %n call(s) would be sent; nothing was changed.", nullptr,
                              static_cast<int>(m_calls.size())));
    }
    done();
}

void RolesCommand::create()
{
    ChangeSet* changes = changesOver({});
    if (!changes->stageCreateRole(m_roleText, workspace(), option(QStringLiteral("description")))) {
        fail(ExitCode::Other, tr("The change could not be staged."));
        return;
    }
    send([this](const ApiError& error) {
        if (error.kind() == ApiError::Kind::AlreadyExists) {
            fail(ExitCode::Other,
                 tr("A role named '%1' already exists in workspace %2. See it with `roles show %1`, "
                    "or choose another name.")
                     .arg(m_roleText, workspace()),
                 ApiError::kindName(ApiError::Kind::AlreadyExists));
            return;
        }
        if (error.isError()) {
            fail(error, tr("Creating role %1 failed").arg(m_roleText));
            return;
        }
        // The apply put the server's answer into the Directory.
        const int row = m_directory->roleRowByName(m_roleText.trimmed(), workspace());
        const Role role = row >= 0 ? m_directory->roleAt(row).role : Role();
        if (out().isJson()) {
            out().json(withCalls(QJsonObject{{QStringLiteral("action"), QStringLiteral("created")},
                                             {QStringLiteral("id"), role.id},
                                             {QStringLiteral("name"), role.name},
                                             {QStringLiteral("workspace"), role.workspace},
                                             {QStringLiteral("description"), role.description}}));
        } else {
            out().line(tr("Created role %1 (id %2) in workspace %3. Give it permissions with `roles grant %1 ...` and "
                          "users with `roles assign %1 USER`.")
                           .arg(role.name)
                           .arg(role.id)
                           .arg(role.workspace));
        }
        done();
    });
}

void RolesCommand::remove(const Role& role)
{
    ChangeSet* changes = changesOver({role});
    if (!changes->stageDeleteRole(RoleRef::of(role))) {
        fail(ExitCode::Other, tr("The change could not be staged."));
        return;
    }
    send([this, role](const ApiError& error) {
        if (error.isError()) {
            fail(error, tr("Deleting role %1 failed").arg(role.name));
            return;
        }
        if (out().isJson()) {
            out().json(withCalls(QJsonObject{{QStringLiteral("action"), QStringLiteral("deleted")},
                                             {QStringLiteral("id"), role.id},
                                             {QStringLiteral("name"), role.name},
                                             {QStringLiteral("workspace"), role.workspace}}));
        } else {
            out().line(tr("Deleted role %1 (id %2) from workspace %3; its users no longer have its permissions.")
                           .arg(role.name)
                           .arg(role.id)
                           .arg(role.workspace));
        }
        done();
    });
}

void RolesCommand::update(const Role& role)
{
    const bool rename = m_action == Action::Rename;
    ChangeSet* changes = changesOver({role});
    const RoleRef ref = RoleRef::of(role);
    if (!(rename ? changes->stageRenameRole(ref, m_text) : changes->stageDescribeRole(ref, m_text))) {
        fail(ExitCode::Other, tr("The change could not be staged."));
        return;
    }
    // Nothing planned: the role already has that name or description, and the report says what it is.
    send([this, role, rename](const ApiError& error) {
        if (error.kind() == ApiError::Kind::AlreadyExists) {
            fail(ExitCode::Other,
                 tr("A role named '%1' already exists in workspace %2; choose another name.")
                     .arg(m_text, role.workspace),
                 ApiError::kindName(ApiError::Kind::AlreadyExists));
            return;
        }
        if (error.isError()) {
            fail(error, tr("Changing role %1 failed").arg(role.name));
            return;
        }
        const int row = m_directory->roleRow(role.id);
        const Role updated = row >= 0 ? m_directory->roleAt(row).role : role;
        if (out().isJson()) {
            out().json(withCalls(QJsonObject{
                {QStringLiteral("action"), rename ? QStringLiteral("renamed") : QStringLiteral("described")},
                {QStringLiteral("id"), updated.id},
                {QStringLiteral("name"), updated.name},
                {QStringLiteral("previous_name"), role.name},
                {QStringLiteral("workspace"), updated.workspace},
                {QStringLiteral("description"), updated.description}}));
        } else if (rename) {
            out().line(tr("Renamed role %1 (id %2) to %3.").arg(role.name).arg(role.id).arg(updated.name));
        } else {
            out().line(tr("Role %1 (id %2) is now described as: %3").arg(updated.name).arg(updated.id).arg(m_text));
        }
        done();
    });
}

void RolesCommand::resolveResource(std::function<void(const QString&, const ResolvedResource&)> resolved)
{
    if (m_resourceText.isEmpty()) {
        resolved(QString::fromLatin1(RolePermission::allResources), ResolvedResource());
        return;
    }
    const ResourceType type =
        m_resourceType == experimentType ? ResourceType::Experiment : ResourceType::RegisteredModel;
    ResourceLookupJob* lookup = ResourceLookup::find(session().tracking(), type, m_resourceText, this);
    connect(lookup, &ApiJob::finished, this, [this, lookup, resolved] {
        if (lookup->hasError() && lookup->error().kind() == ApiError::Kind::NotFound) {
            fail(ExitCode::NotFound, lookup->error().serverMessage());
            return;
        }
        if (lookup->hasError()) {
            fail(lookup->error(), tr("Looking up the resource failed"));
            return;
        }
        resolved(lookup->value().id, lookup->value());
    });
}

void RolesCommand::changePermission(const Role& role, const QString& pattern, const ResolvedResource& resource)
{
    const QString resourceName = resource.id.isEmpty() ? QString() : resource.describe();
    // The experiment's name lets the planned calls name it ("Grant READ on experiment /x to role r").
    QList<Experiment> experiments;
    if (m_resourceType == experimentType && !resource.id.isEmpty()) {
        Experiment experiment;
        experiment.id = resource.id;
        experiment.name = resource.name;
        experiments.append(experiment);
    }
    ChangeSet* changes = changesOver({role}, {}, experiments);
    const RoleRef ref = RoleRef::of(role);
    const std::optional<RolePermission> loaded =
        changes->loadedRolePermission(RolePermissionKey{ref, m_resourceType, pattern});
    const std::optional<PermissionLevel> before = loaded ? std::optional<PermissionLevel>(loaded->level) : std::nullopt;
    const bool grant = m_action == Action::Grant;
    const std::optional<PermissionLevel> after = grant ? std::optional<PermissionLevel>(m_level) : std::nullopt;
    if (!changes->stageRolePermission(ref, m_resourceType, pattern, after)) {
        fail(ExitCode::Other, tr("The change could not be staged."));
        return;
    }
    if (plannedCalls().isEmpty()) {
        if (grant)
            reportPermission(role, QStringLiteral("unchanged"), pattern, resourceName, before, after);
        else
            fail(ExitCode::NotFound, tr("Role %1 holds no permission on %2; nothing was revoked. See `roles show %1`.")
                                         .arg(role.name, describeTarget(role, resourceName)));
        return;
    }
    // The planner changes a role's one row per resource in place rather than adding a second one.
    send([this, role, pattern, resourceName, before, after, grant](const ApiError& error) {
        if (error.isError()) {
            if (!grant)
                fail(error, tr("Removing the permission of role %1 failed").arg(role.name));
            else if (before)
                fail(error, tr("Changing the permission of role %1 failed").arg(role.name));
            else
                fail(error, tr("Granting role %1 the permission failed").arg(role.name));
            return;
        }
        const QString action = !grant   ? QStringLiteral("removed")
                               : before ? QStringLiteral("updated")
                                        : QStringLiteral("added");
        reportPermission(role, action, pattern, resourceName, before, after);
    });
}

QString RolesCommand::describeTarget(const Role& role, const QString& resourceName) const
{
    if (!resourceName.isEmpty())
        return resourceName;
    return tr("every %1 of workspace %2")
        .arg(m_resourceType == experimentType ? tr("experiment") : tr("registered model"), role.workspace);
}

void RolesCommand::reportPermission(const Role& role, const QString& action, const QString& pattern,
                                    const QString& resourceName, std::optional<PermissionLevel> before,
                                    std::optional<PermissionLevel> after)
{
    const QString target = describeTarget(role, resourceName);
    if (out().isJson()) {
        out().json(withCalls(QJsonObject{{QStringLiteral("role"), role.name},
                                         {QStringLiteral("role_id"), role.id},
                                         {QStringLiteral("workspace"), role.workspace},
                                         {QStringLiteral("resource_type"), m_resourceType},
                                         {QStringLiteral("resource_pattern"), pattern},
                                         {QStringLiteral("action"), action},
                                         {QStringLiteral("before"), levelJson(before)},
                                         {QStringLiteral("after"), levelJson(after)}}));
    } else if (action == QLatin1String("unchanged")) {
        out().line(
            tr("Role %1 already has %2 on %3; nothing to do.").arg(role.name, Permissions::name(*after), target));
    } else if (action == QLatin1String("removed")) {
        out().line(tr("Removed %1 on %2 from role %3.").arg(Permissions::name(*before), target, role.name));
    } else if (action == QLatin1String("updated")) {
        out().line(tr("Role %1 now has %2 on %3 (was %4).")
                       .arg(role.name, Permissions::name(*after), target, Permissions::name(*before)));
    } else {
        out().line(tr("Role %1 now has %2 on %3.").arg(role.name, Permissions::name(*after), target));
    }
    done();
}

void RolesCommand::readMembership(const Role& role, std::function<void(std::optional<bool>)> known)
{
    RoleListJob* job = rbac()->listUserRoles(m_text);
    connect(job, &ApiJob::finished, this, [this, job, role, known] {
        if (job->hasError() && job->error().kind() == ApiError::Kind::NotFound) {
            fail(ExitCode::NotFound, tr("There is no user named '%1'. List the users with `users list`.").arg(m_text));
            return;
        }
        // A workspace's admin may assign a user of no workspace of theirs without being allowed to read that
        // user's roles (MLflow 3.14): then the server's answer to the change says how things were.
        if (job->hasError() && job->error().kind() == ApiError::Kind::PermissionDenied) {
            known(std::nullopt);
            return;
        }
        if (job->hasError()) {
            fail(job->error(), tr("Reading the roles of %1 failed").arg(m_text));
            return;
        }
        const QList<Role> roles = job->value();
        known(std::any_of(roles.cbegin(), roles.cend(), [&role](const Role& held) { return held.id == role.id; }));
    });
}

void RolesCommand::changeMembership(const Role& role, std::optional<bool> member)
{
    const bool assign = m_action == Action::Assign;
    User user;
    user.username = m_text;
    // Unknown membership is staged as a change, and the server's answer then tells.
    if (member.value_or(!assign))
        user.roles.append(role);
    ChangeSet* changes = changesOver({role}, {user});
    if (!changes->stageRoleMember(RoleRef::of(role), m_text, assign)) {
        fail(ExitCode::Other, tr("The change could not be staged."));
        return;
    }
    const QString notHeld =
        tr("%1 does not hold role %2; nothing was changed. See `roles show %2`.").arg(m_text, role.name);
    if (plannedCalls().isEmpty()) {
        if (assign)
            reportMembership(role, QStringLiteral("unchanged"));
        else
            fail(ExitCode::NotFound, notHeld);
        return;
    }
    send([this, role, assign, notHeld](const ApiError& error) {
        if (assign && error.kind() == ApiError::Kind::AlreadyExists) {
            reportMembership(role, QStringLiteral("unchanged"));
            return;
        }
        if (error.kind() == ApiError::Kind::NotFound) {
            // MLflow says which: "User with username=x not found" or "User role assignment (...) not found".
            const bool noUser = assign || error.serverMessage().startsWith(QLatin1String("User with"));
            fail(ExitCode::NotFound,
                 noUser ? tr("There is no user named '%1'. List the users with `users list`.").arg(m_text) : notHeld);
            return;
        }
        if (error.isError()) {
            fail(error, assign ? tr("Assigning role %1 to %2 failed").arg(role.name, m_text)
                               : tr("Taking role %1 from %2 failed").arg(role.name, m_text));
            return;
        }
        reportMembership(role, assign ? QStringLiteral("assigned") : QStringLiteral("unassigned"));
    });
}

void RolesCommand::reportMembership(const Role& role, const QString& action)
{
    session().rememberUser(m_text, KnownUsersRegistry::Origin::NamedInGrant);
    if (out().isJson()) {
        out().json(withCalls(QJsonObject{{QStringLiteral("role"), role.name},
                                         {QStringLiteral("role_id"), role.id},
                                         {QStringLiteral("workspace"), role.workspace},
                                         {QStringLiteral("username"), m_text},
                                         {QStringLiteral("action"), action}}));
    } else if (action == QLatin1String("unchanged")) {
        out().line(tr("%1 already holds role %2; nothing to do.").arg(m_text, role.name));
    } else if (action == QLatin1String("assigned")) {
        out().line(tr("%1 now holds role %2 in workspace %3.").arg(m_text, role.name, role.workspace));
    } else {
        out().line(tr("%1 no longer holds role %2.").arg(m_text, role.name));
    }
    done();
}

#include "app/cli/GrantsCommand.h"

#include "api/AuthApi.h"
#include "app/cli/CliSession.h"
#include "app/cli/OutputWriter.h"
#include "models/ChangeSet.h"
#include "models/Directory.h"

#include <QJsonObject>

namespace {

QJsonValue levelJson(std::optional<PermissionLevel> level)
{
    return level ? QJsonValue(Permissions::name(*level)) : QJsonValue(QJsonValue::Null);
}

QString levelText(std::optional<PermissionLevel> level)
{
    return level ? Permissions::name(*level) : QCoreApplication::translate("GrantsCommand", "no explicit grant");
}

QList<QCommandLineOption> resourceOptions()
{
    return {
        {QStringLiteral("experiment"), QCoreApplication::translate("GrantsCommand", "Experiment, by id or name."),
         QStringLiteral("NAME|ID")},
        {QStringLiteral("model"), QCoreApplication::translate("GrantsCommand", "Registered model, by name."),
         QStringLiteral("NAME")},
    };
}

} // namespace

GrantsCommand::GrantsCommand(CliContext* context, Action action) : CliCommand(context), m_action(action) {}

GrantsCommand::~GrantsCommand()
{
    m_changes.reset(); // before the Directory it refers to
}

QList<CommandSpec> GrantsCommand::specs()
{
    CommandSpec grant;
    grant.words = QStringList{QStringLiteral("grant")};
    grant.synopsis = QStringLiteral("USER LEVEL (--experiment NAME|ID | --model NAME)");
    grant.description = tr("give USER an explicit LEVEL (READ, USE, EDIT, MANAGE, NO_PERMISSIONS) on a resource");
    grant.argumentNames = QStringList{QStringLiteral("USER"), QStringLiteral("LEVEL")};
    grant.options = resourceOptions();
    grant.create = [](CliContext* context) -> CliCommand* {
        return new GrantsCommand(context, Action::Grant);
    };

    CommandSpec revoke;
    revoke.words = QStringList{QStringLiteral("revoke")};
    revoke.synopsis = QStringLiteral("USER (--experiment NAME|ID | --model NAME)");
    revoke.description = tr("remove USER's explicit grant on a resource");
    revoke.argumentNames = QStringList{QStringLiteral("USER")};
    revoke.options = resourceOptions();
    revoke.create = [](CliContext* context) -> CliCommand* {
        return new GrantsCommand(context, Action::Revoke);
    };
    return {grant, revoke};
}

bool GrantsCommand::readResourceOption(const QCommandLineParser& parser, ResourceType* type, QString* text,
                                       QString* error)
{
    const bool experiment = parser.isSet(QStringLiteral("experiment"));
    const bool model = parser.isSet(QStringLiteral("model"));
    if (experiment == model) {
        *error = tr("Name exactly one resource: --experiment NAME|ID or --model NAME.");
        return false;
    }
    *type = experiment ? ResourceType::Experiment : ResourceType::RegisteredModel;
    *text = parser.value(experiment ? QStringLiteral("experiment") : QStringLiteral("model"));
    if (text->isEmpty()) {
        *error = tr("The resource name is empty.");
        return false;
    }
    return true;
}

std::optional<PermissionLevel> GrantsCommand::parseLevel(const QString& text)
{
    // MLflow's own parse is case-sensitive; on the command line, "read" clearly means READ.
    QString name = text.trimmed().toUpper();
    name.replace(QLatin1Char('-'), QLatin1Char('_'));
    return Permissions::parse(name);
}

bool GrantsCommand::prepare()
{
    m_username = argument(0);
    QString error;
    if (!readResourceOption(m_context->parser, &m_type, &m_resourceText, &error)) {
        fail(ExitCode::Usage, error);
        return false;
    }
    if (m_action == Action::Grant) {
        const auto level = parseLevel(argument(1));
        if (!level) {
            fail(ExitCode::Usage,
                 tr("Unknown permission level '%1'. Use READ, USE, EDIT, MANAGE or NO_PERMISSIONS.").arg(argument(1)));
            return false;
        }
        m_level = *level;
    }
    return true;
}

void GrantsCommand::start()
{
    if (m_action == Action::Grant) {
        if (const std::optional<QString> refused = PlanRules::of(*session().auth()).refusal(m_level)) {
            fail(ExitCode::Unsupported, *refused);
            return;
        }
    }
    ResourceLookupJob* lookup = ResourceLookup::find(session().tracking(), m_type, m_resourceText, this);
    connect(lookup, &ApiJob::finished, this, [this, lookup] {
        if (lookup->hasError()) {
            if (lookup->error().kind() == ApiError::Kind::NotFound)
                fail(ExitCode::NotFound, lookup->error().serverMessage());
            else
                fail(lookup->error(), tr("Looking up the resource failed"));
            return;
        }
        change(lookup->value());
    });
}

void GrantsCommand::change(const ResolvedResource& resource)
{
    AuthApi* auth = session().auth();
    if (m_action == Action::Grant && m_level == PermissionLevel::NoPermissions && !auth->canGrantNoPermissions()) {
        fail(ExitCode::Usage, tr("This server does not store NO_PERMISSIONS grants. Use `revoke` instead."));
        return;
    }
    GrantJob* current = auth->getGrant(m_username, resource.type, resource.id);
    connect(current, &ApiJob::finished, this, [this, current, resource, auth] {
        // MLflow 3.13+ shows another user's grant only to admins, yet lets anyone holding MANAGE grant and revoke
        // there: such an account goes on without knowing the old level.
        m_beforeHidden = current->hasError() && current->error().kind() == ApiError::Kind::PermissionDenied &&
                         auth->generation() == ApiGeneration::Rbac;
        if (current->hasError() && current->error().kind() != ApiError::Kind::NotFound && !m_beforeHidden) {
            failForUser(current->error(), tr("Reading the current grant failed"));
            return;
        }
        std::optional<PermissionLevel> before;
        if (!current->hasError())
            before = current->value().level;
        if (m_action == Action::Revoke && !before && !m_beforeHidden) {
            fail(ExitCode::NotFound, tr("%1 has no explicit grant on %2 (or there is no such user); nothing was "
                                        "revoked. See `access --user %1`.")
                                         .arg(m_username, resource.describe()));
            return;
        }
        // Just what the planner needs: the user and their current grant on this one resource.
        User user;
        user.username = m_username;
        // The planner revokes only a grant it knows of; 3.13+ revokes without a level, so any level will do.
        const std::optional<PermissionLevel> known =
            m_beforeHidden && m_action == Action::Revoke ? std::optional(PermissionLevel::Read) : before;
        if (known) {
            Grant grant;
            grant.username = m_username;
            grant.resourceType = resource.type;
            grant.resourceId = resource.id;
            grant.level = *known;
            (resource.type == ResourceType::Experiment ? user.experimentGrants : user.modelGrants).append(grant);
        }
        m_directory = std::make_unique<Directory>();
        m_directory->setGeneration(auth->generation());
        // The resource too, so the audit trail names it as people know it.
        QList<Experiment> experiments;
        QList<RegisteredModel> models;
        if (resource.type == ResourceType::Experiment) {
            Experiment experiment;
            experiment.id = resource.id;
            experiment.name = resource.name;
            experiment.lifecycleStage = QStringLiteral("active");
            experiments.append(experiment);
        } else {
            RegisteredModel model;
            model.name = resource.id;
            models.append(model);
        }
        m_directory->setContents({user}, experiments, models, ListingSource::ServerApi);
        m_changes = std::make_unique<ChangeSet>(m_directory.get());
        const std::optional<PermissionLevel> target =
            m_action == Action::Grant ? std::optional<PermissionLevel>(m_level) : std::nullopt;
        if (!m_changes->stageGrant(m_username, resource.type, resource.id, target)) {
            fail(ExitCode::Other, tr("The change could not be staged."));
            return;
        }
        if (m_changes->isEmpty()) {
            report(resource, QStringLiteral("unchanged"), before, target);
            return;
        }
        auditApplies(m_changes.get());
        connect(m_changes.get(), &ChangeSet::applied, this, [this, resource, before] { onApplied(resource, before); });
        if (!m_changes->apply(auth))
            fail(ExitCode::Other, tr("The change could not be started."));
    });
}

void GrantsCommand::onApplied(const ResolvedResource& resource, std::optional<PermissionLevel> before)
{
    const StagedGrant* failed = m_changes->stagedGrant(m_username, resource.type, resource.id);
    if (!failed) {
        if (m_action == Action::Revoke)
            report(resource, QStringLiteral("revoked"), before, std::nullopt);
        else
            report(resource, before ? QStringLiteral("updated") : QStringLiteral("created"), before, m_level);
        return;
    }
    if (failed->isHalfApplied()) {
        // Nothing may be lost silently: the old level is gone and the new one is not there.
        fail(ExitCode::PartialFailure,
             tr("Changing %1's grant on %2 stopped half-way: the old %3 grant was revoked, but granting %4 then "
                "failed (%5). %1 now has no direct grant there. Run the same command again to retry, or `grant %1 %3` "
                "on the same resource to restore the old level.")
                 .arg(m_username, resource.describe(), Permissions::name(*failed->revokedLevel),
                      Permissions::name(m_level), failed->error.userMessage()));
        return;
    }
    if (m_beforeHidden && failed->error.kind() == ApiError::Kind::AlreadyExists) {
        fail(ExitCode::Other,
             tr("%1 already has a direct grant on %2 that this account may not read (MLflow shows it only to "
                "administrators); nothing was changed. Run `revoke %1` on the same resource first, then grant again.")
                 .arg(m_username, resource.describe()));
        return;
    }
    if (m_action == Action::Revoke)
        failForUser(failed->error, tr("Revoking failed"));
    else if (before)
        failForUser(failed->error, tr("Changing the grant failed"));
    else
        failForUser(failed->error, tr("Granting failed"));
}

void GrantsCommand::failForUser(const ApiError& error, const QString& what)
{
    if (error.kind() == ApiError::Kind::NotFound) {
        fail(ExitCode::NotFound, tr("There is no user named '%1'. List the users with `users list`.").arg(m_username));
        return;
    }
    fail(error, what);
}

void GrantsCommand::report(const ResolvedResource& resource, const QString& action,
                           std::optional<PermissionLevel> before, std::optional<PermissionLevel> after)
{
    // The server answered for this user, so the name is real: servers before 3.10 cannot list it later.
    session().rememberUser(m_username, KnownUsersRegistry::Origin::NamedInGrant);
    if (out().isJson()) {
        out().json(QJsonObject{
            {QStringLiteral("username"), m_username},
            {QStringLiteral("resource_type"), Resources::wireName(resource.type)},
            {QStringLiteral("resource_id"), resource.id},
            {QStringLiteral("resource_name"), resource.name},
            {QStringLiteral("action"), action},
            {QStringLiteral("before"), levelJson(before)},
            {QStringLiteral("after"), levelJson(after)},
        });
    } else if (action == QLatin1String("unchanged")) {
        out().line(
            tr("%1 already has %2 on %3; nothing to do.").arg(m_username, levelText(after), resource.describe()));
    } else if (action == QLatin1String("revoked")) {
        out().line(m_beforeHidden
                       ? tr("Revoked %1's direct grant on %2.").arg(m_username, resource.describe())
                       : tr("Revoked %1's %2 grant on %3.").arg(m_username, levelText(before), resource.describe()));
    } else {
        out().line(tr("Granted %1 on %2 to %3 (was: %4).")
                       .arg(levelText(after), resource.describe(), m_username,
                            m_beforeHidden ? tr("not visible to this account") : levelText(before)));
    }
    done();
}

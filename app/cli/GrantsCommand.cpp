#include "app/cli/GrantsCommand.h"

#include "api/AuthApi.h"
#include "app/cli/CliSession.h"
#include "app/cli/OutputWriter.h"

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
    ResourceLookupJob* lookup = ResourceLookup::find(session().tracking(), m_type, m_resourceText, this);
    connect(lookup, &ApiJob::finished, this, [this, lookup] {
        if (lookup->hasError()) {
            if (lookup->error().kind() == ApiError::Kind::NotFound)
                fail(ExitCode::NotFound, lookup->error().serverMessage());
            else
                fail(lookup->error(), tr("Looking up the resource failed"));
            return;
        }
        if (m_action == Action::Grant)
            grant(lookup->value());
        else
            revoke(lookup->value());
    });
}

void GrantsCommand::grant(const ResolvedResource& resource)
{
    AuthApi* auth = session().auth();
    if (m_level == PermissionLevel::NoPermissions && !auth->canGrantNoPermissions()) {
        fail(ExitCode::Usage, tr("This server does not store NO_PERMISSIONS grants. Use `revoke` instead."));
        return;
    }
    GrantJob* current = auth->getGrant(m_username, resource.type, resource.id);
    connect(current, &ApiJob::finished, this, [this, current, resource, auth] {
        Grant grant;
        grant.username = m_username;
        grant.resourceType = resource.type;
        grant.resourceId = resource.id;
        grant.level = m_level;
        if (!current->hasError()) {
            const PermissionLevel before = current->value().level;
            if (before == m_level) {
                report(resource, QStringLiteral("unchanged"), before, m_level);
                return;
            }
            if (auth->canUpdateGrantInPlace()) {
                ApiJob* update = auth->updateGrant(grant);
                connect(update, &ApiJob::finished, this, [this, update, resource, before] {
                    if (update->hasError())
                        failForUser(update->error(), tr("Changing the grant failed"));
                    else
                        report(resource, QStringLiteral("updated"), before, m_level);
                });
                return;
            }
            // Servers without in-place update: revoke, then grant the new level.
            ApiJob* removal = auth->deleteGrant(m_username, resource.type, resource.id);
            connect(removal, &ApiJob::finished, this, [this, removal, resource, before, grant, auth] {
                if (removal->hasError()) {
                    failForUser(removal->error(), tr("Changing the grant failed"));
                    return;
                }
                GrantJob* create = auth->createGrant(grant);
                connect(create, &ApiJob::finished, this, [this, create, resource, before] {
                    if (create->hasError())
                        failForUser(create->error(), tr("Granting the new level failed after the old grant was "
                                                        "removed; run the command again"));
                    else
                        report(resource, QStringLiteral("updated"), before, m_level);
                });
            });
            return;
        }
        if (current->error().kind() != ApiError::Kind::NotFound) {
            failForUser(current->error(), tr("Reading the current grant failed"));
            return;
        }
        GrantJob* create = auth->createGrant(grant);
        connect(create, &ApiJob::finished, this, [this, create, resource] {
            if (create->hasError())
                failForUser(create->error(), tr("Granting failed"));
            else
                report(resource, QStringLiteral("created"), std::nullopt, m_level);
        });
    });
}

void GrantsCommand::revoke(const ResolvedResource& resource)
{
    AuthApi* auth = session().auth();
    GrantJob* current = auth->getGrant(m_username, resource.type, resource.id);
    connect(current, &ApiJob::finished, this, [this, current, resource, auth] {
        if (current->hasError()) {
            if (current->error().kind() == ApiError::Kind::NotFound) {
                fail(ExitCode::NotFound, tr("%1 has no explicit grant on %2 (or there is no such user); nothing was "
                                            "revoked. See `access --user %1`.")
                                             .arg(m_username, resource.describe()));
            } else {
                failForUser(current->error(), tr("Reading the current grant failed"));
            }
            return;
        }
        const PermissionLevel before = current->value().level;
        ApiJob* removal = auth->deleteGrant(m_username, resource.type, resource.id);
        connect(removal, &ApiJob::finished, this, [this, removal, resource, before] {
            if (removal->hasError())
                failForUser(removal->error(), tr("Revoking failed"));
            else
                report(resource, QStringLiteral("revoked"), before, std::nullopt);
        });
    });
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
        out().line(tr("Revoked %1's %2 grant on %3.").arg(m_username, levelText(before), resource.describe()));
    } else {
        out().line(tr("Granted %1 on %2 to %3 (was: %4).")
                       .arg(levelText(after), resource.describe(), m_username, levelText(before)));
    }
    done();
}

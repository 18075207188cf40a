#include "app/cli/AccessCommand.h"

#include "app/cli/CliSession.h"
#include "app/cli/GrantsCommand.h"
#include "app/cli/OutputWriter.h"
#include "app/cli/ResourceLookup.h"
#include "models/AccessSnapshot.h"

#include <QJsonObject>

namespace {

// The level only when it is known; an unknown default is shown as such, never as a guessed level.
QVariant levelValue(const EffectivePermission& permission)
{
    if (!permission.isKnown())
        return QString();
    return Permissions::name(permission.level);
}

} // namespace

QList<CommandSpec> AccessCommand::specs()
{
    CommandSpec spec;
    spec.words = QStringList{QStringLiteral("access")};
    spec.synopsis = QStringLiteral("(--user U | --experiment E | --model M) [--default-permission LEVEL]");
    spec.description = tr("what a user can do everywhere, or who can do what on a resource, with reasons. Here "
                          "--user names the user to inspect; sign in through a profile, $MLFLOW_TRACKING_USERNAME or "
                          "an earlier --user");
    spec.options = {
        {QStringLiteral("experiment"), tr("Show who can access this experiment (id or name)."), QStringLiteral("E")},
        {QStringLiteral("model"), tr("Show who can access this registered model."), QStringLiteral("M")},
        defaultPermissionOption(),
    };
    // --user is the global sign-in option too: here it names the user to inspect (see CommandSpec).
    spec.userOptionIsSubject = true;
    spec.create = [](CliContext* context) -> CliCommand* {
        return new AccessCommand(context);
    };
    return {spec};
}

QCommandLineOption AccessCommand::defaultPermissionOption()
{
    return {QStringLiteral("default-permission"),
            tr("The server's default_permission (from its basic_auth.ini), to explain access without a grant; "
               "default: the profile's."),
            QStringLiteral("LEVEL")};
}

bool AccessCommand::readDefaultPermission(const QCommandLineParser& parser, std::optional<PermissionLevel>* level,
                                          QString* error)
{
    if (!parser.isSet(QStringLiteral("default-permission")))
        return true;
    *level = GrantsCommand::parseLevel(parser.value(QStringLiteral("default-permission")));
    if (!*level) {
        *error = tr("Unknown --default-permission '%1'. Use READ, USE, EDIT, MANAGE or NO_PERMISSIONS.")
                     .arg(parser.value(QStringLiteral("default-permission")));
        return false;
    }
    return true;
}

bool AccessCommand::prepare()
{
    const int chosen = (m_context->subjectUser.isEmpty() ? 0 : 1) + (isSet(QStringLiteral("experiment")) ? 1 : 0) +
                       (isSet(QStringLiteral("model")) ? 1 : 0);
    if (chosen != 1) {
        fail(ExitCode::Usage, tr("Give exactly one of --user U, --experiment E or --model M."));
        return false;
    }
    if (!readDefaultPermissionOption(&m_defaultPermission))
        return false;
    return true;
}

void AccessCommand::start()
{
    loadDirectory(
        m_loader, tr("Loading users and permissions failed"),
        [this] {
            m_loader->directory()->setDefaultPermission(m_defaultPermission ? m_defaultPermission
                                                                            : session().target().defaultPermission);
            if (!m_context->subjectUser.isEmpty())
                showUser(m_context->subjectUser);
            else if (isSet(QStringLiteral("experiment")))
                showResource(ResourceType::Experiment, option(QStringLiteral("experiment")));
            else
                showResource(ResourceType::RegisteredModel, option(QStringLiteral("model")));
        },
        m_context->subjectUser.isEmpty() ? QStringList() : QStringList{m_context->subjectUser});
}

void AccessCommand::showUser(const QString& username)
{
    const Directory* directory = m_loader->directory();
    if (!directory->hasUser(username)) {
        fail(ExitCode::NotFound, tr("There is no user named '%1' in the %2 listing. Check the name with `users "
                                    "list`.")
                                     .arg(username, m_loader->sourceDescription()));
        return;
    }
    session().rememberUser(username, KnownUsersRegistry::Origin::LookedUp);
    Table table;
    table.addColumn(QStringLiteral("resource_type"), tr("Type"));
    table.addColumn(QStringLiteral("resource_id"), tr("Id"));
    table.addColumn(QStringLiteral("resource_name"), tr("Name"));
    table.addColumn(QStringLiteral("permission"), tr("Permission"));
    table.addColumn(QStringLiteral("source"), tr("Source"));
    table.addColumn(QStringLiteral("reason"), tr("Reason"));
    for (const ResourceType type : {ResourceType::Experiment, ResourceType::RegisteredModel}) {
        for (int row = 0; row < directory->resourceCount(type); ++row) {
            const QString id = directory->resourceIdAt(type, row);
            const EffectivePermission permission = directory->effectivePermission(username, type, id);
            table.addRow({Resources::wireName(type), id, directory->resourceNameAt(type, row), levelValue(permission),
                          AccessSnapshot::sourceKey(permission.source), permission.reason()});
        }
    }
    if (out().isJson()) {
        out().json(QJsonObject{{QStringLiteral("username"), username},
                               {QStringLiteral("is_admin"), directory->isAdmin(username)},
                               {QStringLiteral("user_source"), m_loader->sourceDescription()},
                               {QStringLiteral("access"), table.toJson()}});
    } else {
        out().table(
            table,
            tr("Access of %1%2:").arg(username, directory->isAdmin(username) ? tr(" (administrator)") : QString()));
    }
    done();
}

void AccessCommand::showResource(ResourceType type, const QString& text)
{
    const Directory* directory = m_loader->directory();
    int row = directory->resourceRow(type, text);
    if (row < 0 && type == ResourceType::Experiment)
        row = directory->experimentRowByName(text);
    if (row < 0) {
        fail(ExitCode::NotFound, ResourceLookup::notFoundMessage(type, text));
        return;
    }
    const QString id = directory->resourceIdAt(type, row);
    const ResolvedResource resource{type, id, directory->resourceNameAt(type, row)};
    Table table;
    table.addColumn(QStringLiteral("username"), tr("User"));
    table.addColumn(QStringLiteral("permission"), tr("Permission"));
    table.addColumn(QStringLiteral("source"), tr("Source"));
    table.addColumn(QStringLiteral("reason"), tr("Reason"));
    for (int userRow = 0; userRow < directory->userCount(); ++userRow) {
        const QString username = directory->userAt(userRow).username;
        const EffectivePermission permission = directory->effectivePermission(username, type, id);
        table.addRow(
            {username, levelValue(permission), AccessSnapshot::sourceKey(permission.source), permission.reason()});
    }
    if (out().isJson()) {
        out().json(QJsonObject{{QStringLiteral("resource_type"), Resources::wireName(type)},
                               {QStringLiteral("resource_id"), id},
                               {QStringLiteral("resource_name"), resource.name},
                               {QStringLiteral("user_source"), m_loader->sourceDescription()},
                               {QStringLiteral("access"), table.toJson()}});
    } else {
        out().table(table,
                    tr("Access to %1 (users from: %2):").arg(resource.describe(), m_loader->sourceDescription()));
    }
    done();
}

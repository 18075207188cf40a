#include "app/cli/DiffCommand.h"

#include "app/cli/AccessCommand.h"
#include "app/cli/CliSession.h"
#include "app/cli/OutputWriter.h"
#include "app/cli/SnapshotCommand.h"
#include "models/SnapshotDiff.h"

#include <QFileInfo>

QList<CommandSpec> DiffCommand::specs()
{
    CommandSpec diff;
    diff.words = QStringList{QStringLiteral("diff")};
    diff.synopsis = QStringLiteral("A (B | --live) [--default-permission LEVEL]");
    diff.description = tr("who gained, lost or changed access between snapshot A and snapshot B or the server now; "
                          "exit 0 when nothing differs, 1 when something does");
    diff.argumentNames = QStringList{QStringLiteral("A"), QStringLiteral("B")};
    diff.optionalArguments = 1;
    diff.options = {
        {QStringLiteral("live"), tr("Compare A with the server as it is now (loaded as `matrix` does).")},
        {QStringLiteral("default-permission"),
         tr("With --live: the server's default_permission now; default: the profile's, else A's."),
         QStringLiteral("LEVEL")},
    };
    diff.create = [](CliContext* context) -> CliCommand* {
        return new DiffCommand(context);
    };
    return {diff};
}

ExitCode DiffCommand::errorExitCode(ExitCode code) const
{
    return code == ExitCode::Other ? ExitCode::Usage : code;
}

bool DiffCommand::prepare()
{
    m_live = isSet(QStringLiteral("live"));
    const bool hasB = m_context->arguments.size() > 1;
    if (m_live == hasB) {
        fail(ExitCode::Usage, hasB ? tr("Give either a second snapshot B or --live, not both.")
                                   : tr("Give a second snapshot B to compare with, or --live for the server now."));
        return false;
    }
    if (!m_live && isSet(QStringLiteral("default-permission"))) {
        fail(ExitCode::Usage, tr("--default-permission is for --live only: snapshots hold their own."));
        return false;
    }
    if (!readDefaultPermissionOption(&m_defaultPermission))
        return false;
    QString error;
    auto before = AccessSnapshot::readFile(argument(0), &error);
    if (!before) {
        fail(ExitCode::Usage, error, QStringLiteral("InvalidSnapshot"));
        return false;
    }
    m_before = *before;
    return true;
}

void DiffCommand::start()
{
    if (!m_live) {
        QString error;
        const auto after = AccessSnapshot::readFile(argument(1), &error);
        if (!after) {
            fail(ExitCode::Usage, error, QStringLiteral("InvalidSnapshot"));
            return;
        }
        compare(*after, QFileInfo(argument(1)).fileName());
        return;
    }
    // The REST API does not tell the default permission: without a better source, assume it is what A recorded.
    QString error;
    const bool started = SnapshotCommand::takeLive(
        session(), m_loader, m_defaultPermission, m_before.defaultPermission(),
        [this](const ApiError& failure, const AccessSnapshot& live) {
            if (failure.isError()) {
                fail(failure, tr("Loading the access picture failed"));
                return;
            }
            compare(live, QStringLiteral("live"));
        },
        &error);
    if (!started)
        fail(ExitCode::Other, error);
}

void DiffCommand::compare(const AccessSnapshot& after, const QString& afterLabel)
{
    const SnapshotDiff diff = SnapshotDiff::compare(m_before, after);
    const QString beforeLabel = QFileInfo(argument(0)).fileName();
    if (out().isJson()) {
        out().json(diff.toJson(m_before, beforeLabel, after, afterLabel));
        done(diff.isEmpty() ? ExitCode::Ok : ExitCode::Other);
        return;
    }
    const auto when = [](const AccessSnapshot& snapshot) {
        return snapshot.takenAt().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'"));
    };
    out().line(tr("Comparing %1 (%2, %3) with %4 (%5, %6).")
                   .arg(beforeLabel, when(m_before), m_before.serverUrl(), afterLabel, when(after), after.serverUrl()));
    if (diff.isEmpty()) {
        out().line(tr("No differences."));
        done();
        return;
    }
    const auto none = [](const QString& text) {
        return text.isEmpty() ? tr("(none)") : text;
    };
    for (const SnapshotDiff::HeaderChange& change : diff.headerChanges())
        out().line(tr("%1: %2 -> %3").arg(change.field, none(change.before), none(change.after)));
    const auto userList = [](const QList<AccessSnapshot::UserEntry>& users) {
        QStringList names;
        for (const AccessSnapshot::UserEntry& user : users)
            names.append(user.isAdmin ? tr("%1 (admin)").arg(user.username) : user.username);
        return names.join(QLatin1String(", "));
    };
    if (!diff.addedUsers().isEmpty())
        out().line(tr("Users added: %1").arg(userList(diff.addedUsers())));
    if (!diff.removedUsers().isEmpty())
        out().line(tr("Users removed: %1").arg(userList(diff.removedUsers())));
    for (const SnapshotDiff::AdminChange& change : diff.adminChanges())
        out().line(change.wasAdmin ? tr("%1 is no longer an administrator").arg(change.username)
                                   : tr("%1 became an administrator").arg(change.username));
    const auto resourceList = [](const QList<AccessSnapshot::ResourceEntry>& resources) {
        QStringList names;
        for (const AccessSnapshot::ResourceEntry& resource : resources)
            names.append(resource.type == ResourceType::Experiment ? resource.name : tr("model:%1").arg(resource.name));
        return names.join(QLatin1String(", "));
    };
    if (!diff.addedResources().isEmpty())
        out().line(tr("Resources added: %1").arg(resourceList(diff.addedResources())));
    if (!diff.removedResources().isEmpty())
        out().line(tr("Resources removed: %1").arg(resourceList(diff.removedResources())));
    if (!diff.cellChanges().isEmpty()) {
        Table table;
        table.addColumn(QStringLiteral("user"), tr("User"));
        table.addColumn(QStringLiteral("resource_type"), tr("Type"));
        table.addColumn(QStringLiteral("resource"), tr("Resource"));
        table.addColumn(QStringLiteral("change"), tr("Change"));
        table.addColumn(QStringLiteral("before"), tr("Before"));
        table.addColumn(QStringLiteral("after"), tr("After"));
        for (const SnapshotDiff::CellChange& change : diff.cellChanges())
            table.addRow({change.username, Resources::wireName(change.type), change.resourceName,
                          SnapshotDiff::changeText(change), SnapshotDiff::sideText(change.before),
                          SnapshotDiff::sideText(change.after)});
        out().table(table, tr("Access that changed:"));
    }
    done(ExitCode::Other);
}

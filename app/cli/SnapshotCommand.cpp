#include "app/cli/SnapshotCommand.h"

#include "api/Connection.h"
#include "app/cli/AccessCommand.h"
#include "app/cli/CliSession.h"
#include "app/cli/OutputWriter.h"

#include <QFileInfo>

QList<CommandSpec> SnapshotCommand::specs()
{
    CommandSpec save;
    save.words = QStringList{QStringLiteral("snapshot"), QStringLiteral("save")};
    save.synopsis = QStringLiteral("FILE [--default-permission LEVEL]");
    save.description = tr("save who can access what, and why, as a snapshot for `diff` and reports "
                          "(docs/snapshot-format.md)");
    save.argumentNames = QStringList{QStringLiteral("FILE")};
    save.options = {AccessCommand::defaultPermissionOption()};
    save.create = [](CliContext* context) -> CliCommand* {
        return new SnapshotCommand(context);
    };
    return {save};
}

bool SnapshotCommand::prepare()
{
    if (argument(0).isEmpty()) {
        fail(ExitCode::Usage, tr("The snapshot file name is empty. Give the file to write, e.g. access.json."));
        return false;
    }
    if (!readDefaultPermissionOption(&m_defaultPermission))
        return false;
    return true;
}

void SnapshotCommand::start()
{
    QString error;
    const bool started = takeLive(
        session(), m_loader, m_defaultPermission, std::nullopt,
        [this](const ApiError& error, const AccessSnapshot& snapshot) {
            if (error.isError()) {
                fail(error, tr("Loading the access picture failed"));
                return;
            }
            QString problem;
            if (!snapshot.writeFile(argument(0), &problem)) {
                fail(ExitCode::Other, problem);
                return;
            }
            const QString path = QFileInfo(argument(0)).absoluteFilePath();
            if (out().isJson()) {
                out().json(QJsonObject{{QStringLiteral("file"), path},
                                       {QStringLiteral("taken_at"), snapshot.takenAt().toString(Qt::ISODateWithMs)},
                                       {QStringLiteral("users"), snapshot.users().size()},
                                       {QStringLiteral("resources"), snapshot.resources().size()},
                                       {QStringLiteral("cells"), snapshot.cells().size()}});
            } else {
                out().line(tr("Saved the access snapshot of %1 (%2 users, %3 resources, %4 cells with access "
                              "or a grant) to %5.")
                               .arg(snapshot.serverUrl())
                               .arg(snapshot.users().size())
                               .arg(snapshot.resources().size())
                               .arg(snapshot.cells().size())
                               .arg(path));
                if (!snapshot.defaultPermission())
                    out().note(tr("The server's default permission is not known, so the snapshot says "
                                  "\"unknown\" where no grant applies. Give --default-permission LEVEL to "
                                  "record it."));
            }
            done();
        },
        &error);
    if (!started)
        fail(ExitCode::Other, error);
}

bool SnapshotCommand::takeLive(CliSession& session, std::unique_ptr<DirectoryLoader>& loader,
                               std::optional<PermissionLevel> defaultPermission,
                               std::optional<PermissionLevel> fallbackDefault,
                               std::function<void(const ApiError&, const AccessSnapshot&)> taken, QString* error)
{
    loader = std::make_unique<DirectoryLoader>(&session);
    DirectoryLoader* running = loader.get();
    return loader->load(
        [&session, running, defaultPermission, fallbackDefault, taken](const ApiError& failure) {
            if (failure.isError()) {
                taken(failure, AccessSnapshot());
                return;
            }
            Directory* directory = running->directory();
            std::optional<PermissionLevel> level = defaultPermission;
            if (!level)
                level = session.target().defaultPermission;
            if (!level)
                level = fallbackDefault;
            directory->setDefaultPermission(level);
            AccessSnapshot::Origin origin;
            origin.serverUrl = session.connection()->baseUrl().toString();
            origin.mlflowVersion = session.probe().version;
            origin.workspace = session.workspaceRequested() ? session.workspace() : QString();
            origin.mlflowAccount = session.connection()->username();
            taken(ApiError(), AccessSnapshot::fromDirectory(*directory, origin));
        },
        error);
}

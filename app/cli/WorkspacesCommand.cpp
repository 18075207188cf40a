#include "app/cli/WorkspacesCommand.h"

#include "api/WorkspaceApi.h"
#include "app/cli/CliSession.h"
#include "app/cli/OutputWriter.h"

#include <QJsonObject>

QList<CommandSpec> WorkspacesCommand::specs()
{
    CommandSpec spec;
    spec.words = QStringList{QStringLiteral("workspaces"), QStringLiteral("list")};
    spec.description = tr("list the workspaces you may see (MLflow 3.10+ with workspaces enabled)");
    spec.create = [](CliContext* context) -> CliCommand* {
        return new WorkspacesCommand(context);
    };
    return {spec};
}

void WorkspacesCommand::start()
{
    if (session().serverInfo()) {
        list(); // the session has checked already that the server has workspaces
        return;
    }
    ServerInfoJob* info = WorkspaceApi(session().connection()).serverInfo(this);
    connect(info, &ApiJob::finished, this, [this, info] {
        if (info->hasError()) {
            fail(info->error(), tr("Checking whether the server has workspaces failed"));
            return;
        }
        if (!info->value().workspacesEnabled) {
            // MLflow 3.14 without workspaces answers the list with a plain-text 503; say what it means instead.
            fail(ExitCode::Unsupported,
                 tr("This server has no workspaces (MLflow before 3.10, or a server started without "
                    "--enable-workspaces): everything lives in the one workspace `default`."),
                 QStringLiteral("NotSupported"));
            return;
        }
        list();
    });
}

void WorkspacesCommand::list()
{
    WorkspaceListJob* job = WorkspaceApi(session().connection()).list(this);
    connect(job, &ApiJob::finished, this, [this, job] {
        if (job->hasError()) {
            fail(job->error(), tr("Listing the workspaces failed"));
            return;
        }
        Table table;
        table.addColumn(QStringLiteral("name"), tr("Workspace"));
        table.addColumn(QStringLiteral("description"), tr("Description"));
        table.addColumn(QStringLiteral("current"), tr("In use"));
        for (const Workspace& workspace : job->value())
            table.addRow({workspace.name, workspace.description, workspace.name == session().workspace()});
        if (out().isJson())
            out().json(QJsonObject{{QStringLiteral("workspace"), session().workspace()},
                                   {QStringLiteral("workspaces"), table.toJson()}});
        else
            out().table(table);
        done();
    });
}

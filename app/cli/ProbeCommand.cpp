#include "app/cli/ProbeCommand.h"

#include "app/cli/CliSession.h"
#include "app/cli/OutputWriter.h"
#include "models/AccessSnapshot.h"

#include <QJsonObject>

QList<CommandSpec> ProbeCommand::specs()
{
    CommandSpec spec;
    spec.words = QStringList{QStringLiteral("probe")};
    spec.description =
        tr("check the server: MLflow version, API generation, users/list, workspaces, whether you are an admin");
    spec.create = [](CliContext* context) -> CliCommand* {
        return new ProbeCommand(context);
    };
    return {spec};
}

void ProbeCommand::start()
{
    if (session().serverInfo()) {
        report(session().serverInfo());
        return;
    }
    ServerInfoJob* info = WorkspaceApi(session().connection()).serverInfo(this);
    connect(info, &ApiJob::finished, this, [this, info] {
        // A failure here (e.g. a proxy refusing the route) leaves the answer unknown; the probe itself succeeded.
        report(info->hasError() ? std::nullopt : std::optional<ServerInfo>(info->value()));
    });
}

void ProbeCommand::report(const std::optional<ServerInfo>& info)
{
    const ProbeResult& probe = session().probe();
    const QString url = session().target().url.toDisplayString();
    if (out().isJson()) {
        out().json(QJsonObject{
            {QStringLiteral("url"), url},
            {QStringLiteral("status"), ProbeResult::statusName(probe.status)},
            {QStringLiteral("version"), probe.version},
            {QStringLiteral("api_generation"), AccessSnapshot::generationKey(probe.generation)},
            {QStringLiteral("health_ok"), probe.healthOk},
            {QStringLiteral("basic_auth"), probe.basicAuthEnabled},
            {QStringLiteral("users_list"), probe.hasUsersList},
            {QStringLiteral("username"), probe.user.username},
            {QStringLiteral("is_admin"), probe.isAdmin},
            {QStringLiteral("workspaces_enabled"),
             info ? QJsonValue(info->workspacesEnabled) : QJsonValue(QJsonValue::Null)},
            {QStringLiteral("workspace"), session().workspace()},
            {QStringLiteral("message"), probe.userMessage()},
        });
        done();
        return;
    }
    Table table;
    table.addColumn(QStringLiteral("property"), tr("Property"));
    table.addColumn(QStringLiteral("value"), tr("Value"));
    table.addRow({tr("Server"), url});
    table.addRow({tr("MLflow version"), probe.version.isEmpty() ? tr("unknown") : probe.version});
    table.addRow({tr("API generation"), AccessSnapshot::generationKey(probe.generation)});
    table.addRow({tr("Health check"), probe.healthOk});
    table.addRow({tr("Basic-auth app"), probe.basicAuthEnabled});
    table.addRow({tr("users/list endpoint"), probe.hasUsersList});
    table.addRow({tr("Signed in as"), probe.user.username});
    table.addRow({tr("Administrator"), probe.isAdmin});
    table.addRow({tr("Workspaces"), info ? QVariant(info->workspacesEnabled) : QVariant(tr("unknown"))});
    table.addRow({tr("Workspace in use"), session().workspace()});
    out().table(table);
    out().line(probe.userMessage());
    done();
}

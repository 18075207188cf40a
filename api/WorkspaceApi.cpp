#include "api/WorkspaceApi.h"

#include "api/Connection.h"
#include "api/JobChain.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace {

const QString serverInfoPath = QStringLiteral("/api/3.0/mlflow/server-info");
const QString workspacesPath = QStringLiteral("/api/3.0/mlflow/workspaces");

} // namespace

QString WorkspaceApi::nameProblem(const QString& name)
{
    // MLflow 3.14's own rule (workspace_helpers), so a typo is caught before any request goes out.
    if (name.size() < 2 || name.size() > 63)
        return tr("The workspace name '%1' must be between 2 and 63 characters.").arg(name);
    static const QRegularExpression pattern(QStringLiteral("^(?!.*--)[a-z0-9]([-a-z0-9]*[a-z0-9])?$"));
    if (!pattern.match(name).hasMatch()) {
        return tr("The workspace name '%1' is not valid: MLflow allows only lowercase letters, digits and single "
                  "hyphens inside the name.")
            .arg(name);
    }
    static const QStringList reserved = {QStringLiteral("workspaces"), QStringLiteral("api"),
                                         QStringLiteral("ajax-api"), QStringLiteral("static-files")};
    if (reserved.contains(name))
        return tr("'%1' is reserved by MLflow and cannot be a workspace name.").arg(name);
    return {};
}

ServerInfoJob* WorkspaceApi::serverInfo(QObject* parent)
{
    auto* job = new ServerInfoJob(parent);
    if (!m_connection)
        return JobChain::failSoon(job, ApiError(ApiError::Kind::Cancelled));
    ApiReply* reply = m_connection->get(serverInfoPath);
    job->follow(reply);
    QObject::connect(reply, &ApiJob::finished, job, [job, reply] {
        ServerInfo info;
        if (reply->hasError()) {
            // Older servers have no such route: no workspaces. Anything else is a real failure.
            if (reply->error().kind() == ApiError::Kind::EndpointNotFound)
                job->succeed(info);
            else
                job->fail(reply->error());
            return;
        }
        info.available = true;
        info.workspacesEnabled = reply->json().value(QLatin1String("workspaces_enabled")).toBool();
        info.storeType = reply->json().value(QLatin1String("store_type")).toString();
        job->succeed(info);
    });
    return job;
}

WorkspaceCheckJob* WorkspaceApi::exists(const QString& name, QObject* parent)
{
    auto* job = new WorkspaceCheckJob(parent);
    if (!m_connection)
        return JobChain::failSoon(job, ApiError(ApiError::Kind::Cancelled));
    // A connection of its own without credentials, so that the name is checked before the real one adopts it.
    auto* probe = new Connection(m_connection->baseUrl(), QString(), QString(), job);
    QString tlsError;
    probe->setTlsPolicy(m_connection->tlsPolicy(), &tlsError); // the main connection loaded this policy already
    probe->setDefaultTimeout(m_connection->defaultTimeout());
    probe->setWorkspace(name);
    RequestOptions options;
    options.authenticate = false;
    options.expectJson = false;
    ApiReply* reply = probe->get(QStringLiteral("/health"), {}, options);
    job->follow(reply);
    QObject::connect(reply, &ApiJob::finished, job, [job, reply] {
        if (!reply->hasError()) {
            job->succeed(true);
            return;
        }
        // MLflow's JSON 404 ("Workspace 'x' not found"), not a missing route.
        if (reply->error().kind() == ApiError::Kind::NotFound)
            job->succeed(false);
        else
            job->fail(reply->error());
    });
    return job;
}

WorkspaceListJob* WorkspaceApi::list(QObject* parent)
{
    if (!m_connection)
        return JobChain::failSoon(new WorkspaceListJob(parent), ApiError(ApiError::Kind::Cancelled));
    return JobChain::map<QList<Workspace>>(
        m_connection->get(workspacesPath), parent, [](const ApiReply* reply, ApiError*) {
            QList<Workspace> workspaces;
            // MLflow omits an empty list: {}.
            for (const QJsonValue& value : reply->json().value(QLatin1String("workspaces")).toArray()) {
                const QJsonObject object = value.toObject();
                Workspace workspace;
                workspace.name = object.value(QLatin1String("name")).toString();
                workspace.description = object.value(QLatin1String("description")).toString();
                if (!workspace.name.isEmpty())
                    workspaces.append(workspace);
            }
            return std::optional<QList<Workspace>>(workspaces);
        });
}

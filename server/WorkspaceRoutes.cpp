#include "server/WorkspaceRoutes.h"

#include "server/MlflowError.h"
#include "server/RequestParams.h"
#include "server/WorkspaceStore.h"

#include <QJsonArray>

namespace {

const QString kCollection = QStringLiteral("workspaces");

QString workspaceName(const RequestContext& context)
{
    return context.request.path.section(QLatin1Char('/'), -1);
}

bool isVisibleTo(const RequestContext& context, const QString& workspace)
{
    if (context.user.isAdmin)
        return true;
    WorkspaceRoleHooks* roles = context.state.workspaceRoles;
    return roles && roles->visibleWorkspaces(context.user).contains(workspace);
}

void requireAdmin(const RequestContext& context)
{
    if (!context.user.isAdmin)
        throw HttpFailure::permissionDenied();
}

HttpResponse workspaceResponse(const QJsonObject& workspace, int status = 200)
{
    return HttpResponse::prettyJsonObject({{QStringLiteral("workspace"), workspace}}, status);
}

HttpResponse listWorkspaces(const RequestContext& context)
{
    QJsonArray visible;
    const QJsonArray all = context.state.workspaces->list();
    for (const QJsonValue& workspace : all) {
        if (isVisibleTo(context, workspace.toObject().value(QStringLiteral("name")).toString()))
            visible.append(workspace);
    }
    QJsonObject response;
    if (!visible.isEmpty())
        response.insert(kCollection, visible);
    return HttpResponse::prettyJsonObject(response);
}

HttpResponse createWorkspace(const RequestContext& context)
{
    requireAdmin(context);
    const RequestParams p = RequestParams::forTracking(context.request);
    const QString name = p.requiredString(QStringLiteral("name"));
    const QJsonObject workspace =
        context.state.workspaces->create(name, p.optionalString(QStringLiteral("description")),
                                         p.optionalString(QStringLiteral("default_artifact_root")));
    if (WorkspaceRoleHooks* roles = context.state.workspaceRoles)
        roles->seedRoles(name);
    return workspaceResponse(workspace, 201);
}

// 3.14 leaves this open to every user; we require presence in the workspace.
HttpResponse getWorkspace(const RequestContext& context)
{
    const QString name = workspaceName(context);
    if (!isVisibleTo(context, name))
        throw HttpFailure::permissionDenied();
    if (name != defaultWorkspace)
        WorkspaceStore::validateName(name);
    return workspaceResponse(context.state.workspaces->workspace(name));
}

// 3.14 leaves this open to every user; we require an admin or the workspace's MANAGE holder.
HttpResponse updateWorkspace(const RequestContext& context)
{
    const QString name = workspaceName(context);
    if (!context.user.isAdmin) {
        WorkspaceRoleHooks* roles = context.state.workspaceRoles;
        if (!roles || !roles->managesWorkspace(context.user, name))
            throw HttpFailure::permissionDenied();
    }
    const RequestParams p = RequestParams::forTracking(context.request);
    return workspaceResponse(
        context.state.workspaces->update(name, p.optionalString(QStringLiteral("description")),
                                         p.optionalString(QStringLiteral("default_artifact_root"))));
}

// 3.14 leaves this open to every user; we require an admin. Every role of the workspace goes with it, whatever the
// mode (3.14 drops them on RESTRICT too: the scratch roles are gone after its delete).
HttpResponse deleteWorkspace(const RequestContext& context)
{
    requireAdmin(context);
    const QString name = workspaceName(context);
    const WorkspaceStore::DeletionMode mode =
        WorkspaceStore::parseDeletionMode(context.request.queryValue(QStringLiteral("mode")));
    context.state.workspaces->remove(name, mode);
    if (WorkspaceRoleHooks* roles = context.state.workspaceRoles)
        roles->dropRoles(name);
    return HttpResponse::html(QByteArray(), 204);
}

// Flask's jsonify: compact, with a trailing newline. It answers before any header check (see MlflowService).
HttpResponse serverInfo(const RequestContext& context)
{
    HttpResponse response =
        HttpResponse::jsonObject({{QStringLiteral("store_type"), QStringLiteral("SqlStore")},
                                  {QStringLiteral("trace_archival_enabled"), false},
                                  {QStringLiteral("workspaces_enabled"), context.state.dialect.workspaces}});
    response.body += '\n';
    return response;
}

// What 3.14 answers for its workspace endpoints when started without --enable-workspaces; `rule` is Flask's URL
// rule, which the message quotes. A non-admin POST is refused by the auth layer first.
RouteHandler disabled(const QString& rule, bool adminOnly)
{
    return [rule, adminOnly](const RequestContext& context) {
        if (adminOnly)
            requireAdmin(context);
        return HttpResponse::html(QStringLiteral("Endpoint: %1 disabled because the server is running without "
                                                 "workspaces support. To enable workspace, run `mlflow server` with "
                                                 "`--enable-workspaces`")
                                      .arg(rule)
                                      .toUtf8(),
                                  503);
    };
}

} // namespace

namespace WorkspaceRoutes {

void registerAll(RouteTable& routes, const Dialect& dialect)
{
    if (!dialect.isMlflow3())
        return;
    for (const QString& prefix : {api3Prefix, ajaxApi3Prefix}) {
        routes.add("GET", prefix + QStringLiteral("server-info"), serverInfo);
        const QString collection = prefix + kCollection;
        const QString item = collection + QLatin1Char('/');
        if (dialect.workspaces) {
            routes.add("GET", collection, listWorkspaces);
            routes.add("POST", collection, createWorkspace);
            routes.addPrefixed("GET", item, getWorkspace);
            routes.addPrefixed("PATCH", item, updateWorkspace);
            routes.addPrefixed("DELETE", item, deleteWorkspace);
        } else {
            routes.add("GET", collection, disabled(collection, false));
            routes.add("POST", collection, disabled(collection, true));
            const QString itemRule = item + QStringLiteral("<workspace_name>");
            for (const QByteArray& method : {QByteArray("GET"), QByteArray("PATCH"), QByteArray("DELETE")})
                routes.addPrefixed(method, item, disabled(itemRule, false));
        }
    }
}

} // namespace WorkspaceRoutes

#pragma once

#include "api/PermissionLevel.h"
#include "server/AuthConfig.h"
#include "server/AuthStore.h"
#include "server/Dialect.h"
#include "server/HttpMessage.h"

#include <QHash>
#include <QSet>

#include <functional>

class Authenticator;
class PasswordCheckPool;
class PasswordDerivations;
class Policy;
class RbacStore;
class TrackingStore;
class WorkspaceStore;

// What workspace creation and deletion need from the 3.x auth side (roles live in the auth database, workspaces in
// the tracking database). Implemented by the 3.14 role store; ServerState holds null when there is none, and the
// workspace routes then seed and drop nothing.
class WorkspaceRoleHooks
{
public:
    virtual ~WorkspaceRoleHooks() = default;
    // A new workspace gets MLflow's seeded roles `admin` (workspace:* MANAGE) and `user` (workspace:* USE).
    virtual void seedRoles(const QString& workspace) = 0;
    // Every role of the workspace goes (seeded, custom and hidden per-user ones), with their grants and assignments.
    virtual void dropRoles(const QString& workspace) = 0;
    // The workspaces a non-admin may see in GET workspaces and read with GET workspaces/<name> (MLflow 3.14: any
    // admin-created role assignment there, or a hidden role holding a workspace:* grant). Admins are not asked.
    virtual QSet<QString> visibleWorkspaces(const UserRecord& user) = 0;
    // Whether a non-admin holds workspace:* MANAGE in the workspace (may PATCH it).
    virtual bool managesWorkspace(const UserRecord& user, const QString& workspace) = 0;
};

// Everything a request handler may touch. Owned by MlflowService; handlers get it through RequestContext.
struct ServerState
{
    Dialect dialect;
    AuthConfig config;
    PermissionLevel defaultPermission = PermissionLevel::Read;
    AuthStore* auth = nullptr;      // the 2.x auth store (Mlflow2 only)
    RbacStore* rbac = nullptr;      // the 3.x auth store (Mlflow3 only)
    UserDirectory* users = nullptr; // whichever of the two holds the users
    TrackingStore* tracking = nullptr;
    Authenticator* authenticator = nullptr;
    PasswordCheckPool* passwordChecks = nullptr;  // key derivations off the request thread; null: derive in place
    WorkspaceStore* workspaces = nullptr;         // only with Dialect::workspaces
    WorkspaceRoleHooks* workspaceRoles = nullptr; // null until the 3.x auth store provides it
};

// One authenticated request on its way through policy and handler.
struct RequestContext
{
    const HttpRequest& request;
    const UserRecord& user;
    ServerState& state;
    const Policy& policy;
    // The request's workspace (X-MLFLOW-WORKSPACE with workspaces on); every role lookup is scoped to it.
    QString workspace = defaultWorkspace;
    // Derivations done for this request off the request thread; null: handlers derive in place.
    PasswordDerivations* passwords = nullptr;
};

using RouteHandler = std::function<HttpResponse(const RequestContext&)>;

// Exact (method, path) routes; registered by AuthRoutes, TrackingRoutes and WorkspaceRoutes. A few paths carry a
// name after a fixed prefix (`/workspaces/<name>`): those are registered with addPrefixed() and match only one
// non-empty path segment after the prefix, so exact routes stay the rule and nothing else is pattern-matched.
class RouteTable
{
public:
    void add(const QByteArray& method, const QString& path, RouteHandler handler);
    void addPrefixed(const QByteArray& method, const QString& prefix, RouteHandler handler);
    const RouteHandler* find(const QByteArray& method, const QString& path) const;
    bool hasPath(const QString& path) const;
    // The methods routed for the path, in alphabetical order (what an Allow header lists, before HEAD and OPTIONS).
    QList<QByteArray> methodsOf(const QString& path) const;
    // Every route as "METHOD path", prefixed ones as "METHOD prefix" (e.g. for a fuzzer that must reach them all).
    QStringList routes() const;

private:
    const QString* prefixOf(const QString& path) const;

    QHash<QString, RouteHandler> m_routes; // "METHOD path"
    QSet<QString> m_paths;
    QHash<QString, RouteHandler> m_prefixedRoutes; // "METHOD prefix"
    QList<QString> m_prefixes;
};

// The path segment after a prefix registered with RouteTable::addPrefixed (the workspace name).
QString pathTail(const QString& path, const QString& prefix);

// The prefixes MLflow serves the REST API under. Auth endpoints exist only under the first in 2.15.1.
inline const QString apiPrefix = QStringLiteral("/api/2.0/mlflow/");
inline const QString ajaxApiPrefix = QStringLiteral("/ajax-api/2.0/mlflow/");
// MLflow 3.x's newer auth endpoints (users/permissions/*, roles/*).
inline const QString api3Prefix = QStringLiteral("/api/3.0/mlflow/");
inline const QString ajaxApi3Prefix = QStringLiteral("/ajax-api/3.0/mlflow/");

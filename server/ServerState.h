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
class Policy;
class RbacStore;
class TrackingStore;

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
};

// The workspace of a request when workspaces are off (and MLflow's name for the one that always exists).
inline const QString defaultWorkspace = QStringLiteral("default");

// One authenticated request on its way through policy and handler.
struct RequestContext
{
    const HttpRequest& request;
    const UserRecord& user;
    ServerState& state;
    const Policy& policy;
    // The request's workspace (X-MLFLOW-WORKSPACE with workspaces on); every role lookup is scoped to it.
    QString workspace = defaultWorkspace;
};

using RouteHandler = std::function<HttpResponse(const RequestContext&)>;

// Exact (method, path) routes; registered by AuthRoutes and TrackingRoutes.
class RouteTable
{
public:
    void add(const QByteArray& method, const QString& path, RouteHandler handler);
    const RouteHandler* find(const QByteArray& method, const QString& path) const;
    bool hasPath(const QString& path) const { return m_paths.contains(path); }

private:
    QHash<QString, RouteHandler> m_routes; // "METHOD path"
    QSet<QString> m_paths;
};

// The prefixes MLflow serves the REST API under. Auth endpoints exist only under the first in 2.15.1.
inline const QString apiPrefix = QStringLiteral("/api/2.0/mlflow/");
inline const QString ajaxApiPrefix = QStringLiteral("/ajax-api/2.0/mlflow/");
// MLflow 3.x's newer auth endpoints (users/permissions/*, roles/*).
inline const QString api3Prefix = QStringLiteral("/api/3.0/mlflow/");
inline const QString ajaxApi3Prefix = QStringLiteral("/ajax-api/3.0/mlflow/");

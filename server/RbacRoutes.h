#pragma once

#include "server/ServerState.h"

// MLflow 3.14's user, per-user grant and role endpoints (RBAC generation) over RbacStore: users/* under
// /api/2.0/mlflow, users/permissions/*, users/current/permissions and roles/* under /api/3.0/mlflow, each with its
// /ajax-api twin. The legacy per-resource permission endpoints of 2.x are not served (HTML 404, as in 3.13+).
namespace RbacRoutes {
void registerAll(RouteTable& routes);
}

#pragma once

#include "server/ServerState.h"

// MLflow 3.14's workspace endpoints under /api/3.0/mlflow/workspaces and its /ajax-api twin, plus server-info.
// With workspaces they serve the WorkspaceStore; in 3.x without workspaces they answer 503 as MLflow does; 2.x has
// none of them. Unlike 3.14, GET/PATCH/DELETE of workspaces/<name> are authorized (see README, "Workspaces").
namespace WorkspaceRoutes {
void registerAll(RouteTable& routes, const Dialect& dialect);
}

#pragma once

#include "server/ServerState.h"

// The basic-auth app's REST endpoints of MLflow 2.15.1 (users and per-resource permissions), under /api/2.0/mlflow.
namespace AuthRoutes {
void registerAll(RouteTable& routes);
}

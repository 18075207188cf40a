#pragma once

#include "server/ServerState.h"

// The tracking subset of MLflow's REST API (experiments, runs, metrics, registered models), served under both
// /api/2.0/mlflow and /ajax-api/2.0/mlflow, with the basic-auth app's after-request behaviour folded in: creators
// get MANAGE, searches are filtered per user with MLflow's refill of short pages (through the dialect's Policy).
// The dialect decides /version and the 3.x-only details (experiments carry their workspace, a / page).
namespace TrackingRoutes {
void registerAll(RouteTable& routes, const Dialect& dialect);
}

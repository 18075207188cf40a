#pragma once

#include "server/AccessPolicy.h"
#include "server/HttpMessage.h"
#include "server/MlflowError.h"
#include "server/ServerState.h"

// The request pipeline of MLflow 2.15.1's basic-auth app, independent of any socket: unprotected paths,
// authentication (401), the non-admin validators (403), routing (404/405), the handler, and error mapping.
class MlflowService
{
public:
    explicit MlflowService(ServerState& state);

    HttpResponse handle(const HttpRequest& request);

    // What MLflow answers when credentials are missing or wrong.
    static HttpResponse unauthenticated();

private:
    // Policy, routing and the handler; failures are thrown and mapped to responses in handle().
    HttpResponse dispatch(const HttpRequest& request, const UserRecord& user, const QString& workspace);
    // The request's workspace from X-MLFLOW-WORKSPACE; throws MlflowError (400/404) for a bad or unknown name.
    QString resolveWorkspace(const HttpRequest& request) const;
    HttpResponse errorResponse(const MlflowError& error) const;

    ServerState& m_state;
    RouteTable m_routes;
    AccessPolicy m_policy;
};

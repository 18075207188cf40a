#pragma once

#include "server/HttpMessage.h"
#include "server/Policy.h"
#include "server/ServerState.h"

#include <memory>

class MlflowError;

// The request pipeline of MLflow's basic-auth app, independent of any socket: unprotected paths, authentication
// (401), the non-admin validators (403), routing (404/405), the handler, and error mapping. The dialect in the
// state picks the generation's routes, policy and error format once, here.
class MlflowService
{
public:
    explicit MlflowService(ServerState& state);

    HttpResponse handle(const HttpRequest& request);

    // What MLflow answers when credentials are missing or wrong.
    static HttpResponse unauthenticated();

private:
    // Everything handle() does except dropping a HEAD request's body.
    HttpResponse answer(const HttpRequest& request);
    // Flask's automatic OPTIONS answer: the methods the path is routed for, in an Allow header.
    HttpResponse optionsAnswer(const QString& path) const;
    // Policy, routing and the handler; failures are thrown and mapped to responses in handle().
    HttpResponse dispatch(const HttpRequest& request, const UserRecord& user, const QString& workspace);
    // The request's workspace from X-MLFLOW-WORKSPACE; throws MlflowError (400/404) for a bad or unknown name.
    QString resolveWorkspace(const HttpRequest& request) const;
    HttpResponse errorResponse(const MlflowError& error) const;

    ServerState& m_state;
    RouteTable m_routes;
    std::unique_ptr<Policy> m_policy;
};

#pragma once

#include "server/HttpMessage.h"
#include "server/Policy.h"
#include "server/ServerState.h"

#include <memory>

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
    // Policy, routing and the handler; failures are thrown and mapped to responses in handle().
    HttpResponse dispatch(const HttpRequest& request, const UserRecord& user);

    ServerState& m_state;
    RouteTable m_routes;
    std::unique_ptr<Policy> m_policy;
};

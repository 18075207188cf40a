#pragma once

#include "server/HttpMessage.h"
#include "server/Policy.h"
#include "server/ServerState.h"

#include <functional>
#include <memory>
#include <optional>

class MlflowError;
class PasswordDerivations;
struct SignIn;

// The request pipeline of MLflow's basic-auth app, independent of any socket: unprotected paths, authentication
// (401), the non-admin validators (403), routing (404/405), the handler, and error mapping. The dialect in the
// state picks the generation's routes, policy and error format once, here.
class MlflowService
{
public:
    explicit MlflowService(ServerState& state);

    using Reply = std::function<void(HttpResponse)>;

    // Answers through `reply`: before returning when the credentials are remembered or nothing needs checking,
    // otherwise later, once the password check running off this thread is done.
    void handle(const HttpRequest& request, Reply reply);
    // The same, checking a password on this thread if need be (the demo seeder, tests).
    HttpResponse handle(const HttpRequest& request);

    // What MLflow answers when credentials are missing or wrong.
    static HttpResponse unauthenticated();

private:
    // Everything the synchronous handle() does except dropping a HEAD request's body.
    HttpResponse answer(const HttpRequest& request);
    // HEAD is answered as Flask answers it: the GET route's status and headers, without the body.
    static HttpResponse withoutBodyForHead(const HttpRequest& request, HttpResponse response);
    // Flask's automatic OPTIONS answer: the methods the path is routed for, in an Allow header.
    HttpResponse optionsAnswer(const QString& path) const;
    // /health, the open prefixes and a bad workspace header are answered before authentication.
    std::optional<HttpResponse> answerBeforeAuthentication(const HttpRequest& request, QString* workspace);
    // With `passwords`, a handler's key derivation is thrown as PasswordDerivations::Needed (see answerDeriving).
    HttpResponse answerSignedIn(const HttpRequest& request, const QString& workspace, const SignIn& signIn,
                                PasswordDerivations* passwords = nullptr);
    // answerSignedIn, with every key derivation a handler asks for (a new password's hash, a current password's
    // check) run on the pool and the handler run again once it is done: users/create and password changes no
    // longer hold the request thread for ~180 ms each.
    void answerDeriving(const HttpRequest& request, const QString& workspace, const SignIn& signIn,
                        std::shared_ptr<PasswordDerivations> passwords, const Reply& reply);
    HttpResponse answerFailure(const HttpRequest& request) const;
    // Policy, routing and the handler; failures are thrown and mapped to responses in handle().
    HttpResponse dispatch(const HttpRequest& request, const UserRecord& user, const QString& workspace,
                          PasswordDerivations* passwords);
    // The request's workspace from X-MLFLOW-WORKSPACE; throws MlflowError (400/404) for a bad or unknown name.
    QString resolveWorkspace(const HttpRequest& request) const;
    HttpResponse errorResponse(const MlflowError& error) const;

    ServerState& m_state;
    RouteTable m_routes;
    std::unique_ptr<Policy> m_policy;
};

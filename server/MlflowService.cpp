#include "server/MlflowService.h"

#include "server/AccessPolicy.h"
#include "server/AuthRoutes.h"
#include "server/Authenticator.h"
#include "server/MlflowError.h"
#include "server/PasswordCheckPool.h"
#include "server/PasswordDerivations.h"
#include "server/RbacPolicy.h"
#include "server/RbacRoutes.h"
#include "server/RequestParams.h"
#include "server/SqlFailure.h"
#include "server/TrackingRoutes.h"
#include "server/WorkspaceRoutes.h"
#include "server/WorkspaceStore.h"

#include <QLoggingCategory>

#include <algorithm>

Q_LOGGING_CATEGORY(lcService, "mlflowadmin.server")

MlflowService::MlflowService(ServerState& state) : m_state(state)
{
    if (m_state.dialect.isMlflow3()) {
        RbacRoutes::registerAll(m_routes);
        m_policy = std::make_unique<RbacPolicy>();
    } else {
        AuthRoutes::registerAll(m_routes);
        m_policy = std::make_unique<AccessPolicy>();
    }
    TrackingRoutes::registerAll(m_routes, m_state.dialect);
    WorkspaceRoutes::registerAll(m_routes, m_state.dialect);
}

namespace {

// One Retry-After per answer: the last reason to wait wins.
void setRetryAfter(HttpResponse& response, int seconds)
{
    response.extraHeaders.erase(std::remove_if(response.extraHeaders.begin(), response.extraHeaders.end(),
                                               [](const auto& header) { return header.first == "Retry-After"; }),
                                response.extraHeaders.end());
    response.extraHeaders.append(qMakePair(QByteArray("Retry-After"), QByteArray::number(seconds)));
}

} // namespace

HttpResponse MlflowService::errorResponse(const MlflowError& error) const
{
    HttpResponse response = HttpResponse::json(error.toJson(m_state.dialect), error.httpStatus());
    // A locked database (SqlFailure): say when to try again.
    if (error.code() == "TEMPORARILY_UNAVAILABLE")
        setRetryAfter(response, SqlFailure::retryAfterSeconds);
    return response;
}

// MLflow 3.14 resolves X-MLFLOW-WORKSPACE in a before_request hook that runs ahead of authentication, so a bad or
// unknown name is answered even without credentials and on /health. server-info skips it. Without workspaces
// the header is ignored (3.14 answers 500 FEATURE_DISABLED to a worker's first such request, then ignores it; we
// do not reproduce that order-dependent quirk).
QString MlflowService::resolveWorkspace(const HttpRequest& request) const
{
    if (!m_state.dialect.workspaces || request.path == api3Prefix + QStringLiteral("server-info") ||
        request.path == ajaxApi3Prefix + QStringLiteral("server-info"))
        return defaultWorkspace;
    const QString name = QString::fromUtf8(request.header("x-mlflow-workspace")).trimmed();
    if (name.isEmpty())
        return defaultWorkspace;
    if (name != defaultWorkspace)
        WorkspaceStore::validateName(name);
    if (!m_state.workspaces->exists(name))
        throw MlflowError::notFound(QStringLiteral("Workspace '%1' not found").arg(name));
    return name;
}

HttpResponse MlflowService::unauthenticated()
{
    HttpResponse response = HttpResponse::html(
        "You are not authenticated. Please see "
        "https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on how to authenticate.",
        401);
    response.extraHeaders.append(qMakePair(QByteArray("WWW-Authenticate"), QByteArray("Basic realm=\"mlflow\"")));
    return response;
}

std::optional<HttpResponse> MlflowService::answerBeforeAuthentication(const HttpRequest& request, QString* workspace)
{
    try {
        *workspace = resolveWorkspace(request);
    } catch (const MlflowError& error) {
        return errorResponse(error);
    }
    // MLflow leaves these prefixes open to everyone.
    if (request.path == QLatin1String("/health"))
        return HttpResponse::html("OK", 200);
    if (request.path.startsWith(QLatin1String("/static")) || request.path.startsWith(QLatin1String("/favicon.ico")))
        return HttpResponse::htmlError(404, QStringLiteral("Not Found"),
                                       QStringLiteral("This server has no web UI files; use the REST API."));
    return std::nullopt;
}

HttpResponse MlflowService::answerFailure(const HttpRequest& request) const
{
    try {
        throw;
    } catch (const MlflowError& error) {
        return errorResponse(error);
    } catch (const HttpFailure& failure) {
        return failure.response();
    } catch (const std::exception& error) {
        qCWarning(lcService) << "Unexpected failure on" << request.method << request.path << error.what();
        return errorResponse(MlflowError::internal(QStringLiteral("The server failed to handle this request; "
                                                                  "see its log for details.")));
    }
}

HttpResponse MlflowService::answerSignedIn(const HttpRequest& request, const QString& workspace, const SignIn& signIn,
                                           PasswordDerivations* passwords)
{
    switch (signIn.outcome) {
    case SignIn::Outcome::Accepted:
        break;
    case SignIn::Outcome::Refused:
        return unauthenticated();
    case SignIn::Outcome::Throttled: {
        HttpResponse response = errorResponse(MlflowError(
            "REQUEST_LIMIT_EXCEEDED",
            QStringLiteral("Too many failed sign-ins for this user or from this address. Wait %1 s, then try again "
                           "with the correct password.")
                .arg(signIn.retryAfterSeconds)));
        setRetryAfter(response, signIn.retryAfterSeconds);
        return response;
    }
    case SignIn::Outcome::Busy: {
        HttpResponse response = errorResponse(
            MlflowError("TEMPORARILY_UNAVAILABLE",
                        QStringLiteral("The server is busy checking other sign-ins (from this address or others). Try "
                                       "again in %1 s.")
                            .arg(signIn.retryAfterSeconds)));
        setRetryAfter(response, signIn.retryAfterSeconds);
        return response;
    }
    }
    try {
        return dispatch(request, *signIn.user, workspace, passwords);
    } catch (const PasswordDerivations::Needed&) {
        throw;
    } catch (...) {
        return answerFailure(request);
    }
}

void MlflowService::answerDeriving(const HttpRequest& request, const QString& workspace, const SignIn& signIn,
                                   std::shared_ptr<PasswordDerivations> passwords, const Reply& reply)
{
    PasswordCheckPool* pool = m_state.passwordChecks;
    try {
        return reply(answerSignedIn(request, workspace, signIn, pool ? passwords.get() : nullptr));
    } catch (const PasswordDerivations::Needed& needed) {
        // The handler wrote nothing yet; it runs again, from the start, once the derivation is done. The pool goes
        // before this service (EmbeddedServer::closeStores), and drops finished results with itself.
        const auto again = [this, request, workspace, signIn, passwords, reply] {
            answerDeriving(request, workspace, signIn, passwords, reply);
        };
        const bool queued =
            needed.storedHash.isEmpty()
                ? pool->submitHash(needed.password,
                                   [passwords, needed, again](const QByteArray& hash) {
                                       passwords->addHash(needed.password, hash);
                                       again();
                                   })
                : pool->submit(needed.storedHash, needed.password, [passwords, needed, again](bool valid) {
                      passwords->addCheck(needed.storedHash, needed.password, valid);
                      again();
                  });
        if (!queued) {
            HttpResponse response = errorResponse(
                MlflowError("TEMPORARILY_UNAVAILABLE",
                            QStringLiteral("The server is busy checking and hashing passwords for other requests. "
                                           "Try again in 1 s.")));
            setRetryAfter(response, 1);
            reply(std::move(response));
        }
    }
}

// HEAD is answered as Flask answers it: the GET route's status and headers, without the body.
HttpResponse MlflowService::withoutBodyForHead(const HttpRequest& request, HttpResponse response)
{
    if (request.method == "HEAD")
        response.body.clear();
    return response;
}

HttpResponse MlflowService::handle(const HttpRequest& request)
{
    return withoutBodyForHead(request, answer(request));
}

HttpResponse MlflowService::answer(const HttpRequest& request)
{
    QString workspace;
    if (std::optional<HttpResponse> early = answerBeforeAuthentication(request, &workspace))
        return *early;
    try {
        m_state.users->dropCachesIfChangedElsewhere();
        return answerSignedIn(request, workspace,
                              m_state.authenticator->authenticateNow(request.header("authorization"), request.peer));
    } catch (...) {
        return answerFailure(request);
    }
}

void MlflowService::handle(const HttpRequest& request, Reply answered)
{
    const Reply reply = [request, answered](HttpResponse response) {
        answered(withoutBodyForHead(request, std::move(response)));
    };
    QString workspace;
    if (std::optional<HttpResponse> early = answerBeforeAuthentication(request, &workspace))
        return reply(std::move(*early));
    try {
        m_state.users->dropCachesIfChangedElsewhere();
        Authenticator::Check check;
        if (std::optional<SignIn> now =
                m_state.authenticator->answerWithoutDerivation(request.header("authorization"), request.peer, &check))
            return answerDeriving(request, workspace, *now, std::make_shared<PasswordDerivations>(), reply);
        // The request is copied only for the wait: its members are implicitly shared, so that is a few counters.
        m_state.authenticator->authenticateLater(check, [this, request, workspace, reply](const SignIn& signIn) {
            answerDeriving(request, workspace, signIn, std::make_shared<PasswordDerivations>(), reply);
        });
    } catch (...) {
        reply(answerFailure(request));
    }
}

HttpResponse MlflowService::optionsAnswer(const QString& path) const
{
    QList<QByteArray> methods = m_routes.methodsOf(path);
    if (methods.contains("GET"))
        methods.append("HEAD");
    methods.append("OPTIONS");
    std::sort(methods.begin(), methods.end());
    // 2.15.1's Flask answers 200, 3.14's 204; both with an empty text/html body.
    HttpResponse response = HttpResponse::html(QByteArray(), m_state.dialect.isMlflow3() ? 204 : 200);
    response.extraHeaders.append(qMakePair(QByteArray("Allow"), methods.join(", ")));
    return response;
}

HttpResponse MlflowService::dispatch(const HttpRequest& request, const UserRecord& user, const QString& workspace,
                                     PasswordDerivations* passwords)
{
    const RequestContext context{request, user, m_state, *m_policy, workspace, passwords};
    // Flask runs before_request (the validators) before it reports a routing failure.
    if (!user.isAdmin) {
        if (request.method == "HEAD") {
            // MLflow keys its validators by method, so its HEAD skips them and runs the GET handler, which reads a
            // JSON body: a status that tells whether someone else's experiment exists. Checked as its GET here.
            HttpRequest asGet = request;
            asGet.method = "GET";
            m_policy->authorize(RequestContext{asGet, user, m_state, *m_policy, workspace, passwords});
        } else {
            m_policy->authorize(context);
        }
    }
    // Flask adds HEAD to every GET route and answers OPTIONS itself, after the before_request hooks (so signed in;
    // no validator is keyed on OPTIONS). MLflow's handlers read a HEAD request as they read a POST.
    if (request.method == "OPTIONS" && m_routes.hasPath(request.path))
        return optionsAnswer(request.path);
    const RouteHandler* handler =
        m_routes.find(request.method == "HEAD" ? QByteArray("GET") : request.method, request.path);
    if (handler)
        return (*handler)(context);
    if (m_routes.hasPath(request.path))
        return HttpResponse::htmlError(405, QStringLiteral("Method Not Allowed"),
                                       QStringLiteral("The method %1 is not allowed for %2.")
                                           .arg(QString::fromLatin1(request.method), request.path));
    return HttpResponse::htmlError(404, QStringLiteral("Not Found"),
                                   QStringLiteral("%1 is not an endpoint of this MLflow server. Check the path and the "
                                                  "server's MLflow version.")
                                       .arg(request.path));
}

#include "api/ServerProbe.h"

#include "api/Connection.h"
#include "api/LegacyAuthApi.h"
#include "api/RbacAuthApi.h"

#include <QRegularExpression>

#include <algorithm>

namespace {

// The probe should fail fast on a dead address; MLflow answers these small requests in milliseconds.
constexpr int probeTimeoutMs = 15000;

RequestOptions probeOptions(bool authenticate, bool expectJson)
{
    RequestOptions options;
    options.authenticate = authenticate;
    options.expectJson = expectJson;
    options.maxRetries = 0;
    options.timeoutMs = probeTimeoutMs;
    return options;
}

ProbeResult::Status statusForTransportError(const ApiError& error)
{
    switch (error.kind()) {
    case ApiError::Kind::Network:
        return ProbeResult::Status::Unreachable;
    case ApiError::Kind::Timeout:
        return ProbeResult::Status::TimedOut;
    case ApiError::Kind::Tls:
        return ProbeResult::Status::TlsFailure;
    case ApiError::Kind::Unauthenticated:
        return ProbeResult::Status::WrongCredentials;
    case ApiError::Kind::NotMlflow:
        return ProbeResult::Status::NotMlflow;
    default:
        return ProbeResult::Status::Failed;
    }
}

// "3.13.0", "3.14.1.dev0" -> (3, 13); nullopt for anything else.
std::optional<std::pair<int, int>> majorMinor(const QString& version)
{
    static const QRegularExpression pattern(QStringLiteral("^(\\d+)\\.(\\d+)"));
    const QRegularExpressionMatch match = pattern.match(version);
    if (!match.hasMatch())
        return std::nullopt;
    return std::make_pair(match.captured(1).toInt(), match.captured(2).toInt());
}

} // namespace

QString ProbeResult::statusName(Status status)
{
    switch (status) {
    case Status::Ready:
        return QStringLiteral("Ready");
    case Status::NotAdmin:
        return QStringLiteral("NotAdmin");
    case Status::WrongCredentials:
        return QStringLiteral("WrongCredentials");
    case Status::Unreachable:
        return QStringLiteral("Unreachable");
    case Status::TimedOut:
        return QStringLiteral("TimedOut");
    case Status::TlsFailure:
        return QStringLiteral("TlsFailure");
    case Status::NotMlflow:
        return QStringLiteral("NotMlflow");
    case Status::AuthNotEnabled:
        return QStringLiteral("AuthNotEnabled");
    case Status::Failed:
        return QStringLiteral("Failed");
    }
    return {};
}

QString ProbeResult::userMessage() const
{
    switch (status) {
    case Status::Ready:
        return QCoreApplication::translate("ServerProbe", "Signed in as %1 (administrator) on MLflow %2.")
            .arg(user.username,
                 version.isEmpty() ? QCoreApplication::translate("ServerProbe", "of unknown version") : version);
    case Status::NotAdmin:
        return QCoreApplication::translate("ServerProbe",
                                           "Signed in as %1, who is not an MLflow administrator. You can manage only "
                                           "the experiments and models you hold MANAGE permission on; ask an "
                                           "administrator for more.")
            .arg(user.username);
    case Status::AuthNotEnabled:
        return ApiError(ApiError::Kind::AuthNotEnabled).userMessage();
    case Status::NotMlflow:
        return ApiError(ApiError::Kind::NotMlflow).userMessage();
    default:
        return error.userMessage();
    }
}

ServerProbe* ServerProbe::run(Connection* connection)
{
    auto* probe = new ServerProbe(connection);
    probe->checkHealth();
    return probe;
}

ServerProbe::ServerProbe(Connection* connection) : ApiJob(connection), m_connection(connection) {}

void ServerProbe::abort()
{
    if (isFinished())
        return;
    // Finish first: the replies' own handlers then see a finished probe and cannot report a half-done result.
    const auto inFlight = m_inFlight;
    end(ProbeResult::Status::Failed, ApiError(ApiError::Kind::Cancelled));
    for (const QPointer<ApiReply>& reply : inFlight) {
        if (reply)
            reply->abort();
    }
}

void ServerProbe::checkHealth()
{
    // Without credentials: /health is open on MLflow, and an unknown server should not receive the password.
    ApiReply* reply = m_connection->get(QStringLiteral("/health"), {}, probeOptions(false, false));
    m_inFlight.append(reply);
    connect(reply, &ApiJob::finished, this, [this, reply] {
        if (isFinished())
            return;
        if (!reply->hasError()) {
            if (reply->body().trimmed() != "OK") {
                ApiError error(ApiError::Kind::NotMlflow, tr("GET /health did not answer \"OK\"."));
                error.setEndpoint(QStringLiteral("GET /health"));
                end(ProbeResult::Status::NotMlflow, error);
                return;
            }
            m_result.healthOk = true;
            checkAccount();
            return;
        }
        const ApiError& error = reply->error();
        // A proxy in front of MLflow may protect /health too; find out with credentials.
        if (error.kind() == ApiError::Kind::Unauthenticated) {
            checkAccount();
            return;
        }
        if (error.httpStatus() != 0) {
            // 404 and friends: some web server, or MLflow below another path prefix.
            ApiError notMlflow(ApiError::Kind::NotMlflow, tr("GET /health answered HTTP %1.").arg(error.httpStatus()));
            notMlflow.setEndpoint(QStringLiteral("GET /health"));
            end(ProbeResult::Status::NotMlflow, notMlflow);
            return;
        }
        end(statusForTransportError(error), error);
    });
}

void ServerProbe::checkAccount()
{
    emit stepStarted(Step::SigningIn);
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("username"), m_connection->username());
    ApiReply* reply = m_connection->get(QStringLiteral("/api/2.0/mlflow/users/get"), query, probeOptions(true, true));
    m_inFlight.append(reply);
    connect(reply, &ApiJob::finished, this, [this, reply] {
        if (isFinished())
            return;
        if (!reply->hasError()) {
            const auto user = User::fromJson(reply->json().value(QLatin1String("user")).toObject());
            if (!user) {
                end(ProbeResult::Status::NotMlflow,
                    ApiError(ApiError::Kind::NotMlflow, tr("users/get answered without a user.")));
                return;
            }
            m_result.basicAuthEnabled = true;
            m_result.user = *user;
            m_result.isAdmin = user->isAdmin;
            checkCapabilities();
            return;
        }
        const ApiError& error = reply->error();
        // MLflow without the auth app has no such route and answers Flask's HTML 404 page.
        if (error.kind() == ApiError::Kind::EndpointNotFound && m_result.healthOk) {
            ApiError disabled(ApiError::Kind::AuthNotEnabled, error.serverMessage());
            disabled.setEndpoint(error.endpoint());
            end(ProbeResult::Status::AuthNotEnabled, disabled);
            return;
        }
        if (error.kind() == ApiError::Kind::EndpointNotFound) {
            end(ProbeResult::Status::NotMlflow, error);
            return;
        }
        end(statusForTransportError(error), error);
    });
}

void ServerProbe::checkCapabilities()
{
    emit stepStarted(Step::CheckingApi);
    m_pendingCapabilities = 2;

    ApiReply* version = m_connection->get(QStringLiteral("/version"), {}, probeOptions(true, false));
    m_inFlight.append(version);
    connect(version, &ApiJob::finished, this, [this, version] {
        // Some deployments hide or lack /version; the version is then simply unknown.
        const QString text = QString::fromUtf8(version->body()).trimmed();
        if (!version->hasError() && majorMinor(text) && text.size() <= 64)
            m_result.version = text;
        capabilityDone();
    });

    ApiReply* current =
        m_connection->get(QStringLiteral("/api/3.0/mlflow/users/current/permissions"), {}, probeOptions(true, true));
    m_inFlight.append(current);
    connect(current, &ApiJob::finished, this, [this, current] {
        if (!current->hasError())
            m_result.generation = ApiGeneration::Rbac;
        else if (current->error().kind() == ApiError::Kind::EndpointNotFound)
            m_result.generation = ApiGeneration::Legacy;
        if (m_result.generation == ApiGeneration::Rbac && m_result.isAdmin) {
            // users/list exists since 3.10 and admins may always call it, so a 3.13+ server has it for us. Asking
            // would download every user with every role's permissions repeated per member (256 MB, longer than
            // the probe's timeout, at 2,000 users in 20 roles of 1,250 grants) only to learn that.
            m_result.hasUsersList = true;
        } else {
            checkUsersList();
        }
        capabilityDone();
    });
}

void ServerProbe::checkUsersList()
{
    ++m_pendingCapabilities;
    ApiReply* list = m_connection->get(QStringLiteral("/api/2.0/mlflow/users/list"), {}, probeOptions(true, true));
    m_inFlight.append(list);
    connect(list, &ApiJob::finished, this, [this, list] {
        // 3.10-3.12 serve it to admins only: a 403 means "exists, but not for this account".
        m_result.hasUsersList = !list->hasError();
        capabilityDone();
    });
}

void ServerProbe::capabilityDone()
{
    if (isFinished() || --m_pendingCapabilities > 0)
        return;
    if (m_result.generation == ApiGeneration::Unknown) {
        // The permissions route neither answered nor was missing (e.g. a fail-closed 403): go by the version.
        const auto mm = majorMinor(m_result.version);
        const bool rbac = mm && (mm->first > 3 || (mm->first == 3 && mm->second >= 13));
        m_result.generation = rbac ? ApiGeneration::Rbac : ApiGeneration::Legacy;
    }
    end(m_result.isAdmin ? ProbeResult::Status::Ready : ProbeResult::Status::NotAdmin);
}

void ServerProbe::end(ProbeResult::Status status, const ApiError& error)
{
    if (isFinished())
        return;
    m_result.status = status;
    m_result.error = error;
    m_inFlight.clear();
    if (error.isError())
        fail(error);
    else
        succeed();
}

AuthApi* ServerProbe::createAuthApi(QObject* parent) const
{
    if (!m_connection || !m_result.isUsable())
        return nullptr;
    if (m_result.generation == ApiGeneration::Legacy)
        return new LegacyAuthApi(m_connection, m_result.hasUsersList, parent);
    if (m_result.generation == ApiGeneration::Rbac)
        return new RbacAuthApi(m_connection, m_result.hasUsersList, parent);
    return nullptr;
}

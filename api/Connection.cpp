#include "api/Connection.h"

#include "api/ApiLogging.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QTimer>

#include <algorithm>

namespace {

// Longest Retry-After we honour; a server asking for more is treated as down, rather than stalling the UI.
constexpr int maxRetryAfterSeconds = 5;

bool isRetryableStatus(int status)
{
    return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

} // namespace

ApiReply::ApiReply(Connection* connection, QByteArray method, QString path, QUrlQuery query, QByteArray payload,
                   RequestOptions options)
    : ApiJob(connection), m_connection(connection), m_method(std::move(method)), m_path(std::move(path)),
      m_query(std::move(query)), m_payload(std::move(payload)), m_options(options)
{}

ApiReply::~ApiReply()
{
    if (m_connection)
        m_connection->forget(this);
}

void ApiReply::abort()
{
    if (isFinished())
        return;
    if (m_connection)
        m_connection->abortReply(this);
    else
        fail(ApiError(ApiError::Kind::Cancelled));
}

Connection::Connection(const QUrl& baseUrl, const QString& username, const QString& password, QObject* parent)
    : QObject(parent), m_network(new QNetworkAccessManager(this))
{
    QString error;
    m_baseUrl = normalizeBaseUrl(baseUrl.toString(), &error).value_or(QUrl());
    setCredentials(username, password);
    // Replies are deleted by us once their result is copied out; redirects are not followed, so credentials
    // never travel to an origin the user did not type (see start()).
    m_network->setAutoDeleteReplies(false);
    m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

Connection::~Connection()
{
    m_cancelling = true;
    const QSet<ApiReply*> running = m_running;
    for (ApiReply* reply : running) {
        if (reply->m_network)
            reply->m_network->disconnect(this);
    }
    // Replies outlive us only if someone reparented them; make sure they do not call back into a dead object.
    for (ApiReply* reply : std::as_const(m_queue))
        reply->m_connection = nullptr;
    for (ApiReply* reply : running)
        reply->m_connection = nullptr;
    for (ApiReply* reply : std::as_const(m_waiting))
        reply->m_connection = nullptr;
}

std::optional<QUrl> Connection::normalizeBaseUrl(const QString& text, QString* error)
{
    const QString trimmed = text.trimmed();
    QUrl url = QUrl::fromUserInput(trimmed);
    if (trimmed.isEmpty() || !url.isValid() || url.host().isEmpty()) {
        if (error)
            *error = QCoreApplication::translate("Connection", "\"%1\" is not a valid server address.").arg(trimmed);
        return std::nullopt;
    }
    const QString scheme = url.scheme().toLower();
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https")) {
        if (error)
            *error = QCoreApplication::translate("Connection", "The server address must start with http:// or "
                                                               "https://.");
        return std::nullopt;
    }
    // Credentials in the URL would end up in logs and error messages; they come from the profile instead.
    url.setUserInfo(QString());
    url.setQuery(QString());
    url.setFragment(QString());
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    url.setPath(path);
    return url;
}

void Connection::setCredentials(const QString& username, const QString& password)
{
    m_username = username;
    m_authorization = "Basic " + (username + QLatin1Char(':') + password).toUtf8().toBase64();
}

bool Connection::setTlsPolicy(const TlsPolicy& policy, QString* error)
{
    QList<QSslCertificate> certificates;
    if (!policy.caBundlePath.isEmpty() && !Tls::readCaBundle(policy.caBundlePath, &certificates, error))
        return false;
    m_tlsPolicy = policy;
    m_extraCaCertificates = certificates;
    return true;
}

void Connection::setMaxInFlight(int count)
{
    m_maxInFlight = std::max(1, count);
    pump();
}

void Connection::setRetryPolicy(int count, int baseDelayMs)
{
    m_maxRetries = std::max(0, count);
    m_retryBaseDelayMs = std::max(0, baseDelayMs);
}

QUrl Connection::urlFor(const QString& path, const QUrlQuery& query) const
{
    QUrl url = m_baseUrl;
    url.setPath(m_baseUrl.path() + (path.startsWith(QLatin1Char('/')) ? path : QLatin1Char('/') + path));
    if (!query.isEmpty()) {
        // Percent-encode every value ourselves: QUrlQuery leaves '+' alone, which Flask decodes as a space, so a
        // user name like "ann+ml@example.org" would reach the server as "ann ml@example.org".
        QByteArray encoded;
        const auto items = query.queryItems(QUrl::FullyDecoded);
        for (const auto& [key, value] : items) {
            if (!encoded.isEmpty())
                encoded += '&';
            encoded += QUrl::toPercentEncoding(key) + '=' + QUrl::toPercentEncoding(value);
        }
        url.setQuery(QString::fromLatin1(encoded), QUrl::StrictMode);
    }
    return url;
}

ApiReply* Connection::get(const QString& path, const QUrlQuery& query, const RequestOptions& options)
{
    return enqueue(new ApiReply(this, "GET", path, query, QByteArray(), options));
}

ApiReply* Connection::send(const QByteArray& method, const QString& path, const QJsonObject& body,
                           const RequestOptions& options)
{
    auto* reply =
        new ApiReply(this, method, path, QUrlQuery(), QJsonDocument(body).toJson(QJsonDocument::Compact), options);
    reply->m_hasPayload = true;
    return enqueue(reply);
}

ApiReply* Connection::enqueue(ApiReply* reply)
{
    if (!isValid()) {
        // Finish on the next event-loop turn, so the caller has connected to finished() by then.
        QTimer::singleShot(0, reply, [reply] {
            reply->m_state = ApiReply::State::Done;
            reply->fail(ApiError(ApiError::Kind::InvalidRequest,
                                 QCoreApplication::translate("Connection", "The server address is not valid.")));
        });
        return reply;
    }
    m_queue.append(reply);
    // Start on the next turn as well: a burst of calls then fills the queue in order before any is sent. One
    // posted call per burst, not one per request (an apply of 10,000 changes posted 10,000).
    if (!m_pumpScheduled) {
        m_pumpScheduled = true;
        QTimer::singleShot(0, this, [this] {
            m_pumpScheduled = false;
            pump();
        });
    }
    return reply;
}

void Connection::pump()
{
    if (m_cancelling)
        return;
    while (m_running.size() < m_maxInFlight && !m_queue.isEmpty())
        start(m_queue.takeFirst());
}

void Connection::start(ApiReply* reply)
{
    const RequestOptions& options = reply->m_options;
    QNetworkRequest request(urlFor(reply->m_path, reply->m_query));
    // MLflow (gunicorn) and the embedded server speak HTTP/1.1 only; HTTP/2 gains nothing for small JSON requests.
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setTransferTimeout(options.timeoutMs >= 0 ? options.timeoutMs : m_defaultTimeoutMs);
    request.setHeader(QNetworkRequest::UserAgentHeader,
                      QByteArray("mlflow-admin/") + QCoreApplication::applicationVersion().toUtf8());
    if (options.expectJson)
        request.setRawHeader("Accept", "application/json");
    if (options.authenticate)
        request.setRawHeader("Authorization", m_authorization);
    if (!m_workspace.isEmpty())
        request.setRawHeader("X-MLFLOW-WORKSPACE", m_workspace);
    // Exactly this string: MLflow 2.15.1's users/create compares the header verbatim and rejects a charset.
    if (reply->m_hasPayload)
        request.setRawHeader("Content-Type", "application/json");
    if (m_baseUrl.scheme() == QLatin1String("https") && !m_extraCaCertificates.isEmpty()) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        // Setting CAs explicitly turns off on-demand loading of the system store, so include it ourselves.
        tls.setCaCertificates(QSslConfiguration::systemCaCertificates() + m_extraCaCertificates);
        request.setSslConfiguration(tls);
    }

    ++reply->m_attempts;
    reply->m_state = ApiReply::State::Running;
    reply->m_timedOut = false;
    reply->m_tlsRejected = false;
    reply->m_presentedCertificate.reset();
    reply->m_tlsErrors.clear();
    reply->m_body.clear();
    reply->m_elapsed.start();
    m_running.insert(reply);

    QNetworkReply* network = nullptr;
    if (reply->m_method == "GET")
        network = m_network->get(request);
    else
        network = m_network->sendCustomRequest(request, reply->m_method, reply->m_payload);
    reply->m_network = network;

    connect(network, &QNetworkReply::sslErrors, this, [this, reply, network](const QList<QSslError>& errors) {
        QSslCertificate leaf = network->sslConfiguration().peerCertificate();
        if (leaf.isNull() && !errors.isEmpty())
            leaf = errors.first().certificate();
        reply->m_presentedCertificate = leaf;
        reply->m_tlsErrors.clear();
        for (const QSslError& error : errors)
            reply->m_tlsErrors.append(error.errorString());
        // Only the exact errors reported for the exact pinned certificate are ignored; nothing blanket.
        if (Tls::mayIgnore(m_tlsPolicy, leaf, errors))
            network->ignoreSslErrors(errors);
        else
            reply->m_tlsRejected = true;
    });
    connect(network, &QNetworkReply::errorOccurred, this, [reply, network](QNetworkReply::NetworkError code) {
        // setTransferTimeout() aborts the reply with OperationCanceledError; tell that apart from our own abort.
        if (code == QNetworkReply::OperationCanceledError && reply->m_state == ApiReply::State::Running &&
            reply->m_network == network)
            reply->m_timedOut = true;
    });
    connect(network, &QNetworkReply::readyRead, this, [reply, network] {
        if (reply->m_network == network)
            takeArrivedBody(reply, network);
    });
    connect(network, &QNetworkReply::finished, this, [this, reply] { onNetworkFinished(reply); });
}

// The body is taken as it arrives, straight into its final buffer (sized once from Content-Length): a 3.13+
// users/list can be hundreds of megabytes, and copying it out of the network buffer only after the last byte kept
// the UI thread busy for a quarter of a second on top of the transfer.
void Connection::takeArrivedBody(ApiReply* reply, QNetworkReply* network)
{
    if (!network->isOpen())
        return;
    const qint64 available = network->bytesAvailable();
    if (available <= 0)
        return;
    QByteArray& body = reply->m_body;
    if (body.isEmpty()) {
        // A hint only, bounded so that a lying header cannot reserve more than any real answer needs.
        constexpr qint64 largestReservation = qint64(1) << 30;
        const qint64 announced = network->header(QNetworkRequest::ContentLengthHeader).toLongLong();
        if (announced > available)
            body.reserve(std::min(announced, largestReservation));
    }
    const qsizetype before = body.size();
    body.resize(before + available);
    const qint64 read = network->read(body.data() + before, available);
    body.resize(before + std::max<qint64>(read, 0));
}

// Qt ends a body at the connection's close even when Content-Length announced more; compressed bodies are
// measured before decompression, so they are not compared.
bool Connection::isCutShort(const QNetworkReply* network, const QByteArray& body)
{
    const QVariant announced = network->header(QNetworkRequest::ContentLengthHeader);
    if (!announced.isValid() || !network->rawHeader("Content-Encoding").isEmpty())
        return false;
    return announced.toLongLong() > body.size();
}

void Connection::onNetworkFinished(ApiReply* reply)
{
    QNetworkReply* network = reply->m_network;
    if (!network || reply->m_state != ApiReply::State::Running)
        return;
    m_running.remove(reply);
    reply->m_network = nullptr;
    network->disconnect(this);
    network->deleteLater();

    const QVariant statusAttribute = network->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    const int status = statusAttribute.isValid() ? statusAttribute.toInt() : 0;
    reply->m_httpStatus = status;
    takeArrivedBody(reply, network);
    reply->m_contentType = network->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    const QString endpoint = QString::fromLatin1(reply->m_method) + QLatin1Char(' ') + reply->m_path;
    reply->setExchange(endpoint, status);

    qCDebug(lcApi).noquote() << endpoint << "->" << status << network->error() << "in" << reply->m_elapsed.elapsed()
                             << "ms, attempt" << reply->m_attempts;

    ApiError error;
    if (status == 0) {
        error = ApiError::fromNetworkError(network->error(), network->errorString());
        if (error.kind() == ApiError::Kind::Cancelled && reply->m_timedOut)
            error = ApiError::fromNetworkError(QNetworkReply::TimeoutError, network->errorString());
        if (reply->m_tlsRejected)
            error = ApiError::fromNetworkError(QNetworkReply::SslHandshakeFailedError, network->errorString());
        if (error.kind() == ApiError::Kind::Tls)
            error.setTlsDetails(reply->m_presentedCertificate.value_or(QSslCertificate()), reply->m_tlsErrors);
    } else if (status >= 200 && status < 300 && isCutShort(network, reply->m_body)) {
        error = ApiError::fromNetworkError(
            QNetworkReply::RemoteHostClosedError,
            QCoreApplication::translate("Connection", "%1 of the %2 bytes it announced arrived")
                .arg(reply->m_body.size())
                .arg(network->header(QNetworkRequest::ContentLengthHeader).toLongLong()));
    } else if (status >= 200 && status < 300) {
        if (reply->m_options.expectJson) {
            QJsonParseError parseError;
            const QJsonDocument document = QJsonDocument::fromJson(reply->m_body, &parseError);
            if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
                error = ApiError(ApiError::Kind::NotMlflow,
                                 QCoreApplication::translate("Connection", "The answer was not a JSON object."));
            } else {
                reply->m_json = document.object();
            }
        }
    } else {
        error = ApiError::fromHttpResponse(status, reply->m_contentType, reply->m_body);
        if (error.kind() == ApiError::Kind::Redirected)
            error.setRedirectLocation(network->header(QNetworkRequest::LocationHeader).toUrl().toString());
        if (status == 401)
            emit credentialsRejected();
    }

    if (error.isError()) {
        error.setEndpoint(endpoint);
        if (shouldRetry(reply, error)) {
            bool ok = false;
            const int retryAfter = network->rawHeader("Retry-After").toInt(&ok);
            scheduleRetry(reply, ok ? retryAfter : -1);
            pump();
            return;
        }
    }
    complete(reply, error);
    pump();
}

void Connection::complete(ApiReply* reply, const ApiError& error)
{
    reply->m_state = ApiReply::State::Done;
    if (error.isError())
        reply->fail(error);
    else
        reply->succeed();
}

bool Connection::shouldRetry(const ApiReply* reply, const ApiError& error) const
{
    // Only idempotent reads: re-sending a grant or a user creation could apply it twice.
    if (reply->m_method != "GET")
        return false;
    const int allowed = reply->m_options.maxRetries >= 0 ? reply->m_options.maxRetries : m_maxRetries;
    if (reply->m_attempts > allowed)
        return false;
    if (error.httpStatus() != 0)
        return isRetryableStatus(error.httpStatus());
    // A timeout already waited the full period, TLS and host-name failures will not heal in a second.
    return error.kind() == ApiError::Kind::Network && error.networkError() != QNetworkReply::HostNotFoundError;
}

void Connection::scheduleRetry(ApiReply* reply, int retryAfterSeconds)
{
    int delay = m_retryBaseDelayMs << std::min(reply->m_attempts - 1, 8);
    if (retryAfterSeconds >= 0)
        delay = std::max(delay, std::min(retryAfterSeconds, maxRetryAfterSeconds) * 1000);
    reply->m_state = ApiReply::State::WaitingToRetry;
    m_waiting.insert(reply);
    QTimer::singleShot(delay, reply, [this, reply] {
        if (reply->m_state != ApiReply::State::WaitingToRetry)
            return;
        m_waiting.remove(reply);
        reply->m_state = ApiReply::State::Queued;
        // Back of the queue: a flaky endpoint must not starve the requests that waited their turn.
        m_queue.append(reply);
        pump();
    });
}

void Connection::abortReply(ApiReply* reply)
{
    switch (reply->m_state) {
    case ApiReply::State::Queued:
        m_queue.removeAll(reply);
        break;
    case ApiReply::State::WaitingToRetry:
        m_waiting.remove(reply);
        break;
    case ApiReply::State::Running:
        m_running.remove(reply);
        if (QNetworkReply* network = reply->m_network) {
            reply->m_network = nullptr;
            network->disconnect(this);
            network->abort();
            network->deleteLater();
        }
        break;
    case ApiReply::State::Done:
        return;
    }
    reply->m_state = ApiReply::State::Done;
    ApiError error(ApiError::Kind::Cancelled);
    error.setEndpoint(QString::fromLatin1(reply->m_method) + QLatin1Char(' ') + reply->m_path);
    reply->fail(error);
    pump();
}

void Connection::forget(ApiReply* reply)
{
    // Only a queued request is in the queue: searching it for every finished one made a long apply quadratic.
    if (reply->m_state == ApiReply::State::Queued)
        m_queue.removeAll(reply);
    m_waiting.remove(reply);
    if (m_running.remove(reply) && reply->m_network) {
        QNetworkReply* network = reply->m_network;
        network->disconnect(this);
        network->abort();
        network->deleteLater();
        QTimer::singleShot(0, this, &Connection::pump);
    }
}

void Connection::cancelAll()
{
    // Abort the queue first and hold the pump, so cancelling a running request does not start a queued one.
    m_cancelling = true;
    const QList<ApiReply*> queued = m_queue;
    for (ApiReply* reply : queued)
        reply->abort();
    const QList<ApiReply*> waiting(m_waiting.cbegin(), m_waiting.cend());
    for (ApiReply* reply : waiting)
        reply->abort();
    const QList<ApiReply*> running(m_running.cbegin(), m_running.cend());
    for (ApiReply* reply : running)
        reply->abort();
    m_cancelling = false;
}

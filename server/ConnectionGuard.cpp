#include "server/ConnectionGuard.h"

#include "server/MlflowError.h"

#include <QSslSocket>
#include <QTcpSocket>

#include <algorithm>

namespace {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 408:
        return "Request Timeout";
    case 413:
        return "Payload Too Large";
    case 414:
        return "URI Too Long";
    case 431:
        return "Request Header Fields Too Large";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Error";
    }
}

QByteArray errorCodeFor(int status)
{
    switch (status) {
    case 413:
    case 414:
    case 431:
        return "RESOURCE_EXHAUSTED";
    case 503:
        return "TEMPORARILY_UNAVAILABLE";
    default:
        return "BAD_REQUEST";
    }
}

HttpResponse errorResponse(int status, const QString& message)
{
    return HttpResponse::json(MlflowError(errorCodeFor(status), message).toJson(), status);
}

HttpResponse retryLater(int seconds, const QString& message)
{
    HttpResponse response = errorResponse(503, message);
    response.extraHeaders.append(qMakePair(QByteArray("Retry-After"), QByteArray::number(seconds)));
    return response;
}

// Whether the request carries something shaped like HTTP Basic credentials. Only a shape: checking them costs a
// key derivation, which is not done for a head. Without them a request needs no body (it will get 401).
bool hasBasicCredentials(const QByteArray& authorization)
{
    if (!authorization.startsWith("Basic ") && !authorization.startsWith("basic "))
        return false;
    const auto decoded =
        QByteArray::fromBase64Encoding(authorization.mid(6).trimmed(), QByteArray::AbortOnBase64DecodingErrors);
    return decoded && decoded.decoded.indexOf(':') > 0;
}

} // namespace

QByteArray serializeClosingResponse(const HttpResponse& response)
{
    QByteArray bytes = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reasonPhrase(response.status) +
                       "\r\nContent-Type: " + response.contentType +
                       "\r\nContent-Length: " + QByteArray::number(response.body.size()) + "\r\nConnection: close\r\n";
    for (const auto& header : response.extraHeaders)
        bytes += header.first + ": " + header.second + "\r\n";
    for (const auto& header : securityHeaders())
        bytes += header.first + ": " + header.second + "\r\n";
    return bytes + "\r\n" + response.body;
}

ConnectionGuard::ConnectionGuard(QTcpSocket* socket, std::shared_ptr<Shared> shared, bool tls, bool counted)
    : QObject(socket), m_socket(socket), m_shared(std::move(shared)), m_framer(m_shared->limits), m_counted(counted)
{
    if (m_counted)
        ++m_shared->stats.openConnections;
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] { onTimeout(); });
    connect(socket, &QTcpSocket::readyRead, this, [this] { onReadyRead(); });
    connect(socket, &QTcpSocket::bytesWritten, this, [this] {
        // A response still being read keeps an idle connection alive; one that stops moving does not.
        if (m_phase == Phase::Idle)
            arm(Phase::Idle, m_shared->limits.idleTimeoutMs);
    });
    connect(socket, &QTcpSocket::disconnected, this, [this] { finish(); });
    if (tls) {
        auto* sslSocket = static_cast<QSslSocket*>(socket);
        connect(sslSocket, &QSslSocket::encrypted, this, [this] {
            if (m_phase == Phase::Handshake)
                arm(Phase::Waiting, m_shared->limits.headerTimeoutMs);
        });
        arm(Phase::Handshake, m_shared->limits.tlsHandshakeTimeoutMs);
    } else {
        // A connection that sends nothing is held no longer than one that sends its headers slowly.
        arm(Phase::Waiting, m_shared->limits.headerTimeoutMs);
    }
}

ConnectionGuard::~ConnectionGuard()
{
    setBuffered(0);
    if (m_counted)
        --m_shared->stats.openConnections;
}

void ConnectionGuard::arm(Phase phase, int milliseconds)
{
    m_phase = phase;
    m_timer.start(std::max(milliseconds, 0));
}

void ConnectionGuard::setBuffered(qint64 bytes)
{
    m_shared->stats.bufferedBodyBytes += bytes - m_buffered;
    m_buffered = bytes;
}

// The connection is gone (or given up): stop counting it and let it be deleted. QHttpServer deletes its sockets on
// disconnect too, but not one whose signals it cut after a parse error; deleteLater twice is harmless.
void ConnectionGuard::finish()
{
    m_timer.stop();
    setBuffered(0);
    if (m_counted) {
        m_counted = false;
        --m_shared->stats.openConnections;
    }
    m_phase = Phase::Closing;
    m_socket->deleteLater();
}

void ConnectionGuard::followServerReads()
{
    connect(m_socket, &QTcpSocket::readyRead, this,
            [this] { m_framedAhead = std::min(m_framedAhead, m_socket->bytesAvailable()); });
}

void ConnectionGuard::refuse(const HttpResponse& response)
{
    // Unread input is dropped before QHttpServer can parse it; what still arrives is drained while lingering.
    m_socket->readAll();
    m_framedAhead = 0;
    setBuffered(0);
    m_socket->write(serializeClosingResponse(response));
    m_socket->flush();
    arm(Phase::Lingering, m_shared->limits.lingerMs);
}

void ConnectionGuard::onReadyRead()
{
    if (m_phase == Phase::Lingering || m_phase == Phase::Closing) {
        m_socket->readAll();
        return;
    }
    const qint64 available = m_socket->bytesAvailable();
    qint64 offset = std::min(m_framedAhead, available);
    m_framedAhead = available;
    if (offset == available)
        return;
    QByteArray bytes;
    for (;;) {
        const char* data = nullptr;
        if (m_framer.needsBytes()) {
            if (bytes.isNull())
                bytes = m_socket->peek(available); // what QHttpServer reads next, from the socket's buffer
            data = bytes.constData();
        }
        const qint64 size = data ? bytes.size() : available;
        const RequestFramer::Event event = m_framer.advance(data, size, &offset);
        if (event == RequestFramer::Event::NeedMore)
            break;
        if (event == RequestFramer::Event::Violation) {
            refuse(errorResponse(m_framer.violationStatus(), m_framer.violationMessage()));
            return;
        }
        if (event == RequestFramer::Event::HeadComplete) {
            if (!admitHead())
                return;
            arm(Phase::Body, m_shared->limits.bodyTimeoutMs);
            continue;
        }
        // MessageComplete.
        setBuffered(0);
        arm(Phase::Idle, m_shared->limits.idleTimeoutMs);
    }
    // A request has begun: its head is due within the header timeout (on a new connection, from the accept).
    if (!m_framer.atRequestStart()) {
        if (m_phase == Phase::Idle)
            arm(Phase::Head, m_shared->limits.headerTimeoutMs);
        else if (m_phase == Phase::Waiting)
            m_phase = Phase::Head;
    }
    if (m_framer.inBody()) {
        setBuffered(m_framer.bodyBytesReceived());
        if (m_shared->stats.bufferedBodyBytes > m_shared->limits.maxBufferedBodyBytes)
            refuse(retryLater(m_shared->limits.retryAfterSeconds,
                              QStringLiteral("The server is receiving too many large requests at once; retry in %1 "
                                             "seconds.")
                                  .arg(m_shared->limits.retryAfterSeconds)));
    }
}

// Size limits first (they hold whatever the request is), then the server's own rules.
bool ConnectionGuard::admitHead()
{
    const ConnectionLimits& limits = m_shared->limits;
    const RequestHead& head = m_framer.head();
    if (head.contentLength > limits.maxBodyBytes) {
        refuse(errorResponse(413, QStringLiteral("The request is larger than this server accepts (%1 bytes). "
                                                 "Send fewer items per request.")
                                      .arg(limits.maxBodyBytes)));
        return false;
    }
    if (!hasBasicCredentials(head.header("authorization"))) {
        const qint64 limit = std::min(limits.maxBodyBytes, limits.maxUnauthenticatedBodyBytes);
        if (head.contentLength > limit) {
            refuse(errorResponse(413, QStringLiteral("A request without credentials may carry at most %1 bytes. "
                                                     "Send your HTTP Basic credentials with it.")
                                          .arg(limit)));
            return false;
        }
        m_framer.setBodyLimit(limit);
    }
    if (m_shared->stats.bufferedBodyBytes + head.contentLength > limits.maxBufferedBodyBytes) {
        refuse(retryLater(limits.retryAfterSeconds,
                          QStringLiteral("The server is receiving too many large requests at once; retry in %1 "
                                         "seconds.")
                              .arg(limits.retryAfterSeconds)));
        return false;
    }
    if (m_shared->screen) {
        if (const std::optional<HttpResponse> refusal = m_shared->screen(head)) {
            refuse(*refusal);
            return false;
        }
    }
    return true;
}

void ConnectionGuard::onTimeout()
{
    if (m_socket->state() == QAbstractSocket::UnconnectedState) {
        finish();
        return;
    }
    const ConnectionLimits& limits = m_shared->limits;
    switch (m_phase) {
    case Phase::Head:
        refuse(errorResponse(408, QStringLiteral("The request headers did not arrive within %1 ms; send them at "
                                                 "once.")
                                      .arg(limits.headerTimeoutMs)));
        return;
    case Phase::Body:
        refuse(errorResponse(408, QStringLiteral("The request body did not arrive within %1 ms; send it at once, "
                                                 "or send less.")
                                      .arg(limits.bodyTimeoutMs)));
        return;
    case Phase::Handshake:
    case Phase::Waiting:
    case Phase::Idle:
    case Phase::Lingering:
        // Nothing half-sent to answer: close. A graceful close first, so an answer already written arrives.
        m_phase = Phase::Closing;
        m_timer.start(std::max(limits.lingerMs, 1));
        m_socket->disconnectFromHost();
        return;
    case Phase::Closing:
        m_socket->abort();
        finish();
        return;
    }
}

GuardedTcpServer::GuardedTcpServer(const ConnectionLimits& limits, RequestScreen screen,
                                   std::optional<QSslConfiguration> tls, QObject* parent)
    : QTcpServer(parent), m_shared(std::make_shared<ConnectionGuard::Shared>()), m_tls(std::move(tls))
{
    m_shared->limits = limits;
    m_shared->screen = std::move(screen);
    setListenBacklogSize(1024);
}

void GuardedTcpServer::incomingConnection(qintptr descriptor)
{
    QTcpSocket* socket = nullptr;
    if (m_tls) {
        auto* sslSocket = new QSslSocket(this);
        if (!sslSocket->setSocketDescriptor(descriptor)) {
            delete sslSocket;
            return;
        }
        socket = sslSocket;
    } else {
        socket = new QTcpSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
    }
    if (m_shared->stats.openConnections >= m_shared->limits.maxConnections) {
        ++m_shared->stats.refusedConnections;
        if (m_tls) {
            // A plain-text 503 means nothing to a TLS client, and a handshake is what the cap saves.
            socket->abort();
            socket->deleteLater();
            return;
        }
        auto* guard = new ConnectionGuard(socket, m_shared, false, false);
        guard->refuse(retryLater(m_shared->limits.retryAfterSeconds,
                                 QStringLiteral("The server has %1 open connections, its limit; retry in %2 seconds.")
                                     .arg(m_shared->limits.maxConnections)
                                     .arg(m_shared->limits.retryAfterSeconds)));
        return;
    }
    auto* guard = new ConnectionGuard(socket, m_shared, m_tls.has_value(), true);
    if (m_tls) {
        auto* sslSocket = static_cast<QSslSocket*>(socket);
        sslSocket->setSslConfiguration(*m_tls);
        sslSocket->startServerEncryption();
    }
    // QAbstractHttpServer 6.4 connects to the socket from pendingConnectionAvailable, emitted right here.
    addPendingConnection(socket);
    guard->followServerReads();
}

#include "server/ConnectionGuard.h"

#include "server/MlflowError.h"

#include <QPointer>
#include <QSslSocket>
#include <QTcpSocket>

#include <algorithm>

namespace {

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
    return serializedHead(response, false, response.body.size()) + response.body;
}

ConnectionGuard::ConnectionGuard(QTcpSocket* socket, std::shared_ptr<Shared> shared, bool tls, bool counted)
    : QObject(socket), m_socket(socket), m_shared(std::move(shared)), m_framer(m_shared->limits), m_counted(counted)
{
    if (m_counted)
        ++m_shared->stats.openConnections;
    m_clock.start();
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
            if (m_phase != Phase::Handshake)
                return;
            if (m_refusalWhenEncrypted)
                refuse(*m_refusalWhenEncrypted);
            else
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
    if (m_holdsRefusalHandshake)
        --m_shared->refusalHandshakes;
}

void ConnectionGuard::refuseWhenEncrypted(const HttpResponse& response)
{
    m_refusalWhenEncrypted = response;
    m_holdsRefusalHandshake = true;
    ++m_shared->refusalHandshakes;
}

// A request re-arms the timer two or three times (its head, its answer written, idle again), and restarting a
// QTimer costs more than framing the request: a running timer that fires no later than the new deadline is kept,
// and onTimeout() sets it again for what is left.
void ConnectionGuard::arm(Phase phase, int milliseconds)
{
    m_phase = phase;
    const qint64 now = m_clock.elapsed();
    m_deadline = now + std::max(milliseconds, 0);
    if (m_timer.isActive() && m_timerFiresAt <= m_deadline)
        return;
    m_timerFiresAt = m_deadline;
    m_timer.start(int(m_deadline - now));
}

void ConnectionGuard::setBuffered(qint64 bytes)
{
    m_shared->stats.bufferedBodyBytes += bytes - m_buffered;
    m_buffered = bytes;
}

// The connection is gone (or given up): stop counting it and let it be deleted.
void ConnectionGuard::finish()
{
    m_timer.stop();
    setBuffered(0);
    if (m_counted) {
        m_counted = false;
        --m_shared->stats.openConnections;
    }
    if (m_holdsRefusalHandshake) {
        m_holdsRefusalHandshake = false;
        --m_shared->refusalHandshakes;
    }
    if (m_paused) {
        m_paused = false;
        m_socket->blockSignals(false);
    }
    m_phase = Phase::Closing;
    m_socket->deleteLater();
}

void ConnectionGuard::refuse(const HttpResponse& response)
{
    if (m_paused) {
        m_paused = false;
        m_socket->blockSignals(false);
        m_socket->setReadBufferSize(0);
    }
    // Unread input is dropped unparsed; what still arrives is drained while lingering.
    m_socket->readAll();
    setBuffered(0);
    m_socket->write(serializeClosingResponse(response));
    m_socket->flush();
    arm(Phase::Lingering, m_shared->limits.lingerMs);
}

void ConnectionGuard::onReadyRead()
{
    if (m_phase == Phase::Lingering || m_phase == Phase::Closing || m_lastRequestRead) {
        m_socket->readAll();
        return;
    }
    const QByteArray bytes = m_socket->readAll();
    qint64 offset = 0;
    for (;;) {
        const RequestFramer::Event event = m_framer.advance(bytes.constData(), bytes.size(), &offset);
        if (event == RequestFramer::Event::NeedMore)
            break;
        if (event == RequestFramer::Event::Violation) {
            refuse(errorResponse(m_framer.violationStatus(), m_framer.violationMessage()));
            return;
        }
        if (event == RequestFramer::Event::HeadComplete) {
            if (!admitHead())
                return;
            // Only while nothing of the body is here: a client that sent it anyway needs no interim answer, and with
            // pipelining one could overtake the answer to the request before.
            if (!m_pauseWanted && offset == bytes.size())
                continueIfExpected();
            // A body that is all here already is framed before any timer could fire.
            const RequestHead& head = m_framer.head();
            if (head.chunked || head.contentLength > bytes.size() - offset)
                arm(Phase::Body, m_shared->limits.bodyTimeoutMs);
            continue;
        }
        // MessageComplete.
        m_pauseWanted = false; // the whole body is here already: nothing left to hold back
        setBuffered(0);
        arm(Phase::Idle, m_shared->limits.idleTimeoutMs);
        deliverRequest();
        if (m_lastRequestRead)
            return;
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
    if (m_pauseWanted && m_phase != Phase::Lingering)
        pauseReading();
}

void ConnectionGuard::deliverRequest()
{
    const RequestHead& head = m_framer.head();
    HttpRequest request;
    request.method = head.method;
    request.path = head.decodedPath();
    request.query = head.query();
    request.headers = head.headers;
    request.body = m_framer.takeBody();
    request.peer = m_socket->peerAddress();
    m_lastRequestRead = !head.keepAlive;
    m_shared->sink(m_socket, std::move(request), head.keepAlive);
}

void ConnectionGuard::continueIfExpected()
{
    const RequestHead& head = m_framer.head();
    if ((head.chunked || head.contentLength > 0) &&
        head.header("expect").compare("100-continue", Qt::CaseInsensitive) == 0)
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
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
    return admitUnverifiedBody(head);
}

namespace {

HttpResponse unverifiedBodyRefusal(qint64 limit)
{
    return errorResponse(413, QStringLiteral("This request's credentials were not accepted (wrong password, unknown "
                                             "user, or too many failed sign-ins), so it may carry at most %1 bytes. "
                                             "Check the user name and password, or retry later.")
                                  .arg(limit));
}

} // namespace

// A forged or wrong Basic header used to buy the full body limit before its check. Remembered credentials pass
// at once; others are checked now (on the password pool) while the body waits unread, so what such a request
// parks is what one read brought plus the socket's capped buffer.
bool ConnectionGuard::admitUnverifiedBody(const RequestHead& head)
{
    const ConnectionLimits& limits = m_shared->limits;
    const qint64 limit = std::min(limits.maxBodyBytes, limits.maxUnauthenticatedBodyBytes);
    if (!m_shared->credentials || (!head.chunked && head.contentLength <= limit))
        return true;
    const quint64 pause = ++m_pauses;
    QPointer<ConnectionGuard> self(this);
    const std::optional<bool> verified =
        m_shared->credentials(head.header("authorization"), m_socket->peerAddress(), [self, pause](bool verified) {
            // Always later than this call returns, so that the pause it ends has begun.
            QMetaObject::invokeMethod(
                self.data(),
                [self, pause, verified] {
                    if (self && self->m_pauses == pause)
                        self->resumeReading(verified);
                },
                Qt::QueuedConnection);
        });
    if (!verified) {
        m_pauseWanted = true;
        return true;
    }
    if (*verified)
        return true;
    if (head.chunked) {
        m_framer.setBodyLimit(limit);
        return true;
    }
    refuse(unverifiedBodyRefusal(limit));
    return false;
}

void ConnectionGuard::pauseReading()
{
    m_pauseWanted = false;
    m_paused = true;
    // 0 would mean unbounded; a full buffer stops the socket reading, and the client's TCP window fills.
    m_socket->setReadBufferSize(std::max<qint64>(m_shared->limits.maxUnauthenticatedBodyBytes, 1));
    // Reading happens on readyRead; with the socket's signals blocked nothing more is read until resumed.
    // destroyed() is still emitted, and a disconnect meanwhile is seen on resume or by the body timeout.
    m_socket->blockSignals(true);
}

void ConnectionGuard::resumeReading(bool verified)
{
    if (!m_paused)
        return;
    m_paused = false;
    m_socket->blockSignals(false);
    m_socket->setReadBufferSize(0);
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        finish();
        return;
    }
    if (!verified) {
        const qint64 limit = std::min(m_shared->limits.maxBodyBytes, m_shared->limits.maxUnauthenticatedBodyBytes);
        if (!m_framer.head().chunked || m_framer.bodyBytesReceived() > limit) {
            refuse(unverifiedBodyRefusal(limit));
            return;
        }
        m_framer.setBodyLimit(limit);
    } else {
        continueIfExpected();
    }
    // What arrived meanwhile waits in the socket's buffer, and the readyRead that announced it was blocked.
    QMetaObject::invokeMethod(m_socket, "readyRead", Qt::QueuedConnection);
}

void ConnectionGuard::onTimeout()
{
    if (const qint64 now = m_clock.elapsed(); now < m_deadline) {
        m_timerFiresAt = m_deadline; // re-armed since the timer started (see arm())
        m_timer.start(int(m_deadline - now));
        return;
    }
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
        arm(Phase::Closing, std::max(limits.lingerMs, 1));
        m_socket->disconnectFromHost();
        return;
    case Phase::Closing:
        m_socket->abort();
        finish();
        return;
    }
}

GuardedTcpServer::GuardedTcpServer(const ConnectionLimits& limits, RequestScreen screen, CredentialCheck credentials,
                                   RequestSink sink, std::optional<QSslConfiguration> tls, QObject* parent)
    : QTcpServer(parent), m_shared(std::make_shared<ConnectionGuard::Shared>()), m_tls(std::move(tls))
{
    m_shared->limits = limits;
    m_shared->screen = std::move(screen);
    m_shared->credentials = std::move(credentials);
    m_shared->sink = std::move(sink);
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
        const HttpResponse refusal =
            retryLater(m_shared->limits.retryAfterSeconds,
                       QStringLiteral("The server has %1 open connections, its limit; retry in %2 seconds.")
                           .arg(m_shared->limits.maxConnections)
                           .arg(m_shared->limits.retryAfterSeconds));
        if (!m_tls) {
            auto* guard = new ConnectionGuard(socket, m_shared, false, false);
            guard->refuse(refusal);
            return;
        }
        // A plain-text 503 means nothing to a TLS client: it is answered after the handshake. Handshakes are what
        // the cap saves, so only a few such refusals run at once (each within the handshake timeout); beyond them
        // the connection is closed unanswered.
        if (m_shared->refusalHandshakes >= m_shared->limits.maxRefusalHandshakes) {
            socket->abort();
            socket->deleteLater();
            return;
        }
        auto* guard = new ConnectionGuard(socket, m_shared, true, false);
        guard->refuseWhenEncrypted(refusal);
        auto* sslSocket = static_cast<QSslSocket*>(socket);
        sslSocket->setSslConfiguration(*m_tls);
        sslSocket->startServerEncryption();
        return;
    }
    new ConnectionGuard(socket, m_shared, m_tls.has_value(), true);
    if (m_tls) {
        auto* sslSocket = static_cast<QSslSocket*>(socket);
        sslSocket->setSslConfiguration(*m_tls);
        sslSocket->startServerEncryption();
    }
}

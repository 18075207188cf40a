#pragma once

#include "server/ConnectionLimits.h"
#include "server/HttpMessage.h"
#include "server/RequestFramer.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

class QTcpSocket;

// The server's rules about a request that can be decided from its head alone, before a byte of its body is
// buffered (e.g. the Host and Origin checks). A response refuses the request and the connection is closed after
// it; nullopt lets the request through.
using RequestScreen = std::function<std::optional<HttpResponse>(const RequestHead&)>;

// Whether a request's HTTP Basic credentials are good, asked before a large body is buffered: an answer now
// (remembered credentials, or ones refused without a key derivation), or nullopt and `later(verified)` on this
// thread once the derivation is done.
using CredentialCheck = std::function<std::optional<bool>(const QByteArray& authorization, const QHostAddress& peer,
                                                          std::function<void(bool)> later)>;

// Live figures of one listener: what the limits are measured against, and what tests assert.
struct ConnectionStats
{
    int openConnections = 0;
    qint64 bufferedBodyBytes = 0;  // received body bytes of requests not yet complete, over all connections
    qint64 refusedConnections = 0; // turned away because maxConnections were open
};

// Receives each complete request of a connection in the order they came; `keepAlive` false: the client asked to
// close once this one is answered (no later request of that connection follows).
using RequestSink = std::function<void(QTcpSocket* socket, HttpRequest request, bool keepAlive)>;

// The serialized form of a response the guard answers itself (the request never reaches the sink), with
// "Connection: close" and the security headers every response carries.
QByteArray serializeClosingResponse(const HttpResponse& response);

// Reads one connection: parses every request as its bytes arrive (RequestFramer), enforces the size limits, the
// handshake / header / body / idle timeouts and the screen, hands each complete request to the sink, and closes
// the connection when a rule is broken. A refused request's bytes are dropped unparsed, so they can never be read
// as another request. Lives as a child of the socket, and deletes the socket once it is closed.
class ConnectionGuard : public QObject
{
public:
    struct Shared
    {
        ConnectionLimits limits;
        RequestScreen screen;
        CredentialCheck credentials;
        RequestSink sink;
        ConnectionStats stats;
        int refusalHandshakes = 0; // HTTPS connections over the cap being handshaken to be told 503
    };

    ConnectionGuard(QTcpSocket* socket, std::shared_ptr<Shared> shared, bool tls, bool counted);
    ~ConnectionGuard() override;

    // Answers `response` at once and closes; no request of the connection reaches the sink after it.
    void refuse(const HttpResponse& response);
    // The same once the TLS handshake is done (HTTPS over the connection cap); counted in refusalHandshakes.
    void refuseWhenEncrypted(const HttpResponse& response);

private:
    enum class Phase { Handshake, Waiting, Head, Body, Idle, Lingering, Closing };

    void onReadyRead();
    void onTimeout();
    bool admitHead();
    void deliverRequest();
    // "Expect: 100-continue": the client waits for this before it sends the body (curl does for bodies over 1 KiB).
    void continueIfExpected();
    // A large body with credentials not verified yet: read no more of it until they are (see pauseReading).
    bool admitUnverifiedBody(const RequestHead& head);
    // Nothing is read while paused; the socket buffers at most the unauthenticated body cap and TCP holds the rest
    // at the client.
    void pauseReading();
    void resumeReading(bool verified);
    void arm(Phase phase, int milliseconds);
    void setBuffered(qint64 bytes);
    void finish();

    QTcpSocket* m_socket;
    std::shared_ptr<Shared> m_shared;
    RequestFramer m_framer;
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_deadline = 0;     // when the current phase times out, on m_clock
    qint64 m_timerFiresAt = 0; // when m_timer is due while it runs, on m_clock
    Phase m_phase = Phase::Waiting;
    qint64 m_buffered = 0;
    bool m_counted;
    bool m_lastRequestRead = false; // a request asked to close the connection: what follows it is not read
    bool m_pauseWanted = false;     // set while framing, acted on once the bytes at hand are framed
    bool m_paused = false;
    quint64 m_pauses = 0; // tells a late verification from the one that is awaited
    std::optional<HttpResponse> m_refusalWhenEncrypted;
    bool m_holdsRefusalHandshake = false;
};

// Accepts connections with a deep backlog (QTcpServer's 50 stalls bursts of clients), refuses those beyond the
// connection cap, optionally speaks TLS, and puts a ConnectionGuard on every socket, which reads its requests.
class GuardedTcpServer : public QTcpServer
{
    Q_OBJECT

public:
    GuardedTcpServer(const ConnectionLimits& limits, RequestScreen screen, CredentialCheck credentials,
                     RequestSink sink, std::optional<QSslConfiguration> tls, QObject* parent = nullptr);

    ConnectionStats stats() const { return m_shared->stats; }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    std::shared_ptr<ConnectionGuard::Shared> m_shared;
    std::optional<QSslConfiguration> m_tls;
};

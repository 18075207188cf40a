#pragma once

#include "server/ConnectionGuard.h"
#include "server/ConnectionLimits.h"
#include "server/HttpMessage.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QSslConfiguration>

#include <functional>
#include <optional>

class ResponseSequence;

// The HTTP server: listens (GuardedTcpServer, whose ConnectionGuards parse the requests), hands every request to
// one handler and writes the HttpResponse the handler replies with, at once or later (a password check off this
// thread), in the order the connection's requests came. Not Qt HttpServer: its 6.4 parser reads request heads a
// byte at a time (about 40 % of a small request's cost here) and a deferred responder crashes when its client has
// gone; the framing and limits had to be ours anyway (ConnectionGuard).
class HttpFront : public QObject
{
    Q_OBJECT

public:
    using Reply = std::function<void(HttpResponse)>;
    using Handler = std::function<void(const HttpRequest&, Reply)>;

    // Every connection is held to `limits`; `screen` may refuse a request from its head, and `credentials` are
    // asked before a large body is read (see ConnectionGuard).
    HttpFront(Handler handler, const ConnectionLimits& limits, RequestScreen screen, CredentialCheck credentials,
              QObject* parent = nullptr);

    // Returns the bound port, or 0 with `error` set.
    quint16 listenOn(const QHostAddress& address, quint16 port, const std::optional<QSslConfiguration>& tls,
                     QString* error);
    // What the listener measures (open connections, bodies being received); zeros before listenOn().
    ConnectionStats connectionStats() const;

private:
    void receive(QTcpSocket* socket, HttpRequest request, bool keepAlive);
    ResponseSequence* sequenceOf(QTcpSocket* socket);

    Handler m_handler;
    ConnectionLimits m_limits;
    RequestScreen m_screen;
    CredentialCheck m_credentials;
    QHash<QTcpSocket*, ResponseSequence*> m_sequences;
    GuardedTcpServer* m_listener = nullptr;
};

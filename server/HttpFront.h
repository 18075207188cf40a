#pragma once

#include "server/ConnectionGuard.h"
#include "server/ConnectionLimits.h"
#include "server/HttpMessage.h"

#include <QAbstractHttpServer>
#include <QHash>
#include <QHostAddress>
#include <QSslConfiguration>

#include <functional>
#include <optional>

class ResponseSequence;

// QHttpServer front: turns every request into an HttpRequest, hands it to one handler and writes the HttpResponse
// the handler replies with, at once or later (a password check off this thread). No regex routes and no Qt
// responders (both are fragile in Qt 6.4: a deferred responder crashes when its client has gone): the answer is
// written to the socket, guarded by a QPointer, in the order the connection's requests came.
class HttpFront : public QAbstractHttpServer
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

protected:
    bool handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) override;
    void missingHandler(const QHttpServerRequest& request, QTcpSocket* socket) override;

private:
    ResponseSequence* sequenceOf(QTcpSocket* socket);

    Handler m_handler;
    ConnectionLimits m_limits;
    RequestScreen m_screen;
    CredentialCheck m_credentials;
    qint64 m_maxBodyBytes;
    QHash<QTcpSocket*, ResponseSequence*> m_sequences;
    GuardedTcpServer* m_listener = nullptr;
};

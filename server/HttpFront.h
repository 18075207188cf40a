#pragma once

#include "server/HttpMessage.h"

#include <QAbstractHttpServer>
#include <QHash>
#include <QHostAddress>
#include <QSslConfiguration>
#include <QTcpServer>

#include <functional>
#include <optional>

// Accepts connections with a deep backlog (QTcpServer's 50 stalls bursts of clients) and, before QHttpServer sees
// a byte, guards each socket against oversized requests: a Content-Length above the limit, or more bytes than the
// limit without an answer, gets 413 and the connection is closed. Optionally speaks TLS.
class GuardedTcpServer : public QTcpServer
{
    Q_OBJECT

public:
    GuardedTcpServer(qint64 maxRequestBytes, std::optional<QSslConfiguration> tls, QObject* parent = nullptr);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    qint64 m_maxRequestBytes;
    std::optional<QSslConfiguration> m_tls;
};

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

    HttpFront(Handler handler, qint64 maxBodyBytes, QObject* parent = nullptr);

    // Returns the bound port, or 0 with `error` set.
    quint16 listenOn(const QHostAddress& address, quint16 port, const std::optional<QSslConfiguration>& tls,
                     QString* error);

protected:
    bool handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) override;
    void missingHandler(const QHttpServerRequest& request, QTcpSocket* socket) override;

private:
    ResponseSequence* sequenceOf(QTcpSocket* socket);

    Handler m_handler;
    qint64 m_maxBodyBytes;
    QHash<QTcpSocket*, ResponseSequence*> m_sequences;
};

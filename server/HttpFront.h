#pragma once

#include "server/ConnectionGuard.h"
#include "server/ConnectionLimits.h"
#include "server/HttpMessage.h"

#include <QAbstractHttpServer>
#include <QHostAddress>
#include <QSslConfiguration>

#include <functional>
#include <optional>

// QHttpServer front: turns every request into an HttpRequest, hands it to one handler synchronously and writes
// the HttpResponse. No regex routes, no deferred responders (both are fragile in Qt 6.4).
class HttpFront : public QAbstractHttpServer
{
    Q_OBJECT

public:
    using Handler = std::function<HttpResponse(const HttpRequest&)>;

    // Every connection is held to `limits`; `screen` may refuse a request from its head (see ConnectionGuard).
    HttpFront(Handler handler, const ConnectionLimits& limits, RequestScreen screen, QObject* parent = nullptr);

    // Returns the bound port, or 0 with `error` set.
    quint16 listenOn(const QHostAddress& address, quint16 port, const std::optional<QSslConfiguration>& tls,
                     QString* error);
    // What the listener measures (open connections, bodies being received); zeros before listenOn().
    ConnectionStats connectionStats() const;

protected:
    bool handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) override;
    void missingHandler(const QHttpServerRequest& request, QTcpSocket* socket) override;

private:
    Handler m_handler;
    ConnectionLimits m_limits;
    RequestScreen m_screen;
    qint64 m_maxBodyBytes;
    GuardedTcpServer* m_listener = nullptr;
};

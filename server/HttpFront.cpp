#include "server/HttpFront.h"

#include "server/MlflowError.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QPointer>
#include <QSslSocket>

HttpFront::HttpFront(Handler handler, const ConnectionLimits& limits, RequestScreen screen, QObject* parent)
    : QAbstractHttpServer(parent), m_handler(std::move(handler)), m_limits(limits), m_screen(std::move(screen)),
      m_maxBodyBytes(limits.maxBodyBytes)
{}

quint16 HttpFront::listenOn(const QHostAddress& address, quint16 port, const std::optional<QSslConfiguration>& tls,
                            QString* error)
{
    auto* server = new GuardedTcpServer(m_limits, m_screen, tls, this);
    if (!server->listen(address, port)) {
        *error = QStringLiteral("Cannot listen on %1:%2: %3. Choose another --port or stop the program using it.")
                     .arg(address.toString())
                     .arg(port)
                     .arg(server->errorString());
        delete server;
        return 0;
    }
    bind(server);
    m_listener = server;
    return server->serverPort();
}

ConnectionStats HttpFront::connectionStats() const
{
    return m_listener ? m_listener->stats() : ConnectionStats();
}

namespace {

QByteArray methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get:
        return "GET";
    case QHttpServerRequest::Method::Put:
        return "PUT";
    case QHttpServerRequest::Method::Delete:
        return "DELETE";
    case QHttpServerRequest::Method::Post:
        return "POST";
    case QHttpServerRequest::Method::Head:
        return "HEAD";
    case QHttpServerRequest::Method::Options:
        return "OPTIONS";
    case QHttpServerRequest::Method::Patch:
        return "PATCH";
    case QHttpServerRequest::Method::Connect:
        return "CONNECT";
    case QHttpServerRequest::Method::Trace:
        return "TRACE";
    default:
        break;
    }
    return "UNKNOWN";
}

void writeResponse(QHttpServerResponder& responder, QTcpSocket* socket, const HttpResponse& response)
{
    responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(response.status));
    responder.writeHeader("Content-Type", response.contentType);
    responder.writeHeader("Content-Length", QByteArray::number(response.body.size()));
    for (const auto& header : response.extraHeaders)
        responder.writeHeader(header.first, header.second);
    for (const auto& header : securityHeaders())
        responder.writeHeader(header.first, header.second);
    // The responder ends the headers; the body goes to the socket as a QByteArray, which the socket's buffer
    // shares instead of copying (the responder passes a pointer and size, so a 256 MB users/list was copied once
    // more, page by page).
    responder.writeBody(QByteArray());
    socket->write(response.body);
}

} // namespace

bool HttpFront::handleRequest(const QHttpServerRequest& request, QTcpSocket* socket)
{
    HttpResponse response;
    if (request.body().size() > m_maxBodyBytes) {
        response = HttpResponse::json(
            MlflowError("RESOURCE_EXHAUSTED",
                        QStringLiteral("The request body is larger than %1 bytes.").arg(m_maxBodyBytes))
                .toJson(),
            413);
    } else {
        HttpRequest plain;
        plain.method = methodName(request.method());
        plain.path = request.url().path(QUrl::FullyDecoded);
        plain.query = request.query();
        plain.headers = request.headers();
        plain.body = request.body();
        response = m_handler(plain);
    }
    QHttpServerResponder responder = makeResponder(request, socket);
    writeResponse(responder, socket, response);
    // Send now rather than on the next turn of the event loop: one wake-up and one poll fewer per request.
    socket->flush();
    return true;
}

void HttpFront::missingHandler(const QHttpServerRequest& request, QTcpSocket* socket)
{
    QHttpServerResponder responder = makeResponder(request, socket);
    writeResponse(responder, socket,
                  HttpResponse::htmlError(404, QStringLiteral("Not Found"), QStringLiteral("Not found.")));
}

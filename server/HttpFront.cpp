#include "server/HttpFront.h"

#include "server/MlflowError.h"

#include <QHttpServerRequest>
#include <QLoggingCategory>
#include <QPointer>
#include <QSslSocket>

#include <algorithm>
#include <map>

namespace {

// Header bytes we tolerate on top of the body limit before calling a request oversized.
constexpr qint64 headerAllowance = 64 * 1024;

// From this size on an answer's body is handed to the socket without a copy (see writeResponse).
constexpr qsizetype sharedBodyBytes = 256 * 1024;

QByteArray tooLargeResponse(qint64 limit)
{
    const QByteArray body =
        MlflowError("RESOURCE_EXHAUSTED", QStringLiteral("The request is larger than this server accepts (%1 bytes). "
                                                         "Send fewer items per request.")
                                              .arg(limit))
            .toJson();
    return "HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/json\r\nContent-Length: " +
           QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

// Per-socket size accounting; lives as a child of the socket. Its slots run before QHttpServer's because it is
// connected before the socket is handed over.
class RequestSizeGuard : public QObject
{
public:
    RequestSizeGuard(QTcpSocket* socket, qint64 maxBodyBytes) : QObject(socket), m_socket(socket), m_max(maxBodyBytes)
    {
        connect(socket, &QTcpSocket::readyRead, this, [this] { onReadyRead(); });
        connect(socket, &QTcpSocket::bytesWritten, this, [this] {
            m_received = 0;
            m_atRequestStart = true;
        });
    }

private:
    void onReadyRead()
    {
        if (m_rejected) {
            m_socket->readAll();
            return;
        }
        m_received += m_socket->bytesAvailable();
        if (m_atRequestStart) {
            // peek() allocates what it is asked for: ask for what is there.
            const QByteArray head = m_socket->peek(std::min<qint64>(16 * 1024, m_socket->bytesAvailable()));
            const int end = head.indexOf("\r\n\r\n");
            if (end >= 0) {
                m_atRequestStart = false;
                if (declaredLength(head.left(end)) > m_max)
                    return reject();
            }
        }
        if (m_received > m_max + headerAllowance)
            reject();
    }

    static qint64 declaredLength(const QByteArray& head)
    {
        const QList<QByteArray> lines = head.split('\n');
        for (const QByteArray& line : lines) {
            const int colon = line.indexOf(':');
            if (colon > 0 && line.left(colon).trimmed().compare("content-length", Qt::CaseInsensitive) == 0)
                return line.mid(colon + 1).trimmed().toLongLong();
        }
        return 0;
    }

    void reject()
    {
        m_rejected = true;
        m_socket->readAll();
        m_socket->write(tooLargeResponse(m_max));
        m_socket->disconnectFromHost();
    }

    QTcpSocket* m_socket;
    qint64 m_max;
    qint64 m_received = 0;
    bool m_atRequestStart = true;
    bool m_rejected = false;
};

} // namespace

GuardedTcpServer::GuardedTcpServer(qint64 maxRequestBytes, std::optional<QSslConfiguration> tls, QObject* parent)
    : QTcpServer(parent), m_maxRequestBytes(maxRequestBytes), m_tls(std::move(tls))
{
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
        sslSocket->setSslConfiguration(*m_tls);
        sslSocket->startServerEncryption();
        socket = sslSocket;
    } else {
        socket = new QTcpSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
    }
    new RequestSizeGuard(socket, m_maxRequestBytes);
    addPendingConnection(socket);
}

namespace {

QLoggingCategory::CategoryFilter previousLoggingFilter = nullptr;

// Qt HttpServer's debug output ("Request:" followed by every header) would log each client's Authorization header:
// that category's debug level stays off whatever the logging rules say.
void withoutRequestDumps(QLoggingCategory* category)
{
    if (previousLoggingFilter)
        previousLoggingFilter(category);
    if (qstrcmp(category->categoryName(), "qt.httpserver") == 0)
        category->setEnabled(QtDebugMsg, false);
}

} // namespace

HttpFront::HttpFront(Handler handler, qint64 maxBodyBytes, QObject* parent)
    : QAbstractHttpServer(parent), m_handler(std::move(handler)), m_maxBodyBytes(maxBodyBytes)
{
    static const bool filtered = [] {
        previousLoggingFilter = QLoggingCategory::installFilter(withoutRequestDumps);
        return true;
    }();
    Q_UNUSED(filtered);
}

quint16 HttpFront::listenOn(const QHostAddress& address, quint16 port, const std::optional<QSslConfiguration>& tls,
                            QString* error)
{
    auto* server = new GuardedTcpServer(m_maxBodyBytes, tls, this);
    if (!server->listen(address, port)) {
        *error = QStringLiteral("Cannot listen on %1:%2: %3. Choose another --port or stop the program using it.")
                     .arg(address.toString())
                     .arg(port)
                     .arg(server->errorString());
        delete server;
        return 0;
    }
    bind(server);
    return server->serverPort();
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

// Qt's own reason phrases (qhttpserverresponder.cpp) for the statuses this server answers.
QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Request Entity Too Large";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return {};
    }
}

void writeResponse(QTcpSocket* socket, const HttpResponse& response)
{
    QByteArray head;
    head.reserve(256 + (response.body.size() < sharedBodyBytes ? response.body.size() : 0));
    head += "HTTP/1.1 " + QByteArray::number(response.status);
    const QByteArray reason = reasonPhrase(response.status);
    if (!reason.isEmpty())
        head += ' ' + reason;
    head += "\r\nContent-Type: " + response.contentType +
            "\r\nContent-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    for (const auto& header : response.extraHeaders)
        head += header.first + ": " + header.second + "\r\n";
    head += "\r\n";
    // A small body is copied behind the headers, so that the answer leaves in one segment: written as a buffer of
    // its own it goes out as a second segment, which Nagle's algorithm holds until the client has acknowledged the
    // first (a delayed ACK away). A large body goes to the socket as a QByteArray, which the socket's buffer shares
    // instead of copying (a 256 MB users/list must not be copied once more).
    if (response.body.size() < sharedBodyBytes) {
        head += response.body;
        socket->write(head);
        return;
    }
    socket->write(head);
    socket->write(response.body);
}

} // namespace

// A connection's answers in the order its requests came (HTTP/1.1 pipelining), though some are answered later than
// others. A child of its socket, so it goes with the connection; late answers for a gone connection are dropped.
class ResponseSequence : public QObject
{
public:
    explicit ResponseSequence(QTcpSocket* socket) : QObject(socket), m_socket(socket) {}

    quint64 reserve() { return m_reserved++; }

    void deliver(quint64 ticket, HttpResponse response)
    {
        // Closed but not yet deleted (QAbstractHttpServer deletes it later): nobody is there to read.
        if (m_socket->state() != QAbstractSocket::ConnectedState)
            return;
        if (ticket != m_written) {
            m_waiting.emplace(ticket, std::move(response));
            return;
        }
        writeResponse(m_socket, response);
        ++m_written;
        for (auto next = m_waiting.begin(); next != m_waiting.end() && next->first == m_written;
             next = m_waiting.erase(next)) {
            writeResponse(m_socket, next->second);
            ++m_written;
        }
        // Send now rather than on the next turn of the event loop: one wake-up and one poll fewer per request.
        m_socket->flush();
    }

private:
    QTcpSocket* m_socket;
    quint64 m_reserved = 0;
    quint64 m_written = 0;
    std::map<quint64, HttpResponse> m_waiting;
};

ResponseSequence* HttpFront::sequenceOf(QTcpSocket* socket)
{
    ResponseSequence*& sequence = m_sequences[socket];
    if (!sequence) {
        sequence = new ResponseSequence(socket);
        connect(socket, &QObject::destroyed, this, [this, socket] { m_sequences.remove(socket); });
    }
    return sequence;
}

bool HttpFront::handleRequest(const QHttpServerRequest& request, QTcpSocket* socket)
{
    ResponseSequence* sequence = sequenceOf(socket);
    const quint64 ticket = sequence->reserve();
    Reply reply = [sequence = QPointer<ResponseSequence>(sequence), ticket](HttpResponse response) {
        if (sequence)
            sequence->deliver(ticket, std::move(response));
    };
    if (request.body().size() > m_maxBodyBytes) {
        reply(HttpResponse::json(
            MlflowError("RESOURCE_EXHAUSTED",
                        QStringLiteral("The request body is larger than %1 bytes.").arg(m_maxBodyBytes))
                .toJson(),
            413));
        return true;
    }
    HttpRequest plain;
    plain.method = methodName(request.method());
    plain.path = request.url().path(QUrl::FullyDecoded);
    plain.query = request.query();
    plain.headers = request.headers();
    plain.body = request.body();
    plain.peer = request.remoteAddress();
    m_handler(plain, std::move(reply));
    return true;
}

void HttpFront::missingHandler(const QHttpServerRequest&, QTcpSocket* socket)
{
    ResponseSequence* sequence = sequenceOf(socket);
    sequence->deliver(sequence->reserve(),
                      HttpResponse::htmlError(404, QStringLiteral("Not Found"), QStringLiteral("Not found.")));
}

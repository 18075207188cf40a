#include "server/HttpFront.h"

#include "server/MlflowError.h"

#include <QHttpServerRequest>
#include <QLoggingCategory>
#include <QPointer>
#include <QSslSocket>

#include <algorithm>
#include <deque>

namespace {

// From this size on an answer's body is handed to the socket without a copy (see writeResponse).
constexpr qsizetype sharedBodyBytes = 256 * 1024;

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

HttpFront::HttpFront(Handler handler, const ConnectionLimits& limits, RequestScreen screen, CredentialCheck credentials,
                     QObject* parent)
    : QAbstractHttpServer(parent), m_handler(std::move(handler)), m_limits(limits), m_screen(std::move(screen)),
      m_credentials(std::move(credentials)), m_maxBodyBytes(limits.maxBodyBytes)
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
    auto* server = new GuardedTcpServer(m_limits, m_screen, m_credentials, tls, this);
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
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 413:
        return "Request Entity Too Large";
    case 414:
        return "URI Too Long";
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
    case 505:
        return "HTTP Version Not Supported";
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
    for (const auto& header : securityHeaders())
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

// A connection's requests, handled one at a time in the order they came (HTTP/1.1 pipelining): the next one starts
// when the one before it is answered, which may be later (a password check or hash off this thread). So answers
// leave in order, and a pipelined request sees everything the one before it did (users/create, then users/get).
// A child of its socket, so it goes with the connection; late answers for a gone connection are dropped.
class ResponseSequence : public QObject
{
public:
    using Job = std::function<void(HttpFront::Reply)>;

    explicit ResponseSequence(QTcpSocket* socket) : QObject(socket), m_socket(socket) {}

    void submit(Job job)
    {
        m_jobs.push_back(std::move(job));
        runNext();
    }

private:
    void runNext()
    {
        // An answer given while a job runs comes back here through deliver(): the loop goes on, no recursion.
        if (m_running)
            return;
        m_running = true;
        while (!m_busy && !m_jobs.empty()) {
            // Closed but not yet deleted (QAbstractHttpServer deletes it later): nobody is there to read.
            if (m_socket->state() != QAbstractSocket::ConnectedState) {
                m_jobs.clear();
                break;
            }
            m_busy = true;
            Job job = std::move(m_jobs.front());
            m_jobs.pop_front();
            const quint64 started = ++m_started;
            job([sequence = QPointer<ResponseSequence>(this), started](HttpResponse response) {
                if (sequence)
                    sequence->deliver(started, std::move(response));
            });
        }
        m_running = false;
    }

    void deliver(quint64 started, HttpResponse response)
    {
        if (!m_busy || started != m_started)
            return;
        if (m_socket->state() == QAbstractSocket::ConnectedState) {
            writeResponse(m_socket, response);
            // Send now rather than on the next turn of the event loop: one wake-up and one poll fewer per request.
            m_socket->flush();
        }
        m_busy = false;
        runNext();
    }

    QTcpSocket* m_socket;
    std::deque<Job> m_jobs;
    quint64 m_started = 0;
    bool m_busy = false;
    bool m_running = false;
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
    if (request.body().size() > m_maxBodyBytes) {
        const qint64 limit = m_maxBodyBytes;
        sequenceOf(socket)->submit([limit](const Reply& reply) {
            reply(HttpResponse::json(MlflowError("RESOURCE_EXHAUSTED",
                                                 QStringLiteral("The request body is larger than %1 bytes.").arg(limit))
                                         .toJson(),
                                     413));
        });
        return true;
    }
    HttpRequest plain;
    plain.method = methodName(request.method());
    plain.path = request.url().path(QUrl::FullyDecoded);
    plain.query = request.query();
    plain.headers = request.headers();
    plain.body = request.body();
    plain.peer = request.remoteAddress();
    sequenceOf(socket)->submit([this, plain = std::move(plain)](Reply reply) { m_handler(plain, std::move(reply)); });
    return true;
}

void HttpFront::missingHandler(const QHttpServerRequest&, QTcpSocket* socket)
{
    sequenceOf(socket)->submit([](const Reply& reply) {
        reply(HttpResponse::htmlError(404, QStringLiteral("Not Found"), QStringLiteral("Not found.")));
    });
}

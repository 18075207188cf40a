#include "server/HttpFront.h"

#include <QPointer>
#include <QSslSocket>

#include <deque>

namespace {

// From this size on an answer's body is handed to the socket without a copy (see writeResponse).
constexpr qsizetype sharedBodyBytes = 256 * 1024;

} // namespace

HttpFront::HttpFront(Handler handler, const ConnectionLimits& limits, RequestScreen screen, CredentialCheck credentials,
                     QObject* parent)
    : QObject(parent), m_handler(std::move(handler)), m_limits(limits), m_screen(std::move(screen)),
      m_credentials(std::move(credentials))
{}

quint16 HttpFront::listenOn(const QHostAddress& address, quint16 port, const std::optional<QSslConfiguration>& tls,
                            QString* error)
{
    auto* server = new GuardedTcpServer(
        m_limits, m_screen, m_credentials,
        [this](QTcpSocket* socket, HttpRequest request, bool keepAlive) {
            receive(socket, std::move(request), keepAlive);
        },
        tls, this);
    if (!server->listen(address, port)) {
        *error = QStringLiteral("Cannot listen on %1:%2: %3. Choose another --port or stop the program using it.")
                     .arg(address.toString())
                     .arg(port)
                     .arg(server->errorString());
        delete server;
        return 0;
    }
    m_listener = server;
    return server->serverPort();
}

ConnectionStats HttpFront::connectionStats() const
{
    return m_listener ? m_listener->stats() : ConnectionStats();
}

namespace {

void writeResponse(QTcpSocket* socket, const HttpResponse& response, bool keepAlive)
{
    // A small body is copied behind the headers, so that the answer leaves in one segment: written as a buffer of
    // its own it goes out as a second segment, which Nagle's algorithm holds until the client has acknowledged the
    // first (a delayed ACK away). A large body goes to the socket as a QByteArray, which the socket's buffer shares
    // instead of copying (a 256 MB users/list must not be copied once more).
    const bool shared = response.body.size() >= sharedBodyBytes;
    QByteArray bytes = serializedHead(response, keepAlive, shared ? 0 : response.body.size());
    if (!shared) {
        bytes += response.body;
        socket->write(bytes);
        return;
    }
    socket->write(bytes);
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

    // `keepAlive` false: the connection closes once this job's answer is written.
    void submit(Job job, bool keepAlive)
    {
        m_jobs.push_back({std::move(job), keepAlive});
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
            // Closed but not yet deleted (its ConnectionGuard deletes it later): nobody is there to read.
            if (m_socket->state() != QAbstractSocket::ConnectedState) {
                m_jobs.clear();
                break;
            }
            m_busy = true;
            Pending pending = std::move(m_jobs.front());
            m_jobs.pop_front();
            m_keepAlive = pending.keepAlive;
            const quint64 started = ++m_started;
            pending.job([sequence = QPointer<ResponseSequence>(this), started](HttpResponse response) {
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
            writeResponse(m_socket, response, m_keepAlive);
            // Send now rather than on the next turn of the event loop: one wake-up and one poll fewer per request.
            m_socket->flush();
            if (!m_keepAlive)
                m_socket->disconnectFromHost(); // after what is written has gone out
        }
        m_busy = false;
        runNext();
    }

    struct Pending
    {
        Job job;
        bool keepAlive;
    };

    QTcpSocket* m_socket;
    std::deque<Pending> m_jobs;
    bool m_keepAlive = true; // of the job whose answer is awaited
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

void HttpFront::receive(QTcpSocket* socket, HttpRequest request, bool keepAlive)
{
    sequenceOf(socket)->submit(
        [this, request = std::move(request)](Reply reply) { m_handler(request, std::move(reply)); }, keepAlive);
}

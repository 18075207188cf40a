#pragma once

// Shared by the api tests: a real EmbeddedServer on loopback and throw-away raw TCP servers for failure cases.
// Certificates for HTTPS tests come from ../common/TestCertificate.h.

#include "ServerFixture.h"

#include "api/ApiJob.h"
#include "server/DemoData.h"
#include "server/EmbeddedServer.h"

#include <QFile>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>
#include <memory>

namespace ApiTest {

// Waits for a job without letting it delete itself, so the test can read its result afterwards. The job stays a
// child of its Connection, which deletes it.
template <typename Job>
bool waitFor(Job* job, int timeoutMs = 20000)
{
    job->setAutoDelete(false);
    return QTest::qWaitFor([job] { return job->isFinished(); }, timeoutMs);
}

// The common ServerFixture (NO_PERMISSIONS, admin/password1234), started when a test case is ready for it rather
// than when the test object is built.
struct TestServer
{
    std::unique_ptr<ServerFixture> fixture;
    QString error;

    bool start(bool demo, const QString& certificatePath = {}, const QString& keyPath = {})
    {
        fixture = std::make_unique<ServerFixture>(demo, QStringLiteral("NO_PERMISSIONS"), certificatePath, keyPath);
        error = fixture->error();
        return fixture->started();
    }

    EmbeddedServer& server() { return fixture->server(); }
    QUrl url() const { return fixture->server().url(); }
    QString dataDir() const { return fixture->dataDir(); }
};

// A raw TCP server whose behaviour per connection is a function: for requests our client must survive that no
// MLflow sends (silence, garbage, a plain web page, a redirect) and to capture exactly what the client sent.
class RawServer : public QTcpServer
{
public:
    // Called with everything received so far on a socket; return true once the request was answered/handled.
    using Handler = std::function<bool(QTcpSocket* socket, const QByteArray& received)>;

    explicit RawServer(Handler handler) : m_handler(std::move(handler))
    {
        listen(QHostAddress::LocalHost, 0);
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* socket = nextPendingConnection()) {
                ++m_connections;
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    QByteArray& buffer = m_buffers[socket];
                    buffer += socket->readAll();
                    // Hand over complete requests only (headers plus Content-Length bytes of body).
                    const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
                    if (headerEnd < 0)
                        return;
                    qsizetype length = 0;
                    const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
                    for (const QByteArray& line : lines) {
                        if (line.toLower().startsWith("content-length:"))
                            length = line.mid(15).trimmed().toLongLong();
                    }
                    if (buffer.size() < headerEnd + 4 + length)
                        return;
                    const QByteArray request = buffer.left(headerEnd + 4 + length);
                    buffer.remove(0, headerEnd + 4 + length);
                    m_requests.append(request);
                    m_handler(socket, request);
                });
                connect(socket, &QTcpSocket::disconnected, socket, [this, socket] {
                    m_buffers.remove(socket);
                    socket->deleteLater();
                });
            }
        });
    }

    ~RawServer() override
    {
        // The sockets are our children and die after our members; their slots must not touch m_buffers then.
        const auto sockets = findChildren<QTcpSocket*>();
        for (QTcpSocket* socket : sockets)
            socket->disconnect();
    }

    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(serverPort())); }
    const QList<QByteArray>& requests() const { return m_requests; }
    int connections() const { return m_connections; }

    static QByteArray response(int status, const QByteArray& reason, const QByteArray& contentType,
                               const QByteArray& body, const QByteArray& extraHeaders = {})
    {
        return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason + "\r\nContent-Type: " + contentType +
               "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n" + extraHeaders + "\r\n" + body;
    }

private:
    Handler m_handler;
    QHash<QTcpSocket*, QByteArray> m_buffers;
    QList<QByteArray> m_requests;
    int m_connections = 0;
};

// A port on which nothing listens: bind, read the port, close.
inline quint16 closedPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

} // namespace ApiTest

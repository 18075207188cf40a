#pragma once

#include "server/EmbeddedServer.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <memory>

// One client connection held open on purpose, for tests of connection limits: it sends what it is told, when it
// is told, and reports what the server answered and whether the server closed it. It waits by spinning the event
// loop, so the server may live in the same thread.
class RawConnection
{
public:
    explicit RawConnection(quint16 port, QSslSocket* tls = nullptr) : m_socket(tls ? tls : new QTcpSocket)
    {
        QObject::connect(m_socket.get(), &QTcpSocket::readyRead, [this] { m_received += m_socket->readAll(); });
        QObject::connect(m_socket.get(), &QTcpSocket::disconnected, [this] { m_closed = true; });
        if (!tls)
            m_socket->connectToHost(QStringLiteral("127.0.0.1"), port);
    }

    QTcpSocket& socket() { return *m_socket; }

    bool waitConnected(int timeoutMs = 5000)
    {
        return spinUntil([this] { return m_socket->state() == QAbstractSocket::ConnectedState || m_closed; },
                         timeoutMs) &&
               m_socket->state() == QAbstractSocket::ConnectedState;
    }

    void send(const QByteArray& bytes)
    {
        m_socket->write(bytes);
        m_socket->flush();
        QCoreApplication::processEvents();
    }

    // Everything received so far (the server's answers, concatenated).
    QByteArray received() const { return m_received; }
    int status() const { return m_received.startsWith("HTTP/1.1 ") ? m_received.mid(9, 3).toInt() : 0; }
    QByteArray header(const QByteArray& name) const
    {
        const int end = m_received.indexOf("\r\n\r\n");
        const QList<QByteArray> lines = m_received.left(end).split('\n');
        for (const QByteArray& line : lines) {
            const int colon = line.indexOf(':');
            if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
                return line.mid(colon + 1).trimmed();
        }
        return {};
    }
    QByteArray body() const
    {
        const int end = m_received.indexOf("\r\n\r\n");
        return end < 0 ? QByteArray() : m_received.mid(end + 4);
    }

    // The connection was closed by the server (or broke).
    bool isClosed() const { return m_closed || m_socket->state() == QAbstractSocket::UnconnectedState; }

    bool waitForResponse(int timeoutMs = 5000)
    {
        return spinUntil(
            [this] {
                const int end = m_received.indexOf("\r\n\r\n");
                return end >= 0 && m_received.size() - end - 4 >= header("content-length").toLongLong();
            },
            timeoutMs);
    }
    bool waitForClose(int timeoutMs = 5000)
    {
        return spinUntil([this] { return isClosed(); }, timeoutMs);
    }

    template <typename Condition>
    static bool spinUntil(Condition condition, int timeoutMs)
    {
        QElapsedTimer timer;
        timer.start();
        while (!condition()) {
            if (timer.elapsed() >= timeoutMs)
                return false;
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
            if (!condition())
                QTest::qWait(1);
        }
        return true;
    }

private:
    std::unique_ptr<QTcpSocket> m_socket;
    QByteArray m_received;
    bool m_closed = false;
};

// An embedded server in a temporary data dir with admin / password1234 and the options a test adjusts.
class LimitedServer
{
public:
    explicit LimitedServer(const std::function<void(EmbeddedServerOptions&)>& adjust = nullptr,
                           const Dialect& dialect = Dialect())
    {
        const QString ini = m_dir.filePath(QStringLiteral("basic_auth.ini"));
        QFile file(ini);
        if (file.open(QIODevice::WriteOnly))
            file.write("[mlflow]\ndefault_permission = NO_PERMISSIONS\ndatabase_uri = sqlite:///basic_auth.db\n"
                       "admin_username = admin\nadmin_password = password1234\n");
        file.close();
        EmbeddedServerOptions options;
        options.port = 0;
        options.dataDir = m_dir.filePath(QStringLiteral("data"));
        options.configPath = ini;
        options.dialect = dialect;
        if (adjust)
            adjust(options);
        m_server = std::make_unique<EmbeddedServer>(options);
        m_started = m_server->start(&m_error);
    }

    bool started() const { return m_started; }
    QString error() const { return m_error; }
    EmbeddedServer& server() { return *m_server; }
    quint16 port() const { return m_server->port(); }
    QString path(const QString& name) const { return m_dir.filePath(name); }

    static QByteArray adminAuthorization() { return "Basic " + QByteArray("admin:password1234").toBase64(); }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<EmbeddedServer> m_server;
    QString m_error;
    bool m_started = false;
};

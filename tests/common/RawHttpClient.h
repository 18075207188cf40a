#pragma once

#include <QByteArray>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QList>
#include <QPair>
#include <QString>
#include <QTcpSocket>
#include <QTest>

// A deliberately dumb HTTP/1.1 client for tests: sends exactly the bytes asked for (no default Content-Type, any
// method with any body) and reads one response with Content-Length. It waits by spinning the event loop, so the
// server under test may live in the same thread.
class RawHttpClient
{
public:
    struct Response
    {
        int status = 0;
        QList<QPair<QByteArray, QByteArray>> headers;
        QByteArray body;
        QString error;

        QByteArray header(const QByteArray& name) const
        {
            for (const auto& header : headers) {
                if (header.first.compare(name, Qt::CaseInsensitive) == 0)
                    return header.second;
            }
            return {};
        }
    };

    RawHttpClient(QString host, quint16 port) : m_host(std::move(host)), m_port(port) {}

    Response send(const QByteArray& method, const QByteArray& target,
                  const QList<QPair<QByteArray, QByteArray>>& headers, const QByteArray& body, bool withBody)
    {
        QByteArray request = method + ' ' + target + " HTTP/1.1\r\nHost: " + m_host.toUtf8() + "\r\n";
        for (const auto& header : headers)
            request += header.first + ": " + header.second + "\r\n";
        if (withBody)
            request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        request += "\r\n";
        if (withBody)
            request += body;
        return sendRaw(request);
    }

    Response sendRaw(const QByteArray& bytes, int timeoutMs = 10000)
    {
        Response response;
        if (m_socket.state() != QAbstractSocket::ConnectedState) {
            m_socket.abort();
            m_socket.connectToHost(m_host, m_port);
            if (!spinUntil(
                    [this] {
                        return m_socket.state() == QAbstractSocket::ConnectedState ||
                               m_socket.state() == QAbstractSocket::UnconnectedState;
                    },
                    timeoutMs) ||
                m_socket.state() != QAbstractSocket::ConnectedState) {
                response.error = m_socket.errorString();
                return response;
            }
        }
        m_socket.write(bytes);
        m_socket.flush();
        QByteArray buffer;
        QElapsedTimer timer;
        timer.start();
        int headerEnd = -1;
        qint64 contentLength = -1;
        // A HEAD answer carries the GET's Content-Length but no body.
        const bool head = bytes.startsWith("HEAD ");
        while (timer.elapsed() < timeoutMs) {
            if (m_socket.bytesAvailable() == 0 && !spinUntil([this] { return m_socket.bytesAvailable() > 0; }, 200)) {
                if (m_socket.state() != QAbstractSocket::ConnectedState)
                    break;
                continue;
            }
            buffer += m_socket.readAll();
            if (headerEnd < 0) {
                headerEnd = buffer.indexOf("\r\n\r\n");
                if (headerEnd >= 0) {
                    parseHead(buffer.left(headerEnd), &response);
                    const QByteArray length = response.header("content-length");
                    contentLength = length.isEmpty() || head ? 0 : length.toLongLong();
                }
            }
            if (headerEnd >= 0 && buffer.size() - headerEnd - 4 >= contentLength)
                break;
        }
        buffer += m_socket.readAll();
        if (headerEnd < 0) {
            headerEnd = buffer.indexOf("\r\n\r\n");
            if (headerEnd < 0) {
                response.error = QStringLiteral("no complete response (received %1 bytes)").arg(buffer.size());
                return response;
            }
            parseHead(buffer.left(headerEnd), &response);
        }
        response.body = buffer.mid(headerEnd + 4);
        if (response.header("connection").compare("close", Qt::CaseInsensitive) == 0)
            m_socket.abort();
        return response;
    }

    void disconnect() { m_socket.abort(); }

private:
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

    static void parseHead(const QByteArray& head, Response* response)
    {
        const QList<QByteArray> lines = head.split('\n');
        const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
        response->status = statusLine.value(1).toInt();
        for (int i = 1; i < lines.size(); ++i) {
            const int colon = lines.at(i).indexOf(':');
            if (colon > 0)
                response->headers.append({lines.at(i).left(colon).trimmed(), lines.at(i).mid(colon + 1).trimmed()});
        }
    }

    QString m_host;
    quint16 m_port;
    QTcpSocket m_socket;
};

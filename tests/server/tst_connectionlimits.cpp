// The embedded server's connection limits (ConnectionLimits), each proven with its figure over real loopback
// connections: sizes refused with the right status and no request desync, the connection cap, the header, body,
// idle and TLS handshake timeouts, and what parked unauthenticated bodies can cost.

#include "../common/RawConnection.h"
#include "../common/TestCertificate.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSslSocket>
#include <QtTest>

#include <memory>
#include <vector>

namespace {

const QByteArray host = "Host: 127.0.0.1\r\n";

QByteArray createUserRequest(const QByteArray& name)
{
    const QByteArray body = "{\"username\":\"" + name + "\",\"password\":\"a-long-password-1\"}";
    return "POST /api/2.0/mlflow/users/create HTTP/1.1\r\n" + host +
           "Authorization: " + LimitedServer::adminAuthorization() +
           "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" +
           body;
}

// The head of an admin's experiments/create with a JSON body, up to the framing headers the caller adds.
QByteArray adminCreateExperiment()
{
    return "POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\n" + host +
           "Authorization: " + LimitedServer::adminAuthorization() + "\r\nContent-Type: application/json\r\n";
}

QByteArray getUserRequest(const QByteArray& name)
{
    return "GET /api/2.0/mlflow/users/get?username=" + name + " HTTP/1.1\r\n" + host +
           "Authorization: " + LimitedServer::adminAuthorization() + "\r\n\r\n";
}

// The status of one request on a fresh connection.
int statusOf(quint16 port, const QByteArray& request)
{
    RawConnection connection(port);
    if (!connection.waitConnected())
        return -1;
    connection.send(request);
    return connection.waitForResponse() ? connection.status() : 0;
}

qint64 residentKiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

// A TLS client that accepts the test's self-signed certificate.
std::unique_ptr<RawConnection> tlsConnection(quint16 port)
{
    auto* socket = new QSslSocket;
    socket->setPeerVerifyMode(QSslSocket::VerifyNone);
    auto connection = std::make_unique<RawConnection>(port, socket);
    socket->connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
    return connection;
}

bool waitEncrypted(RawConnection& connection)
{
    auto& socket = static_cast<QSslSocket&>(connection.socket());
    return RawConnection::spinUntil([&] { return socket.isEncrypted() || connection.isClosed(); }, 5000) &&
           socket.isEncrypted();
}

} // namespace

class ConnectionLimitsTest : public QObject
{
    Q_OBJECT

private slots:
    void oversizedHeadersGet431WithoutDesync();
    void longRequestLineGets414();
    void headerFieldAndCountLimits();
    void connectionCapAnswers503();
    void httpsOverTheCapGets503AfterTheHandshake();
    void slowHeadersAreCutOff();
    void timeoutsLeaveNoConnectionOpen();
    void tlsHandshakeTimeout();
    void unauthenticatedBodiesAreBounded();
    void forgedCredentialsCannotParkBodies();
    void unverifiedCredentialsStillSendLargeBodies();
    void bufferedBodyBudgetAnswers503();
    void pipelinedRequestsStillServed();
    void chunkedBodyAcrossReads();
    void connectionCloseIsHonoured();
    void expectContinueIsAnswered();
    void ambiguousFramingRefused();
    void impossibleLimitsRefusedAtStart();
};

// 100 KiB of headers used to pass Qt's header parser half-read: the rest, and the body after them, were parsed as
// a second request (a body smuggled a users/create through). Now the head is refused whole and nothing after it
// is read.
void ConnectionLimitsTest::oversizedHeadersGet431WithoutDesync()
{
    LimitedServer server;
    QVERIFY2(server.started(), qPrintable(server.error()));
    // The smuggled request is valid on its own: sent plainly it creates its user.
    QCOMPARE(statusOf(server.port(), createUserRequest("plainuser")), 200);
    QCOMPARE(statusOf(server.port(), getUserRequest("plainuser")), 200);

    QByteArray padding;
    for (int i = 0; i < 13; ++i)
        padding += "X-Pad-" + QByteArray::number(i) + ": " + QByteArray(8000, 'a') + "\r\n";
    QVERIFY(padding.size() > 100 * 1024);
    const QByteArray smuggled = createUserRequest("smuggled");
    const QByteArray outer = "POST /api/2.0/mlflow/experiments/search HTTP/1.1\r\n" + host +
                             "Authorization: " + LimitedServer::adminAuthorization() +
                             "\r\nContent-Type: application/json\r\n" + padding +
                             "Content-Length: " + QByteArray::number(smuggled.size()) + "\r\n\r\n" + smuggled;
    RawConnection connection(server.port());
    QVERIFY(connection.waitConnected());
    connection.send(outer);
    QVERIFY(connection.waitForResponse());
    QCOMPARE(connection.status(), 431);
    QCOMPARE(connection.header("connection"), QByteArray("close"));
    QVERIFY(connection.waitForClose());
    // Exactly one answer on that connection, and the body's request never ran.
    QCOMPARE(connection.received().count("HTTP/1.1 "), 1);
    QCOMPARE(statusOf(server.port(), getUserRequest("smuggled")), 404);
    QCOMPARE(server.server().connectionStats().bufferedBodyBytes, 0);
}

// gunicorn's limit_request_line: 4094 bytes; longer is 414 (gunicorn says 400).
void ConnectionLimitsTest::longRequestLineGets414()
{
    LimitedServer server;
    QVERIFY2(server.started(), qPrintable(server.error()));
    const QByteArray prefix = "GET /api/2.0/mlflow/users/get?username=";
    const QByteArray suffix = " HTTP/1.1";
    const auto lineOf = [&](qsizetype length) {
        return prefix + QByteArray(length - prefix.size() - suffix.size(), 'u') + suffix + "\r\n" + host +
               "Authorization: " + LimitedServer::adminAuthorization() + "\r\n\r\n";
    };
    QCOMPARE(statusOf(server.port(), lineOf(4094)), 404); // at the limit: served (no such user)
    RawConnection connection(server.port());
    QVERIFY(connection.waitConnected());
    connection.send(lineOf(4095));
    QVERIFY(connection.waitForResponse());
    QCOMPARE(connection.status(), 414);
    QVERIFY(connection.body().contains("4094"));
    QVERIFY(connection.waitForClose());
    // A request line that never ends is refused as soon as it is too long, not when memory runs out.
    RawConnection endless(server.port());
    QVERIFY(endless.waitConnected());
    endless.send("GET /" + QByteArray(1024 * 1024, 'a'));
    QVERIFY(endless.waitForResponse());
    QCOMPARE(endless.status(), 414);
}

// gunicorn's limit_request_field_size (8190) and limit_request_fields (100).
void ConnectionLimitsTest::headerFieldAndCountLimits()
{
    LimitedServer server;
    QVERIFY2(server.started(), qPrintable(server.error()));
    const QByteArray start = "GET /health HTTP/1.1\r\n" + host;
    const QByteArray field8190 = "X-Long: " + QByteArray(8190 - 8, 'v') + "\r\n";
    QCOMPARE(statusOf(server.port(), start + field8190 + "\r\n"), 200);
    QCOMPARE(statusOf(server.port(), start + "X-Long: " + QByteArray(8190 - 7, 'v') + "\r\n\r\n"), 431);
    QByteArray ninetyNine; // plus Host: 100 fields
    for (int i = 0; i < 99; ++i)
        ninetyNine += "X-" + QByteArray::number(i) + ": v\r\n";
    QCOMPARE(statusOf(server.port(), start + ninetyNine + "\r\n"), 200);
    QCOMPARE(statusOf(server.port(), start + ninetyNine + "X-One-Too-Many: v\r\n\r\n"), 431);
    // Limits are configurable, per server.
    LimitedServer strict([](EmbeddedServerOptions& options) {
        options.limits.maxHeaderCount = 3;
        options.limits.maxHeaderBytes = 1024;
    });
    QVERIFY2(strict.started(), qPrintable(strict.error()));
    QCOMPARE(statusOf(strict.port(), start + "A: 1\r\nB: 2\r\n\r\n"), 200);
    QCOMPARE(statusOf(strict.port(), start + "A: 1\r\nB: 2\r\nC: 3\r\n\r\n"), 431);
    QCOMPARE(statusOf(strict.port(), start + "A: " + QByteArray(1100, 'x') + "\r\n\r\n"), 431);
}

void ConnectionLimitsTest::connectionCapAnswers503()
{
    LimitedServer server([](EmbeddedServerOptions& options) { options.limits.maxConnections = 5; });
    QVERIFY2(server.started(), qPrintable(server.error()));
    std::vector<std::unique_ptr<RawConnection>> held;
    for (int i = 0; i < 5; ++i) {
        held.push_back(std::make_unique<RawConnection>(server.port()));
        QVERIFY(held.back()->waitConnected());
    }
    QTRY_COMPARE(server.server().connectionStats().openConnections, 5);
    RawConnection sixth(server.port());
    QVERIFY(sixth.waitConnected());
    sixth.send("GET /health HTTP/1.1\r\n" + host + "\r\n");
    QVERIFY(sixth.waitForResponse());
    QCOMPARE(sixth.status(), 503);
    QCOMPARE(sixth.header("retry-after"), QByteArray("5"));
    QVERIFY(sixth.waitForClose());
    QCOMPARE(server.server().connectionStats().refusedConnections, 1);
    QCOMPARE(server.server().connectionStats().openConnections, 5);
    // The held connections still work, and a freed slot is taken again.
    held.front()->send("GET /health HTTP/1.1\r\n" + host + "\r\n");
    QVERIFY(held.front()->waitForResponse());
    QCOMPARE(held.front()->status(), 200);
    held.back().reset();
    QTRY_COMPARE(server.server().connectionStats().openConnections, 4);
    QCOMPARE(statusOf(server.port(), "GET /health HTTP/1.1\r\n" + host + "\r\n"), 200);
}

// HTTPS beyond the cap used to be closed unanswered: a TLS client cannot read a plain-text 503. It is answered
// after the handshake now, a few at a time (maxRefusalHandshakes); beyond those it is still closed.
void ConnectionLimitsTest::httpsOverTheCapGets503AfterTheHandshake()
{
    QTemporaryDir dir;
    QString certificate;
    QString key;
    QVERIFY2(TestCertificate::make(dir.path(), QStringLiteral("server"), &certificate, &key), "openssl failed");
    LimitedServer server([&](EmbeddedServerOptions& options) {
        options.tlsCertificatePath = certificate;
        options.tlsKeyPath = key;
        options.limits.maxConnections = 2;
        options.limits.maxRefusalHandshakes = 1;
        options.limits.tlsHandshakeTimeoutMs = 1500;
    });
    QVERIFY2(server.started(), qPrintable(server.error()));
    std::vector<std::unique_ptr<RawConnection>> held;
    for (int i = 0; i < 2; ++i) {
        held.push_back(tlsConnection(server.port()));
        QVERIFY(waitEncrypted(*held.back()));
    }
    QTRY_COMPARE(server.server().connectionStats().openConnections, 2);

    const std::unique_ptr<RawConnection> third = tlsConnection(server.port());
    QVERIFY(waitEncrypted(*third));
    third->send("GET /health HTTP/1.1\r\n" + host + "\r\n");
    QVERIFY(third->waitForResponse());
    QCOMPARE(third->status(), 503);
    QCOMPARE(third->header("retry-after"), QByteArray("5"));
    QVERIFY(third->body().contains("open connections"));
    QVERIFY(third->waitForClose());
    QCOMPARE(server.server().connectionStats().refusedConnections, 1);

    // One refusal handshake at a time: a client over the cap that never says ClientHello holds the slot, so the
    // next TLS client over the cap is closed without a handshake, until the first one's handshake timeout.
    RawConnection silent(server.port());
    QVERIFY(silent.waitConnected());
    QTRY_COMPARE(server.server().connectionStats().refusedConnections, 2);
    const std::unique_ptr<RawConnection> fourth = tlsConnection(server.port());
    QVERIFY(fourth->waitForClose());
    QVERIFY(!static_cast<QSslSocket&>(fourth->socket()).isEncrypted());
    QCOMPARE(server.server().connectionStats().refusedConnections, 3);
    QVERIFY(silent.waitForClose(4000));
    const std::unique_ptr<RawConnection> fifth = tlsConnection(server.port());
    QVERIFY(waitEncrypted(*fifth));
    QVERIFY(fifth->waitForResponse());
    QCOMPARE(fifth->status(), 503);

    // The held connections were never disturbed.
    held.front()->send("GET /health HTTP/1.1\r\n" + host + "\r\n");
    QVERIFY(held.front()->waitForResponse());
    QCOMPARE(held.front()->status(), 200);
    QCOMPARE(server.server().connectionStats().openConnections, 2);
}

// Slowloris: headers sent a line at a time never finish; the header deadline holds from the first byte, however
// steadily bytes keep coming.
void ConnectionLimitsTest::slowHeadersAreCutOff()
{
    LimitedServer server([](EmbeddedServerOptions& options) {
        options.limits.headerTimeoutMs = 400;
        options.limits.lingerMs = 50;
    });
    QVERIFY2(server.started(), qPrintable(server.error()));
    RawConnection slow(server.port());
    QVERIFY(slow.waitConnected());
    QElapsedTimer timer;
    timer.start();
    slow.send("GET /health HTTP/1.1\r\n");
    int linesSent = 0;
    while (!slow.isClosed() && timer.elapsed() < 5000) {
        slow.send("X-Drip-" + QByteArray::number(linesSent++) + ": v\r\n");
        QTest::qWait(50);
    }
    const qint64 heldMs = timer.elapsed();
    qInfo("slowloris: closed after %lld ms (header timeout 400 ms), %d header lines sent", heldMs, linesSent);
    QVERIFY(slow.isClosed());
    QVERIFY(heldMs < 1500);
    QCOMPARE(slow.status(), 408);
}

// Every way of holding a connection without finishing a request ends in a closed connection: none is left open.
void ConnectionLimitsTest::timeoutsLeaveNoConnectionOpen()
{
    LimitedServer server([](EmbeddedServerOptions& options) {
        options.limits.headerTimeoutMs = 300;
        options.limits.bodyTimeoutMs = 300;
        options.limits.idleTimeoutMs = 300;
        options.limits.lingerMs = 50;
    });
    QVERIFY2(server.started(), qPrintable(server.error()));
    RawConnection silent(server.port());   // connects, sends nothing
    RawConnection idle(server.port());     // one request, then nothing (keep-alive)
    RawConnection halfHead(server.port()); // part of a head
    RawConnection halfBody(server.port()); // a head and part of its body
    for (RawConnection* connection : {&silent, &idle, &halfHead, &halfBody})
        QVERIFY(connection->waitConnected());
    idle.send("GET /health HTTP/1.1\r\n" + host + "\r\n");
    halfHead.send("GET /health HTTP/1.1\r\nHo");
    halfBody.send("POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\n" + host +
                  "Authorization: " + LimitedServer::adminAuthorization() +
                  "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n"
                  "\r\n{\"name\":");
    QVERIFY(idle.waitForResponse());
    QCOMPARE(idle.status(), 200);
    QTRY_COMPARE(server.server().connectionStats().openConnections, 4);
    QElapsedTimer timer;
    timer.start();
    for (RawConnection* connection : {&silent, &idle, &halfHead, &halfBody})
        QVERIFY(connection->waitForClose(3000));
    QTRY_COMPARE_WITH_TIMEOUT(server.server().connectionStats().openConnections, 0, 2000);
    qInfo("4 stalled connections (silent, idle, half a head, half a body) all closed within %lld ms; open "
          "afterwards: %d",
          timer.elapsed(), server.server().connectionStats().openConnections);
    QCOMPARE(server.server().connectionStats().bufferedBodyBytes, 0);
    QCOMPARE(halfHead.status(), 408);
    QCOMPARE(halfBody.status(), 408);
    QCOMPARE(silent.received(), QByteArray());
    // The idle connection was answered once and then closed without another word.
    QCOMPARE(idle.received().count("HTTP/1.1 "), 1);
}

void ConnectionLimitsTest::tlsHandshakeTimeout()
{
    QTemporaryDir dir;
    QString certificate;
    QString key;
    QVERIFY2(TestCertificate::make(dir.path(), QStringLiteral("server"), &certificate, &key), "openssl failed");
    LimitedServer server([&](EmbeddedServerOptions& options) {
        options.tlsCertificatePath = certificate;
        options.tlsKeyPath = key;
        options.limits.tlsHandshakeTimeoutMs = 300;
    });
    QVERIFY2(server.started(), qPrintable(server.error()));
    RawConnection plain(server.port()); // TCP only: never says ClientHello
    QVERIFY(plain.waitConnected());
    QTRY_COMPARE(server.server().connectionStats().openConnections, 1);
    QElapsedTimer timer;
    timer.start();
    QVERIFY(plain.waitForClose(3000));
    qInfo("a TCP connection that never starts TLS was closed after %lld ms (handshake timeout 300 ms)",
          timer.elapsed());
    QTRY_COMPARE(server.server().connectionStats().openConnections, 0);
}

// Without credentials a request needs no body: it may bring 64 KiB, not 16 MiB. Ten clients that declare 16 MiB
// are refused at their heads; ten that park just under the cap cost 10 x 64 KiB at most.
void ConnectionLimitsTest::unauthenticatedBodiesAreBounded()
{
    LimitedServer server;
    QVERIFY2(server.started(), qPrintable(server.error()));
    const ConnectionLimits limits;
    const qint64 before = residentKiB();
    std::vector<std::unique_ptr<RawConnection>> declared;
    for (int i = 0; i < 10; ++i) {
        declared.push_back(std::make_unique<RawConnection>(server.port()));
        QVERIFY(declared.back()->waitConnected());
        declared.back()->send("POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\n" + host +
                              "Content-Type: application/json\r\nContent-Length: 16777216\r\n\r\n" +
                              QByteArray(256 * 1024, '{'));
    }
    for (const auto& connection : declared) {
        QVERIFY(connection->waitForResponse());
        QCOMPARE(connection->status(), 413);
        QVERIFY(connection->body().contains("without credentials"));
    }
    // A chunked body without credentials is cut off at the cap, whatever it announced.
    RawConnection chunked(server.port());
    QVERIFY(chunked.waitConnected());
    chunked.send("POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\n" + host +
                 "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 4 && !chunked.isClosed(); ++i)
        chunked.send("8000\r\n" + QByteArray(0x8000, 'a') + "\r\n");
    QVERIFY(chunked.waitForResponse());
    QCOMPARE(chunked.status(), 413);

    std::vector<std::unique_ptr<RawConnection>> parked;
    const qint64 almost = limits.maxUnauthenticatedBodyBytes - 1;
    for (int i = 0; i < 10; ++i) {
        parked.push_back(std::make_unique<RawConnection>(server.port()));
        QVERIFY(parked.back()->waitConnected());
        parked.back()->send("POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\n" + host +
                            "Content-Type: application/json\r\nContent-Length: " +
                            QByteArray::number(limits.maxUnauthenticatedBodyBytes) + "\r\n\r\n" +
                            QByteArray(almost, 'a'));
    }
    QTRY_COMPARE(server.server().connectionStats().bufferedBodyBytes, 10 * almost);
    const qint64 after = residentKiB();
    qInfo("10 clients declaring 16 MiB without credentials: all 413 at the head; 10 parked bodies buffer %lld "
          "bytes; resident memory %lld KiB -> %lld KiB",
          server.server().connectionStats().bufferedBodyBytes, before, after);
    QVERIFY(after - before < 16 * 1024); // ten parked 16 MiB bodies would have been 160 MiB
    for (const auto& connection : parked)
        QVERIFY(!connection->isClosed());
    // The parked bodies complete into ordinary 401s.
    parked.front()->send("a");
    QVERIFY(parked.front()->waitForResponse());
    QCOMPARE(parked.front()->status(), 401);
}

// A syntactically valid Basic header used to buy the full 16 MiB body limit before its check: ten forged ones
// could park 160 MiB. A large body with credentials not verified yet now waits unread while they are checked (the
// socket buffers at most 64 KiB; TCP holds the rest at the client), and is refused with 413 if they are wrong.
void ConnectionLimitsTest::forgedCredentialsCannotParkBodies()
{
    // The throttle is off so that every forged header costs a check (with it, most would be refused at once).
    LimitedServer server([](EmbeddedServerOptions& options) { options.signInThrottle.enabled = false; });
    QVERIFY2(server.started(), qPrintable(server.error()));
    const qint64 sentAfterHead = 4 * 1024 * 1024;
    const qint64 firstPart = 16 * 1024;
    std::vector<std::unique_ptr<RawConnection>> forged;
    for (int i = 0; i < 10; ++i) {
        // Half guess the admin's password, half name a user that does not exist.
        const QByteArray credentials =
            i % 2 ? "admin:guess-" + QByteArray::number(i) : "mallory-" + QByteArray::number(i) + ":guess";
        forged.push_back(std::make_unique<RawConnection>(server.port()));
        QVERIFY(forged.back()->waitConnected());
        forged.back()->send("POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\n" + host + "Authorization: Basic " +
                            credentials.toBase64() +
                            "\r\nContent-Type: application/json\r\nContent-Length: 16777216\r\n\r\n" +
                            QByteArray(firstPart, ' '));
    }
    QTest::qWait(20);
    for (const auto& connection : forged)
        connection->send(QByteArray(sentAfterHead, ' '));
    qint64 peak = 0;
    const bool answered = RawConnection::spinUntil(
        [&] {
            peak = std::max(peak, server.server().connectionStats().bufferedBodyBytes);
            return std::all_of(forged.cbegin(), forged.cend(),
                               [](const auto& connection) { return connection->status() != 0; });
        },
        20000);
    QVERIFY(answered);
    for (const auto& connection : forged) {
        QCOMPARE(connection->status(), 413);
        QVERIFY2(connection->body().contains("were not accepted"), connection->body().constData());
    }
    qInfo("10 clients with forged Basic credentials sending %lld KiB of a declared 16 MiB body each: all 413, at "
          "most %lld bytes of body buffered at once (before: everything sent, %lld KiB)",
          (firstPart + sentAfterHead) / 1024, peak, 10 * (firstPart + sentAfterHead) / 1024);
    // What arrived with the head, plus at most the socket's capped buffer each; not the 40 MiB sent.
    QVERIFY(peak <= 10 * (firstPart + ConnectionLimits().maxUnauthenticatedBodyBytes));
    QTRY_COMPARE(server.server().connectionStats().bufferedBodyBytes, 0);
    QCOMPARE(statusOf(server.port(), getUserRequest("admin")), 200);
}

// The pause costs a legitimate client nothing but the check it needed anyway: a first request with a large body
// and good credentials is answered, and once the credentials are remembered the body is not held at all.
void ConnectionLimitsTest::unverifiedCredentialsStillSendLargeBodies()
{
    LimitedServer server;
    QVERIFY2(server.started(), qPrintable(server.error()));
    const auto largeCreate = [](const QByteArray& name) {
        const QByteArray body = "{\"name\":\"" + name + "\"" + QByteArray(1024 * 1024, ' ') + "}";
        return "POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\n" + host +
               "Authorization: " + LimitedServer::adminAuthorization() +
               "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" +
               body;
    };
    QElapsedTimer timer;
    timer.start();
    RawConnection first(server.port());
    QVERIFY(first.waitConnected());
    const QByteArray request = largeCreate("large-first");
    first.send(request.left(request.indexOf("\r\n\r\n") + 4 + 1000));
    QTest::qWait(20);
    first.send(request.mid(request.indexOf("\r\n\r\n") + 4 + 1000));
    QVERIFY(first.waitForResponse(10000));
    QCOMPARE(first.status(), 200);
    QVERIFY(first.body().contains("experiment_id"));
    const qint64 firstMs = timer.elapsed();
    timer.restart();
    QCOMPARE(statusOf(server.port(), largeCreate("large-second")), 200);
    qInfo("1 MiB experiments/create: %lld ms with credentials checked while the body waited, %lld ms remembered",
          firstMs, timer.elapsed());
    // A chunked body with good credentials is no different.
    RawConnection chunked(server.port());
    QVERIFY(chunked.waitConnected());
    const QByteArray body = "{\"name\":\"chunked\"" + QByteArray(200 * 1024, ' ') + "}";
    chunked.send("POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\n" + host + "Authorization: Basic " +
                 QByteArray("admin:password1234").toBase64() +
                 "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
                 QByteArray::number(body.size(), 16) + "\r\n" + body + "\r\n0\r\n\r\n");
    QVERIFY(chunked.waitForResponse(10000));
    QCOMPARE(chunked.status(), 200);
}

// All connections' unfinished bodies together are bounded too, credentials or not.
void ConnectionLimitsTest::bufferedBodyBudgetAnswers503()
{
    LimitedServer server([](EmbeddedServerOptions& options) { options.limits.maxBufferedBodyBytes = 1024 * 1024; });
    QVERIFY2(server.started(), qPrintable(server.error()));
    const QByteArray head = "POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\n" + host +
                            "Authorization: " + LimitedServer::adminAuthorization() +
                            "\r\nContent-Type: application/json\r\n";
    RawConnection first(server.port());
    QVERIFY(first.waitConnected());
    first.send(head + "Content-Length: 819200\r\n\r\n" + QByteArray(700 * 1024, ' '));
    QTRY_COMPARE(server.server().connectionStats().bufferedBodyBytes, 700 * 1024);
    RawConnection second(server.port());
    QVERIFY(second.waitConnected());
    second.send(head + "Content-Length: 409600\r\n\r\n");
    QVERIFY(second.waitForResponse());
    QCOMPARE(second.status(), 503);
    QCOMPARE(second.header("retry-after"), QByteArray("5"));
    QVERIFY(!first.isClosed());
}

// Qt's server answers pipelined requests in order; the framing must not get in the way.
void ConnectionLimitsTest::pipelinedRequestsStillServed()
{
    LimitedServer server;
    QVERIFY2(server.started(), qPrintable(server.error()));
    const QByteArray body = "{\"name\":\"pipelined\"}";
    const QByteArray create =
        "POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\n" + host +
        "Authorization: " + LimitedServer::adminAuthorization() +
        "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    RawConnection connection(server.port());
    QVERIFY(connection.waitConnected());
    connection.send(getUserRequest("admin") + create + "GET /health HTTP/1.1\r\n" + host + "\r\n");
    QVERIFY(RawConnection::spinUntil([&] { return connection.received().endsWith("OK"); }, 5000));
    const QByteArray received = connection.received();
    QCOMPARE(received.count("HTTP/1.1 200"), 3);
    QVERIFY(received.indexOf("\"username\":\"admin\"") < received.indexOf("experiment_id"));
    QVERIFY(!connection.isClosed());
    // A whole request and half of the next in one write, the rest later: the half must be kept for the next read,
    // not framed twice or dropped.
    const QByteArray second = getUserRequest("admin");
    RawConnection split(server.port());
    QVERIFY(split.waitConnected());
    split.send(getUserRequest("admin") + second.left(40));
    QVERIFY(RawConnection::spinUntil([&] { return split.received().count("HTTP/1.1 200") == 1; }, 5000));
    QTest::qWait(50);
    split.send(second.mid(40));
    QVERIFY(RawConnection::spinUntil([&] { return split.received().count("HTTP/1.1 200") == 2; }, 5000));
    QVERIFY(!split.isClosed());
}

// A chunk's data that ends in a later read than it began, with its CR LF in that read, used to crash the server:
// the framer counted the data without its bytes and then read the line end from no bytes at all.
void ConnectionLimitsTest::chunkedBodyAcrossReads()
{
    LimitedServer server;
    QVERIFY2(server.started(), qPrintable(server.error()));
    const QByteArray body = "{\"name\":\"split-chunk\"}";
    RawConnection connection(server.port());
    QVERIFY(connection.waitConnected());
    connection.send(adminCreateExperiment() + "Transfer-Encoding: chunked\r\n\r\n" +
                    QByteArray::number(body.size(), 16) + "\r\n" + body.left(5));
    QTest::qWait(50);
    connection.send(body.mid(5) + "\r\n0\r\n\r\n");
    QVERIFY(connection.waitForResponse());
    QCOMPARE(connection.status(), 200);
    QVERIFY(connection.body().contains("experiment_id"));
    // The same connection goes on, framed right after the chunked body.
    connection.send("GET /health HTTP/1.1\r\n" + host + "\r\n");
    QVERIFY(RawConnection::spinUntil([&] { return connection.received().count("HTTP/1.1 200") == 2; }, 5000));

    // The body the handler saw is the chunks' data joined, without sizes, extensions or trailers.
    RawConnection chunks(server.port());
    QVERIFY(chunks.waitConnected());
    chunks.send(adminCreateExperiment() +
                "Transfer-Encoding: chunked\r\n\r\n"
                "9;note=first\r\n{\"name\":\"\r\n7\r\nin-two-\r\n8\r\nchunks\"}\r\n0\r\nX-Trailer: yes\r\n\r\n");
    QVERIFY(chunks.waitForResponse());
    QCOMPARE(chunks.status(), 200);
    QCOMPARE(statusOf(server.port(), "GET /api/2.0/mlflow/experiments/get-by-name?experiment_name=in-two-chunks "
                                     "HTTP/1.1\r\n" +
                                         host + "Authorization: " + LimitedServer::adminAuthorization() + "\r\n\r\n"),
             200);
}

// "Connection: close" and HTTP/1.0 without keep-alive end the connection once answered, with the answer saying
// so; what a client pipelines after such a request is not read. HTTP/1.0 with keep-alive stays open.
void ConnectionLimitsTest::connectionCloseIsHonoured()
{
    LimitedServer server;
    QVERIFY2(server.started(), qPrintable(server.error()));
    RawConnection closing(server.port());
    QVERIFY(closing.waitConnected());
    closing.send("GET /health HTTP/1.1\r\n" + host + "Connection: keep-alive, close\r\n\r\n" + getUserRequest("admin"));
    QVERIFY(closing.waitForClose());
    QCOMPARE(closing.status(), 200);
    QCOMPARE(closing.header("connection"), QByteArray("close"));
    QCOMPARE(closing.received().count("HTTP/1.1 "), 1);

    RawConnection old(server.port());
    QVERIFY(old.waitConnected());
    old.send("GET /health HTTP/1.0\r\n" + host + "\r\n");
    QVERIFY(old.waitForClose());
    QCOMPARE(old.status(), 200);

    RawConnection kept(server.port());
    QVERIFY(kept.waitConnected());
    kept.send("GET /health HTTP/1.0\r\n" + host + "Connection: Keep-Alive\r\n\r\n");
    QVERIFY(kept.waitForResponse());
    QCOMPARE(kept.status(), 200);
    QVERIFY(kept.header("connection").isEmpty());
    QTest::qWait(100);
    QVERIFY(!kept.isClosed());
}

// A client that sends "Expect: 100-continue" waits for the interim answer before its body (curl does so for
// bodies over 1 KiB, and would otherwise stall a second on every such request).
void ConnectionLimitsTest::expectContinueIsAnswered()
{
    LimitedServer server;
    QVERIFY2(server.started(), qPrintable(server.error()));
    const QByteArray body = "{\"name\":\"after-continue\"}";
    RawConnection connection(server.port());
    QVERIFY(connection.waitConnected());
    connection.send(adminCreateExperiment() +
                    "Expect: 100-continue\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n");
    QVERIFY(RawConnection::spinUntil([&] { return connection.received() == "HTTP/1.1 100 Continue\r\n\r\n"; }, 5000));
    connection.send(body);
    QVERIFY(RawConnection::spinUntil([&] { return connection.received().contains("experiment_id"); }, 5000));
    QVERIFY(connection.received().contains("HTTP/1.1 200 OK\r\n"));

    // A client that sends the body with its head gets no interim answer: the final one comes first.
    const QByteArray second = "{\"name\":\"without-waiting\"}";
    RawConnection eager(server.port());
    QVERIFY(eager.waitConnected());
    eager.send(adminCreateExperiment() +
               "Expect: 100-continue\r\nContent-Length: " + QByteArray::number(second.size()) + "\r\n\r\n" + second);
    QVERIFY(RawConnection::spinUntil([&] { return eager.received().contains("experiment_id"); }, 5000));
    QVERIFY2(eager.received().startsWith("HTTP/1.1 200 OK\r\n"), eager.received().left(200).constData());
    QVERIFY(!eager.received().contains("100 Continue"));
}

// Framing two parsers could read differently is refused before either does.
void ConnectionLimitsTest::ambiguousFramingRefused()
{
    LimitedServer server;
    QVERIFY2(server.started(), qPrintable(server.error()));
    const QByteArray start = "POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\n" + host;
    QCOMPARE(statusOf(server.port(), start + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}"), 400);
    QCOMPARE(statusOf(server.port(), start + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}"), 400);
    QCOMPARE(statusOf(server.port(), start + "Content-Length: +2\r\n\r\n{}"), 400);
    QCOMPARE(statusOf(server.port(), start + "Transfer-Encoding: gzip, chunked\r\n\r\n"), 501);
    QCOMPARE(statusOf(server.port(), start + "X-Folded: a\r\n b\r\nContent-Length: 2\r\n\r\n{}"), 400);
    QCOMPARE(statusOf(server.port(), start + "Bad Name: a\r\n\r\n"), 400);
    QCOMPARE(statusOf(server.port(), "GET http://evil.example/health HTTP/1.1\r\n" + host + "\r\n"), 400);
    QCOMPARE(statusOf(server.port(), "GET /health HTTP/1.1\r\n" + host + host + "\r\n"), 400);
    QCOMPARE(statusOf(server.port(), "GET /health HTTP/2.0\r\n" + host + "\r\n"), 505);
    QCOMPARE(statusOf(server.port(), "BREW /health HTTP/1.1\r\n" + host + "\r\n"), 501);
}

void ConnectionLimitsTest::impossibleLimitsRefusedAtStart()
{
    LimitedServer tooBig([](EmbeddedServerOptions& options) { options.limits.maxHeaderBytes = 100 * 1024; });
    QVERIFY(!tooBig.started());
    QVERIFY2(tooBig.error().contains(QLatin1String("choose a smaller one")), qPrintable(tooBig.error()));
    LimitedServer noConnections([](EmbeddedServerOptions& options) { options.limits.maxConnections = 0; });
    QVERIFY(!noConnections.started());
    QVERIFY2(noConnections.error().contains(QLatin1String("must be positive")), qPrintable(noConnections.error()));
}

QTEST_GUILESS_MAIN(ConnectionLimitsTest)
#include "tst_connectionlimits.moc"

// What the embedded server does against web pages and eavesdroppers: security headers on every response, MLflow
// 3.14's Host and Origin checks (checked against a real 3.14 server, see CrossSiteGuard.h), no route that takes
// a form post, and TLS with a key that matches its certificate and forward-secret AEAD suites only.

#include "../common/RawConnection.h"
#include "../common/ReferenceData.h"
#include "../common/TestCertificate.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QtTest>

namespace {

struct Answer
{
    int status = 0;
    QByteArray headers; // the raw head, lower-cased
    QByteArray body;
};

Answer ask(quint16 port, const QByteArray& request)
{
    RawConnection connection(port);
    Answer answer;
    if (!connection.waitConnected())
        return answer;
    connection.send(request);
    if (!connection.waitForResponse())
        return answer;
    answer.status = connection.status();
    const QByteArray received = connection.received();
    answer.headers = received.left(received.indexOf("\r\n\r\n")).toLower();
    answer.body = connection.body();
    return answer;
}

QByteArray jsonPost(const QByteArray& path, const QByteArray& body, const QByteArray& extraHeaders = {},
                    const QByteArray& hostHeader = "127.0.0.1")
{
    return "POST " + path + " HTTP/1.1\r\nHost: " + hostHeader +
           "\r\nAuthorization: " + LimitedServer::adminAuthorization() + "\r\nContent-Type: application/json\r\n" +
           extraHeaders + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

QByteArray getWithHost(const QByteArray& target, const QByteArray& hostHeader)
{
    return "GET " + target + " HTTP/1.1\r\nHost: " + hostHeader +
           "\r\nAuthorization: " + LimitedServer::adminAuthorization() + "\r\n\r\n";
}

bool runOpenssl(const QStringList& arguments)
{
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"), arguments);
    return openssl.waitForFinished(30000) && openssl.exitStatus() == QProcess::NormalExit && openssl.exitCode() == 0;
}

// A TLS client limited to `ciphers` and `protocol`: whether its handshake with the server succeeds, and if so, the
// suite and protocol agreed.
struct Handshake
{
    bool encrypted = false;
    QString cipher;
    QSsl::SslProtocol protocol = QSsl::UnknownProtocol;
    int healthStatus = 0;
};

Handshake handshake(quint16 port, const QList<QSslCipher>& ciphers, QSsl::SslProtocol protocol)
{
    auto* socket = new QSslSocket;
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    configuration.setProtocol(protocol);
    if (!ciphers.isEmpty())
        configuration.setCiphers(ciphers);
    socket->setSslConfiguration(configuration);
    RawConnection connection(port, socket);
    socket->connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
    Handshake result;
    RawConnection::spinUntil([&] { return socket->isEncrypted() || connection.isClosed(); }, 5000);
    result.encrypted = socket->isEncrypted();
    if (result.encrypted) {
        result.cipher = socket->sessionCipher().name();
        result.protocol = socket->sessionProtocol();
        connection.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        if (connection.waitForResponse())
            result.healthStatus = connection.status();
    }
    return result;
}

QSslCipher cipherNamed(const char* name)
{
    return QSslCipher(QString::fromLatin1(name));
}

} // namespace

class ServerSecurityTest : public QObject
{
    Q_OBJECT

private slots:
    void securityHeadersOnEveryResponse();
    void hostHeaderChecked();
    void allowedHostsOption();
    void foreignOriginRefused();
    void formPostsRefusedOnEveryRoute_data();
    void formPostsRefusedOnEveryRoute();
    void tlsKeyMismatchRefusedAtStart();
    void weakTlsSuitesRefused();
};

void ServerSecurityTest::securityHeadersOnEveryResponse()
{
    LimitedServer server;
    QVERIFY2(server.started(), qPrintable(server.error()));
    const QByteArray auth = "Authorization: " + LimitedServer::adminAuthorization() + "\r\n";
    const QList<QPair<QByteArray, int>> requests = {
        {"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 200},
        {"GET /api/2.0/mlflow/users/get?username=admin HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "\r\n", 200},
        {"GET /api/2.0/mlflow/users/get?username=admin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 401},
        {"GET /api/2.0/mlflow/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "\r\n", 404},
        {"GET /api/2.0/mlflow/users/get HTTP/1.1\r\nHost: evil.example\r\n" + auth + "\r\n", 403},
        {"GET /" + QByteArray(5000, 'a') + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414},
        {"POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 99999999\r\n\r\n",
         413},
    };
    for (const auto& [request, status] : requests) {
        const Answer answer = ask(server.port(), request);
        QCOMPARE(answer.status, status);
        QVERIFY2(answer.headers.contains("\r\nx-content-type-options: nosniff"), answer.headers.constData());
        QVERIFY2(answer.headers.contains("\r\nx-frame-options: deny"), answer.headers.constData());
    }
}

// MLflow 3.14 answers a foreign Host with 403 "Invalid Host header - possible DNS rebinding attack detected"
// (text/plain), except on /health; so do we.
void ServerSecurityTest::hostHeaderChecked()
{
    LimitedServer server;
    QVERIFY2(server.started(), qPrintable(server.error()));
    const QByteArray target = "/api/2.0/mlflow/users/get?username=admin";
    const QByteArray port = QByteArray::number(server.port());
    for (const QByteArray& allowed : {"127.0.0.1:" + port, "localhost:" + port, QByteArray("LocalHost"),
                                      "[::1]:" + port, QByteArray("10.1.2.3"), QByteArray("203.0.113.5:5000")})
        QVERIFY2(ask(server.port(), getWithHost(target, allowed)).status == 200, allowed.constData());
    for (const QByteArray& refused :
         {QByteArray("evil.example"), "evil.example:" + port, QByteArray("10.evil.example"),
          QByteArray("localhost.evil.example"), QByteArray("127.0.0.1:port"), QByteArray("")}) {
        const Answer answer = ask(server.port(), getWithHost(target, refused));
        QVERIFY2(answer.status == 403, refused.constData());
        QVERIFY(answer.body.startsWith("Invalid Host header - possible DNS rebinding attack detected"));
        QVERIFY(answer.headers.contains("content-type: text/plain"));
    }
    // No Host header at all (HTTP/1.0 style) is refused as MLflow does; /health stays open to probes.
    QCOMPARE(ask(server.port(),
                 "GET " + target + " HTTP/1.1\r\nAuthorization: " + LimitedServer::adminAuthorization() + "\r\n\r\n")
                 .status,
             403);
    QCOMPARE(ask(server.port(), "GET /health HTTP/1.1\r\nHost: evil.example\r\n\r\n").status, 200);
    // The screen reads the path as the routing does: encoded or with a fragment, /health is still /health (and
    // open), and an encoded API path is still checked.
    QCOMPARE(ask(server.port(), "GET /%68ealth#x HTTP/1.1\r\nHost: evil.example\r\n\r\n").status, 200);
    const auto encodedGetVia = [&](const QByteArray& hostName) {
        return ask(server.port(), "GET /api/2.0/mlflow/users/%67et?username=admin#x HTTP/1.1\r\nHost: " + hostName +
                                      "\r\nAuthorization: " + LimitedServer::adminAuthorization() + "\r\n\r\n")
            .status;
    };
    QCOMPARE(encodedGetVia("evil.example"), 403);
    QCOMPARE(encodedGetVia("127.0.0.1"), 200);
}

void ServerSecurityTest::allowedHostsOption()
{
    LimitedServer server([](EmbeddedServerOptions& options) {
        options.allowedHosts = {QStringLiteral("mlflow.example.org"), QStringLiteral("*.corp.example"),
                                QStringLiteral("pinned.example:8443")};
    });
    QVERIFY2(server.started(), qPrintable(server.error()));
    const QByteArray target = "/api/2.0/mlflow/users/get?username=admin";
    for (const QByteArray& allowed :
         {QByteArray("mlflow.example.org"), QByteArray("MLflow.Example.org:5000"), QByteArray("a.corp.example"),
          QByteArray("a.b.corp.example:80"), QByteArray("pinned.example:8443"), QByteArray("127.0.0.1")})
        QVERIFY2(ask(server.port(), getWithHost(target, allowed)).status == 200, allowed.constData());
    for (const QByteArray& refused :
         {QByteArray("mlflow.example.org.evil.example"), QByteArray("corp.example"), QByteArray("pinned.example"),
          QByteArray("pinned.example:8444"), QByteArray("evil.example")})
        QVERIFY2(ask(server.port(), getWithHost(target, refused)).status == 403, refused.constData());
    LimitedServer any([](EmbeddedServerOptions& options) { options.allowedHosts = {QStringLiteral("*")}; });
    QVERIFY2(any.started(), qPrintable(any.error()));
    QCOMPARE(ask(any.port(), getWithHost(target, "anything.example")).status, 200);
}

// MLflow 3.14 refuses a state-changing request whose Origin is not a loopback one with 403 "Cross-origin request
// blocked" (text/plain), before authentication; reads are left to CORS. We also accept the server's own origin.
void ServerSecurityTest::foreignOriginRefused()
{
    LimitedServer server(
        [](EmbeddedServerOptions& options) { options.allowedHosts = {QStringLiteral("mlflow.test")}; });
    QVERIFY2(server.started(), qPrintable(server.error()));
    const QByteArray path = "/api/2.0/mlflow/experiments/create";
    const QByteArray port = QByteArray::number(server.port());
    int created = 0;
    const auto create = [&](const QByteArray& origin, const QByteArray& hostHeader = "127.0.0.1") {
        const QByteArray body = "{\"name\":\"origin-" + QByteArray::number(created) + "\"}";
        const Answer answer =
            ask(server.port(),
                jsonPost(path, body, origin.isNull() ? QByteArray() : "Origin: " + origin + "\r\n", hostHeader));
        if (answer.status == 200)
            ++created;
        return answer;
    };
    for (const QByteArray& foreign :
         {QByteArray("https://evil.example"), QByteArray("null"), QByteArray("http://127.0.0.1.evil.example"),
          QByteArray("http://mlflow.test:" + port)}) {
        const Answer answer = create(foreign);
        QVERIFY2(answer.status == 403, foreign.constData());
        QVERIFY(answer.body.startsWith("Cross-origin request blocked"));
    }
    QCOMPARE(create(QByteArray()).status, 200); // scripts and MLflow's client send no Origin
    QCOMPARE(create("http://localhost:9999").status, 200);
    QCOMPARE(create("http://127.0.0.1:" + port).status, 200);
    QCOMPARE(create("http://[::1]:" + port).status, 200);
    QCOMPARE(create("http://mlflow.test:" + port, "mlflow.test:" + port).status, 200); // same origin
    QCOMPARE(created, 5);
    // Refused before authentication, as MLflow does: no credentials, still 403.
    QCOMPARE(ask(server.port(), "POST " + path +
                                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://evil.example\r\nContent-Type: "
                                    "application/json\r\nContent-Length: 2\r\n\r\n{}")
                 .status,
             403);
    // Reads with a foreign Origin are answered (the browser's CORS keeps the answer from the page).
    QCOMPARE(ask(server.port(), "GET /api/2.0/mlflow/users/get?username=admin HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                "Origin: https://evil.example\r\nAuthorization: " +
                                    LimitedServer::adminAuthorization() + "\r\n\r\n")
                 .status,
             200);
}

void ServerSecurityTest::formPostsRefusedOnEveryRoute_data()
{
    QTest::addColumn<QString>("transcript");
    QTest::addColumn<bool>("mlflow3");
    QTest::addColumn<bool>("workspaces");
    QTest::newRow("2.15.1") << QStringLiteral("mlflow-2.15.1-transcript.jsonl") << false << false;
    QTest::newRow("3.14") << QStringLiteral("mlflow-3.14-transcript.jsonl") << true << false;
    QTest::newRow("3.14-workspaces") << QStringLiteral("mlflow-3.14-workspaces-transcript.jsonl") << true << true;
}

// A web page can post a form (urlencoded, multipart or text/plain) with the browser's saved credentials and no
// CORS preflight. Every POST route the transcripts know, sent each kind of form by the admin, refuses it and
// changes nothing.
void ServerSecurityTest::formPostsRefusedOnEveryRoute()
{
    QFETCH(QString, transcript);
    QFETCH(bool, mlflow3);
    QFETCH(bool, workspaces);
    QString loadError;
    const QList<QJsonObject> exchanges = ReferenceData::transcript(transcript, &loadError);
    QVERIFY2(!exchanges.isEmpty(), qPrintable(loadError));
    QSet<QByteArray> paths;
    for (const QJsonObject& exchange : exchanges) {
        if (exchange.value(QStringLiteral("method")).toString() == QLatin1String("POST"))
            paths.insert(exchange.value(QStringLiteral("path")).toString().toUtf8());
    }
    QVERIFY(paths.size() >= 5);
    Dialect dialect;
    if (mlflow3)
        dialect.generation = Dialect::Generation::Mlflow3;
    dialect.workspaces = workspaces;
    LimitedServer server(nullptr, dialect);
    QVERIFY2(server.started(), qPrintable(server.error()));

    const QByteArray fields = "username=formuser&password=form-password-12&name=formexp&experiment_id=0&"
                              "permission=MANAGE&run_id=x&key=k&value=v";
    const QByteArray json = R"({"username":"formuser","password":"form-password-12","name":"formexp",)"
                            R"("experiment_id":"0","permission":"MANAGE"})";
    const QByteArray multipart = "--b\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nformuser\r\n"
                                 "--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nformexp\r\n--b--\r\n";
    const QList<QPair<QByteArray, QByteArray>> forms = {
        {"application/x-www-form-urlencoded", fields},
        {"multipart/form-data; boundary=b", multipart},
        {"text/plain", json}, // the classic: a JSON text in a text/plain form
    };
    int refused = 0;
    for (const QByteArray& path : std::as_const(paths)) {
        for (const auto& [type, body] : forms) {
            const Answer answer =
                ask(server.port(), "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " +
                                       LimitedServer::adminAuthorization() + "\r\nContent-Type: " + type +
                                       "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
            QVERIFY2(answer.status >= 400 && answer.status < 500,
                     qPrintable(QStringLiteral("%1 as %2: %3 %4")
                                    .arg(QString::fromUtf8(path), QString::fromUtf8(type))
                                    .arg(answer.status)
                                    .arg(QString::fromUtf8(answer.body.left(200)))));
            ++refused;
        }
    }
    qInfo("%d form posts to %lld POST routes: all refused", refused, static_cast<long long>(paths.size()));
    // Nothing was created.
    QCOMPARE(ask(server.port(), getWithHost("/api/2.0/mlflow/users/get?username=formuser", "127.0.0.1")).status, 404);
    const Answer experiment =
        ask(server.port(), getWithHost("/api/2.0/mlflow/experiments/get-by-name?experiment_name=formexp", "127.0.0.1"));
    QCOMPARE(experiment.status, 404);
    // The same user as JSON is created: the refusals were about the form, not the request.
    QCOMPARE(ask(server.port(),
                 jsonPost("/api/2.0/mlflow/users/create", R"({"username":"jsonuser","password":"json-password-12"})"))
                 .status,
             200);
}

void ServerSecurityTest::tlsKeyMismatchRefusedAtStart()
{
    QTemporaryDir dir;
    QString certificateA;
    QString keyA;
    QString certificateB;
    QString keyB;
    QVERIFY(TestCertificate::make(dir.path(), QStringLiteral("a"), &certificateA, &keyA));
    QVERIFY(TestCertificate::make(dir.path(), QStringLiteral("b"), &certificateB, &keyB));
    LimitedServer mismatched([&](EmbeddedServerOptions& options) {
        options.tlsCertificatePath = certificateA;
        options.tlsKeyPath = keyB;
    });
    QVERIFY(!mismatched.started());
    QVERIFY2(mismatched.error().contains(QLatin1String("does not belong to the certificate")),
             qPrintable(mismatched.error()));
    QVERIFY(!QFile::exists(mismatched.path(QStringLiteral("data/basic_auth.db")))); // refused before any data
    LimitedServer matched([&](EmbeddedServerOptions& options) {
        options.tlsCertificatePath = certificateB;
        options.tlsKeyPath = keyB;
    });
    QVERIFY2(matched.started(), qPrintable(matched.error()));
    QCOMPARE(handshake(matched.port(), {}, QSsl::TlsV1_2OrLater).healthStatus, 200);
}

// With an RSA certificate every kind of TLS 1.2 suite could be negotiated; only ECDHE/DHE with AES-GCM or
// ChaCha20-Poly1305 are. openssl s_client, a client that is not Qt, agrees.
void ServerSecurityTest::weakTlsSuitesRefused()
{
    QTemporaryDir dir;
    const QString certificate = dir.filePath(QStringLiteral("rsa-cert.pem"));
    const QString key = dir.filePath(QStringLiteral("rsa-key.pem"));
    QVERIFY2(runOpenssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                         QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"), key,
                         QStringLiteral("-out"), certificate, QStringLiteral("-days"), QStringLiteral("2"),
                         QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1")}),
             "openssl req failed");
    LimitedServer server([&](EmbeddedServerOptions& options) {
        options.tlsCertificatePath = certificate;
        options.tlsKeyPath = key;
    });
    QVERIFY2(server.started(), qPrintable(server.error()));

    for (const char* weak : {"AES128-GCM-SHA256", "AES256-SHA256", "ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES256-SHA384",
                             "DHE-RSA-AES128-SHA"}) {
        const QSslCipher cipher = cipherNamed(weak);
        QVERIFY2(!cipher.isNull(), weak); // the client could offer it
        QVERIFY2(!handshake(server.port(), {cipher}, QSsl::TlsV1_2).encrypted, weak);
    }
    for (const char* strong :
         {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305"}) {
        const Handshake result = handshake(server.port(), {cipherNamed(strong)}, QSsl::TlsV1_2);
        QVERIFY2(result.encrypted, strong);
        QCOMPARE(result.cipher, QString::fromLatin1(strong));
        QCOMPARE(result.healthStatus, 200);
    }
    const Handshake modern = handshake(server.port(), {}, QSsl::TlsV1_3);
    QVERIFY(modern.encrypted);
    QCOMPARE(modern.protocol, QSsl::TlsV1_3);
    QCOMPARE(modern.healthStatus, 200);

    // openssl s_client: a CBC-SHA1 suite fails, a GCM one succeeds. It runs while this thread serves it.
    const auto sClient = [&](const QString& cipher) {
        QProcess client;
        client.start(QStringLiteral("openssl"), {QStringLiteral("s_client"), QStringLiteral("-connect"),
                                                 QStringLiteral("127.0.0.1:%1").arg(server.port()),
                                                 QStringLiteral("-tls1_2"), QStringLiteral("-cipher"), cipher});
        client.closeWriteChannel();
        RawConnection::spinUntil([&] { return client.state() == QProcess::NotRunning; }, 20000);
        return client.exitStatus() == QProcess::NormalExit && client.exitCode() == 0;
    };
    QVERIFY(!sClient(QStringLiteral("ECDHE-RSA-AES128-SHA")));
    QVERIFY(!sClient(QStringLiteral("AES128-GCM-SHA256")));
    QVERIFY(sClient(QStringLiteral("ECDHE-RSA-AES128-GCM-SHA256")));
}

QTEST_GUILESS_MAIN(ServerSecurityTest)
#include "tst_serversecurity.moc"

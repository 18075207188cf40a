// ServerProbe against the embedded server (HTTP and HTTPS) and against things that are not MLflow.

#include "ApiTestSupport.h"
#include "Generations.h"
#include "RequestLog.h"
#include "TestCertificate.h"
#include "api/Connection.h"
#include "api/LegacyAuthApi.h"
#include "api/ServerProbe.h"

#include <QCryptographicHash>
#include <QtTest>

using namespace ApiTest;

class TestServerProbe : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void adminIsReady_data() { Generations::addRows(true); }
    void adminIsReady();
    void nonAdmin_data() { Generations::addRows(true); }
    void nonAdmin();
    void wrongPassword_data() { Generations::addRows(true); }
    void wrongPassword();
    void unreachable();
    void notMlflow();
    void closesImmediately();
    void authNotEnabled();
    void tlsUnpinnedFails();
    void tlsPinnedAccepted();
    void tlsWrongPinRejected();
    void tlsCaBundleTrusted();
    void abortStopsProbe();

private:
    ProbeResult probe(Connection* connection);
    // The demo server of the current row's generation (nullptr, after a warning, when it did not start).
    ServerFixture* fixtureOfRow();

    Generations::Fixtures m_generations;
    TestServer m_fixture;
    TestServer m_tlsFixture;
    QTemporaryDir m_certificateDir;
    QString m_certificatePath;
    QSslCertificate m_certificate;
};

void TestServerProbe::initTestCase()
{
    QVERIFY2(m_fixture.start(true), qPrintable(m_fixture.error));
    QString keyPath;
    QVERIFY(TestCertificate::make(m_certificateDir.path(), QStringLiteral("server"), &m_certificatePath, &keyPath));
    QVERIFY2(m_tlsFixture.start(true, m_certificatePath, keyPath), qPrintable(m_tlsFixture.error));
    QCOMPARE(m_tlsFixture.url().scheme(), QStringLiteral("https"));
    const auto certificates = QSslCertificate::fromPath(m_certificatePath);
    QCOMPARE(certificates.size(), 1);
    m_certificate = certificates.first();
}

ServerFixture* TestServerProbe::fixtureOfRow()
{
    QFETCH(Dialect, generation);
    ServerFixture& fixture = m_generations.of(generation);
    if (!fixture.started()) {
        qWarning() << fixture.error();
        return nullptr;
    }
    return &fixture;
}

ProbeResult TestServerProbe::probe(Connection* connection)
{
    ServerProbe* probe = ServerProbe::run(connection);
    if (!waitFor(probe, 30000))
        return {};
    return probe->result();
}

// 2.15.1 is the legacy API without users/list, 3.14 (with or without workspaces) the RBAC API with it.
void TestServerProbe::adminIsReady()
{
    QFETCH(Dialect, generation);
    ServerFixture* fixture = fixtureOfRow();
    QVERIFY(fixture);
    Connection connection(fixture->server().url(), DemoData::adminUsername, DemoData::adminPassword);
    RequestLog log;
    ServerProbe* probe = ServerProbe::run(&connection);
    QVERIFY(waitFor(probe));
    // An admin of 3.13+ has users/list by definition; fetching it (every user with every role's permissions) only
    // to learn that cost more than the probe's timeout on a large server. 2.15.1 is asked, and says no.
    QCOMPARE(log.count(QStringLiteral("GET /api/2.0/mlflow/users/list")), generation.isMlflow3() ? 0 : 1);
    const ProbeResult& result = probe->result();
    QVERIFY2(result.status == ProbeResult::Status::Ready, qPrintable(result.error.toLogString()));
    QVERIFY(!probe->hasError());
    QVERIFY(result.isUsable());
    QVERIFY(result.healthOk);
    QVERIFY(result.basicAuthEnabled);
    QVERIFY(result.isAdmin);
    QCOMPARE(result.user.username, DemoData::adminUsername);
    const ApiGeneration expected = generation.isMlflow3() ? ApiGeneration::Rbac : ApiGeneration::Legacy;
    QCOMPARE(result.generation, expected);
    QCOMPARE(result.hasUsersList, generation.isMlflow3());
    QVERIFY(result.version.startsWith(generation.isMlflow3() ? QLatin1String("3.14") : QLatin1String("2.15.1")));
    QVERIFY(!result.userMessage().isEmpty());
    std::unique_ptr<AuthApi> api(probe->createAuthApi());
    QVERIFY(api);
    QCOMPARE(api->generation(), expected);
    QCOMPARE(api->canListUsers(), generation.isMlflow3());
}

void TestServerProbe::nonAdmin()
{
    ServerFixture* fixture = fixtureOfRow();
    QVERIFY(fixture);
    Connection connection(fixture->server().url(), DemoData::user1Username, DemoData::user1Password);
    const ProbeResult result = probe(&connection);
    QCOMPARE(result.status, ProbeResult::Status::NotAdmin);
    QVERIFY(result.isUsable());
    QVERIFY(!result.isAdmin);
    QCOMPARE(result.user.username, DemoData::user1Username);
    QVERIFY(result.userMessage().contains(QLatin1String("not an MLflow administrator")));
}

void TestServerProbe::wrongPassword()
{
    ServerFixture* fixture = fixtureOfRow();
    QVERIFY(fixture);
    Connection connection(fixture->server().url(), DemoData::adminUsername, QStringLiteral("wrong-password"));
    const ProbeResult result = probe(&connection);
    QCOMPARE(result.status, ProbeResult::Status::WrongCredentials);
    QCOMPARE(result.error.kind(), ApiError::Kind::Unauthenticated);
    QVERIFY(!result.userMessage().contains(QLatin1String("wrong-password")));
}

void TestServerProbe::unreachable()
{
    Connection connection(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(closedPort())), QStringLiteral("u"),
                          QStringLiteral("p"));
    const ProbeResult result = probe(&connection);
    QCOMPARE(result.status, ProbeResult::Status::Unreachable);
    QCOMPARE(result.error.networkError(), QNetworkReply::ConnectionRefusedError);

    Connection nowhere(QUrl(QStringLiteral("http://host.invalid")), QStringLiteral("u"), QStringLiteral("p"));
    const ProbeResult noHost = probe(&nowhere);
    QCOMPARE(noHost.status, ProbeResult::Status::Unreachable);
    QCOMPARE(noHost.error.networkError(), QNetworkReply::HostNotFoundError);
}

void TestServerProbe::notMlflow()
{
    RawServer web([](QTcpSocket* socket, const QByteArray&) {
        socket->write(RawServer::response(200, "OK", "text/html", "<html><body>Welcome to nginx!</body></html>"));
        return true;
    });
    Connection connection(web.url(), QStringLiteral("admin"), QStringLiteral("secret-password"));
    const ProbeResult result = probe(&connection);
    QCOMPARE(result.status, ProbeResult::Status::NotMlflow);
    QCOMPARE(result.error.kind(), ApiError::Kind::NotMlflow);
    // The password was never sent to a server that is not MLflow.
    QCOMPARE(web.requests().size(), 1);
    QVERIFY(!web.requests().first().contains("Authorization"));

    RawServer missing([](QTcpSocket* socket, const QByteArray&) {
        socket->write(RawServer::response(404, "Not Found", "text/html", "<h1>Not Found</h1>"));
        return true;
    });
    Connection prefixWrong(missing.url(), QStringLiteral("admin"), QStringLiteral("secret-password"));
    QCOMPARE(probe(&prefixWrong).status, ProbeResult::Status::NotMlflow);
}

void TestServerProbe::closesImmediately()
{
    QTcpServer closer;
    QVERIFY(closer.listen(QHostAddress::LocalHost, 0));
    connect(&closer, &QTcpServer::newConnection, &closer, [&closer] {
        while (QTcpSocket* socket = closer.nextPendingConnection()) {
            socket->close();
            socket->deleteLater();
        }
    });
    Connection connection(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(closer.serverPort())), QStringLiteral("u"),
                          QStringLiteral("p"));
    const ProbeResult result = probe(&connection);
    QVERIFY(!result.isUsable());
    QCOMPARE(result.status, ProbeResult::Status::Unreachable);
    QCOMPARE(result.error.kind(), ApiError::Kind::Network);
}

void TestServerProbe::authNotEnabled()
{
    // MLflow without --app-name basic-auth: /health says OK, the auth routes are Flask's HTML 404.
    RawServer plainMlflow([](QTcpSocket* socket, const QByteArray& request) {
        if (request.startsWith("GET /health "))
            socket->write(RawServer::response(200, "OK", "text/html; charset=utf-8", "OK"));
        else
            socket->write(RawServer::response(404, "NOT FOUND", "text/html; charset=utf-8",
                                              "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n"
                                              "<h1>Not Found</h1>\n<p>The requested URL was not found on the "
                                              "server.</p>\n"));
        return true;
    });
    Connection connection(plainMlflow.url(), QStringLiteral("admin"), QStringLiteral("password1234"));
    const ProbeResult result = probe(&connection);
    QCOMPARE(result.status, ProbeResult::Status::AuthNotEnabled);
    QVERIFY(result.healthOk);
    QVERIFY(!result.basicAuthEnabled);
    QVERIFY(result.userMessage().contains(QLatin1String("basic-auth")));
}

void TestServerProbe::tlsUnpinnedFails()
{
    Connection connection(m_tlsFixture.url(), DemoData::adminUsername, DemoData::adminPassword);
    const ProbeResult result = probe(&connection);
    QCOMPARE(result.status, ProbeResult::Status::TlsFailure);
    QCOMPARE(result.error.kind(), ApiError::Kind::Tls);
    QCOMPARE(result.error.certificateFingerprint(), Tls::fingerprint(m_certificate));
    QCOMPARE(result.error.certificate(), m_certificate);
    QVERIFY(!result.error.tlsErrors().isEmpty());
    QVERIFY(result.userMessage().contains(Tls::fingerprint(m_certificate)));
}

void TestServerProbe::tlsPinnedAccepted()
{
    Connection connection(m_tlsFixture.url(), DemoData::adminUsername, DemoData::adminPassword);
    TlsPolicy policy;
    // The fingerprint as a user would paste it from the error message.
    policy.pinnedSha256 = Tls::parseFingerprint(Tls::fingerprint(m_certificate));
    QString error;
    QVERIFY(connection.setTlsPolicy(policy, &error));
    const ProbeResult result = probe(&connection);
    QVERIFY2(result.status == ProbeResult::Status::Ready, qPrintable(result.error.toLogString()));
    QVERIFY(result.isAdmin);
}

void TestServerProbe::tlsWrongPinRejected()
{
    Connection connection(m_tlsFixture.url(), DemoData::adminUsername, DemoData::adminPassword);
    TlsPolicy policy;
    policy.pinnedSha256 = QCryptographicHash::hash("some other certificate", QCryptographicHash::Sha256);
    QString error;
    QVERIFY(connection.setTlsPolicy(policy, &error));
    const ProbeResult result = probe(&connection);
    QCOMPARE(result.status, ProbeResult::Status::TlsFailure);
    QCOMPARE(result.error.certificateFingerprint(), Tls::fingerprint(m_certificate));
}

void TestServerProbe::tlsCaBundleTrusted()
{
    Connection connection(m_tlsFixture.url(), DemoData::adminUsername, DemoData::adminPassword);
    TlsPolicy policy;
    policy.caBundlePath = m_certificatePath; // a self-signed certificate is its own CA
    QString error;
    QVERIFY2(connection.setTlsPolicy(policy, &error), qPrintable(error));
    const ProbeResult result = probe(&connection);
    QVERIFY2(result.status == ProbeResult::Status::Ready, qPrintable(result.error.toLogString()));

    TlsPolicy missing;
    missing.caBundlePath = m_certificateDir.filePath(QStringLiteral("nope.pem"));
    QVERIFY(!connection.setTlsPolicy(missing, &error));
    QVERIFY(error.contains(QLatin1String("nope.pem")));
}

void TestServerProbe::abortStopsProbe()
{
    Connection connection(m_fixture.url(), DemoData::adminUsername, DemoData::adminPassword);
    ServerProbe* probe = ServerProbe::run(&connection);
    probe->setAutoDelete(false);
    probe->abort();
    QVERIFY(probe->isFinished());
    QCOMPARE(probe->result().status, ProbeResult::Status::Failed);
    QCOMPARE(probe->error().kind(), ApiError::Kind::Cancelled);
    QVERIFY(!probe->result().isUsable());
    QTRY_COMPARE(connection.inFlightCount() + connection.queuedCount(), 0);
}

QTEST_GUILESS_MAIN(TestServerProbe)
#include "tst_serverprobe.moc"

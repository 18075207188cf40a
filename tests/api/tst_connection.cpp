// Connection against the real embedded server over loopback, plus raw TCP servers for what MLflow never does
// (silence, 503s, redirects) and to see the exact bytes the client sends.

#include "ApiTestSupport.h"
#include "api/Connection.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QtTest>

using namespace ApiTest;

class TestConnection : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void getJsonWithPreemptiveAuth();
    void plainTextWithoutCredentials();
    void exactContentTypeAndDeleteBody();
    void createAndDeleteUserOnServer();
    void queryEncodingReachesServer();
    void wrongPasswordIsUnauthenticated();
    void boundedInFlightFifo();
    void cancelAll();
    void abortSingleQueued();
    void deletedRepliesLeaveTheQueue();
    void timeout();
    void retriesIdempotentGetOnly();
    void largeBodyArrivesWhole();
    void shortBodyIsAnError();
    void connectionRefused();
    void redirectIsNotFollowed();
    void pathPrefix();
    void invalidBaseUrl();

private:
    TestServer m_fixture;
};

void TestConnection::initTestCase()
{
    QVERIFY2(m_fixture.start(true), qPrintable(m_fixture.error));
}

void TestConnection::getJsonWithPreemptiveAuth()
{
    Connection connection(m_fixture.url(), DemoData::adminUsername, DemoData::adminPassword);
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("username"), QStringLiteral("user1"));
    ApiReply* reply = connection.get(QStringLiteral("/api/2.0/mlflow/users/get"), query);
    QVERIFY(waitFor(reply));
    QVERIFY2(!reply->hasError(), qPrintable(reply->error().toLogString()));
    QCOMPARE(reply->httpStatus(), 200);
    QCOMPARE(reply->json().value(QLatin1String("user")).toObject().value(QLatin1String("username")).toString(),
             QStringLiteral("user1"));
}

void TestConnection::plainTextWithoutCredentials()
{
    Connection connection(m_fixture.url(), QStringLiteral("nobody"), QStringLiteral("x"));
    RequestOptions options;
    options.authenticate = false;
    options.expectJson = false;
    ApiReply* reply = connection.get(QStringLiteral("/health"), {}, options);
    QVERIFY(waitFor(reply));
    QVERIFY(!reply->hasError());
    QCOMPARE(reply->body(), QByteArray("OK"));

    // A protected path without credentials: the auth layer's 401 is plain text, not JSON.
    ApiReply* denied = connection.get(QStringLiteral("/api/2.0/mlflow/users/get"), {}, options);
    QVERIFY(waitFor(denied));
    QCOMPARE(denied->error().kind(), ApiError::Kind::Unauthenticated);
    QCOMPARE(denied->error().httpStatus(), 401);
}

void TestConnection::exactContentTypeAndDeleteBody()
{
    RawServer raw([](QTcpSocket* socket, const QByteArray&) {
        socket->write(RawServer::response(200, "OK", "application/json", "{}"));
        return true;
    });
    Connection connection(raw.url(), QStringLiteral("admin"), QStringLiteral("s3cret"));
    ApiReply* post = connection.post(QStringLiteral("/api/2.0/mlflow/users/create"),
                                     {{QStringLiteral("username"), QStringLiteral("x")}});
    QVERIFY(waitFor(post));
    ApiReply* del = connection.deleteWithBody(QStringLiteral("/api/2.0/mlflow/users/delete"),
                                              {{QStringLiteral("username"), QStringLiteral("x")}});
    QVERIFY(waitFor(del));
    ApiReply* get = connection.get(QStringLiteral("/api/2.0/mlflow/users/get"));
    QVERIFY(waitFor(get));
    QCOMPARE(raw.requests().size(), 3);

    const QByteArray expectedAuth = "Authorization: Basic " + QByteArray("admin:s3cret").toBase64() + "\r\n";
    for (const QByteArray& request : raw.requests())
        QVERIFY2(request.contains(expectedAuth), request.constData());

    const QByteArray& postRequest = raw.requests().at(0);
    QVERIFY(postRequest.startsWith("POST /api/2.0/mlflow/users/create HTTP/1.1\r\n"));
    // Exactly "application/json": MLflow 2.15.1's users/create rejects "; charset=utf-8".
    QVERIFY2(postRequest.contains("\r\nContent-Type: application/json\r\n"), postRequest.constData());
    QVERIFY(postRequest.endsWith("{\"username\":\"x\"}"));

    const QByteArray& deleteRequest = raw.requests().at(1);
    QVERIFY(deleteRequest.startsWith("DELETE /api/2.0/mlflow/users/delete HTTP/1.1\r\n"));
    QVERIFY2(deleteRequest.contains("\r\nContent-Type: application/json\r\n"), deleteRequest.constData());
    QVERIFY(deleteRequest.endsWith("{\"username\":\"x\"}"));

    QVERIFY(!raw.requests().at(2).contains("Content-Type"));
    for (const QByteArray& request : raw.requests())
        QVERIFY(!request.toLower().contains("upgrade: h2c"));
}

void TestConnection::createAndDeleteUserOnServer()
{
    Connection connection(m_fixture.url(), DemoData::adminUsername, DemoData::adminPassword);
    ApiReply* create = connection.post(QStringLiteral("/api/2.0/mlflow/users/create"),
                                       {{QStringLiteral("username"), QStringLiteral("conn-user")},
                                        {QStringLiteral("password"), QStringLiteral("conn-user-password")}});
    QVERIFY(waitFor(create));
    QVERIFY2(!create->hasError(), qPrintable(create->error().toLogString()));
    ApiReply* del = connection.deleteWithBody(QStringLiteral("/api/2.0/mlflow/users/delete"),
                                              {{QStringLiteral("username"), QStringLiteral("conn-user")}});
    QVERIFY(waitFor(del));
    QVERIFY2(!del->hasError(), qPrintable(del->error().toLogString()));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("username"), QStringLiteral("conn-user"));
    ApiReply* get = connection.get(QStringLiteral("/api/2.0/mlflow/users/get"), query);
    QVERIFY(waitFor(get));
    QCOMPARE(get->error().kind(), ApiError::Kind::NotFound);
    QCOMPARE(get->error().errorCode(), QStringLiteral("RESOURCE_DOES_NOT_EXIST"));
}

void TestConnection::queryEncodingReachesServer()
{
    const QString name = QStringLiteral("ann+ml@example.org");
    Connection connection(m_fixture.url(), DemoData::adminUsername, DemoData::adminPassword);
    ApiReply* create = connection.post(
        QStringLiteral("/api/2.0/mlflow/users/create"),
        {{QStringLiteral("username"), name}, {QStringLiteral("password"), QStringLiteral("plus-user-password")}});
    QVERIFY(waitFor(create));
    QVERIFY2(!create->hasError(), qPrintable(create->error().toLogString()));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("username"), name);
    ApiReply* get = connection.get(QStringLiteral("/api/2.0/mlflow/users/get"), query);
    QVERIFY(waitFor(get));
    QVERIFY2(!get->hasError(), qPrintable(get->error().toLogString()));
    QCOMPARE(get->json().value(QLatin1String("user")).toObject().value(QLatin1String("username")).toString(), name);
}

void TestConnection::wrongPasswordIsUnauthenticated()
{
    const QString password = QStringLiteral("not-the-password");
    Connection connection(m_fixture.url(), DemoData::adminUsername, password);
    QSignalSpy rejected(&connection, &Connection::credentialsRejected);
    ApiReply* reply = connection.get(QStringLiteral("/api/2.0/mlflow/users/get"));
    QVERIFY(waitFor(reply));
    const ApiError& error = reply->error();
    QCOMPARE(error.kind(), ApiError::Kind::Unauthenticated);
    QCOMPARE(error.httpStatus(), 401);
    QVERIFY(error.errorCode().isEmpty()); // plain text body, no MLflow error_code
    QCOMPARE(error.userMessage(),
             QStringLiteral("The server rejected the user name or password. Check them and sign in again."));
    QCOMPARE(rejected.size(), 1);
    QCOMPARE(reply->attempts(), 1); // never retried
    for (const QString& text : {error.userMessage(), error.toLogString(), error.serverMessage()}) {
        QVERIFY(!text.contains(password));
        QVERIFY(!text.contains(QLatin1String("Basic ")));
    }
}

void TestConnection::boundedInFlightFifo()
{
    Connection connection(m_fixture.url(), DemoData::adminUsername, DemoData::adminPassword);
    connection.setMaxInFlight(2);
    QList<ApiReply*> replies;
    QList<int> finishOrder;
    int maxSeen = 0;
    for (int i = 0; i < 20; ++i) {
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("username"), QStringLiteral("user1"));
        ApiReply* reply = connection.get(QStringLiteral("/api/2.0/mlflow/users/get"), query);
        reply->setAutoDelete(false);
        connect(reply, &ApiJob::finished, this, [&, i] {
            finishOrder.append(i);
            maxSeen = std::max(maxSeen, connection.inFlightCount() + 1);
        });
        replies.append(reply);
    }
    QCOMPARE(connection.queuedCount(), 20); // nothing sent before the event loop runs
    QTRY_COMPARE_WITH_TIMEOUT(finishOrder.size(), 20, 20000);
    QVERIFY2(maxSeen <= 2, qPrintable(QString::number(maxSeen)));
    for (ApiReply* reply : replies)
        QVERIFY(!reply->hasError());
    // With two in flight the first request always finishes before the third one starts.
    QVERIFY(finishOrder.indexOf(0) < finishOrder.indexOf(19));
    QCOMPARE(connection.inFlightCount(), 0);
    QCOMPARE(connection.queuedCount(), 0);
}

void TestConnection::cancelAll()
{
    Connection connection(m_fixture.url(), DemoData::adminUsername, DemoData::adminPassword);
    connection.setMaxInFlight(3);
    QList<ApiReply*> replies;
    for (int i = 0; i < 10; ++i) {
        ApiReply* reply = connection.post(QStringLiteral("/api/2.0/mlflow/experiments/search"),
                                          {{QStringLiteral("max_results"), 10}});
        reply->setAutoDelete(false);
        replies.append(reply);
    }
    QTest::qWait(0); // let the pump start the first three
    QTRY_VERIFY(connection.inFlightCount() > 0);
    connection.cancelAll();
    QCOMPARE(connection.inFlightCount(), 0);
    QCOMPARE(connection.queuedCount(), 0);
    for (ApiReply* reply : replies) {
        QVERIFY(reply->isFinished());
        QCOMPARE(reply->error().kind(), ApiError::Kind::Cancelled);
    }
    // The connection stays usable.
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("max_results"), QStringLiteral("5"));
    ApiReply* after = connection.get(QStringLiteral("/api/2.0/mlflow/experiments/search"), query);
    QVERIFY(waitFor(after));
    QVERIFY2(!after->hasError(), qPrintable(after->error().toLogString()));
}

void TestConnection::abortSingleQueued()
{
    Connection connection(m_fixture.url(), DemoData::adminUsername, DemoData::adminPassword);
    ApiReply* reply = connection.get(QStringLiteral("/health"));
    reply->setAutoDelete(false);
    QSignalSpy finished(reply, &ApiJob::finished);
    reply->abort();
    QCOMPARE(finished.size(), 1);
    QCOMPARE(reply->error().kind(), ApiError::Kind::Cancelled);
    reply->abort(); // harmless
    QCOMPARE(finished.size(), 1);
}

// A reply deleted while queued leaves the queue, and one deleted after it finished does not disturb it: the rest
// are still sent, in order, each once.
void TestConnection::deletedRepliesLeaveTheQueue()
{
    Connection connection(m_fixture.url(), DemoData::adminUsername, DemoData::adminPassword);
    connection.setMaxInFlight(1);
    QList<QPointer<ApiReply>> replies;
    QList<int> finishOrder;
    for (int i = 0; i < 8; ++i) {
        ApiReply* reply = connection.get(QStringLiteral("/health"), {}, RequestOptions{true, false, -1, -1});
        reply->setAutoDelete(false);
        connect(reply, &ApiJob::finished, this, [&finishOrder, i] { finishOrder.append(i); });
        replies.append(reply);
    }
    delete replies.at(3).data();
    delete replies.at(6).data();
    QCOMPARE(connection.queuedCount(), 6);
    QTRY_VERIFY_WITH_TIMEOUT(!finishOrder.isEmpty(), 10000);
    const int pending = connection.queuedCount() + connection.inFlightCount();
    delete replies.at(0).data(); // finished: no longer queued
    QCOMPARE(connection.queuedCount() + connection.inFlightCount(), pending);
    QTRY_COMPARE_WITH_TIMEOUT(finishOrder.size(), 6, 10000);
    QCOMPARE(finishOrder, (QList<int>{0, 1, 2, 4, 5, 7}));
    QCOMPARE(connection.queuedCount(), 0);
    QCOMPARE(connection.inFlightCount(), 0);
    for (const QPointer<ApiReply>& reply : std::as_const(replies)) {
        if (reply)
            QVERIFY2(!reply->hasError(), qPrintable(reply->error().toLogString()));
    }
    for (const QPointer<ApiReply>& reply : std::as_const(replies))
        delete reply.data();
}

void TestConnection::timeout()
{
    RawServer silent([](QTcpSocket*, const QByteArray&) { return true; });
    Connection connection(silent.url(), QStringLiteral("u"), QStringLiteral("p"));
    connection.setDefaultTimeout(300);
    ApiReply* reply = connection.get(QStringLiteral("/api/2.0/mlflow/users/get"));
    QVERIFY(waitFor(reply, 10000));
    QCOMPARE(reply->error().kind(), ApiError::Kind::Timeout);
    QCOMPARE(reply->attempts(), 1);
    QVERIFY(!reply->error().userMessage().isEmpty());
}

void TestConnection::retriesIdempotentGetOnly()
{
    int calls = 0;
    RawServer flaky([&calls](QTcpSocket* socket, const QByteArray&) {
        ++calls;
        if (calls % 2 == 1)
            socket->write(RawServer::response(503, "Service Unavailable", "text/html", "busy"));
        else
            socket->write(RawServer::response(200, "OK", "application/json", "{\"ok\":true}"));
        return true;
    });
    Connection connection(flaky.url(), QStringLiteral("u"), QStringLiteral("p"));
    connection.setRetryPolicy(2, 10);
    ApiReply* get = connection.get(QStringLiteral("/x"));
    QVERIFY(waitFor(get));
    QVERIFY2(!get->hasError(), qPrintable(get->error().toLogString()));
    QCOMPARE(get->attempts(), 2);
    QCOMPARE(get->json().value(QLatin1String("ok")).toBool(), true);

    calls = 0;
    ApiReply* post = connection.post(QStringLiteral("/x"), {});
    QVERIFY(waitFor(post));
    QCOMPARE(post->error().kind(), ApiError::Kind::Server);
    QCOMPARE(post->error().httpStatus(), 503);
    QCOMPARE(post->attempts(), 1); // a POST could apply twice: never retried

    // Bounded: always 503 gives up after 1 + 2 attempts.
    RawServer down([](QTcpSocket* socket, const QByteArray&) {
        socket->write(RawServer::response(503, "Service Unavailable", "text/html", "down"));
        return true;
    });
    Connection downConnection(down.url(), QStringLiteral("u"), QStringLiteral("p"));
    downConnection.setRetryPolicy(2, 10);
    ApiReply* gaveUp = downConnection.get(QStringLiteral("/x"));
    QVERIFY(waitFor(gaveUp));
    QCOMPARE(gaveUp->attempts(), 3);
    QCOMPARE(gaveUp->error().kind(), ApiError::Kind::Server);
}

// Bodies are taken as they arrive (readyRead), in many pieces for a large one, into a buffer sized from
// Content-Length: the pieces must add up to exactly the body.
void TestConnection::largeBodyArrivesWhole()
{
    QByteArray body = "{\"items\":[";
    for (int i = 0; i < 200000; ++i)
        body += (i ? ",\"" : "\"") + QByteArray::number(i) + '"';
    body += "]}";
    QVERIFY(body.size() > 1000000);
    RawServer server([&body](QTcpSocket* socket, const QByteArray&) {
        socket->write(RawServer::response(200, "OK", "application/json", body));
        return true;
    });
    Connection connection(server.url(), QStringLiteral("u"), QStringLiteral("p"));
    RequestOptions raw;
    raw.expectJson = false;
    ApiReply* bytes = connection.get(QStringLiteral("/big"), {}, raw);
    QVERIFY(waitFor(bytes));
    QVERIFY2(!bytes->hasError(), qPrintable(bytes->error().toLogString()));
    QCOMPARE(bytes->body().size(), body.size());
    QVERIFY(bytes->body() == body);
    ApiReply* parsed = connection.get(QStringLiteral("/big"));
    QVERIFY(waitFor(parsed));
    QVERIFY2(!parsed->hasError(), qPrintable(parsed->error().toLogString()));
    QCOMPARE(parsed->json().value(QLatin1String("items")).toArray().size(), 200000);
    QCOMPARE(parsed->json().value(QLatin1String("items")).toArray().last().toString(), QStringLiteral("199999"));
}

// A server that announces more than it sends and hangs up: an error that says so, not a truncated answer, and the
// announced size is only a hint (nothing of that size is kept).
void TestConnection::shortBodyIsAnError()
{
    RawServer liar([](QTcpSocket* socket, const QByteArray&) {
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1099511627776\r\n\r\n"
                      "{\"users\":[");
        socket->flush();
        socket->disconnectFromHost();
        return true;
    });
    Connection connection(liar.url(), QStringLiteral("u"), QStringLiteral("p"));
    connection.setRetryPolicy(0, 10);
    ApiReply* reply = connection.get(QStringLiteral("/api/2.0/mlflow/users/list"));
    QVERIFY(waitFor(reply));
    QVERIFY(reply->hasError());
    QCOMPARE(reply->error().kind(), ApiError::Kind::Network);
    QVERIFY2(reply->error().userMessage().contains(
                 QLatin1String("closed the connection before its answer was complete (10 of the")),
             qPrintable(reply->error().userMessage()));
}

void TestConnection::connectionRefused()
{
    Connection connection(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(closedPort())), QStringLiteral("u"),
                          QStringLiteral("p"));
    connection.setRetryPolicy(1, 10);
    ApiReply* reply = connection.get(QStringLiteral("/health"));
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->error().kind(), ApiError::Kind::Network);
    QCOMPARE(reply->error().networkError(), QNetworkReply::ConnectionRefusedError);
    QCOMPARE(reply->attempts(), 2);
    QVERIFY(reply->error().userMessage().contains(QLatin1String("refused")));
}

void TestConnection::redirectIsNotFollowed()
{
    RawServer redirecting([](QTcpSocket* socket, const QByteArray&) {
        socket->write(RawServer::response(302, "Found", "text/html", "moved",
                                          "Location: https://elsewhere.example/mlflow/health\r\n"));
        return true;
    });
    Connection connection(redirecting.url(), QStringLiteral("u"), QStringLiteral("p"));
    ApiReply* reply = connection.get(QStringLiteral("/health"));
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->error().kind(), ApiError::Kind::Redirected);
    QCOMPARE(reply->error().redirectLocation(), QStringLiteral("https://elsewhere.example/mlflow/health"));
    QVERIFY(reply->error().userMessage().contains(QLatin1String("https://elsewhere.example")));
    QCOMPARE(redirecting.requests().size(), 1);
}

void TestConnection::pathPrefix()
{
    RawServer raw([](QTcpSocket* socket, const QByteArray&) {
        socket->write(RawServer::response(200, "OK", "application/json", "{}"));
        return true;
    });
    QUrl url = raw.url();
    url.setPath(QStringLiteral("/mlflow/"));
    Connection connection(url, QStringLiteral("u"), QStringLiteral("p"));
    ApiReply* reply = connection.get(QStringLiteral("/api/2.0/mlflow/users/get"));
    QVERIFY(waitFor(reply));
    QVERIFY(raw.requests().value(0).startsWith("GET /mlflow/api/2.0/mlflow/users/get HTTP/1.1"));
}

void TestConnection::invalidBaseUrl()
{
    Connection connection(QUrl(QStringLiteral("ftp://nowhere")), QStringLiteral("u"), QStringLiteral("p"));
    QVERIFY(!connection.isValid());
    ApiReply* reply = connection.get(QStringLiteral("/health"));
    QSignalSpy finished(reply, &ApiJob::finished);
    reply->setAutoDelete(false);
    QVERIFY(finished.wait(5000));
    QCOMPARE(reply->error().kind(), ApiError::Kind::InvalidRequest);
}

QTEST_GUILESS_MAIN(TestConnection)
#include "tst_connection.moc"

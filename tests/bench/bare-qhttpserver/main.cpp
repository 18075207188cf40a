// The yardstick for the embedded server's throughput: Qt HttpServer answering users/get's bytes with no
// authentication, no database and no policy. Issue "Speed" sets the target as a share of what this serves on
// the same machine, because the machines this runs on differ by up to 2x. Not part of the project's build: it needs
// qt6-httpserver-dev, which the project no longer uses (tests/bench/vs-bare-qhttpserver.sh builds it).
#include <QCoreApplication>
#include <QHostAddress>
#include <QHttpServer>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const quint16 port = argc > 1 ? quint16(QByteArray(argv[1]).toUInt()) : 0;
    QHttpServer server;
    server.route("/api/2.0/mlflow/users/get", [] {
        return QHttpServerResponse("application/json",
                                   QByteArray(R"({"user":{"id":2,"is_admin":false,"username":"user1"}})"));
    });
    if (server.listen(QHostAddress::LocalHost, port) == 0)
        return 1;
    return app.exec();
}

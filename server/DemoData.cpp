#include "server/DemoData.h"

#include "server/MlflowService.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

namespace {

QByteArray basicAuthorization(const QString& username, const QString& password)
{
    return "Basic " + (username + QLatin1Char(':') + password).toUtf8().toBase64();
}

class ScenarioPlayer
{
public:
    explicit ScenarioPlayer(MlflowService& service) : m_service(service) {}

    // Sends one request as `username`; returns the JSON answer, or nothing with `m_error` set.
    std::optional<QJsonObject> call(const QString& username, const QString& password, const QByteArray& method,
                                    const QString& endpoint, const QJsonObject& body, const QUrlQuery& query = {})
    {
        HttpRequest request;
        request.method = method;
        request.path = QStringLiteral("/api/2.0/mlflow/") + endpoint;
        request.query = query;
        request.headers.append(qMakePair(QByteArray("Authorization"), basicAuthorization(username, password)));
        if (method != "GET") {
            request.headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
            request.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
        }
        const HttpResponse response = m_service.handle(request);
        if (response.status != 200) {
            m_error = QStringLiteral("Seeding the demo failed at %1 as %2: HTTP %3 %4")
                          .arg(endpoint, username)
                          .arg(response.status)
                          .arg(QString::fromUtf8(response.body.left(300)));
            return std::nullopt;
        }
        return QJsonDocument::fromJson(response.body).object();
    }

    QString error() const { return m_error; }

private:
    MlflowService& m_service;
    QString m_error;
};

} // namespace

namespace DemoData {

bool seed(MlflowService& service, const QString& adminUsername, const QString& adminPassword, QString* error)
{
    ScenarioPlayer player(service);
    const QList<QPair<QString, QString>> users = {{user1Username, user1Password}, {user2Username, user2Password}};
    for (const auto& user : users) {
        if (!player.call(adminUsername, adminPassword, "POST", QStringLiteral("users/create"),
                         {{QStringLiteral("username"), user.first}, {QStringLiteral("password"), user.second}})) {
            *error = player.error();
            return false;
        }
    }
    struct Experiment
    {
        QString owner, password, name;
    };
    const QList<Experiment> experiments = {
        {user1Username, user1Password, QStringLiteral("/user1/experiment1")},
        {user1Username, user1Password, QStringLiteral("/user1/experiment2")},
        {user2Username, user2Password, QStringLiteral("/user2/experiment1")},
    };
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const Experiment& experiment : experiments) {
        const auto created =
            player.call(experiment.owner, experiment.password, "POST", QStringLiteral("experiments/create"),
                        {{QStringLiteral("name"), experiment.name}});
        if (!created) {
            *error = player.error();
            return false;
        }
        const QString experimentId = created->value(QStringLiteral("experiment_id")).toString();
        const auto run = player.call(experiment.owner, experiment.password, "POST", QStringLiteral("runs/create"),
                                     {{QStringLiteral("experiment_id"), experimentId},
                                      {QStringLiteral("user_id"), experiment.owner},
                                      {QStringLiteral("start_time"), now},
                                      {QStringLiteral("run_name"), QStringLiteral("baseline")}});
        if (!run) {
            *error = player.error();
            return false;
        }
        const QString runId = run->value(QStringLiteral("run"))
                                  .toObject()
                                  .value(QStringLiteral("info"))
                                  .toObject()
                                  .value(QStringLiteral("run_id"))
                                  .toString();
        const bool logged = player
                                .call(experiment.owner, experiment.password, "POST", QStringLiteral("runs/log-metric"),
                                      {{QStringLiteral("run_id"), runId},
                                       {QStringLiteral("key"), QStringLiteral("accuracy")},
                                       {QStringLiteral("value"), 0.9},
                                       {QStringLiteral("timestamp"), now},
                                       {QStringLiteral("step"), 0}})
                                .has_value() &&
                            player
                                .call(experiment.owner, experiment.password, "POST", QStringLiteral("runs/update"),
                                      {{QStringLiteral("run_id"), runId},
                                       {QStringLiteral("status"), QStringLiteral("FINISHED")},
                                       {QStringLiteral("end_time"), now + 1000}})
                                .has_value();
        if (!logged) {
            *error = player.error();
            return false;
        }
    }
    return true;
}

} // namespace DemoData

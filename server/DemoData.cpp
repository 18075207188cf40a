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

const QString api2 = QStringLiteral("/api/2.0/mlflow/");
const QString api3 = QStringLiteral("/api/3.0/mlflow/");

class ScenarioPlayer
{
public:
    ScenarioPlayer(MlflowService& service, const Dialect& dialect) : m_service(service), m_dialect(dialect) {}

    // Sends one request as `username` to `path` and returns the answer as it is.
    HttpResponse send(const QString& username, const QString& password, const QByteArray& method, const QString& path,
                      const QJsonObject& body)
    {
        HttpRequest request;
        request.method = method;
        request.path = path;
        request.headers.append(qMakePair(QByteArray("Authorization"), basicAuthorization(username, password)));
        if (m_dialect.workspaces)
            request.headers.append(qMakePair(QByteArray("X-MLFLOW-WORKSPACE"), DemoData::workspace.toUtf8()));
        if (method != "GET") {
            request.headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
            request.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
        }
        return m_service.handle(request);
    }

    // Like send(), but only a 200 counts: returns the JSON answer, or nothing with `m_error` set.
    std::optional<QJsonObject> call(const QString& username, const QString& password, const QByteArray& method,
                                    const QString& path, const QJsonObject& body)
    {
        return accept(send(username, password, method, path, body), path, username);
    }

    std::optional<QJsonObject> accept(const HttpResponse& response, const QString& path, const QString& username)
    {
        if (response.status != 200) {
            m_error = QStringLiteral("Seeding the demo (%1) failed at %2 as %3: HTTP %4 %5. Start again with an "
                                     "empty data dir; if it fails again, this is a bug of mlflow-admin.")
                          .arg(m_dialect.describe(), path, username)
                          .arg(response.status)
                          .arg(QString::fromUtf8(response.body.left(300)));
            return std::nullopt;
        }
        return QJsonDocument::fromJson(response.body).object();
    }

    QString error() const { return m_error; }

private:
    MlflowService& m_service;
    const Dialect m_dialect;
    QString m_error;
};

} // namespace

namespace DemoData {

bool seed(MlflowService& service, const Dialect& dialect, const QString& adminUsername, const QString& adminPassword,
          QString* error)
{
    ScenarioPlayer player(service, dialect);
    const QList<QPair<QString, QString>> users = {{user1Username, user1Password}, {user2Username, user2Password}};
    for (const auto& user : users) {
        if (!player.call(adminUsername, adminPassword, "POST", api2 + QStringLiteral("users/create"),
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
        const QString createPath = api2 + QStringLiteral("experiments/create");
        const QJsonObject createBody{{QStringLiteral("name"), experiment.name}};
        const HttpResponse ownCreate =
            player.send(experiment.owner, experiment.password, "POST", createPath, createBody);
        std::optional<QJsonObject> created;
        if (ownCreate.status == 403 && dialect.workspaces) {
            // MLflow 3.14 with workspaces lets no member create in `default` without a workspace-wide grant, and
            // every grant that allows creating also shows the member everyone's experiments in searches. So the
            // admin creates the experiment and grants its owner MANAGE, exactly what a creator would hold.
            created = player.call(adminUsername, adminPassword, "POST", createPath, createBody);
            if (created &&
                !player.call(adminUsername, adminPassword, "POST", api3 + QStringLiteral("users/permissions/grant"),
                             {{QStringLiteral("username"), experiment.owner},
                              {QStringLiteral("resource_type"), QStringLiteral("experiment")},
                              {QStringLiteral("resource_id"), created->value(QStringLiteral("experiment_id"))},
                              {QStringLiteral("permission"), QStringLiteral("MANAGE")}}))
                created.reset();
        } else {
            created = player.accept(ownCreate, createPath, experiment.owner);
        }
        if (!created) {
            *error = player.error();
            return false;
        }
        const QString experimentId = created->value(QStringLiteral("experiment_id")).toString();
        const auto run =
            player.call(experiment.owner, experiment.password, "POST", api2 + QStringLiteral("runs/create"),
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
        const bool logged =
            player
                .call(experiment.owner, experiment.password, "POST", api2 + QStringLiteral("runs/log-metric"),
                      {{QStringLiteral("run_id"), runId},
                       {QStringLiteral("key"), QStringLiteral("accuracy")},
                       {QStringLiteral("value"), 0.9},
                       {QStringLiteral("timestamp"), now},
                       {QStringLiteral("step"), 0}})
                .has_value() &&
            player
                .call(experiment.owner, experiment.password, "POST", api2 + QStringLiteral("runs/update"),
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

#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

// MLflow's ViewType.
enum class ViewType { ActiveOnly = 1, DeletedOnly = 2, All = 3 };

// One page request against a search endpoint. `offset` comes from the decoded page token.
struct SearchQuery
{
    QString filter;
    QStringList orderBy;
    ViewType viewType = ViewType::ActiveOnly;
    int maxResults = 1000;
    qint64 offset = 0;
};

// One page of results, each item already in MLflow's JSON shape. `nextOffset` is set when more rows exist.
struct SearchPage
{
    QJsonArray items;
    std::optional<qint64> nextOffset;
};

// Experiments, runs, metrics, params, tags and registered models in SQLite (the tracking half of an MLflow server).
// Every method either succeeds or throws MlflowError with MLflow's error code and message; statements are prepared.
// JSON shapes follow MLflow's REST API: int64 as numbers, enums as names, empty lists omitted.
class TrackingStore
{
public:
    // `database` must be open; the store creates its schema and the "Default" experiment 0 if missing.
    explicit TrackingStore(QSqlDatabase database, QString artifactRoot = QStringLiteral("mlflow-artifacts:"));
    ~TrackingStore();
    TrackingStore(const TrackingStore&) = delete;
    TrackingStore& operator=(const TrackingStore&) = delete;

    // --- experiments
    QString createExperiment(const QString& name, const QString& artifactLocation, const QJsonArray& tags);
    QJsonObject experiment(const QString& experimentId) const;              // 404 "No Experiment with id=X exists"
    std::optional<QJsonObject> experimentByName(const QString& name) const; // active or deleted
    SearchPage searchExperiments(const SearchQuery& query) const;           // 400 on a bad filter/order_by
    void renameExperiment(const QString& experimentId, const QString& newName);
    void deleteExperiment(const QString& experimentId); // also marks its runs deleted
    void restoreExperiment(const QString& experimentId);
    void setExperimentTag(const QString& experimentId, const QString& key, const QString& value);
    bool experimentExists(const QString& experimentId) const;

    // --- runs
    QJsonObject createRun(const QString& experimentId, const QString& userId, qint64 startTime, const QString& runName,
                          const QJsonArray& tags);         // returns the "run" object
    QJsonObject run(const QString& runId) const;           // 404 "Run with id=X not found"
    QString experimentIdOfRun(const QString& runId) const; // 404 when the run does not exist
    QJsonObject updateRun(const QString& runId, const std::optional<QString>& status,
                          const std::optional<qint64>& endTime, const std::optional<QString>& runName); // run_info
    void deleteRun(const QString& runId);
    void restoreRun(const QString& runId);
    SearchPage searchRuns(const QStringList& experimentIds, const SearchQuery& query) const;
    void logMetric(const QString& runId, const QString& key, double value, qint64 timestamp, qint64 step);
    void logParam(const QString& runId, const QString& key, const QString& value);
    void setRunTag(const QString& runId, const QString& key, const QString& value);
    void logBatch(const QString& runId, const QJsonArray& metrics, const QJsonArray& params, const QJsonArray& tags);
    QJsonArray metricHistory(const QString& runId, const QString& metricKey) const;

    // --- registered models
    QJsonObject createRegisteredModel(const QString& name, const QString& description, const QJsonArray& tags);
    QJsonObject registeredModel(const QString& name) const; // 404
    SearchPage searchRegisteredModels(const SearchQuery& query) const;
    QJsonObject renameRegisteredModel(const QString& name, const QString& newName);
    void deleteRegisteredModel(const QString& name);

private:
    class Private;
    std::unique_ptr<Private> d;
};

// MLflow's page tokens: base64 of the JSON {"offset": N}, written exactly as Python's json.dumps does.
namespace PageToken {
QByteArray encode(qint64 offset);
// Throws MlflowError INVALID_PARAMETER_VALUE for anything that is not such a token. An empty token is offset 0.
qint64 decode(const QByteArray& token);
} // namespace PageToken

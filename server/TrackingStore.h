#pragma once

#include "server/Dialect.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <functional>
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
    // Experiment and model searches: a row whose id (experiment id, model name) fails this comes back as a null item,
    // counted for paging but never turned into JSON; the permission filter of a non-admin's search uses it.
    std::function<bool(const QString& id)> keep;
};

// One page of results, each item already in MLflow's JSON shape (null where SearchQuery::keep refused the row).
// `nextOffset` is set when more rows exist.
struct SearchPage
{
    QJsonArray items;
    std::optional<qint64> nextOffset;
};

class JsonWriter;

// One experiment as a search reads it. Written as JSON in one place (writeJson); toJson() reads that text back for
// the endpoints that answer a single experiment.
struct ExperimentRecord
{
    QString experimentId;
    QString name;
    QString artifactLocation;
    QString lifecycleStage;
    std::optional<qint64> creationTime;
    std::optional<qint64> lastUpdateTime;
    QList<QPair<QString, QString>> tags; // (key, value)
    std::optional<QString> workspace;    // MLflow 3.x names it; 2.x has no such key
    // What writeJson writes, when the store's experiment cache wrote it already (else empty).
    QByteArray json;

    void writeJson(JsonWriter& out) const;
    QJsonObject toJson() const;
};

// A page of experiments; nullopt where SearchQuery::keep refused the row.
struct ExperimentPage
{
    QList<std::optional<ExperimentRecord>> items;
    std::optional<qint64> nextOffset;
};

// What the dialect changes in the tracking data. MLflow 3.x puts "workspace" into every experiment; with workspaces,
// resources are scoped to a workspace and experiment artifacts go under workspaces/<name>/.
struct TrackingStoreOptions
{
    bool experimentsCarryWorkspace = false;
    bool workspaces = false;
};

// Experiments, runs, metrics, params, tags and registered models in SQLite (the tracking half of an MLflow server).
// Every method either succeeds or throws MlflowError with MLflow's error code and message; statements are prepared.
// JSON shapes follow MLflow's REST API: int64 as numbers, enums as names, empty lists omitted.
class TrackingStore
{
public:
    // `database` must be open; the store creates its schema and the "Default" experiment 0 if missing. A database
    // from before workspaces is upgraded in place: its experiments and registered models belong to `default`.
    explicit TrackingStore(QSqlDatabase database, QString artifactRoot = QStringLiteral("mlflow-artifacts:"),
                           TrackingStoreOptions options = {});
    ~TrackingStore();
    TrackingStore(const TrackingStore&) = delete;
    TrackingStore& operator=(const TrackingStore&) = delete;

    // Runs inside the store's write transaction, just before it commits, with the experiment id or model name the
    // call created, renamed or deleted: the policy writes its grants there (another database), and when that throws
    // the tracking change rolls back, so a failed grant never leaves a resource its creator cannot reach.
    using BeforeCommit = std::function<void(const QString& resourceId)>;

    // --- experiments
    QString createExperiment(const QString& name, const QString& artifactLocation, const QJsonArray& tags,
                             const QString& workspace = defaultWorkspace, const BeforeCommit& beforeCommit = {});
    // Every call below sees only the resources of `workspace`; another workspace's experiment or run is "not found".
    QJsonObject experiment(const QString& experimentId,
                           const QString& workspace = defaultWorkspace) const; // 404 "No Experiment with id=X exists"
    std::optional<QJsonObject> experimentByName(const QString& name,
                                                const QString& workspace = defaultWorkspace) const; // active or deleted
    ExperimentPage searchExperiments(const SearchQuery& query,
                                     const QString& workspace = defaultWorkspace) const; // 400 on a bad filter
    void renameExperiment(const QString& experimentId, const QString& newName,
                          const QString& workspace = defaultWorkspace);
    void deleteExperiment(const QString& experimentId, const QString& workspace = defaultWorkspace); // also its runs
    void restoreExperiment(const QString& experimentId, const QString& workspace = defaultWorkspace);
    void setExperimentTag(const QString& experimentId, const QString& key, const QString& value,
                          const QString& workspace = defaultWorkspace);
    bool experimentExists(const QString& experimentId, const QString& workspace = defaultWorkspace) const;

    // --- runs
    QJsonObject createRun(const QString& experimentId, const QString& userId, qint64 startTime, const QString& runName,
                          const QJsonArray& tags,
                          const QString& workspace = defaultWorkspace); // returns the "run" object
    QJsonObject run(const QString& runId,
                    const QString& workspace = defaultWorkspace) const; // 404 "Run with id=X not found"
    QString experimentIdOfRun(const QString& runId,
                              const QString& workspace = defaultWorkspace) const; // 404 if missing
    QJsonObject updateRun(const QString& runId, const std::optional<QString>& status,
                          const std::optional<qint64>& endTime, const std::optional<QString>& runName,
                          const QString& workspace = defaultWorkspace); // run_info
    void deleteRun(const QString& runId, const QString& workspace = defaultWorkspace);
    void restoreRun(const QString& runId, const QString& workspace = defaultWorkspace);
    SearchPage searchRuns(const QStringList& experimentIds, const SearchQuery& query,
                          const QString& workspace = defaultWorkspace) const;
    void logMetric(const QString& runId, const QString& key, double value, qint64 timestamp, qint64 step,
                   const QString& workspace = defaultWorkspace);
    void logParam(const QString& runId, const QString& key, const QString& value,
                  const QString& workspace = defaultWorkspace);
    void setRunTag(const QString& runId, const QString& key, const QString& value,
                   const QString& workspace = defaultWorkspace);
    void logBatch(const QString& runId, const QJsonArray& metrics, const QJsonArray& params, const QJsonArray& tags,
                  const QString& workspace = defaultWorkspace);
    QJsonArray metricHistory(const QString& runId, const QString& metricKey,
                             const QString& workspace = defaultWorkspace) const;

    // --- registered models
    QJsonObject createRegisteredModel(const QString& name, const QString& description, const QJsonArray& tags,
                                      const QString& workspace = defaultWorkspace,
                                      const BeforeCommit& beforeCommit = {});
    QJsonObject registeredModel(const QString& name, const QString& workspace = defaultWorkspace) const; // 404
    SearchPage searchRegisteredModels(const SearchQuery& query, const QString& workspace = defaultWorkspace) const;
    QJsonObject renameRegisteredModel(const QString& name, const QString& newName,
                                      const QString& workspace = defaultWorkspace,
                                      const BeforeCommit& beforeCommit = {}); // beforeCommit gets the new name
    void deleteRegisteredModel(const QString& name, const QString& workspace = defaultWorkspace,
                               const BeforeCommit& beforeCommit = {});

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

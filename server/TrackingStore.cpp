#include "server/TrackingStore.h"

#include "server/JsonWriter.h"
#include "server/MlflowError.h"
#include "server/ProtoJson.h"
#include "server/ResourceIds.h"
#include "server/SearchFilter.h"
#include "server/SqlFailure.h"
#include "server/SqliteChangeWatch.h"

#include <QDateTime>
#include <QDir>
#include <QHash>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QVariant>

#include <algorithm>
#include <cmath>
#include <functional>
#include <iterator>
#include <unordered_map>

using SearchFilter::Comparator;
using SearchFilter::Entity;

namespace {

const QString kActive = QStringLiteral("active");
const QString kDeleted = QStringLiteral("deleted");
const QString kRunNameTag = QStringLiteral("mlflow.runName");

// Limits of MLflow's log-batch validation.
constexpr int kMaxMetricsPerBatch = 1000;
constexpr int kMaxParamsTagsPerBatch = 100;
constexpr int kMaxEntitiesPerBatch = 1000;

// Filter-built statements are cached too, but a client inventing new filter shapes must not grow memory forever.
constexpr std::size_t kMaxCachedSearchStatements = 128;
constexpr qsizetype kMaxCachedWorkspaces = 64;

// The last column packs the tags as "hex(key):hex(value)" pairs joined by commas, so a whole page of experiments
// comes from one statement instead of one query per experiment, whatever characters the tags hold.
const QString kExperimentColumns =
    QStringLiteral("e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage, e.creation_time, "
                   "e.last_update_time, (SELECT group_concat(hex(t.key) || ':' || hex(t.value)) FROM experiment_tags t "
                   "WHERE t.experiment_id = e.experiment_id), e.workspace");
const QString kRunColumns = QStringLiteral("r.run_uuid, r.name, r.experiment_id, r.user_id, r.status, r.start_time, "
                                           "r.end_time, r.lifecycle_stage, r.artifact_uri");
const QString kModelColumns =
    QStringLiteral("m.name, m.creation_time, m.last_updated_time, m.description, (SELECT group_concat(hex(t.key) || "
                   "':' || hex(t.value)) FROM registered_model_tags t WHERE t.workspace = m.workspace AND t.name = "
                   "m.name)");

#define EXPERIMENTS_COLUMNS                                                                                            \
    "(experiment_id INTEGER PRIMARY KEY AUTOINCREMENT,"                                                                \
    " workspace TEXT NOT NULL DEFAULT 'default',"                                                                      \
    " name TEXT NOT NULL,"                                                                                             \
    " artifact_location TEXT,"                                                                                         \
    " lifecycle_stage TEXT NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active', 'deleted')),"                \
    " creation_time INTEGER,"                                                                                          \
    " last_update_time INTEGER,"                                                                                       \
    " UNIQUE (workspace, name))"
#define REGISTERED_MODELS_COLUMNS                                                                                      \
    "(workspace TEXT NOT NULL DEFAULT 'default',"                                                                      \
    " name TEXT NOT NULL,"                                                                                             \
    " creation_time INTEGER,"                                                                                          \
    " last_updated_time INTEGER,"                                                                                      \
    " description TEXT,"                                                                                               \
    " PRIMARY KEY (workspace, name))"
#define REGISTERED_MODEL_TAGS_COLUMNS                                                                                  \
    "(workspace TEXT NOT NULL DEFAULT 'default',"                                                                      \
    " name TEXT NOT NULL,"                                                                                             \
    " key TEXT NOT NULL,"                                                                                              \
    " value TEXT,"                                                                                                     \
    " PRIMARY KEY (workspace, name, key)) WITHOUT ROWID"

// Every statement is idempotent, so opening an existing database keeps its data.
const char* const kSchema[] = {
    "CREATE TABLE IF NOT EXISTS experiments " EXPERIMENTS_COLUMNS,
    "CREATE INDEX IF NOT EXISTS experiments_creation_time ON experiments (creation_time DESC, experiment_id)",
    "CREATE INDEX IF NOT EXISTS experiments_last_update_time ON experiments (last_update_time DESC, experiment_id)",
    "CREATE TABLE IF NOT EXISTS experiment_tags ("
    " experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),"
    " key TEXT NOT NULL,"
    " value TEXT,"
    " PRIMARY KEY (experiment_id, key)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS runs ("
    " run_uuid TEXT NOT NULL PRIMARY KEY,"
    " name TEXT,"
    " experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),"
    " user_id TEXT,"
    " status TEXT NOT NULL CHECK (status IN ('SCHEDULED', 'FAILED', 'FINISHED', 'RUNNING', 'KILLED')),"
    " start_time INTEGER,"
    " end_time INTEGER,"
    " lifecycle_stage TEXT NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active', 'deleted')),"
    " artifact_uri TEXT,"
    " deleted_time INTEGER)",
    "CREATE INDEX IF NOT EXISTS runs_experiment_start_time ON runs (experiment_id, start_time DESC, run_uuid)",
    "CREATE TABLE IF NOT EXISTS metrics ("
    " run_uuid TEXT NOT NULL REFERENCES runs (run_uuid),"
    " key TEXT NOT NULL,"
    " value REAL NOT NULL,"
    " timestamp INTEGER NOT NULL,"
    " step INTEGER NOT NULL DEFAULT 0,"
    " is_nan INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (run_uuid, key, step, timestamp, value, is_nan)) WITHOUT ROWID",
    // The newest value per (run, key), maintained on every write so runs/get and metric filters stay cheap.
    "CREATE TABLE IF NOT EXISTS latest_metrics ("
    " run_uuid TEXT NOT NULL REFERENCES runs (run_uuid),"
    " key TEXT NOT NULL,"
    " value REAL NOT NULL,"
    " timestamp INTEGER NOT NULL,"
    " step INTEGER NOT NULL,"
    " is_nan INTEGER NOT NULL,"
    " PRIMARY KEY (run_uuid, key)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS params ("
    " run_uuid TEXT NOT NULL REFERENCES runs (run_uuid),"
    " key TEXT NOT NULL,"
    " value TEXT NOT NULL,"
    " PRIMARY KEY (run_uuid, key)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS tags ("
    " run_uuid TEXT NOT NULL REFERENCES runs (run_uuid),"
    " key TEXT NOT NULL,"
    " value TEXT,"
    " PRIMARY KEY (run_uuid, key)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS registered_models " REGISTERED_MODELS_COLUMNS,
    "CREATE INDEX IF NOT EXISTS registered_models_last_updated_time ON registered_models (last_updated_time, name)",
    "CREATE INDEX IF NOT EXISTS experiments_workspace ON experiments (workspace, creation_time DESC, experiment_id)",
    "CREATE TABLE IF NOT EXISTS registered_model_tags " REGISTERED_MODEL_TAGS_COLUMNS,
};

// Tables that changed when resources got a workspace (names are unique per workspace, as MLflow 3.x's
// UNIQUE (workspace, name)): a database from before is rebuilt into these, every row in `default`.
struct WorkspaceUpgrade
{
    const char* table;
    const char* columns;
    const char* copiedColumns;
};
const WorkspaceUpgrade kWorkspaceUpgrades[] = {
    {"experiments", EXPERIMENTS_COLUMNS,
     "experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time"},
    {"registered_models", REGISTERED_MODELS_COLUMNS, "name, creation_time, last_updated_time, description"},
    {"registered_model_tags", REGISTERED_MODEL_TAGS_COLUMNS, "name, key, value"},
};

const char* const kAdjectives[] = {
    "amber",  "bold",   "brisk",  "calm",   "clever", "crisp",  "daring", "eager",  "fancy", "gentle",
    "glossy", "golden", "happy",  "hazy",   "humble", "jolly",  "keen",   "lively", "lucky", "mellow",
    "merry",  "misty",  "nimble", "noble",  "placid", "polite", "proud",  "quiet",  "rapid", "rustic",
    "serene", "shiny",  "silent", "smooth", "sunny",  "swift",  "tidy",   "upbeat", "vivid", "witty",
};
const char* const kNouns[] = {
    "badger", "bear",   "bird",  "cat",  "cod",   "crane", "deer",  "dolphin", "donkey", "eel",
    "falcon", "ferret", "finch", "fox",  "frog",  "goat",  "hare",  "hawk",    "heron",  "horse",
    "koala",  "lamb",   "lark",  "lynx", "mole",  "moth",  "newt",  "otter",   "owl",    "panda",
    "pike",   "quail",  "robin", "seal", "shrew", "snail", "stork", "swan",    "trout",  "wolf",
};

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString randomRunName()
{
    auto* random = QRandomGenerator::global();
    const auto pick = [random](const auto& words) {
        return QString::fromLatin1(words[random->bounded(int(std::size(words)))]);
    };
    return pick(kAdjectives) + QLatin1Char('-') + pick(kNouns) + QLatin1Char('-') +
           QString::number(random->bounded(1000));
}

// The same parser as every permission check (ResourceIds), so that the store never finds what the check did not see.
std::optional<qint64> parseExperimentId(const QString& id)
{
    return ResourceIds::experimentNumber(id);
}

MlflowError experimentNotFound(const QString& id)
{
    return MlflowError::notFound(QStringLiteral("No Experiment with id=%1 exists").arg(id));
}

// An id that is not a number names no experiment: MLflow answers 404, not 400.
qint64 requireExperimentId(const QString& id)
{
    const std::optional<qint64> value = parseExperimentId(id);
    if (!value)
        throw experimentNotFound(id);
    return *value;
}

MlflowError runNotFound(const QString& id)
{
    return MlflowError::notFound(QStringLiteral("Run with id=%1 not found").arg(id));
}

MlflowError modelNotFound(const QString& name)
{
    return MlflowError::notFound(QStringLiteral("Registered Model with name=%1 not found").arg(name));
}

MlflowError modelAlreadyExists(const QString& name)
{
    return MlflowError::alreadyExists(QStringLiteral("Registered Model (name=%1) already exists.").arg(name));
}

void validateExperimentName(const QString& name)
{
    if (name.isEmpty())
        throw MlflowError::invalidParameter(QStringLiteral("Invalid experiment name: '%1'").arg(name));
}

void validateModelName(const QString& name)
{
    if (name.isEmpty())
        throw MlflowError::invalidParameter(QStringLiteral("Registered model name cannot be empty."));
}

// MLflow's _validate_metric_name / _validate_param_name / _validate_tag_name: a restricted character set, and no
// name that would mean another one when used as a file path.
void validateKeyName(const QString& kind, const QString& key)
{
    if (key.isEmpty())
        throw MlflowError::missingParameter(QStringLiteral("key"));
    static const QRegularExpression allowed(QStringLiteral("^[/\\w.\\- :]*$"),
                                            QRegularExpression::UseUnicodePropertiesOption);
    if (!allowed.match(key).hasMatch()) {
        throw MlflowError::invalidParameter(
            QStringLiteral("Invalid %1 name: '%2'. Names may only contain alphanumerics, underscores (_), dashes (-), "
                           "periods (.), spaces ( ), colon(:) and slashes (/).")
                .arg(kind, key));
    }
    const QString normalized = QDir::cleanPath(key);
    if (normalized != key || normalized == QLatin1String(".") || normalized.startsWith(QLatin1String("..")) ||
        normalized.startsWith(QLatin1Char('/'))) {
        throw MlflowError::invalidParameter(
            QStringLiteral("Invalid %1 name: '%2'. Names may be treated as files in certain cases, and must not "
                           "resolve to other names when treated as such. This name would resolve to '%3'")
                .arg(kind, key, normalized));
    }
}

QString jsonText(const QJsonValue& value)
{
    if (value.isString())
        return value.toString();
    if (value.isUndefined() || value.isNull())
        return QString();
    if (value.isBool())
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return value.toVariant().toString();
}

// int64 fields arrive as JSON numbers or, from protobuf-style clients, as decimal strings.
std::optional<qint64> jsonInt64(const QJsonValue& value, const QString& field)
{
    if (value.isUndefined() || value.isNull())
        return std::nullopt;
    if (const auto number = ProtoJson::toInt64(value))
        return number;
    throw MlflowError::invalidParameter(
        QStringLiteral("Invalid value %1 for parameter '%2' supplied. It must be an integer.")
            .arg(QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact)), field));
}

double jsonDouble(const QJsonValue& value, const QString& field)
{
    if (const auto number = ProtoJson::toDouble(value))
        return *number;
    if (value.isUndefined() || value.isNull())
        throw MlflowError::missingParameter(field);
    throw MlflowError::invalidParameter(QStringLiteral("Invalid value for parameter '%1' supplied. It must be a "
                                                       "number.")
                                            .arg(field));
}

// NaN is stored as 0 with is_nan set (SQLite has no NaN), hence the separate flag.
QJsonValue metricValueJson(double value, bool isNan)
{
    return ProtoJson::fromDouble(isNan ? std::nan("") : value);
}

struct KeyValue
{
    QString key;
    QString value;
};

QList<KeyValue> keyValues(const QJsonArray& array, const QString& kind)
{
    QList<KeyValue> result;
    result.reserve(array.size());
    for (const QJsonValue& item : array) {
        if (!item.isObject()) {
            throw MlflowError::invalidParameter(
                QStringLiteral("Invalid %1: expected an object with 'key' and 'value'.").arg(kind));
        }
        const QJsonObject object = item.toObject();
        KeyValue entry{jsonText(object.value(QLatin1String("key"))), jsonText(object.value(QLatin1String("value")))};
        validateKeyName(kind, entry.key);
        result.append(entry);
    }
    return result;
}

// Reverses the packing of kExperimentColumns / kModelColumns.
QJsonArray tagsFromPacked(const QString& packed)
{
    QJsonArray tags;
    if (packed.isEmpty())
        return tags;
    const QStringList pairs = packed.split(QLatin1Char(','));
    for (const QString& pair : pairs) {
        const qsizetype colon = pair.indexOf(QLatin1Char(':'));
        const QByteArray keyHex = pair.left(colon).toLatin1();
        const QByteArray valueHex = pair.mid(colon + 1).toLatin1();
        tags.append(QJsonObject{{QStringLiteral("key"), QString::fromUtf8(QByteArray::fromHex(keyHex))},
                                {QStringLiteral("value"), QString::fromUtf8(QByteArray::fromHex(valueHex))}});
    }
    return tags;
}

// Row of kExperimentColumns. MLflow 3.x adds the workspace; 2.x has no such key.
ExperimentRecord experimentFromRow(const QSqlQuery& query, bool withWorkspace)
{
    ExperimentRecord experiment;
    experiment.experimentId = query.value(0).toString();
    experiment.name = query.value(1).toString();
    experiment.artifactLocation = query.value(2).toString();
    experiment.lifecycleStage = query.value(3).toString();
    if (!query.isNull(4))
        experiment.creationTime = query.value(4).toLongLong();
    if (!query.isNull(5))
        experiment.lastUpdateTime = query.value(5).toLongLong();
    const QString packedTags = query.value(6).toString();
    if (!packedTags.isEmpty()) {
        for (const QJsonValue& tag : tagsFromPacked(packedTags)) {
            const QJsonObject pair = tag.toObject();
            experiment.tags.append(
                {pair.value(QLatin1String("key")).toString(), pair.value(QLatin1String("value")).toString()});
        }
    }
    if (withWorkspace)
        experiment.workspace = query.value(7).toString();
    return experiment;
}

// Row of kRunColumns.
QJsonObject runInfoFromRow(const QSqlQuery& query)
{
    const QString runId = query.value(0).toString();
    QJsonObject info;
    info.insert(QStringLiteral("run_uuid"), runId);
    info.insert(QStringLiteral("experiment_id"), QString::number(query.value(2).toLongLong()));
    if (!query.isNull(1))
        info.insert(QStringLiteral("run_name"), query.value(1).toString());
    info.insert(QStringLiteral("user_id"), query.value(3).toString());
    info.insert(QStringLiteral("status"), query.value(4).toString());
    if (!query.isNull(5))
        info.insert(QStringLiteral("start_time"), query.value(5).toLongLong());
    if (!query.isNull(6))
        info.insert(QStringLiteral("end_time"), query.value(6).toLongLong());
    info.insert(QStringLiteral("artifact_uri"), query.value(8).toString());
    info.insert(QStringLiteral("lifecycle_stage"), query.value(7).toString());
    info.insert(QStringLiteral("run_id"), runId);
    return info;
}

// Row of kModelColumns.
QJsonObject modelFromRow(const QSqlQuery& query)
{
    QJsonObject model;
    model.insert(QStringLiteral("name"), query.value(0).toString());
    if (!query.isNull(1))
        model.insert(QStringLiteral("creation_timestamp"), query.value(1).toLongLong());
    if (!query.isNull(2))
        model.insert(QStringLiteral("last_updated_timestamp"), query.value(2).toLongLong());
    const QString description = query.value(3).toString();
    if (!description.isEmpty())
        model.insert(QStringLiteral("description"), description);
    const QJsonArray tags = tagsFromPacked(query.value(4).toString());
    if (!tags.isEmpty())
        model.insert(QStringLiteral("tags"), tags);
    return model;
}

QString normalizeRunStatus(const QString& status)
{
    static const QStringList names = {QStringLiteral("RUNNING"), QStringLiteral("SCHEDULED"),
                                      QStringLiteral("FINISHED"), QStringLiteral("FAILED"), QStringLiteral("KILLED")};
    if (names.contains(status))
        return status;
    // The proto enum numbers, which MLflow accepts as well.
    bool ok = false;
    const int number = status.toInt(&ok);
    if (ok && number >= 1 && number <= names.size())
        return names.at(number - 1);
    throw MlflowError::invalidParameter(
        QStringLiteral("Invalid value '%1' for parameter 'status'. It must be one of %2.")
            .arg(status, names.join(QStringLiteral(", "))));
}

std::pair<QString, QString> lifecycleStages(ViewType viewType)
{
    switch (viewType) {
    case ViewType::ActiveOnly:
        return {kActive, kActive};
    case ViewType::DeletedOnly:
        return {kDeleted, kDeleted};
    case ViewType::All:
        return {kActive, kDeleted};
    }
    throw MlflowError::invalidParameter(QStringLiteral("Invalid view type %1").arg(int(viewType)));
}

void validatePaging(const SearchQuery& query)
{
    if (query.maxResults < 1) {
        throw MlflowError::invalidParameter(QStringLiteral("Invalid value for request parameter max_results. It must "
                                                           "be a positive integer, but got %1")
                                                .arg(query.maxResults));
    }
    if (query.offset < 0)
        throw MlflowError::invalidParameter(QStringLiteral("Invalid page token, offset must be non-negative"));
}

// A piece of SQL and the values for its placeholders, in textual order.
struct SqlPart
{
    QString sql;
    QVariantList values;
};

[[noreturn]] void filterError(const QString& filter, const QString& reason)
{
    throw MlflowError::invalidParameter(QStringLiteral("Invalid filter '%1': %2").arg(filter, reason));
}

// How one filterable key of an entity maps to SQL.
struct FilterColumn
{
    QString column;
    bool numeric = false;
};

const QString kStringComparators = QStringLiteral("=, !=, LIKE, ILIKE");
const QString kNumericComparators = QStringLiteral("=, !=, <, <=, >, >=");

bool isStringComparator(Comparator comparator)
{
    return comparator == Comparator::Equal || comparator == Comparator::NotEqual || comparator == Comparator::Like ||
           comparator == Comparator::ILike;
}

bool isNumericComparator(Comparator comparator)
{
    return comparator != Comparator::Like && comparator != Comparator::ILike;
}

// `expression <comparator> ?` for text. LIKE goes through GLOB because SQLite's LIKE ignores ASCII case (MLflow's
// LIKE does not), and ILIKE lower-cases both sides so a connection's case_sensitive_like pragma cannot change it.
void appendStringComparison(SqlPart& part, const QString& expression, Comparator comparator, const QString& value)
{
    switch (comparator) {
    case Comparator::Equal:
        part.sql += expression + QStringLiteral(" = ?");
        part.values.append(value);
        return;
    case Comparator::NotEqual:
        part.sql += expression + QStringLiteral(" != ?");
        part.values.append(value);
        return;
    case Comparator::Like:
        part.sql += expression + QStringLiteral(" GLOB ?");
        part.values.append(SearchFilter::likeToGlob(value));
        return;
    case Comparator::ILike:
        part.sql += QStringLiteral("lower(") + expression + QStringLiteral(") LIKE lower(?)");
        part.values.append(value);
        return;
    default:
        break;
    }
}

void appendNumericComparison(SqlPart& part, const QString& expression, Comparator comparator, const QVariant& value)
{
    part.sql += expression + QLatin1Char(' ') + SearchFilter::comparatorText(comparator) + QStringLiteral(" ?");
    part.values.append(value);
}

void checkStringClause(const QString& filter, const SearchFilter::Clause& clause, const QString& what)
{
    if (!isStringComparator(clause.comparator)) {
        filterError(filter, QStringLiteral("comparator '%1' is not supported for %2; use one of %3")
                                .arg(SearchFilter::comparatorText(clause.comparator), what, kStringComparators));
    }
    if (!clause.quoted) {
        filterError(filter, QStringLiteral("%1 must be compared with a quoted string, not %2").arg(what, clause.value));
    }
}

qint64 integerClauseValue(const QString& filter, const SearchFilter::Clause& clause, const QString& what)
{
    if (!isNumericComparator(clause.comparator)) {
        filterError(filter, QStringLiteral("comparator '%1' is not supported for %2; use one of %3")
                                .arg(SearchFilter::comparatorText(clause.comparator), what, kNumericComparators));
    }
    bool ok = false;
    const qint64 value = clause.value.toLongLong(&ok);
    if (clause.quoted || !ok) {
        filterError(filter, QStringLiteral("%1 must be compared with an unquoted integer, not %2")
                                .arg(what, clause.quoted ? QLatin1Char('\'') + clause.value + QLatin1Char('\'')
                                                         : clause.value));
    }
    return value;
}

double doubleClauseValue(const QString& filter, const SearchFilter::Clause& clause, const QString& what)
{
    if (!isNumericComparator(clause.comparator)) {
        filterError(filter, QStringLiteral("comparator '%1' is not supported for %2; use one of %3")
                                .arg(SearchFilter::comparatorText(clause.comparator), what, kNumericComparators));
    }
    bool ok = false;
    const double value = clause.value.toDouble(&ok);
    if (clause.quoted || !ok) {
        filterError(filter,
                    QStringLiteral("%1 must be compared with an unquoted number, not '%2'").arg(what, clause.value));
    }
    return value;
}

// An attribute clause against the entity's column table.
void appendAttributeClause(SqlPart& part, const QString& filter, const SearchFilter::Clause& clause,
                           const QHash<QString, FilterColumn>& columns, const QString& entityName)
{
    const auto found = columns.constFind(clause.key);
    if (found == columns.constEnd()) {
        QStringList keys = columns.keys();
        keys.sort();
        filterError(filter, QStringLiteral("invalid attribute key '%1' for %2; valid keys are %3")
                                .arg(clause.key, entityName, keys.join(QStringLiteral(", "))));
    }
    const QString what = QStringLiteral("attribute '%1'").arg(clause.key);
    if (found->numeric) {
        appendNumericComparison(part, found->column, clause.comparator, integerClauseValue(filter, clause, what));
    } else {
        checkStringClause(filter, clause, what);
        appendStringComparison(part, found->column, clause.comparator, clause.value);
    }
}

// `EXISTS (...)` against a key/value child table: rows without the key never match, as in MLflow's joins.
void appendKeyValueClause(SqlPart& part, const QString& filter, const SearchFilter::Clause& clause,
                          const QString& table, const QString& ownerColumn, const QString& ownerExpression)
{
    const QString what = QStringLiteral("%1 '%2'").arg(SearchFilter::entityText(clause.entity), clause.key);
    checkStringClause(filter, clause, what);
    part.sql += QStringLiteral("EXISTS (SELECT 1 FROM %1 kv WHERE kv.%2 = %3 AND kv.key = ? AND ")
                    .arg(table, ownerColumn, ownerExpression);
    part.values.append(clause.key);
    appendStringComparison(part, QStringLiteral("kv.value"), clause.comparator, clause.value);
    part.sql += QLatin1Char(')');
}

// Where an entity's tags live: the child table and how its rows point at their owner.
struct TagTable
{
    QString table;
    QString ownerColumn;
    QString ownerExpression;
};

// WHERE clauses for entities filtered by attributes and tags only (experiments, registered models); `allowed` names
// what may be filtered, for the error message.
void appendAttributeAndTagClauses(SqlPart& where, const QString& filter, const QHash<QString, FilterColumn>& columns,
                                  const QString& entityName, const TagTable& tags, const QString& allowed)
{
    for (const SearchFilter::Clause& clause : SearchFilter::parseFilter(filter)) {
        where.sql += QStringLiteral(" AND ");
        if (clause.entity == Entity::Attribute) {
            appendAttributeClause(where, filter, clause, columns, entityName);
        } else if (clause.entity == Entity::Tag) {
            appendKeyValueClause(where, filter, clause, tags.table, tags.ownerColumn, tags.ownerExpression);
        } else {
            filterError(filter, QStringLiteral("%1 can be filtered by %2 only, not by %3s")
                                    .arg(entityName, allowed, SearchFilter::entityText(clause.entity)));
        }
    }
}

// How one orderable key maps to SQL; `keyed` expressions take the entity key as their single bound value.
struct OrderColumn
{
    QString expression;
    bool keyed = false;
};

// An order_by resolver for entities ordered by attributes only. `columns` must outlive the resolver (callers pass
// function-local statics); `allowedKeys` completes the error message.
std::function<OrderColumn(const SearchFilter::OrderTerm&)>
attributeOrder(const QHash<QString, QString>& columns, const QString& entityName, const QString& allowedKeys)
{
    return [&columns, entityName, allowedKeys](const SearchFilter::OrderTerm& term) {
        const auto found = columns.constFind(term.key);
        if (term.entity != Entity::Attribute || found == columns.constEnd()) {
            throw MlflowError::invalidParameter(QStringLiteral("Invalid order_by key '%1'. %2 can be ordered by %3.")
                                                    .arg(term.key, entityName, allowedKeys));
        }
        return OrderColumn{*found, false};
    };
}

// ORDER BY from MLflow order_by strings: whitelisted expressions only, duplicates rejected, `tieBreaker` appended
// unless already present so paging by offset is stable.
SqlPart orderByClause(const QStringList& orderBy,
                      const std::function<OrderColumn(const SearchFilter::OrderTerm&)>& column,
                      const QStringList& defaults, const QString& tieBreakerKey, const QString& tieBreaker,
                      bool nullsLast)
{
    SqlPart part;
    QSet<QString> seen;
    QStringList terms = orderBy;
    terms.removeIf([](const QString& term) { return term.trimmed().isEmpty(); });
    if (terms.isEmpty())
        terms = defaults;
    for (const QString& text : std::as_const(terms)) {
        const SearchFilter::OrderTerm term = SearchFilter::parseOrderBy(text);
        const QString identity = SearchFilter::entityText(term.entity) + QLatin1Char('.') + term.key;
        if (seen.contains(identity)) {
            throw MlflowError::invalidParameter(
                QStringLiteral("`order_by` contains duplicate fields: %1").arg(orderBy.join(QStringLiteral(", "))));
        }
        seen.insert(identity);
        const OrderColumn order = column(term);
        const QString direction = term.ascending ? QStringLiteral(" ASC") : QStringLiteral(" DESC");
        if (!part.sql.isEmpty())
            part.sql += QStringLiteral(", ");
        if (nullsLast) {
            part.sql += order.expression + QStringLiteral(" IS NULL, ");
            if (order.keyed)
                part.values.append(term.key);
        }
        part.sql += order.expression + direction;
        if (order.keyed)
            part.values.append(term.key);
    }
    if (!seen.contains(tieBreakerKey))
        part.sql += QStringLiteral(", ") + tieBreaker;
    return part;
}

} // namespace

class TrackingStore::Private
{
public:
    Private(QSqlDatabase database, QString artifactRoot, TrackingStoreOptions options)
        : m_db(std::move(database)), m_artifactRoot(std::move(artifactRoot)), m_options(options)
    {}

    // BEGIN IMMEDIATE takes the write lock up front, so two writers never deadlock upgrading read locks.
    class Transaction
    {
    public:
        explicit Transaction(const Private& d) : m_d(d) { m_d.write(QStringLiteral("BEGIN IMMEDIATE"), {}); }
        ~Transaction()
        {
            if (!m_committed) {
                QSqlQuery& rollback = m_d.statement(QStringLiteral("ROLLBACK"));
                rollback.exec();
                rollback.finish();
                // The update hook saw the rows change but never sees them change back.
                m_d.m_experimentCache.clear();
            }
        }
        Transaction(const Transaction&) = delete;
        Transaction& operator=(const Transaction&) = delete;
        void commit()
        {
            m_d.write(QStringLiteral("COMMIT"), {});
            m_committed = true;
        }

    private:
        const Private& m_d;
        bool m_committed = false;
    };

    // Resets a statement once its rows are read, so SQLite drops the read lock before the next write.
    class Finisher
    {
    public:
        explicit Finisher(QSqlQuery& query) : m_query(query) {}
        ~Finisher() { m_query.finish(); }
        Finisher(const Finisher&) = delete;
        Finisher& operator=(const Finisher&) = delete;

    private:
        QSqlQuery& m_query;
    };

    QSqlQuery& prepareInto(std::unordered_map<QString, std::unique_ptr<QSqlQuery>>& cache, const QString& sql) const
    {
        auto found = cache.find(sql);
        if (found != cache.end())
            return *found->second;
        auto query = std::make_unique<QSqlQuery>(m_db);
        query->setForwardOnly(true);
        if (!query->prepare(sql))
            throw SqlFailure::toMlflowError(query->lastError(), QStringLiteral("tracking"));
        return *cache.emplace(sql, std::move(query)).first->second;
    }

    // A statement of fixed text, prepared on first use and kept for the store's lifetime.
    QSqlQuery& statement(const QString& sql) const { return prepareInto(m_statements, sql); }

    // A statement built from a search request. Only one is in use at a time, so clearing the bounded cache before
    // preparing a new one never invalidates a reference a caller still holds.
    QSqlQuery& searchStatement(const QString& sql) const
    {
        if (m_searchStatements.find(sql) == m_searchStatements.end() &&
            m_searchStatements.size() >= kMaxCachedSearchStatements)
            m_searchStatements.clear();
        return prepareInto(m_searchStatements, sql);
    }

    void execute(QSqlQuery& query) const
    {
        if (!query.exec()) {
            const QSqlError error = query.lastError();
            query.finish();
            throw SqlFailure::toMlflowError(error, QStringLiteral("tracking"));
        }
    }

    void execute(QSqlQuery& query, std::initializer_list<QVariant> values) const
    {
        int index = 0;
        for (const QVariant& value : values)
            query.bindValue(index++, value);
        execute(query);
    }

    void execute(QSqlQuery& query, const QVariantList& values) const
    {
        for (int index = 0; index < values.size(); ++index)
            query.bindValue(index, values.at(index));
        execute(query);
    }

    // Runs a statement that returns nothing.
    void write(const QString& sql, std::initializer_list<QVariant> values) const
    {
        QSqlQuery& query = statement(sql);
        const Finisher done(query);
        execute(query, values);
    }

    int writeCountingRows(const QString& sql, std::initializer_list<QVariant> values) const
    {
        QSqlQuery& query = statement(sql);
        const Finisher done(query);
        execute(query, values);
        return query.numRowsAffected();
    }

    // The first column of the first row, or an invalid QVariant when there is no row.
    QVariant scalar(const QString& sql, std::initializer_list<QVariant> values) const
    {
        QSqlQuery& query = statement(sql);
        const Finisher done(query);
        execute(query, values);
        return query.next() ? query.value(0) : QVariant();
    }

    void runDdl(const QString& ddl) const
    {
        QSqlQuery query(m_db);
        if (!query.exec(ddl))
            throw MlflowError::internal(QStringLiteral("Cannot create the tracking schema: %1. Check that the tracking "
                                                       "database is writable.")
                                            .arg(query.lastError().text()));
    }

    bool hasColumn(const QString& table, const QString& column) const
    {
        QSqlQuery query(m_db);
        query.exec(QStringLiteral("PRAGMA table_info(%1)").arg(table));
        bool tableExists = false;
        while (query.next()) {
            tableExists = true;
            if (query.value(1).toString() == column)
                return true;
        }
        // A missing table is created with the column.
        return !tableExists;
    }

    // Rebuilds a table of a database written before workspaces: new table, copy, drop, rename, the way SQLite
    // changes constraints. Renaming the new table (not the old one) keeps other tables' references pointing here.
    void upgradeForWorkspaces(const WorkspaceUpgrade& upgrade) const
    {
        const QString table = QString::fromLatin1(upgrade.table);
        if (hasColumn(table, QStringLiteral("workspace")))
            return;
        const QString staging = table + QStringLiteral("_with_workspace");
        const QString columns = QString::fromLatin1(upgrade.copiedColumns);
        runDdl(QStringLiteral("CREATE TABLE %1 %2").arg(staging, QString::fromLatin1(upgrade.columns)));
        runDdl(QStringLiteral("INSERT INTO %1 (%2) SELECT %2 FROM %3").arg(staging, columns, table));
        runDdl(QStringLiteral("DROP TABLE %1").arg(table));
        runDdl(QStringLiteral("ALTER TABLE %1 RENAME TO %2").arg(staging, table));
    }

    void createSchema()
    {
        Transaction transaction(*this);
        for (const WorkspaceUpgrade& upgrade : kWorkspaceUpgrades)
            upgradeForWorkspaces(upgrade);
        for (const char* ddl : kSchema)
            runDdl(QString::fromLatin1(ddl));
        const qint64 now = nowMs();
        write(QStringLiteral("INSERT OR IGNORE INTO experiments (experiment_id, workspace, name, artifact_location, "
                             "lifecycle_stage, creation_time, last_update_time) VALUES (0, ?, ?, ?, ?, ?, ?)"),
              {defaultWorkspace, QStringLiteral("Default"), defaultArtifactLocation(0, defaultWorkspace), kActive, now,
               now});
        transaction.commit();
    }

    void prepareHotPaths()
    {
        m_experimentById =
            &statement(QStringLiteral("SELECT %1 FROM experiments e WHERE e.experiment_id = ? AND e.workspace = ?")
                           .arg(kExperimentColumns));
        m_experimentsInDefaultOrder = &statement(QStringLiteral("SELECT %1 FROM experiments e WHERE e.workspace = ? "
                                                                "ORDER BY e.creation_time DESC, e.experiment_id ASC")
                                                     .arg(kExperimentColumns));
        m_experimentWatch = std::make_unique<SqliteChangeWatch>(
            m_db, QStringList{QStringLiteral("experiments"), QStringLiteral("experiment_tags")});
        m_runById = &statement(QStringLiteral("SELECT %1 FROM runs r WHERE r.run_uuid = ?").arg(kRunColumns));
        m_latestMetricsOfRun = &statement(QStringLiteral(
            "SELECT key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid = ? ORDER BY key"));
        m_paramsOfRun = &statement(QStringLiteral("SELECT key, value FROM params WHERE run_uuid = ? ORDER BY key"));
        m_tagsOfRun = &statement(QStringLiteral("SELECT key, value FROM tags WHERE run_uuid = ? ORDER BY key"));
    }

    // With workspaces MLflow files artifacts under the workspace's own default_artifact_root when it has one
    // (<root>/<id>, checked on 3.14), else under <server root>/workspaces/<workspace>/<id>.
    QString defaultArtifactLocation(qint64 experimentId, const QString& workspace) const
    {
        QString location = m_artifactRoot;
        bool workspacePrefix = m_options.workspaces;
        if (m_options.workspaces && workspaceTableExists()) {
            const QVariant root =
                scalar(QStringLiteral("SELECT default_artifact_root FROM workspaces WHERE name = ?"), {workspace});
            if (root.isValid() && !root.toString().isEmpty()) {
                location = root.toString();
                workspacePrefix = false;
            }
        }
        if (!location.endsWith(QLatin1Char('/')))
            location += QLatin1Char('/');
        if (workspacePrefix)
            location += QStringLiteral("workspaces/") + workspace + QLatin1Char('/');
        return location + QString::number(experimentId);
    }

    // WorkspaceStore creates the table after this store's schema; experiment 0 is written before it exists.
    bool workspaceTableExists() const
    {
        return scalar(QStringLiteral("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'workspaces'"), {})
            .isValid();
    }

    ExperimentRecord experimentRecord(const QSqlQuery& query) const
    {
        return experimentFromRow(query, m_options.experimentsCarryWorkspace);
    }

    // The experiment's lifecycle stage and artifact location, or nothing when it does not exist in the workspace.
    std::optional<std::pair<QString, QString>> experimentState(qint64 experimentId, const QString& workspace) const
    {
        QSqlQuery& query = statement(QStringLiteral(
            "SELECT lifecycle_stage, artifact_location FROM experiments WHERE experiment_id = ? AND workspace = ?"));
        const Finisher done(query);
        execute(query, {experimentId, workspace});
        if (!query.next())
            return std::nullopt;
        return std::make_pair(query.value(0).toString(), query.value(1).toString());
    }

    std::optional<qint64> experimentIdByName(const QString& name, const QString& workspace) const
    {
        const QVariant id =
            scalar(QStringLiteral("SELECT experiment_id FROM experiments WHERE workspace = ? AND name = ?"),
                   {workspace, name});
        if (!id.isValid())
            return std::nullopt;
        return id.toLongLong();
    }

    std::optional<QJsonObject> experimentById(qint64 experimentId, const QString& workspace) const
    {
        QSqlQuery& query = *m_experimentById;
        const Finisher done(query);
        execute(query, {experimentId, workspace});
        if (!query.next())
            return std::nullopt;
        return experimentRecord(query).toJson();
    }

    // A run of another workspace does not exist for this request (MLflow answers 404). Without workspaces every run
    // is in `default`, so the lookup is skipped.
    void requireRunInWorkspace(const QString& runId, const QString& workspace) const
    {
        if (!m_options.workspaces)
            return;
        if (!scalar(QStringLiteral("SELECT 1 FROM runs r JOIN experiments e ON e.experiment_id = r.experiment_id "
                                   "WHERE r.run_uuid = ? AND e.workspace = ?"),
                    {runId, workspace})
                 .isValid())
            throw runNotFound(runId);
    }

    // Throws MLflow's 404 for a missing run and its 400 for a deleted one: writes need an active run.
    void requireActiveRun(const QString& runId, const QString& workspace) const
    {
        requireRunInWorkspace(runId, workspace);
        const QVariant stage = scalar(QStringLiteral("SELECT lifecycle_stage FROM runs WHERE run_uuid = ?"), {runId});
        if (!stage.isValid())
            throw runNotFound(runId);
        if (stage.toString() != kActive) {
            throw MlflowError::invalidParameter(
                QStringLiteral("The run %1 must be in the 'active' state. Current state is %2.")
                    .arg(runId, stage.toString()));
        }
    }

    void upsertRunTag(const QString& runId, const QString& key, const QString& value) const
    {
        write(QStringLiteral("INSERT INTO tags (run_uuid, key, value) VALUES (?, ?, ?) ON CONFLICT (run_uuid, key) DO "
                             "UPDATE SET value = excluded.value"),
              {runId, key, value});
        if (key == kRunNameTag)
            write(QStringLiteral("UPDATE runs SET name = ? WHERE run_uuid = ?"), {value, runId});
    }

    // Keeps latest_metrics on MLflow's rule: the greatest (step, timestamp, value) wins.
    void insertMetric(const QString& runId, const QString& key, double value, qint64 timestamp, qint64 step) const
    {
        const bool isNan = std::isnan(value);
        const double stored = isNan ? 0.0 : value;
        write(QStringLiteral("INSERT OR IGNORE INTO metrics (run_uuid, key, value, timestamp, step, is_nan) VALUES "
                             "(?, ?, ?, ?, ?, ?)"),
              {runId, key, stored, timestamp, step, int(isNan)});
        write(QStringLiteral("INSERT INTO latest_metrics (run_uuid, key, value, timestamp, step, is_nan) VALUES (?, ?, "
                             "?, ?, ?, ?) ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value, timestamp "
                             "= excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan WHERE "
                             "(excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, "
                             "latest_metrics.timestamp, latest_metrics.value)"),
              {runId, key, stored, timestamp, step, int(isNan)});
    }

    // Params never change once logged; logging the same value again is fine.
    void insertParam(const QString& runId, const QString& key, const QString& value) const
    {
        const QVariant existing =
            scalar(QStringLiteral("SELECT value FROM params WHERE run_uuid = ? AND key = ?"), {runId, key});
        if (existing.isValid()) {
            if (existing.toString() == value)
                return;
            throw MlflowError::invalidParameter(
                QStringLiteral("Changing param values is not allowed. Param with key='%1' was already logged with "
                               "value='%2' for run ID='%3'. Attempted logging new value '%4'.")
                    .arg(key, existing.toString(), runId, value));
        }
        write(QStringLiteral("INSERT INTO params (run_uuid, key, value) VALUES (?, ?, ?)"), {runId, key, value});
    }

    QJsonArray keyValueRows(QSqlQuery& query, const QString& runId) const
    {
        const Finisher done(query);
        execute(query, {runId});
        QJsonArray rows;
        while (query.next()) {
            rows.append(QJsonObject{{QStringLiteral("key"), query.value(0).toString()},
                                    {QStringLiteral("value"), query.value(1).toString()}});
        }
        return rows;
    }

    QJsonObject runData(const QString& runId) const
    {
        QJsonArray metrics;
        {
            QSqlQuery& query = *m_latestMetricsOfRun;
            const Finisher done(query);
            execute(query, {runId});
            while (query.next()) {
                metrics.append(QJsonObject{
                    {QStringLiteral("key"), query.value(0).toString()},
                    {QStringLiteral("value"), metricValueJson(query.value(1).toDouble(), query.value(4).toBool())},
                    {QStringLiteral("timestamp"), query.value(2).toLongLong()},
                    {QStringLiteral("step"), query.value(3).toLongLong()}});
            }
        }
        const QJsonArray params = keyValueRows(*m_paramsOfRun, runId);
        const QJsonArray tags = keyValueRows(*m_tagsOfRun, runId);
        QJsonObject data;
        if (!metrics.isEmpty())
            data.insert(QStringLiteral("metrics"), metrics);
        if (!params.isEmpty())
            data.insert(QStringLiteral("params"), params);
        if (!tags.isEmpty())
            data.insert(QStringLiteral("tags"), tags);
        return data;
    }

    std::optional<QJsonObject> runInfo(const QString& runId) const
    {
        QSqlQuery& query = *m_runById;
        const Finisher done(query);
        execute(query, {runId});
        if (!query.next())
            return std::nullopt;
        return runInfoFromRow(query);
    }

    // MLflow's runs/create answer has no "inputs"; runs/get and runs/search carry an empty one.
    QJsonObject runJson(const QString& runId, bool withInputs) const
    {
        const std::optional<QJsonObject> info = runInfo(runId);
        if (!info)
            throw runNotFound(runId);
        QJsonObject run{{QStringLiteral("info"), *info}, {QStringLiteral("data"), runData(runId)}};
        if (withInputs)
            run.insert(QStringLiteral("inputs"), QJsonObject());
        return run;
    }

    std::optional<QJsonObject> modelByName(const QString& name, const QString& workspace) const
    {
        QSqlQuery& query =
            statement(QStringLiteral("SELECT %1 FROM registered_models m WHERE m.workspace = ? AND m.name = ?")
                          .arg(kModelColumns));
        const Finisher done(query);
        execute(query, {workspace, name});
        if (!query.next())
            return std::nullopt;
        return modelFromRow(query);
    }

    bool modelExists(const QString& name, const QString& workspace) const
    {
        return scalar(QStringLiteral("SELECT 1 FROM registered_models WHERE workspace = ? AND name = ?"),
                      {workspace, name})
            .isValid();
    }

    // Every experiment of the workspace in the default search order, each with its JSON written once. The default
    // search (no filter, no order_by) is what clients and the console send most, and paging through this list costs
    // a fraction of the SQL. It is read again when this connection changed a row of experiments or experiment_tags,
    // or another connection committed anything.
    const QList<ExperimentRecord>& experimentsInDefaultOrder(const QString& workspace) const
    {
        const quint64 localChanges = m_experimentWatch->localChanges();
        if (localChanges != m_experimentCacheChanges || m_experimentWatch->changedElsewhere()) {
            m_experimentCache.clear();
            m_experimentCacheChanges = localChanges;
        }
        auto cached = m_experimentCache.constFind(workspace);
        if (cached != m_experimentCache.cend())
            return *cached;
        // Workspaces are few; a client cycling through invented names must not grow this forever.
        if (m_experimentCache.size() >= kMaxCachedWorkspaces)
            m_experimentCache.clear();
        QList<ExperimentRecord> experiments;
        QSqlQuery& query = *m_experimentsInDefaultOrder;
        const Finisher done(query);
        execute(query, {workspace});
        while (query.next()) {
            ExperimentRecord experiment = experimentRecord(query);
            JsonWriter out;
            experiment.writeJson(out);
            experiment.json = out.take();
            experiments.append(std::move(experiment));
        }
        return *m_experimentCache.insert(workspace, std::move(experiments));
    }

    // Runs a page query whose last two placeholders are LIMIT and OFFSET; one extra row tells whether more exist.
    // With request.keep, column 0 is the row's id.
    template <typename Page, typename RowToItem>
    Page page(QSqlQuery& query, QVariantList values, const SearchQuery& request, RowToItem rowToItem) const
    {
        values.append(qint64(request.maxResults) + 1);
        values.append(request.offset);
        const Finisher done(query);
        execute(query, values);
        Page result;
        int count = 0;
        while (query.next()) {
            if (count == request.maxResults) {
                result.nextOffset = request.offset + request.maxResults;
                break;
            }
            if (request.keep && !request.keep(query.value(0).toString()))
                result.items.append(typename decltype(Page::items)::value_type());
            else
                result.items.append(rowToItem(query));
            ++count;
        }
        return result;
    }

    QSqlDatabase m_db;
    QString m_artifactRoot;
    TrackingStoreOptions m_options;
    mutable std::unordered_map<QString, std::unique_ptr<QSqlQuery>> m_statements;
    mutable std::unordered_map<QString, std::unique_ptr<QSqlQuery>> m_searchStatements;
    // Hot paths, kept as pointers into m_statements so they skip even the hash lookup.
    QSqlQuery* m_experimentById = nullptr;
    QSqlQuery* m_experimentsInDefaultOrder = nullptr;
    std::unique_ptr<SqliteChangeWatch> m_experimentWatch;
    mutable QHash<QString, QList<ExperimentRecord>> m_experimentCache; // by workspace
    mutable quint64 m_experimentCacheChanges = 0;
    QSqlQuery* m_runById = nullptr;
    QSqlQuery* m_latestMetricsOfRun = nullptr;
    QSqlQuery* m_paramsOfRun = nullptr;
    QSqlQuery* m_tagsOfRun = nullptr;
};

void ExperimentRecord::writeJson(JsonWriter& out) const
{
    if (!json.isEmpty()) {
        out.written(json);
        return;
    }
    out.beginObject();
    out.member(QLatin1String("artifact_location"), artifactLocation);
    if (creationTime)
        out.member(QLatin1String("creation_time"), *creationTime);
    out.member(QLatin1String("experiment_id"), experimentId);
    if (lastUpdateTime)
        out.member(QLatin1String("last_update_time"), *lastUpdateTime);
    out.member(QLatin1String("lifecycle_stage"), lifecycleStage);
    out.member(QLatin1String("name"), name);
    if (!tags.isEmpty()) {
        out.key(QLatin1String("tags")).beginArray();
        for (const auto& [tagKey, tagValue] : tags)
            out.beginObject().member(QLatin1String("key"), tagKey).member(QLatin1String("value"), tagValue).endObject();
        out.endArray();
    }
    if (workspace)
        out.member(QLatin1String("workspace"), *workspace);
    out.endObject();
}

QJsonObject ExperimentRecord::toJson() const
{
    JsonWriter out;
    writeJson(out);
    return QJsonDocument::fromJson(out.take()).object();
}

TrackingStore::TrackingStore(QSqlDatabase database, QString artifactRoot, TrackingStoreOptions options)
    : d(std::make_unique<Private>(std::move(database), std::move(artifactRoot), options))
{
    if (!d->m_db.isOpen())
        throw MlflowError::internal(QStringLiteral("The tracking database is not open."));
    d->createSchema();
    d->prepareHotPaths();
}

TrackingStore::~TrackingStore() = default;

// --- experiments

QString TrackingStore::createExperiment(const QString& name, const QString& artifactLocation, const QJsonArray& tags,
                                        const QString& workspace, const BeforeCommit& beforeCommit)
{
    validateExperimentName(name);
    if (artifactLocation.startsWith(QLatin1String("runs:"))) {
        throw MlflowError::invalidParameter(
            QStringLiteral("Artifact location cannot be a runs:/ URI. Given: '%1'").arg(artifactLocation));
    }
    if (artifactLocation.contains(QLatin1Char('#')) || artifactLocation.contains(QLatin1Char('?'))) {
        throw MlflowError::invalidParameter(
            QStringLiteral("Invalid artifact location '%1': it must not contain URL parameters or a fragment.")
                .arg(artifactLocation));
    }
    const QList<KeyValue> tagList = keyValues(tags, QStringLiteral("tag"));

    Private::Transaction transaction(*d);
    // 3.14 continues with the SQL error (UNIQUE constraint failed: experiments.workspace, experiments.name); we stop
    // at its first sentence.
    if (d->experimentIdByName(name, workspace))
        throw MlflowError::alreadyExists(QStringLiteral("Experiment(name=%1) already exists.").arg(name));
    const qint64 now = nowMs();
    qint64 id = 0;
    {
        QSqlQuery& insert =
            d->statement(QStringLiteral("INSERT INTO experiments (workspace, name, artifact_location, lifecycle_stage, "
                                        "creation_time, last_update_time) VALUES (?, ?, ?, ?, ?, ?)"));
        const Private::Finisher done(insert);
        d->execute(insert, {workspace, name, artifactLocation, kActive, now, now});
        id = insert.lastInsertId().toLongLong();
    }
    if (artifactLocation.isEmpty()) {
        d->write(QStringLiteral("UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?"),
                 {d->defaultArtifactLocation(id, workspace), id});
    }
    for (const KeyValue& tag : tagList) {
        d->write(QStringLiteral("INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?) ON CONFLICT "
                                "(experiment_id, key) DO UPDATE SET value = excluded.value"),
                 {id, tag.key, tag.value});
    }
    if (beforeCommit)
        beforeCommit(QString::number(id));
    transaction.commit();
    return QString::number(id);
}

QJsonObject TrackingStore::experiment(const QString& experimentId, const QString& workspace) const
{
    const qint64 id = requireExperimentId(experimentId);
    std::optional<QJsonObject> found = d->experimentById(id, workspace);
    if (!found)
        throw experimentNotFound(experimentId);
    return *found;
}

std::optional<QJsonObject> TrackingStore::experimentByName(const QString& name, const QString& workspace) const
{
    QSqlQuery& query = d->statement(
        QStringLiteral("SELECT %1 FROM experiments e WHERE e.workspace = ? AND e.name = ?").arg(kExperimentColumns));
    const Private::Finisher done(query);
    d->execute(query, {workspace, name});
    if (!query.next())
        return std::nullopt;
    return d->experimentRecord(query).toJson();
}

ExperimentPage TrackingStore::searchExperiments(const SearchQuery& query, const QString& workspace) const
{
    const auto toJson = [this](const QSqlQuery& row) {
        return std::optional<ExperimentRecord>(d->experimentRecord(row));
    };
    validatePaging(query);
    const auto [firstStage, secondStage] = lifecycleStages(query.viewType);
    const bool defaultOrder = std::all_of(query.orderBy.cbegin(), query.orderBy.cend(),
                                          [](const QString& t) { return t.trimmed().isEmpty(); });
    if (query.filter.trimmed().isEmpty() && defaultOrder) {
        // The same page the SQL below would give: rows of the wanted stages from the offset on, refused ones empty.
        ExperimentPage page;
        qint64 skipped = 0;
        int count = 0;
        for (const ExperimentRecord& experiment : d->experimentsInDefaultOrder(workspace)) {
            if (experiment.lifecycleStage != firstStage && experiment.lifecycleStage != secondStage)
                continue;
            if (skipped < query.offset) {
                ++skipped;
                continue;
            }
            if (count == query.maxResults) {
                page.nextOffset = query.offset + query.maxResults;
                break;
            }
            if (query.keep && !query.keep(experiment.experimentId))
                page.items.append(std::nullopt);
            else
                page.items.append(experiment);
            ++count;
        }
        return page;
    }

    static const QHash<QString, FilterColumn> filterColumns = {
        {QStringLiteral("name"), {QStringLiteral("e.name"), false}},
        {QStringLiteral("creation_time"), {QStringLiteral("e.creation_time"), true}},
        {QStringLiteral("last_update_time"), {QStringLiteral("e.last_update_time"), true}},
    };
    SqlPart where{QStringLiteral("e.workspace = ? AND e.lifecycle_stage IN (?, ?)"),
                  {workspace, firstStage, secondStage}};
    appendAttributeAndTagClauses(
        where, query.filter, filterColumns, QStringLiteral("experiments"),
        {QStringLiteral("experiment_tags"), QStringLiteral("experiment_id"), QStringLiteral("e.experiment_id")},
        QStringLiteral("attributes and tags"));

    static const QHash<QString, QString> orderColumns = {
        {QStringLiteral("name"), QStringLiteral("e.name")},
        {QStringLiteral("experiment_id"), QStringLiteral("e.experiment_id")},
        {QStringLiteral("creation_time"), QStringLiteral("e.creation_time")},
        {QStringLiteral("last_update_time"), QStringLiteral("e.last_update_time")},
    };
    const SqlPart order =
        orderByClause(query.orderBy,
                      attributeOrder(orderColumns, QStringLiteral("Experiments"),
                                     QStringLiteral("name, experiment_id, creation_time or last_update_time")),
                      {QStringLiteral("creation_time DESC")}, QStringLiteral("attribute.experiment_id"),
                      QStringLiteral("e.experiment_id ASC"), false);

    QSqlQuery& statement =
        d->searchStatement(QStringLiteral("SELECT %1 FROM experiments e WHERE %2 ORDER BY %3 LIMIT ? OFFSET ?")
                               .arg(kExperimentColumns, where.sql, order.sql));
    return d->page<ExperimentPage>(statement, where.values + order.values, query, toJson);
}

void TrackingStore::renameExperiment(const QString& experimentId, const QString& newName, const QString& workspace)
{
    validateExperimentName(newName);
    const qint64 id = requireExperimentId(experimentId);
    Private::Transaction transaction(*d);
    const auto state = d->experimentState(id, workspace);
    if (!state)
        throw experimentNotFound(experimentId);
    if (state->first != kActive)
        throw MlflowError("INVALID_STATE", QStringLiteral("Cannot rename a non-active experiment."));
    const std::optional<qint64> holder = d->experimentIdByName(newName, workspace);
    if (holder && *holder != id)
        throw MlflowError::alreadyExists(QStringLiteral("Experiment(name=%1) already exists.").arg(newName));
    d->write(QStringLiteral("UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?"),
             {newName, nowMs(), id});
    transaction.commit();
}

void TrackingStore::deleteExperiment(const QString& experimentId, const QString& workspace)
{
    const qint64 id = requireExperimentId(experimentId);
    Private::Transaction transaction(*d);
    const auto state = d->experimentState(id, workspace);
    if (!state || state->first != kActive)
        throw experimentNotFound(experimentId);
    const qint64 now = nowMs();
    d->write(QStringLiteral("UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?"),
             {kDeleted, now, id});
    d->write(QStringLiteral("UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE experiment_id = ? AND "
                            "lifecycle_stage = ?"),
             {kDeleted, now, id, kActive});
    transaction.commit();
}

// Like MLflow, restoring an experiment brings back all of its runs, including ones deleted individually.
void TrackingStore::restoreExperiment(const QString& experimentId, const QString& workspace)
{
    const qint64 id = requireExperimentId(experimentId);
    Private::Transaction transaction(*d);
    const auto state = d->experimentState(id, workspace);
    if (!state || state->first != kDeleted)
        throw experimentNotFound(experimentId);
    d->write(QStringLiteral("UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?"),
             {kActive, nowMs(), id});
    d->write(QStringLiteral("UPDATE runs SET lifecycle_stage = ?, deleted_time = NULL WHERE experiment_id = ?"),
             {kActive, id});
    transaction.commit();
}

void TrackingStore::setExperimentTag(const QString& experimentId, const QString& key, const QString& value,
                                     const QString& workspace)
{
    validateKeyName(QStringLiteral("tag"), key);
    const qint64 id = requireExperimentId(experimentId);
    Private::Transaction transaction(*d);
    const auto state = d->experimentState(id, workspace);
    if (!state)
        throw experimentNotFound(experimentId);
    if (state->first != kActive) {
        throw MlflowError::invalidParameter(
            QStringLiteral("The experiment %1 must be in the 'active' state. Current state is %2.")
                .arg(QString::number(id), state->first));
    }
    d->write(QStringLiteral("INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?) ON CONFLICT "
                            "(experiment_id, key) DO UPDATE SET value = excluded.value"),
             {id, key, value});
    transaction.commit();
}

bool TrackingStore::experimentExists(const QString& experimentId, const QString& workspace) const
{
    const std::optional<qint64> id = parseExperimentId(experimentId);
    return id && d->scalar(QStringLiteral("SELECT 1 FROM experiments WHERE experiment_id = ? AND workspace = ?"),
                           {*id, workspace})
                     .isValid();
}

// --- runs

QJsonObject TrackingStore::createRun(const QString& experimentId, const QString& userId, qint64 startTime,
                                     const QString& runName, const QJsonArray& tags, const QString& workspace)
{
    const QList<KeyValue> tagList = keyValues(tags, QStringLiteral("tag"));
    QString name = runName;
    for (const KeyValue& tag : tagList) {
        if (tag.key != kRunNameTag)
            continue;
        if (!runName.isEmpty() && tag.value != runName) {
            throw MlflowError::invalidParameter(
                QStringLiteral("Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different "
                               "values (run_name='%1', mlflow.runName='%2').")
                    .arg(runName, tag.value));
        }
        name = tag.value;
    }
    if (name.isEmpty())
        name = randomRunName();

    const qint64 id = requireExperimentId(experimentId);
    const QString runId = QUuid::createUuid().toString(QUuid::Id128);
    {
        Private::Transaction transaction(*d);
        const auto state = d->experimentState(id, workspace);
        if (!state)
            throw experimentNotFound(experimentId);
        if (state->first != kActive) {
            throw MlflowError::invalidParameter(
                QStringLiteral("The experiment %1 must be in the 'active' state. Current state is %2.")
                    .arg(QString::number(id), state->first));
        }
        QString artifactUri = state->second;
        while (artifactUri.endsWith(QLatin1Char('/')))
            artifactUri.chop(1);
        artifactUri += QLatin1Char('/') + runId + QStringLiteral("/artifacts");
        d->write(QStringLiteral("INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, "
                                "lifecycle_stage, artifact_uri) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
                 {runId, name, id, userId, QStringLiteral("RUNNING"), startTime, kActive, artifactUri});
        for (const KeyValue& tag : tagList) {
            if (tag.key != kRunNameTag)
                d->upsertRunTag(runId, tag.key, tag.value);
        }
        d->upsertRunTag(runId, kRunNameTag, name);
        transaction.commit();
    }
    return d->runJson(runId, false);
}

QJsonObject TrackingStore::run(const QString& runId, const QString& workspace) const
{
    d->requireRunInWorkspace(runId, workspace);
    return d->runJson(runId, true);
}

QString TrackingStore::experimentIdOfRun(const QString& runId, const QString& workspace) const
{
    d->requireRunInWorkspace(runId, workspace);
    const QVariant id = d->scalar(QStringLiteral("SELECT experiment_id FROM runs WHERE run_uuid = ?"), {runId});
    if (!id.isValid())
        throw runNotFound(runId);
    return QString::number(id.toLongLong());
}

QJsonObject TrackingStore::updateRun(const QString& runId, const std::optional<QString>& status,
                                     const std::optional<qint64>& endTime, const std::optional<QString>& runName,
                                     const QString& workspace)
{
    const QVariant newStatus = status ? QVariant(normalizeRunStatus(*status)) : QVariant();
    const QVariant newEndTime = endTime ? QVariant(*endTime) : QVariant();
    const bool rename = runName && !runName->isEmpty();
    {
        Private::Transaction transaction(*d);
        d->requireActiveRun(runId, workspace);
        d->write(QStringLiteral("UPDATE runs SET status = coalesce(?, status), end_time = coalesce(?, end_time) WHERE "
                                "run_uuid = ?"),
                 {newStatus, newEndTime, runId});
        if (rename)
            d->upsertRunTag(runId, kRunNameTag, *runName);
        transaction.commit();
    }
    const std::optional<QJsonObject> info = d->runInfo(runId);
    if (!info)
        throw runNotFound(runId);
    return *info;
}

void TrackingStore::deleteRun(const QString& runId, const QString& workspace)
{
    d->requireRunInWorkspace(runId, workspace);
    if (d->writeCountingRows(QStringLiteral("UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE run_uuid = ?"),
                             {kDeleted, nowMs(), runId}) == 0)
        throw runNotFound(runId);
}

void TrackingStore::restoreRun(const QString& runId, const QString& workspace)
{
    d->requireRunInWorkspace(runId, workspace);
    if (d->writeCountingRows(QStringLiteral("UPDATE runs SET lifecycle_stage = ?, deleted_time = NULL WHERE run_uuid "
                                            "= ?"),
                             {kActive, runId}) == 0)
        throw runNotFound(runId);
}

SearchPage TrackingStore::searchRuns(const QStringList& experimentIds, const SearchQuery& query,
                                     const QString& workspace) const
{
    validatePaging(query);
    const auto [firstStage, secondStage] = lifecycleStages(query.viewType);

    // Like MLflow's IN (...) on an integer column, ids that are not numbers simply match nothing.
    QVariantList ids;
    for (const QString& experimentId : experimentIds) {
        if (const std::optional<qint64> id = parseExperimentId(experimentId))
            ids.append(*id);
    }
    SqlPart where;
    if (ids.isEmpty()) {
        where.sql = QStringLiteral("0");
    } else {
        QStringList placeholders(ids.size(), QStringLiteral("?"));
        where.sql = QStringLiteral("r.experiment_id IN (%1)").arg(placeholders.join(QStringLiteral(", ")));
        where.values = ids;
    }
    where.sql += QStringLiteral(" AND r.lifecycle_stage IN (?, ?)");
    where.values << firstStage << secondStage;
    // Experiments of other workspaces contribute no runs (without workspaces there are no others).
    if (d->m_options.workspaces) {
        where.sql +=
            QStringLiteral(" AND r.experiment_id IN (SELECT experiment_id FROM experiments WHERE workspace = ?)");
        where.values << workspace;
    }

    static const QHash<QString, FilterColumn> filterColumns = {
        {QStringLiteral("status"), {QStringLiteral("r.status"), false}},
        {QStringLiteral("run_name"), {QStringLiteral("r.name"), false}},
        {QStringLiteral("run_id"), {QStringLiteral("r.run_uuid"), false}},
        {QStringLiteral("user_id"), {QStringLiteral("r.user_id"), false}},
        {QStringLiteral("artifact_uri"), {QStringLiteral("r.artifact_uri"), false}},
        {QStringLiteral("start_time"), {QStringLiteral("r.start_time"), true}},
        {QStringLiteral("created"), {QStringLiteral("r.start_time"), true}},
        {QStringLiteral("end_time"), {QStringLiteral("r.end_time"), true}},
    };
    for (const SearchFilter::Clause& clause : SearchFilter::parseFilter(query.filter)) {
        where.sql += QStringLiteral(" AND ");
        switch (clause.entity) {
        case Entity::Attribute:
            appendAttributeClause(where, query.filter, clause, filterColumns, QStringLiteral("runs"));
            break;
        case Entity::Metric: {
            const double value = doubleClauseValue(query.filter, clause, QStringLiteral("metric '%1'").arg(clause.key));
            where.sql += QStringLiteral("EXISTS (SELECT 1 FROM latest_metrics kv WHERE kv.run_uuid = r.run_uuid AND "
                                        "kv.key = ? AND kv.is_nan = 0 AND ");
            where.values.append(clause.key);
            appendNumericComparison(where, QStringLiteral("kv.value"), clause.comparator, value);
            where.sql += QLatin1Char(')');
            break;
        }
        case Entity::Param:
            appendKeyValueClause(where, query.filter, clause, QStringLiteral("params"), QStringLiteral("run_uuid"),
                                 QStringLiteral("r.run_uuid"));
            break;
        case Entity::Tag:
            appendKeyValueClause(where, query.filter, clause, QStringLiteral("tags"), QStringLiteral("run_uuid"),
                                 QStringLiteral("r.run_uuid"));
            break;
        }
    }

    static const QHash<QString, QString> orderColumns = {
        {QStringLiteral("start_time"), QStringLiteral("r.start_time")},
        {QStringLiteral("created"), QStringLiteral("r.start_time")},
        {QStringLiteral("end_time"), QStringLiteral("r.end_time")},
        {QStringLiteral("status"), QStringLiteral("r.status")},
        {QStringLiteral("run_name"), QStringLiteral("r.name")},
        {QStringLiteral("run_id"), QStringLiteral("r.run_uuid")},
        {QStringLiteral("user_id"), QStringLiteral("r.user_id")},
        {QStringLiteral("artifact_uri"), QStringLiteral("r.artifact_uri")},
    };
    QStringList orderBy = query.orderBy;
    orderBy.removeIf([](const QString& term) { return term.trimmed().isEmpty(); });
    // MLflow orders by start_time DESC after the requested keys unless start_time was one of them.
    bool hasStartTime = false;
    for (const QString& text : std::as_const(orderBy)) {
        const SearchFilter::OrderTerm term = SearchFilter::parseOrderBy(text);
        hasStartTime = hasStartTime || (term.entity == Entity::Attribute &&
                                        orderColumns.value(term.key) == QLatin1String("r.start_time"));
    }
    if (!hasStartTime)
        orderBy.append(QStringLiteral("attribute.start_time DESC"));
    const SqlPart order = orderByClause(
        orderBy,
        [](const SearchFilter::OrderTerm& term) {
            switch (term.entity) {
            case Entity::Attribute: {
                const auto found = orderColumns.constFind(term.key);
                if (found == orderColumns.constEnd()) {
                    throw MlflowError::invalidParameter(
                        QStringLiteral("Invalid order_by key '%1'. Runs can be ordered by start_time, end_time, "
                                       "status, run_name, run_id, user_id, artifact_uri, metrics.<key>, "
                                       "params.<key> or tags.<key>.")
                            .arg(term.key));
                }
                return OrderColumn{*found, false};
            }
            case Entity::Metric:
                return OrderColumn{QStringLiteral("(SELECT CASE WHEN o.is_nan THEN NULL ELSE o.value END FROM "
                                                  "latest_metrics o WHERE o.run_uuid = r.run_uuid AND o.key = ?)"),
                                   true};
            case Entity::Param:
                return OrderColumn{
                    QStringLiteral("(SELECT o.value FROM params o WHERE o.run_uuid = r.run_uuid AND o.key = ?)"), true};
            case Entity::Tag:
                return OrderColumn{
                    QStringLiteral("(SELECT o.value FROM tags o WHERE o.run_uuid = r.run_uuid AND o.key = ?)"), true};
            }
            return OrderColumn{};
        },
        {}, QStringLiteral("attribute.run_id"), QStringLiteral("r.run_uuid ASC"), true);

    QSqlQuery& statement =
        d->searchStatement(QStringLiteral("SELECT %1 FROM runs r WHERE %2 ORDER BY %3 LIMIT ? OFFSET ?")
                               .arg(kRunColumns, where.sql, order.sql));
    // Collect the infos first: the per-run data queries must not run while the search statement is open.
    SearchPage result = d->page<SearchPage>(statement, where.values + order.values, query, runInfoFromRow);
    QJsonArray runs;
    for (const QJsonValue& info : std::as_const(result.items)) {
        const QString runId = info.toObject().value(QLatin1String("run_id")).toString();
        runs.append(QJsonObject{{QStringLiteral("info"), info},
                                {QStringLiteral("data"), d->runData(runId)},
                                {QStringLiteral("inputs"), QJsonObject()}});
    }
    result.items = runs;
    return result;
}

void TrackingStore::logMetric(const QString& runId, const QString& key, double value, qint64 timestamp, qint64 step,
                              const QString& workspace)
{
    validateKeyName(QStringLiteral("metric"), key);
    Private::Transaction transaction(*d);
    d->requireActiveRun(runId, workspace);
    d->insertMetric(runId, key, value, timestamp, step);
    transaction.commit();
}

void TrackingStore::logParam(const QString& runId, const QString& key, const QString& value, const QString& workspace)
{
    validateKeyName(QStringLiteral("param"), key);
    Private::Transaction transaction(*d);
    d->requireActiveRun(runId, workspace);
    d->insertParam(runId, key, value);
    transaction.commit();
}

void TrackingStore::setRunTag(const QString& runId, const QString& key, const QString& value, const QString& workspace)
{
    validateKeyName(QStringLiteral("tag"), key);
    Private::Transaction transaction(*d);
    d->requireActiveRun(runId, workspace);
    d->upsertRunTag(runId, key, value);
    transaction.commit();
}

void TrackingStore::logBatch(const QString& runId, const QJsonArray& metrics, const QJsonArray& params,
                             const QJsonArray& tags, const QString& workspace)
{
    if (metrics.size() > kMaxMetricsPerBatch) {
        throw MlflowError::invalidParameter(
            QStringLiteral("A batch logging request can contain at most %1 metrics. Got %2 metrics. Please split up "
                           "metrics across multiple requests and try again.")
                .arg(QString::number(kMaxMetricsPerBatch), QString::number(metrics.size())));
    }
    if (params.size() > kMaxParamsTagsPerBatch || tags.size() > kMaxParamsTagsPerBatch) {
        const bool tooManyParams = params.size() > kMaxParamsTagsPerBatch;
        const QString kind = tooManyParams ? QStringLiteral("params") : QStringLiteral("tags");
        throw MlflowError::invalidParameter(
            QStringLiteral("A batch logging request can contain at most %1 %2. Got %3 %2. Please split up %2 across "
                           "multiple requests and try again.")
                .arg(QString::number(kMaxParamsTagsPerBatch), kind,
                     QString::number(tooManyParams ? params.size() : tags.size())));
    }
    const qsizetype total = metrics.size() + params.size() + tags.size();
    if (total > kMaxEntitiesPerBatch) {
        throw MlflowError::invalidParameter(
            QStringLiteral("A batch logging request can contain at most %1 metrics, params, and tags in total. Got %2 "
                           "total. Please split up the data across multiple requests and try again.")
                .arg(QString::number(kMaxEntitiesPerBatch), QString::number(total)));
    }

    struct MetricPoint
    {
        QString key;
        double value;
        qint64 timestamp;
        qint64 step;
    };
    QList<MetricPoint> points;
    points.reserve(metrics.size());
    for (const QJsonValue& item : metrics) {
        if (!item.isObject())
            throw MlflowError::invalidParameter(QStringLiteral("Invalid metric: expected an object."));
        const QJsonObject object = item.toObject();
        MetricPoint point;
        point.key = jsonText(object.value(QLatin1String("key")));
        validateKeyName(QStringLiteral("metric"), point.key);
        point.value = jsonDouble(object.value(QLatin1String("value")), QStringLiteral("value"));
        const std::optional<qint64> timestamp =
            jsonInt64(object.value(QLatin1String("timestamp")), QStringLiteral("timestamp"));
        if (!timestamp)
            throw MlflowError::missingParameter(QStringLiteral("timestamp"));
        point.timestamp = *timestamp;
        point.step = jsonInt64(object.value(QLatin1String("step")), QStringLiteral("step")).value_or(0);
        points.append(point);
    }
    const QList<KeyValue> paramList = keyValues(params, QStringLiteral("param"));
    const QList<KeyValue> tagList = keyValues(tags, QStringLiteral("tag"));
    QHash<QString, QString> paramValues;
    QStringList conflicting;
    for (const KeyValue& param : paramList) {
        const auto found = paramValues.constFind(param.key);
        if (found != paramValues.constEnd() && *found != param.value && !conflicting.contains(param.key))
            conflicting.append(param.key);
        paramValues.insert(param.key, param.value);
    }
    if (!conflicting.isEmpty()) {
        throw MlflowError::invalidParameter(
            QStringLiteral("Duplicate parameter keys have been submitted: [%1]. Please ensure the request contains "
                           "only one param value per param key.")
                .arg(conflicting.join(QStringLiteral(", "))));
    }

    Private::Transaction transaction(*d);
    d->requireActiveRun(runId, workspace);
    for (const KeyValue& param : paramList)
        d->insertParam(runId, param.key, param.value);
    for (const MetricPoint& point : std::as_const(points))
        d->insertMetric(runId, point.key, point.value, point.timestamp, point.step);
    for (const KeyValue& tag : tagList)
        d->upsertRunTag(runId, tag.key, tag.value);
    transaction.commit();
}

QJsonArray TrackingStore::metricHistory(const QString& runId, const QString& metricKey, const QString& workspace) const
{
    d->requireRunInWorkspace(runId, workspace);
    if (!d->scalar(QStringLiteral("SELECT 1 FROM runs WHERE run_uuid = ?"), {runId}).isValid())
        throw runNotFound(runId);
    QSqlQuery& query = d->statement(QStringLiteral("SELECT key, value, timestamp, step, is_nan FROM metrics WHERE "
                                                   "run_uuid = ? AND key = ? ORDER BY step, timestamp, value"));
    const Private::Finisher done(query);
    d->execute(query, {runId, metricKey});
    QJsonArray history;
    while (query.next()) {
        history.append(
            QJsonObject{{QStringLiteral("key"), query.value(0).toString()},
                        {QStringLiteral("value"), metricValueJson(query.value(1).toDouble(), query.value(4).toBool())},
                        {QStringLiteral("timestamp"), query.value(2).toLongLong()},
                        {QStringLiteral("step"), query.value(3).toLongLong()}});
    }
    return history;
}

// --- registered models

QJsonObject TrackingStore::createRegisteredModel(const QString& name, const QString& description,
                                                 const QJsonArray& tags, const QString& workspace,
                                                 const BeforeCommit& beforeCommit)
{
    validateModelName(name);
    const QList<KeyValue> tagList = keyValues(tags, QStringLiteral("tag"));
    {
        Private::Transaction transaction(*d);
        if (d->modelExists(name, workspace))
            throw modelAlreadyExists(name);
        const qint64 now = nowMs();
        d->write(QStringLiteral("INSERT INTO registered_models (workspace, name, creation_time, last_updated_time, "
                                "description) VALUES (?, ?, ?, ?, ?)"),
                 {workspace, name, now, now, description.isEmpty() ? QVariant() : QVariant(description)});
        for (const KeyValue& tag : tagList) {
            d->write(QStringLiteral("INSERT INTO registered_model_tags (workspace, name, key, value) VALUES (?, ?, ?, "
                                    "?) ON CONFLICT (workspace, name, key) DO UPDATE SET value = excluded.value"),
                     {workspace, name, tag.key, tag.value});
        }
        if (beforeCommit)
            beforeCommit(name);
        transaction.commit();
    }
    return registeredModel(name, workspace);
}

QJsonObject TrackingStore::registeredModel(const QString& name, const QString& workspace) const
{
    std::optional<QJsonObject> model = d->modelByName(name, workspace);
    if (!model)
        throw modelNotFound(name);
    return *model;
}

SearchPage TrackingStore::searchRegisteredModels(const SearchQuery& query, const QString& workspace) const
{
    validatePaging(query);
    static const QHash<QString, FilterColumn> filterColumns = {
        {QStringLiteral("name"), {QStringLiteral("m.name"), false}},
    };
    SqlPart where{QStringLiteral("m.workspace = ?"), {workspace}};
    // A model's tags are those of its name in its workspace, hence the second condition in the owner expression.
    appendAttributeAndTagClauses(where, query.filter, filterColumns, QStringLiteral("registered models"),
                                 {QStringLiteral("registered_model_tags"), QStringLiteral("name"),
                                  QStringLiteral("m.name AND kv.workspace = m.workspace")},
                                 QStringLiteral("name and tags"));
    static const QHash<QString, QString> orderColumns = {
        {QStringLiteral("name"), QStringLiteral("m.name")},
        {QStringLiteral("creation_timestamp"), QStringLiteral("m.creation_time")},
        {QStringLiteral("last_updated_timestamp"), QStringLiteral("m.last_updated_time")},
        {QStringLiteral("timestamp"), QStringLiteral("m.last_updated_time")},
    };
    const SqlPart order = orderByClause(
        query.orderBy,
        attributeOrder(orderColumns, QStringLiteral("Registered models"),
                       QStringLiteral("name, creation_timestamp or last_updated_timestamp")),
        {QStringLiteral("name ASC")}, QStringLiteral("attribute.name"), QStringLiteral("m.name ASC"), false);
    QSqlQuery& statement =
        d->searchStatement(QStringLiteral("SELECT %1 FROM registered_models m WHERE %2 ORDER BY %3 LIMIT ? OFFSET ?")
                               .arg(kModelColumns, where.sql, order.sql));
    return d->page<SearchPage>(statement, where.values + order.values, query, modelFromRow);
}

QJsonObject TrackingStore::renameRegisteredModel(const QString& name, const QString& newName, const QString& workspace,
                                                 const BeforeCommit& beforeCommit)
{
    validateModelName(newName);
    {
        Private::Transaction transaction(*d);
        if (!d->modelExists(name, workspace))
            throw modelNotFound(name);
        if (newName != name) {
            if (d->modelExists(newName, workspace))
                throw modelAlreadyExists(newName);
            d->write(QStringLiteral("UPDATE registered_models SET name = ?, last_updated_time = ? WHERE workspace = ? "
                                    "AND name = ?"),
                     {newName, nowMs(), workspace, name});
            d->write(QStringLiteral("UPDATE registered_model_tags SET name = ? WHERE workspace = ? AND name = ?"),
                     {newName, workspace, name});
        }
        if (beforeCommit)
            beforeCommit(newName);
        transaction.commit();
    }
    return registeredModel(newName, workspace);
}

void TrackingStore::deleteRegisteredModel(const QString& name, const QString& workspace,
                                          const BeforeCommit& beforeCommit)
{
    Private::Transaction transaction(*d);
    if (!d->modelExists(name, workspace))
        throw modelNotFound(name);
    d->write(QStringLiteral("DELETE FROM registered_model_tags WHERE workspace = ? AND name = ?"), {workspace, name});
    d->write(QStringLiteral("DELETE FROM registered_models WHERE workspace = ? AND name = ?"), {workspace, name});
    if (beforeCommit)
        beforeCommit(name);
    transaction.commit();
}

// --- page tokens

namespace PageToken {

QByteArray encode(qint64 offset)
{
    return (QByteArrayLiteral("{\"offset\": ") + QByteArray::number(offset) + '}').toBase64();
}

qint64 decode(const QByteArray& token)
{
    if (token.isEmpty())
        return 0;
    const QByteArray::FromBase64Result decoded =
        QByteArray::fromBase64Encoding(token, QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        throw MlflowError::invalidParameter(QStringLiteral("Invalid page token, could not base64-decode"));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(*decoded, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        throw MlflowError::invalidParameter(QStringLiteral("Invalid page token, could not parse JSON"));
    const QJsonValue offset = document.object().value(QLatin1String("offset"));
    // Python's int() in MLflow also takes the offset as a decimal string.
    std::optional<qint64> value;
    if (offset.isDouble()) {
        const double number = offset.toDouble();
        if (std::floor(number) == number && number >= 0 && number < 9.0e15)
            value = qint64(number);
    } else if (offset.isString()) {
        bool ok = false;
        const qint64 number = offset.toString().toLongLong(&ok);
        if (ok && number >= 0)
            value = number;
    }
    if (!value)
        throw MlflowError::invalidParameter(
            QStringLiteral("Invalid page token, offset must be a non-negative integer"));
    return *value;
}

} // namespace PageToken

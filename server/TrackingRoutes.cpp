#include "server/TrackingRoutes.h"

#include "server/JsonWriter.h"
#include "server/MlflowError.h"
#include "server/Policy.h"
#include "server/RequestParams.h"
#include "server/TrackingStore.h"

#include <QDateTime>
#include <QJsonArray>

namespace {

constexpr int maxSearchResults = 50000;

RequestParams params(const RequestContext& context)
{
    return RequestParams::forTracking(context.request);
}

// MLflow reads run_id and falls back to the deprecated run_uuid.
QString runId(const RequestParams& p)
{
    if (const std::optional<QString> id = p.optionalString(QStringLiteral("run_id")); id && !id->isEmpty())
        return *id;
    if (const std::optional<QString> id = p.optionalString(QStringLiteral("run_uuid")); id && !id->isEmpty())
        return *id;
    throw MlflowError::missingParameter(QStringLiteral("run_id"));
}

ViewType viewType(const RequestParams& p, const QString& name)
{
    const QJsonValue value = p.value(name);
    if (value.isUndefined() || value.isNull())
        return ViewType::ActiveOnly;
    const QString text = value.isDouble() ? QString::number(value.toInt()) : value.toString();
    if (text == QLatin1String("ACTIVE_ONLY") || text == QLatin1String("1"))
        return ViewType::ActiveOnly;
    if (text == QLatin1String("DELETED_ONLY") || text == QLatin1String("2"))
        return ViewType::DeletedOnly;
    if (text == QLatin1String("ALL") || text == QLatin1String("3"))
        return ViewType::All;
    throw MlflowError::invalidParameter(
        QStringLiteral("Invalid value '%1' for parameter '%2'. Use ACTIVE_ONLY, DELETED_ONLY or ALL.").arg(text, name));
}

SearchQuery searchQuery(const RequestParams& p, int defaultMaxResults, int maxAllowed, const QString& viewTypeName)
{
    SearchQuery query;
    const qint64 maxResults = p.int64(QStringLiteral("max_results"), defaultMaxResults);
    if (maxResults < 1)
        throw MlflowError::invalidParameter(
            QStringLiteral("Invalid value for request parameter max_results. It must be a positive integer, but got %1")
                .arg(maxResults));
    if (maxResults > maxAllowed)
        throw MlflowError::invalidParameter(
            QStringLiteral("Invalid value for request parameter max_results. It must be at most %1, but got value %2")
                .arg(maxAllowed)
                .arg(maxResults));
    query.maxResults = static_cast<int>(maxResults);
    query.filter = p.optionalString(QStringLiteral("filter")).value_or(QString());
    query.orderBy = p.stringList(QStringLiteral("order_by"));
    query.viewType = viewType(p, viewTypeName);
    query.offset = PageToken::decode(p.optionalString(QStringLiteral("page_token")).value_or(QString()).toLatin1());
    return query;
}

bool isKept(const QJsonValue& item)
{
    return !item.isNull();
}

bool isKept(const std::optional<ExperimentRecord>& item)
{
    return item.has_value();
}

// mlflow.server.auth.filter_search_experiments / filter_search_registered_models: drop what the user cannot read,
// then keep fetching further pages until the page is full or the data ends; the token then points past everything
// scanned. `search` answers one page (SearchPage or ExperimentPage) of the store.
template <typename Search>
auto filteredSearch(const RequestContext& context, ResourceKind kind, SearchQuery query, const Search& search)
{
    using Page = decltype(search(query));
    if (context.user.isAdmin)
        return search(query);
    const Policy::ReadableSet readable = context.policy.readable(context, kind);
    // The store hands back rows the user cannot read as empty items, without building them.
    query.keep = [&readable](const QString& id) {
        return readable.contains(id);
    };
    Page page = search(query);
    decltype(Page::items) kept;
    const auto keepReadable = [&kept](const decltype(Page::items)& items, qsizetype count) {
        for (qsizetype i = 0; i < count; ++i) {
            if (isKept(items.at(i)))
                kept.append(items.at(i));
        }
    };
    keepReadable(page.items, page.items.size());
    std::optional<qint64> nextOffset = page.nextOffset;
    while (kept.size() < query.maxResults && nextOffset) {
        SearchQuery refill = query;
        refill.offset = *nextOffset;
        const Page more = search(refill);
        const qsizetype wanted = query.maxResults - kept.size();
        const qsizetype taken = std::min(wanted, more.items.size());
        if (taken == 0) {
            nextOffset.reset();
            break;
        }
        keepReadable(more.items, taken);
        nextOffset = *nextOffset + taken;
    }
    page.items = kept;
    page.nextOffset = nextOffset;
    return page;
}

QString pageToken(qint64 offset)
{
    return QString::fromLatin1(PageToken::encode(offset));
}

// MLflow 3.x runs always carry "inputs" (dataset and model inputs), empty here; 2.15.1's omit it when empty.
QJsonObject runJson(const RequestContext& context, QJsonObject run)
{
    if (context.state.dialect.isMlflow3() && !run.contains(QStringLiteral("inputs")))
        run.insert(QStringLiteral("inputs"), QJsonObject());
    return run;
}

// --- experiments

HttpResponse createExperiment(const RequestContext& context)
{
    const RequestParams p = params(context);
    const QString name = p.requiredString(QStringLiteral("name"));
    const QString artifactLocation = p.optionalString(QStringLiteral("artifact_location")).value_or(QString());
    // With workspaces MLflow places every experiment under its workspace's artifact root.
    if (context.state.dialect.workspaces && !artifactLocation.isEmpty())
        throw MlflowError::invalidParameter(
            QStringLiteral("artifact_location cannot be specified when workspaces are enabled"));
    const QString id = context.state.tracking->createExperiment(
        name, artifactLocation, p.array(QStringLiteral("tags")), context.workspace,
        [&context](const QString& newId) { context.policy.resourceCreated(context, ResourceKind::Experiment, newId); });
    return HttpResponse::jsonObject({{QStringLiteral("experiment_id"), id}});
}

HttpResponse getExperiment(const RequestContext& context)
{
    const QString id = params(context).requiredString(QStringLiteral("experiment_id"));
    return HttpResponse::jsonObject(
        {{QStringLiteral("experiment"), context.state.tracking->experiment(id, context.workspace)}});
}

HttpResponse getExperimentByName(const RequestContext& context)
{
    const QString name = params(context).requiredString(QStringLiteral("experiment_name"));
    const std::optional<QJsonObject> experiment = context.state.tracking->experimentByName(name, context.workspace);
    if (!experiment)
        throw MlflowError::notFound(QStringLiteral("Could not find experiment with name '%1'").arg(name));
    return HttpResponse::jsonObject({{QStringLiteral("experiment"), *experiment}});
}

HttpResponse searchExperiments(const RequestContext& context)
{
    const SearchQuery query = searchQuery(params(context), 0, maxSearchResults, QStringLiteral("view_type"));
    TrackingStore* store = context.state.tracking;
    const QString workspace = context.workspace;
    const ExperimentPage page =
        filteredSearch(context, ResourceKind::Experiment, query,
                       [store, workspace](const SearchQuery& q) { return store->searchExperiments(q, workspace); });
    // The busiest list endpoint: written straight from the rows (JsonWriter), keys sorted like jsonify's.
    JsonWriter out;
    out.beginObject();
    if (!page.items.isEmpty()) {
        out.key(QLatin1String("experiments")).beginArray();
        for (const std::optional<ExperimentRecord>& experiment : page.items)
            experiment->writeJson(out);
        out.endArray();
    }
    if (page.nextOffset)
        out.member(QLatin1String("next_page_token"), pageToken(*page.nextOffset));
    out.endObject();
    return HttpResponse::json(out.take());
}

HttpResponse updateExperiment(const RequestContext& context)
{
    const RequestParams p = params(context);
    const QString id = p.requiredString(QStringLiteral("experiment_id"));
    if (const std::optional<QString> newName = p.optionalString(QStringLiteral("new_name")))
        context.state.tracking->renameExperiment(id, *newName, context.workspace);
    return HttpResponse::jsonObject({});
}

HttpResponse deleteExperiment(const RequestContext& context)
{
    context.state.tracking->deleteExperiment(params(context).requiredString(QStringLiteral("experiment_id")),
                                             context.workspace);
    return HttpResponse::jsonObject({});
}

HttpResponse restoreExperiment(const RequestContext& context)
{
    context.state.tracking->restoreExperiment(params(context).requiredString(QStringLiteral("experiment_id")),
                                              context.workspace);
    return HttpResponse::jsonObject({});
}

HttpResponse setExperimentTag(const RequestContext& context)
{
    const RequestParams p = params(context);
    context.state.tracking->setExperimentTag(p.requiredString(QStringLiteral("experiment_id")),
                                             p.requiredString(QStringLiteral("key")),
                                             p.requiredString(QStringLiteral("value")), context.workspace);
    return HttpResponse::jsonObject({});
}

// --- runs

HttpResponse createRun(const RequestContext& context)
{
    const RequestParams p = params(context);
    const QString experimentId = p.requiredString(QStringLiteral("experiment_id"));
    const qint64 startTime =
        p.optionalInt64(QStringLiteral("start_time")).value_or(QDateTime::currentMSecsSinceEpoch());
    const QJsonObject run =
        context.state.tracking->createRun(experimentId, p.optionalString(QStringLiteral("user_id")).value_or(QString()),
                                          startTime, p.optionalString(QStringLiteral("run_name")).value_or(QString()),
                                          p.array(QStringLiteral("tags")), context.workspace);
    return HttpResponse::jsonObject({{QStringLiteral("run"), runJson(context, run)}});
}

HttpResponse getRun(const RequestContext& context)
{
    return HttpResponse::jsonObject(
        {{QStringLiteral("run"),
          runJson(context, context.state.tracking->run(runId(params(context)), context.workspace))}});
}

HttpResponse updateRun(const RequestContext& context)
{
    const RequestParams p = params(context);
    const QJsonObject info = context.state.tracking->updateRun(
        runId(p), p.optionalString(QStringLiteral("status")), p.optionalInt64(QStringLiteral("end_time")),
        p.optionalString(QStringLiteral("run_name")), context.workspace);
    return HttpResponse::jsonObject({{QStringLiteral("run_info"), info}});
}

HttpResponse deleteRun(const RequestContext& context)
{
    context.state.tracking->deleteRun(runId(params(context)), context.workspace);
    return HttpResponse::jsonObject({});
}

HttpResponse restoreRun(const RequestContext& context)
{
    context.state.tracking->restoreRun(runId(params(context)), context.workspace);
    return HttpResponse::jsonObject({});
}

HttpResponse searchRuns(const RequestContext& context)
{
    const RequestParams p = params(context);
    const SearchQuery query = searchQuery(p, 1000, maxSearchResults, QStringLiteral("run_view_type"));
    QStringList experimentIds = p.stringList(QStringLiteral("experiment_ids"));
    QJsonObject response;
    if (!context.user.isAdmin) {
        const bool asked = !experimentIds.isEmpty();
        experimentIds = context.policy.searchableExperimentIds(context, experimentIds);
        // Nothing readable among the requested experiments: nothing to find (an empty list would mean "all").
        if (asked && experimentIds.isEmpty())
            return HttpResponse::jsonObject(response);
    }
    const SearchPage page = context.state.tracking->searchRuns(experimentIds, query, context.workspace);
    if (!page.items.isEmpty())
        response.insert(QStringLiteral("runs"), page.items);
    if (page.nextOffset)
        response.insert(QStringLiteral("next_page_token"), pageToken(*page.nextOffset));
    return HttpResponse::jsonObject(response);
}

HttpResponse logMetric(const RequestContext& context)
{
    const RequestParams p = params(context);
    const QString id = runId(p);
    const QString key = p.requiredString(QStringLiteral("key"));
    const double value = p.requiredDouble(QStringLiteral("value"));
    const std::optional<qint64> timestamp = p.optionalInt64(QStringLiteral("timestamp"));
    if (!timestamp)
        throw MlflowError::missingParameter(QStringLiteral("timestamp"));
    context.state.tracking->logMetric(id, key, value, *timestamp, p.int64(QStringLiteral("step"), 0),
                                      context.workspace);
    return HttpResponse::jsonObject({});
}

HttpResponse logParameter(const RequestContext& context)
{
    const RequestParams p = params(context);
    context.state.tracking->logParam(runId(p), p.requiredString(QStringLiteral("key")),
                                     p.requiredString(QStringLiteral("value")), context.workspace);
    return HttpResponse::jsonObject({});
}

HttpResponse setRunTag(const RequestContext& context)
{
    const RequestParams p = params(context);
    context.state.tracking->setRunTag(runId(p), p.requiredString(QStringLiteral("key")),
                                      p.requiredString(QStringLiteral("value")), context.workspace);
    return HttpResponse::jsonObject({});
}

HttpResponse logBatch(const RequestContext& context)
{
    const RequestParams p = params(context);
    context.state.tracking->logBatch(runId(p), p.array(QStringLiteral("metrics")), p.array(QStringLiteral("params")),
                                     p.array(QStringLiteral("tags")), context.workspace);
    return HttpResponse::jsonObject({});
}

HttpResponse metricHistory(const RequestContext& context)
{
    const RequestParams p = params(context);
    const QJsonArray metrics = context.state.tracking->metricHistory(
        runId(p), p.requiredString(QStringLiteral("metric_key")), context.workspace);
    QJsonObject response;
    if (!metrics.isEmpty())
        response.insert(QStringLiteral("metrics"), metrics);
    return HttpResponse::jsonObject(response);
}

// --- registered models

HttpResponse createRegisteredModel(const RequestContext& context)
{
    const RequestParams p = params(context);
    const QString name = p.requiredString(QStringLiteral("name"));
    const QJsonObject model = context.state.tracking->createRegisteredModel(
        name, p.optionalString(QStringLiteral("description")).value_or(QString()), p.array(QStringLiteral("tags")),
        context.workspace, [&context](const QString& created) {
            context.policy.resourceCreated(context, ResourceKind::RegisteredModel, created);
        });
    return HttpResponse::jsonObject({{QStringLiteral("registered_model"), model}});
}

HttpResponse getRegisteredModel(const RequestContext& context)
{
    const QString name = params(context).requiredString(QStringLiteral("name"));
    return HttpResponse::jsonObject(
        {{QStringLiteral("registered_model"), context.state.tracking->registeredModel(name, context.workspace)}});
}

HttpResponse searchRegisteredModels(const RequestContext& context)
{
    const SearchQuery query = searchQuery(params(context), 100, 1000, QStringLiteral("view_type"));
    TrackingStore* store = context.state.tracking;
    const QString workspace = context.workspace;
    const SearchPage page =
        filteredSearch(context, ResourceKind::RegisteredModel, query, [store, workspace](const SearchQuery& q) {
            return store->searchRegisteredModels(q, workspace);
        });
    QJsonObject response;
    if (!page.items.isEmpty())
        response.insert(QStringLiteral("registered_models"), page.items);
    if (page.nextOffset)
        response.insert(QStringLiteral("next_page_token"), pageToken(*page.nextOffset));
    return HttpResponse::jsonObject(response);
}

// The dialect's policy moves the grants along (see AccessPolicy / RbacPolicy), inside the store's transaction: a
// grant that cannot be written rolls the model change back. Only a failing COMMIT after the grants were written
// could split the two databases, and BEGIN IMMEDIATE already holds the write lock, so that is a disk failure.
HttpResponse renameRegisteredModel(const RequestContext& context)
{
    const RequestParams p = params(context);
    const QString name = p.requiredString(QStringLiteral("name"));
    const QString newName = p.requiredString(QStringLiteral("new_name"));
    const QJsonObject model = context.state.tracking->renameRegisteredModel(
        name, newName, context.workspace,
        [&context, &name](const QString& renamed) { context.policy.registeredModelRenamed(context, name, renamed); });
    return HttpResponse::jsonObject({{QStringLiteral("registered_model"), model}});
}

HttpResponse deleteRegisteredModel(const RequestContext& context)
{
    const QString name = params(context).requiredString(QStringLiteral("name"));
    context.state.tracking->deleteRegisteredModel(name, context.workspace, [&context](const QString& deleted) {
        context.policy.registeredModelDeleted(context, deleted);
    });
    return HttpResponse::jsonObject({});
}

void addRoute(RouteTable& routes, const QByteArray& method, const QString& endpoint, RouteHandler handler)
{
    routes.add(method, apiPrefix + endpoint, handler);
    routes.add(method, ajaxApiPrefix + endpoint, std::move(handler));
}

} // namespace

namespace TrackingRoutes {

void registerAll(RouteTable& routes, const Dialect& dialect)
{
    // The MLflow release whose behaviour this server reproduces; clients pick the API generation from it.
    if (dialect.isMlflow3()) {
        routes.add("GET", QStringLiteral("/version"),
                   [](const RequestContext&) { return HttpResponse::html("3.14.1.dev0", 200); });
        // 3.x serves its web UI at / to every signed-in user; this server has none, and says so.
        routes.add("GET", QStringLiteral("/"), [](const RequestContext&) {
            return HttpResponse::text("This MLflow-compatible server (mlflow-admin) has no web UI. Use the REST API "
                                      "under /api/2.0/mlflow/ and /api/3.0/mlflow/, or the mlflow-admin console.\n",
                                      200, "text/plain; charset=utf-8");
        });
    } else {
        routes.add("GET", QStringLiteral("/version"), [](const RequestContext&) {
            return HttpResponse::text("2.15.1", 200, "text/plain; charset=utf-8");
        });
    }
    addRoute(routes, "POST", QStringLiteral("experiments/create"), createExperiment);
    addRoute(routes, "GET", QStringLiteral("experiments/get"), getExperiment);
    addRoute(routes, "GET", QStringLiteral("experiments/get-by-name"), getExperimentByName);
    addRoute(routes, "GET", QStringLiteral("experiments/search"), searchExperiments);
    addRoute(routes, "POST", QStringLiteral("experiments/search"), searchExperiments);
    addRoute(routes, "POST", QStringLiteral("experiments/update"), updateExperiment);
    addRoute(routes, "POST", QStringLiteral("experiments/delete"), deleteExperiment);
    addRoute(routes, "POST", QStringLiteral("experiments/restore"), restoreExperiment);
    addRoute(routes, "POST", QStringLiteral("experiments/set-experiment-tag"), setExperimentTag);

    addRoute(routes, "POST", QStringLiteral("runs/create"), createRun);
    addRoute(routes, "GET", QStringLiteral("runs/get"), getRun);
    addRoute(routes, "POST", QStringLiteral("runs/update"), updateRun);
    addRoute(routes, "POST", QStringLiteral("runs/delete"), deleteRun);
    addRoute(routes, "POST", QStringLiteral("runs/restore"), restoreRun);
    addRoute(routes, "POST", QStringLiteral("runs/search"), searchRuns);
    addRoute(routes, "POST", QStringLiteral("runs/log-metric"), logMetric);
    addRoute(routes, "POST", QStringLiteral("runs/log-parameter"), logParameter);
    addRoute(routes, "POST", QStringLiteral("runs/set-tag"), setRunTag);
    addRoute(routes, "POST", QStringLiteral("runs/log-batch"), logBatch);
    addRoute(routes, "GET", QStringLiteral("metrics/get-history"), metricHistory);

    addRoute(routes, "POST", QStringLiteral("registered-models/create"), createRegisteredModel);
    addRoute(routes, "GET", QStringLiteral("registered-models/get"), getRegisteredModel);
    addRoute(routes, "GET", QStringLiteral("registered-models/search"), searchRegisteredModels);
    addRoute(routes, "POST", QStringLiteral("registered-models/rename"), renameRegisteredModel);
    addRoute(routes, "DELETE", QStringLiteral("registered-models/delete"), deleteRegisteredModel);
}

} // namespace TrackingRoutes

#pragma once

#include "api/ApiJob.h"
#include "api/WireTypes.h"

#include <QObject>
#include <QPointer>

class Connection;

using ExperimentListJob = ValueJob<QList<Experiment>>;
using RegisteredModelListJob = ValueJob<QList<RegisteredModel>>;

// The tracking searches the console needs, each collecting every page before it finishes.
class TrackingApi : public QObject
{
    Q_OBJECT

public:
    explicit TrackingApi(Connection* connection, QObject* parent = nullptr);

    // POST experiments/search, page after page. `filter` is MLflow's search syntax (e.g. "name LIKE '/user1/%'").
    // MLflow accepts 1..50000 per page. 5,000 a page: 20,000 experiments came in 21 round trips at 1,000, each
    // waiting behind the others on a busy server; a page of 5,000 is about 1.5 MB, parsed in tens of milliseconds.
    ExperimentListJob* searchExperiments(ViewType viewType = ViewType::ActiveOnly, const QString& filter = QString(),
                                         int pageSize = 5000);
    // GET registered-models/search?max_results=...&page_token=..., page after page (MLflow allows up to 1000).
    RegisteredModelListJob* searchRegisteredModels(const QString& filter = QString(), int pageSize = 1000);

    static QString viewTypeName(ViewType viewType);
    // The filter for "name contains `text`" (case-sensitive, as MLflow's LIKE). MLflow's LIKE has no escape
    // character, so % and _ in `text` stay wildcards, which can only widen the match.
    static QString nameContainsFilter(const QString& text);

private:
    QPointer<Connection> m_connection;
};

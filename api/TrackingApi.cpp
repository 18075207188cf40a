#include "api/TrackingApi.h"

#include "api/Connection.h"
#include "api/JobChain.h"

#include <QJsonArray>

#include <algorithm>
#include <memory>

namespace {

// Reads one search page: the items under `listKey` (absent on an empty page, which MLflow sends as {}) are appended
// to `items`, and MLflow's next token is handed back.
template <typename Item>
auto pageCollector(std::shared_ptr<QList<Item>> items, QLatin1String listKey)
{
    return [items, listKey](const ApiReply* reply, QString* next, ApiError*) {
        const QJsonArray page = reply->json().value(listKey).toArray();
        for (const QJsonValue& value : page) {
            if (const auto item = Item::fromJson(value.toObject()))
                items->append(*item);
        }
        *next = reply->json().value(QLatin1String("next_page_token")).toString();
        return true;
    };
}

} // namespace

TrackingApi::TrackingApi(Connection* connection, QObject* parent) : QObject(parent), m_connection(connection) {}

QString TrackingApi::viewTypeName(ViewType viewType)
{
    switch (viewType) {
    case ViewType::ActiveOnly:
        break;
    case ViewType::DeletedOnly:
        return QStringLiteral("DELETED_ONLY");
    case ViewType::All:
        return QStringLiteral("ALL");
    }
    return QStringLiteral("ACTIVE_ONLY");
}

// MLflow strips the quotes of a value without unescaping it (no '' or \' inside), so a quote in the text is avoided
// rather than escaped: double quotes when the text has only single ones, and when it has both, each single quote
// becomes _, the one-character wildcard, which still matches it.
QString TrackingApi::nameContainsFilter(const QString& text)
{
    const QChar single = u'\'';
    const QChar quote = text.contains(single) && !text.contains(u'"') ? QChar(u'"') : single;
    QString value = text;
    if (quote == single)
        value.replace(single, u'_');
    return QStringLiteral("name LIKE ") + quote + QLatin1Char('%') + value + QLatin1Char('%') + quote;
}

ExperimentListJob* TrackingApi::searchExperiments(ViewType viewType, const QString& filter, int pageSize)
{
    auto* job = new ExperimentListJob(m_connection);
    auto items = std::make_shared<QList<Experiment>>();
    const int maxResults = std::clamp(pageSize, 1, 50000);
    QPointer<Connection> connection = m_connection;
    auto* walker = new JobChain::PageWalker(
        job,
        [connection, viewType, filter, maxResults](const QString& token) {
            // max_results must be sent: MLflow reads an absent value as 0 and answers 400.
            QJsonObject body{{QStringLiteral("max_results"), maxResults},
                             {QStringLiteral("view_type"), viewTypeName(viewType)}};
            if (!filter.isEmpty())
                body.insert(QStringLiteral("filter"), filter);
            if (!token.isEmpty())
                body.insert(QStringLiteral("page_token"), token);
            return connection->post(QStringLiteral("/api/2.0/mlflow/experiments/search"), body);
        },
        pageCollector(items, QLatin1String("experiments")));
    walker->setDone([job, items] { job->succeed(std::move(*items)); });
    walker->fetch(QString());
    return job;
}

RegisteredModelListJob* TrackingApi::searchRegisteredModels(const QString& filter, int pageSize)
{
    auto* job = new RegisteredModelListJob(m_connection);
    auto items = std::make_shared<QList<RegisteredModel>>();
    const int maxResults = std::clamp(pageSize, 1, 1000);
    QPointer<Connection> connection = m_connection;
    auto* walker = new JobChain::PageWalker(
        job,
        [connection, filter, maxResults](const QString& token) {
            QUrlQuery query;
            query.addQueryItem(QStringLiteral("max_results"), QString::number(maxResults));
            if (!filter.isEmpty())
                query.addQueryItem(QStringLiteral("filter"), filter);
            if (!token.isEmpty())
                query.addQueryItem(QStringLiteral("page_token"), token);
            return connection->get(QStringLiteral("/api/2.0/mlflow/registered-models/search"), query);
        },
        pageCollector(items, QLatin1String("registered_models")));
    walker->setDone([job, items] { job->succeed(std::move(*items)); });
    walker->fetch(QString());
    return job;
}

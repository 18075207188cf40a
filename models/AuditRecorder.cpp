#include "models/AuditRecorder.h"

#include <QJsonArray>

AuditRecorder::AuditRecorder(const AuditActor& actor, const QString& filePath, QObject* parent)
    : QObject(parent), m_actor(actor), m_trail(filePath)
{}

void AuditRecorder::observe(ChangeSet* changes)
{
    connect(changes, &ChangeSet::applied, this, [this](const ApplySummary& summary) { record(summary.results); });
}

QJsonObject AuditRecorder::actorFields(const QString& origin) const
{
    QJsonObject entry;
    entry.insert(QStringLiteral("server"), m_actor.serverUrl);
    if (!m_actor.workspace.isEmpty())
        entry.insert(QStringLiteral("workspace"), m_actor.workspace);
    entry.insert(QStringLiteral("local_account"), m_actor.localAccount);
    entry.insert(QStringLiteral("mlflow_account"), m_actor.mlflowAccount);
    entry.insert(QStringLiteral("origin"), origin.isEmpty() ? m_actor.origin : origin);
    return entry;
}

QJsonObject AuditRecorder::entryFor(const ChangeResult& result, const QString& origin) const
{
    QJsonObject entry = actorFields(origin);
    const ChangeFacts& facts = result.facts;
    entry.insert(QStringLiteral("kind"), facts.kind);
    QJsonObject subject;
    auto put = [&subject](const char* key, const QString& value) {
        if (!value.isEmpty())
            subject.insert(QLatin1String(key), value);
    };
    put("user", facts.username);
    put("resource_type", facts.resourceType);
    put("resource_id", facts.resourceId);
    put("resource_name", facts.resourceName);
    put("role", facts.role);
    put("role_workspace", facts.workspace);
    entry.insert(QStringLiteral("subject"), subject);
    entry.insert(QStringLiteral("before"), facts.before);
    entry.insert(QStringLiteral("after"), facts.after);
    entry.insert(QStringLiteral("description"), result.description);
    entry.insert(QStringLiteral("result"), result.ok()          ? QStringLiteral("applied")
                                           : result.halfApplied ? QStringLiteral("half-applied")
                                                                : QStringLiteral("failed"));
    if (!result.ok())
        entry.insert(QStringLiteral("error"), result.error.userMessage());
    QJsonArray calls;
    for (const CallOutcome& call : result.calls) {
        QJsonObject object{{QStringLiteral("call"), call.description},
                           {QStringLiteral("request"), call.request},
                           {QStringLiteral("status"), call.httpStatus},
                           {QStringLiteral("sent"), call.sent}};
        if (!call.error.isEmpty())
            object.insert(QStringLiteral("error"), call.error);
        calls.append(object);
    }
    entry.insert(QStringLiteral("calls"), calls);
    return entry;
}

bool AuditRecorder::record(const QList<ChangeResult>& results, const QString& origin)
{
    QList<QJsonObject> entries;
    for (const ChangeResult& result : results)
        entries.append(entryFor(result, origin));
    return write(entries);
}

bool AuditRecorder::recordCampaign(const QJsonObject& campaign)
{
    QJsonObject entry = actorFields(tr("review campaign %1").arg(campaign.value(QLatin1String("id")).toString()));
    entry.insert(QStringLiteral("kind"), QStringLiteral("review.campaign"));
    entry.insert(QStringLiteral("subject"),
                 QJsonObject{{QStringLiteral("campaign"), campaign.value(QLatin1String("id")).toString()}});
    entry.insert(QStringLiteral("result"), QStringLiteral("finished"));
    entry.insert(QStringLiteral("campaign"), campaign);
    return write({entry});
}

bool AuditRecorder::write(const QList<QJsonObject>& entries)
{
    if (entries.isEmpty())
        return true;
    QString error;
    if (!m_trail.append(entries, &error)) {
        m_lastError = error;
        ++m_failures;
        emit failed(error);
        return false;
    }
    emit recorded(static_cast<int>(entries.size()));
    return true;
}

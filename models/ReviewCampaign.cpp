#include "models/ReviewCampaign.h"

#include "models/ChangeSet.h"
#include "models/Directory.h"

#include <QJsonArray>
#include <QUuid>

ReviewCampaign::ReviewCampaign(Directory* directory, ChangeSet* changeSet, ScopeKind scope, const QString& value,
                               const QString& reviewer, QObject* parent)
    : QObject(parent), m_directory(directory), m_changeSet(changeSet), m_scope(scope), m_scopeValue(value),
      m_reviewer(reviewer), m_started(QDateTime::currentDateTimeUtc())
{
    // Short enough to say aloud, unique enough for one machine's trail.
    m_id = m_started.toString(QStringLiteral("yyyyMMdd-HHmmss-")) + QUuid::createUuid().toString(QUuid::Id128).left(6);
    collect();
}

void ReviewCampaign::collect()
{
    for (int row = 0; row < m_directory->userCount(); ++row) {
        const QString username = m_directory->userAt(row).username;
        if (m_scope == ScopeKind::User && username != m_scopeValue)
            continue;
        for (ResourceType type : {ResourceType::Experiment, ResourceType::RegisteredModel}) {
            if (m_scope == ScopeKind::Experiment && type != ResourceType::Experiment)
                continue;
            for (const Grant& grant : m_directory->grantsOf(username, type)) {
                if (m_scope == ScopeKind::Experiment && grant.resourceId != m_scopeValue)
                    continue;
                Item item;
                item.username = username;
                item.type = type;
                item.resourceId = grant.resourceId;
                const int resourceRow = m_directory->resourceRow(type, grant.resourceId);
                item.resourceName =
                    resourceRow >= 0 ? m_directory->resourceNameAt(type, resourceRow) : grant.resourceId;
                item.level = grant.level;
                m_items.append(item);
            }
        }
    }
}

QString ReviewCampaign::scopeText() const
{
    switch (m_scope) {
    case ScopeKind::User:
        return tr("user %1").arg(m_scopeValue);
    case ScopeKind::Experiment: {
        const int row = m_directory ? m_directory->experimentRow(m_scopeValue) : -1;
        return tr("experiment %1").arg(row >= 0 ? m_directory->experimentAt(row).name : m_scopeValue);
    }
    case ScopeKind::All:
        break;
    }
    return tr("all explicit grants");
}

int ReviewCampaign::decidedCount() const
{
    return static_cast<int>(std::count_if(m_items.cbegin(), m_items.cend(),
                                          [](const Item& item) { return item.decision != Decision::Undecided; }));
}

int ReviewCampaign::revokeCount() const
{
    return static_cast<int>(std::count_if(m_items.cbegin(), m_items.cend(),
                                          [](const Item& item) { return item.decision == Decision::Revoke; }));
}

void ReviewCampaign::setCurrent(int index)
{
    if (index < 0 || index >= count() || index == m_current)
        return;
    m_current = index;
    emit currentChanged(m_current);
}

bool ReviewCampaign::next()
{
    if (m_current + 1 >= count())
        return false;
    setCurrent(m_current + 1);
    return true;
}

bool ReviewCampaign::previous()
{
    if (m_current <= 0)
        return false;
    setCurrent(m_current - 1);
    return true;
}

bool ReviewCampaign::decide(Decision decision)
{
    if (!decide(m_current, decision))
        return false;
    for (int index = m_current + 1; index < count(); ++index) {
        if (m_items.at(index).decision == Decision::Undecided) {
            setCurrent(index);
            break;
        }
    }
    return true;
}

bool ReviewCampaign::decide(int index, Decision decision)
{
    if (isFinished() || index < 0 || index >= count())
        return false;
    Item& item = m_items[index];
    item.decision = decision;
    item.decidedAt = decision == Decision::Undecided ? QDateTime() : QDateTime::currentDateTimeUtc();
    emit changed();
    return true;
}

bool ReviewCampaign::finish()
{
    if (isFinished() || !m_changeSet || m_changeSet->isApplying())
        return false;
    QList<GrantCell> revokes;
    for (const Item& item : std::as_const(m_items)) {
        if (item.decision == Decision::Revoke)
            revokes.append(GrantCell{item.username, ResourceKey{item.type, item.resourceId}});
    }
    if (!revokes.isEmpty() && !m_changeSet->stageGrants(revokes, std::nullopt))
        return false;
    m_finished = QDateTime::currentDateTimeUtc();
    emit changed();
    emit finished();
    return true;
}

QString ReviewCampaign::decisionName(Decision decision)
{
    switch (decision) {
    case Decision::Keep:
        return QStringLiteral("keep");
    case Decision::Revoke:
        return QStringLiteral("revoke");
    case Decision::Undecided:
        break;
    }
    return QStringLiteral("undecided");
}

QJsonObject ReviewCampaign::toJson() const
{
    QJsonArray decisions;
    for (const Item& item : m_items) {
        QJsonObject object{{QStringLiteral("user"), item.username},
                           {QStringLiteral("resource_type"), Resources::wireName(item.type)},
                           {QStringLiteral("resource_id"), item.resourceId},
                           {QStringLiteral("resource_name"), item.resourceName},
                           {QStringLiteral("level"), Permissions::name(item.level)},
                           {QStringLiteral("decision"), decisionName(item.decision)}};
        if (item.decidedAt.isValid())
            object.insert(QStringLiteral("decided_at"), item.decidedAt.toString(Qt::ISODateWithMs));
        decisions.append(object);
    }
    static const char* const scopes[] = {"all", "user", "experiment"};
    QJsonObject scope{{QStringLiteral("kind"), QLatin1String(scopes[static_cast<int>(m_scope)])}};
    if (m_scope != ScopeKind::All)
        scope.insert(QStringLiteral("value"), m_scopeValue);
    QJsonObject campaign{
        {QStringLiteral("id"), m_id},
        {QStringLiteral("scope"), scope},
        {QStringLiteral("scope_text"), scopeText()},
        {QStringLiteral("reviewer"), m_reviewer},
        {QStringLiteral("started_at"), m_started.toString(Qt::ISODateWithMs)},
        {QStringLiteral("grants"), count()},
        {QStringLiteral("kept"),
         static_cast<int>(std::count_if(m_items.cbegin(), m_items.cend(),
                                        [](const Item& item) { return item.decision == Decision::Keep; }))},
        {QStringLiteral("revoked"), revokeCount()},
        {QStringLiteral("undecided"), count() - decidedCount()},
        {QStringLiteral("decisions"), decisions}};
    if (m_finished.isValid())
        campaign.insert(QStringLiteral("finished_at"), m_finished.toString(Qt::ISODateWithMs));
    return campaign;
}

QByteArray ReviewCampaign::toCsv() const
{
    QByteArray csv = "campaign,user,resource_type,resource_id,resource_name,level,decision,decided_at\n";
    auto field = [](const QString& text) {
        if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')))
            return text.toUtf8();
        QString quoted = text;
        quoted.replace(QLatin1Char('"'), QLatin1String("\"\""));
        return (QLatin1Char('"') + quoted + QLatin1Char('"')).toUtf8();
    };
    for (const Item& item : m_items) {
        csv += field(m_id) + ',' + field(item.username) + ',' + field(Resources::wireName(item.type)) + ',' +
               field(item.resourceId) + ',' + field(item.resourceName) + ',' + field(Permissions::name(item.level)) +
               ',' + field(decisionName(item.decision)) + ',' +
               field(item.decidedAt.isValid() ? item.decidedAt.toString(Qt::ISODateWithMs) : QString()) + '\n';
    }
    return csv;
}

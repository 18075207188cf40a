#include "models/SnapshotDiff.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QSet>

#include <algorithm>

namespace {

QString key(const QString& username, ResourceType type, const QString& resourceId)
{
    return username + QChar(0) + Resources::wireName(type) + QChar(0) + resourceId;
}

// A cell the snapshot does not store: the default, which by construction does not allow reading.
bool isQuietDefault(const std::optional<EffectivePermission>& side)
{
    if (!side)
        return true;
    using Source = EffectivePermission::Source;
    return (side->source == Source::DefaultPermission || side->source == Source::Unknown) && !side->canRead();
}

bool canRead(const std::optional<EffectivePermission>& side)
{
    return side && side->canRead();
}

QJsonValue sideToJson(const std::optional<EffectivePermission>& side)
{
    if (!side)
        return QJsonValue(QJsonValue::Null);
    // A level only where it is known: an unknown default is null, never a guessed level.
    const QJsonValue level =
        side->isKnown() ? QJsonValue(Permissions::name(side->level)) : QJsonValue(QJsonValue::Null);
    QJsonObject object{{QStringLiteral("level"), level},
                       {QStringLiteral("source"), AccessSnapshot::sourceKey(side->source)},
                       {QStringLiteral("reason"), side->reason()}};
    if (!side->detail.isEmpty())
        object.insert(QStringLiteral("role"), side->detail);
    return object;
}

QJsonObject userToJson(const AccessSnapshot::UserEntry& user)
{
    return QJsonObject{{QStringLiteral("username"), user.username}, {QStringLiteral("is_admin"), user.isAdmin}};
}

QJsonObject resourceToJson(const AccessSnapshot::ResourceEntry& resource)
{
    return QJsonObject{{QStringLiteral("resource_type"), Resources::wireName(resource.type)},
                       {QStringLiteral("resource_id"), resource.id},
                       {QStringLiteral("resource_name"), resource.name}};
}

QJsonObject sideHeaderToJson(const AccessSnapshot& snapshot, const QString& label)
{
    return QJsonObject{{QStringLiteral("source"), label},
                       {QStringLiteral("taken_at"), snapshot.takenAt().toString(Qt::ISODateWithMs)},
                       {QStringLiteral("server_url"), snapshot.serverUrl()}};
}

} // namespace

SnapshotDiff SnapshotDiff::compare(const AccessSnapshot& before, const AccessSnapshot& after)
{
    SnapshotDiff diff;
    const auto header = [&diff](const QString& field, const QString& a, const QString& b) {
        if (a != b)
            diff.m_headerChanges.append(HeaderChange{field, a, b});
    };
    const auto defaultText = [](const AccessSnapshot& snapshot) {
        return snapshot.defaultPermission() ? Permissions::name(*snapshot.defaultPermission()) : QString();
    };
    header(QStringLiteral("server_url"), before.serverUrl(), after.serverUrl());
    header(QStringLiteral("mlflow_version"), before.mlflowVersion(), after.mlflowVersion());
    header(QStringLiteral("api_generation"), AccessSnapshot::generationKey(before.generation()),
           AccessSnapshot::generationKey(after.generation()));
    header(QStringLiteral("workspace"), before.workspace(), after.workspace());
    header(QStringLiteral("default_permission"), defaultText(before), defaultText(after));

    // Users and resources in the later order, then those only the earlier snapshot had: the order of the rows.
    QHash<QString, int> userOrder;
    for (const AccessSnapshot::UserEntry& user : after.users()) {
        userOrder.insert(user.username, static_cast<int>(userOrder.size()));
        const AccessSnapshot::UserEntry* old = before.user(user.username);
        if (!old)
            diff.m_addedUsers.append(user);
        else if (old->isAdmin != user.isAdmin)
            diff.m_adminChanges.append(AdminChange{user.username, old->isAdmin});
    }
    for (const AccessSnapshot::UserEntry& user : before.users()) {
        if (!after.user(user.username)) {
            diff.m_removedUsers.append(user);
            userOrder.insert(user.username, static_cast<int>(userOrder.size()));
        }
    }
    QHash<QString, int> resourceOrder;
    for (const AccessSnapshot::ResourceEntry& resource : after.resources()) {
        resourceOrder.insert(key(QString(), resource.type, resource.id), static_cast<int>(resourceOrder.size()));
        if (!before.resource(resource.type, resource.id))
            diff.m_addedResources.append(resource);
    }
    for (const AccessSnapshot::ResourceEntry& resource : before.resources()) {
        if (!after.resource(resource.type, resource.id)) {
            diff.m_removedResources.append(resource);
            resourceOrder.insert(key(QString(), resource.type, resource.id), static_cast<int>(resourceOrder.size()));
        }
    }

    // A pair that neither snapshot stores is the unreadable default on both sides (a change of the default itself
    // is a header change), so only stored cells need comparing.
    QSet<QString> seen;
    const auto consider = [&](const AccessSnapshot::Cell& cell) {
        const QString cellKey = key(cell.username, cell.type, cell.resourceId);
        if (seen.contains(cellKey))
            return;
        seen.insert(cellKey);
        const std::optional<EffectivePermission> was = sideOf(before, cell.username, cell.type, cell.resourceId);
        const std::optional<EffectivePermission> is = sideOf(after, cell.username, cell.type, cell.resourceId);
        const std::optional<Change> kind = compareCell(was, is);
        if (!kind)
            return;
        CellChange change;
        change.username = cell.username;
        change.type = cell.type;
        change.resourceId = cell.resourceId;
        const AccessSnapshot::ResourceEntry* resource = after.resource(cell.type, cell.resourceId);
        if (!resource)
            resource = before.resource(cell.type, cell.resourceId);
        change.resourceName = resource ? resource->name : cell.resourceId;
        change.before = was;
        change.after = is;
        change.change = *kind;
        diff.m_cellChanges.append(change);
    };
    for (const AccessSnapshot::Cell& cell : after.cells())
        consider(cell);
    for (const AccessSnapshot::Cell& cell : before.cells())
        consider(cell);
    std::stable_sort(diff.m_cellChanges.begin(), diff.m_cellChanges.end(),
                     [&](const CellChange& a, const CellChange& b) {
                         const int userA = userOrder.value(a.username);
                         const int userB = userOrder.value(b.username);
                         if (userA != userB)
                             return userA < userB;
                         return resourceOrder.value(key(QString(), a.type, a.resourceId)) <
                                resourceOrder.value(key(QString(), b.type, b.resourceId));
                     });
    for (qsizetype i = 0; i < diff.m_cellChanges.size(); ++i) {
        const CellChange& change = diff.m_cellChanges.at(i);
        diff.m_cellIndex.insert(key(change.username, change.type, change.resourceId), static_cast<int>(i));
    }
    return diff;
}

std::optional<SnapshotDiff::Change> SnapshotDiff::compareCell(const std::optional<EffectivePermission>& before,
                                                              const std::optional<EffectivePermission>& after)
{
    if (before == after || (isQuietDefault(before) && isQuietDefault(after)))
        return std::nullopt;
    if (!canRead(before) && canRead(after))
        return Change::Gained;
    if (canRead(before) && !canRead(after))
        return Change::Lost;
    if (levelText(before) != levelText(after))
        return Change::LevelChanged;
    return Change::ReasonChanged;
}

std::optional<EffectivePermission> SnapshotDiff::sideOf(const AccessSnapshot& snapshot, const QString& username,
                                                        ResourceType type, const QString& resourceId)
{
    if (!snapshot.user(username) || !snapshot.resource(type, resourceId))
        return std::nullopt;
    return snapshot.permission(username, type, resourceId);
}

bool SnapshotDiff::isEmpty() const
{
    return m_headerChanges.isEmpty() && m_addedUsers.isEmpty() && m_removedUsers.isEmpty() &&
           m_adminChanges.isEmpty() && m_addedResources.isEmpty() && m_removedResources.isEmpty() &&
           m_cellChanges.isEmpty();
}

const SnapshotDiff::CellChange* SnapshotDiff::cellChange(const QString& username, ResourceType type,
                                                         const QString& resourceId) const
{
    const auto it = m_cellIndex.constFind(key(username, type, resourceId));
    return it == m_cellIndex.constEnd() ? nullptr : &m_cellChanges.at(it.value());
}

QJsonObject SnapshotDiff::toJson(const AccessSnapshot& before, const QString& beforeLabel, const AccessSnapshot& after,
                                 const QString& afterLabel) const
{
    QJsonArray headers;
    for (const HeaderChange& change : m_headerChanges)
        headers.append(QJsonObject{
            {QStringLiteral("field"), change.field},
            {QStringLiteral("before"), change.before.isEmpty() ? QJsonValue(QJsonValue::Null) : change.before},
            {QStringLiteral("after"), change.after.isEmpty() ? QJsonValue(QJsonValue::Null) : change.after}});
    const auto users = [](const QList<AccessSnapshot::UserEntry>& list) {
        QJsonArray array;
        for (const AccessSnapshot::UserEntry& user : list)
            array.append(userToJson(user));
        return array;
    };
    const auto resources = [](const QList<AccessSnapshot::ResourceEntry>& list) {
        QJsonArray array;
        for (const AccessSnapshot::ResourceEntry& resource : list)
            array.append(resourceToJson(resource));
        return array;
    };
    QJsonArray admins;
    for (const AdminChange& change : m_adminChanges)
        admins.append(QJsonObject{{QStringLiteral("username"), change.username},
                                  {QStringLiteral("before"), change.wasAdmin},
                                  {QStringLiteral("after"), !change.wasAdmin}});
    QJsonArray cells;
    for (const CellChange& change : m_cellChanges)
        cells.append(QJsonObject{{QStringLiteral("user"), change.username},
                                 {QStringLiteral("resource_type"), Resources::wireName(change.type)},
                                 {QStringLiteral("resource_id"), change.resourceId},
                                 {QStringLiteral("resource_name"), change.resourceName},
                                 {QStringLiteral("change"), changeKey(change.change)},
                                 {QStringLiteral("before"), sideToJson(change.before)},
                                 {QStringLiteral("after"), sideToJson(change.after)}});
    return QJsonObject{
        {QStringLiteral("format"), QStringLiteral("mlflow-admin-snapshot-diff")},
        {QStringLiteral("version"), 1},
        {QStringLiteral("before"), sideHeaderToJson(before, beforeLabel)},
        {QStringLiteral("after"), sideHeaderToJson(after, afterLabel)},
        {QStringLiteral("identical"), isEmpty()},
        {QStringLiteral("header_changes"), headers},
        {QStringLiteral("users_added"), users(m_addedUsers)},
        {QStringLiteral("users_removed"), users(m_removedUsers)},
        {QStringLiteral("admin_changes"), admins},
        {QStringLiteral("resources_added"), resources(m_addedResources)},
        {QStringLiteral("resources_removed"), resources(m_removedResources)},
        {QStringLiteral("cells"), cells},
    };
}

QString SnapshotDiff::changeKey(Change change)
{
    switch (change) {
    case Change::Gained:
        return QStringLiteral("gained");
    case Change::Lost:
        return QStringLiteral("lost");
    case Change::LevelChanged:
        return QStringLiteral("changed");
    case Change::ReasonChanged:
        break;
    }
    return QStringLiteral("reason_changed");
}

QString SnapshotDiff::levelText(const std::optional<EffectivePermission>& side)
{
    if (!side || side->source == EffectivePermission::Source::Unknown)
        return QStringLiteral("?");
    return Permissions::name(side->level);
}

QString SnapshotDiff::changeText(const CellChange& change)
{
    return changeText(change.change, change.before, change.after);
}

QString SnapshotDiff::changeText(Change change, const std::optional<EffectivePermission>& before,
                                 const std::optional<EffectivePermission>& after)
{
    switch (change) {
    case Change::Gained:
        return QStringLiteral("+") + levelText(after);
    case Change::Lost:
        return QStringLiteral("\u2212") + levelText(before);
    case Change::LevelChanged:
        return levelText(before) + QStringLiteral("\u2192") + levelText(after);
    case Change::ReasonChanged:
        break;
    }
    return QCoreApplication::translate("SnapshotDiff", "%1 (reason)").arg(levelText(after));
}

QString SnapshotDiff::sideText(const std::optional<EffectivePermission>& side)
{
    if (!side)
        return QCoreApplication::translate("SnapshotDiff", "did not exist");
    return side->reason();
}

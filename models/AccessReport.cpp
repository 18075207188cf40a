#include "models/AccessReport.h"

#include <QCoreApplication>
#include <QHash>
#include <QSet>

#include <algorithm>

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("AccessReport", text);
}

// The resources a scope covers, in the snapshot's order.
QList<AccessSnapshot::ResourceEntry> resourcesInScope(const AccessSnapshot& snapshot, const AccessReport::Scope& scope,
                                                      QString* error)
{
    using Kind = AccessReport::Scope::Kind;
    if (scope.kind == Kind::All || scope.kind == Kind::User)
        return snapshot.resources();
    const ResourceType type = scope.kind == Kind::Experiment ? ResourceType::Experiment : ResourceType::RegisteredModel;
    // A name first: that is what people type; an experiment's id second.
    for (const AccessSnapshot::ResourceEntry& resource : snapshot.resources()) {
        if (resource.type == type && resource.name == scope.name)
            return {resource};
    }
    if (const AccessSnapshot::ResourceEntry* byId = snapshot.resource(type, scope.name))
        return {*byId};
    if (error) {
        *error = scope.kind == Kind::Experiment
                     ? tr("There is no experiment named '%1' (nor with that id) in what was read from the server. "
                          "Check the name: it is case-sensitive and includes the folder.")
                           .arg(scope.name)
                     : tr("There is no registered model named '%1' in what was read from the server. Check the "
                          "name: it is case-sensitive.")
                           .arg(scope.name);
    }
    return {};
}

int levelIndex(PermissionLevel level)
{
    // distribution() runs from MANAGE down to NO_PERMISSIONS.
    return static_cast<int>(PermissionLevel::Manage) - static_cast<int>(level);
}

void count(AccessReport::LevelCount& counts, EffectivePermission::Source source)
{
    switch (source) {
    case EffectivePermission::Source::Admin:
        ++counts.admin;
        return;
    case EffectivePermission::Source::ExplicitGrant:
        ++counts.explicitGrant;
        return;
    case EffectivePermission::Source::Role:
        ++counts.role;
        return;
    case EffectivePermission::Source::DefaultPermission:
    case EffectivePermission::Source::Unknown:
    case EffectivePermission::Source::NotVisible:
        break;
    }
    ++counts.byDefault;
}

bool isGrant(EffectivePermission::Source source)
{
    return source == EffectivePermission::Source::ExplicitGrant || source == EffectivePermission::Source::Role;
}

} // namespace

QString AccessReport::Scope::text() const
{
    switch (kind) {
    case Kind::All:
        break;
    case Kind::User:
        return tr("user %1").arg(name);
    case Kind::Experiment:
        return tr("experiment %1").arg(name);
    case Kind::Model:
        return tr("registered model %1").arg(name);
    }
    return tr("all users and resources");
}

std::optional<AccessReport> AccessReport::build(const AccessSnapshot& snapshot, const Scope& scope, QString* error)
{
    AccessReport report;
    report.m_snapshot = snapshot;
    report.m_scope = scope;

    QList<AccessSnapshot::UserEntry> users = snapshot.users();
    if (scope.kind == Scope::Kind::User) {
        const AccessSnapshot::UserEntry* user = snapshot.user(scope.name);
        if (!user) {
            if (error)
                *error = tr("There is no user '%1' in what was read from the server. Check the name: it is "
                            "case-sensitive.")
                             .arg(scope.name);
            return std::nullopt;
        }
        users = {*user};
    }
    const QList<AccessSnapshot::ResourceEntry> resources = resourcesInScope(snapshot, scope, error);
    if (resources.isEmpty() && scope.kind != Scope::Kind::All && scope.kind != Scope::Kind::User)
        return std::nullopt;

    for (int index = 0; index <= static_cast<int>(PermissionLevel::Manage); ++index) {
        LevelCount counts;
        counts.level = static_cast<PermissionLevel>(static_cast<int>(PermissionLevel::Manage) - index);
        report.m_distribution.append(counts);
    }

    Summary& summary = report.m_summary;
    summary.users = static_cast<int>(users.size());
    QSet<QString> usersInScope;
    for (const AccessSnapshot::UserEntry& user : users) {
        usersInScope.insert(user.username);
        if (user.isAdmin)
            summary.admins.append(user.username);
    }

    // One pass over the stored cells, not one lookup per user and resource: a big server has tens of millions of
    // pairs and only a few thousand cells with something to say; every other pair is the default permission.
    QHash<QString, int> sectionIndex;
    const auto key = [](ResourceType type, const QString& id) {
        return QString::number(static_cast<int>(type)) + QLatin1Char('\n') + id;
    };
    for (const AccessSnapshot::ResourceEntry& resource : resources) {
        sectionIndex.insert(key(resource.type, resource.id), static_cast<int>(report.m_sections.size()));
        ResourceSection section;
        section.resource = resource;
        report.m_sections.append(section);
    }
    QSet<QString> usersWithGrant;
    for (const AccessSnapshot::Cell& cell : snapshot.cells()) {
        if (!usersInScope.contains(cell.username))
            continue;
        const auto found = sectionIndex.constFind(key(cell.type, cell.resourceId));
        if (found == sectionIndex.constEnd())
            continue;
        const AccessSnapshot::UserEntry* user = snapshot.user(cell.username);
        report.m_sections[*found].rows.append(Row{cell.username, user && user->isAdmin, cell.permission});
        const EffectivePermission& permission = cell.permission;
        if (isGrant(permission.source) || std::any_of(permission.contributors.cbegin(), permission.contributors.cend(),
                                                      [](const EffectivePermission::Contributor& contributor) {
                                                          return isGrant(contributor.source);
                                                      }))
            usersWithGrant.insert(cell.username);
    }

    const std::optional<PermissionLevel> floor = snapshot.defaultPermission();
    QList<ResourceSection> shown;
    for (ResourceSection& section : report.m_sections) {
        if (section.resource.type == ResourceType::Experiment)
            ++summary.experiments;
        else
            ++summary.models;
        section.usersAtDefault = summary.users - static_cast<int>(section.rows.size());
        bool managedByNonAdmin = false;
        bool readableByDefault = section.usersAtDefault > 0 && floor && Permissions::canRead(*floor);
        for (const Row& row : section.rows) {
            const EffectivePermission& permission = row.permission;
            if (permission.isKnown())
                count(report.m_distribution[levelIndex(permission.level)], permission.source);
            else
                ++report.m_unknownPairs;
            if (row.isAdmin || !permission.isKnown())
                continue;
            managedByNonAdmin = managedByNonAdmin || Permissions::canManage(permission.level);
            readableByDefault =
                readableByDefault || (permission.source == EffectivePermission::Source::DefaultPermission &&
                                      Permissions::canRead(permission.level));
        }
        if (floor)
            report.m_distribution[levelIndex(*floor)].byDefault += section.usersAtDefault;
        else
            report.m_unknownPairs += section.usersAtDefault;
        // One user's report cannot say that nobody manages a resource.
        if (!managedByNonAdmin && scope.kind != Scope::Kind::User)
            summary.resourcesNobodyManages.append(section.resource.name);
        if (readableByDefault && section.resource.type == ResourceType::Experiment)
            summary.experimentsReadableByDefault.append(section.resource.name);
        // A user's report lists only the resources that user has something on.
        if (scope.kind != Scope::Kind::User || !section.rows.isEmpty())
            shown.append(section);
    }
    // A document reads best by kind, then by name, and each resource's users by name.
    for (ResourceSection& section : shown) {
        std::stable_sort(section.rows.begin(), section.rows.end(), [](const Row& a, const Row& b) {
            return a.username.compare(b.username, Qt::CaseInsensitive) < 0;
        });
    }
    std::stable_sort(shown.begin(), shown.end(), [](const ResourceSection& a, const ResourceSection& b) {
        if (a.resource.type != b.resource.type)
            return a.resource.type < b.resource.type;
        return a.resource.name.compare(b.resource.name, Qt::CaseInsensitive) < 0;
    });
    report.m_sections = shown;
    for (QStringList* names : {&summary.experimentsReadableByDefault, &summary.resourcesNobodyManages})
        names->sort(Qt::CaseInsensitive);
    for (const AccessSnapshot::UserEntry& user : users) {
        if (!user.isAdmin && !usersWithGrant.contains(user.username))
            summary.usersWithoutGrant.append(user.username);
    }
    return report;
}

QString AccessReport::defaultPermissionText() const
{
    const std::optional<PermissionLevel> level = m_snapshot.defaultPermission();
    if (!level)
        return tr("not known (the server does not say it; give --default-permission to state it)");
    return m_snapshot.isDefaultPermissionStated() ? Permissions::name(*level)
                                                  : tr("%1 (assumed by the admin)").arg(Permissions::name(*level));
}

QString AccessReport::resourceTypeText(ResourceType type)
{
    return type == ResourceType::Experiment ? tr("Experiment") : tr("Registered model");
}

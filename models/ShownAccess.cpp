#include "models/ShownAccess.h"

#include "models/ChangeSet.h"
#include "models/Directory.h"

#include <QSet>

#include <algorithm>

ShownAccess::ShownAccess(const Directory* directory, const ChangeSet* changeSet)
    : m_directory(directory), m_changeSet(changeSet)
{
    // Indexed once: whole-matrix questions ask for every user's staged cells.
    if (m_changeSet) {
        for (const StagedGrant& staged : m_changeSet->stagedGrants())
            m_stagedByUser[staged.cell.username].append(staged.cell.resource);
    }
}

EffectivePermission ShownAccess::permission(const QString& username, ResourceType type, const QString& resourceId,
                                            bool* pending) const
{
    if (m_changeSet) {
        if (auto staged = m_changeSet->pendingPermission(username, type, resourceId)) {
            if (pending)
                *pending = true;
            return *staged;
        }
    }
    if (pending)
        *pending = false;
    return m_directory->effectivePermission(username, type, resourceId);
}

bool ShownAccess::isAdmin(const QString& username) const
{
    if (m_changeSet) {
        if (const StagedUser* staged = m_changeSet->stagedUser(username); staged && staged->admin)
            return *staged->admin;
    }
    return m_directory->isAdmin(username);
}

QList<int> ShownAccess::namedResourceRows(const QString& username, ResourceType type) const
{
    QSet<int> rows;
    for (const QString& id : m_directory->namedResources(username, type)) {
        const int row = m_directory->resourceRow(type, id);
        if (row >= 0)
            rows.insert(row);
    }
    for (const ResourceKey& staged : m_stagedByUser.value(username)) {
        if (staged.type != type)
            continue;
        const int row = m_directory->resourceRow(type, staged.id);
        if (row >= 0)
            rows.insert(row);
    }
    if (m_changeSet) {
        const QString wireType = Resources::wireName(type);
        for (const RolePermissionKey& reach : stagedRoleReach(username)) {
            if (reach.resourceType != wireType)
                continue;
            const int row = m_directory->resourceRow(type, reach.pattern);
            if (row >= 0)
                rows.insert(row);
        }
    }
    return rows.values();
}

const QList<RolePermissionKey>& ShownAccess::stagedRoleReach(const QString& username) const
{
    if (m_reachUser != username || !m_hasReach) {
        m_reach = m_changeSet->stagedRoleReach(username);
        m_reachUser = username;
        m_hasReach = true;
    }
    return m_reach;
}

bool ShownAccess::readsUnnamedResources(const QString& username, ResourceType type) const
{
    if (m_directory->readsWithoutNamedGrant(username, type, isAdmin(username)))
        return true;
    if (!m_changeSet)
        return false;
    // A staged "*" of a role the user holds or will hold names no resource and may reach every one.
    const QString wireType = Resources::wireName(type);
    const QList<RolePermissionKey>& reach = stagedRoleReach(username);
    return std::any_of(reach.cbegin(), reach.cend(), [&wireType](const RolePermissionKey& key) {
        return key.resourceType == wireType && key.pattern == QLatin1String(RolePermission::allResources);
    });
}

QList<ResourceAccess> ShownAccess::readableBy(const QString& username, ResourceType type) const
{
    QList<int> rows;
    if (readsUnnamedResources(username, type)) {
        rows.reserve(m_directory->resourceCount(type));
        for (int row = 0; row < m_directory->resourceCount(type); ++row)
            rows.append(row);
    } else {
        rows = namedResourceRows(username, type);
        std::sort(rows.begin(), rows.end());
    }
    QList<ResourceAccess> result;
    for (const int row : rows) {
        ResourceAccess access;
        access.type = type;
        access.resourceId = m_directory->resourceIdAt(type, row);
        access.permission = permission(username, type, access.resourceId, &access.pending);
        if (!access.permission.canRead())
            continue;
        access.name = m_directory->resourceNameAt(type, row);
        result.append(std::move(access));
    }
    return result;
}

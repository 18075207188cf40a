#include "server/RbacWorkspaceRoles.h"

#include "server/RbacStore.h"

#include <algorithm>

void RbacWorkspaceRoles::seedRoles(const QString& workspace)
{
    m_store.seedWorkspaceRoles(workspace);
}

void RbacWorkspaceRoles::dropRoles(const QString& workspace)
{
    m_store.deleteWorkspaceRoles(workspace);
}

QSet<QString> RbacWorkspaceRoles::visibleWorkspaces(const UserRecord& user)
{
    QSet<QString> visible;
    const QList<RoleRecord> roles = m_store.userRoles(user.id);
    for (const RoleRecord& role : roles) {
        const bool hidden = role.name.startsWith(QLatin1String("__user_"));
        const bool workspaceWide =
            std::any_of(role.permissions.cbegin(), role.permissions.cend(), [](const RolePermissionRecord& grant) {
                return grant.resourceType == QLatin1String("workspace");
            });
        if (!hidden || workspaceWide)
            visible.insert(role.workspace);
    }
    return visible;
}

bool RbacWorkspaceRoles::managesWorkspace(const UserRecord& user, const QString& workspace)
{
    return m_store.adminWorkspaces(user.id).contains(workspace);
}

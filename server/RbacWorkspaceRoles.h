#pragma once

#include "server/ServerState.h"

class RbacStore;

// WorkspaceRoleHooks over the 3.14 role store: what creating, deleting, listing and updating workspaces need from
// the roles. Presence follows MLflow 3.14's GET workspaces filter: any assigned role in the workspace, except a
// hidden per-user role that holds no workspace:* grant (a per-resource grant alone does not make a workspace
// visible; recorded rows 80 and 108).
class RbacWorkspaceRoles : public WorkspaceRoleHooks
{
public:
    explicit RbacWorkspaceRoles(RbacStore& store) : m_store(store) {}

    void seedRoles(const QString& workspace) override;
    void dropRoles(const QString& workspace) override;
    QSet<QString> visibleWorkspaces(const UserRecord& user) override;
    bool managesWorkspace(const UserRecord& user, const QString& workspace) override;

private:
    RbacStore& m_store;
};

#pragma once

#include "server/Policy.h"
#include "server/RbacStore.h"

#include <QHash>

#include <functional>

// MLflow 3.14's authorization rules (RBAC generation) over RbacStore: which caller may use each endpoint (admin,
// self, MANAGE on the resource, membership or admin of the role's workspace), and the effective permission on a
// resource: the highest grant of every role of the user in the request's workspace (exact id or "*"), with
// default_permission as a floor. Admins never reach authorize(). Where 3.14 leaks other users' hidden roles, this
// class is stricter (mayViewRole).
class RbacPolicy : public Policy
{
public:
    RbacPolicy();

    // Calls without a validator are allowed, as in MLflow 3.14 (fail-open until 3.16).
    void authorize(const RequestContext& context) const override;

    // What `user` may do on (resourceType, resourceId) in the request's workspace. A resource that does not exist
    // gets default_permission (NO_PERMISSIONS with workspaces on), as MLflow resolves it.
    static PermissionLevel effectiveLevel(const RequestContext& context, const UserRecord& user,
                                          const QString& resourceType, const QString& resourceId);
    // Create experiments and models, list users: always without workspaces; else a workspace:* USE or MANAGE grant.
    static bool canCreateInWorkspace(const RequestContext& context);
    static bool isWorkspaceAdmin(const RequestContext& context, const QString& workspace);
    // Deliberately stricter than 3.14: another user's hidden __user_N__ role (and its grants) is visible only to
    // admins and to admins of its workspace.
    static bool mayViewRole(const RequestContext& context, const RoleRecord& role);

    ReadableSet readable(const RequestContext& context, ResourceKind kind) const override;
    // MANAGE lands in the creator's hidden role of the request's workspace.
    void resourceCreated(const RequestContext& context, ResourceKind kind, const QString& resourceId) const override;
    void registeredModelRenamed(const RequestContext& context, const QString& oldName,
                                const QString& newName) const override;
    // Every user's direct grants on the name go (3.13+), so a future model of that name starts clean.
    void registeredModelDeleted(const RequestContext& context, const QString& name) const override;
    QStringList searchableExperimentIds(const RequestContext& context, const QStringList& experimentIds) const override;

private:
    using Validator = std::function<bool(const RequestContext&)>;
    void addV2(const QByteArray& method, const QString& endpoint, const Validator& validator);
    void addV3(const QByteArray& method, const QString& endpoint, const Validator& validator);

    QHash<QString, Validator> m_validators; // "METHOD path"
};

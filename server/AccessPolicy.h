#pragma once

#include "server/Policy.h"

#include <QHash>
#include <QJsonObject>

#include <functional>

// MLflow 2.15.1's authorization rules for non-admin users: the before_request validators (which right each call
// needs, and how the resource is found from the request), and the permission lookup behind them (an explicit row
// wins as-is, else default_permission), plus its after-request hooks over the 2.x AuthStore.
class AccessPolicy : public Policy
{
public:
    AccessPolicy();

    // Calls without a validator are allowed, as in MLflow.
    void authorize(const RequestContext& context) const override;

    static PermissionLevel experimentPermission(const RequestContext& context, const QString& experimentId);
    static PermissionLevel registeredModelPermission(const RequestContext& context, const QString& name);

    // Every explicit row of the user, and the default.
    ReadableSet readable(const RequestContext& context, ResourceKind kind) const override;
    void resourceCreated(const RequestContext& context, ResourceKind kind, const QString& resourceId) const override;
    // Grants follow the model to its new name (MLflow does so from 2.20; 2.15.1 leaves them behind).
    void registeredModelRenamed(const RequestContext& context, const QString& oldName,
                                const QString& newName) const override;
    // Every grant on the name goes with the model (MLflow does so from 3.10; 2.15.1 removes only the caller's row,
    // so other users' rows would silently apply to a future model of the same name).
    void registeredModelDeleted(const RequestContext& context, const QString& name) const override;
    // 2.15.1 does not filter runs/search at all.
    QStringList searchableExperimentIds(const RequestContext& context, const QStringList& experimentIds) const override;

private:
    using Validator = std::function<bool(const RequestContext&)>;
    void addTracking(const QByteArray& method, const QString& endpoint, Validator validator);
    void addAuth(const QByteArray& method, const QString& endpoint, Validator validator);

    QHash<QString, Validator> m_validators; // "METHOD path"
};

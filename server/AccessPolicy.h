#pragma once

#include "server/ServerState.h"

#include <QHash>
#include <QJsonObject>

#include <functional>

// MLflow 2.15.1's authorization rules for non-admin users: the before_request validators (which right each call
// needs, and how the resource is found from the request), and the permission lookup behind them (an explicit row
// wins as-is, else default_permission). Admins never reach this class.
class AccessPolicy
{
public:
    AccessPolicy();

    // Throws HttpFailure (403 "Permission denied") when the validator for this (method, path) says no, or the
    // MlflowError/HttpFailure its parameter lookup raises. Calls without a validator are allowed, as in MLflow.
    void authorize(const RequestContext& context) const;

    static PermissionLevel experimentPermission(const RequestContext& context, const QString& experimentId);
    static PermissionLevel registeredModelPermission(const RequestContext& context, const QString& name);

    // The per-user view for search filtering: every explicit row of the user, loaded once, and the default.
    struct ReadableSet
    {
        QHash<QString, bool> explicitRows;
        bool defaultReadable = false;
        bool contains(const QString& resourceId) const { return explicitRows.value(resourceId, defaultReadable); }
    };
    static ReadableSet readable(const RequestContext& context, ResourceKind kind);

private:
    using Validator = std::function<bool(const RequestContext&)>;
    void addTracking(const QByteArray& method, const QString& endpoint, Validator validator);
    void addAuth(const QByteArray& method, const QString& endpoint, Validator validator);

    QHash<QString, Validator> m_validators; // "METHOD path"
};

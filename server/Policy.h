#pragma once

#include "server/ServerState.h"

#include <QHash>
#include <QString>
#include <QStringList>

// The authorization rules of one MLflow generation, chosen by the dialect (AccessPolicy for 2.15.1, RbacPolicy for
// 3.14): the before_request validators for non-admins, and the after-request hooks the tracking handlers call
// (auto-grants to creators, grant clean-up, search filtering). Handlers never touch grant storage themselves, so
// one set of tracking routes serves both generations.
class Policy
{
public:
    virtual ~Policy() = default;

    // Throws HttpFailure (403 "Permission denied") when the validator for this (method, path) says no, or the
    // MlflowError/HttpFailure its parameter lookup raises. Admins never reach this.
    virtual void authorize(const RequestContext& context) const = 0;

    // The per-user view for search filtering, loaded once per search.
    struct ReadableSet
    {
        QHash<QString, bool> explicitRows; // resource id -> readable
        bool defaultReadable = false;      // for ids without a row (default_permission, or a "*" grant)
        bool contains(const QString& resourceId) const { return explicitRows.value(resourceId, defaultReadable); }
    };
    virtual ReadableSet readable(const RequestContext& context, ResourceKind kind) const = 0;

    // After a successful create: the creator gets MANAGE on the new experiment id or model name.
    virtual void resourceCreated(const RequestContext& context, ResourceKind kind, const QString& resourceId) const = 0;
    // After a successful rename or delete of a registered model: every user's grants follow the name or go.
    virtual void registeredModelRenamed(const RequestContext& context, const QString& oldName,
                                        const QString& newName) const = 0;
    virtual void registeredModelDeleted(const RequestContext& context, const QString& name) const = 0;
    // runs/search for a non-admin: the requested experiment ids the caller may search (3.6+ filters them; 2.15.1
    // does not).
    virtual QStringList searchableExperimentIds(const RequestContext& context,
                                                const QStringList& experimentIds) const = 0;
};

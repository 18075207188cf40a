#pragma once

#include "api/PermissionLevel.h"

#include <QString>

// What a user can do on one resource, and why: the answer the access matrix shows in each cell.
struct EffectivePermission
{
    enum class Source {
        Admin,             // admins bypass every check
        ExplicitGrant,     // a per-resource row (MLflow 2.x-3.12) or a direct grant (3.13+)
        Role,              // a role's grant (3.13+)
        DefaultPermission, // no grant: the server's default_permission applies
        Unknown,           // no grant, and the server's default permission is not known to us
    };

    PermissionLevel level = PermissionLevel::NoPermissions;
    Source source = Source::Unknown;
    QString detail; // e.g. the role name

    bool isExplicit() const { return source == Source::ExplicitGrant; }
    // Whether the user can at least read the resource (false when unknown: we never guess access).
    bool canRead() const { return source != Source::Unknown && Permissions::canRead(level); }

    // A sentence for people: "MANAGE: explicit grant", "READ: default permission of the server".
    QString reason() const;
    static QString sourceName(Source source);

    friend bool operator==(const EffectivePermission& a, const EffectivePermission& b)
    {
        return a.level == b.level && a.source == b.source && a.detail == b.detail;
    }
    friend bool operator!=(const EffectivePermission& a, const EffectivePermission& b) { return !(a == b); }
};

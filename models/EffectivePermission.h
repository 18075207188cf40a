#pragma once

#include "api/PermissionLevel.h"

#include <QList>
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
        NotVisible,        // the server does not show this account other users' access to the resource
    };

    // One thing that gives the user a level on the resource. On 3.13+ several may apply at once (a direct grant,
    // roles, the default floor); the highest wins and the others are still worth showing.
    struct Contributor
    {
        PermissionLevel level = PermissionLevel::NoPermissions;
        Source source = Source::Unknown;
        QString detail;            // the role name for Source::Role
        bool allResources = false; // a role's "*" pattern rather than this resource's id or name

        QString text() const; // "READ through role auditors", "EDIT by direct grant"
        friend bool operator==(const Contributor& a, const Contributor& b)
        {
            return a.level == b.level && a.source == b.source && a.detail == b.detail &&
                   a.allResources == b.allResources;
        }
    };

    PermissionLevel level = PermissionLevel::NoPermissions;
    Source source = Source::Unknown;
    QString detail; // e.g. the role name
    // Everything that applies, the winner first; empty for admins and where nothing applies.
    QList<Contributor> contributors;

    bool isExplicit() const { return source == Source::ExplicitGrant; }
    // Whether the user can at least read the resource (false when unknown: we never guess access).
    bool canRead() const { return isKnown() && Permissions::canRead(level); }
    bool isKnown() const { return source != Source::Unknown && source != Source::NotVisible; }

    // A sentence for people: "MANAGE: explicit grant", "READ through role auditors", and after a semicolon what
    // else applies ("also USE by direct grant") when several contributors do.
    QString reason() const;
    static QString sourceName(Source source);

    friend bool operator==(const EffectivePermission& a, const EffectivePermission& b)
    {
        return a.level == b.level && a.source == b.source && a.detail == b.detail && a.contributors == b.contributors;
    }
    friend bool operator!=(const EffectivePermission& a, const EffectivePermission& b) { return !(a == b); }
};

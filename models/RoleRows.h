#pragma once

#include "models/ChangeSet.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

// One permission of a role as the Roles page shows it: the loaded level with any staged change folded in.
struct RolePermissionRow
{
    // The resource in words is asked of ChangeSet::resourceText when shown: rows are rebuilt for every role on each
    // load and change, and roles can hold thousands of permissions.
    RolePermissionKey key;
    std::optional<PermissionLevel> level;       // after the staged change; nullopt: staged for removal
    std::optional<PermissionLevel> loadedLevel; // what the server has; nullopt: added by a staged change
    QString error;                              // why the last apply of the staged change failed

    bool isPending() const { return level != loadedLevel; }
};

// One user holding (or about to hold, or about to lose) a role.
struct RoleMemberRow
{
    QString username;
    bool assigned = true; // after the staged change
    bool loaded = true;   // on the server now
    QString error;

    bool isPending() const { return assigned != loaded; }
};

// A named role as the Roles page lists it: what the server has with the staged changes folded in. Hidden per-user
// roles (__user_<id>__) are never rows: they are their users' direct grants.
struct RoleRow
{
    RoleRef ref;
    QString name;
    QString workspace;
    QString description;
    bool pendingCreate = false;
    bool pendingDelete = false;
    bool pendingUpdate = false; // a staged rename or description
    QString error;
    QList<RolePermissionRow> permissions;
    QList<RoleMemberRow> members;

    int permissionCount() const; // after the staged changes
    QStringList memberNames() const;
    bool isPending() const;
};

namespace RoleRows {
// The loaded named roles in the Directory's order, then the roles whose creation is staged.
QList<RoleRow> build(const ChangeSet& changeSet);
} // namespace RoleRows

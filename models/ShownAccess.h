#pragma once

#include "api/WireTypes.h"
#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "models/EffectivePermission.h"

#include <QHash>
#include <QList>
#include <QString>

// One resource a user can access, as the console shows it; a row of the per-user "can access" panel.
struct ResourceAccess
{
    ResourceType type = ResourceType::Experiment;
    QString resourceId;
    QString name;
    EffectivePermission permission;
    bool pending = false; // a staged change decides it
};

// The permission the console shows for a user on a resource: the one a staged change will give, else the loaded
// one. Both come from Directory::resolve() (through the ChangeSet for staged cells), so the matrix, its view
// filters and the per-user panel never compute a permission their own way. Questions about a whole user ask only
// the resources something names for them, unless something that names none may let them read (admin, "*",
// the default), so they stay cheap at 2,000 users x 20,000 experiments. Made for one question and dropped: it reads the
// staged state once, when it is made.
class ShownAccess
{
public:
    ShownAccess(const Directory* directory, const ChangeSet* changeSet);

    EffectivePermission permission(const QString& username, ResourceType type, const QString& resourceId,
                                   bool* pending = nullptr) const;
    // The admin flag as it will be after the staged changes.
    bool isAdmin(const QString& username) const;
    // Resource rows where a grant, a role entry or a staged change names the resource for the user (unordered).
    QList<int> namedResourceRows(const QString& username, ResourceType type) const;
    // Whether the user may read resources nothing names for them (see Directory::readsWithoutNamedGrant).
    bool readsUnnamedResources(const QString& username, ResourceType type) const;
    // Every resource of `type` the user can at least read as shown, in resource row order.
    QList<ResourceAccess> readableBy(const QString& username, ResourceType type) const;

private:
    // ChangeSet::stagedRoleReach walks every staged role change; readableBy() needs it twice for the same user.
    const QList<RolePermissionKey>& stagedRoleReach(const QString& username) const;

    const Directory* m_directory = nullptr;
    const ChangeSet* m_changeSet = nullptr;
    QHash<QString, QList<ResourceKey>> m_stagedByUser;
    mutable QString m_reachUser;
    mutable QList<RolePermissionKey> m_reach;
    mutable bool m_hasReach = false;
};

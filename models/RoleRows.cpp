#include "models/RoleRows.h"

#include "models/Directory.h"

#include <algorithm>

int RoleRow::permissionCount() const
{
    return static_cast<int>(
        std::count_if(permissions.cbegin(), permissions.cend(), [](const RolePermissionRow& p) { return p.level; }));
}

QStringList RoleRow::memberNames() const
{
    QStringList names;
    for (const RoleMemberRow& member : members) {
        if (member.assigned)
            names.append(member.username);
    }
    return names;
}

bool RoleRow::isPending() const
{
    if (pendingCreate || pendingDelete || pendingUpdate)
        return true;
    return std::any_of(permissions.cbegin(), permissions.cend(), [](const auto& p) { return p.isPending(); }) ||
           std::any_of(members.cbegin(), members.cend(), [](const auto& m) { return m.isPending(); });
}

namespace {

// Folds the staged permissions and members of one role into its row. `row` is the Directory row of the role, or -1
// for a role whose creation is staged (then `ref` finds its staged entries).
void addStaged(const ChangeSet& changeSet, int row, RoleRow& result)
{
    const auto belongs = [&](const RoleRef& role) {
        return row >= 0 ? changeSet.directoryRoleRow(role) == row : role == result.ref;
    };
    for (const StagedRolePermission& staged : changeSet.stagedRolePermissions()) {
        if (!belongs(staged.key.role))
            continue;
        auto it = std::find_if(result.permissions.begin(), result.permissions.end(), [&](const RolePermissionRow& p) {
            return p.key.resourceType == staged.key.resourceType && p.key.pattern == staged.key.pattern;
        });
        if (it == result.permissions.end()) {
            RolePermissionRow added;
            added.key = staged.key;
            result.permissions.append(added);
            it = result.permissions.end() - 1;
        }
        it->key = staged.key; // the staged key is the one to stage further changes on
        it->level = staged.target;
        it->error = staged.error.isError() ? staged.error.userMessage() : QString();
    }
    for (const StagedRoleMember& staged : changeSet.stagedRoleMembers()) {
        if (!belongs(staged.key.role))
            continue;
        auto it = std::find_if(result.members.begin(), result.members.end(),
                               [&](const RoleMemberRow& m) { return m.username == staged.key.username; });
        if (it == result.members.end()) {
            result.members.append(RoleMemberRow{staged.key.username, staged.assign, false, QString()});
            it = result.members.end() - 1;
        }
        it->assigned = staged.assign;
        it->error = staged.error.isError() ? staged.error.userMessage() : QString();
    }
}

} // namespace

QList<RoleRow> RoleRows::build(const ChangeSet& changeSet)
{
    QList<RoleRow> rows;
    const Directory* directory = changeSet.directory();
    if (!directory)
        return rows;
    for (int row = 0; row < directory->roleCount(); ++row) {
        const DirectoryRole& loaded = directory->roleAt(row);
        if (loaded.role.isHiddenUserRole())
            continue;
        RoleRow result;
        result.ref = RoleRef::of(loaded.role);
        result.name = loaded.role.name;
        result.workspace = loaded.role.workspace;
        result.description = loaded.role.description;
        if (const StagedRole* staged = changeSet.stagedRole(result.ref)) {
            result.name = staged->name.value_or(result.name);
            result.description = staged->description.value_or(result.description);
            result.pendingDelete = staged->remove;
            result.pendingUpdate = staged->name || staged->description;
            result.error = staged->error.isError() ? staged->error.userMessage() : QString();
        }
        for (const RolePermission& permission : loaded.role.permissions) {
            RolePermissionRow p;
            p.key = RolePermissionKey{result.ref, permission.resourceType, permission.resourcePattern};
            p.level = permission.level;
            p.loadedLevel = permission.level;
            result.permissions.append(p);
        }
        for (const QString& member : loaded.members)
            result.members.append(RoleMemberRow{member, true, true, QString()});
        addStaged(changeSet, row, result);
        rows.append(result);
    }
    for (const StagedRole& staged : changeSet.stagedRoles()) {
        if (!changeSet.isStagedRoleCreation(staged.role))
            continue;
        RoleRow result;
        result.ref = staged.role;
        result.name = staged.role.name;
        result.workspace = staged.role.workspace;
        result.description = staged.description.value_or(QString());
        result.pendingCreate = true;
        result.error = staged.error.isError() ? staged.error.userMessage() : QString();
        addStaged(changeSet, -1, result);
        rows.append(result);
    }
    return rows;
}

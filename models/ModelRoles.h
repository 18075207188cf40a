#pragma once

#include <Qt>

// Custom data roles shared by the item models of this folder, so views, delegates and proxies can read the
// underlying values instead of parsing display text.
namespace ModelRoles {
enum Role {
    // The raw value behind a cell, suitable for sorting: QString, qlonglong (ids, counts, ms since the epoch) or
    // bool. Sort proxies use it as their sortRole.
    ValueRole = Qt::UserRole + 1,
    UsernameRole,         // QString: the user of the row (or matrix cell / header)
    ResourceIdRole,       // QString: experiment id or registered model name
    PermissionLevelRole,  // int (PermissionLevel): the effective level; the pending one for a staged cell
    PermissionSourceRole, // int (EffectivePermission::Source)
    PendingRole,          // bool: a staged, not yet applied change affects this cell or row
    ErrorRole,            // QString: why the last apply of this pending change failed; empty when it did not
    ExplicitLevelRole,    // int (PermissionLevel) of the loaded explicit row, or -1 when there is none
    ComparisonRole,       // int (SnapshotDiff::Change) in the matrix's Compare mode, or -1: unchanged / not comparing
};
} // namespace ModelRoles

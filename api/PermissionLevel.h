#pragma once

#include <QString>
#include <QStringList>

#include <optional>

// MLflow's permission levels, ordered by what they allow (MLflow 3.12+ priority order).
enum class PermissionLevel { NoPermissions = 0, Read = 1, Use = 2, Edit = 3, Manage = 4 };

namespace Permissions {

// The wire name: "READ", "USE", "EDIT", "MANAGE", "NO_PERMISSIONS".
QString name(PermissionLevel level);
// Exact, case-sensitive parse of a wire name, as MLflow does ("read" is not a level).
std::optional<PermissionLevel> parse(const QString& name);
// The levels MLflow 2.x accepts, in the order its error message lists them.
QStringList legacyNames();

bool canRead(PermissionLevel level);
bool canUse(PermissionLevel level);
bool canUpdate(PermissionLevel level);
bool canDelete(PermissionLevel level);
bool canManage(PermissionLevel level);

} // namespace Permissions

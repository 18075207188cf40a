#include "api/PermissionLevel.h"

namespace Permissions {

QString name(PermissionLevel level)
{
    switch (level) {
    case PermissionLevel::Read:
        return QStringLiteral("READ");
    case PermissionLevel::Use:
        return QStringLiteral("USE");
    case PermissionLevel::Edit:
        return QStringLiteral("EDIT");
    case PermissionLevel::Manage:
        return QStringLiteral("MANAGE");
    case PermissionLevel::NoPermissions:
        break;
    }
    return QStringLiteral("NO_PERMISSIONS");
}

std::optional<PermissionLevel> parse(const QString& name)
{
    if (name == QLatin1String("READ"))
        return PermissionLevel::Read;
    if (name == QLatin1String("USE"))
        return PermissionLevel::Use;
    if (name == QLatin1String("EDIT"))
        return PermissionLevel::Edit;
    if (name == QLatin1String("MANAGE"))
        return PermissionLevel::Manage;
    if (name == QLatin1String("NO_PERMISSIONS"))
        return PermissionLevel::NoPermissions;
    return std::nullopt;
}

QStringList legacyNames()
{
    return {QStringLiteral("READ"), QStringLiteral("EDIT"), QStringLiteral("MANAGE"), QStringLiteral("NO_PERMISSIONS")};
}

bool canRead(PermissionLevel level)
{
    return level != PermissionLevel::NoPermissions;
}

bool canUse(PermissionLevel level)
{
    return level >= PermissionLevel::Use;
}

bool canUpdate(PermissionLevel level)
{
    return level >= PermissionLevel::Edit;
}

bool canDelete(PermissionLevel level)
{
    return level == PermissionLevel::Manage;
}

bool canManage(PermissionLevel level)
{
    return level == PermissionLevel::Manage;
}

} // namespace Permissions

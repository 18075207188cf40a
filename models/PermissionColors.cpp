#include "models/PermissionColors.h"

namespace PermissionColors {

QColor tint(PermissionLevel level)
{
    switch (level) {
    case PermissionLevel::Read:
        return QColor(0xdc, 0xe9, 0xf8);
    case PermissionLevel::Use:
        return QColor(0xdc, 0xf1, 0xf1);
    case PermissionLevel::Edit:
        return QColor(0xfb, 0xee, 0xc9);
    case PermissionLevel::Manage:
        return QColor(0xd8, 0xef, 0xda);
    case PermissionLevel::NoPermissions:
        break;
    }
    return QColor(0xf3, 0xd9, 0xd9);
}

QColor staged()
{
    return QColor(0xe6, 0xd5, 0xf7);
}

} // namespace PermissionColors

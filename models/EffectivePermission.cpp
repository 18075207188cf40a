#include "models/EffectivePermission.h"

#include <QCoreApplication>

QString EffectivePermission::reason() const
{
    const QString levelName = Permissions::name(level);
    switch (source) {
    case Source::Admin:
        return QCoreApplication::translate("EffectivePermission", "%1: administrator (admins bypass every check)")
            .arg(levelName);
    case Source::ExplicitGrant:
        return QCoreApplication::translate("EffectivePermission", "%1: explicit grant").arg(levelName);
    case Source::Role:
        return QCoreApplication::translate("EffectivePermission", "%1: through role %2").arg(levelName, detail);
    case Source::DefaultPermission:
        return QCoreApplication::translate("EffectivePermission", "%1: default permission of the server")
            .arg(levelName);
    case Source::Unknown:
        break;
    }
    return QCoreApplication::translate("EffectivePermission",
                                       "No explicit grant; the server's default permission is not known");
}

QString EffectivePermission::sourceName(Source source)
{
    switch (source) {
    case Source::Admin:
        return QCoreApplication::translate("EffectivePermission", "administrator");
    case Source::ExplicitGrant:
        return QCoreApplication::translate("EffectivePermission", "explicit grant");
    case Source::Role:
        return QCoreApplication::translate("EffectivePermission", "role");
    case Source::DefaultPermission:
        return QCoreApplication::translate("EffectivePermission", "default permission");
    case Source::Unknown:
        break;
    }
    return QCoreApplication::translate("EffectivePermission", "unknown");
}

#include "models/EffectivePermission.h"

#include <QCoreApplication>
#include <QStringList>

QString EffectivePermission::Contributor::text() const
{
    const QString levelName = Permissions::name(level);
    switch (source) {
    case Source::Admin:
        return QCoreApplication::translate("EffectivePermission", "%1 as administrator").arg(levelName);
    case Source::ExplicitGrant:
        return allResources ? QCoreApplication::translate("EffectivePermission", "%1 by direct grant (all resources)")
                                  .arg(levelName)
                            : QCoreApplication::translate("EffectivePermission", "%1 by direct grant").arg(levelName);
    case Source::Role:
        return allResources
                   ? QCoreApplication::translate("EffectivePermission", "%1 through role %2 (all resources)")
                         .arg(levelName, detail)
                   : QCoreApplication::translate("EffectivePermission", "%1 through role %2").arg(levelName, detail);
    case Source::DefaultPermission:
        return QCoreApplication::translate("EffectivePermission", "%1 as the server's default permission")
            .arg(levelName);
    case Source::Unknown:
    case Source::NotVisible:
        break;
    }
    return levelName;
}

QString EffectivePermission::reason() const
{
    const QString levelName = Permissions::name(level);
    QString main;
    switch (source) {
    case Source::Admin:
        return QCoreApplication::translate("EffectivePermission", "%1: administrator (admins bypass every check)")
            .arg(levelName);
    case Source::ExplicitGrant:
        main = !contributors.isEmpty() && contributors.first().allResources
                   ? contributors.first().text()
                   : QCoreApplication::translate("EffectivePermission", "%1: explicit grant").arg(levelName);
        break;
    case Source::Role:
        main = !contributors.isEmpty()
                   ? contributors.first().text()
                   : QCoreApplication::translate("EffectivePermission", "%1 through role %2").arg(levelName, detail);
        break;
    case Source::DefaultPermission:
        main =
            QCoreApplication::translate("EffectivePermission", "%1: default permission of the server").arg(levelName);
        break;
    case Source::Unknown:
        if (contributors.isEmpty())
            return QCoreApplication::translate("EffectivePermission",
                                               "No explicit grant; the server's default permission is not known");
        main = contributors.first().text();
        break;
    case Source::NotVisible:
        return QCoreApplication::translate("EffectivePermission",
                                           "Not visible to you: the server shows other users' access only to an "
                                           "administrator%1")
            .arg(detail.isEmpty() ? QString() : QLatin1String(" ") + detail);
    }
    if (contributors.size() < 2)
        return main;
    QStringList others;
    for (qsizetype i = 1; i < contributors.size(); ++i)
        others.append(contributors.at(i).text());
    return QCoreApplication::translate("EffectivePermission", "%1; also %2")
        .arg(main, others.join(QLatin1String(", ")));
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
    case Source::NotVisible:
        return QCoreApplication::translate("EffectivePermission", "not visible to this account");
    case Source::Unknown:
        break;
    }
    return QCoreApplication::translate("EffectivePermission", "unknown");
}

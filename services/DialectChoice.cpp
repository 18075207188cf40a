#include "services/DialectChoice.h"

#include <QCoreApplication>

namespace DialectChoice {

std::optional<Dialect> fromCommandLine(const QString& api, bool workspaces, QString* error)
{
    Dialect dialect;
    if (api == QLatin1String("3")) {
        dialect.generation = Dialect::Generation::Mlflow3;
    } else if (api != QLatin1String("2")) {
        *error = QCoreApplication::translate("DialectChoice",
                                             "Invalid --api '%1': give 2 (MLflow 2.15.1) or 3 (MLflow 3.14).")
                     .arg(api);
        return std::nullopt;
    }
    if (workspaces && !dialect.isMlflow3()) {
        *error = QCoreApplication::translate("DialectChoice",
                                             "--workspaces needs --api 3: MLflow 2.15.1 has no workspaces. Add "
                                             "--api 3, or leave out --workspaces.");
        return std::nullopt;
    }
    dialect.workspaces = workspaces;
    return dialect;
}

QList<Dialect> all()
{
    Dialect mlflow3;
    mlflow3.generation = Dialect::Generation::Mlflow3;
    Dialect mlflow3Workspaces = mlflow3;
    mlflow3Workspaces.workspaces = true;
    return {Dialect(), mlflow3, mlflow3Workspaces};
}

QString settingsKey(const Dialect& dialect)
{
    if (!dialect.isMlflow3())
        return QStringLiteral("mlflow2");
    return dialect.workspaces ? QStringLiteral("mlflow3-workspaces") : QStringLiteral("mlflow3");
}

std::optional<Dialect> fromSettingsKey(const QString& key)
{
    for (const Dialect& dialect : all()) {
        if (settingsKey(dialect) == key)
            return dialect;
    }
    return std::nullopt;
}

} // namespace DialectChoice

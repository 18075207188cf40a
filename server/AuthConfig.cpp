#include "server/AuthConfig.h"

#include "api/PermissionLevel.h"

#include <QDir>
#include <QFile>
#include <QTextStream>

bool AuthConfig::adminPasswordIsShippedDefault() const
{
    return adminPassword == QLatin1String("password") || adminPassword == QLatin1String("password1234");
}

bool AuthConfig::load(const QString& path, AuthConfig* config, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        *error = QStringLiteral("Cannot read the auth configuration %1: %2. Check the path given with --config or "
                                "MLFLOW_AUTH_CONFIG_PATH.")
                     .arg(path, file.errorString());
        return false;
    }
    QTextStream stream(&file);
    QString section;
    int lineNumber = 0;
    while (!stream.atEnd()) {
        const QString line = stream.readLine().trimmed();
        ++lineNumber;
        if (line.isEmpty() || line.startsWith(QLatin1Char(';')) || line.startsWith(QLatin1Char('#')))
            continue;
        if (line.startsWith(QLatin1Char('[')) && line.endsWith(QLatin1Char(']'))) {
            section = line.mid(1, line.size() - 2).trimmed();
            continue;
        }
        int separator = line.indexOf(QLatin1Char('='));
        const int colon = line.indexOf(QLatin1Char(':'));
        if (separator < 0 || (colon >= 0 && colon < separator))
            separator = colon;
        if (separator <= 0) {
            *error = QStringLiteral("%1:%2: expected 'key = value'.").arg(path).arg(lineNumber);
            return false;
        }
        if (section != QLatin1String("mlflow"))
            continue;
        const QString key = line.left(separator).trimmed().toLower();
        const QString value = line.mid(separator + 1).trimmed();
        if (key == QLatin1String("default_permission"))
            config->defaultPermission = value;
        else if (key == QLatin1String("database_uri"))
            config->databaseUri = value;
        else if (key == QLatin1String("admin_username"))
            config->adminUsername = value;
        else if (key == QLatin1String("admin_password"))
            config->adminPassword = value;
    }
    if (!Permissions::parse(config->defaultPermission) || config->defaultPermission == QLatin1String("USE")) {
        *error = QStringLiteral("%1: default_permission '%2' is not one of READ, EDIT, MANAGE, NO_PERMISSIONS.")
                     .arg(path, config->defaultPermission);
        return false;
    }
    if (config->sqlitePath(QDir::currentPath()).isEmpty()) {
        *error = QStringLiteral("%1: database_uri '%2' is not supported by the embedded server; use "
                                "sqlite:///relative/path.db or sqlite:////absolute/path.db.")
                     .arg(path, config->databaseUri);
        return false;
    }
    if (config->adminUsername.isEmpty()) {
        *error = QStringLiteral("%1: admin_username must not be empty.").arg(path);
        return false;
    }
    return true;
}

QString AuthConfig::sqlitePath(const QString& baseDir) const
{
    const QString prefix = QStringLiteral("sqlite:///");
    if (!databaseUri.startsWith(prefix))
        return {};
    const QString rest = databaseUri.mid(prefix.size());
    if (rest.isEmpty())
        return {};
    // sqlite:////abs/path keeps its leading slash after the prefix.
    if (rest.startsWith(QLatin1Char('/')))
        return QDir::cleanPath(rest);
    return QDir(baseDir).absoluteFilePath(rest);
}

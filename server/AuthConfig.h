#pragma once

#include <QString>

// The [mlflow] section of MLflow's basic_auth.ini. Defaults are MLflow 2.15.1's.
struct AuthConfig
{
    QString defaultPermission = QStringLiteral("READ");
    QString databaseUri = QStringLiteral("sqlite:///basic_auth.db");
    QString adminUsername = QStringLiteral("admin");
    QString adminPassword = QStringLiteral("password");

    // The password MLflow ships as the bootstrap admin's; a server still using it must stay on loopback.
    bool adminPasswordIsShippedDefault() const;

    // Reads an ini file (configparser syntax: [section], key = value or key: value, ; and # comments).
    // Keys missing from the file keep their defaults. Returns false with `error` set when the file cannot be read or
    // a value is invalid (an unknown default_permission, a database_uri that is not sqlite).
    static bool load(const QString& path, AuthConfig* config, QString* error);

    // The SQLite file named by databaseUri, relative paths resolved against `baseDir` (MLflow resolves them
    // against its working directory; we use the data dir so a server is self-contained). Empty if not sqlite.
    QString sqlitePath(const QString& baseDir) const;
};

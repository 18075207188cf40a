#pragma once

#include "api/PermissionLevel.h"

#include <QString>
#include <QUrl>

#include <optional>

// One saved MLflow server: what the login dialog and `--profile NAME` remember. Never holds the password; that
// lives in the OS keychain (CredentialStore).
struct ServerProfile
{
    QString name;
    QUrl url;
    QString username;
    QString caBundlePath;    // extra CA certificates (PEM) trusted for this server
    QByteArray pinnedSha256; // a self-signed certificate the user chose to trust, by SHA-256 fingerprint
    QString authDatabaseUri; // optional read-only connection to the auth database
    QString workspace;       // MLflow 3.10+ workspace the profile works in; empty: MLflow's "default"
    // The server's default_permission as the admin stated it: MLflow's REST API does not reveal it, and without it
    // a cell with no grant can only say "unknown".
    std::optional<PermissionLevel> defaultPermission;
};

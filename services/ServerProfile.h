#pragma once

#include "api/PermissionLevel.h"

#include <QString>
#include <QUrl>

#include <optional>

// How the console lists the users of a server that cannot (MLflow before 3.10 has no users/list), as the admin
// chose at sign-in: from the auth database, or the users this console and the CLI know of. NotChosen: ask.
enum class UsersSource { NotChosen, AuthDatabase, KnownUsers };

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
    // Its password (PostgreSQL, MySQL) is in the keychain under CredentialStore::authDatabaseKey(name), never here.
    bool authDatabasePasswordInKeychain = false;
    UsersSource usersSource = UsersSource::NotChosen; // an authDatabaseUri counts as AuthDatabase
    QString workspace; // MLflow 3.10+ workspace the profile works in; empty: MLflow's "default"
    // The server's default_permission as the admin stated it: MLflow's REST API does not reveal it, and without it
    // a cell with no grant can only say "unknown".
    std::optional<PermissionLevel> defaultPermission;
};

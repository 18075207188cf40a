#pragma once

#include <QString>
#include <QUrl>

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
};

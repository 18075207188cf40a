#pragma once

#include <QString>

// Files that hold password hashes, server addresses, user names or staged grants are for their owner alone: folders
// 0700, files 0600, created so from the start (never world-readable for a moment) and tightened when an existing one
// is found wider (an older version, a copy, a umask of 022). Used by the server's data dir and databases, the
// profiles and settings files, the known-users and staged-changes databases.
namespace PrivateFiles {

// Creates the folder (and missing parents) if needed and makes the folder itself owner-only.
bool ensureFolder(const QString& path, QString* error = nullptr);
// Creates an empty owner-only file if there is none, else tightens it to 0600; its folder is left as it is.
bool ensureFile(const QString& path, QString* error = nullptr);
// A QSettings file in a folder of our own (~/.config/mlflow-admin): the folder and the file.
bool ensureSettingsFile(const QString& path, QString* error = nullptr);
// ensureFile for an SQLite database, plus the -wal, -shm and -journal files SQLite keeps beside it (tightened when
// present; SQLite creates missing ones with the database's own mode).
bool ensureSqliteFile(const QString& path, QString* error = nullptr);

} // namespace PrivateFiles

#pragma once

#include "server/MlflowError.h"

#include <QSqlError>
#include <QString>

// What a failed SQLite statement means to a client. A database that another program holds locked (SQLITE_BUSY or
// SQLITE_LOCKED, after the short busy timeout) is a 503 TEMPORARILY_UNAVAILABLE the client may retry, answered with
// Retry-After; anything else is a 500 INTERNAL_ERROR.
namespace SqlFailure {

// Seconds a client is told to wait when a database is locked.
constexpr int retryAfterSeconds = 1;
// How long a statement waits for another connection's lock before it fails. Short, since the server has one
// request thread: a long wait would stall every other client behind one locked database.
constexpr int busyTimeoutMs = 250;

bool isLocked(const QSqlError& error);
// `database` names the file for the message: "auth" or "tracking".
MlflowError toMlflowError(const QSqlError& error, const QString& database);

} // namespace SqlFailure

#include "server/SqlFailure.h"

namespace SqlFailure {

bool isLocked(const QSqlError& error)
{
    bool ok = false;
    // The QSQLITE driver reports sqlite3_errcode(); extended codes (SQLITE_BUSY_SNAPSHOT = 517) keep the primary code
    // in their low byte.
    const int code = error.nativeErrorCode().toInt(&ok);
    if (!ok)
        return false;
    const int primary = code & 0xff;
    return primary == 5 /* SQLITE_BUSY */ || primary == 6 /* SQLITE_LOCKED */;
}

MlflowError toMlflowError(const QSqlError& error, const QString& database)
{
    if (isLocked(error))
        return MlflowError(
            "TEMPORARILY_UNAVAILABLE",
            QStringLiteral("The %1 database is locked by another program (%2). Nothing was changed; retry the request "
                           "in a moment, and if this persists, look for a program holding the database open.")
                .arg(database, error.databaseText()));
    return MlflowError::internal(QStringLiteral("The %1 database failed: %2").arg(database, error.databaseText()));
}

} // namespace SqlFailure

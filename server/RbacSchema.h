#pragma once

#include <QSqlDatabase>
#include <QString>

// MLflow 3.14's auth schema (alembic head f1a2b3c4d5e6, version table alembic_version_auth), as a real MLflow 3.14
// creates it in SQLite: users, roles, role_permissions, user_role_assignments, and the legacy per-resource tables
// that 3.13 stopped using but still keeps. Written to match table by table, so a real 3.14 opens what we write.
namespace RbacSchema {

inline constexpr const char* revision = "f1a2b3c4d5e6";
inline constexpr const char* versionTable = "alembic_version_auth";

// Creates every table and index that is missing and stamps the revision in an empty version table, in one
// transaction. Returns false with `error` set (the database is left as it was) on failure.
bool create(QSqlDatabase& database, QString* error);

// The same tables and indexes, without a transaction of its own and without stamping: for a caller (the 2.x
// migration) that runs it inside its own transaction. Returns false with `error` set on the first failure.
bool createTables(QSqlDatabase& database, QString* error);

// The revision stamped in alembic_version_auth, or empty when the table is missing or empty.
QString stampedRevision(const QSqlDatabase& database);

} // namespace RbacSchema

#pragma once

#include <QSqlDatabase>
#include <QString>

// Brings an auth database up to MLflow 3.14's schema (alembic f1a2b3c4d5e6) the way MLflow's own migrations do, for
// the server in `--api 3` mode:
//  - an MLflow 2.x database (users and alembic_version at 8606fa83a998, no alembic_version_auth) or one stamped at
//    any revision of MLflow's chain 8606fa83a998 -> 0965eb92f5f0 -> a1b2c3d4e5f6 -> 2ed73881770d -> c3d4e5f6a7b8 ->
//    e5f6a7b8c9d0 -> f1a2b3c4d5e6 is first copied to a backup beside it, then upgraded in one transaction: the
//    missing tables are created, legacy experiment, registered-model, scorer, gateway and workspace grants are
//    backfilled into hidden per-user roles `__user_<id>__`, and prompt grants are re-typed. The legacy tables and
//    the old alembic_version table stay, as MLflow 3.14 leaves them;
//  - a database at f1a2b3c4d5e6 is left alone;
//  - an empty database gets MLflow 3.14's schema (RbacSchema::create);
//  - a database at a revision we do not know (a newer MLflow) is refused, untouched.
namespace RbacMigration {

enum class Outcome {
    AlreadyCurrent, // at f1a2b3c4d5e6: nothing to do
    Created,        // empty database: MLflow 3.14's schema created
    Migrated,       // backed up and upgraded
    Refused,        // unknown revision or not an auth database: untouched
    Failed,         // the backup or the upgrade failed: rolled back, original untouched
};

// `database` is an open SQLite connection to the file at `path` (the backup copies that file). Returns true for
// AlreadyCurrent, Created and Migrated with `report` set to a sentence for the server log (the backup's path and
// what was migrated); false for Refused and Failed with `error` saying what happened, where the backup is and
// what to do. `outcome`, when given, says which case it was.
bool prepare(QSqlDatabase& database, const QString& path, QString* report, QString* error, Outcome* outcome = nullptr);

} // namespace RbacMigration

#include "server/RbacMigration.h"

#include "server/RbacSchema.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QPair>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QUrl>
#include <QVariant>

namespace {

// MLflow's auth migrations in order (mlflow/server/auth/db/migrations/versions); the last one is 3.14's head.
const char* const chain[] = {
    "8606fa83a998", // initial (2.x)
    "0965eb92f5f0", // scorer_permissions (3.7)
    "a1b2c3d4e5f6", // gateway_*_permissions (3.9)
    "2ed73881770d", // workspace_permissions, registered_model_permissions.workspace (3.10)
    "c3d4e5f6a7b8", // roles, role_permissions, user_role_assignments (3.12)
    "e5f6a7b8c9d0", // legacy grants backfilled into hidden per-user roles (3.13)
    "f1a2b3c4d5e6", // prompt grants re-typed (3.13)
};
constexpr int chainLength = int(sizeof(chain) / sizeof(chain[0]));
constexpr int backfillStep = 5;
constexpr int promptStep = 6;

int chainIndex(const QString& revision)
{
    for (int i = 0; i < chainLength; ++i) {
        if (revision == QLatin1String(chain[i]))
            return i;
    }
    return -1;
}

QString failure(const QSqlQuery& query)
{
    return query.lastError().text();
}

bool hasColumn(const QSqlDatabase& database, const QString& table, const QString& column)
{
    QSqlQuery query(database);
    // PRAGMA arguments cannot be bound; `table` is always one of our own constant names.
    if (!query.exec(QStringLiteral("PRAGMA table_info(%1)").arg(table)))
        return false;
    while (query.next()) {
        if (query.value(1).toString() == column)
            return true;
    }
    return false;
}

QString singleValue(const QSqlDatabase& database, const QString& sql)
{
    QSqlQuery query(database);
    if (!query.exec(sql) || !query.next())
        return {};
    return query.value(0).toString();
}

// Where the backup goes: beside the original, named for what it was and when, never an existing file.
QString backupPathFor(const QString& path, int fromStep)
{
    const QString kind = fromStep == 0 ? QStringLiteral("mlflow2") : QStringLiteral("mlflow3-%1").arg(chain[fromStep]);
    const QString base =
        QStringLiteral("%1.%2-backup-%3")
            .arg(path, kind, QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss")));
    QString candidate = base;
    for (int n = 2; QFileInfo::exists(candidate); ++n)
        candidate = QStringLiteral("%1-%2").arg(base).arg(n);
    return candidate;
}

// Copies the database file byte for byte into a new owner-only file. The WAL is checkpointed into the main file
// first, because a copy of the main file alone would miss every transaction still in the WAL.
bool backUp(QSqlDatabase& database, const QString& path, const QString& backupPath, QString* error)
{
    QSqlQuery checkpoint(database);
    if (!checkpoint.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"))) {
        *error = QStringLiteral("cannot checkpoint its write-ahead log (%1)").arg(failure(checkpoint));
        return false;
    }
    if (checkpoint.next() && checkpoint.value(0).toInt() != 0) {
        *error = QStringLiteral("another process holds the database, so its write-ahead log cannot be checkpointed; "
                                "stop that process first");
        return false;
    }
    checkpoint.finish();

    QFile source(path);
    if (!source.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read it (%1)").arg(source.errorString());
        return false;
    }
    QFile target(backupPath);
    if (!target.open(QIODevice::WriteOnly | QIODevice::NewOnly, QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        *error = QStringLiteral("cannot create the backup %1 (%2)").arg(backupPath, target.errorString());
        return false;
    }
    while (!source.atEnd()) {
        const QByteArray chunk = source.read(1 << 20);
        if (chunk.isEmpty() && source.error() != QFileDevice::NoError) {
            *error = QStringLiteral("cannot read it (%1)").arg(source.errorString());
            target.remove();
            return false;
        }
        if (target.write(chunk) != chunk.size()) {
            *error = QStringLiteral("cannot write the backup %1 (%2)").arg(backupPath, target.errorString());
            target.remove();
            return false;
        }
    }
    if (!target.flush() || target.size() != source.size()) {
        *error = QStringLiteral("cannot write the backup %1 (%2)").arg(backupPath, target.errorString());
        target.remove();
        return false;
    }
    return true;
}

// 2ed73881770d: registered_model_permissions gains `workspace` (default 'default') and its unique key becomes
// (workspace, name, user_id). Alembic's batch mode rebuilds the table under a temporary name and renames it back,
// which is why SQLite stores the new table's name quoted; we rebuild it the same way so the DDL matches.
bool addModelWorkspaces(QSqlDatabase& database, QString* error)
{
    if (hasColumn(database, QStringLiteral("registered_model_permissions"), QStringLiteral("workspace")))
        return true;
    const char* const statements[] = {
        "CREATE TABLE _alembic_tmp_registered_model_permissions (id INTEGER NOT NULL, name VARCHAR(255) NOT NULL, "
        "user_id INTEGER NOT NULL, permission VARCHAR(255), workspace VARCHAR(63) DEFAULT 'default' NOT NULL, "
        "PRIMARY KEY (id), CONSTRAINT fk_user_id FOREIGN KEY(user_id) REFERENCES users (id), "
        "CONSTRAINT unique_workspace_name_user UNIQUE (workspace, name, user_id))",
        "INSERT INTO _alembic_tmp_registered_model_permissions (id, name, user_id, permission, workspace) "
        "SELECT id, name, user_id, permission, 'default' FROM registered_model_permissions",
        "DROP TABLE registered_model_permissions",
        "ALTER TABLE _alembic_tmp_registered_model_permissions RENAME TO registered_model_permissions",
    };
    QSqlQuery query(database);
    for (const char* statement : statements) {
        if (!query.exec(QString::fromLatin1(statement))) {
            *error = QStringLiteral("cannot add workspaces to registered_model_permissions (%1)").arg(failure(query));
            return false;
        }
    }
    return true;
}

// e5f6a7b8c9d0: every legacy grant becomes a row of role_permissions in the hidden role `__user_<id>__` of its
// user and workspace, the role created and assigned on first use. NO_PERMISSIONS rows are dropped (3.13 has no
// explicit denies; the default permission is a floor), and workspace grants are reduced to USE and MANAGE.
class LegacyGrantBackfill
{
public:
    explicit LegacyGrantBackfill(QSqlDatabase& database) : m_database(database) {}

    bool run(QString* error);

    int grants() const { return m_grants; }
    int dropped() const { return m_dropped; }
    int rolesCreated() const { return m_rolesCreated; }

private:
    struct Grant
    {
        qint64 userId;
        QString workspace;
        QString resourceType;
        QString resourcePattern;
        QString permission;
    };

    bool backfillWorkspaces(QString* error);
    bool backfillResources(const QString& select, const QString& resourceType, QString* error);
    bool add(const Grant& grant, QString* error);
    bool roleFor(qint64 userId, const QString& workspace, qint64* roleId, QString* error);

    QSqlDatabase& m_database;
    QHash<QPair<qint64, QString>, qint64> m_roles;
    int m_grants = 0;
    int m_dropped = 0;
    int m_rolesCreated = 0;
};

bool isResourcePermission(const QString& permission)
{
    return permission == QLatin1String("READ") || permission == QLatin1String("USE") ||
           permission == QLatin1String("EDIT") || permission == QLatin1String("MANAGE");
}

bool LegacyGrantBackfill::run(QString* error)
{
    // MLflow's order, which decides the ids of the hidden roles: workspaces, experiments, registered models,
    // scorers, then the three gateway tables, each in row order. Every select yields user_id, workspace,
    // pattern, an optional second pattern part (the scorer name) and permission.
    if (!backfillWorkspaces(error))
        return false;
    const QPair<const char*, const char*> tables[] = {
        {"SELECT user_id, 'default', experiment_id, NULL, permission FROM experiment_permissions ORDER BY rowid",
         "experiment"},
        {"SELECT user_id, workspace, name, NULL, permission FROM registered_model_permissions ORDER BY rowid",
         "registered_model"},
        {"SELECT user_id, 'default', experiment_id, scorer_name, permission FROM scorer_permissions ORDER BY rowid",
         "scorer"},
        {"SELECT user_id, 'default', secret_id, NULL, permission FROM gateway_secret_permissions ORDER BY rowid",
         "gateway_secret"},
        {"SELECT user_id, 'default', endpoint_id, NULL, permission FROM gateway_endpoint_permissions ORDER BY rowid",
         "gateway_endpoint"},
        {"SELECT user_id, 'default', model_definition_id, NULL, permission FROM gateway_model_definition_permissions "
         "ORDER BY rowid",
         "gateway_model_definition"},
    };
    for (const auto& table : tables) {
        if (!backfillResources(QString::fromLatin1(table.first), QString::fromLatin1(table.second), error))
            return false;
    }
    return true;
}

bool LegacyGrantBackfill::backfillWorkspaces(QString* error)
{
    QSqlQuery rows(m_database);
    if (!rows.exec(QStringLiteral("SELECT user_id, workspace, permission FROM workspace_permissions ORDER BY rowid"))) {
        *error = QStringLiteral("cannot read workspace_permissions (%1)").arg(failure(rows));
        return false;
    }
    // Read everything first: the inserts below must not run while this statement is still stepping.
    QList<Grant> legacy;
    while (rows.next())
        legacy.append({rows.value(0).toLongLong(), rows.value(1).toString(), {}, {}, rows.value(2).toString()});
    for (const Grant& row : legacy) {
        const QString star = QStringLiteral("*");
        if (row.permission == QLatin1String("EDIT")) {
            // Workspace EDIT no longer exists: USE on the workspace plus EDIT on every resource type in it.
            if (!add({row.userId, row.workspace, QStringLiteral("workspace"), star, QStringLiteral("USE")}, error))
                return false;
            for (const char* type : {"experiment", "registered_model", "scorer", "gateway_secret", "gateway_endpoint",
                                     "gateway_model_definition"}) {
                if (!add({row.userId, row.workspace, QString::fromLatin1(type), star, QStringLiteral("EDIT")}, error))
                    return false;
            }
            continue;
        }
        const QString permission = row.permission == QLatin1String("READ") ? QStringLiteral("USE") : row.permission;
        if (permission != QLatin1String("USE") && permission != QLatin1String("MANAGE")) {
            ++m_dropped;
            continue;
        }
        if (!add({row.userId, row.workspace, QStringLiteral("workspace"), star, permission}, error))
            return false;
    }
    return true;
}

bool LegacyGrantBackfill::backfillResources(const QString& select, const QString& resourceType, QString* error)
{
    QSqlQuery rows(m_database);
    if (!rows.exec(select)) {
        *error = QStringLiteral("cannot read the legacy %1 grants (%2)").arg(resourceType, failure(rows));
        return false;
    }
    QList<Grant> legacy;
    while (rows.next()) {
        QString pattern = rows.value(2).toString();
        // A scorer is `<experiment id>/<percent-encoded name>`, as MLflow's store spells it (names may hold '/').
        if (!rows.value(3).isNull())
            pattern += QLatin1Char('/') + QString::fromLatin1(QUrl::toPercentEncoding(rows.value(3).toString()));
        legacy.append(
            {rows.value(0).toLongLong(), rows.value(1).toString(), resourceType, pattern, rows.value(4).toString()});
    }
    for (const Grant& grant : legacy) {
        if (!isResourcePermission(grant.permission)) {
            ++m_dropped;
            continue;
        }
        if (!add(grant, error))
            return false;
    }
    return true;
}

bool LegacyGrantBackfill::add(const Grant& grant, QString* error)
{
    qint64 roleId = 0;
    if (!roleFor(grant.userId, grant.workspace, &roleId, error))
        return false;
    QSqlQuery existing(m_database);
    existing.prepare(QStringLiteral("SELECT id FROM role_permissions WHERE role_id = ? AND resource_type = ? "
                                    "AND resource_pattern = ?"));
    existing.addBindValue(roleId);
    existing.addBindValue(grant.resourceType);
    existing.addBindValue(grant.resourcePattern);
    if (!existing.exec()) {
        *error = QStringLiteral("cannot read role_permissions (%1)").arg(failure(existing));
        return false;
    }
    if (existing.next())
        return true; // already migrated (a database stamped mid-way); MLflow keeps the first row too
    QSqlQuery insert(m_database);
    insert.prepare(QStringLiteral("INSERT INTO role_permissions (role_id, resource_type, resource_pattern, permission) "
                                  "VALUES (?, ?, ?, ?)"));
    insert.addBindValue(roleId);
    insert.addBindValue(grant.resourceType);
    insert.addBindValue(grant.resourcePattern);
    insert.addBindValue(grant.permission);
    if (!insert.exec()) {
        *error = QStringLiteral("cannot write role_permissions (%1)").arg(failure(insert));
        return false;
    }
    ++m_grants;
    return true;
}

bool LegacyGrantBackfill::roleFor(qint64 userId, const QString& workspace, qint64* roleId, QString* error)
{
    const auto key = qMakePair(userId, workspace);
    if (const auto known = m_roles.constFind(key); known != m_roles.constEnd()) {
        *roleId = *known;
        return true;
    }
    const QString name = QStringLiteral("__user_%1__").arg(userId);
    QSqlQuery find(m_database);
    find.prepare(QStringLiteral("SELECT id FROM roles WHERE workspace = ? AND name = ?"));
    find.addBindValue(workspace);
    find.addBindValue(name);
    if (!find.exec()) {
        *error = QStringLiteral("cannot read roles (%1)").arg(failure(find));
        return false;
    }
    if (find.next()) {
        // A role of that reserved name exists already. Reusing it is safe only if no one else is in it; otherwise
        // this user's grants would leak to the others (MLflow refuses the same way).
        *roleId = find.value(0).toLongLong();
        QSqlQuery others(m_database);
        others.prepare(QStringLiteral("SELECT user_id FROM user_role_assignments WHERE role_id = ? AND user_id != ?"));
        others.addBindValue(*roleId);
        others.addBindValue(userId);
        if (!others.exec()) {
            *error = QStringLiteral("cannot read user_role_assignments (%1)").arg(failure(others));
            return false;
        }
        if (others.next()) {
            *error = QStringLiteral("the role '%1' in workspace '%2' has the reserved name of user %3's hidden role "
                                    "but is assigned to other users (e.g. user_id=%4); rename that role before "
                                    "migrating")
                         .arg(name, workspace, QString::number(userId), QString::number(others.value(0).toLongLong()));
            return false;
        }
    } else {
        QSqlQuery insert(m_database);
        insert.prepare(QStringLiteral("INSERT INTO roles (name, workspace, description) VALUES (?, ?, NULL)"));
        insert.addBindValue(name);
        insert.addBindValue(workspace);
        if (!insert.exec()) {
            *error = QStringLiteral("cannot create the hidden role %1 (%2)").arg(name, failure(insert));
            return false;
        }
        *roleId = insert.lastInsertId().toLongLong();
        ++m_rolesCreated;
    }
    QSqlQuery assigned(m_database);
    assigned.prepare(QStringLiteral("SELECT id FROM user_role_assignments WHERE user_id = ? AND role_id = ?"));
    assigned.addBindValue(userId);
    assigned.addBindValue(*roleId);
    if (!assigned.exec()) {
        *error = QStringLiteral("cannot read user_role_assignments (%1)").arg(failure(assigned));
        return false;
    }
    if (!assigned.next()) {
        QSqlQuery assign(m_database);
        assign.prepare(QStringLiteral("INSERT INTO user_role_assignments (user_id, role_id) VALUES (?, ?)"));
        assign.addBindValue(userId);
        assign.addBindValue(*roleId);
        if (!assign.exec()) {
            *error = QStringLiteral("cannot assign the hidden role %1 (%2)").arg(name, failure(assign));
            return false;
        }
    }
    m_roles.insert(key, *roleId);
    return true;
}

// f1a2b3c4d5e6: grants on registered models that are prompts (tag mlflow.prompt.is_prompt = true) become prompt
// grants. Only possible when the model registry shares the database; otherwise, as in MLflow, nothing changes.
bool retypePrompts(QSqlDatabase& database, int* retyped, QString* error)
{
    *retyped = 0;
    if (!database.tables().contains(QStringLiteral("registered_model_tags")) ||
        !hasColumn(database, QStringLiteral("registered_model_tags"), QStringLiteral("workspace")))
        return true;
    QSqlQuery update(database);
    update.prepare(QStringLiteral(
        "UPDATE role_permissions SET resource_type = 'prompt' WHERE resource_type = 'registered_model' "
        "AND resource_pattern <> '*' AND EXISTS (SELECT 1 FROM roles r, registered_model_tags rmt "
        "WHERE r.id = role_permissions.role_id AND rmt.workspace = r.workspace "
        "AND rmt.name = role_permissions.resource_pattern AND rmt.key = ? AND LOWER(rmt.value) = 'true')"));
    update.addBindValue(QStringLiteral("mlflow.prompt.is_prompt"));
    if (!update.exec()) {
        *error = QStringLiteral("cannot re-type prompt grants (%1)").arg(failure(update));
        return false;
    }
    *retyped = update.numRowsAffected();
    return true;
}

bool stampHead(QSqlDatabase& database, QString* error)
{
    QSqlQuery clear(database);
    if (!clear.exec(QStringLiteral("DELETE FROM alembic_version_auth"))) {
        *error = QStringLiteral("cannot stamp the new revision (%1)").arg(failure(clear));
        return false;
    }
    QSqlQuery stamp(database);
    stamp.prepare(QStringLiteral("INSERT INTO alembic_version_auth (version_num) VALUES (?)"));
    stamp.addBindValue(QLatin1String(RbacSchema::revision));
    if (!stamp.exec()) {
        *error = QStringLiteral("cannot stamp the new revision (%1)").arg(failure(stamp));
        return false;
    }
    return true;
}

struct UpgradeCounts
{
    int grants = 0;
    int dropped = 0;
    int rolesCreated = 0;
    int prompts = 0;
};

// Every step from `fromStep` to the head, inside the caller's transaction.
bool upgrade(QSqlDatabase& database, int fromStep, UpgradeCounts* counts, QString* error)
{
    if (!addModelWorkspaces(database, error))
        return false;
    if (!RbacSchema::createTables(database, error))
        return false;
    if (fromStep < backfillStep) {
        LegacyGrantBackfill backfill(database);
        if (!backfill.run(error))
            return false;
        counts->grants = backfill.grants();
        counts->dropped = backfill.dropped();
        counts->rolesCreated = backfill.rolesCreated();
    }
    if (fromStep < promptStep && !retypePrompts(database, &counts->prompts, error))
        return false;
    return stampHead(database, error);
}

} // namespace

namespace RbacMigration {

bool prepare(QSqlDatabase& database, const QString& path, QString* report, QString* error, Outcome* outcome)
{
    Outcome ignored = Outcome::Failed;
    Outcome& result = outcome ? *outcome : ignored;
    const QStringList tables = database.tables();
    const QString head = QLatin1String(RbacSchema::revision);

    int fromStep = 0;
    if (tables.contains(QLatin1String(RbacSchema::versionTable))) {
        const QString revision = RbacSchema::stampedRevision(database);
        if (revision.isEmpty() && !tables.contains(QStringLiteral("users"))) {
            fromStep = -1; // a version table and nothing else: create the schema
        } else {
            fromStep = chainIndex(revision);
            if (fromStep < 0) {
                result = Outcome::Refused;
                *error = revision.isEmpty()
                             ? QStringLiteral("The auth database %1 has users but an empty alembic_version_auth, so "
                                              "its schema version is unknown. Restore it from a backup, or stamp "
                                              "its revision with MLflow's `mlflow.server.auth db` tooling.")
                                   .arg(path)
                             : QStringLiteral("The auth database %1 is at alembic revision %2, which this mlflow-admin "
                                              "does not know (it knows MLflow's auth migrations up to %3, MLflow "
                                              "3.14); it was probably written by a newer MLflow. Nothing was changed. "
                                              "Use a newer mlflow-admin, or serve it with that MLflow.")
                                   .arg(path, revision, head);
                return false;
            }
        }
    } else if (tables.contains(QStringLiteral("users"))) {
        // Before 3.6 the auth database kept its revision in alembic_version. MLflow ignores that table and stamps
        // the initial revision; a chain revision found there is honoured so no step runs twice.
        const QString legacy = tables.contains(QStringLiteral("alembic_version"))
                                   ? singleValue(database, QStringLiteral("SELECT version_num FROM alembic_version"))
                                   : QString();
        fromStep = qMax(0, chainIndex(legacy));
    } else {
        fromStep = -1;
    }

    if (fromStep < 0) {
        if (!RbacSchema::create(database, error)) {
            result = Outcome::Failed;
            *error = QStringLiteral("Could not create MLflow 3.14's auth schema in %1: %2. Check that the file is "
                                    "writable and the disk is not full.")
                         .arg(path, *error);
            return false;
        }
        result = Outcome::Created;
        *report = QStringLiteral("Created MLflow 3.14's auth schema (revision %1) in %2.").arg(head, path);
        return true;
    }
    if (fromStep == chainLength - 1) {
        result = Outcome::AlreadyCurrent;
        *report =
            QStringLiteral("The auth database %1 is at MLflow 3.14's revision %2; nothing to migrate.").arg(path, head);
        return true;
    }

    const QString backupPath = backupPathFor(path, fromStep);
    QString reason;
    if (!backUp(database, path, backupPath, &reason)) {
        result = Outcome::Failed;
        *error = QStringLiteral("Could not back up the auth database %1 before migrating it to MLflow 3.14's schema: "
                                "%2. Nothing was migrated; fix that and start the server again.")
                     .arg(path, reason);
        return false;
    }

    UpgradeCounts counts;
    const bool started = database.transaction();
    if (!started || !upgrade(database, fromStep, &counts, &reason) || !database.commit()) {
        if (reason.isEmpty())
            reason = database.lastError().text();
        if (started)
            database.rollback();
        result = Outcome::Failed;
        *error = QStringLiteral("Could not migrate the auth database %1 from alembic revision %2 to MLflow 3.14's %3: "
                                "%4. The migration was rolled back, so %1 is unchanged; a copy made before it is at "
                                "%5. Fix the cause and start the server again.")
                     .arg(path, QLatin1String(chain[fromStep]), head, reason, backupPath);
        return false;
    }

    result = Outcome::Migrated;
    QString detail;
    if (fromStep < backfillStep) {
        detail = QStringLiteral("%1 legacy grants moved into %2 new hidden per-user roles (__user_<id>__), %3 "
                                "NO_PERMISSIONS or invalid rows not carried over (MLflow 3.13 has no explicit denies; "
                                "the default permission applies), ")
                     .arg(QString::number(counts.grants), QString::number(counts.rolesCreated),
                          QString::number(counts.dropped));
    }
    *report = QStringLiteral("Migrated the auth database %1 from alembic revision %2 to MLflow 3.14's %3: %4%5 prompt "
                             "grants re-typed; the legacy permission tables are kept, as MLflow keeps them. The "
                             "database as it was is saved at %6.")
                  .arg(path, QLatin1String(chain[fromStep]), head, detail, QString::number(counts.prompts), backupPath);
    return true;
}

} // namespace RbacMigration

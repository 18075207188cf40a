#include "server/WorkspaceStore.h"

#include "server/MlflowError.h"

#include <QRegularExpression>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QVariant>

namespace {

const QString kDefault = QStringLiteral("default");

// The tables whose rows belong to a workspace, in the order MLflow checks them (_WORKSPACE_ROOT_MODELS): a refused
// RESTRICT names the first one that still has rows.
const char* const kRootTables[] = {"registered_models", "experiments"};

MlflowError workspaceNotFound(const QString& name)
{
    return MlflowError::notFound(QStringLiteral("Workspace '%1' not found").arg(name));
}

MlflowError databaseError(const QSqlQuery& query)
{
    return MlflowError::internal(QStringLiteral("Workspace database error: %1. Check that the tracking database is "
                                                "writable and not corrupt.")
                                     .arg(query.lastError().text()));
}

QSqlQuery run(const QSqlDatabase& db, const QString& sql, const QVariantList& values = {})
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!query.prepare(sql))
        throw databaseError(query);
    for (int i = 0; i < values.size(); ++i)
        query.bindValue(i, values.at(i));
    if (!query.exec())
        throw databaseError(query);
    return query;
}

QJsonObject workspaceFromRow(const QSqlQuery& query)
{
    QJsonObject workspace{{QStringLiteral("name"), query.value(0).toString()}};
    if (!query.isNull(1))
        workspace.insert(QStringLiteral("description"), query.value(1).toString());
    if (!query.isNull(2))
        workspace.insert(QStringLiteral("default_artifact_root"), query.value(2).toString());
    return workspace;
}

// BEGIN IMMEDIATE so that the checks and the changes of a delete see one state of the database.
class Transaction
{
public:
    explicit Transaction(const QSqlDatabase& db) : m_db(db) { run(m_db, QStringLiteral("BEGIN IMMEDIATE")); }
    ~Transaction()
    {
        if (!m_committed) {
            QSqlQuery rollback(m_db);
            rollback.exec(QStringLiteral("ROLLBACK"));
        }
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit()
    {
        run(m_db, QStringLiteral("COMMIT"));
        m_committed = true;
    }

private:
    const QSqlDatabase& m_db;
    bool m_committed = false;
};

} // namespace

WorkspaceStore::WorkspaceStore(QSqlDatabase database) : m_db(std::move(database))
{
    // The columns of MLflow's workspaces table; trace archival settings are kept but not served (see README).
    run(m_db,
        QStringLiteral("CREATE TABLE IF NOT EXISTS workspaces (name TEXT NOT NULL PRIMARY KEY, description TEXT, "
                       "default_artifact_root TEXT, trace_archival_location TEXT, trace_archival_retention TEXT)"));
    run(m_db, QStringLiteral("INSERT OR IGNORE INTO workspaces (name, description) VALUES (?, ?)"),
        {kDefault, QStringLiteral("Default workspace for legacy resources")});
}

void WorkspaceStore::validateName(const QString& name)
{
    if (name.size() < 2 || name.size() > 63) {
        throw MlflowError::invalidParameter(
            QStringLiteral("Workspace name '%1' must be between 2 and 63 characters.").arg(name));
    }
    static const QString pattern = QStringLiteral("^(?!.*--)[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
    static const QRegularExpression valid(pattern);
    if (!valid.match(name).hasMatch()) {
        throw MlflowError::invalidParameter(
            QStringLiteral("Workspace name '%1' must match the pattern %2 (lowercase alphanumeric with optional "
                           "internal hyphens).")
                .arg(name, pattern));
    }
    static const QSet<QString> reserved = {QStringLiteral("workspaces"), QStringLiteral("api"),
                                           QStringLiteral("ajax-api"), QStringLiteral("static-files")};
    if (reserved.contains(name))
        throw MlflowError::invalidParameter(
            QStringLiteral("Workspace name '%1' is reserved and cannot be used.").arg(name));
}

WorkspaceStore::DeletionMode WorkspaceStore::parseDeletionMode(const std::optional<QString>& text)
{
    if (!text || *text == QLatin1String("RESTRICT"))
        return DeletionMode::Restrict;
    if (*text == QLatin1String("CASCADE"))
        return DeletionMode::Cascade;
    if (*text == QLatin1String("SET_DEFAULT"))
        return DeletionMode::SetDefault;
    throw MlflowError::invalidParameter(
        QStringLiteral("Invalid deletion mode '%1'. Must be one of: SET_DEFAULT, CASCADE, RESTRICT").arg(*text));
}

bool WorkspaceStore::exists(const QString& name) const
{
    return run(m_db, QStringLiteral("SELECT 1 FROM workspaces WHERE name = ?"), {name}).next();
}

QJsonArray WorkspaceStore::list() const
{
    QSqlQuery query =
        run(m_db, QStringLiteral("SELECT name, description, default_artifact_root FROM workspaces ORDER BY name"));
    QJsonArray workspaces;
    while (query.next())
        workspaces.append(workspaceFromRow(query));
    return workspaces;
}

QJsonObject WorkspaceStore::workspace(const QString& name) const
{
    QSqlQuery query = run(
        m_db, QStringLiteral("SELECT name, description, default_artifact_root FROM workspaces WHERE name = ?"), {name});
    if (!query.next())
        throw workspaceNotFound(name);
    return workspaceFromRow(query);
}

QJsonObject WorkspaceStore::create(const QString& name, const std::optional<QString>& description,
                                   const std::optional<QString>& defaultArtifactRoot)
{
    if (name == kDefault)
        throw MlflowError::invalidParameter(
            QStringLiteral("The 'default' workspace is reserved and cannot be created"));
    validateName(name);
    {
        Transaction transaction(m_db);
        if (exists(name))
            throw MlflowError::alreadyExists(QStringLiteral("Workspace '%1' already exists.").arg(name));
        run(m_db, QStringLiteral("INSERT INTO workspaces (name, description, default_artifact_root) VALUES (?, ?, ?)"),
            {name, description ? QVariant(*description) : QVariant(),
             defaultArtifactRoot ? QVariant(*defaultArtifactRoot) : QVariant()});
        transaction.commit();
    }
    return workspace(name);
}

QJsonObject WorkspaceStore::update(const QString& name, const std::optional<QString>& description,
                                   const std::optional<QString>& defaultArtifactRoot)
{
    if (name != kDefault)
        validateName(name);
    if (!description && !defaultArtifactRoot)
        throw MlflowError::invalidParameter(QStringLiteral("Workspace update must have at least one key"));
    {
        Transaction transaction(m_db);
        if (!exists(name))
            throw workspaceNotFound(name);
        if (description)
            run(m_db, QStringLiteral("UPDATE workspaces SET description = ? WHERE name = ?"), {*description, name});
        // MLflow clears the root with an empty string.
        if (defaultArtifactRoot) {
            run(m_db, QStringLiteral("UPDATE workspaces SET default_artifact_root = ? WHERE name = ?"),
                {defaultArtifactRoot->isEmpty() ? QVariant() : QVariant(*defaultArtifactRoot), name});
        }
        transaction.commit();
    }
    return workspace(name);
}

void WorkspaceStore::remove(const QString& name, DeletionMode mode)
{
    if (name == kDefault)
        throw MlflowError::invalidParameter(
            QStringLiteral("The 'default' workspace is reserved and cannot be deleted"));
    validateName(name);
    Transaction transaction(m_db);
    if (!exists(name))
        throw workspaceNotFound(name);
    switch (mode) {
    case DeletionMode::Restrict:
        for (const char* table : kRootTables) {
            const QString tableName = QString::fromLatin1(table);
            QSqlQuery count =
                run(m_db, QStringLiteral("SELECT count(*) FROM %1 WHERE workspace = ?").arg(tableName), {name});
            const qint64 rows = count.next() ? count.value(0).toLongLong() : 0;
            if (rows > 0) {
                throw MlflowError("INVALID_STATE",
                                  QStringLiteral("Cannot delete workspace '%1': table '%2' still contains %3 "
                                                 "resource(s). Remove or reassign them before deleting the workspace.")
                                      .arg(name, tableName)
                                      .arg(rows));
            }
        }
        break;
    case DeletionMode::Cascade: {
        // Runs and everything logged to them go with their experiments (MLflow's ORM cascades).
        const QString runsOfWorkspace = QStringLiteral(
            "run_uuid IN (SELECT r.run_uuid FROM runs r JOIN experiments e ON e.experiment_id = r.experiment_id "
            "WHERE e.workspace = ?)");
        for (const char* table : {"metrics", "latest_metrics", "params", "tags"})
            run(m_db, QStringLiteral("DELETE FROM %1 WHERE %2").arg(QString::fromLatin1(table), runsOfWorkspace),
                {name});
        run(m_db,
            QStringLiteral("DELETE FROM runs WHERE experiment_id IN (SELECT experiment_id FROM experiments WHERE "
                           "workspace = ?)"),
            {name});
        run(m_db,
            QStringLiteral("DELETE FROM experiment_tags WHERE experiment_id IN (SELECT experiment_id FROM "
                           "experiments WHERE workspace = ?)"),
            {name});
        run(m_db, QStringLiteral("DELETE FROM experiments WHERE workspace = ?"), {name});
        run(m_db, QStringLiteral("DELETE FROM registered_model_tags WHERE workspace = ?"), {name});
        run(m_db, QStringLiteral("DELETE FROM registered_models WHERE workspace = ?"), {name});
        break;
    }
    case DeletionMode::SetDefault: {
        QStringList conflicts;
        for (const char* table : kRootTables) {
            const QString tableName = QString::fromLatin1(table);
            QSqlQuery clash =
                run(m_db,
                    QStringLiteral("SELECT name FROM %1 WHERE workspace = ? AND name IN (SELECT name FROM "
                                   "%1 WHERE workspace = ?) ORDER BY name")
                        .arg(tableName),
                    {name, kDefault});
            while (clash.next())
                conflicts.append(QStringLiteral("  - %1: '%2'").arg(tableName, clash.value(0).toString()));
        }
        if (!conflicts.isEmpty()) {
            throw MlflowError(
                "INVALID_STATE",
                QStringLiteral("Cannot reassign resources from workspace '%1' to 'default': the following "
                               "names already exist in the default workspace and would cause "
                               "conflicts:\n%2\nRename or remove the conflicting resources before "
                               "retrying.")
                    .arg(name, conflicts.join(QLatin1Char('\n'))));
        }
        for (const char* table : {"registered_model_tags", "registered_models", "experiments"}) {
            run(m_db, QStringLiteral("UPDATE %1 SET workspace = ? WHERE workspace = ?").arg(QString::fromLatin1(table)),
                {kDefault, name});
        }
        break;
    }
    }
    run(m_db, QStringLiteral("DELETE FROM workspaces WHERE name = ?"), {name});
    transaction.commit();
}

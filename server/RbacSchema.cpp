#include "server/RbacSchema.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace {

// Column types, constraint names and indexes as MLflow 3.14's migrations leave them (checked with `.schema` on a
// basic_auth.db written by a real MLflow 3.14). IF NOT EXISTS lets the same list complete a 2.x database.
const char* const statements[] = {
    "CREATE TABLE IF NOT EXISTS alembic_version_auth (version_num VARCHAR(32) NOT NULL, "
    "CONSTRAINT alembic_version_auth_pkc PRIMARY KEY (version_num))",
    "CREATE TABLE IF NOT EXISTS users (id INTEGER NOT NULL, username VARCHAR(255), password_hash VARCHAR(255), "
    "is_admin BOOLEAN, PRIMARY KEY (id), UNIQUE (username))",
    "CREATE TABLE IF NOT EXISTS experiment_permissions (id INTEGER NOT NULL, experiment_id VARCHAR(255) NOT NULL, "
    "user_id INTEGER NOT NULL, permission VARCHAR(255), PRIMARY KEY (id), "
    "CONSTRAINT fk_user_id FOREIGN KEY(user_id) REFERENCES users (id), "
    "CONSTRAINT unique_experiment_user UNIQUE (experiment_id, user_id))",
    "CREATE TABLE IF NOT EXISTS scorer_permissions (id INTEGER NOT NULL, experiment_id VARCHAR(255) NOT NULL, "
    "scorer_name VARCHAR(256) NOT NULL, user_id INTEGER NOT NULL, permission VARCHAR(255), PRIMARY KEY (id), "
    "CONSTRAINT fk_scorer_perm_user_id FOREIGN KEY(user_id) REFERENCES users (id), "
    "CONSTRAINT unique_scorer_user UNIQUE (experiment_id, scorer_name, user_id))",
    "CREATE TABLE IF NOT EXISTS gateway_secret_permissions (id INTEGER NOT NULL, secret_id VARCHAR(255) NOT NULL, "
    "user_id INTEGER NOT NULL, permission VARCHAR(255), PRIMARY KEY (id), "
    "CONSTRAINT fk_gateway_secret_perm_user_id FOREIGN KEY(user_id) REFERENCES users (id), "
    "CONSTRAINT unique_secret_user UNIQUE (secret_id, user_id))",
    "CREATE TABLE IF NOT EXISTS gateway_endpoint_permissions (id INTEGER NOT NULL, endpoint_id VARCHAR(255) NOT NULL, "
    "user_id INTEGER NOT NULL, permission VARCHAR(255), PRIMARY KEY (id), "
    "CONSTRAINT fk_gateway_endpoint_perm_user_id FOREIGN KEY(user_id) REFERENCES users (id), "
    "CONSTRAINT unique_endpoint_user UNIQUE (endpoint_id, user_id))",
    "CREATE TABLE IF NOT EXISTS gateway_model_definition_permissions (id INTEGER NOT NULL, "
    "model_definition_id VARCHAR(255) NOT NULL, user_id INTEGER NOT NULL, permission VARCHAR(255), PRIMARY KEY (id), "
    "CONSTRAINT fk_gateway_model_def_perm_user_id FOREIGN KEY(user_id) REFERENCES users (id), "
    "CONSTRAINT unique_model_def_user UNIQUE (model_definition_id, user_id))",
    "CREATE TABLE IF NOT EXISTS workspace_permissions (workspace VARCHAR(63) NOT NULL, user_id INTEGER NOT NULL, "
    "permission VARCHAR(32) NOT NULL, CONSTRAINT workspace_permissions_pk PRIMARY KEY (workspace, user_id), "
    "FOREIGN KEY(user_id) REFERENCES users (id))",
    "CREATE INDEX IF NOT EXISTS idx_workspace_permissions_user_id ON workspace_permissions (user_id)",
    "CREATE INDEX IF NOT EXISTS idx_workspace_permissions_workspace ON workspace_permissions (workspace)",
    // Quoted because MLflow's 2ed73881770d rebuilds this table and SQLite quotes the name of a renamed table.
    "CREATE TABLE IF NOT EXISTS \"registered_model_permissions\" (id INTEGER NOT NULL, name VARCHAR(255) NOT NULL, "
    "user_id INTEGER NOT NULL, permission VARCHAR(255), workspace VARCHAR(63) DEFAULT 'default' NOT NULL, "
    "PRIMARY KEY (id), CONSTRAINT fk_user_id FOREIGN KEY(user_id) REFERENCES users (id), "
    "CONSTRAINT unique_workspace_name_user UNIQUE (workspace, name, user_id))",
    "CREATE TABLE IF NOT EXISTS roles (id INTEGER NOT NULL, name VARCHAR(255) NOT NULL, "
    "workspace VARCHAR(63) NOT NULL, description VARCHAR(1024), PRIMARY KEY (id), "
    "CONSTRAINT unique_workspace_role_name UNIQUE (workspace, name))",
    "CREATE INDEX IF NOT EXISTS idx_roles_workspace ON roles (workspace)",
    "CREATE TABLE IF NOT EXISTS role_permissions (id INTEGER NOT NULL, role_id INTEGER NOT NULL, "
    "resource_type VARCHAR(64) NOT NULL, resource_pattern VARCHAR(255) NOT NULL, permission VARCHAR(255) NOT NULL, "
    "PRIMARY KEY (id), CONSTRAINT unique_role_resource_perm UNIQUE (role_id, resource_type, resource_pattern), "
    "FOREIGN KEY(role_id) REFERENCES roles (id))",
    "CREATE INDEX IF NOT EXISTS idx_role_permissions_role_id ON role_permissions (role_id)",
    "CREATE TABLE IF NOT EXISTS user_role_assignments (id INTEGER NOT NULL, user_id INTEGER NOT NULL, "
    "role_id INTEGER NOT NULL, PRIMARY KEY (id), CONSTRAINT unique_user_role UNIQUE (user_id, role_id), "
    "FOREIGN KEY(user_id) REFERENCES users (id), FOREIGN KEY(role_id) REFERENCES roles (id))",
    "CREATE INDEX IF NOT EXISTS idx_user_role_assignments_user_id ON user_role_assignments (user_id)",
    "CREATE INDEX IF NOT EXISTS idx_user_role_assignments_role_id ON user_role_assignments (role_id)",
};

} // namespace

namespace RbacSchema {

QString stampedRevision(const QSqlDatabase& database)
{
    if (!database.tables().contains(QLatin1String(versionTable)))
        return {};
    QSqlQuery query(database);
    if (!query.exec(QStringLiteral("SELECT version_num FROM alembic_version_auth")) || !query.next())
        return {};
    return query.value(0).toString();
}

bool createTables(QSqlDatabase& database, QString* error)
{
    QSqlQuery query(database);
    for (const char* statement : statements) {
        if (!query.exec(QString::fromLatin1(statement))) {
            *error = QStringLiteral("Cannot create MLflow 3.14's auth schema: %1").arg(query.lastError().text());
            return false;
        }
    }
    return true;
}

bool create(QSqlDatabase& database, QString* error)
{
    if (!database.transaction()) {
        *error = QStringLiteral("Cannot write the auth database: %1").arg(database.lastError().text());
        return false;
    }
    if (!createTables(database, error)) {
        database.rollback();
        return false;
    }
    QSqlQuery count(database);
    if (!count.exec(QStringLiteral("SELECT COUNT(*) FROM alembic_version_auth")) || !count.next()) {
        *error = QStringLiteral("Cannot read the auth schema's revision: %1").arg(count.lastError().text());
        database.rollback();
        return false;
    }
    if (count.value(0).toInt() == 0) {
        QSqlQuery stamp(database);
        stamp.prepare(QStringLiteral("INSERT INTO alembic_version_auth (version_num) VALUES (?)"));
        stamp.addBindValue(QLatin1String(revision));
        if (!stamp.exec()) {
            *error = QStringLiteral("Cannot stamp the auth schema: %1").arg(stamp.lastError().text());
            database.rollback();
            return false;
        }
    }
    if (!database.commit()) {
        *error = QStringLiteral("Cannot write the auth database: %1").arg(database.lastError().text());
        return false;
    }
    return true;
}

} // namespace RbacSchema

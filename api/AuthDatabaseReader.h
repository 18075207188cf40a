#pragma once

#include "api/WireTypes.h"

#include <QCoreApplication>
#include <QDir>
#include <QString>

#include <optional>

// Where an MLflow auth database lives, parsed from a URI in MLflow's database_uri (SQLAlchemy) form.
struct AuthDatabaseLocation
{
    QString driver;       // Qt Sql driver: QSQLITE, QPSQL or QMYSQL
    QString databaseName; // SQLite: absolute file path; others: the database name
    QString host;
    int port = -1;
    QString user;
    QString password; // from the URI only; kept in memory, never shown
    QString connectOptions;
    QString displayUri; // the URI without any password, for messages

    // sqlite:////abs/path.db (four slashes: absolute), sqlite:///relative.db (relative to `baseDirectory`),
    // postgresql[+driver]://user[:password]@host[:port]/db, mysql[+driver]://... Returns nullopt and a translated
    // error for anything else.
    static std::optional<AuthDatabaseLocation> fromUri(const QString& uri, QString* error,
                                                       const QString& baseDirectory = QDir::currentPath());

    // A password inside a URI must not be saved in a profile or given on a command line (other local users can
    // read both). Returns a translated sentence saying what to do instead, or an empty string when there is none.
    static QString passwordProblem(const QString& uri);
};

// What the auth database holds: every user (never the password hash) with its explicit grants attached.
struct AuthDatabaseSnapshot
{
    UserListing listing; // source is always ListingSource::AuthDatabase
    int skippedRows = 0; // grants with an unknown permission string or a user id that has no user
};

// A read-only connection straight to an MLflow 2.x-3.12 auth database (tables users, experiment_permissions and
// registered_model_permissions). For users/grants listings on servers without users/list. Reads are
// synchronous: on a remote database, call it from a worker thread (one instance per thread).
class AuthDatabaseReader
{
    Q_DECLARE_TR_FUNCTIONS(AuthDatabaseReader)

public:
    AuthDatabaseReader();
    ~AuthDatabaseReader();
    AuthDatabaseReader(const AuthDatabaseReader&) = delete;
    AuthDatabaseReader& operator=(const AuthDatabaseReader&) = delete;

    // The environment variable that supplies the database password when the URI has none.
    static constexpr const char* passwordVariable = "MLFLOW_ADMIN_AUTH_DB_PASSWORD";

    bool open(const QString& uri, QString* error, const QString& baseDirectory = QDir::currentPath());
    bool open(const AuthDatabaseLocation& location, QString* error);
    bool isOpen() const;
    void close();

    // One query per table. Fails with a translated error when the schema is not MLflow's.
    std::optional<AuthDatabaseSnapshot> read(QString* error) const;

private:
    QString m_connectionName;
    QString m_displayUri;
};

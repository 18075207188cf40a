#include "api/AuthDatabaseReader.h"

#include <QAtomicInteger>
#include <QFileInfo>
#include <QHash>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>
#include <QUrlQuery>
#include <QVariant>

namespace {

QString nextConnectionName()
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("mlflowadmin-auth-db-%1").arg(counter.fetchAndAddRelaxed(1));
}

void setError(QString* error, const QString& text)
{
    if (error)
        *error = text;
}

QString driverPackageHint(const QString& driver)
{
    if (driver == QLatin1String("QPSQL"))
        return QStringLiteral("libqt6sql6-psql");
    if (driver == QLatin1String("QMYSQL"))
        return QStringLiteral("libqt6sql6-mysql");
    return QStringLiteral("libqt6sql6-sqlite");
}

} // namespace

std::optional<AuthDatabaseLocation> AuthDatabaseLocation::fromUri(const QString& uri, QString* error,
                                                                  const QString& baseDirectory)
{
    const QString text = uri.trimmed();
    const qsizetype schemeEnd = text.indexOf(QLatin1String("://"));
    if (schemeEnd <= 0) {
        setError(error, AuthDatabaseReader::tr("\"%1\" is not a database URI such as "
                                               "sqlite:////path/to/basic_auth.db or postgresql://user@host/db.")
                            .arg(text));
        return std::nullopt;
    }
    // SQLAlchemy names may carry the Python driver ("postgresql+psycopg2"); Qt picks its own.
    const QString dialect = text.left(schemeEnd).section(QLatin1Char('+'), 0, 0).toLower();
    AuthDatabaseLocation location;

    if (dialect == QLatin1String("sqlite")) {
        QString rest = text.mid(schemeEnd + 3);
        rest = rest.section(QLatin1Char('?'), 0, 0);
        // After "sqlite://" comes "/<path>": "//abs" is absolute, "/rel" is relative.
        if (!rest.startsWith(QLatin1Char('/')) || rest.size() < 2) {
            setError(error, AuthDatabaseReader::tr("The SQLite URI \"%1\" names no file (an in-memory database "
                                                   "cannot be read).")
                                .arg(text));
            return std::nullopt;
        }
        const QString path = QUrl::fromPercentEncoding(rest.mid(1).toUtf8());
        location.driver = QStringLiteral("QSQLITE");
        location.databaseName = QDir::cleanPath(QDir(baseDirectory).absoluteFilePath(path));
        location.connectOptions = QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000");
        location.displayUri = text;
        return location;
    }

    if (dialect == QLatin1String("postgresql") || dialect == QLatin1String("postgres"))
        location.driver = QStringLiteral("QPSQL");
    else if (dialect == QLatin1String("mysql") || dialect == QLatin1String("mariadb"))
        location.driver = QStringLiteral("QMYSQL");
    else {
        setError(error, AuthDatabaseReader::tr("Database type \"%1\" is not supported; use sqlite, postgresql or "
                                               "mysql.")
                            .arg(dialect));
        return std::nullopt;
    }
    const QUrl url(QStringLiteral("db://") + text.mid(schemeEnd + 3), QUrl::TolerantMode);
    if (!url.isValid() || url.path().size() < 2) {
        setError(error, AuthDatabaseReader::tr("The database URI names no database: expected "
                                               "%1://user@host[:port]/database.")
                            .arg(dialect));
        return std::nullopt;
    }
    location.host = url.host();
    location.port = url.port(-1);
    location.user = url.userName(QUrl::FullyDecoded);
    location.password = url.password(QUrl::FullyDecoded);
    location.databaseName = url.path(QUrl::FullyDecoded).mid(1);
    const QUrlQuery query(url);
    if (location.driver == QLatin1String("QPSQL") && query.hasQueryItem(QStringLiteral("sslmode")))
        location.connectOptions = QStringLiteral("sslmode=") + query.queryItemValue(QStringLiteral("sslmode"));
    QUrl shown(QStringLiteral("db://") + text.mid(schemeEnd + 3), QUrl::TolerantMode);
    shown.setPassword(QString());
    location.displayUri =
        text.left(schemeEnd) + QStringLiteral("://") + shown.toString(QUrl::RemoveScheme | QUrl::RemovePassword).mid(2);
    return location;
}

QString AuthDatabaseLocation::passwordProblem(const QString& uri)
{
    QString ignored;
    const auto location = fromUri(uri.trimmed(), &ignored);
    if (!location || location->password.isEmpty())
        return QString();
    return AuthDatabaseReader::tr("The auth database URI %1 contains a password, which would be readable by others "
                                  "from the process list or the profiles file. Leave it out of the URI and set the "
                                  "environment variable %2 instead (PostgreSQL also reads ~/.pgpass).")
        .arg(location->displayUri, QLatin1String(AuthDatabaseReader::passwordVariable));
}

AuthDatabaseReader::AuthDatabaseReader() : m_connectionName(nextConnectionName()) {}

AuthDatabaseReader::~AuthDatabaseReader()
{
    close();
}

bool AuthDatabaseReader::open(const QString& uri, QString* error, const QString& baseDirectory)
{
    const auto location = AuthDatabaseLocation::fromUri(uri, error, baseDirectory);
    return location && open(*location, error);
}

bool AuthDatabaseReader::open(const AuthDatabaseLocation& location, QString* error)
{
    close();
    if (!QSqlDatabase::isDriverAvailable(location.driver)) {
        setError(error, tr("The Qt database driver %1 is not installed, so %2 cannot be read. Install %3.")
                            .arg(location.driver, location.displayUri, driverPackageHint(location.driver)));
        return false;
    }
    if (location.driver == QLatin1String("QSQLITE") && !QFileInfo(location.databaseName).isFile()) {
        setError(error, tr("The auth database %1 does not exist.").arg(location.databaseName));
        return false;
    }
    bool opened = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(location.driver, m_connectionName);
        db.setDatabaseName(location.databaseName);
        if (!location.host.isEmpty())
            db.setHostName(location.host);
        if (location.port > 0)
            db.setPort(location.port);
        if (!location.user.isEmpty())
            db.setUserName(location.user);
        // A password belongs in the environment rather than in a URI that is saved or shown in the process list.
        const QString password =
            location.password.isEmpty() ? qEnvironmentVariable(passwordVariable) : location.password;
        if (!password.isEmpty())
            db.setPassword(password);
        db.setConnectOptions(location.connectOptions);
        opened = db.open();
        if (!opened) {
            setError(error,
                     tr("The auth database %1 cannot be opened: %2").arg(location.displayUri, db.lastError().text()));
        } else {
            // Belt and braces beyond only ever running SELECTs: ask the server for a read-only session.
            QSqlQuery readOnly(db);
            if (location.driver == QLatin1String("QPSQL"))
                readOnly.exec(QStringLiteral("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"));
            else if (location.driver == QLatin1String("QMYSQL"))
                readOnly.exec(QStringLiteral("SET SESSION TRANSACTION READ ONLY"));
        }
    }
    if (!opened) {
        close();
        return false;
    }
    m_displayUri = location.displayUri;
    return true;
}

bool AuthDatabaseReader::isOpen() const
{
    return QSqlDatabase::contains(m_connectionName) && QSqlDatabase::database(m_connectionName, false).isOpen();
}

void AuthDatabaseReader::close()
{
    if (!QSqlDatabase::contains(m_connectionName))
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

std::optional<AuthDatabaseSnapshot> AuthDatabaseReader::read(QString* error) const
{
    if (!isOpen()) {
        setError(error, tr("The auth database is not open."));
        return std::nullopt;
    }
    const QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    const QStringList tables = db.tables();
    for (const char* required : {"users", "experiment_permissions", "registered_model_permissions"}) {
        if (!tables.contains(QLatin1String(required), Qt::CaseInsensitive)) {
            setError(error, tr("%1 is not an MLflow 2.x-3.12 auth database: table %2 is missing.")
                                .arg(m_displayUri, QLatin1String(required)));
            return std::nullopt;
        }
    }

    AuthDatabaseSnapshot snapshot;
    snapshot.listing.source = ListingSource::AuthDatabase;
    QHash<qint64, qsizetype> indexById;

    // Never select password_hash: the console has no use for it, and it must not sit in our memory.
    QSqlQuery users(db);
    users.setForwardOnly(true);
    if (!users.prepare(QStringLiteral("SELECT id, username, is_admin FROM users ORDER BY username")) || !users.exec()) {
        setError(error, tr("The users of %1 cannot be read: %2").arg(m_displayUri, users.lastError().text()));
        return std::nullopt;
    }
    while (users.next()) {
        User user;
        user.id = users.value(0).toLongLong();
        user.username = users.value(1).toString();
        user.isAdmin = users.value(2).toBool();
        indexById.insert(user.id, snapshot.listing.users.size());
        snapshot.listing.users.append(user);
    }

    const auto readGrants = [&](ResourceType type, const QString& sql) {
        QSqlQuery grants(db);
        grants.setForwardOnly(true);
        if (!grants.prepare(sql) || !grants.exec()) {
            setError(error, tr("The grants in %1 cannot be read: %2").arg(m_displayUri, grants.lastError().text()));
            return false;
        }
        while (grants.next()) {
            const qint64 userId = grants.value(1).toLongLong();
            const auto level = Permissions::parse(grants.value(2).toString());
            const auto index = indexById.constFind(userId);
            if (!level || index == indexById.cend()) {
                ++snapshot.skippedRows;
                continue;
            }
            User& user = snapshot.listing.users[*index];
            Grant grant;
            grant.username = user.username;
            grant.userId = userId;
            grant.resourceType = type;
            grant.resourceId = grants.value(0).toString();
            grant.level = *level;
            (type == ResourceType::Experiment ? user.experimentGrants : user.modelGrants).append(grant);
        }
        return true;
    };
    if (!readGrants(ResourceType::Experiment,
                    QStringLiteral("SELECT experiment_id, user_id, permission FROM experiment_permissions "
                                   "ORDER BY user_id, experiment_id")))
        return std::nullopt;
    if (!readGrants(ResourceType::RegisteredModel,
                    QStringLiteral("SELECT name, user_id, permission FROM registered_model_permissions "
                                   "ORDER BY user_id, name")))
        return std::nullopt;
    return snapshot;
}

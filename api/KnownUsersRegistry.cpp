#include "api/KnownUsersRegistry.h"

#include "api/PrivateFiles.h"

#include <QAtomicInteger>
#include <QDateTime>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QVariant>

namespace {

QString nextConnectionName()
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("mlflowadmin-known-users-%1").arg(counter.fetchAndAddRelaxed(1));
}

void setError(QString* error, const QString& text)
{
    if (error)
        *error = text;
}

} // namespace

KnownUsersRegistry::KnownUsersRegistry() : m_connectionName(nextConnectionName()) {}

KnownUsersRegistry::~KnownUsersRegistry()
{
    close();
}

QString KnownUsersRegistry::originName(Origin origin)
{
    switch (origin) {
    case Origin::Created:
        return QStringLiteral("created");
    case Origin::LookedUp:
        return QStringLiteral("looked-up");
    case Origin::TypedIn:
        return QStringLiteral("typed-in");
    case Origin::NamedInGrant:
        return QStringLiteral("named-in-grant");
    case Origin::ServerListing:
        return QStringLiteral("server-listing");
    case Origin::AuthDatabase:
        return QStringLiteral("auth-database");
    }
    return {};
}

QString KnownUsersRegistry::defaultFilePath(const QString& profileName, const QUrl& serverUrl)
{
    // Plain --url runs and unsaved console connections to the same server share what they learned.
    QString key = !profileName.isEmpty()
                      ? profileName
                      : serverUrl.host() + QLatin1Char('_') + QString::number(serverUrl.port(0)) + serverUrl.path();
    key.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("_"));
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
                           QLatin1String("/mlflow-admin/known-users");
    return folder + QLatin1Char('/') + key + QLatin1String(".sqlite");
}

bool KnownUsersRegistry::open(const QString& filePath, QString* error)
{
    close();
    QString privacyProblem;
    if (!PrivateFiles::ensureFolder(QFileInfo(filePath).absolutePath(), &privacyProblem) ||
        !PrivateFiles::ensureSqliteFile(filePath, &privacyProblem)) {
        setError(error, tr("The known-users file %1 cannot be kept private: %2").arg(filePath, privacyProblem));
        return false;
    }
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
        db.setDatabaseName(filePath);
        if (!db.open()) {
            setError(error, tr("The known-users file %1 cannot be opened: %2").arg(filePath, db.lastError().text()));
        } else {
            QSqlQuery query(db);
            const bool created = query.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS known_users ("
                                                           " username TEXT PRIMARY KEY NOT NULL,"
                                                           " user_id INTEGER,"
                                                           " is_admin INTEGER,"
                                                           " origin TEXT NOT NULL,"
                                                           " first_seen INTEGER NOT NULL,"
                                                           " last_seen INTEGER NOT NULL)"));
            if (created)
                return true;
            setError(error,
                     tr("The known-users file %1 cannot be prepared: %2").arg(filePath, query.lastError().text()));
        }
    }
    close();
    return false;
}

bool KnownUsersRegistry::isOpen() const
{
    return QSqlDatabase::contains(m_connectionName) && QSqlDatabase::database(m_connectionName, false).isOpen();
}

void KnownUsersRegistry::close()
{
    if (!QSqlDatabase::contains(m_connectionName))
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

bool KnownUsersRegistry::upsert(const User& user, Origin origin, QString* error)
{
    if (user.username.isEmpty()) {
        setError(error, tr("A user without a name cannot be remembered."));
        return false;
    }
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    // COALESCE keeps what an earlier, better-informed source stored when this one does not know the id.
    query.prepare(QStringLiteral("INSERT INTO known_users (username, user_id, is_admin, origin, first_seen, last_seen)"
                                 " VALUES (:username, :user_id, :is_admin, :origin, :now, :now)"
                                 " ON CONFLICT(username) DO UPDATE SET"
                                 " user_id = COALESCE(excluded.user_id, known_users.user_id),"
                                 " is_admin = COALESCE(excluded.is_admin, known_users.is_admin),"
                                 " last_seen = excluded.last_seen"));
    const bool knowsDetails = user.id >= 0;
    query.bindValue(QStringLiteral(":username"), user.username);
    query.bindValue(QStringLiteral(":user_id"),
                    knowsDetails ? QVariant(user.id) : QVariant(QMetaType(QMetaType::LongLong)));
    query.bindValue(QStringLiteral(":is_admin"),
                    knowsDetails ? QVariant(user.isAdmin ? 1 : 0) : QVariant(QMetaType(QMetaType::Int)));
    query.bindValue(QStringLiteral(":origin"), originName(origin));
    query.bindValue(QStringLiteral(":now"), QDateTime::currentMSecsSinceEpoch());
    if (!query.exec()) {
        setError(error, tr("The user %1 could not be remembered: %2").arg(user.username, query.lastError().text()));
        return false;
    }
    return true;
}

bool KnownUsersRegistry::remember(const User& user, Origin origin, QString* error)
{
    if (!isOpen()) {
        setError(error, tr("The known-users registry is not open."));
        return false;
    }
    return upsert(user, origin, error);
}

bool KnownUsersRegistry::remember(const QString& username, Origin origin, QString* error)
{
    User user;
    user.username = username;
    return remember(user, origin, error);
}

bool KnownUsersRegistry::rememberAll(const QList<User>& users, Origin origin, QString* error)
{
    if (!isOpen()) {
        setError(error, tr("The known-users registry is not open."));
        return false;
    }
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    db.transaction();
    for (const User& user : users) {
        if (!upsert(user, origin, error)) {
            db.rollback();
            return false;
        }
    }
    if (!db.commit()) {
        setError(error, tr("The known users could not be saved: %1").arg(db.lastError().text()));
        return false;
    }
    return true;
}

bool KnownUsersRegistry::forget(const QString& username, QString* error)
{
    if (!isOpen()) {
        setError(error, tr("The known-users registry is not open."));
        return false;
    }
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.prepare(QStringLiteral("DELETE FROM known_users WHERE username = :username"));
    query.bindValue(QStringLiteral(":username"), username);
    if (!query.exec()) {
        setError(error, tr("The user %1 could not be forgotten: %2").arg(username, query.lastError().text()));
        return false;
    }
    return true;
}

bool KnownUsersRegistry::contains(const QString& username) const
{
    if (!isOpen())
        return false;
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.prepare(QStringLiteral("SELECT 1 FROM known_users WHERE username = :username"));
    query.bindValue(QStringLiteral(":username"), username);
    return query.exec() && query.next();
}

std::optional<UserListing> KnownUsersRegistry::users(QString* error) const
{
    if (!isOpen()) {
        setError(error, tr("The known-users registry is not open."));
        return std::nullopt;
    }
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT username, user_id, is_admin FROM known_users ORDER BY username"));
    if (!query.exec()) {
        setError(error, tr("The known users could not be read: %1").arg(query.lastError().text()));
        return std::nullopt;
    }
    UserListing listing;
    listing.source = ListingSource::KnownUsers;
    while (query.next()) {
        User user;
        user.username = query.value(0).toString();
        user.id = query.value(1).isNull() ? -1 : query.value(1).toLongLong();
        user.isAdmin = query.value(2).toInt() != 0;
        listing.users.append(user);
    }
    return listing;
}

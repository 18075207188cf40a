// The two listing sources that do not need users/list: the known-users registry (local SQLite) and the direct,
// read-only auth-database reader, tested on a database written by the embedded server and on a throw-away MariaDB
// holding MLflow's tables as SQLAlchemy creates them on MySQL.

#include "ApiTestSupport.h"
#include "MariaDbServer.h"
#include "api/AuthDatabaseReader.h"
#include "api/Connection.h"
#include "api/KnownUsersRegistry.h"
#include "api/LegacyAuthApi.h"

#include <QCryptographicHash>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QtTest>

using namespace ApiTest;

class TestLocalSources : public QObject
{
    Q_OBJECT

private slots:
    void knownUsersRoundTrip();
    void knownUsersKeepBetterData();
    void authDatabaseFromEmbeddedServer();
    void authDatabaseIsReadOnly();
    void authDatabaseErrors();
    void authDatabaseOnMariaDb();
};

void TestLocalSources::knownUsersRoundTrip()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("known-users.sqlite"));
    {
        KnownUsersRegistry registry;
        QString error;
        QVERIFY2(registry.open(path, &error), qPrintable(error));
        User alice;
        alice.username = QStringLiteral("alice");
        alice.id = 7;
        alice.isAdmin = true;
        QVERIFY(registry.remember(alice, KnownUsersRegistry::Origin::Created, &error));
        QVERIFY(registry.remember(QStringLiteral("bob"), KnownUsersRegistry::Origin::TypedIn, &error));
        // Quotes and non-ASCII go through bound parameters untouched.
        QVERIFY(registry.remember(QStringLiteral("o'brien-\u00e9"), KnownUsersRegistry::Origin::LookedUp, &error));
        QVERIFY(registry.contains(QStringLiteral("bob")));
        QVERIFY(registry.forget(QStringLiteral("bob"), &error));
        QVERIFY(!registry.contains(QStringLiteral("bob")));
        QVERIFY(!registry.remember(QString(), KnownUsersRegistry::Origin::TypedIn, &error));
        QVERIFY(!error.isEmpty());
    }
    KnownUsersRegistry reopened;
    QString error;
    QVERIFY(reopened.open(path, &error));
    const auto listing = reopened.users(&error);
    QVERIFY2(listing, qPrintable(error));
    QCOMPARE(listing->source, ListingSource::KnownUsers);
    QCOMPARE(listing->users.size(), 2);
    QCOMPARE(listing->users.at(0).username, QStringLiteral("alice"));
    QCOMPARE(listing->users.at(0).id, 7);
    QVERIFY(listing->users.at(0).isAdmin);
    QCOMPARE(listing->users.at(1).username, QStringLiteral("o'brien-\u00e9"));
    QCOMPARE(listing->users.at(1).id, -1);
}

void TestLocalSources::knownUsersKeepBetterData()
{
    QTemporaryDir dir;
    KnownUsersRegistry registry;
    QString error;
    QVERIFY(registry.open(dir.filePath(QStringLiteral("k.sqlite")), &error));
    User full;
    full.username = QStringLiteral("carol");
    full.id = 12;
    QVERIFY(registry.remember(full, KnownUsersRegistry::Origin::LookedUp));
    QVERIFY(registry.remember(QStringLiteral("carol"), KnownUsersRegistry::Origin::TypedIn));
    QCOMPARE(registry.users()->users.value(0).id, 12);

    QList<User> many;
    for (int i = 0; i < 50; ++i) {
        User user;
        user.username = QStringLiteral("bulk%1").arg(i, 2, 10, QLatin1Char('0'));
        user.id = 100 + i;
        many.append(user);
    }
    QVERIFY(registry.rememberAll(many, KnownUsersRegistry::Origin::AuthDatabase, &error));
    QCOMPARE(registry.users()->users.size(), 51);

    KnownUsersRegistry closed;
    QVERIFY(!closed.users(&error));
    QVERIFY(!error.isEmpty());
}

void TestLocalSources::authDatabaseFromEmbeddedServer()
{
    TestServer fixture;
    QVERIFY2(fixture.start(true), qPrintable(fixture.error));
    // One extra grant, made through the API, must show up in the database.
    Connection connection(fixture.url(), DemoData::adminUsername, DemoData::adminPassword);
    LegacyAuthApi api(&connection);
    Grant grant;
    grant.username = DemoData::user2Username;
    grant.resourceType = ResourceType::RegisteredModel;
    grant.resourceId = QStringLiteral("some-model");
    grant.level = PermissionLevel::Read;
    GrantJob* create = api.createGrant(grant);
    QVERIFY(waitFor(create));
    QVERIFY2(!create->hasError(), qPrintable(create->error().toLogString()));

    const QString dbPath = QDir(fixture.dataDir()).absoluteFilePath(QStringLiteral("basic_auth.db"));
    QVERIFY2(QFileInfo::exists(dbPath), qPrintable(dbPath));

    AuthDatabaseReader reader;
    QString error;
    // Four slashes: an absolute path, as in MLflow's database_uri.
    QVERIFY2(reader.open(QStringLiteral("sqlite:///") + dbPath, &error), qPrintable(error));
    const auto snapshot = reader.read(&error);
    QVERIFY2(snapshot, qPrintable(error));
    QCOMPARE(snapshot->listing.source, ListingSource::AuthDatabase);
    QCOMPARE(snapshot->skippedRows, 0);
    QStringList names;
    for (const User& user : snapshot->listing.users)
        names.append(user.username);
    QCOMPARE(names, QStringList({QStringLiteral("admin"), QStringLiteral("user1"), QStringLiteral("user2")}));
    const User& admin = snapshot->listing.users.at(0);
    const User& user1 = snapshot->listing.users.at(1);
    const User& user2 = snapshot->listing.users.at(2);
    QVERIFY(admin.isAdmin);
    QVERIFY(!user1.isAdmin);
    QCOMPARE(user1.experimentGrants.size(), 2);
    QCOMPARE(user2.experimentGrants.size(), 1);
    for (const Grant& g : user1.experimentGrants) {
        QCOMPARE(g.level, PermissionLevel::Manage);
        QCOMPARE(g.username, QStringLiteral("user1"));
        QCOMPARE(g.userId, user1.id);
    }
    QCOMPARE(user2.modelGrants.size(), 1);
    QCOMPARE(user2.modelGrants.first().resourceId, QStringLiteral("some-model"));
    QCOMPARE(user2.modelGrants.first().level, PermissionLevel::Read);

    // The same answer as the server's users/get.
    UserJob* fromServer = api.getUser(DemoData::user1Username);
    QVERIFY(waitFor(fromServer));
    QCOMPARE(fromServer->value().id, user1.id);
    QCOMPARE(fromServer->value().experimentGrants.size(), user1.experimentGrants.size());

    // A relative URI resolves against the given directory.
    AuthDatabaseReader relative;
    QVERIFY2(relative.open(QStringLiteral("sqlite:///basic_auth.db"), &error, fixture.dataDir()), qPrintable(error));
    QVERIFY(relative.read(&error));
}

void TestLocalSources::authDatabaseIsReadOnly()
{
    TestServer fixture;
    QVERIFY2(fixture.start(true), qPrintable(fixture.error));
    fixture.server().stop();
    const QString dbPath = QDir(fixture.dataDir()).absoluteFilePath(QStringLiteral("basic_auth.db"));
    QFile file(dbPath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray before = QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256);
    file.close();
    {
        AuthDatabaseReader reader;
        QString error;
        QVERIFY2(reader.open(QStringLiteral("sqlite:///") + dbPath, &error), qPrintable(error));
        QVERIFY(reader.read(&error));
    }
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256), before);
}

void TestLocalSources::authDatabaseErrors()
{
    QTemporaryDir dir;
    AuthDatabaseReader reader;
    QString error;
    QVERIFY(!reader.open(QStringLiteral("sqlite:///") + dir.filePath(QStringLiteral("missing.db")), &error));
    QVERIFY(error.contains(QLatin1String("missing.db")));

    // A database that is not MLflow's.
    const QString other = dir.filePath(QStringLiteral("other.db"));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("make-other"));
        db.setDatabaseName(other);
        QVERIFY(db.open());
        QSqlQuery(db).exec(QStringLiteral("CREATE TABLE t (x INTEGER)"));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("make-other"));
    QVERIFY2(reader.open(QStringLiteral("sqlite:///") + other, &error), qPrintable(error));
    QVERIFY(!reader.read(&error));
    QVERIFY(error.contains(QLatin1String("users")));

    // A driver Qt lacks gives a clear error, never a crash; with the driver, an unreachable host does.
    const bool hasPsql = QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL"));
    const bool opened =
        reader.open(QStringLiteral("postgresql://nobody:secret-pw@127.0.0.1:%1/auth").arg(closedPort()), &error);
    QVERIFY(!opened);
    QVERIFY(!error.contains(QLatin1String("secret-pw")));
    if (!hasPsql)
        QVERIFY2(error.contains(QLatin1String("QPSQL")), qPrintable(error));
}

// MLflow supports MySQL for its auth database (mlflow/server/auth/db, SQLAlchemy): BOOLEAN is TINYINT(1) there,
// ids arrive as strings or numbers depending on the column, and ORDER BY follows the server's collation. The
// password comes from MLFLOW_ADMIN_AUTH_DB_PASSWORD, as the CLI and the console (from the keychain) pass it.
void TestLocalSources::authDatabaseOnMariaDb()
{
    const QString password = QStringLiteral("maria-secret-0815");
    MariaDbServer mariadb(password);
    QVERIFY2(mariadb.started(), qPrintable(mariadb.error()));
    // MLflow 2.x's auth tables (mlflow/server/auth/db/models.py, revision 8606fa83a998) as created on MySQL.
    QVERIFY2(mariadb.execute({QStringLiteral("CREATE TABLE users (id INTEGER NOT NULL AUTO_INCREMENT, username "
                                             "VARCHAR(255), password_hash VARCHAR(255), is_admin BOOL, PRIMARY KEY "
                                             "(id), UNIQUE (username))"),
                              QStringLiteral("CREATE TABLE experiment_permissions (id INTEGER NOT NULL AUTO_INCREMENT, "
                                             "experiment_id VARCHAR(255) NOT NULL, user_id INTEGER NOT NULL, "
                                             "permission VARCHAR(255), PRIMARY KEY (id), CONSTRAINT "
                                             "unique_experiment_user UNIQUE (experiment_id, user_id), FOREIGN KEY "
                                             "(user_id) REFERENCES users (id))"),
                              QStringLiteral("CREATE TABLE registered_model_permissions (id INTEGER NOT NULL "
                                             "AUTO_INCREMENT, name VARCHAR(255) NOT NULL, user_id INTEGER NOT NULL, "
                                             "permission VARCHAR(255), PRIMARY KEY (id), CONSTRAINT unique_name_user "
                                             "UNIQUE (name, user_id), FOREIGN KEY (user_id) REFERENCES users (id))"),
                              QStringLiteral("INSERT INTO users (username, password_hash, is_admin) VALUES "
                                             "('admin', 'x', 1), ('my-ada', 'x', 0), ('my-\u00e9mile', 'x', 0)"),
                              QStringLiteral("INSERT INTO experiment_permissions (experiment_id, user_id, permission) "
                                             "VALUES ('1', 2, 'READ'), ('2', 2, 'EDIT'), ('1', 3, 'MANAGE'), "
                                             "('3', 3, 'NOT_A_LEVEL')"),
                              QStringLiteral("INSERT INTO registered_model_permissions (name, user_id, permission) "
                                             "VALUES ('churn model', 3, 'MANAGE')")}),
             qPrintable(mariadb.error()));

    const QString uri = QStringLiteral("mysql+pymysql://%1@127.0.0.1:%2/%3")
                            .arg(QLatin1String(MariaDbServer::account))
                            .arg(mariadb.port())
                            .arg(QLatin1String(MariaDbServer::database));
    qputenv(AuthDatabaseReader::passwordVariable, password.toUtf8());
    AuthDatabaseReader reader;
    QString error;
    QVERIFY2(reader.open(uri, &error), qPrintable(error));
    const auto snapshot = reader.read(&error);
    QVERIFY2(snapshot, qPrintable(error));
    QCOMPARE(snapshot->skippedRows, 1);
    QStringList summary;
    for (const User& user : snapshot->listing.users) {
        QStringList grants;
        for (const Grant& grant : user.experimentGrants + user.modelGrants)
            grants.append(grant.resourceId + QLatin1Char('=') + Permissions::name(grant.level));
        summary.append(user.username + (user.isAdmin ? QStringLiteral("(admin)") : QString()) + QLatin1Char(':') +
                       grants.join(QLatin1Char(',')));
    }
    QCOMPARE(summary, (QStringList{QStringLiteral("admin(admin):"), QStringLiteral("my-ada:1=READ,2=EDIT"),
                                   QStringLiteral("my-\u00e9mile:1=MANAGE,churn model=MANAGE")}));
    QCOMPARE(snapshot->listing.users.at(2).modelGrants.value(0).resourceType, ResourceType::RegisteredModel);
    QCOMPARE(snapshot->listing.users.at(1).experimentGrants.value(0).userId, 2);
    reader.close();

    // A wrong password: MariaDB's own words, the URI without any password, and no password in the message.
    qputenv(AuthDatabaseReader::passwordVariable, "not-the-password");
    QVERIFY(!reader.open(uri, &error));
    QVERIFY2(error.contains(QLatin1String("Access denied")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("127.0.0.1:%1").arg(mariadb.port())), qPrintable(error));
    QVERIFY(!error.contains(password));
    qunsetenv(AuthDatabaseReader::passwordVariable);
}

QTEST_GUILESS_MAIN(TestLocalSources)
#include "tst_localsources.moc"

// The two listing sources that do not need users/list: the known-users registry (local SQLite) and the direct,
// read-only auth-database reader, tested on a database written by the embedded server.

#include "ApiTestSupport.h"
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

QTEST_GUILESS_MAIN(TestLocalSources)
#include "tst_localsources.moc"

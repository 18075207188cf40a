// RbacMigration against real auth databases (tests/data/auth-db, see tests/data/README.md): a 2.15.1 database,
// the same database after a real MLflow 3.14 upgraded it, and a fresh 3.14 database with a role and grants.
#include "server/RbacMigration.h"
#include "server/RbacSchema.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>

namespace {

QString testData(const QString& name)
{
    return QStringLiteral(MLFLOW_ADMIN_SOURCE_DIR "/tests/data/auth-db/") + name;
}

const QString mlflow2Db = QStringLiteral("mlflow-2.15.1-basic_auth.db");
const QString upgradedDb = QStringLiteral("mlflow-3.14-upgraded-from-2.15.1-basic_auth.db");
const QString freshDb = QStringLiteral("mlflow-3.14-fresh-basic_auth.db");

QByteArray contents(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// One SQLite connection with a name of its own, removed again when it goes out of scope.
class Connection
{
public:
    explicit Connection(const QString& path) : m_name(QStringLiteral("rbacmigration-%1").arg(++s_count))
    {
        m_database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        m_database.setDatabaseName(path);
        m_database.open();
    }
    ~Connection()
    {
        m_database.close();
        m_database = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    QSqlDatabase& database() { return m_database; }

    bool exec(const QString& sql)
    {
        QSqlQuery query(m_database);
        if (!query.exec(sql)) {
            qWarning("%s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
            return false;
        }
        return true;
    }

    // Every row of a table in rowid order, each cell with its SQLite type, so 1 and '1' differ.
    QStringList rows(const QString& table)
    {
        QStringList result;
        QSqlQuery query(m_database);
        if (!query.exec(QStringLiteral("SELECT * FROM \"%1\" ORDER BY rowid").arg(table)))
            return {QStringLiteral("error: ") + query.lastError().text()};
        while (query.next()) {
            QStringList cells;
            for (int i = 0; i < query.record().count(); ++i) {
                const QVariant value = query.value(i);
                cells << (value.isNull() ? QStringLiteral("NULL")
                                         : QStringLiteral("%1:%2").arg(value.typeName(), value.toString()));
            }
            result << cells.join(QLatin1Char('|'));
        }
        return result;
    }

    // sqlite_master as type|name|table|DDL, the DDL with its whitespace normalised and nothing else changed.
    QStringList schema()
    {
        QStringList result;
        QSqlQuery query(m_database);
        query.exec(QStringLiteral("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"));
        while (query.next()) {
            QString sql = query.value(3).toString().simplified();
            sql.replace(QRegularExpression(QStringLiteral("\\s*([(),])\\s*")), QStringLiteral("\\1"));
            result << QStringList{query.value(0).toString(), query.value(1).toString(), query.value(2).toString(), sql}
                          .join(QLatin1Char('|'));
        }
        return result;
    }

    QStringList tables()
    {
        QStringList names = m_database.tables();
        names.sort();
        return names;
    }

private:
    static inline int s_count = 0;
    QString m_name;
    QSqlDatabase m_database;
};

struct Prepared
{
    bool ok = false;
    RbacMigration::Outcome outcome = RbacMigration::Outcome::Failed;
    QString report;
    QString error;
};

Prepared prepare(const QString& path)
{
    Connection connection(path);
    Prepared result;
    result.ok = RbacMigration::prepare(connection.database(), path, &result.report, &result.error, &result.outcome);
    return result;
}

QStringList backupsIn(const QDir& dir)
{
    return dir.entryList({QStringLiteral("basic_auth.db.*backup*")}, QDir::Files, QDir::Name);
}

} // namespace

class RbacMigrationTest : public QObject
{
    Q_OBJECT

private slots:
    void migratesLikeRealMlflow314();
    void backupIsCompleteExactAndOwnerOnly();
    void backupIncludesTheWriteAheadLog();
    void failedMigrationLeavesTheOriginal();
    void midChainDatabaseIsCompleted();
    void currentDatabasesNeedNothing_data();
    void currentDatabasesNeedNothing();
    void unknownRevisionIsRefused();
    void createdSchemaMatchesRealMlflow314();

private:
    // A fresh copy of a test database as <tmp>/basic_auth.db, writable as a server's would be.
    QString copyOf(const QString& name)
    {
        const QString path = m_dir.filePath(QStringLiteral("basic_auth.db"));
        QFile::remove(path);
        for (const QString& backup : backupsIn(QDir(m_dir.path())))
            QFile::remove(m_dir.filePath(backup));
        if (!QFile::copy(testData(name), path))
            return {};
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        return path;
    }

    QTemporaryDir m_dir;
};

// Our upgrade of a real 2.15.1 database gives exactly what a real MLflow 3.14 made of the same file: every table,
// every row (users, hidden roles and their ids, role_permissions, assignments, the legacy tables it keeps, both
// version tables) and the DDL.
void RbacMigrationTest::migratesLikeRealMlflow314()
{
    const QString path = copyOf(mlflow2Db);
    QVERIFY(!path.isEmpty());
    const Prepared result = prepare(path);
    QVERIFY2(result.ok, qPrintable(result.error));
    QCOMPARE(result.outcome, RbacMigration::Outcome::Migrated);
    // 11 legacy rows: 9 grants into the hidden roles of users 1-4, the 2 NO_PERMISSIONS rows dropped.
    QVERIFY2(result.report.contains(QStringLiteral("9 legacy grants moved into 4 new hidden per-user roles")),
             qPrintable(result.report));
    QVERIFY2(result.report.contains(QStringLiteral("2 NO_PERMISSIONS or invalid rows")), qPrintable(result.report));
    QVERIFY2(result.report.contains(path + QStringLiteral(".mlflow2-backup-")), qPrintable(result.report));

    Connection ours(path);
    Connection real(testData(upgradedDb));
    QCOMPARE(ours.tables(), real.tables());
    QVERIFY(real.tables().contains(QStringLiteral("alembic_version"))); // MLflow keeps the pre-3.6 version table
    for (const QString& table : real.tables()) {
        const QStringList expected = real.rows(table);
        QCOMPARE(ours.rows(table), expected);
    }
    QCOMPARE(ours.rows(QStringLiteral("alembic_version_auth")), QStringList{QStringLiteral("QString:f1a2b3c4d5e6")});
    QCOMPARE(ours.rows(QStringLiteral("roles")).size(), 4);
    QCOMPARE(ours.rows(QStringLiteral("role_permissions")).size(), 9);
    QCOMPARE(ours.schema(), real.schema());
}

void RbacMigrationTest::backupIsCompleteExactAndOwnerOnly()
{
    const QByteArray original = contents(testData(mlflow2Db));
    QVERIFY(!original.isEmpty());
    const QDir dir(m_dir.path());
    const QString path = copyOf(mlflow2Db);
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup |
                                    QFileDevice::ReadOther);
    Prepared result = prepare(path);
    QVERIFY2(result.ok, qPrintable(result.error));
    QCOMPARE(backupsIn(dir).size(), 1);
    const QString backup = dir.filePath(backupsIn(dir).constFirst());
    QVERIFY2(result.report.contains(backup), qPrintable(result.report));
    QVERIFY(
        QRegularExpression(QStringLiteral("basic_auth\\.db\\.mlflow2-backup-\\d{8}-\\d{6}$")).match(backup).hasMatch());
    QCOMPARE(contents(backup), original);
    QCOMPARE(QFile::permissions(backup) & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
             QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QVERIFY(contents(path) != original);

    // The same database again at once: a second backup beside the first, which is never overwritten.
    const QByteArray firstBackup = contents(backup);
    QFile::remove(path);
    QVERIFY(QFile::copy(testData(mlflow2Db), path));
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    result = prepare(path);
    QVERIFY2(result.ok, qPrintable(result.error));
    const QStringList backups = backupsIn(dir);
    QCOMPARE(backups.size(), 2);
    for (const QString& name : backups)
        QCOMPARE(contents(dir.filePath(name)), firstBackup);
}

// A 2.x database in WAL mode with a committed write still in the WAL: the backup must hold that write.
void RbacMigrationTest::backupIncludesTheWriteAheadLog()
{
    const QString path = copyOf(mlflow2Db);
    Connection connection(path);
    QVERIFY(connection.exec(QStringLiteral("PRAGMA journal_mode=WAL")));
    QVERIFY(connection.exec(QStringLiteral("PRAGMA wal_autocheckpoint=0")));
    QVERIFY(connection.exec(QStringLiteral("INSERT INTO users (username, password_hash, is_admin) "
                                           "VALUES ('only-in-wal', 'x', 0)")));
    QVERIFY(QFileInfo(path + QStringLiteral("-wal")).size() > 0);
    QString report;
    QString error;
    QVERIFY2(RbacMigration::prepare(connection.database(), path, &report, &error), qPrintable(error));
    const QStringList backups = backupsIn(QDir(m_dir.path()));
    QCOMPARE(backups.size(), 1);

    // Open a copy of the backup alone (no -wal beside it), as someone restoring it would.
    const QString restored = m_dir.filePath(QStringLiteral("restored.db"));
    QFile::remove(restored);
    QVERIFY(QFile::copy(m_dir.filePath(backups.constFirst()), restored));
    Connection backup(restored);
    QSqlQuery query(backup.database());
    QVERIFY(query.exec(QStringLiteral("SELECT COUNT(*) FROM users WHERE username = 'only-in-wal'")));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toInt(), 1);
    QVERIFY(!backup.tables().contains(QStringLiteral("roles")));
}

// A database stamped at c3d4e5f6a7b8 whose reserved role __user_2__ also has user 3 in it: MLflow refuses to
// pour user 2's grants into it, and so do we; the upgrade rolls back and the file stays byte for byte as it was.
void RbacMigrationTest::failedMigrationLeavesTheOriginal()
{
    const QString path = copyOf(freshDb);
    {
        Connection setup(path);
        QVERIFY(setup.exec(QStringLiteral("UPDATE alembic_version_auth SET version_num = 'c3d4e5f6a7b8'")));
        QVERIFY(setup.exec(QStringLiteral("INSERT INTO experiment_permissions (experiment_id, user_id, permission) "
                                          "VALUES ('7', 2, 'EDIT')")));
        QVERIFY(setup.exec(QStringLiteral("INSERT INTO user_role_assignments (user_id, role_id) VALUES (3, 1)")));
    }
    const QByteArray before = contents(path);
    const Prepared result = prepare(path);
    QVERIFY(!result.ok);
    QCOMPARE(result.outcome, RbacMigration::Outcome::Failed);
    QVERIFY2(result.error.contains(QStringLiteral("'__user_2__'")), qPrintable(result.error));
    QVERIFY2(result.error.contains(QStringLiteral("rolled back")), qPrintable(result.error));
    const QStringList backups = backupsIn(QDir(m_dir.path()));
    QCOMPARE(backups.size(), 1);
    QVERIFY2(result.error.contains(m_dir.filePath(backups.constFirst())), qPrintable(result.error));
    QVERIFY(backups.constFirst().contains(QStringLiteral("mlflow3-c3d4e5f6a7b8-backup-")));
    QCOMPARE(contents(path), before);
    QCOMPARE(contents(m_dir.filePath(backups.constFirst())), before);
    Connection after(path);
    QCOMPARE(RbacSchema::stampedRevision(after.database()), QStringLiteral("c3d4e5f6a7b8"));
}

// A 3.12-era database (stamped c3d4e5f6a7b8, legacy rows not yet backfilled, the registry in the same file):
// existing hidden roles are reused, workspace EDIT fans out, scorer names are percent-encoded, prompts re-typed.
void RbacMigrationTest::midChainDatabaseIsCompleted()
{
    const QString path = copyOf(freshDb);
    {
        Connection setup(path);
        QVERIFY(setup.exec(QStringLiteral("UPDATE alembic_version_auth SET version_num = 'c3d4e5f6a7b8'")));
        QVERIFY(setup.exec(QStringLiteral("INSERT INTO experiment_permissions (experiment_id, user_id, permission) "
                                          "VALUES ('7', 3, 'EDIT'), ('8', 3, 'NO_PERMISSIONS'), ('1', 3, 'MANAGE')")));
        QVERIFY(setup.exec(
            QStringLiteral("INSERT INTO workspace_permissions (workspace, user_id, permission) "
                           "VALUES ('default', 2, 'EDIT'), ('team', 3, 'READ'), ('x', 3, 'NO_PERMISSIONS')")));
        QVERIFY(setup.exec(QStringLiteral("INSERT INTO scorer_permissions (experiment_id, scorer_name, user_id, "
                                          "permission) VALUES ('1', 'a/b c', 2, 'READ')")));
        QVERIFY(setup.exec(QStringLiteral("INSERT INTO registered_model_permissions (name, user_id, permission, "
                                          "workspace) VALUES ('my-prompt', 2, 'READ', 'default'), "
                                          "('model-x', 2, 'EDIT', 'default')")));
        QVERIFY(
            setup.exec(QStringLiteral("CREATE TABLE registered_model_tags (key VARCHAR(250) NOT NULL, value "
                                      "VARCHAR(5000), name VARCHAR(256) NOT NULL, workspace VARCHAR(63) NOT NULL)")));
        QVERIFY(setup.exec(QStringLiteral("INSERT INTO registered_model_tags VALUES "
                                          "('mlflow.prompt.is_prompt', 'True', 'my-prompt', 'default'), "
                                          "('mlflow.prompt.is_prompt', 'false', 'model-x', 'default')")));
    }
    const Prepared result = prepare(path);
    QVERIFY2(result.ok, qPrintable(result.error));
    QCOMPARE(result.outcome, RbacMigration::Outcome::Migrated);
    QVERIFY2(result.report.contains(QStringLiteral("1 prompt grants re-typed")), qPrintable(result.report));

    Connection migrated(path);
    QCOMPARE(RbacSchema::stampedRevision(migrated.database()), QStringLiteral("f1a2b3c4d5e6"));
    // Hidden roles 1 (__user_2__) and 2 (__user_3__) in default exist already; only __user_3__ in team is new.
    QCOMPARE(migrated.rows(QStringLiteral("roles")).mid(3),
             QStringList{QStringLiteral("qlonglong:4|QString:__user_3__|QString:team|NULL")});
    const QStringList expected = {
        // from the fresh database
        QStringLiteral("qlonglong:1|qlonglong:1|QString:experiment|QString:1|QString:MANAGE"),
        QStringLiteral("qlonglong:2|qlonglong:2|QString:experiment|QString:1|QString:READ"),
        QStringLiteral("qlonglong:3|qlonglong:3|QString:registered_model|QString:*|QString:READ"),
        // workspace EDIT of user 2: USE on the workspace and EDIT on every resource type
        QStringLiteral("qlonglong:4|qlonglong:1|QString:workspace|QString:*|QString:USE"),
        QStringLiteral("qlonglong:5|qlonglong:1|QString:experiment|QString:*|QString:EDIT"),
        QStringLiteral("qlonglong:6|qlonglong:1|QString:registered_model|QString:*|QString:EDIT"),
        QStringLiteral("qlonglong:7|qlonglong:1|QString:scorer|QString:*|QString:EDIT"),
        QStringLiteral("qlonglong:8|qlonglong:1|QString:gateway_secret|QString:*|QString:EDIT"),
        QStringLiteral("qlonglong:9|qlonglong:1|QString:gateway_endpoint|QString:*|QString:EDIT"),
        QStringLiteral("qlonglong:10|qlonglong:1|QString:gateway_model_definition|QString:*|QString:EDIT"),
        // workspace READ of user 3 in team becomes USE
        QStringLiteral("qlonglong:11|qlonglong:4|QString:workspace|QString:*|QString:USE"),
        // experiment rows of user 3: EDIT on 7 added; its MANAGE on 1 loses to the READ already there
        QStringLiteral("qlonglong:12|qlonglong:2|QString:experiment|QString:7|QString:EDIT"),
        // registered models of user 2: the prompt re-typed, the plain model kept
        QStringLiteral("qlonglong:13|qlonglong:1|QString:prompt|QString:my-prompt|QString:READ"),
        QStringLiteral("qlonglong:14|qlonglong:1|QString:registered_model|QString:model-x|QString:EDIT"),
        // the scorer, its name percent-encoded after the experiment id
        QStringLiteral("qlonglong:15|qlonglong:1|QString:scorer|QString:1/a%2Fb%20c|QString:READ"),
    };
    QCOMPARE(migrated.rows(QStringLiteral("role_permissions")), expected);
    // user 3 joins its new team role; the existing assignments stay as they were
    QCOMPARE(migrated.rows(QStringLiteral("user_role_assignments")).size(), 4);
    QCOMPARE(migrated.rows(QStringLiteral("user_role_assignments")).constLast(),
             QStringLiteral("qlonglong:4|qlonglong:3|qlonglong:4"));
}

void RbacMigrationTest::currentDatabasesNeedNothing_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("upgraded by MLflow 3.14") << upgradedDb;
    QTest::newRow("created by MLflow 3.14") << freshDb;
}

void RbacMigrationTest::currentDatabasesNeedNothing()
{
    QFETCH(QString, name);
    const QString path = copyOf(name);
    const QByteArray before = contents(path);
    const Prepared result = prepare(path);
    QVERIFY2(result.ok, qPrintable(result.error));
    QCOMPARE(result.outcome, RbacMigration::Outcome::AlreadyCurrent);
    QVERIFY2(result.report.contains(QStringLiteral("nothing to migrate")), qPrintable(result.report));
    QCOMPARE(contents(path), before);
    QVERIFY(backupsIn(QDir(m_dir.path())).isEmpty());
}

void RbacMigrationTest::unknownRevisionIsRefused()
{
    const QString path = copyOf(freshDb);
    {
        Connection setup(path);
        QVERIFY(setup.exec(QStringLiteral("UPDATE alembic_version_auth SET version_num = 'f6a7b8c9d0e1'")));
    }
    const QByteArray before = contents(path);
    const Prepared result = prepare(path);
    QVERIFY(!result.ok);
    QCOMPARE(result.outcome, RbacMigration::Outcome::Refused);
    QVERIFY2(result.error.contains(QStringLiteral("f6a7b8c9d0e1")), qPrintable(result.error));
    QVERIFY2(result.error.contains(QStringLiteral("newer MLflow")), qPrintable(result.error));
    QCOMPARE(contents(path), before);
    QVERIFY(backupsIn(QDir(m_dir.path())).isEmpty());
}

// The schema we create in an empty database is the one a real MLflow 3.14 writes, table by table and index by
// index (MLflow 3.14 never had the 2.x alembic_version table in a fresh database, and neither do we).
void RbacMigrationTest::createdSchemaMatchesRealMlflow314()
{
    const QString path = m_dir.filePath(QStringLiteral("empty.db"));
    QFile::remove(path);
    const Prepared result = prepare(path);
    QVERIFY2(result.ok, qPrintable(result.error));
    QCOMPARE(result.outcome, RbacMigration::Outcome::Created);
    Connection ours(path);
    Connection real(testData(freshDb));
    QCOMPARE(ours.schema(), real.schema());
    QCOMPARE(ours.rows(QStringLiteral("alembic_version_auth")), QStringList{QStringLiteral("QString:f1a2b3c4d5e6")});
}

QTEST_GUILESS_MAIN(RbacMigrationTest)
#include "tst_rbacmigration.moc"

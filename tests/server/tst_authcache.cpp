// The auth stores' in-memory caches (users, 2.x grants, 3.x roles of each user and the role listings) after every
// kind of write: what the store answers from memory must equal what a fresh read of the database says, and a write
// must leave the entries it did not touch alone (so that 10,000 grants in a row do not reload everything 10,000
// times). The fresh read is plain SQL on a second connection, written here without the stores' code.

#include "server/AuthStore.h"
#include "server/Dialect.h"
#include "server/MlflowError.h"
#include "server/RbacStore.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <functional>
#include <memory>

namespace {

const QByteArray someHash = "pbkdf2:sha256:1$salt$0000";
const QByteArray otherHash = "pbkdf2:sha256:1$pepper$1111";

// Names the comparisons probe, so that a name cached as unknown before it is created (or after it is deleted) is
// covered too.
const QStringList probedNames = {QStringLiteral("admin"), QStringLiteral("alice"),       QStringLiteral("bob"),
                                 QStringLiteral("carol"), QStringLiteral("undeletable"), QStringLiteral("newcomer"),
                                 QStringLiteral("nobody")};

QString userLine(const std::optional<UserRecord>& user)
{
    if (!user)
        return QStringLiteral("-");
    return QStringLiteral("%1|%2|%3|%4")
        .arg(user->id)
        .arg(user->username, QString::fromLatin1(user->passwordHash))
        .arg(user->isAdmin ? 1 : 0);
}

QString roleLine(const RoleRecord& role)
{
    QStringList parts{QString::number(role.id), role.name, role.workspace,
                      role.description ? *role.description : QStringLiteral("<null>")};
    for (const RolePermissionRecord& grant : role.permissions)
        parts << QStringLiteral("%1:%2:%3:%4:%5")
                     .arg(grant.id)
                     .arg(grant.roleId)
                     .arg(grant.resourceType, grant.resourcePattern, grant.permission);
    return parts.join(u'|');
}

// Lines that differ, for the failure message.
QString difference(const QStringList& cached, const QStringList& fresh)
{
    QStringList lines;
    for (qsizetype i = 0; i < std::max(cached.size(), fresh.size()); ++i) {
        const QString a = i < cached.size() ? cached.at(i) : QStringLiteral("<none>");
        const QString b = i < fresh.size() ? fresh.at(i) : QStringLiteral("<none>");
        if (a != b)
            lines << QStringLiteral("cached: %1\n fresh: %2").arg(a, b);
    }
    return lines.join(u'\n');
}

} // namespace

class TestAuthCache : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void legacyCacheFollowsEveryWrite();
    void legacyWriteKeepsUnrelatedEntries();
    void rbacCacheFollowsEveryWrite();
    void rbacWriteKeepsUnrelatedEntries();

private:
    QSqlDatabase openConnection(const QString& name);
    // Runs raw SQL on the given connection (a test's own writes: triggers, another program's commits).
    void run(const QString& connection, const QString& sql);
    QList<qint64> userIds();

    // The store's answers (filling its caches) and the same answers read fresh with SQL, as comparable lines.
    QStringList legacyCached();
    QStringList legacyFresh();
    QStringList rbacCached();
    QStringList rbacFresh();
    QStringList freshRoles(const QString& condition, const QVariantList& values);
    QStringList freshUsers();

    // Warms the caches as a request would (the change check first), runs `write` (which may throw), then compares.
    bool agreesAfter(const char* what, const std::function<void()>& write, const std::function<QStringList()>& cached,
                     const std::function<QStringList()>& fresh);
    bool legacyStep(const char* what, const std::function<void()>& write);
    bool rbacStep(const char* what, const std::function<void()>& write);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_cachedName;
    QString m_freshName;
    std::unique_ptr<AuthStore> m_legacy;
    std::unique_ptr<RbacStore> m_rbac;
    int m_counter = 0;
};

QSqlDatabase TestAuthCache::openConnection(const QString& name)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(m_dir->filePath(QStringLiteral("basic_auth.db")));
    if (!db.open())
        qFatal("Cannot open the test database: %s", qPrintable(db.lastError().text()));
    // The pragmas the embedded server sets on its connections.
    QSqlQuery pragma(db);
    for (const char* statement : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"})
        pragma.exec(QString::fromLatin1(statement));
    return db;
}

void TestAuthCache::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    ++m_counter;
    m_cachedName = QStringLiteral("authcache-cached-%1").arg(m_counter);
    m_freshName = QStringLiteral("authcache-fresh-%1").arg(m_counter);
    openConnection(m_cachedName);
}

void TestAuthCache::cleanup()
{
    m_legacy.reset();
    m_rbac.reset();
    for (const QString& name : {m_cachedName, m_freshName}) {
        {
            QSqlDatabase db = QSqlDatabase::database(name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
    }
    m_dir.reset();
}

void TestAuthCache::run(const QString& connection, const QString& sql)
{
    QSqlQuery query(QSqlDatabase::database(connection));
    if (!query.exec(sql))
        QFAIL(qPrintable(QStringLiteral("%1: %2").arg(sql, query.lastError().text())));
}

QList<qint64> TestAuthCache::userIds()
{
    QSqlQuery query(QSqlDatabase::database(m_freshName));
    query.exec(QStringLiteral("SELECT id FROM users ORDER BY id"));
    QList<qint64> ids;
    while (query.next())
        ids << query.value(0).toLongLong();
    // Ids of users deleted meanwhile must answer "no grants / no roles" from memory too.
    for (qint64 id = 1; id <= 8; ++id) {
        if (!ids.contains(id))
            ids << id;
    }
    return ids;
}

QStringList TestAuthCache::freshUsers()
{
    QStringList lines;
    QSqlQuery query(QSqlDatabase::database(m_freshName));
    query.prepare(QStringLiteral("SELECT id, username, password_hash, is_admin FROM users WHERE username = ?"));
    for (const QString& name : probedNames) {
        query.addBindValue(name);
        query.exec();
        lines << QStringLiteral("user %1: ").arg(name) +
                     (query.next() ? userLine(UserRecord{query.value(0).toLongLong(), query.value(1).toString(),
                                                         query.value(2).toByteArray(), query.value(3).toBool()})
                                   : userLine(std::nullopt));
        query.finish();
    }
    return lines;
}

QStringList TestAuthCache::legacyCached()
{
    QStringList lines;
    for (const QString& name : probedNames)
        lines << QStringLiteral("user %1: ").arg(name) + userLine(m_legacy->user(name));
    for (qint64 id : userIds()) {
        for (ResourceKind kind : {ResourceKind::Experiment, ResourceKind::RegisteredModel}) {
            QStringList grants;
            for (const GrantRecord& grant : m_legacy->grants(kind, id)) {
                grants << grant.resourceId + u'=' + grant.permission;
                // The per-resource index must agree with the list.
                if (m_legacy->permission(kind, grant.resourceId, id) != grant.permission)
                    grants << QStringLiteral("<index disagrees on %1>").arg(grant.resourceId);
            }
            lines << QStringLiteral("grants %1/%2: %3").arg(int(kind)).arg(id).arg(grants.join(u','));
        }
    }
    return lines;
}

QStringList TestAuthCache::legacyFresh()
{
    QStringList lines = freshUsers();
    QSqlDatabase db = QSqlDatabase::database(m_freshName);
    for (qint64 id : userIds()) {
        for (ResourceKind kind : {ResourceKind::Experiment, ResourceKind::RegisteredModel}) {
            QSqlQuery query(db);
            query.prepare(kind == ResourceKind::Experiment
                              ? QStringLiteral("SELECT experiment_id, permission FROM experiment_permissions "
                                               "WHERE user_id = ? ORDER BY id")
                              : QStringLiteral("SELECT name, permission FROM registered_model_permissions "
                                               "WHERE user_id = ? ORDER BY id"));
            query.addBindValue(id);
            query.exec();
            QStringList grants;
            while (query.next())
                grants << query.value(0).toString() + u'=' + query.value(1).toString();
            lines << QStringLiteral("grants %1/%2: %3").arg(int(kind)).arg(id).arg(grants.join(u','));
        }
    }
    return lines;
}

QStringList TestAuthCache::freshRoles(const QString& condition, const QVariantList& values)
{
    QSqlDatabase db = QSqlDatabase::database(m_freshName);
    QSqlQuery query(db);
    query.prepare(QStringLiteral("SELECT roles.id, roles.name, roles.workspace, roles.description FROM roles %1 "
                                 "ORDER BY roles.id")
                      .arg(condition));
    for (const QVariant& value : values)
        query.addBindValue(value);
    query.exec();
    QList<RoleRecord> roles;
    while (query.next()) {
        RoleRecord role{
            query.value(0).toLongLong(), query.value(1).toString(), query.value(2).toString(), std::nullopt, {}};
        if (!query.value(3).isNull())
            role.description = query.value(3).toString();
        roles << role;
    }
    QStringList lines;
    for (RoleRecord& role : roles) {
        QSqlQuery grants(db);
        grants.prepare(QStringLiteral("SELECT id, role_id, resource_type, resource_pattern, permission FROM "
                                      "role_permissions WHERE role_id = ? ORDER BY id"));
        grants.addBindValue(role.id);
        grants.exec();
        while (grants.next())
            role.permissions << RolePermissionRecord{grants.value(0).toLongLong(), grants.value(1).toLongLong(),
                                                     grants.value(2).toString(), grants.value(3).toString(),
                                                     grants.value(4).toString()};
        lines << roleLine(role);
    }
    return lines;
}

QStringList TestAuthCache::rbacCached()
{
    QStringList lines;
    for (const QString& name : probedNames)
        lines << QStringLiteral("user %1: ").arg(name) + userLine(m_rbac->user(name));
    const QList<qint64> ids = userIds();
    for (qint64 id : ids) {
        QStringList roles;
        for (const RoleRecord& role : m_rbac->userRoles(id))
            roles << roleLine(role);
        lines << QStringLiteral("roles of %1: %2").arg(id).arg(roles.join(QStringLiteral(" ; ")));
    }
    QStringList all;
    for (const RoleRecord& role : m_rbac->roles())
        all << roleLine(role);
    lines << QStringLiteral("roles/list: ") + all.join(QStringLiteral(" ; "));
    const QHash<qint64, QList<RoleRecord>> byUser = m_rbac->rolesByUser();
    for (qint64 id : ids) {
        QStringList roles;
        for (const RoleRecord& role : byUser.value(id))
            roles << roleLine(role);
        lines << QStringLiteral("users/list roles of %1: %2").arg(id).arg(roles.join(QStringLiteral(" ; ")));
    }
    return lines;
}

QStringList TestAuthCache::rbacFresh()
{
    QStringList lines = freshUsers();
    const QList<qint64> ids = userIds();
    QStringList ofUser;
    for (qint64 id : ids) {
        const QStringList roles = freshRoles(
            QStringLiteral("JOIN user_role_assignments a ON a.role_id = roles.id WHERE a.user_id = ?"), {id});
        ofUser << roles.join(QStringLiteral(" ; "));
        lines << QStringLiteral("roles of %1: %2").arg(id).arg(ofUser.last());
    }
    lines << QStringLiteral("roles/list: ") + freshRoles(QString(), {}).join(QStringLiteral(" ; "));
    for (qsizetype i = 0; i < ids.size(); ++i)
        lines << QStringLiteral("users/list roles of %1: %2").arg(ids.at(i)).arg(ofUser.at(i));
    return lines;
}

// Warms the caches, makes the write (a failing write is one of the cases), then compares what the caches answer
// with what SQL says.
bool TestAuthCache::agreesAfter(const char* what, const std::function<void()>& write,
                                const std::function<QStringList()>& cached, const std::function<QStringList()>& fresh)
{
    cached();
    try {
        write();
    } catch (const MlflowError&) {
    }
    const QStringList cachedNow = cached();
    const QStringList freshNow = fresh();
    if (cachedNow == freshNow)
        return true;
    qWarning().noquote() << "After" << what << "\n" << difference(cachedNow, freshNow);
    return false;
}

bool TestAuthCache::legacyStep(const char* what, const std::function<void()>& write)
{
    m_legacy->dropCachesIfChangedElsewhere();
    return agreesAfter(
        what, write, [this] { return legacyCached(); }, [this] { return legacyFresh(); });
}

bool TestAuthCache::rbacStep(const char* what, const std::function<void()>& write)
{
    m_rbac->dropCachesIfChangedElsewhere();
    return agreesAfter(
        what, write, [this] { return rbacCached(); }, [this] { return rbacFresh(); });
}

void TestAuthCache::legacyCacheFollowsEveryWrite()
{
    m_legacy = std::make_unique<AuthStore>(QSqlDatabase::database(m_cachedName));
    QString error;
    QVERIFY2(m_legacy->initialize(&error), qPrintable(error));
    openConnection(m_freshName);
    AuthStore& store = *m_legacy;
    const auto userNamed = [&store](const char* name) {
        return store.requireUser(QString::fromLatin1(name));
    };
    const auto experiment = ResourceKind::Experiment;
    const auto model = ResourceKind::RegisteredModel;

    QVERIFY(legacyStep("creating users", [&] {
        for (const char* name : {"admin", "alice", "bob", "carol", "undeletable"})
            store.createUser(QString::fromLatin1(name), someHash, qstrcmp(name, "admin") == 0);
    }));
    QVERIFY(legacyStep("creating grants", [&] {
        store.createGrant(experiment, QStringLiteral("1"), userNamed("alice"), QStringLiteral("READ"));
        store.createGrant(experiment, QStringLiteral("2"), userNamed("alice"), QStringLiteral("EDIT"));
        store.createGrant(experiment, QStringLiteral("1"), userNamed("bob"), QStringLiteral("MANAGE"));
        store.createGrant(model, QStringLiteral("model-a"), userNamed("bob"), QStringLiteral("READ"));
        store.createGrant(model, QStringLiteral("model-b"), userNamed("carol"), QStringLiteral("EDIT"));
        store.createGrant(model, QStringLiteral("model-a"), userNamed("undeletable"), QStringLiteral("EDIT"));
        store.createGrant(experiment, QStringLiteral("3"), userNamed("undeletable"), QStringLiteral("READ"));
    }));
    QVERIFY(legacyStep("a grant that exists already", [&] {
        store.createGrant(experiment, QStringLiteral("1"), userNamed("alice"), QStringLiteral("EDIT"));
    }));
    QVERIFY(legacyStep("updating a grant", [&] {
        store.updateGrant(experiment, QStringLiteral("1"), userNamed("alice"), QStringLiteral("MANAGE"));
    }));
    QVERIFY(legacyStep("updating a grant that does not exist", [&] {
        store.updateGrant(experiment, QStringLiteral("9"), userNamed("alice"), QStringLiteral("MANAGE"));
    }));
    QVERIFY(legacyStep("deleting a grant",
                       [&] { store.deleteGrant(experiment, QStringLiteral("2"), userNamed("alice")); }));
    QVERIFY(legacyStep("a new user (cached as unknown before)",
                       [&] { store.createUser(QStringLiteral("newcomer"), someHash, false); }));
    QVERIFY(legacyStep("a password change", [&] { store.setPasswordHash(QStringLiteral("alice"), otherHash); }));
    QVERIFY(legacyStep("the admin flag", [&] { store.setAdmin(QStringLiteral("bob"), true); }));
    QVERIFY(legacyStep("the admin flag back", [&] { store.setAdmin(QStringLiteral("bob"), false); }));
    // Carol holds model-b; renaming model-a onto it moves bob's and undeletable's rows.
    QVERIFY(legacyStep("renaming a model",
                       [&] { store.renameResource(model, QStringLiteral("model-a"), QStringLiteral("model-c")); }));
    QVERIFY(legacyStep("renaming onto a name a user holds (UPDATE OR REPLACE)", [&] {
        store.createGrant(model, QStringLiteral("model-b"), userNamed("bob"), QStringLiteral("MANAGE"));
        store.renameResource(model, QStringLiteral("model-c"), QStringLiteral("model-b"));
    }));
    QVERIFY(
        legacyStep("deleting a model's grants", [&] { store.deleteResourceGrants(model, QStringLiteral("model-b")); }));

    // A delete that fails half-way (the user's row is protected by a trigger) rolls back the grants it removed.
    run(m_freshName, QStringLiteral("CREATE TRIGGER keep_undeletable BEFORE DELETE ON users WHEN OLD.username = "
                                    "'undeletable' BEGIN SELECT RAISE(ABORT, 'kept by the test'); END"));
    QVERIFY(legacyStep("a user delete that rolls back", [&] {
        QVERIFY_THROWS_EXCEPTION(MlflowError, store.deleteUser(QStringLiteral("undeletable")));
    }));
    QCOMPARE(store.grants(experiment, userNamed("undeletable").id).size(), 1);
    QVERIFY(legacyStep("deleting a user", [&] { store.deleteUser(QStringLiteral("alice")); }));

    // Another program commits: the next request's check drops everything.
    run(m_freshName, QStringLiteral("UPDATE users SET is_admin = 1 WHERE username = 'carol'"));
    run(m_freshName, QStringLiteral("INSERT INTO experiment_permissions (experiment_id, user_id, permission) "
                                    "SELECT '7', id, 'EDIT' FROM users WHERE username = 'bob'"));
    // Not yet checked: the caches are really answering (this comparison sees the difference).
    QVERIFY(legacyCached() != legacyFresh());
    QVERIFY(legacyStep("another program's commit", [] {}));
    QVERIFY(store.requireUser(QStringLiteral("carol")).isAdmin);
    QCOMPARE(store.permission(experiment, QStringLiteral("7"), userNamed("bob").id), QStringLiteral("EDIT"));
}

// A write drops only what it changed: a row changed behind the store's back on its own connection (which no check
// sees) stays as it was cached for every user the write did not touch.
void TestAuthCache::legacyWriteKeepsUnrelatedEntries()
{
    m_legacy = std::make_unique<AuthStore>(QSqlDatabase::database(m_cachedName));
    QString error;
    QVERIFY2(m_legacy->initialize(&error), qPrintable(error));
    AuthStore& store = *m_legacy;
    // As every request does; the first check finds nothing seen yet.
    store.dropCachesIfChangedElsewhere();
    const UserRecord alice = store.createUser(QStringLiteral("alice"), someHash, false);
    const UserRecord bob = store.createUser(QStringLiteral("bob"), someHash, false);
    store.createGrant(ResourceKind::Experiment, QStringLiteral("1"), bob, QStringLiteral("READ"));
    QVERIFY(!store.user(QStringLiteral("bob"))->isAdmin);
    QCOMPARE(store.permission(ResourceKind::Experiment, QStringLiteral("1"), bob.id), QStringLiteral("READ"));

    run(m_cachedName, QStringLiteral("UPDATE users SET is_admin = 1 WHERE username = 'bob'"));
    run(m_cachedName, QStringLiteral("UPDATE experiment_permissions SET permission = 'EDIT'"));
    store.dropCachesIfChangedElsewhere();
    for (int i = 0; i < 3; ++i)
        store.createGrant(ResourceKind::Experiment, QString::number(10 + i), alice, QStringLiteral("READ"));
    store.updateGrant(ResourceKind::Experiment, QStringLiteral("10"), alice, QStringLiteral("EDIT"));
    store.deleteGrant(ResourceKind::Experiment, QStringLiteral("11"), alice);
    store.setPasswordHash(QStringLiteral("alice"), otherHash);

    // Alice's entries follow her writes; bob's were not read again.
    QCOMPARE(store.grants(ResourceKind::Experiment, alice.id).size(), 2);
    QCOMPARE(store.user(QStringLiteral("alice"))->passwordHash, otherHash);
    QVERIFY(!store.user(QStringLiteral("bob"))->isAdmin);
    QCOMPARE(store.permission(ResourceKind::Experiment, QStringLiteral("1"), bob.id), QStringLiteral("READ"));
    // A grant of bob's brings his cached rows up to date in place (no re-read either); a write on every holder of
    // a resource drops them, and they are read again.
    store.createGrant(ResourceKind::Experiment, QStringLiteral("2"), bob, QStringLiteral("MANAGE"));
    QCOMPARE(store.permission(ResourceKind::Experiment, QStringLiteral("2"), bob.id), QStringLiteral("MANAGE"));
    QCOMPARE(store.permission(ResourceKind::Experiment, QStringLiteral("1"), bob.id), QStringLiteral("READ"));
    store.renameResource(ResourceKind::Experiment, QStringLiteral("2"), QStringLiteral("3"));
    QCOMPARE(store.permission(ResourceKind::Experiment, QStringLiteral("1"), bob.id), QStringLiteral("EDIT"));
    QCOMPARE(store.permission(ResourceKind::Experiment, QStringLiteral("3"), bob.id), QStringLiteral("MANAGE"));
}

void TestAuthCache::rbacCacheFollowsEveryWrite()
{
    m_rbac = std::make_unique<RbacStore>(QSqlDatabase::database(m_cachedName));
    QString error;
    QVERIFY2(m_rbac->initialize(&error), qPrintable(error));
    openConnection(m_freshName);
    RbacStore& store = *m_rbac;
    const auto userNamed = [&store](const char* name) {
        return store.requireUser(QString::fromLatin1(name));
    };
    const QString experiment = QStringLiteral("experiment");
    const QString model = QStringLiteral("registered_model");
    const QString other = QStringLiteral("team-b");

    QVERIFY(rbacStep("creating users", [&] {
        for (const char* name : {"admin", "alice", "bob", "carol", "undeletable"})
            store.createUser(QString::fromLatin1(name), someHash, qstrcmp(name, "admin") == 0);
    }));
    qint64 readers = 0;
    QVERIFY(rbacStep("creating a role", [&] {
        readers = store.createRole(QStringLiteral("readers"), defaultWorkspace, QStringLiteral("all experiments")).id;
    }));
    QVERIFY(rbacStep("a role name that exists",
                     [&] { store.createRole(QStringLiteral("readers"), defaultWorkspace, std::nullopt); }));
    QVERIFY(rbacStep("a role permission", [&] {
        store.addRolePermission(readers, experiment, QStringLiteral("*"), QStringLiteral("READ"));
    }));
    QVERIFY(rbacStep("assigning the role", [&] {
        store.assign(userNamed("alice").id, readers);
        store.assign(userNamed("bob").id, readers);
    }));
    qint64 editPermission = 0;
    QVERIFY(rbacStep("a permission on a held role", [&] {
        editPermission = store.addRolePermission(readers, model, QStringLiteral("model-a"), QStringLiteral("EDIT")).id;
    }));
    QVERIFY(rbacStep("changing a role permission",
                     [&] { store.updateRolePermission(editPermission, QStringLiteral("MANAGE")); }));
    QVERIFY(rbacStep("renaming a role", [&] {
        store.updateRole(readers, QStringLiteral("viewers"), std::nullopt);
        store.updateRole(readers, std::nullopt, QStringLiteral("changed"));
    }));
    QVERIFY(rbacStep("removing a role permission", [&] { store.removeRolePermission(editPermission); }));
    QVERIFY(rbacStep("unassigning", [&] { store.unassign(userNamed("bob").id, readers); }));
    QVERIFY(rbacStep("unassigning what is not assigned", [&] { store.unassign(userNamed("bob").id, readers); }));
    QVERIFY(rbacStep("direct grants (hidden roles appear)", [&] {
        store.grantUserPermission(userNamed("bob"), defaultWorkspace, experiment, QStringLiteral("1"),
                                  QStringLiteral("EDIT"));
        store.grantUserPermission(userNamed("bob"), defaultWorkspace, model, QStringLiteral("model-a"),
                                  QStringLiteral("READ"));
        store.grantUserPermission(userNamed("carol"), defaultWorkspace, model, QStringLiteral("model-a"),
                                  QStringLiteral("MANAGE"));
        store.grantUserPermission(userNamed("undeletable"), defaultWorkspace, experiment, QStringLiteral("3"),
                                  QStringLiteral("READ"));
        store.grantUserPermission(userNamed("alice"), other, experiment, QStringLiteral("5"), QStringLiteral("READ"));
    }));
    QVERIFY(rbacStep("a direct grant that exists", [&] {
        store.grantUserPermission(userNamed("bob"), defaultWorkspace, experiment, QStringLiteral("1"),
                                  QStringLiteral("READ"));
    }));
    QVERIFY(rbacStep("the creator's MANAGE (upsert)", [&] {
        store.upsertUserGrant(userNamed("bob").id, defaultWorkspace, experiment, QStringLiteral("1"),
                              QStringLiteral("MANAGE"));
        store.upsertUserGrant(userNamed("carol").id, defaultWorkspace, experiment, QStringLiteral("8"),
                              QStringLiteral("MANAGE"));
    }));
    QVERIFY(rbacStep("revoking a direct grant", [&] {
        store.revokeUserPermission(userNamed("bob"), defaultWorkspace, experiment, QStringLiteral("1"));
    }));
    QVERIFY(rbacStep("revoking what is not granted", [&] {
        store.revokeUserPermission(userNamed("alice"), defaultWorkspace, experiment, QStringLiteral("1"));
    }));
    QVERIFY(rbacStep("renaming a model's grants", [&] {
        store.renameResourceGrants(defaultWorkspace, model, QStringLiteral("model-a"), QStringLiteral("model-b"));
    }));
    QVERIFY(rbacStep("deleting a model's grants",
                     [&] { store.deleteResourceGrants(defaultWorkspace, model, QStringLiteral("model-b")); }));
    QVERIFY(rbacStep("new user (cached as unknown before), password, admin flag", [&] {
        store.createUser(QStringLiteral("newcomer"), someHash, false);
        store.setPasswordHash(QStringLiteral("newcomer"), otherHash);
        store.setAdmin(QStringLiteral("carol"), true);
    }));
    QVERIFY(rbacStep("a workspace's seeded roles", [&] {
        store.seedWorkspaceRoles(other);
        for (const RoleRecord& role : store.roles(QStringList{other})) {
            if (role.name == QLatin1String("user"))
                store.assign(userNamed("carol").id, role.id);
        }
    }));
    QVERIFY(rbacStep("deleting a workspace's roles", [&] { store.deleteWorkspaceRoles(other); }));

    // A direct grant whose insert fails after its hidden role and assignment were written rolls both back.
    run(m_freshName, QStringLiteral("CREATE TRIGGER refuse_grant BEFORE INSERT ON role_permissions WHEN "
                                    "NEW.resource_pattern = 'refused' BEGIN SELECT RAISE(ABORT, 'refused by the "
                                    "test'); END"));
    QVERIFY(rbacStep("a direct grant that rolls back", [&] {
        QVERIFY_THROWS_EXCEPTION(MlflowError,
                                 store.grantUserPermission(userNamed("newcomer"), defaultWorkspace, experiment,
                                                           QStringLiteral("refused"), QStringLiteral("READ")));
    }));
    QVERIFY(store.userRoles(userNamed("newcomer").id).isEmpty());

    QVERIFY(rbacStep("deleting a role", [&] { store.deleteRole(readers); }));
    QVERIFY(rbacStep("deleting a user", [&] { store.deleteUser(QStringLiteral("bob")); }));

    // Another program commits: the next request's check drops everything.
    run(m_freshName, QStringLiteral("UPDATE roles SET description = 'from outside'"));
    run(m_freshName, QStringLiteral("UPDATE role_permissions SET permission = 'EDIT' WHERE resource_pattern = '3'"));
    QVERIFY(rbacCached() != rbacFresh());
    QVERIFY(rbacStep("another program's commit", [] {}));
}

void TestAuthCache::rbacWriteKeepsUnrelatedEntries()
{
    m_rbac = std::make_unique<RbacStore>(QSqlDatabase::database(m_cachedName));
    QString error;
    QVERIFY2(m_rbac->initialize(&error), qPrintable(error));
    RbacStore& store = *m_rbac;
    store.dropCachesIfChangedElsewhere();
    const UserRecord alice = store.createUser(QStringLiteral("alice"), someHash, false);
    const UserRecord bob = store.createUser(QStringLiteral("bob"), someHash, false);
    const QString experiment = QStringLiteral("experiment");
    store.grantUserPermission(bob, defaultWorkspace, experiment, QStringLiteral("1"), QStringLiteral("READ"));
    QVERIFY(store.roleLevel(bob.id, experiment, QStringLiteral("1"), defaultWorkspace) == PermissionLevel::Read);
    QVERIFY(!store.user(QStringLiteral("bob"))->isAdmin);

    run(m_cachedName, QStringLiteral("UPDATE role_permissions SET permission = 'EDIT'"));
    run(m_cachedName, QStringLiteral("UPDATE users SET is_admin = 1 WHERE username = 'bob'"));
    store.dropCachesIfChangedElsewhere();
    for (int i = 0; i < 3; ++i)
        store.grantUserPermission(alice, defaultWorkspace, experiment, QString::number(10 + i), QStringLiteral("READ"));
    store.revokeUserPermission(alice, defaultWorkspace, experiment, QStringLiteral("11"));
    store.upsertUserGrant(alice.id, defaultWorkspace, experiment, QStringLiteral("10"), QStringLiteral("MANAGE"));

    QVERIFY(store.roleLevel(alice.id, experiment, QStringLiteral("10"), defaultWorkspace) == PermissionLevel::Manage);
    QVERIFY(!store.roleLevel(alice.id, experiment, QStringLiteral("11"), defaultWorkspace));
    // Bob's entries were not read again.
    QVERIFY(store.roleLevel(bob.id, experiment, QStringLiteral("1"), defaultWorkspace) == PermissionLevel::Read);
    QVERIFY(!store.user(QStringLiteral("bob"))->isAdmin);
    // A write on bob's role reads it again.
    store.grantUserPermission(bob, defaultWorkspace, experiment, QStringLiteral("2"), QStringLiteral("READ"));
    QVERIFY(store.roleLevel(bob.id, experiment, QStringLiteral("1"), defaultWorkspace) == PermissionLevel::Edit);
}

QTEST_GUILESS_MAIN(TestAuthCache)
#include "tst_authcache.moc"

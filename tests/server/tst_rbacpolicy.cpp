// MLflow 3.14's permission model as the embedded server speaks it with --api 3, through the real request pipeline
// over loopback: roles and "*" patterns, default_permission as a floor, the hidden per-user roles (and what we refuse
// to do with them where 3.14 leaks or moves grants), highest-wins across roles, the admin bypass, the cascade when a
// user or a model is deleted, workspace-wide grants, and the store's own schema handling.

#include "RawHttpClient.h"
#include "ServerFixture.h"

#include "server/MlflowError.h"
#include "server/RbacSchema.h"
#include "server/RbacStore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QUrlQuery>
#include <QtTest>

namespace {

struct Caller
{
    QString username;
    QString password;
};

const Caller admin{QStringLiteral("admin"), QStringLiteral("password1234")};
const Caller alice{QStringLiteral("alice"), QStringLiteral("alice-password-1")};
const Caller bob{QStringLiteral("bob"), QStringLiteral("bob-password-123")};
const Caller carol{QStringLiteral("carol"), QStringLiteral("carol-password-1")};

Dialect mlflow3()
{
    Dialect dialect;
    dialect.generation = Dialect::Generation::Mlflow3;
    return dialect;
}

struct Reply
{
    int status = 0;
    QJsonObject json;
    QByteArray body;
};

class Api
{
public:
    explicit Api(quint16 port) : m_client(QStringLiteral("127.0.0.1"), port) {}

    // `path` is relative to /api/2.0/mlflow/, or absolute when it starts with '/'. GET sends `fields` as a query.
    Reply call(const Caller& caller, const QByteArray& method, const QString& path, const QJsonObject& fields = {})
    {
        QByteArray target = path.startsWith(QLatin1Char('/')) ? path.toUtf8() : "/api/2.0/mlflow/" + path.toUtf8();
        QList<QPair<QByteArray, QByteArray>> headers;
        headers.append(
            {"Authorization", "Basic " + (caller.username + QLatin1Char(':') + caller.password).toUtf8().toBase64()});
        QByteArray body;
        const bool withBody = method != "GET";
        if (withBody) {
            headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
            body = QJsonDocument(fields).toJson(QJsonDocument::Compact);
        } else if (!fields.isEmpty()) {
            QUrlQuery query;
            for (auto it = fields.begin(); it != fields.end(); ++it)
                query.addQueryItem(it.key(), it.value().isString() ? it.value().toString()
                                                                   : QString::number(it.value().toInteger()));
            target += '?' + query.toString(QUrl::FullyEncoded).toUtf8();
        }
        const RawHttpClient::Response response = m_client.send(method, target, headers, body, withBody);
        return {response.status, QJsonDocument::fromJson(response.body).object(), response.body};
    }

    Reply v3(const Caller& caller, const QByteArray& method, const QString& endpoint, const QJsonObject& fields = {})
    {
        return call(caller, method, QStringLiteral("/api/3.0/mlflow/") + endpoint, fields);
    }

    void createUser(const Caller& user)
    {
        const Reply reply =
            call(admin, "POST", QStringLiteral("users/create"),
                 {{QStringLiteral("username"), user.username}, {QStringLiteral("password"), user.password}});
        QCOMPARE(reply.status, 200);
    }

    QString createExperiment(const Caller& owner, const QString& name)
    {
        const Reply reply = call(owner, "POST", QStringLiteral("experiments/create"), {{QStringLiteral("name"), name}});
        if (reply.status != 200)
            qWarning() << "experiments/create" << reply.status << reply.body;
        return reply.json.value(QStringLiteral("experiment_id")).toString();
    }

    int getExperiment(const Caller& caller, const QString& id)
    {
        return call(caller, "GET", QStringLiteral("experiments/get"), {{QStringLiteral("experiment_id"), id}}).status;
    }

    int setTag(const Caller& caller, const QString& id)
    {
        return call(caller, "POST", QStringLiteral("experiments/set-experiment-tag"),
                    {{QStringLiteral("experiment_id"), id},
                     {QStringLiteral("key"), QStringLiteral("k")},
                     {QStringLiteral("value"), QStringLiteral("v")}})
            .status;
    }

    int grant(const Caller& caller, const Caller& user, const QString& type, const QString& id, const QString& level)
    {
        return v3(caller, "POST", QStringLiteral("users/permissions/grant"),
                  {{QStringLiteral("username"), user.username},
                   {QStringLiteral("resource_type"), type},
                   {QStringLiteral("resource_id"), id},
                   {QStringLiteral("permission"), level}})
            .status;
    }

    QString effective(const Caller& user, const QString& type, const QString& id)
    {
        const Reply reply = v3(admin, "GET", QStringLiteral("users/permissions/get"),
                               {{QStringLiteral("username"), user.username},
                                {QStringLiteral("resource_type"), type},
                                {QStringLiteral("resource_id"), id}});
        return reply.json.value(QStringLiteral("permission")).toString();
    }

    qint64 createRole(const QString& name)
    {
        const Reply reply =
            v3(admin, "POST", QStringLiteral("roles/create"),
               {{QStringLiteral("name"), name}, {QStringLiteral("workspace"), QStringLiteral("default")}});
        return reply.json.value(QStringLiteral("role")).toObject().value(QStringLiteral("id")).toInteger();
    }

    Reply addToRole(qint64 roleId, const QString& type, const QString& pattern, const QString& level)
    {
        return v3(admin, "POST", QStringLiteral("roles/permissions/add"),
                  {{QStringLiteral("role_id"), roleId},
                   {QStringLiteral("resource_type"), type},
                   {QStringLiteral("resource_pattern"), pattern},
                   {QStringLiteral("permission"), level}});
    }

    int assign(const Caller& user, qint64 roleId)
    {
        return v3(admin, "POST", QStringLiteral("roles/assign"),
                  {{QStringLiteral("username"), user.username}, {QStringLiteral("role_id"), roleId}})
            .status;
    }

    // The id of a user's hidden role, from its permission rows.
    qint64 hiddenRoleOf(const Caller& user)
    {
        const Reply reply =
            v3(admin, "GET", QStringLiteral("users/permissions/list"), {{QStringLiteral("username"), user.username}});
        for (const QJsonValue& row : reply.json.value(QStringLiteral("permissions")).toArray()) {
            if (row.toObject().value(QStringLiteral("role_name")).toString().startsWith(QLatin1String("__user_")))
                return row.toObject().value(QStringLiteral("role_id")).toInteger();
        }
        return 0;
    }

private:
    RawHttpClient m_client;
};

QStringList names(const QJsonArray& items, const QString& key)
{
    QStringList list;
    for (const QJsonValue& item : items)
        list.append(item.toObject().value(key).toString());
    return list;
}

} // namespace

class RbacPolicyTest : public QObject
{
    Q_OBJECT

private slots:
    void hiddenRoleHoldsDirectGrantsAndAutoManage();
    void wildcardPatternsInRoles();
    void defaultPermissionIsAFloor();
    void highestLevelWinsAcrossRoles();
    void adminBypassesEveryCheck();
    void hiddenRolesAreNotEditableThroughTheRolesApi();
    void membersDoNotSeeOtherUsersHiddenRoles();
    void deletingAUserRemovesItsHiddenRoleAndAssignments();
    void deletingAModelRemovesEveryGrantOnItsName();
    void runsSearchIsFilteredToReadableExperiments();
    void workspaceWideGrantsAreValidated();
    void workspaceAdminsManageRolesOfTheirWorkspace();
    void errorsCarryMlflow3Classification();
    void refusesAnMlflow2Database();
    void storeSeedsWorkspaceRoles();
};

void RbacPolicyTest::hiddenRoleHoldsDirectGrantsAndAutoManage()
{
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), QString(), QString(), mlflow3());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port());
    api.createUser(alice);
    api.createUser(bob);
    const QString experiment = api.createExperiment(alice, QStringLiteral("alice-exp"));
    QVERIFY(!experiment.isEmpty());
    // The creator's MANAGE is a row of its hidden role __user_<id>__ in the default workspace.
    const Reply own = api.v3(alice, "GET", QStringLiteral("users/current/permissions"));
    QCOMPARE(own.status, 200);
    const QJsonArray rows = own.json.value(QStringLiteral("permissions")).toArray();
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.at(0).toObject().value(QStringLiteral("role_name")).toString(), QStringLiteral("__user_2__"));
    QCOMPARE(rows.at(0).toObject().value(QStringLiteral("permission")).toString(), QStringLiteral("MANAGE"));
    QCOMPARE(rows.at(0).toObject().value(QStringLiteral("workspace")).toString(), QStringLiteral("default"));
    // bob's first grant creates his hidden role; the grant is exact to the id.
    QCOMPARE(api.getExperiment(bob, experiment), 403);
    QCOMPARE(api.grant(alice, bob, QStringLiteral("experiment"), experiment, QStringLiteral("READ")), 200);
    QCOMPARE(api.getExperiment(bob, experiment), 200);
    QCOMPARE(api.setTag(bob, experiment), 403);
    QCOMPARE(api.grant(admin, bob, QStringLiteral("experiment"), experiment, QStringLiteral("EDIT")), 400);
    const Reply bobs =
        api.v3(admin, "GET", QStringLiteral("users/roles/list"), {{QStringLiteral("username"), bob.username}});
    QCOMPARE(names(bobs.json.value(QStringLiteral("roles")).toArray(), QStringLiteral("name")),
             QStringList{QStringLiteral("__user_3__")});
    // Revoking leaves nothing; revoking again is 404.
    const QJsonObject target{{QStringLiteral("username"), bob.username},
                             {QStringLiteral("resource_type"), QStringLiteral("experiment")},
                             {QStringLiteral("resource_id"), experiment}};
    QCOMPARE(api.v3(admin, "POST", QStringLiteral("users/permissions/revoke"), target).status, 200);
    QCOMPARE(api.getExperiment(bob, experiment), 403);
    QCOMPARE(api.v3(admin, "POST", QStringLiteral("users/permissions/revoke"), target).status, 404);
}

void RbacPolicyTest::wildcardPatternsInRoles()
{
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), QString(), QString(), mlflow3());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port());
    api.createUser(alice);
    api.createUser(bob);
    const QString first = api.createExperiment(alice, QStringLiteral("first"));
    const QString second = api.createExperiment(alice, QStringLiteral("second"));
    QCOMPARE(api.call(alice, "POST", QStringLiteral("registered-models/create"),
                      {{QStringLiteral("name"), QStringLiteral("m1")}})
                 .status,
             200);
    const qint64 readers = api.createRole(QStringLiteral("readers"));
    QCOMPARE(api.addToRole(readers, QStringLiteral("experiment"), QStringLiteral("*"), QStringLiteral("READ")).status,
             200);
    QCOMPARE(api.assign(bob, readers), 200);
    // "*" covers every experiment, including the Default one, and experiments created later.
    QCOMPARE(api.getExperiment(bob, first), 200);
    QCOMPARE(api.getExperiment(bob, second), 200);
    const QString third = api.createExperiment(alice, QStringLiteral("third"));
    QCOMPARE(api.getExperiment(bob, third), 200);
    QCOMPARE(api.effective(bob, QStringLiteral("experiment"), third), QStringLiteral("READ"));
    const Reply search =
        api.call(bob, "POST", QStringLiteral("experiments/search"), {{QStringLiteral("max_results"), 100}});
    QCOMPARE(search.json.value(QStringLiteral("experiments")).toArray().size(), 4);
    // A pattern of one type says nothing about another type.
    QCOMPARE(
        api.call(bob, "GET", QStringLiteral("registered-models/get"), {{QStringLiteral("name"), QStringLiteral("m1")}})
            .status,
        403);
    QCOMPARE(api.call(bob, "GET", QStringLiteral("registered-models/search"))
                 .json.contains(QStringLiteral("registered_models")),
             false);
}

void RbacPolicyTest::defaultPermissionIsAFloor()
{
    ServerFixture fixture(false, QStringLiteral("READ"), QString(), QString(), mlflow3());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port());
    api.createUser(alice);
    api.createUser(bob);
    api.createUser(carol);
    const QString experiment = api.createExperiment(alice, QStringLiteral("floored"));
    // No grant: the READ default applies.
    QCOMPARE(api.effective(carol, QStringLiteral("experiment"), experiment), QStringLiteral("READ"));
    QCOMPARE(api.getExperiment(carol, experiment), 200);
    QCOMPARE(api.setTag(carol, experiment), 403);
    // An EDIT grant lifts bob above the floor.
    QCOMPARE(api.grant(admin, bob, QStringLiteral("experiment"), experiment, QStringLiteral("EDIT")), 200);
    QCOMPARE(api.effective(bob, QStringLiteral("experiment"), experiment), QStringLiteral("EDIT"));
    QCOMPARE(api.setTag(bob, experiment), 200);
    QCOMPARE(
        api.call(bob, "POST", QStringLiteral("experiments/delete"), {{QStringLiteral("experiment_id"), experiment}})
            .status,
        403);
    // Everyone can search it through the default.
    const Reply search =
        api.call(carol, "POST", QStringLiteral("experiments/search"), {{QStringLiteral("max_results"), 100}});
    QVERIFY(names(search.json.value(QStringLiteral("experiments")).toArray(), QStringLiteral("name"))
                .contains(QStringLiteral("floored")));
}

void RbacPolicyTest::highestLevelWinsAcrossRoles()
{
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), QString(), QString(), mlflow3());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port());
    api.createUser(alice);
    api.createUser(bob);
    const QString experiment = api.createExperiment(alice, QStringLiteral("shared"));
    const qint64 readers = api.createRole(QStringLiteral("readers"));
    const qint64 editors = api.createRole(QStringLiteral("editors"));
    QCOMPARE(api.addToRole(readers, QStringLiteral("experiment"), experiment, QStringLiteral("READ")).status, 200);
    QCOMPARE(api.addToRole(editors, QStringLiteral("experiment"), QStringLiteral("*"), QStringLiteral("EDIT")).status,
             200);
    QCOMPARE(api.grant(admin, bob, QStringLiteral("experiment"), experiment, QStringLiteral("USE")), 200);
    QCOMPARE(api.assign(bob, readers), 200);
    QCOMPARE(api.effective(bob, QStringLiteral("experiment"), experiment), QStringLiteral("USE"));
    QCOMPARE(api.assign(bob, editors), 200);
    QCOMPARE(api.effective(bob, QStringLiteral("experiment"), experiment), QStringLiteral("EDIT"));
    QCOMPARE(api.setTag(bob, experiment), 200);
    // Unassigning the stronger role drops back to the best remaining grant.
    QCOMPARE(api.v3(admin, "DELETE", QStringLiteral("roles/unassign"),
                    {{QStringLiteral("username"), bob.username}, {QStringLiteral("role_id"), editors}})
                 .status,
             200);
    QCOMPARE(api.effective(bob, QStringLiteral("experiment"), experiment), QStringLiteral("USE"));
    QCOMPARE(api.setTag(bob, experiment), 403);
}

void RbacPolicyTest::adminBypassesEveryCheck()
{
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), QString(), QString(), mlflow3());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port());
    api.createUser(alice);
    const QString experiment = api.createExperiment(alice, QStringLiteral("private"));
    QCOMPARE(api.effective(admin, QStringLiteral("experiment"), experiment), QStringLiteral("NO_PERMISSIONS"));
    QCOMPARE(api.getExperiment(admin, experiment), 200);
    QCOMPARE(api.setTag(admin, experiment), 200);
    QCOMPARE(
        api.call(admin, "POST", QStringLiteral("experiments/delete"), {{QStringLiteral("experiment_id"), experiment}})
            .status,
        200);
    const Reply permissions = api.v3(admin, "GET", QStringLiteral("users/current/permissions"));
    QCOMPARE(permissions.json.value(QStringLiteral("is_admin")).toBool(), true);
    // A non-admin is refused the same calls on the Default experiment it holds nothing on.
    QCOMPARE(api.getExperiment(alice, QStringLiteral("0")), 403);
}

void RbacPolicyTest::hiddenRolesAreNotEditableThroughTheRolesApi()
{
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), QString(), QString(), mlflow3());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port());
    api.createUser(alice);
    api.createUser(bob);
    const QString experiment = api.createExperiment(alice, QStringLiteral("mine"));
    const qint64 hidden = api.hiddenRoleOf(alice);
    QVERIFY(hidden > 0);
    const qint64 rolePermission =
        api.v3(admin, "GET", QStringLiteral("roles/permissions/list"), {{QStringLiteral("role_id"), hidden}})
            .json.value(QStringLiteral("role_permissions"))
            .toArray()
            .at(0)
            .toObject()
            .value(QStringLiteral("id"))
            .toInteger();
    QVERIFY(rolePermission > 0);
    const QList<Reply> refused = {
        api.v3(admin, "PATCH", QStringLiteral("roles/update"),
               {{QStringLiteral("role_id"), hidden}, {QStringLiteral("name"), QStringLiteral("renamed")}}),
        api.v3(admin, "DELETE", QStringLiteral("roles/delete"), {{QStringLiteral("role_id"), hidden}}),
        api.v3(admin, "POST", QStringLiteral("roles/assign"),
               {{QStringLiteral("username"), bob.username}, {QStringLiteral("role_id"), hidden}}),
        api.v3(admin, "DELETE", QStringLiteral("roles/unassign"),
               {{QStringLiteral("username"), alice.username}, {QStringLiteral("role_id"), hidden}}),
        api.addToRole(hidden, QStringLiteral("experiment"), QStringLiteral("*"), QStringLiteral("MANAGE")),
        api.v3(admin, "PATCH", QStringLiteral("roles/permissions/update"),
               {{QStringLiteral("role_permission_id"), rolePermission},
                {QStringLiteral("permission"), QStringLiteral("READ")}}),
        api.v3(admin, "DELETE", QStringLiteral("roles/permissions/remove"),
               {{QStringLiteral("role_permission_id"), rolePermission}}),
    };
    for (const Reply& reply : refused) {
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json.value(QStringLiteral("error_code")).toString(), QStringLiteral("INVALID_PARAMETER_VALUE"));
        QVERIFY2(
            reply.json.value(QStringLiteral("message")).toString().contains(QLatin1String("users/permissions/grant")),
            reply.body.constData());
    }
    // Nothing moved: bob still cannot read alice's experiment, alice still manages it.
    QCOMPARE(api.getExperiment(bob, experiment), 403);
    QCOMPARE(api.effective(alice, QStringLiteral("experiment"), experiment), QStringLiteral("MANAGE"));
    // A description stays editable, and ordinary roles keep every operation.
    QCOMPARE(api.v3(admin, "PATCH", QStringLiteral("roles/update"),
                    {{QStringLiteral("role_id"), hidden}, {QStringLiteral("description"), QStringLiteral("alice")}})
                 .status,
             200);
    const qint64 team = api.createRole(QStringLiteral("team"));
    QCOMPARE(api.v3(admin, "PATCH", QStringLiteral("roles/update"),
                    {{QStringLiteral("role_id"), team}, {QStringLiteral("name"), QStringLiteral("team2")}})
                 .status,
             200);
    QCOMPARE(api.v3(admin, "DELETE", QStringLiteral("roles/delete"), {{QStringLiteral("role_id"), team}}).status, 200);
}

void RbacPolicyTest::membersDoNotSeeOtherUsersHiddenRoles()
{
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), QString(), QString(), mlflow3());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port());
    api.createUser(alice);
    api.createUser(bob);
    api.createExperiment(alice, QStringLiteral("a"));
    api.createExperiment(bob, QStringLiteral("b"));
    const qint64 team = api.createRole(QStringLiteral("team"));
    const qint64 bobsHidden = api.hiddenRoleOf(bob);
    const Reply listed =
        api.v3(alice, "GET", QStringLiteral("roles/list"), {{QStringLiteral("workspace"), QStringLiteral("default")}});
    QCOMPARE(listed.status, 200);
    QCOMPARE(names(listed.json.value(QStringLiteral("roles")).toArray(), QStringLiteral("name")),
             (QStringList{QStringLiteral("__user_2__"), QStringLiteral("team")}));
    QCOMPARE(api.v3(alice, "GET", QStringLiteral("roles/get"), {{QStringLiteral("role_id"), bobsHidden}}).status, 403);
    QCOMPARE(api.v3(alice, "GET", QStringLiteral("roles/permissions/list"), {{QStringLiteral("role_id"), bobsHidden}})
                 .status,
             403);
    QCOMPARE(api.v3(alice, "GET", QStringLiteral("roles/get"), {{QStringLiteral("role_id"), team}}).status, 200);
    QCOMPARE(api.v3(alice, "GET", QStringLiteral("roles/get"), {{QStringLiteral("role_id"), api.hiddenRoleOf(alice)}})
                 .status,
             200);
    // The admin still sees everything.
    const Reply all = api.v3(admin, "GET", QStringLiteral("roles/list"));
    QCOMPARE(all.json.value(QStringLiteral("roles")).toArray().size(), 3);
    // users/list shows a member only its own roles.
    const Reply users = api.call(alice, "GET", QStringLiteral("users/list"));
    QCOMPARE(users.status, 200);
    for (const QJsonValue& user : users.json.value(QStringLiteral("users")).toArray()) {
        const bool self = user.toObject().value(QStringLiteral("username")).toString() == alice.username;
        QCOMPARE(user.toObject().value(QStringLiteral("roles")).toArray().isEmpty(), !self);
    }
}

void RbacPolicyTest::deletingAUserRemovesItsHiddenRoleAndAssignments()
{
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), QString(), QString(), mlflow3());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port());
    api.createUser(alice);
    api.createUser(bob);
    const QString experiment = api.createExperiment(bob, QStringLiteral("bobs"));
    const qint64 team = api.createRole(QStringLiteral("team"));
    QCOMPARE(api.assign(bob, team), 200);
    QCOMPARE(api.grant(admin, alice, QStringLiteral("experiment"), experiment, QStringLiteral("READ")), 200);
    QCOMPARE(
        api.call(admin, "DELETE", QStringLiteral("users/delete"), {{QStringLiteral("username"), bob.username}}).status,
        200);
    const QStringList roles =
        names(api.v3(admin, "GET", QStringLiteral("roles/list")).json.value(QStringLiteral("roles")).toArray(),
              QStringLiteral("name"));
    QCOMPARE(roles, (QStringList{QStringLiteral("team"), QStringLiteral("__user_2__")}));
    QCOMPARE(api.v3(admin, "GET", QStringLiteral("roles/users/list"), {{QStringLiteral("role_id"), team}})
                 .json.value(QStringLiteral("assignments"))
                 .toArray()
                 .size(),
             0);
    // Other users' grants on its resources stay; a new "bob" starts with nothing.
    QCOMPARE(api.getExperiment(alice, experiment), 200);
    api.createUser(bob);
    QCOMPARE(
        api.v3(admin, "GET", QStringLiteral("users/permissions/list"), {{QStringLiteral("username"), bob.username}})
            .json.value(QStringLiteral("permissions"))
            .toArray()
            .size(),
        0);
    QCOMPARE(api.getExperiment(bob, experiment), 403);
    // The database holds no row of the deleted user any more.
    QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("cascade-check"));
    database.setDatabaseName(fixture.dataDir() + QStringLiteral("/basic_auth.db"));
    QVERIFY(database.open());
    {
        QSqlQuery query(database);
        QVERIFY(query.exec(QStringLiteral("SELECT COUNT(*) FROM user_role_assignments WHERE user_id = 3")));
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toInt(), 0);
        QVERIFY(query.exec(QStringLiteral("SELECT COUNT(*) FROM roles WHERE name = '__user_3__'")));
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toInt(), 0);
    }
    database.close();
    database = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("cascade-check"));
}

void RbacPolicyTest::deletingAModelRemovesEveryGrantOnItsName()
{
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), QString(), QString(), mlflow3());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port());
    api.createUser(alice);
    api.createUser(bob);
    const QJsonObject model{{QStringLiteral("name"), QStringLiteral("model")}};
    QCOMPARE(api.call(alice, "POST", QStringLiteral("registered-models/create"), model).status, 200);
    QCOMPARE(api.grant(alice, bob, QStringLiteral("registered_model"), QStringLiteral("model"), QStringLiteral("READ")),
             200);
    // Renaming moves both users' grants.
    QCOMPARE(api.call(alice, "POST", QStringLiteral("registered-models/rename"),
                      {{QStringLiteral("name"), QStringLiteral("model")},
                       {QStringLiteral("new_name"), QStringLiteral("renamed")}})
                 .status,
             200);
    QCOMPARE(api.effective(bob, QStringLiteral("registered_model"), QStringLiteral("renamed")), QStringLiteral("READ"));
    QCOMPARE(api.call(alice, "DELETE", QStringLiteral("registered-models/delete"),
                      {{QStringLiteral("name"), QStringLiteral("renamed")}})
                 .status,
             200);
    // A new model of the same name is the new creator's alone.
    QCOMPARE(api.call(admin, "POST", QStringLiteral("registered-models/create"),
                      {{QStringLiteral("name"), QStringLiteral("renamed")}})
                 .status,
             200);
    QCOMPARE(api.call(bob, "GET", QStringLiteral("registered-models/get"),
                      {{QStringLiteral("name"), QStringLiteral("renamed")}})
                 .status,
             403);
    QCOMPARE(api.call(alice, "GET", QStringLiteral("registered-models/get"),
                      {{QStringLiteral("name"), QStringLiteral("renamed")}})
                 .status,
             403);
}

void RbacPolicyTest::runsSearchIsFilteredToReadableExperiments()
{
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), QString(), QString(), mlflow3());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port());
    api.createUser(alice);
    api.createUser(bob);
    const QString mine = api.createExperiment(alice, QStringLiteral("alice-runs"));
    const QString theirs = api.createExperiment(bob, QStringLiteral("bob-runs"));
    for (const auto& [owner, experiment] : {std::pair{alice, mine}, std::pair{bob, theirs}}) {
        QCOMPARE(api.call(owner, "POST", QStringLiteral("runs/create"),
                          {{QStringLiteral("experiment_id"), experiment}, {QStringLiteral("start_time"), 1}})
                     .status,
                 200);
    }
    const QJsonObject both{{QStringLiteral("experiment_ids"), QJsonArray{mine, theirs}}};
    QCOMPARE(api.call(admin, "POST", QStringLiteral("runs/search"), both)
                 .json.value(QStringLiteral("runs"))
                 .toArray()
                 .size(),
             2);
    const QJsonArray runs =
        api.call(alice, "POST", QStringLiteral("runs/search"), both).json.value(QStringLiteral("runs")).toArray();
    QCOMPARE(runs.size(), 1);
    QCOMPARE(runs.at(0)
                 .toObject()
                 .value(QStringLiteral("info"))
                 .toObject()
                 .value(QStringLiteral("experiment_id"))
                 .toString(),
             mine);
    const Reply none = api.call(alice, "POST", QStringLiteral("runs/search"),
                                {{QStringLiteral("experiment_ids"), QJsonArray{theirs}}});
    QCOMPARE(none.status, 200);
    QVERIFY(!none.json.contains(QStringLiteral("runs")));
}

void RbacPolicyTest::workspaceWideGrantsAreValidated()
{
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), QString(), QString(), mlflow3());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port());
    const qint64 role = api.createRole(QStringLiteral("members"));
    const Reply read = api.addToRole(role, QStringLiteral("workspace"), QStringLiteral("*"), QStringLiteral("READ"));
    QCOMPARE(read.status, 400);
    QCOMPARE(
        read.json.value(QStringLiteral("message")).toString(),
        QStringLiteral("Invalid permission 'READ' for resource_type='workspace'. Workspace-wide grants accept only: "
                       "('MANAGE', 'USE')."));
    const Reply named =
        api.addToRole(role, QStringLiteral("workspace"), QStringLiteral("team-b"), QStringLiteral("USE"));
    QCOMPARE(named.status, 400);
    QCOMPARE(named.json.value(QStringLiteral("message")).toString(),
             QStringLiteral("resource_type='workspace' requires resource_pattern='*'. Got resource_pattern='team-b'."));
    QCOMPARE(api.addToRole(role, QStringLiteral("workspace"), QStringLiteral("*"), QStringLiteral("USE")).status, 200);
    QCOMPARE(api.addToRole(role, QStringLiteral("workspace"), QStringLiteral("*"), QStringLiteral("MANAGE")).status,
             400);
    // The per-user API never takes workspace grants.
    api.createUser(alice);
    QCOMPARE(api.grant(admin, alice, QStringLiteral("workspace"), QStringLiteral("*"), QStringLiteral("USE")), 400);
}

void RbacPolicyTest::workspaceAdminsManageRolesOfTheirWorkspace()
{
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), QString(), QString(), mlflow3());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port());
    api.createUser(alice);
    api.createUser(bob);
    const QString experiment = api.createExperiment(bob, QStringLiteral("bobs"));
    QCOMPARE(api.v3(alice, "POST", QStringLiteral("roles/create"),
                    {{QStringLiteral("name"), QStringLiteral("x")},
                     {QStringLiteral("workspace"), QStringLiteral("default")}})
                 .status,
             403);
    const qint64 leads = api.createRole(QStringLiteral("leads"));
    QCOMPARE(api.addToRole(leads, QStringLiteral("workspace"), QStringLiteral("*"), QStringLiteral("MANAGE")).status,
             200);
    QCOMPARE(api.assign(alice, leads), 200);
    // A workspace MANAGE grant folds into every resource of the workspace, and into role administration there.
    QCOMPARE(api.effective(alice, QStringLiteral("experiment"), experiment), QStringLiteral("MANAGE"));
    QCOMPARE(api.v3(alice, "POST", QStringLiteral("roles/create"),
                    {{QStringLiteral("name"), QStringLiteral("x")},
                     {QStringLiteral("workspace"), QStringLiteral("default")}})
                 .status,
             200);
    QCOMPARE(
        api.v3(alice, "POST", QStringLiteral("roles/create"),
               {{QStringLiteral("name"), QStringLiteral("x")}, {QStringLiteral("workspace"), QStringLiteral("other")}})
            .status,
        403);
    QCOMPARE(api.call(alice, "POST", QStringLiteral("users/create"),
                      {{QStringLiteral("username"), carol.username}, {QStringLiteral("password"), carol.password}})
                 .status,
             200);
    QCOMPARE(api.call(alice, "DELETE", QStringLiteral("users/delete"), {{QStringLiteral("username"), carol.username}})
                 .status,
             403);
    // A workspace admin sees bob's roles in its workspace, hidden ones included.
    const Reply roles =
        api.v3(alice, "GET", QStringLiteral("users/roles/list"), {{QStringLiteral("username"), bob.username}});
    QCOMPARE(roles.status, 200);
    QCOMPARE(names(roles.json.value(QStringLiteral("roles")).toArray(), QStringLiteral("name")),
             QStringList{QStringLiteral("__user_3__")});
}

void RbacPolicyTest::errorsCarryMlflow3Classification()
{
    ServerFixture fixture(false, QStringLiteral("NO_PERMISSIONS"), QString(), QString(), mlflow3());
    QVERIFY2(fixture.started(), qPrintable(fixture.error()));
    Api api(fixture.port());
    const Reply missing = api.call(admin, "GET", QStringLiteral("experiments/get"),
                                   {{QStringLiteral("experiment_id"), QStringLiteral("424242")}});
    QCOMPARE(missing.status, 404);
    QCOMPARE(missing.json.value(QStringLiteral("error_class")).toString(), QStringLiteral("RESOURCE_NOT_FOUND"));
    QCOMPARE(missing.json.value(QStringLiteral("sqlstate")).toString(), QStringLiteral("KAM00"));
    const Reply self =
        api.call(admin, "DELETE", QStringLiteral("users/delete"), {{QStringLiteral("username"), admin.username}});
    QCOMPARE(self.json.value(QStringLiteral("error_code")).toString(), QStringLiteral("BAD_REQUEST"));
    QCOMPARE(self.json.value(QStringLiteral("error_class")).toString(), QStringLiteral("INVALID_PARAMETER_VALUE"));
    // A duplicate never echoes SQL or a password hash.
    api.createUser(alice);
    const Reply duplicate =
        api.call(admin, "POST", QStringLiteral("users/create"),
                 {{QStringLiteral("username"), alice.username}, {QStringLiteral("password"), alice.password}});
    QCOMPARE(duplicate.status, 400);
    QCOMPARE(duplicate.json.value(QStringLiteral("message")).toString(),
             QStringLiteral("User (username=alice) already exists."));
    QVERIFY(!duplicate.body.contains("pbkdf2"));
    const Reply badId =
        api.v3(admin, "GET", QStringLiteral("roles/get"), {{QStringLiteral("role_id"), QStringLiteral("x1")}});
    QCOMPARE(badId.json.value(QStringLiteral("message")).toString(),
             QStringLiteral("Parameter 'role_id' must be an integer. Got: 'x1'"));
}

void RbacPolicyTest::refusesAnMlflow2Database()
{
    QTemporaryDir dir;
    EmbeddedServerOptions options;
    options.port = 0;
    options.dataDir = dir.filePath(QStringLiteral("data"));
    options.readEnvironmentConfig = false;
    {
        EmbeddedServer legacy(options);
        QString error;
        QVERIFY2(legacy.start(&error), qPrintable(error));
    }
    options.dialect = mlflow3();
    EmbeddedServer rbac(options);
    QString error;
    QVERIFY(!rbac.start(&error));
    QVERIFY2(error.contains(QLatin1String("MLflow 2.x's schema")) && error.contains(QLatin1String("--api 2")),
             qPrintable(error));
}

void RbacPolicyTest::storeSeedsWorkspaceRoles()
{
    QTemporaryDir dir;
    QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("seed-check"));
    database.setDatabaseName(dir.filePath(QStringLiteral("auth.db")));
    QVERIFY(database.open());
    {
        RbacStore store(database);
        QString error;
        QVERIFY2(store.initialize(&error), qPrintable(error));
        QCOMPARE(RbacSchema::stampedRevision(database), QLatin1String(RbacSchema::revision));
        store.seedWorkspaceRoles(QStringLiteral("team-a"));
        const QList<RoleRecord> roles = store.roles(QStringList{QStringLiteral("team-a")});
        QCOMPARE(roles.size(), 2);
        QCOMPARE(roles.at(0).name, QStringLiteral("admin"));
        QCOMPARE(roles.at(0).permissions.size(), 1);
        QCOMPARE(roles.at(0).permissions.at(0).resourceType, QStringLiteral("workspace"));
        QCOMPARE(roles.at(0).permissions.at(0).permission, QStringLiteral("MANAGE"));
        QCOMPARE(roles.at(1).name, QStringLiteral("user"));
        QCOMPARE(roles.at(1).permissions.at(0).permission, QStringLiteral("USE"));
        // Workspace roles are the workspace's: another workspace sees none, and deleting the workspace's roles
        // takes their grants along.
        QVERIFY(store.roles(QStringList{QStringLiteral("team-b")}).isEmpty());
        const UserRecord user = store.createUser(QStringLiteral("dave"), "hash", false);
        store.assign(user.id, roles.at(1).id);
        QCOMPARE(store.roleLevel(user.id, QStringLiteral("workspace"), QStringLiteral("*"), QStringLiteral("team-a")),
                 std::optional<PermissionLevel>(PermissionLevel::Use));
        // USE on the workspace is membership, not access to each experiment.
        QCOMPARE(store.roleLevel(user.id, QStringLiteral("experiment"), QStringLiteral("1"), QStringLiteral("team-a")),
                 std::optional<PermissionLevel>());
        store.deleteWorkspaceRoles(QStringLiteral("team-a"));
        QVERIFY(store.userRoles(user.id).isEmpty());
        // Seeding twice is refused like any duplicate role.
        store.seedWorkspaceRoles(QStringLiteral("team-c"));
        QVERIFY_THROWS_EXCEPTION(MlflowError, store.seedWorkspaceRoles(QStringLiteral("team-c")));
    }
    database.close();
    database = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("seed-check"));
}

QTEST_GUILESS_MAIN(RbacPolicyTest)
#include "tst_rbacpolicy.moc"

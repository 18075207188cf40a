// RbacAuthApi against the embedded server speaking MLflow 3.14 (--api 3), over loopback.

#include "ApiTestSupport.h"
#include "api/Connection.h"
#include "api/RbacAuthApi.h"
#include "api/ServerProbe.h"

#include <QtTest>

using namespace ApiTest;

class TestRbacAuthApi : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void probeChoosesRbac();
    void getUserCarriesDirectGrants();
    void passwordRuleIsCheckedBeforeSending();
    void grantLifecycle();
    void levelChangeIsRevokeThenGrant();
    void noPermissionsIsRefusedLocally();
    void listUsersWithRoles();
    void roleLifecycle();
    void ownPasswordNeedsCurrentPassword();
    void workspaceHeaderIsSent();

private:
    // Experiment id of one of the demo's experiments, by name.
    QString experimentId(const QString& name);
    PermissionLevel directLevel(const QString& username, const QString& experiment, bool* found);

    std::unique_ptr<ServerFixture> m_fixture;
    std::unique_ptr<Connection> m_admin;
    std::unique_ptr<RbacAuthApi> m_api;
};

void TestRbacAuthApi::initTestCase()
{
    Dialect dialect;
    dialect.generation = Dialect::Generation::Mlflow3;
    m_fixture = std::make_unique<ServerFixture>(true, QStringLiteral("NO_PERMISSIONS"), QString(), QString(), dialect);
    QVERIFY2(m_fixture->started(), qPrintable(m_fixture->error()));
    m_admin = std::make_unique<Connection>(m_fixture->server().url(), DemoData::adminUsername, DemoData::adminPassword);
    m_api = std::make_unique<RbacAuthApi>(m_admin.get());
}

QString TestRbacAuthApi::experimentId(const QString& name)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("experiment_name"), name);
    ApiReply* reply = m_admin->get(QStringLiteral("/api/2.0/mlflow/experiments/get-by-name"), query);
    if (!waitFor(reply) || reply->hasError())
        return {};
    return reply->json().value(QLatin1String("experiment")).toObject().value(QLatin1String("experiment_id")).toString();
}

PermissionLevel TestRbacAuthApi::directLevel(const QString& username, const QString& experiment, bool* found)
{
    GrantJob* job = m_api->getGrant(username, ResourceType::Experiment, experiment);
    *found = waitFor(job) && !job->hasError();
    return *found ? job->value().level : PermissionLevel::NoPermissions;
}

void TestRbacAuthApi::probeChoosesRbac()
{
    ServerProbe* probe = ServerProbe::run(m_admin.get());
    QVERIFY(waitFor(probe));
    QVERIFY2(!probe->hasError(), qPrintable(probe->error().toLogString()));
    QCOMPARE(probe->result().generation, ApiGeneration::Rbac);
    QVERIFY(probe->result().hasUsersList);
    std::unique_ptr<AuthApi> api(probe->createAuthApi());
    QVERIFY(api);
    QCOMPARE(api->generation(), ApiGeneration::Rbac);
    QVERIFY(!api->canUpdateGrantInPlace());
    QVERIFY(!api->canGrantNoPermissions());
}

void TestRbacAuthApi::getUserCarriesDirectGrants()
{
    UserJob* job = m_api->getUser(DemoData::user1Username);
    QVERIFY(waitFor(job));
    QVERIFY2(!job->hasError(), qPrintable(job->error().toLogString()));
    const User user = job->value();
    QCOMPARE(user.username, DemoData::user1Username);
    QVERIFY(user.id > 0);
    // user1 created two experiments: the creator's MANAGE lives in its hidden role on 3.13+.
    QCOMPARE(user.experimentGrants.size(), 2);
    for (const Grant& grant : user.experimentGrants)
        QCOMPARE(grant.level, PermissionLevel::Manage);

    UserJob* missing = m_api->getUser(QStringLiteral("nobody"));
    QVERIFY(waitFor(missing));
    QCOMPARE(missing->error().kind(), ApiError::Kind::NotFound);
}

void TestRbacAuthApi::passwordRuleIsCheckedBeforeSending()
{
    UserJob* tooShort = m_api->createUser(QStringLiteral("shorty"), QStringLiteral("elevenchars"));
    QVERIFY(waitFor(tooShort));
    QCOMPARE(tooShort->error().kind(), ApiError::Kind::InvalidRequest);
    QVERIFY2(tooShort->error().userMessage().contains(QLatin1String("12")),
             qPrintable(tooShort->error().userMessage()));
    UserJob* check = m_api->getUser(QStringLiteral("shorty"));
    QVERIFY(waitFor(check));
    QCOMPARE(check->error().kind(), ApiError::Kind::NotFound); // nothing was sent

    UserJob* ok = m_api->createUser(QStringLiteral("twelve"), QStringLiteral("twelve-chars"));
    QVERIFY(waitFor(ok));
    QVERIFY2(!ok->hasError(), qPrintable(ok->error().toLogString()));
    QCOMPARE(ok->value().username, QStringLiteral("twelve"));

    UserJob* again = m_api->createUser(QStringLiteral("twelve"), QStringLiteral("twelve-chars"));
    QVERIFY(waitFor(again));
    QCOMPARE(again->error().kind(), ApiError::Kind::AlreadyExists);
}

void TestRbacAuthApi::grantLifecycle()
{
    const QString experiment = experimentId(QStringLiteral("/user1/experiment1"));
    QVERIFY(!experiment.isEmpty());
    bool found = true;
    directLevel(DemoData::user2Username, experiment, &found);
    QVERIFY(!found);

    Grant grant;
    grant.username = DemoData::user2Username;
    grant.resourceType = ResourceType::Experiment;
    grant.resourceId = experiment;
    grant.level = PermissionLevel::Read;
    GrantJob* create = m_api->createGrant(grant);
    QVERIFY(waitFor(create));
    QVERIFY2(!create->hasError(), qPrintable(create->error().toLogString()));
    QCOMPARE(directLevel(DemoData::user2Username, experiment, &found), PermissionLevel::Read);
    QVERIFY(found);

    GrantJob* duplicate = m_api->createGrant(grant);
    QVERIFY(waitFor(duplicate));
    QCOMPARE(duplicate->error().kind(), ApiError::Kind::AlreadyExists);

    ApiJob* revoke = m_api->deleteGrant(DemoData::user2Username, ResourceType::Experiment, experiment);
    QVERIFY(waitFor(revoke));
    QVERIFY2(!revoke->hasError(), qPrintable(revoke->error().toLogString()));
    directLevel(DemoData::user2Username, experiment, &found);
    QVERIFY(!found);

    ApiJob* again = m_api->deleteGrant(DemoData::user2Username, ResourceType::Experiment, experiment);
    QVERIFY(waitFor(again));
    QCOMPARE(again->error().kind(), ApiError::Kind::NotFound);
}

void TestRbacAuthApi::levelChangeIsRevokeThenGrant()
{
    const QString experiment = experimentId(QStringLiteral("/user1/experiment2"));
    Grant grant;
    grant.username = DemoData::user2Username;
    grant.resourceType = ResourceType::Experiment;
    grant.resourceId = experiment;
    grant.level = PermissionLevel::Read;
    GrantJob* create = m_api->createGrant(grant);
    QVERIFY(waitFor(create));
    QVERIFY(!create->hasError());

    grant.level = PermissionLevel::Edit;
    ApiJob* update = m_api->updateGrant(grant);
    QVERIFY(waitFor(update));
    QVERIFY2(!update->hasError(), qPrintable(update->error().toLogString()));
    bool found = false;
    QCOMPARE(directLevel(DemoData::user2Username, experiment, &found), PermissionLevel::Edit);

    // Updating a grant that does not exist fails at the revoke, and nothing is granted.
    grant.username = DemoData::user1Username;
    grant.resourceId = experimentId(QStringLiteral("/user2/experiment1"));
    ApiJob* missing = m_api->updateGrant(grant);
    QVERIFY(waitFor(missing));
    QCOMPARE(missing->error().kind(), ApiError::Kind::NotFound);
    directLevel(DemoData::user1Username, grant.resourceId, &found);
    QVERIFY(!found);
}

void TestRbacAuthApi::noPermissionsIsRefusedLocally()
{
    Grant grant;
    grant.username = DemoData::user2Username;
    grant.resourceType = ResourceType::Experiment;
    grant.resourceId = experimentId(QStringLiteral("/user1/experiment1"));
    grant.level = PermissionLevel::NoPermissions;
    GrantJob* job = m_api->createGrant(grant);
    QVERIFY(waitFor(job));
    QCOMPARE(job->error().kind(), ApiError::Kind::InvalidRequest);
    QVERIFY(job->error().userMessage().contains(QLatin1String("revoke")));
}

void TestRbacAuthApi::listUsersWithRoles()
{
    UserListJob* job = m_api->listUsers();
    QVERIFY(waitFor(job));
    QVERIFY2(!job->hasError(), qPrintable(job->error().toLogString()));
    QStringList names;
    bool sawHiddenRole = false;
    for (const User& user : job->value().users) {
        names.append(user.username);
        if (user.username == DemoData::user1Username) {
            for (const Role& role : user.roles)
                sawHiddenRole = sawHiddenRole || role.name == Role::hiddenUserRoleName(user.id);
        }
    }
    QVERIFY(names.contains(DemoData::adminUsername));
    QVERIFY(names.contains(DemoData::user1Username));
    QVERIFY(names.contains(DemoData::user2Username));
    QVERIFY2(sawHiddenRole, "an admin's users/list shows user1's hidden role with its grants");
}

void TestRbacAuthApi::roleLifecycle()
{
    RoleJob* create =
        m_api->createRole(QStringLiteral("auditors"), QStringLiteral("default"), QStringLiteral("read everything"));
    QVERIFY(waitFor(create));
    QVERIFY2(!create->hasError(), qPrintable(create->error().toLogString()));
    const Role role = create->value();
    QCOMPARE(role.name, QStringLiteral("auditors"));
    QCOMPARE(role.workspace, QStringLiteral("default"));
    QVERIFY(!role.isHiddenUserRole());

    RoleJob* reserved = m_api->createRole(QStringLiteral("__user_99__"), QStringLiteral("default"));
    QVERIFY(waitFor(reserved));
    QCOMPARE(reserved->error().kind(), ApiError::Kind::InvalidRequest);

    RolePermissionJob* add =
        m_api->addRolePermission(role.id, QStringLiteral("experiment"), QStringLiteral("*"), PermissionLevel::Read);
    QVERIFY(waitFor(add));
    QVERIFY2(!add->hasError(), qPrintable(add->error().toLogString()));
    QVERIFY(add->value().isPattern());
    QCOMPARE(add->value().level, PermissionLevel::Read);

    ApiJob* assign = m_api->assignRole(DemoData::user2Username, role.id);
    QVERIFY(waitFor(assign));
    QVERIFY2(!assign->hasError(), qPrintable(assign->error().toLogString()));

    RoleListJob* userRoles = m_api->listUserRoles(DemoData::user2Username);
    QVERIFY(waitFor(userRoles));
    bool assigned = false;
    for (const Role& r : userRoles->value())
        assigned = assigned || (r.id == role.id && r.permissions.size() == 1);
    QVERIFY(assigned);

    // The role's READ on every experiment shows in the user's permission rows, named after the role.
    PermissionRowsJob* rows = m_api->listPermissions(DemoData::user2Username);
    QVERIFY(waitFor(rows));
    bool throughRole = false;
    for (const PermissionRow& row : rows->value())
        throughRole =
            throughRole || (row.roleName == QLatin1String("auditors") && row.resourcePattern == QLatin1String("*"));
    QVERIFY(throughRole);

    RolePermissionJob* update = m_api->updateRolePermission(add->value().id, PermissionLevel::Edit);
    QVERIFY(waitFor(update));
    QVERIFY2(!update->hasError(), qPrintable(update->error().toLogString()));
    QCOMPARE(update->value().level, PermissionLevel::Edit);

    RoleJob* renamed = m_api->updateRole(role.id, std::nullopt, QStringLiteral("edit everything"));
    QVERIFY(waitFor(renamed));
    QVERIFY2(!renamed->hasError(), qPrintable(renamed->error().toLogString()));
    QCOMPARE(renamed->value().description, QStringLiteral("edit everything"));

    RoleListJob* all = m_api->listRoles({QStringLiteral("default")});
    QVERIFY(waitFor(all));
    bool listed = false;
    for (const Role& r : all->value())
        listed = listed || r.id == role.id;
    QVERIFY(listed);

    ApiJob* remove = m_api->removeRolePermission(add->value().id);
    QVERIFY(waitFor(remove));
    QVERIFY(!remove->hasError());
    ApiJob* unassign = m_api->unassignRole(DemoData::user2Username, role.id);
    QVERIFY(waitFor(unassign));
    QVERIFY(!unassign->hasError());
    ApiJob* remove2 = m_api->deleteRole(role.id);
    QVERIFY(waitFor(remove2));
    QVERIFY(!remove2->hasError());
    RoleJob* gone = m_api->getRole(role.id);
    QVERIFY(waitFor(gone));
    QCOMPARE(gone->error().kind(), ApiError::Kind::NotFound);
}

void TestRbacAuthApi::ownPasswordNeedsCurrentPassword()
{
    ApiJob* withoutCurrent = m_api->updatePassword(DemoData::adminUsername, QStringLiteral("a-new-admin-password"));
    QVERIFY(waitFor(withoutCurrent));
    QCOMPARE(withoutCurrent->error().kind(), ApiError::Kind::InvalidRequest);

    // Another user's password needs no current one; the old password stops working at once.
    ApiJob* other = m_api->updatePassword(QStringLiteral("twelve"), QStringLiteral("another-twelve"));
    QVERIFY(waitFor(other));
    QVERIFY2(!other->hasError(), qPrintable(other->error().toLogString()));
    Connection asTwelve(m_fixture->server().url(), QStringLiteral("twelve"), QStringLiteral("twelve-chars"));
    ApiReply* reply = asTwelve.get(QStringLiteral("/api/2.0/mlflow/users/current"));
    QVERIFY(waitFor(reply));
    QCOMPARE(reply->error().kind(), ApiError::Kind::Unauthenticated);
}

void TestRbacAuthApi::workspaceHeaderIsSent()
{
    RawServer raw([](QTcpSocket* socket, const QByteArray&) {
        socket->write(RawServer::response(200, "OK", "application/json", "{\"roles\": []}"));
        return true;
    });
    Connection connection(raw.url(), QStringLiteral("admin"), QStringLiteral("secret"));
    connection.setWorkspace(QStringLiteral("team-a"));
    RbacAuthApi api(&connection);
    RoleListJob* job = api.listRoles({QStringLiteral("team-a")});
    QVERIFY(waitFor(job));
    QVERIFY(!job->hasError());
    QCOMPARE(raw.requests().size(), 1);
    QVERIFY2(raw.requests().first().toLower().contains("x-mlflow-workspace: team-a"),
             raw.requests().first().constData());
    QVERIFY(raw.requests().first().contains("workspace=team-a"));
}

QTEST_GUILESS_MAIN(TestRbacAuthApi)
#include "tst_rbacauthapi.moc"

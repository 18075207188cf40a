#include "ModelsTestSupport.h"

#include "models/AccessSnapshot.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace ModelsTest;

// AccessSnapshot taken from a Directory loaded from the embedded demo server over loopback, on both generations.
class TestAccessSnapshot : public QObject
{
    Q_OBJECT

private slots:
    void holdsEveryCellOfTheDirectory_data() { addRows(); }
    void holdsEveryCellOfTheDirectory();
    void roleGrantKeepsItsReason();
    void roundTripsThroughJson_data() { addRows(); }
    void roundTripsThroughJson();
    void unknownDefaultStaysUnknown();
    void rejectsWrongFiles_data();
    void rejectsWrongFiles();

private:
    static AccessSnapshot::Origin origin(DemoSession& session);
    static void compareSnapshots(const AccessSnapshot& a, const AccessSnapshot& b);
    static QByteArray demoSnapshotJson();
};

AccessSnapshot::Origin TestAccessSnapshot::origin(DemoSession& session)
{
    AccessSnapshot::Origin origin;
    origin.serverUrl = session.fixture.server().url().toString();
    origin.mlflowVersion = session.isMlflow3 ? QStringLiteral("3.14.0") : QStringLiteral("2.15.1");
    origin.mlflowAccount = DemoData::adminUsername;
    return origin;
}

void TestAccessSnapshot::holdsEveryCellOfTheDirectory()
{
    QFETCH(Dialect, generation);
    DemoSession session(true, generation);
    QVERIFY2(session.fixture.started(), qPrintable(session.fixture.error()));
    QVERIFY(session.createNamed(QStringLiteral("registered-models/create"), {QStringLiteral("churn")}));
    QVERIFY(session.loadDirectory());
    Directory& directory = session.directory;
    directory.setDefaultPermission(PermissionLevel::NoPermissions, true);

    const QDateTime before = QDateTime::currentDateTimeUtc();
    const AccessSnapshot snapshot = AccessSnapshot::fromDirectory(directory, origin(session));
    QCOMPARE(snapshot.serverUrl(), session.fixture.server().url().toString());
    QCOMPARE(snapshot.generation(), session.isMlflow3 ? ApiGeneration::Rbac : ApiGeneration::Legacy);
    QCOMPARE(snapshot.defaultPermission(), std::optional<PermissionLevel>(PermissionLevel::NoPermissions));
    QVERIFY(snapshot.isDefaultPermissionStated());
    QVERIFY(snapshot.isComplete());
    QCOMPARE(snapshot.mlflowAccount(), DemoData::adminUsername);
    QCOMPARE(snapshot.localAccount(), AccessSnapshot::currentLocalAccount());
    QVERIFY(!snapshot.localAccount().isEmpty());
    QCOMPARE(snapshot.takenAt().timeSpec(), Qt::UTC);
    QVERIFY(snapshot.takenAt() >= before.addSecs(-1) && snapshot.takenAt() <= QDateTime::currentDateTimeUtc());

    QCOMPARE(snapshot.users().size(), directory.userCount());
    for (int row = 0; row < directory.userCount(); ++row) {
        QCOMPARE(snapshot.users().at(row).username, directory.userAt(row).username);
        QCOMPARE(snapshot.users().at(row).isAdmin, directory.userAt(row).isAdmin);
    }
    QCOMPARE(snapshot.resources().size(), directory.experimentCount() + directory.registeredModelCount());
    QVERIFY(snapshot.resource(ResourceType::RegisteredModel, QStringLiteral("churn")));
    QCOMPARE(snapshot.resource(ResourceType::RegisteredModel, QStringLiteral("churn"))->name, QStringLiteral("churn"));

    // Every (user, resource) reads as the Directory says, stored or not, and only cells with something to say
    // are stored.
    int expectedCells = 0;
    for (const AccessSnapshot::UserEntry& user : snapshot.users()) {
        for (const AccessSnapshot::ResourceEntry& resource : snapshot.resources()) {
            const EffectivePermission live = directory.effectivePermission(user.username, resource.type, resource.id);
            QCOMPARE(snapshot.permission(user.username, resource.type, resource.id), live);
            const bool stored = live.isExplicit() || live.canRead();
            QCOMPARE(snapshot.cell(user.username, resource.type, resource.id) != nullptr, stored);
            expectedCells += stored ? 1 : 0;
        }
    }
    QCOMPARE(snapshot.cells().size(), expectedCells);
    // The demo: the admin manages everything, user1 its two experiments, user2 its one.
    const QString u1e1 = experimentId(directory, QStringLiteral("/user1/experiment1"));
    const AccessSnapshot::Cell* user1 = snapshot.cell(DemoData::user1Username, ResourceType::Experiment, u1e1);
    QVERIFY(user1);
    QCOMPARE(user1->permission.level, PermissionLevel::Manage);
    QCOMPARE(user1->permission.source, EffectivePermission::Source::ExplicitGrant);
    QVERIFY(!snapshot.cell(DemoData::user2Username, ResourceType::Experiment, u1e1));
    QCOMPARE(snapshot.permission(DemoData::user2Username, ResourceType::Experiment, u1e1).source,
             EffectivePermission::Source::DefaultPermission);
    const AccessSnapshot::Cell* admin =
        snapshot.cell(DemoData::adminUsername, ResourceType::RegisteredModel, QStringLiteral("churn"));
    QVERIFY(admin);
    QCOMPARE(admin->permission.source, EffectivePermission::Source::Admin);

    // A default that allows reading makes every cell say something.
    directory.setDefaultPermission(PermissionLevel::Read);
    const AccessSnapshot reading = AccessSnapshot::fromDirectory(directory, origin(session));
    QCOMPARE(reading.cells().size(), reading.users().size() * reading.resources().size());
    QVERIFY(!reading.isDefaultPermissionStated());
}

void TestAccessSnapshot::roleGrantKeepsItsReason()
{
    DemoSession session(true, Generations::mlflow3());
    QVERIFY2(session.fixture.started(), qPrintable(session.fixture.error()));
    QVERIFY(session.loadDirectory());
    const QString u1e1 = experimentId(session.directory, QStringLiteral("/user1/experiment1"));
    RbacAuthApi* rbac = session.rbac();
    QVERIFY(rbac);
    RoleJob* role = rbac->createRole(QStringLiteral("auditors"), QStringLiteral("default"), QString());
    QVERIFY(waitFor(role));
    QVERIFY2(!role->hasError(), qPrintable(role->error().toLogString()));
    RolePermissionJob* permission =
        rbac->addRolePermission(role->value().id, QStringLiteral("experiment"), u1e1, PermissionLevel::Read);
    QVERIFY(waitFor(permission));
    QVERIFY(!permission->hasError());
    ApiJob* assign = rbac->assignRole(DemoData::user2Username, role->value().id);
    QVERIFY(waitFor(assign));
    QVERIFY(!assign->hasError());
    QVERIFY(session.load(&session.directory, &session.reader));
    session.directory.setDefaultPermission(PermissionLevel::NoPermissions);

    const AccessSnapshot snapshot = AccessSnapshot::fromDirectory(session.directory, origin(session));
    const AccessSnapshot::Cell* cell = snapshot.cell(DemoData::user2Username, ResourceType::Experiment, u1e1);
    QVERIFY(cell);
    QCOMPARE(cell->permission.level, PermissionLevel::Read);
    QCOMPARE(cell->permission.source, EffectivePermission::Source::Role);
    QCOMPARE(cell->permission.detail, QStringLiteral("auditors"));
    QVERIFY(!cell->permission.contributors.isEmpty());
    QVERIFY(cell->permission.reason().contains(QLatin1String("auditors")));

    QString error;
    const auto back = AccessSnapshot::fromJson(snapshot.toJson(), &error);
    QVERIFY2(back, qPrintable(error));
    const AccessSnapshot::Cell* read = back->cell(DemoData::user2Username, ResourceType::Experiment, u1e1);
    QVERIFY(read);
    QCOMPARE(read->permission, cell->permission);
    // The file names the role, for readers that do not parse the contributors.
    const QJsonArray cells = QJsonDocument::fromJson(snapshot.toJson()).object().value("cells").toArray();
    bool named = false;
    for (const QJsonValue& value : cells) {
        const QJsonObject object = value.toObject();
        if (object.value("user").toString() == DemoData::user2Username && object.value("resource_id") == u1e1)
            named = object.value("role").toString() == QLatin1String("auditors") &&
                    object.value("reason").toString().contains(QLatin1String("auditors"));
    }
    QVERIFY(named);
}

void TestAccessSnapshot::compareSnapshots(const AccessSnapshot& a, const AccessSnapshot& b)
{
    QCOMPARE(a.serverUrl(), b.serverUrl());
    QCOMPARE(a.mlflowVersion(), b.mlflowVersion());
    QCOMPARE(a.generation(), b.generation());
    QCOMPARE(a.workspace(), b.workspace());
    QCOMPARE(a.takenAt(), b.takenAt());
    QCOMPARE(a.mlflowAccount(), b.mlflowAccount());
    QCOMPARE(a.localAccount(), b.localAccount());
    QCOMPARE(a.defaultPermission(), b.defaultPermission());
    QCOMPARE(a.isDefaultPermissionStated(), b.isDefaultPermissionStated());
    QCOMPARE(a.isComplete(), b.isComplete());
    QCOMPARE(a.users().size(), b.users().size());
    for (qsizetype i = 0; i < a.users().size(); ++i) {
        QCOMPARE(a.users().at(i).username, b.users().at(i).username);
        QCOMPARE(a.users().at(i).isAdmin, b.users().at(i).isAdmin);
    }
    QCOMPARE(a.resources().size(), b.resources().size());
    for (qsizetype i = 0; i < a.resources().size(); ++i) {
        QCOMPARE(a.resources().at(i).type, b.resources().at(i).type);
        QCOMPARE(a.resources().at(i).id, b.resources().at(i).id);
        QCOMPARE(a.resources().at(i).name, b.resources().at(i).name);
    }
    QCOMPARE(a.cells().size(), b.cells().size());
    for (qsizetype i = 0; i < a.cells().size(); ++i) {
        QCOMPARE(a.cells().at(i).username, b.cells().at(i).username);
        QCOMPARE(a.cells().at(i).type, b.cells().at(i).type);
        QCOMPARE(a.cells().at(i).resourceId, b.cells().at(i).resourceId);
        QCOMPARE(a.cells().at(i).permission, b.cells().at(i).permission);
    }
}

void TestAccessSnapshot::roundTripsThroughJson()
{
    QFETCH(Dialect, generation);
    DemoSession session(true, generation);
    QVERIFY2(session.fixture.started(), qPrintable(session.fixture.error()));
    QVERIFY(session.loadDirectory());
    session.directory.setDefaultPermission(PermissionLevel::NoPermissions, true);
    AccessSnapshot::Origin from = origin(session);
    from.workspace = QStringLiteral("team-a");
    from.localAccount = QStringLiteral("reviewer");
    const AccessSnapshot snapshot = AccessSnapshot::fromDirectory(session.directory, from);
    QVERIFY(!snapshot.cells().isEmpty());

    const QByteArray json = snapshot.toJson();
    const QJsonObject root = QJsonDocument::fromJson(json).object();
    QCOMPARE(root.value("format").toString(), QStringLiteral("mlflow-admin-snapshot"));
    QCOMPARE(root.value("version").toInt(), 1);
    QVERIFY(root.value("taken_at").toString().endsWith(QLatin1Char('Z')));
    QCOMPARE(root.value("server").toObject().value("api_generation").toString(),
             session.isMlflow3 ? QStringLiteral("rbac") : QStringLiteral("legacy"));
    QCOMPARE(root.value("server").toObject().value("workspace").toString(), QStringLiteral("team-a"));
    QCOMPARE(root.value("default_permission").toObject().value("level").toString(), QStringLiteral("NO_PERMISSIONS"));
    QCOMPARE(root.value("produced_by").toObject().value("local_account").toString(), QStringLiteral("reviewer"));
    QCOMPARE(root.value("cells").toArray().size(), snapshot.cells().size());

    QString error;
    const auto back = AccessSnapshot::fromJson(json, &error);
    QVERIFY2(back, qPrintable(error));
    QVERIFY(error.isEmpty());
    compareSnapshots(snapshot, *back);
    QCOMPARE(back->toJson(), json);

    // Through a file: owner-only, and read back the same; a missing file says which and what to do.
    const QString path = session.fixture.tempPath(QStringLiteral("snapshot.json"));
    QVERIFY2(snapshot.writeFile(path, &error), qPrintable(error));
    QCOMPARE(QFile::permissions(path) & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
             QFile::Permissions());
    const auto fromFile = AccessSnapshot::readFile(path, &error);
    QVERIFY2(fromFile, qPrintable(error));
    compareSnapshots(snapshot, *fromFile);
    QVERIFY(!AccessSnapshot::readFile(path + QStringLiteral(".missing"), &error));
    QVERIFY2(error.contains(QLatin1String("snapshot.json.missing")) && error.contains(QLatin1String("Check")),
             qPrintable(error));
}

void TestAccessSnapshot::unknownDefaultStaysUnknown()
{
    DemoSession session;
    QVERIFY2(session.fixture.started(), qPrintable(session.fixture.error()));
    QVERIFY(session.loadDirectory());
    session.directory.setDefaultPermission(std::nullopt);
    const AccessSnapshot snapshot = AccessSnapshot::fromDirectory(session.directory, origin(session));
    QVERIFY(!snapshot.defaultPermission());
    const QJsonObject root = QJsonDocument::fromJson(snapshot.toJson()).object();
    QVERIFY(root.value("default_permission").toObject().value("level").isNull());
    QString error;
    const auto back = AccessSnapshot::fromJson(snapshot.toJson(), &error);
    QVERIFY2(back, qPrintable(error));
    QVERIFY(!back->defaultPermission());
    const QString u1e1 = experimentId(session.directory, QStringLiteral("/user1/experiment1"));
    QCOMPARE(back->permission(DemoData::user2Username, ResourceType::Experiment, u1e1).source,
             EffectivePermission::Source::Unknown);
}

QByteArray TestAccessSnapshot::demoSnapshotJson()
{
    DemoSession session;
    if (!session.loadDirectory())
        return QByteArray();
    session.directory.setDefaultPermission(PermissionLevel::NoPermissions);
    return AccessSnapshot::fromDirectory(session.directory, origin(session)).toJson();
}

void TestAccessSnapshot::rejectsWrongFiles_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("expected");
    const QByteArray good = demoSnapshotJson();
    QVERIFY(!good.isEmpty());
    const QJsonObject root = QJsonDocument::fromJson(good).object();
    const auto edited = [&root](const std::function<void(QJsonObject&)>& edit) {
        QJsonObject copy = root;
        edit(copy);
        return QJsonDocument(copy).toJson();
    };
    const auto editCell = [&](const QString& key, const QJsonValue& value) {
        return edited([&](QJsonObject& object) {
            QJsonArray cells = object.value("cells").toArray();
            QJsonObject cell = cells.at(0).toObject();
            cell.insert(key, value);
            cells.replace(0, cell);
            object.insert("cells", cells);
        });
    };

    QTest::newRow("not JSON") << QByteArray("user,resource_type\nadmin,experiment\n") << "not JSON";
    QTest::newRow("truncated") << good.left(good.size() / 2) << "not JSON";
    QTest::newRow("JSON list") << QByteArray("[1, 2]") << "\"format\" is not \"mlflow-admin-snapshot\"";
    QTest::newRow("other format") << edited([](QJsonObject& o) { o.insert("format", "mlflow-admin-audit"); })
                                  << "\"format\" is not \"mlflow-admin-snapshot\"";
    QTest::newRow("newer version") << edited([](QJsonObject& o) { o.insert("version", 2); })
                                   << "format version 2, newer than this mlflow-admin reads (up to 1)";
    QTest::newRow("no version") << edited([](QJsonObject& o) { o.remove("version"); }) << "no valid format version";
    QTest::newRow("no users") << edited([](QJsonObject& o) { o.remove("users"); }) << "users is missing";
    QTest::newRow("no server url") << edited([](QJsonObject& o) {
        QJsonObject server = o.value("server").toObject();
        server.remove("url");
        o.insert("server", server);
    }) << "server.url is missing";
    QTest::newRow("bad time") << edited([](QJsonObject& o) { o.insert("taken_at", "yesterday"); })
                              << "taken_at is 'yesterday', not an ISO 8601 time";
    QTest::newRow("bad level") << editCell("level", "ADMIN") << "cells[0].level is 'ADMIN', not a permission level";
    QTest::newRow("bad source") << editCell("source", "magic") << "cells[0].source is 'magic', not a source";
    QTest::newRow("stranger") << editCell("user", "mallory") << "cells[0].user 'mallory' is not among the users";
    QTest::newRow("no resource") << editCell("resource_id", "999999")
                                 << "cells[0].resource_id '999999' is not among the resources";
}

void TestAccessSnapshot::rejectsWrongFiles()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, expected);
    QString error;
    const auto snapshot = AccessSnapshot::fromJson(data, &error);
    QVERIFY(!snapshot);
    QVERIFY2(error.contains(expected), qPrintable(error));
    // Every message says what to do about it.
    QVERIFY2(error.contains(QLatin1String("Choose")) || error.contains(QLatin1String("Save")) ||
                 error.contains(QLatin1String("Open it")),
             qPrintable(error));
}

QTEST_GUILESS_MAIN(TestAccessSnapshot)
#include "tst_accesssnapshot.moc"

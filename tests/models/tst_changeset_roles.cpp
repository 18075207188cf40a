#include "ModelsTestSupport.h"

#include "models/AccessMatrixModel.h"
#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "models/ModelRoles.h"
#include "models/RoleRows.h"
#include "models/ShownAccess.h"

#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace ModelsTest;

namespace {

const QString experimentType = QStringLiteral("experiment");

// A 3.13+ directory: alice holds role auditors (id 7: READ on experiment 1, permission id 70), bob holds nothing.
void fillRolesDirectory(Directory& directory)
{
    Role auditors;
    auditors.id = 7;
    auditors.name = QStringLiteral("auditors");
    auditors.workspace = QStringLiteral("default");
    auditors.description = QStringLiteral("audit");
    RolePermission read;
    read.id = 70;
    read.roleId = 7;
    read.resourceType = experimentType;
    read.resourcePattern = QStringLiteral("1");
    read.level = PermissionLevel::Read;
    auditors.permissions.append(read);
    User admin;
    admin.username = QStringLiteral("admin");
    admin.isAdmin = true;
    User alice;
    alice.username = QStringLiteral("alice");
    alice.roles.append(auditors);
    User bob;
    bob.username = QStringLiteral("bob");
    Experiment one;
    one.id = QStringLiteral("1");
    one.name = QStringLiteral("/alice/one");
    Experiment two;
    two.id = QStringLiteral("2");
    two.name = QStringLiteral("/alice/two");
    directory.setGeneration(ApiGeneration::Rbac);
    directory.setContents({admin, alice, bob}, {one, two}, {}, ListingSource::ServerApi, {auditors});
}

// Each call as the review dialog shows it, with everything the planner put into it.
QStringList callTexts(const QList<ApiCall>& calls)
{
    QStringList texts;
    for (const ApiCall& call : calls)
        texts.append(call.endpoint(ApiGeneration::Rbac) + QStringLiteral(" | ") + call.description() +
                     QStringLiteral(" | role %1 | permission %2 | %3 %4")
                         .arg(call.role.id)
                         .arg(call.rolePermissionId)
                         .arg(call.permissionType, call.resourceId));
    return texts;
}

QStringList undoTexts(QUndoStack* stack)
{
    QStringList texts;
    for (int i = 0; i < stack->count(); ++i)
        texts.append(stack->text(i));
    return texts;
}

bool waitApplied(QSignalSpy& spy)
{
    return QTest::qWaitFor([&] { return !spy.isEmpty(); }, 20000);
}

} // namespace

// ChangeSet role changes (3.13+): planning order, undo texts, and apply against the embedded --api 3 server.
class TestChangeSetRoles : public QObject
{
    Q_OBJECT

private slots:
    void planOrderAndEndpoints();
    void undoRedoNamesThings();
    void deletingANewRoleDropsWhatWasStagedOnIt();
    void refusals();
    void applyCreatesGrantsAndAssigns();
    void pendingPermissionFollowsStagedRoles();
    void stagedRolesReachTheCellsFilter();
    void failedCreationKeepsItsDependentsStaged();
    void crashFileKeepsRoleChanges();
    void crashFileKeepsARoleDeletion();
    void restoredNewRoleAppliesWithItsDependents();
};

void TestChangeSetRoles::planOrderAndEndpoints()
{
    Directory directory;
    fillRolesDirectory(directory);
    ChangeSet changes(&directory);
    const RoleRef auditors{7, QStringLiteral("default"), QStringLiteral("auditors")};
    const RoleRef readers{-1, QStringLiteral("default"), QStringLiteral("readers")};
    // Staged in the "wrong" order on purpose: the plan puts creations first and assignments after permissions.
    QVERIFY(!changes.stageRoleMember(readers, QStringLiteral("bob"), true)); // no such role yet
    QVERIFY(changes.stageCreateRole(QStringLiteral("readers"), QString(), QStringLiteral("read all")));
    QVERIFY(changes.stageRoleMember(readers, QStringLiteral("bob"), true));
    QVERIFY(changes.stageRolePermission(readers, experimentType, QStringLiteral("2"), PermissionLevel::Read));
    QVERIFY(changes.stageRolePermission(auditors, experimentType, QStringLiteral("1"), PermissionLevel::Edit));
    QVERIFY(changes.stageRolePermission(auditors, experimentType, QStringLiteral("*"), PermissionLevel::Read));
    QVERIFY(changes.stageRenameRole(auditors, QStringLiteral("reviewers")));
    QVERIFY(changes.stageRoleMember(auditors, QStringLiteral("alice"), false));
    QCOMPARE(changes.count(), 7);

    const QList<ApiCall> calls = changes.toApiCalls();
    QCOMPARE(calls.size(), 7);
    QCOMPARE(calls.at(0).kind, ApiCall::Kind::CreateRole);
    QCOMPARE(calls.at(0).role.name, QStringLiteral("readers"));
    QCOMPARE(calls.at(0).roleDescription, std::optional<QString>(QStringLiteral("read all")));
    QCOMPARE(calls.at(0).endpoint(ApiGeneration::Rbac), QStringLiteral("POST /api/3.0/mlflow/roles/create"));
    QCOMPARE(calls.at(1).kind, ApiCall::Kind::UpdateRole);
    QCOMPARE(calls.at(1).role.id, qint64(7));
    QCOMPARE(calls.at(1).roleName, std::optional<QString>(QStringLiteral("reviewers")));
    QCOMPARE(calls.at(1).endpoint(ApiGeneration::Rbac), QStringLiteral("PATCH /api/3.0/mlflow/roles/update"));
    QCOMPARE(calls.at(1).description(), QStringLiteral("Rename role auditors to reviewers"));
    // Role permissions, sorted by role name: auditors' "*" and "1", then readers.
    QCOMPARE(calls.at(2).kind, ApiCall::Kind::AddRolePermission);
    QCOMPARE(calls.at(2).resourceId, QStringLiteral("*"));
    QCOMPARE(calls.at(2).description(), QStringLiteral("Grant READ on every experiment to role auditors"));
    QCOMPARE(calls.at(3).kind, ApiCall::Kind::UpdateRolePermission);
    QCOMPARE(calls.at(3).rolePermissionId, qint64(70));
    QCOMPARE(calls.at(3).level, PermissionLevel::Edit);
    QCOMPARE(calls.at(3).endpoint(ApiGeneration::Rbac),
             QStringLiteral("PATCH /api/3.0/mlflow/roles/permissions/update"));
    QCOMPARE(calls.at(4).kind, ApiCall::Kind::AddRolePermission);
    QCOMPARE(calls.at(4).role.name, QStringLiteral("readers"));
    QVERIFY(calls.at(4).role.isNew()); // its id comes from the creation's answer
    QCOMPARE(calls.at(4).description(), QStringLiteral("Grant READ on experiment /alice/two to role readers"));
    QCOMPARE(calls.at(4).endpoint(ApiGeneration::Rbac), QStringLiteral("POST /api/3.0/mlflow/roles/permissions/add"));
    // Assignments last, once roles exist and carry their permissions.
    QCOMPARE(calls.at(5).kind, ApiCall::Kind::UnassignRole);
    QCOMPARE(calls.at(5).username, QStringLiteral("alice"));
    QCOMPARE(calls.at(5).endpoint(ApiGeneration::Rbac), QStringLiteral("DELETE /api/3.0/mlflow/roles/unassign"));
    QCOMPARE(calls.at(6).kind, ApiCall::Kind::AssignRole);
    QCOMPARE(calls.at(6).description(), QStringLiteral("Assign role readers to bob"));

    const QList<PlannedChange> plan = changes.plan(PlanRules::forGeneration(ApiGeneration::Rbac));
    QCOMPARE(plan.first().phase, 0);
    QCOMPARE(plan.first().subject, PlannedChange::Subject::Role);
    QCOMPARE(plan.last().phase, 2);
    QCOMPARE(plan.last().subject, PlannedChange::Subject::RoleMember);

    // Removing a loaded permission names the level it takes away.
    QVERIFY(changes.stageRolePermission(auditors, experimentType, QStringLiteral("1"), std::nullopt));
    const QList<ApiCall> after = changes.toApiCalls();
    const auto remove = std::find_if(after.cbegin(), after.cend(), [](const ApiCall& call) {
        return call.kind == ApiCall::Kind::RemoveRolePermission;
    });
    QVERIFY(remove != after.cend());
    QCOMPARE(remove->rolePermissionId, qint64(70));
    QCOMPARE(remove->description(), QStringLiteral("Remove READ on experiment /alice/one from role auditors"));

    // Deleting a loaded role is last and makes its staged permission and membership changes moot.
    QVERIFY(changes.stageDeleteRole(auditors));
    const QList<ApiCall> withDelete = changes.toApiCalls();
    QCOMPARE(withDelete.last().kind, ApiCall::Kind::DeleteRole);
    QCOMPARE(withDelete.last().endpoint(ApiGeneration::Rbac), QStringLiteral("DELETE /api/3.0/mlflow/roles/delete"));
    for (const ApiCall& call : withDelete)
        QVERIFY2(call.kind == ApiCall::Kind::DeleteRole || call.role.id != 7, qPrintable(call.description()));
}

void TestChangeSetRoles::undoRedoNamesThings()
{
    Directory directory;
    fillRolesDirectory(directory);
    ChangeSet changes(&directory);
    const RoleRef auditors{7, QStringLiteral("default"), QStringLiteral("auditors")};
    const RoleRef readers{-1, QStringLiteral("default"), QStringLiteral("readers")};
    QVERIFY(changes.stageCreateRole(QStringLiteral("readers"), QString()));
    QVERIFY(changes.stageRolePermission(readers, experimentType, QStringLiteral("1"), PermissionLevel::Read));
    QVERIFY(changes.stageRoleMember(readers, QStringLiteral("bob"), true));
    QVERIFY(changes.stageDescribeRole(auditors, QStringLiteral("the auditors")));
    QVERIFY(changes.stageRoleMember(auditors, QStringLiteral("alice"), false));
    QCOMPARE(undoTexts(changes.undoStack()),
             (QStringList{QStringLiteral("Create role readers"),
                          QStringLiteral("Grant READ on experiment /alice/one to role readers"),
                          QStringLiteral("Assign role readers to bob"), QStringLiteral("Describe role auditors"),
                          QStringLiteral("Unassign role auditors from alice")}));
    QCOMPARE(changes.count(), 5);

    // The Roles page's view of it: the new role with its permission and member, alice about to leave auditors.
    const QList<RoleRow> rows = RoleRows::build(changes);
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows.at(0).name, QStringLiteral("auditors"));
    QCOMPARE(rows.at(0).description, QStringLiteral("the auditors"));
    QVERIFY(rows.at(0).memberNames().isEmpty());
    QVERIFY(rows.at(0).members.first().isPending());
    QCOMPARE(rows.at(1).name, QStringLiteral("readers"));
    QVERIFY(rows.at(1).pendingCreate);
    QCOMPARE(rows.at(1).permissionCount(), 1);
    const RolePermissionKey& added = rows.at(1).permissions.first().key;
    QCOMPARE(changes.resourceText(added.resourceType, added.pattern), QStringLiteral("experiment /alice/one"));
    QCOMPARE(rows.at(1).memberNames(), QStringList{QStringLiteral("bob")});

    while (changes.undoStack()->canUndo())
        changes.undoStack()->undo();
    QVERIFY(changes.isEmpty());
    QVERIFY(changes.toApiCalls().isEmpty());
    QCOMPARE(RoleRows::build(changes).size(), 1);
    while (changes.undoStack()->canRedo())
        changes.undoStack()->redo();
    QCOMPARE(changes.count(), 5);
    QCOMPARE(changes.toApiCalls().size(), 5);

    // Staging back the loaded state is no change: the description as loaded, alice assigned again.
    QVERIFY(changes.stageDescribeRole(auditors, QStringLiteral("audit")));
    QVERIFY(changes.stageRoleMember(auditors, QStringLiteral("alice"), true));
    QCOMPARE(changes.count(), 3);
}

void TestChangeSetRoles::deletingANewRoleDropsWhatWasStagedOnIt()
{
    Directory directory;
    fillRolesDirectory(directory);
    ChangeSet changes(&directory);
    const RoleRef readers{-1, QStringLiteral("default"), QStringLiteral("readers")};
    QVERIFY(changes.stageCreateRole(QStringLiteral("readers"), QString()));
    QVERIFY(changes.stageRolePermission(readers, experimentType, QStringLiteral("1"), PermissionLevel::Read));
    QVERIFY(changes.stageRoleMember(readers, QStringLiteral("bob"), true));
    const int steps = changes.undoStack()->count();
    QVERIFY(changes.stageDeleteRole(readers));
    QVERIFY(changes.isEmpty());
    QCOMPARE(changes.undoStack()->count(), steps + 1); // one step
    QCOMPARE(changes.undoStack()->text(steps), QStringLiteral("Delete role readers"));
    changes.undoStack()->undo();
    QCOMPARE(changes.count(), 3);
    QCOMPARE(changes.toApiCalls().size(), 3);
}

void TestChangeSetRoles::refusals()
{
    Directory directory;
    fillRolesDirectory(directory);
    ChangeSet changes(&directory);
    const RoleRef auditors{7, QStringLiteral("default"), QStringLiteral("auditors")};
    QVERIFY(!changes.stageCreateRole(QStringLiteral("__user_3__"), QString())); // MLflow's hidden per-user roles
    QVERIFY(!changes.stageCreateRole(QStringLiteral("auditors"), QStringLiteral("default"))); // exists
    QVERIFY(!changes.stageCreateRole(QStringLiteral("  "), QString()));
    QVERIFY(!changes.stageRoleMember(auditors, QStringLiteral("nobody"), true)); // no such user
    QVERIFY(!changes.stageRenameRole(auditors, QStringLiteral("__user_1__")));
    QVERIFY(changes.stageRoleMember(auditors, QStringLiteral("alice"), true)); // already: nothing staged
    QVERIFY(changes.stageRolePermission(auditors, experimentType, QStringLiteral("1"), PermissionLevel::Read));
    QVERIFY(changes.isEmpty());
    QVERIFY(changes.stageDeleteRole(auditors));
    // A role staged for deletion takes no new permissions or members.
    QVERIFY(!changes.stageRolePermission(auditors, experimentType, QStringLiteral("2"), PermissionLevel::Read));
    QVERIFY(!changes.stageRoleMember(auditors, QStringLiteral("bob"), true));
    QCOMPARE(changes.count(), 1);

    // Servers before 3.13 have no roles at all.
    Directory legacy;
    legacy.setGeneration(ApiGeneration::Legacy);
    ChangeSet legacyChanges(&legacy);
    QVERIFY(!legacyChanges.stageCreateRole(QStringLiteral("readers"), QString()));
    QVERIFY(legacyChanges.isEmpty());
}

void TestChangeSetRoles::applyCreatesGrantsAndAssigns()
{
    DemoSession session(true, Generations::mlflow3());
    QVERIFY2(session.loadDirectory(), qPrintable(session.fixture.error()));
    Directory& directory = session.directory;
    const QString experiment = experimentId(directory, QStringLiteral("/user1/experiment1"));
    QVERIFY(!experiment.isEmpty());
    QCOMPARE(directory.effectivePermission(DemoData::user2Username, ResourceType::Experiment, experiment).level,
             PermissionLevel::NoPermissions);

    ChangeSet changes(&directory);
    QSignalSpy applied(&changes, &ChangeSet::applied);
    const RoleRef readers{-1, QStringLiteral("default"), QStringLiteral("readers")};
    QVERIFY(changes.stageCreateRole(QStringLiteral("readers"), QString(), QStringLiteral("read experiment1")));
    QVERIFY(changes.stageRolePermission(readers, experimentType, experiment, PermissionLevel::Read));
    QVERIFY(changes.stageRoleMember(readers, DemoData::user2Username, true));
    QVERIFY(changes.apply(session.auth.get()));
    QVERIFY(waitApplied(applied));
    const auto summary = applied.first().first().value<ApplySummary>();
    for (const ChangeResult& result : summary.results)
        QVERIFY2(result.ok(), qPrintable(result.description + QStringLiteral(": ") + result.error.userMessage()));
    QCOMPARE(summary.succeeded, 3);
    QVERIFY(changes.isEmpty());

    // The Directory learnt the role with the server's id, its permission and its member.
    const int row = directory.roleRowByName(QStringLiteral("readers"));
    QVERIFY(row >= 0);
    const DirectoryRole& role = directory.roleAt(row);
    QVERIFY(role.role.id > 0);
    QCOMPARE(role.role.description, QStringLiteral("read experiment1"));
    QCOMPARE(role.role.permissions.size(), 1);
    QVERIFY(role.role.permissions.first().id > 0);
    QCOMPARE(role.members, QStringList{DemoData::user2Username});
    const EffectivePermission through =
        directory.effectivePermission(DemoData::user2Username, ResourceType::Experiment, experiment);
    QCOMPARE(through.level, PermissionLevel::Read);
    QCOMPARE(through.source, EffectivePermission::Source::Role);
    QCOMPARE(through.detail, QStringLiteral("readers"));

    // The server agrees: a fresh load sees the same, and user2 sees the experiment.
    Directory reloaded;
    QVERIFY(session.load(&reloaded, &session.reader));
    const int reloadedRow = reloaded.roleRowByName(QStringLiteral("readers"));
    QVERIFY(reloadedRow >= 0);
    QCOMPARE(reloaded.roleAt(reloadedRow).role.id, role.role.id);
    QCOMPARE(reloaded.roleAt(reloadedRow).members, QStringList{DemoData::user2Username});
    auto user2 = session.connectAs(DemoData::user2Username, DemoData::user2Password);
    TrackingApi user2Tracking(user2.get());
    auto* search = user2Tracking.searchExperiments(ViewType::ActiveOnly);
    QVERIFY(waitFor(search));
    QVERIFY(!search->hasError());
    QStringList names;
    for (const Experiment& e : search->value())
        names.append(e.name);
    QVERIFY2(names.contains(QStringLiteral("/user1/experiment1")), qPrintable(names.join(QLatin1Char(','))));

    // Change the level in place, then unassign and delete: each through the plan, and the server follows.
    const RoleRef loaded = RoleRef::of(role.role);
    QVERIFY(changes.stageRolePermission(loaded, experimentType, experiment, PermissionLevel::Edit));
    QVERIFY(changes.stageRoleMember(loaded, DemoData::user2Username, false));
    QCOMPARE(changes.toApiCalls().first().kind, ApiCall::Kind::UpdateRolePermission);
    applied.clear();
    QVERIFY(changes.apply(session.auth.get()));
    QVERIFY(waitApplied(applied));
    QCOMPARE(applied.first().first().value<ApplySummary>().succeeded, 2);
    QCOMPARE(directory.roleAt(directory.roleRowByName(QStringLiteral("readers"))).role.permissions.first().level,
             PermissionLevel::Edit);
    QCOMPARE(directory.effectivePermission(DemoData::user2Username, ResourceType::Experiment, experiment).level,
             PermissionLevel::NoPermissions);
    QVERIFY(changes.stageDeleteRole(loaded));
    applied.clear();
    QVERIFY(changes.apply(session.auth.get()));
    QVERIFY(waitApplied(applied));
    QCOMPARE(applied.first().first().value<ApplySummary>().succeeded, 1);
    QCOMPARE(directory.roleRowByName(QStringLiteral("readers")), -1);
    auto* get = session.rbac()->getRole(loaded.id);
    QVERIFY(waitFor(get));
    QVERIFY(get->hasError());
}

// What the matrix previews: a cell's permission as the staged roles will make it, and nothing where they change
// nothing; after the apply, the Directory gives what the preview said.
void TestChangeSetRoles::pendingPermissionFollowsStagedRoles()
{
    DemoSession session(true, Generations::mlflow3());
    QVERIFY2(session.loadDirectory(), qPrintable(session.fixture.error()));
    Directory& directory = session.directory;
    directory.setDefaultPermission(PermissionLevel::NoPermissions);
    const QString experiment = experimentId(directory, QStringLiteral("/user1/experiment1"));
    const QString other = experimentId(directory, QStringLiteral("/user2/experiment1"));
    QVERIFY(!experiment.isEmpty() && !other.isEmpty());

    ChangeSet changes(&directory);
    const RoleRef readers{-1, QStringLiteral("default"), QStringLiteral("readers")};
    QVERIFY(changes.stageCreateRole(QStringLiteral("readers"), QString()));
    QVERIFY(changes.stageRolePermission(readers, experimentType, experiment, PermissionLevel::Read));
    // A role nobody holds changes no cell.
    QVERIFY(!changes.pendingPermission(DemoData::user2Username, ResourceType::Experiment, experiment));
    QVERIFY(changes.stageRoleMember(readers, DemoData::user2Username, true));
    const auto preview = changes.pendingPermission(DemoData::user2Username, ResourceType::Experiment, experiment);
    QVERIFY(preview);
    QCOMPARE(preview->level, PermissionLevel::Read);
    QCOMPARE(preview->source, EffectivePermission::Source::Role);
    QCOMPARE(preview->detail, QStringLiteral("readers"));
    // Elsewhere the role names nothing: no preview; nor for users it is not assigned to.
    QVERIFY(!changes.pendingPermission(DemoData::user2Username, ResourceType::Experiment, other));
    QVERIFY(!changes.pendingPermission(DemoData::user1Username, ResourceType::Experiment, experiment));
    // The permission raised to EDIT before the apply: the preview follows.
    QVERIFY(changes.stageRolePermission(readers, experimentType, experiment, PermissionLevel::Edit));
    QCOMPARE(changes.pendingLevel(DemoData::user2Username, ResourceType::Experiment, experiment),
             std::optional<PermissionLevel>(PermissionLevel::Edit));

    QSignalSpy applied(&changes, &ChangeSet::applied);
    QVERIFY(changes.apply(session.auth.get()));
    QVERIFY(waitApplied(applied));
    QCOMPARE(applied.first().first().value<ApplySummary>().failed, 0);
    QVERIFY(!changes.pendingPermission(DemoData::user2Username, ResourceType::Experiment, experiment));
    const EffectivePermission now =
        directory.effectivePermission(DemoData::user2Username, ResourceType::Experiment, experiment);
    QCOMPARE(now.level, PermissionLevel::Edit);
    QCOMPARE(now.source, EffectivePermission::Source::Role);
    QCOMPARE(now.detail, QStringLiteral("readers"));

    // A staged deletion of the loaded role takes its access away in the preview.
    const int row = directory.roleRowByName(QStringLiteral("readers"));
    QVERIFY(row >= 0);
    QVERIFY(changes.stageDeleteRole(RoleRef::of(directory.roleAt(row).role)));
    const auto removed = changes.pendingPermission(DemoData::user2Username, ResourceType::Experiment, experiment);
    QVERIFY(removed);
    QCOMPARE(removed->level, PermissionLevel::NoPermissions);
    QCOMPARE(removed->source, EffectivePermission::Source::DefaultPermission);
}

// The matrix's "cells with access" filter and the per-user panel ask only the resources something names for a user;
// a resource that only a staged role permission or a staged assignment names must be among them.
void TestChangeSetRoles::stagedRolesReachTheCellsFilter()
{
    Directory directory;
    fillRolesDirectory(directory);
    directory.setDefaultPermission(PermissionLevel::NoPermissions);
    ChangeSet changes(&directory);
    AccessMatrixModel matrix(&directory, &changes);
    const auto kept = [&] {
        const AccessMatrixModel::ContentSections sections =
            matrix.sectionsWithContent(AccessMatrixModel::CellFilter::CellsWithAccess, {}, {});
        QStringList names;
        for (int user = 0; user < sections.users.size(); ++user) {
            if (sections.users.at(user))
                names.append(directory.userAt(user).username);
        }
        for (int row = 0; row < sections.resources.size(); ++row) {
            if (sections.resources.at(row))
                names.append(directory.resourceNameAt(ResourceType::Experiment, row));
        }
        return names;
    };
    const auto panel = [&](const QString& username) {
        QStringList names;
        for (const ResourceAccess& access :
             ShownAccess(&directory, &changes).readableBy(username, ResourceType::Experiment))
            names.append(access.name + QLatin1Char('=') + Permissions::name(access.permission.level) +
                         (access.pending ? QStringLiteral("*") : QString()));
        return names;
    };
    // Admins always stay; the rest by what they can access.
    QCOMPARE(kept(), (QStringList{QStringLiteral("admin"), QStringLiteral("alice"), QStringLiteral("/alice/one")}));
    QCOMPARE(panel(QStringLiteral("bob")), QStringList());

    const RoleRef auditors{7, QStringLiteral("default"), QStringLiteral("auditors")};
    // A permission staged on a role alice holds names experiment 2 for her.
    QVERIFY(changes.stageRolePermission(auditors, experimentType, QStringLiteral("2"), PermissionLevel::Edit));
    QCOMPARE(kept(), (QStringList{QStringLiteral("admin"), QStringLiteral("alice"), QStringLiteral("/alice/one"),
                                  QStringLiteral("/alice/two")}));
    QCOMPARE(panel(QStringLiteral("alice")),
             (QStringList{QStringLiteral("/alice/one=READ"), QStringLiteral("/alice/two=EDIT*")}));
    // A staged assignment brings bob the role's loaded and staged permissions.
    QVERIFY(changes.stageRoleMember(auditors, QStringLiteral("bob"), true));
    QCOMPARE(kept(), (QStringList{QStringLiteral("admin"), QStringLiteral("alice"), QStringLiteral("bob"),
                                  QStringLiteral("/alice/one"), QStringLiteral("/alice/two")}));
    QCOMPARE(panel(QStringLiteral("bob")),
             (QStringList{QStringLiteral("/alice/one=READ*"), QStringLiteral("/alice/two=EDIT*")}));
    changes.undoStack()->undo();
    changes.undoStack()->undo();
    QCOMPARE(kept(), (QStringList{QStringLiteral("admin"), QStringLiteral("alice"), QStringLiteral("/alice/one")}));

    // A staged "*" names no resource and reaches every one.
    QVERIFY(changes.stageRolePermission(auditors, experimentType, QStringLiteral("*"), PermissionLevel::Read));
    QVERIFY(changes.stageRoleMember(auditors, QStringLiteral("bob"), true));
    QCOMPARE(panel(QStringLiteral("bob")),
             (QStringList{QStringLiteral("/alice/one=READ*"), QStringLiteral("/alice/two=READ*")}));
    QCOMPARE(kept(), (QStringList{QStringLiteral("admin"), QStringLiteral("alice"), QStringLiteral("bob"),
                                  QStringLiteral("/alice/one"), QStringLiteral("/alice/two")}));

    // alice already reads experiment 1 through the role: the staged "*" keeps the level and only adds a reason (◇);
    // on experiment 2 it gives her a level she had not (◆).
    QCOMPARE(matrix.orientation(), AccessMatrixModel::Orientation::UsersAsRows);
    const QModelIndex same = matrix.index(1, directory.resourceRow(ResourceType::Experiment, QStringLiteral("1")));
    const QModelIndex raised = matrix.index(1, directory.resourceRow(ResourceType::Experiment, QStringLiteral("2")));
    QVERIFY2(same.data().toString().endsWith(QStringLiteral(" \u25c7")), qPrintable(same.data().toString()));
    QVERIFY2(same.data(Qt::ToolTipRole).toString().contains(QStringLiteral("The level stays")),
             qPrintable(same.data(Qt::ToolTipRole).toString()));
    QVERIFY(same.data(ModelRoles::PendingRole).toBool());
    QVERIFY2(raised.data().toString().endsWith(QStringLiteral(" \u25c6")), qPrintable(raised.data().toString()));
    QVERIFY(raised.data(Qt::ToolTipRole).toString().contains(QStringLiteral("Pending change")));
}

void TestChangeSetRoles::failedCreationKeepsItsDependentsStaged()
{
    DemoSession session(true, Generations::mlflow3());
    QVERIFY2(session.loadDirectory(), qPrintable(session.fixture.error()));
    Directory& directory = session.directory;
    const QString experiment = experimentId(directory, QStringLiteral("/user1/experiment1"));
    // Someone else creates the role after our load: our creation fails on the server's uniqueness rule.
    auto* other = session.rbac()->createRole(QStringLiteral("taken"), QStringLiteral("default"));
    QVERIFY(waitFor(other));
    QVERIFY(!other->hasError());

    ChangeSet changes(&directory);
    QSignalSpy applied(&changes, &ChangeSet::applied);
    const RoleRef taken{-1, QStringLiteral("default"), QStringLiteral("taken")};
    QVERIFY(changes.stageCreateRole(QStringLiteral("taken"), QString()));
    QVERIFY(changes.stageRolePermission(taken, experimentType, experiment, PermissionLevel::Read));
    QVERIFY(changes.stageRoleMember(taken, DemoData::user2Username, true));
    QVERIFY(changes.apply(session.auth.get()));
    QVERIFY(waitApplied(applied));
    const auto summary = applied.first().first().value<ApplySummary>();
    QCOMPARE(summary.failed, 3);
    QCOMPARE(summary.committedCalls, 0);
    QCOMPARE(changes.count(), 3);
    QVERIFY(changes.stagedRole(taken)->error.isError());
    const StagedRolePermission* permission =
        changes.stagedRolePermission(RolePermissionKey{taken, experimentType, experiment});
    QVERIFY(permission);
    QCOMPARE(permission->error.kind(), ApiError::Kind::NotSent);
    QVERIFY2(permission->error.userMessage().contains(QStringLiteral("taken")),
             qPrintable(permission->error.userMessage()));
    QCOMPARE(changes.stagedRoleMember(RoleMemberKey{taken, DemoData::user2Username})->error.kind(),
             ApiError::Kind::NotSent);
}

// Every kind of role change goes into the crash file and comes back as the same plan; a new role keeps its staged
// permission and member; no password is written.
void TestChangeSetRoles::crashFileKeepsRoleChanges()
{
    Directory directory;
    fillRolesDirectory(directory);
    const RoleRef auditors{7, QStringLiteral("default"), QStringLiteral("auditors")};
    const RoleRef readers{-1, QStringLiteral("default"), QStringLiteral("readers")};
    const QString password = QStringLiteral("carol-secret-password");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("staged.sqlite"));
    QList<ApiCall> planned;
    {
        ChangeSet changes(&directory);
        changes.setAutoSavePath(path);
        QVERIFY(changes.stageCreateRole(QStringLiteral("readers"), QString(), QStringLiteral("read all")));
        QVERIFY(changes.stageRolePermission(readers, experimentType, QStringLiteral("2"), PermissionLevel::Read));
        QVERIFY(changes.stageRolePermission(readers, QStringLiteral("registered_model"), QStringLiteral("*"),
                                            PermissionLevel::Use));
        QVERIFY(changes.stageRoleMember(readers, QStringLiteral("bob"), true));
        QVERIFY(changes.stageRenameRole(auditors, QStringLiteral("reviewers")));
        QVERIFY(changes.stageDescribeRole(auditors, QString())); // clearing a description is a change too
        QVERIFY(changes.stageRolePermission(auditors, experimentType, QStringLiteral("1"), std::nullopt));
        QVERIFY(changes.stageRolePermission(auditors, experimentType, QStringLiteral("*"), PermissionLevel::Edit));
        QVERIFY(changes.stageRoleMember(auditors, QStringLiteral("alice"), false));
        // A user whose creation is staged, assigned to the new role: the password stays in memory only.
        QVERIFY(changes.stageCreateUser(QStringLiteral("carol"), password));
        QVERIFY(changes.stageRoleMember(readers, QStringLiteral("carol"), true));
        QCOMPARE(changes.count(), 10);
        planned = changes.toApiCalls();
        QCOMPARE(planned.size(), 10);
        // Saved by the auto-save of the last change, at the end of this event-loop turn.
        QTRY_VERIFY(QFileInfo::exists(path));
        QCoreApplication::processEvents();
    }

    ChangeSet restored(&directory);
    QSignalSpy roleSignals(&restored, &ChangeSet::roleStagingChanged);
    QString error;
    QVERIFY2(restored.restore(path, &error), qPrintable(error));
    QVERIFY(!roleSignals.isEmpty());
    QCOMPARE(restored.count(), 10);
    QCOMPARE(restored.toApiCalls(), planned);
    QCOMPARE(callTexts(restored.toApiCalls()), callTexts(planned));
    const StagedRole* created = restored.stagedRole(readers);
    QVERIFY(created);
    QVERIFY(created->create);
    QVERIFY(created->role.isNew());
    QCOMPARE(created->description, std::optional<QString>(QStringLiteral("read all")));
    QVERIFY(restored.isStagedRoleCreation(readers));
    const StagedRole* renamed = restored.stagedRole(auditors);
    QVERIFY(renamed);
    QCOMPARE(renamed->name, std::optional<QString>(QStringLiteral("reviewers")));
    QCOMPARE(renamed->description, std::optional<QString>(QString()));
    QVERIFY(restored.stagedRolePermission(RolePermissionKey{readers, experimentType, QStringLiteral("2")}));
    QVERIFY(!restored.stagedRolePermission(RolePermissionKey{auditors, experimentType, QStringLiteral("1")})->target);
    QVERIFY(restored.stagedRoleMember(RoleMemberKey{readers, QStringLiteral("carol")})->assign);
    QVERIFY(!restored.stagedRoleMember(RoleMemberKey{auditors, QStringLiteral("alice")})->assign);
    // The restored creation asks for its password again.
    QVERIFY(restored.needsPasswords());
    QVERIFY(restored.stagedUser(QStringLiteral("carol"))->password.isEmpty());

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY(bytes.contains("reviewers")); // the file is what was read back, not an empty one
    QVERIFY(!bytes.contains(password.toUtf8()));
    for (const QString& extra : {path + QStringLiteral("-wal"), path + QStringLiteral("-journal")}) {
        QFile side(extra);
        if (side.open(QIODevice::ReadOnly))
            QVERIFY(!side.readAll().contains(password.toUtf8()));
    }

    // Saving the restored set and restoring again gives the same again (nothing is lost on the way).
    const QString again = dir.filePath(QStringLiteral("again.sqlite"));
    QVERIFY2(restored.save(again, &error), qPrintable(error));
    ChangeSet third(&directory);
    QVERIFY2(third.restore(again, &error), qPrintable(error));
    QCOMPARE(third.toApiCalls(), planned);

    // Discarding empties the file's role tables too.
    restored.setAutoSavePath(path);
    restored.discard();
    restored.flushAutoSave();
    ChangeSet empty(&directory);
    QVERIFY2(empty.restore(path, &error), qPrintable(error));
    QVERIFY(empty.isEmpty());
}

void TestChangeSetRoles::crashFileKeepsARoleDeletion()
{
    Directory directory;
    fillRolesDirectory(directory);
    const RoleRef auditors{7, QStringLiteral("default"), QStringLiteral("auditors")};
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("staged.sqlite"));
    ChangeSet changes(&directory);
    QVERIFY(changes.stageDeleteRole(auditors));
    QString error;
    QVERIFY2(changes.save(path, &error), qPrintable(error));
    ChangeSet restored(&directory);
    QVERIFY2(restored.restore(path, &error), qPrintable(error));
    QCOMPARE(restored.count(), 1);
    QVERIFY(restored.stagedRole(auditors)->remove);
    const QList<ApiCall> calls = restored.toApiCalls();
    QCOMPARE(calls, changes.toApiCalls());
    QCOMPARE(calls.size(), 1);
    QCOMPARE(calls.first().kind, ApiCall::Kind::DeleteRole);
    QCOMPARE(calls.first().role.id, qint64(7));
}

// A restored creation, its permission and its member, applied against the embedded 3.14 server: the permission and
// the membership reach the role the creation made.
void TestChangeSetRoles::restoredNewRoleAppliesWithItsDependents()
{
    DemoSession session(true, Generations::mlflow3());
    QVERIFY2(session.loadDirectory(), qPrintable(session.fixture.error()));
    Directory& directory = session.directory;
    const QString experiment = experimentId(directory, QStringLiteral("/user1/experiment1"));
    QVERIFY(!experiment.isEmpty());
    const RoleRef restoredRole{-1, QStringLiteral("default"), QStringLiteral("restored")};
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("staged.sqlite"));
    QString error;
    {
        ChangeSet before(&directory);
        QVERIFY(before.stageCreateRole(QStringLiteral("restored"), QString()));
        QVERIFY(before.stageRolePermission(restoredRole, experimentType, experiment, PermissionLevel::Read));
        QVERIFY(before.stageRoleMember(restoredRole, DemoData::user2Username, true));
        QVERIFY2(before.save(path, &error), qPrintable(error));
    }
    ChangeSet changes(&directory);
    QVERIFY2(changes.restore(path, &error), qPrintable(error));
    QCOMPARE(changes.count(), 3);
    QSignalSpy applied(&changes, &ChangeSet::applied);
    QVERIFY(changes.apply(session.auth.get()));
    QVERIFY(waitApplied(applied));
    const auto summary = applied.first().first().value<ApplySummary>();
    for (const ChangeResult& result : summary.results)
        QVERIFY2(result.ok(), qPrintable(result.description + QStringLiteral(": ") + result.error.userMessage()));
    QCOMPARE(summary.succeeded, 3);

    Directory reloaded;
    QVERIFY(session.load(&reloaded, &session.reader));
    const int row = reloaded.roleRowByName(QStringLiteral("restored"));
    QVERIFY(row >= 0);
    QCOMPARE(reloaded.roleAt(row).members, QStringList{DemoData::user2Username});
    QCOMPARE(reloaded.roleAt(row).role.permissions.size(), 1);
    QCOMPARE(reloaded.roleAt(row).role.permissions.first().resourcePattern, experiment);
    QCOMPARE(reloaded.effectivePermission(DemoData::user2Username, ResourceType::Experiment, experiment).level,
             PermissionLevel::Read);
}

QTEST_GUILESS_MAIN(TestChangeSetRoles)
#include "tst_changeset_roles.moc"

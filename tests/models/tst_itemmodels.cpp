#include "GrantBuilder.h"
#include "models/AccessMatrixModel.h"
#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "models/ExperimentsModel.h"
#include "models/MatrixFilterProxy.h"
#include "models/ModelRoles.h"
#include "models/RegisteredModelsModel.h"
#include "models/UserAccessModel.h"
#include "models/UsersModel.h"

#include <QAbstractItemModelTester>
#include <QBrush>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QtTest>

namespace {

// The demo scenario's shape: admin, user1 with MANAGE on its two experiments, user2 with MANAGE on its one; one
// registered model owned by user1; default NO_PERMISSIONS.
void fillDemoLike(Directory& directory)
{
    User admin;
    admin.username = QStringLiteral("admin");
    admin.isAdmin = true;
    User user1;
    user1.username = QStringLiteral("user1");
    user1.experimentGrants = {makeGrant(user1.username, QStringLiteral("1"), PermissionLevel::Manage),
                              makeGrant(user1.username, QStringLiteral("2"), PermissionLevel::Manage)};
    user1.modelGrants = {
        makeGrant(user1.username, QStringLiteral("model-a"), PermissionLevel::Manage, ResourceType::RegisteredModel)};
    User user2;
    user2.username = QStringLiteral("user2");
    user2.experimentGrants = {makeGrant(user2.username, QStringLiteral("3"), PermissionLevel::Manage)};
    QList<Experiment> experiments;
    const char* names[] = {"/user1/experiment1", "/user1/experiment2", "/user2/experiment1"};
    for (int i = 0; i < 3; ++i) {
        Experiment experiment;
        experiment.id = QString::number(i + 1);
        experiment.name = QString::fromLatin1(names[i]);
        experiment.lifecycleStage = QStringLiteral("active");
        experiment.creationTime = 1700000000000 + i;
        experiment.lastUpdateTime = 1700000000000 + i;
        experiments.append(experiment);
    }
    experiments[2].lifecycleStage = QStringLiteral("deleted");
    RegisteredModel model;
    model.name = QStringLiteral("model-a");
    model.creationTimestamp = 1700000000000;
    directory.setContents({admin, user1, user2}, experiments, {model}, ListingSource::AuthDatabase);
    directory.setGeneration(ApiGeneration::Legacy);
    directory.setDefaultPermission(PermissionLevel::NoPermissions);
}

// Runs the structural mutations every model must survive under QAbstractItemModelTester.
void mutate(Directory& directory, ChangeSet& changes)
{
    User carol;
    carol.username = QStringLiteral("carol");
    carol.experimentGrants = {makeGrant(carol.username, QStringLiteral("1"), PermissionLevel::Read)};
    directory.addUser(carol);
    directory.applyGrant(makeGrant(QStringLiteral("user2"), QStringLiteral("1"), PermissionLevel::Edit));
    directory.removeGrant(QStringLiteral("user1"), ResourceType::Experiment, QStringLiteral("2"));
    directory.setAdmin(QStringLiteral("user2"), true);
    changes.stageGrant(QStringLiteral("carol"), ResourceType::Experiment, QStringLiteral("2"), PermissionLevel::Manage);
    changes.stageSetAdmin(QStringLiteral("carol"), true);
    // Staged creations are rows too: in name order, and gone again when the Directory gets the user.
    changes.stageCreateUser(QStringLiteral("erin"), QStringLiteral("erin-password"));
    changes.stageCreateUser(QStringLiteral("dave"), QStringLiteral("dave-password"));
    changes.stageGrant(QStringLiteral("dave"), ResourceType::Experiment, QStringLiteral("1"), PermissionLevel::Read);
    User erin;
    erin.username = QStringLiteral("erin");
    directory.addUser(erin);
    directory.setDefaultPermission(PermissionLevel::Read);
    directory.removeUser(QStringLiteral("user1"));
    changes.undoStack()->undo();
    changes.discard();
    fillDemoLike(directory);
}

} // namespace

// The item models over Directory and ChangeSet: structure under QAbstractItemModelTester, cell contents, and
// dataChanged only for what changed.
class TestItemModels : public QObject
{
    Q_OBJECT

private slots:
    void usersModel();
    void experimentsAndRegisteredModels();
    void matrixShowsDemoPermissions();
    void matrixEditStagesAndSignalsOneCell();
    void matrixOrientationAndModels();
    void matrixFilterProxy();
    void matrixAtScale();
    void matrixCellFilters();
    void matrixCellFiltersAtScale();
    void userAccessModel();
    void stagedNewUsersAreRows();
};

void TestItemModels::usersModel()
{
    Directory directory;
    fillDemoLike(directory);
    ChangeSet changes(&directory);
    UsersModel model(&directory, &changes);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);

    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), int(UsersModel::ColumnCount));
    const QModelIndex user1 = model.indexFromUser(QStringLiteral("user1"));
    QCOMPARE(model.userFromIndex(user1), QStringLiteral("user1"));
    QCOMPARE(model.data(user1.siblingAtColumn(UsersModel::ExperimentGrants)).toInt(), 2);
    QCOMPARE(model.data(user1.siblingAtColumn(UsersModel::ModelGrants)).toInt(), 1);
    QCOMPARE(
        model.data(model.indexFromUser(QStringLiteral("admin"), UsersModel::Admin), ModelRoles::ValueRole).toBool(),
        true);
    QVERIFY(model.data(model.indexFromUser(QStringLiteral("admin"), UsersModel::Admin))
                .toString()
                .contains(QStringLiteral("★")));
    QCOMPARE(model.headerData(UsersModel::Username, Qt::Horizontal).toString(), QStringLiteral("User"));

    // Staging an admin change marks only that user's pending cell.
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QVERIFY(changes.stageSetAdmin(QStringLiteral("user1"), true));
    QCOMPARE(changed.count(), 1);
    const QModelIndex pending = user1.siblingAtColumn(UsersModel::Pending);
    QCOMPARE(changed.first().at(0).toModelIndex(), pending);
    QCOMPARE(changed.first().at(1).toModelIndex(), pending);
    QVERIFY(model.data(pending).toString().startsWith(QStringLiteral("◆")));
    QCOMPARE(model.data(pending, ModelRoles::PendingRole).toBool(), true);

    // A grant applied after the server accepted it updates the row, not the whole model.
    changed.clear();
    directory.applyGrant(makeGrant(QStringLiteral("user2"), QStringLiteral("1"), PermissionLevel::Read));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.first().at(0).toModelIndex().row(), model.indexFromUser(QStringLiteral("user2")).row());

    mutate(directory, changes);
}

void TestItemModels::experimentsAndRegisteredModels()
{
    Directory directory;
    fillDemoLike(directory);
    ChangeSet changes(&directory);
    ExperimentsModel experiments(&directory);
    RegisteredModelsModel models(&directory);
    QAbstractItemModelTester experimentsTester(&experiments, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester modelsTester(&models, QAbstractItemModelTester::FailureReportingMode::QtTest);

    QCOMPARE(experiments.rowCount(), 3);
    const QModelIndex first = experiments.indexFromExperiment(QStringLiteral("1"));
    QCOMPARE(experiments.experimentFromIndex(first), QStringLiteral("1"));
    QCOMPARE(experiments.data(first.siblingAtColumn(ExperimentsModel::Name)).toString(),
             QStringLiteral("/user1/experiment1"));
    QCOMPARE(experiments.data(first, ModelRoles::ValueRole).toLongLong(), 1);
    QCOMPARE(experiments.data(first.siblingAtColumn(ExperimentsModel::Created), ModelRoles::ValueRole).toLongLong(),
             1700000000000);
    QVERIFY(!experiments.data(first.siblingAtColumn(ExperimentsModel::Created)).toString().isEmpty());
    QCOMPARE(
        experiments
            .data(experiments.indexFromExperiment(QStringLiteral("3"), ExperimentsModel::State), ModelRoles::ValueRole)
            .toString(),
        QStringLiteral("deleted"));
    // admin + user1
    const QModelIndex count = first.siblingAtColumn(ExperimentsModel::UsersWithAccess);
    QCOMPARE(experiments.data(count).toInt(), 2);

    QSignalSpy changed(&experiments, &QAbstractItemModel::dataChanged);
    directory.applyGrant(makeGrant(QStringLiteral("user2"), QStringLiteral("1"), PermissionLevel::Read));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.first().at(0).toModelIndex(), count);
    QCOMPARE(changed.first().at(1).toModelIndex(), count);
    QCOMPARE(experiments.data(count).toInt(), 3);

    QCOMPARE(models.rowCount(), 1);
    const QModelIndex model = models.indexFromModel(QStringLiteral("model-a"));
    QCOMPARE(models.modelFromIndex(model), QStringLiteral("model-a"));
    QCOMPARE(models.data(model.siblingAtColumn(RegisteredModelsModel::UsersWithAccess)).toInt(), 2);
    QCOMPARE(models.headerData(RegisteredModelsModel::Name, Qt::Horizontal).toString(), QStringLiteral("Name"));

    mutate(directory, changes);
}

void TestItemModels::matrixShowsDemoPermissions()
{
    Directory directory;
    fillDemoLike(directory);
    ChangeSet changes(&directory);
    AccessMatrixModel matrix(&directory, &changes);
    QAbstractItemModelTester tester(&matrix, QAbstractItemModelTester::FailureReportingMode::QtTest);

    QCOMPARE(matrix.rowCount(), 3);
    QCOMPARE(matrix.columnCount(), 3);
    const QModelIndex user1On1 = matrix.indexFor(QStringLiteral("user1"), QStringLiteral("1"));
    QCOMPARE(matrix.data(user1On1).toString(), QStringLiteral("MANAGE ●"));
    QCOMPARE(matrix.data(user1On1, ModelRoles::PermissionLevelRole).toInt(), int(PermissionLevel::Manage));
    QCOMPARE(matrix.data(user1On1, ModelRoles::PermissionSourceRole).toInt(),
             int(EffectivePermission::Source::ExplicitGrant));
    QCOMPARE(matrix.data(user1On1, ModelRoles::ExplicitLevelRole).toInt(), int(PermissionLevel::Manage));
    QVERIFY(matrix.data(user1On1, Qt::BackgroundRole).canConvert<QBrush>());
    QVERIFY(matrix.data(user1On1, Qt::ToolTipRole).toString().contains(QStringLiteral("explicit grant")));

    const QModelIndex user2On1 = matrix.indexFor(QStringLiteral("user2"), QStringLiteral("1"));
    QCOMPARE(matrix.data(user2On1).toString(), QStringLiteral("—"));
    QCOMPARE(matrix.data(user2On1, ModelRoles::PermissionLevelRole).toInt(), int(PermissionLevel::NoPermissions));
    QCOMPARE(matrix.data(user2On1, ModelRoles::ExplicitLevelRole).toInt(), -1);
    QVERIFY(matrix.data(user2On1, Qt::ToolTipRole).toString().contains(QStringLiteral("default permission")));

    for (const char* id : {"1", "2", "3"}) {
        const QModelIndex admin = matrix.indexFor(QStringLiteral("admin"), QString::fromLatin1(id));
        QCOMPARE(matrix.data(admin).toString(), QStringLiteral("MANAGE (admin)"));
    }
    QCOMPARE(matrix.headerData(0, Qt::Vertical).toString(), QStringLiteral("admin ★"));
    QCOMPARE(matrix.headerData(0, Qt::Vertical, ModelRoles::UsernameRole).toString(), QStringLiteral("admin"));
    QCOMPARE(matrix.headerData(2, Qt::Horizontal).toString(), QStringLiteral("/user2/experiment1"));
    QCOMPARE(matrix.headerData(2, Qt::Horizontal, ModelRoles::ResourceIdRole).toString(), QStringLiteral("3"));
    QVERIFY(matrix.flags(user2On1).testFlag(Qt::ItemIsEditable));

    // A known default other than NO_PERMISSIONS is shown as inherited.
    QSignalSpy changed(&matrix, &QAbstractItemModel::dataChanged);
    directory.setDefaultPermission(PermissionLevel::Read);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(matrix.data(user2On1).toString(), QStringLiteral("READ (default)"));
}

void TestItemModels::matrixEditStagesAndSignalsOneCell()
{
    Directory directory;
    fillDemoLike(directory);
    ChangeSet changes(&directory);
    AccessMatrixModel matrix(&directory, &changes);
    QAbstractItemModelTester tester(&matrix, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy changed(&matrix, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&matrix, &QAbstractItemModel::modelReset);

    const QModelIndex cell = matrix.indexFor(QStringLiteral("user2"), QStringLiteral("1"));
    QVERIFY(matrix.setData(cell, QStringLiteral("read")));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.first().at(0).toModelIndex(), cell);
    QCOMPARE(changed.first().at(1).toModelIndex(), cell);
    QCOMPARE(matrix.data(cell).toString(), QStringLiteral("READ ◆"));
    QCOMPARE(matrix.data(cell, ModelRoles::PendingRole).toBool(), true);
    QCOMPARE(matrix.data(cell, ModelRoles::PermissionLevelRole).toInt(), int(PermissionLevel::Read));
    QVERIFY(matrix.data(cell, Qt::ToolTipRole).toString().contains(QStringLiteral("Pending")));
    QCOMPARE(changes.toApiCalls().size(), 1);

    // As an int, then back to nothing (the loaded state): no calls left, the mark disappears.
    QVERIFY(matrix.setData(cell, int(PermissionLevel::Edit)));
    QCOMPARE(matrix.data(cell).toString(), QStringLiteral("EDIT ◆"));
    QVERIFY(matrix.setData(cell, QVariant()));
    QCOMPARE(matrix.data(cell).toString(), QStringLiteral("—"));
    QVERIFY(changes.isEmpty());
    QCOMPARE(changed.count(), 3);
    QVERIFY(!matrix.setData(cell, QStringLiteral("OWNER")));
    QVERIFY(!matrix.setData(cell, 17));

    // Undo emits the same single-cell change.
    changed.clear();
    changes.undoStack()->undo();
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.first().at(0).toModelIndex(), cell);
    QCOMPARE(matrix.data(cell).toString(), QStringLiteral("EDIT ◆"));

    // Revoking an explicit grant shows what remains (the default) as pending.
    const QModelIndex explicitCell = matrix.indexFor(QStringLiteral("user1"), QStringLiteral("2"));
    QVERIFY(matrix.setData(explicitCell, QStringLiteral("REVOKE")));
    QCOMPARE(matrix.data(explicitCell).toString(), QStringLiteral("— ◆"));
    QCOMPARE(matrix.data(explicitCell, ModelRoles::ErrorRole).toString(), QString());

    // A staged admin flag changes the user's whole row, staged cell or not, and undo puts it back.
    const QModelIndex otherCell = matrix.indexFor(QStringLiteral("user2"), QStringLiteral("2"));
    QCOMPARE(matrix.data(otherCell, ModelRoles::PendingRole).toBool(), false);
    changed.clear();
    QVERIFY(changes.stageSetAdmin(QStringLiteral("user2"), true));
    QVERIFY(!changed.isEmpty());
    QCOMPARE(matrix.data(otherCell, ModelRoles::PendingRole).toBool(), true);
    QCOMPARE(matrix.data(otherCell, ModelRoles::PermissionLevelRole).toInt(), int(PermissionLevel::Manage));
    QCOMPARE(matrix.data(otherCell, ModelRoles::PermissionSourceRole).toInt(), int(EffectivePermission::Source::Admin));
    QVERIFY(matrix.data(otherCell).toString().contains(QStringLiteral("◆")));
    QVERIFY(matrix.data(otherCell, Qt::ToolTipRole).toString().contains(QStringLiteral("Pending")));
    changes.undoStack()->undo();
    QCOMPARE(matrix.data(otherCell, ModelRoles::PendingRole).toBool(), false);
    QCOMPARE(matrix.data(otherCell).toString(), QStringLiteral("—"));

    // Staging never resets the model.
    QCOMPARE(reset.count(), 0);
}

void TestItemModels::matrixOrientationAndModels()
{
    Directory directory;
    fillDemoLike(directory);
    ChangeSet changes(&directory);
    AccessMatrixModel matrix(&directory, &changes);
    QAbstractItemModelTester tester(&matrix, QAbstractItemModelTester::FailureReportingMode::QtTest);

    matrix.setOrientation(AccessMatrixModel::Orientation::UsersAsColumns);
    QCOMPARE(matrix.headerData(0, Qt::Horizontal).toString(), QStringLiteral("admin ★"));
    const QModelIndex cell = matrix.indexFor(QStringLiteral("user1"), QStringLiteral("2"));
    QCOMPARE(cell.row(), 1);
    QCOMPARE(cell.column(), 1);
    QCOMPARE(matrix.userFromIndex(cell), QStringLiteral("user1"));
    QCOMPARE(matrix.resourceFromIndex(cell), QStringLiteral("2"));
    QCOMPARE(matrix.data(cell).toString(), QStringLiteral("MANAGE ●"));

    QSignalSpy changed(&matrix, &QAbstractItemModel::dataChanged);
    QVERIFY(matrix.setData(matrix.indexFor(QStringLiteral("user2"), QStringLiteral("2")), QStringLiteral("EDIT")));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.first().at(0).toModelIndex(), matrix.indexFor(QStringLiteral("user2"), QStringLiteral("2")));

    matrix.setResourceType(ResourceType::RegisteredModel);
    QCOMPARE(matrix.rowCount(), 1);
    QCOMPARE(matrix.data(matrix.indexFor(QStringLiteral("user1"), QStringLiteral("model-a"))).toString(),
             QStringLiteral("MANAGE ●"));

    mutate(directory, changes);
    matrix.setOrientation(AccessMatrixModel::Orientation::UsersAsRows);
    mutate(directory, changes);
}

void TestItemModels::matrixFilterProxy()
{
    Directory directory;
    fillDemoLike(directory);
    ChangeSet changes(&directory);
    AccessMatrixModel matrix(&directory, &changes);
    MatrixFilterProxy proxy;
    proxy.setSourceModel(&matrix);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);

    proxy.setRowFilter(QStringLiteral("USER"));
    QCOMPARE(proxy.rowCount(), 2);
    proxy.setColumnFilter(QStringLiteral("user2/"));
    QCOMPARE(proxy.columnCount(), 1);
    QCOMPARE(proxy.headerData(0, Qt::Horizontal).toString(), QStringLiteral("/user2/experiment1"));
    proxy.setColumnFilter(QStringLiteral("3")); // by id as well as by name
    QCOMPARE(proxy.columnCount(), 1);
    proxy.setColumnFilter(QString());
    proxy.setRowFilter(QString());
    QCOMPARE(proxy.rowCount(), 3);
    QCOMPARE(proxy.columnCount(), 3);

    // Edits through the proxy stage in the change set.
    proxy.setRowFilter(QStringLiteral("user2"));
    QVERIFY(proxy.setData(proxy.index(0, 0), QStringLiteral("READ")));
    QCOMPARE(changes.pendingLevel(QStringLiteral("user2"), ResourceType::Experiment, QStringLiteral("1")),
             PermissionLevel::Read);
    mutate(directory, changes);
}

// Not a benchmark (see tests/bench): a guard that the matrix stays cheap at the size the issue asks for.
void TestItemModels::matrixAtScale()
{
    const int users = 2000;
    const int experimentCount = 20000;
    const int grants = 50000;
    QList<User> userList;
    userList.reserve(users);
    for (int u = 0; u < users; ++u) {
        User user;
        user.username = QStringLiteral("user%1").arg(u);
        userList.append(user);
    }
    for (int g = 0; g < grants; ++g) {
        const int u = g / (grants / users); // 25 distinct experiments per user
        userList[u].experimentGrants.append(
            makeGrant(userList[u].username, QString::number((g * 7919) % experimentCount), PermissionLevel::Read));
    }
    QList<Experiment> experiments;
    experiments.reserve(experimentCount);
    for (int e = 0; e < experimentCount; ++e) {
        Experiment experiment;
        experiment.id = QString::number(e);
        experiment.name = QStringLiteral("/team/experiment-%1").arg(e);
        experiments.append(experiment);
    }
    Directory directory;
    QElapsedTimer timer;
    timer.start();
    directory.setContents(userList, experiments, {}, ListingSource::ServerApi);
    const qint64 fillMs = timer.restart();
    QCOMPARE(directory.totalGrantCount(), grants);

    ChangeSet changes(&directory);
    AccessMatrixModel matrix(&directory, &changes);
    QCOMPARE(matrix.rowCount(), users);
    QCOMPARE(matrix.columnCount(), experimentCount);
    // One screenful of cells, as a view paints them.
    timer.restart();
    int nonEmpty = 0;
    for (int row = 1000; row < 1040; ++row) {
        for (int column = 5000; column < 5020; ++column) {
            const QModelIndex cell = matrix.index(row, column);
            nonEmpty += matrix.data(cell, ModelRoles::PermissionSourceRole).toInt() ==
                                static_cast<int>(EffectivePermission::Source::ExplicitGrant)
                            ? 1
                            : 0;
            matrix.data(cell, Qt::BackgroundRole);
            matrix.data(cell, Qt::ToolTipRole);
        }
    }
    const qint64 paintMs = timer.elapsed();
    qInfo() << "filled" << users << "x" << experimentCount << "with" << grants << "grants in" << fillMs
            << "ms; 800 cells in" << paintMs << "ms;" << nonEmpty << "with a grant";
    QVERIFY(paintMs < 1000);

    QSignalSpy changed(&matrix, &QAbstractItemModel::dataChanged);
    QVERIFY(changes.stageGrant(QStringLiteral("user1999"), ResourceType::Experiment, QStringLiteral("19999"),
                               PermissionLevel::Manage));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.first().at(0).toModelIndex(), matrix.index(1999, 19999));
}

void TestItemModels::matrixCellFilters()
{
    Directory directory;
    fillDemoLike(directory);
    ChangeSet changes(&directory);
    AccessMatrixModel matrix(&directory, &changes);
    MatrixFilterProxy proxy;
    proxy.setSourceModel(&matrix);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    User carol; // no grant at all
    carol.username = QStringLiteral("carol");
    directory.addUser(carol);
    QCOMPARE(proxy.rowCount(), 4);

    proxy.setCellFilter(MatrixFilterProxy::CellFilter::CellsWithAccess);
    QCOMPARE(proxy.rowCount(), 3); // carol goes, the admin stays
    QCOMPARE(proxy.columnCount(), 3);
    // In users-as-columns, the same users go.
    matrix.setOrientation(AccessMatrixModel::Orientation::UsersAsColumns);
    QCOMPARE(proxy.columnCount(), 3);
    matrix.setOrientation(AccessMatrixModel::Orientation::UsersAsRows);
    // Only user2 kept by the text filter: only its experiment has access among the kept rows.
    proxy.setRowFilter(QStringLiteral("user2"));
    QCOMPARE(proxy.columnCount(), 1);
    QCOMPARE(proxy.headerData(0, Qt::Horizontal, ModelRoles::ResourceIdRole).toString(), QStringLiteral("3"));
    proxy.setRowFilter(QString());

    proxy.setCellFilter(MatrixFilterProxy::CellFilter::ExplicitGrants);
    QCOMPARE(proxy.rowCount(), 2); // user1, user2
    // A staged grant counts, after the event loop ran once.
    QVERIFY(changes.stageGrant(QStringLiteral("carol"), ResourceType::Experiment, QStringLiteral("2"),
                               PermissionLevel::Read));
    QTRY_COMPARE(proxy.rowCount(), 3);
    // A readable default gives carol access everywhere.
    changes.discard();
    proxy.setCellFilter(MatrixFilterProxy::CellFilter::CellsWithAccess);
    QTRY_COMPARE(proxy.rowCount(), 3);
    directory.setDefaultPermission(PermissionLevel::Read);
    QTRY_COMPARE(proxy.rowCount(), 4);
    // Unknown: "default (unknown)" is not access.
    directory.setDefaultPermission(std::nullopt);
    QTRY_COMPARE(proxy.rowCount(), 3);
    QCOMPARE(matrix.data(matrix.indexFor(QStringLiteral("carol"), QStringLiteral("1"))).toString(),
             QStringLiteral("default (unknown)"));
    mutate(directory, changes);
}

void TestItemModels::matrixCellFiltersAtScale()
{
    // 2,000 users x 20,000 experiments with 25 grants each on 1,000 of them: each filter must stay interactive.
    QList<User> userList;
    for (int u = 0; u < 2000; ++u) {
        User user;
        user.username = QStringLiteral("user%1").arg(u);
        user.isAdmin = u < 3;
        for (int g = 0; g < 25; ++g)
            user.experimentGrants.append(
                makeGrant(user.username, QString::number((u * 25 + g) % 1000), PermissionLevel::Read));
        userList.append(user);
    }
    QList<Experiment> experiments;
    for (int e = 0; e < 20000; ++e) {
        Experiment experiment;
        experiment.id = QString::number(e);
        experiment.name = QStringLiteral("/team/experiment-%1").arg(e);
        experiments.append(experiment);
    }
    Directory directory;
    directory.setContents(userList, experiments, {}, ListingSource::ServerApi);
    directory.setDefaultPermission(PermissionLevel::NoPermissions);
    ChangeSet changes(&directory);
    AccessMatrixModel matrix(&directory, &changes);
    MatrixFilterProxy proxy;
    proxy.setSourceModel(&matrix);
    QElapsedTimer timer;
    timer.start();
    proxy.setCellFilter(MatrixFilterProxy::CellFilter::ExplicitGrants);
    QCOMPARE(proxy.columnCount(), 1000);
    QCOMPARE(proxy.rowCount(), 2000);
    const qint64 explicitMs = timer.restart();
    proxy.setCellFilter(MatrixFilterProxy::CellFilter::CellsWithAccess);
    QCOMPARE(proxy.columnCount(), 1000); // the admins' bypass keeps none of the other 19,000
    const qint64 accessMs = timer.restart();
    directory.setDefaultPermission(PermissionLevel::Read);
    QTRY_COMPARE(proxy.columnCount(), 20000);
    const qint64 defaultMs = timer.elapsed();
    qInfo() << "cells filters at 2,000 x 20,000: explicit" << explicitMs << "ms, access" << accessMs
            << "ms, with a readable default" << defaultMs << "ms";
    QVERIFY(explicitMs < 3000 && accessMs < 3000 && defaultMs < 5000);
}

void TestItemModels::userAccessModel()
{
    Directory directory;
    fillDemoLike(directory);
    ChangeSet changes(&directory);
    UserAccessModel model(&directory, &changes);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    model.setUser(QStringLiteral("user1"));
    // Two experiments (one deleted experiment belongs to user2), then the model.
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.accessAt(0).resourceId, QStringLiteral("1"));
    QCOMPARE(model.accessAt(2).type, ResourceType::RegisteredModel);
    QCOMPARE(model.index(0, UserAccessModel::Why).data().toString(), QStringLiteral("explicit grant"));
    QCOMPARE(model.index(2, UserAccessModel::Kind).data().toString(), QStringLiteral("registered model"));
    // The permission is the one the matrix cell shows: the same EffectivePermission.
    AccessMatrixModel matrix(&directory, &changes);
    const QModelIndex cell = matrix.indexFor(QStringLiteral("user1"), QStringLiteral("1"));
    QCOMPARE(model.index(0, UserAccessModel::Permission).data(ModelRoles::PermissionLevelRole),
             cell.data(ModelRoles::PermissionLevelRole));
    const QString tooltip = model.index(0, 0).data(Qt::ToolTipRole).toString();
    QVERIFY2(tooltip.startsWith(QStringLiteral("/user1/experiment1")) &&
                 tooltip.endsWith(matrix.permissionAt(cell).reason()),
             qPrintable(tooltip));
    // A staged NO_PERMISSIONS takes the experiment away (after the event), undo brings it back.
    QVERIFY(changes.stageGrant(QStringLiteral("user1"), ResourceType::Experiment, QStringLiteral("1"),
                               PermissionLevel::NoPermissions));
    QTRY_COMPARE(model.rowCount(), 2);
    changes.undoStack()->undo();
    QTRY_COMPARE(model.rowCount(), 3);
    // An admin reaches everything.
    model.setUser(QStringLiteral("admin"));
    QCOMPARE(model.rowCount(), directory.experimentCount() + directory.registeredModelCount());
    QCOMPARE(model.index(0, UserAccessModel::Why).data().toString(), QStringLiteral("administrator"));
    mutate(directory, changes);
}

void TestItemModels::stagedNewUsersAreRows()
{
    Directory directory;
    fillDemoLike(directory);
    ChangeSet changes(&directory);
    AccessMatrixModel matrix(&directory, &changes);
    UsersModel users(&directory, &changes);
    MatrixFilterProxy proxy;
    proxy.setSourceModel(&matrix);
    QAbstractItemModelTester matrixTester(&matrix, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester usersTester(&users, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&matrix, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&matrix, &QAbstractItemModel::rowsRemoved);

    // One row per staged creation, after the Directory's users, in name order; marked in words, with a tooltip.
    QVERIFY(changes.stageCreateUser(QStringLiteral("user3"), QStringLiteral("user3-password")));
    QCOMPARE(matrix.rowCount(), 4);
    QCOMPARE(users.rowCount(), 4);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.first().at(1).toInt(), 3);
    QVERIFY(changes.stageCreateUser(QStringLiteral("alpha"), QStringLiteral("alpha-password"), true));
    QCOMPARE(inserted.last().at(1).toInt(), 3); // "alpha" sorts before "user3"
    QCOMPARE(matrix.userForSection(3), QStringLiteral("alpha"));
    QCOMPARE(matrix.userForSection(4), QStringLiteral("user3"));
    const QString header = matrix.headerData(4, Qt::Vertical).toString();
    QVERIFY2(header.contains(QStringLiteral("user3")) && header.contains(QStringLiteral("◆")), qPrintable(header));
    QVERIFY(matrix.headerData(4, Qt::Vertical, ModelRoles::PendingRole).toBool());
    QVERIFY(!matrix.headerData(1, Qt::Vertical, ModelRoles::PendingRole).toBool());
    QVERIFY(matrix.headerData(4, Qt::Vertical, Qt::ToolTipRole).toString().contains(QStringLiteral("not exist")));
    const QModelIndex userRow = users.indexFromUser(QStringLiteral("user3"));
    QCOMPARE(userRow.row(), 4);
    QCOMPARE(users.userFromIndex(userRow), QStringLiteral("user3"));
    QVERIFY(users.data(userRow.siblingAtColumn(UsersModel::Pending)).toString().contains(QStringLiteral("create")));
    QVERIFY(users.data(userRow, ModelRoles::PendingRole).toBool());
    QVERIFY(!users.data(userRow, Qt::ToolTipRole).toString().isEmpty());
    QCOMPARE(
        users.data(users.indexFromUser(QStringLiteral("alpha"), UsersModel::Admin), ModelRoles::ValueRole).toBool(),
        true);

    // Its cells are editable and show the staged grant; the filter proxy finds the row by name.
    const QModelIndex cell = matrix.indexFor(QStringLiteral("user3"), QStringLiteral("1"));
    QVERIFY(cell.isValid());
    QVERIFY(matrix.flags(cell) & Qt::ItemIsEditable);
    QVERIFY(matrix.setData(cell, QStringLiteral("READ")));
    QVERIFY(changes.isPending(QStringLiteral("user3"), ResourceType::Experiment, QStringLiteral("1")));
    QVERIFY(cell.data().toString().contains(QStringLiteral("READ")));
    QVERIFY(cell.data(ModelRoles::PendingRole).toBool());
    QVERIFY(cell.data(Qt::ToolTipRole).toString().contains(QStringLiteral("not exist")));
    proxy.setRowFilter(QStringLiteral("user3"));
    QCOMPARE(proxy.rowCount(), 1);
    proxy.setRowFilter(QString());

    // Undo runs backwards: the grant, then alpha, then user3 and its row.
    changes.undoStack()->undo();
    QVERIFY(!changes.isPending(QStringLiteral("user3"), ResourceType::Experiment, QStringLiteral("1")));
    QCOMPARE(matrix.rowCount(), 5);
    changes.undoStack()->undo();
    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed.last().at(1).toInt(), 3);
    QCOMPARE(matrix.userForSection(3), QStringLiteral("user3"));
    changes.undoStack()->undo();
    QCOMPARE(matrix.rowCount(), 3);
    QCOMPARE(users.rowCount(), 3);
    changes.undoStack()->redo();
    changes.undoStack()->redo();
    changes.undoStack()->redo();
    QCOMPARE(matrix.rowCount(), 5);
    QVERIFY(changes.isPending(QStringLiteral("user3"), ResourceType::Experiment, QStringLiteral("1")));

    // Deleting a user that only exists as staged drops the creation and its grants in one undo step.
    QVERIFY(changes.stageDeleteUser(QStringLiteral("user3")));
    QCOMPARE(matrix.rowCount(), 4);
    QVERIFY(!changes.isPending(QStringLiteral("user3"), ResourceType::Experiment, QStringLiteral("1")));
    changes.undoStack()->undo();
    QCOMPARE(matrix.rowCount(), 5);
    QVERIFY(changes.isPending(QStringLiteral("user3"), ResourceType::Experiment, QStringLiteral("1")));

    // Users as columns: the staged users are columns, the same way.
    matrix.setOrientation(AccessMatrixModel::Orientation::UsersAsColumns);
    QCOMPARE(matrix.columnCount(), 5);
    QVERIFY(matrix.headerData(4, Qt::Horizontal).toString().contains(QStringLiteral("◆")));
    QVERIFY(changes.stageCreateUser(QStringLiteral("zoe"), QStringLiteral("zoe-password")));
    QCOMPARE(matrix.columnCount(), 6);
    QVERIFY(changes.stageDeleteUser(QStringLiteral("zoe")));
    QCOMPARE(matrix.columnCount(), 5);
    matrix.setOrientation(AccessMatrixModel::Orientation::UsersAsRows);

    // As after a successful apply: the Directory gets user3, whose staged row becomes a plain one.
    User user3;
    user3.username = QStringLiteral("user3");
    directory.addUser(user3);
    QCOMPARE(matrix.rowCount(), 5);
    QCOMPARE(users.rowCount(), 5);
    QCOMPARE(matrix.userForSection(3), QStringLiteral("user3"));
    QVERIFY(!matrix.headerData(3, Qt::Vertical).toString().contains(QStringLiteral("◆")));
    QCOMPARE(matrix.userForSection(4), QStringLiteral("alpha"));

    // A reload keeps the staged rows that are still to be created; discarding removes them.
    fillDemoLike(directory);
    QCOMPARE(matrix.rowCount(), 5); // user3 is staged again (the Directory forgot it), and alpha
    changes.discard();
    QCOMPARE(matrix.rowCount(), 3);
    QCOMPARE(users.rowCount(), 3);
}

QTEST_MAIN(TestItemModels)
#include "tst_itemmodels.moc"

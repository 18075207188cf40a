#pragma once

#include "api/WireTypes.h"
#include "models/AccessSnapshot.h"
#include "models/EffectivePermission.h"

#include <QAbstractTableModel>
#include <QPointer>
#include <QVector>

#include <optional>

class ChangeSet;
class Directory;
class StagedUserRows;

// Users x experiments (or x registered models): every cell is the user's effective permission on the resource,
// as text with a mark (● explicit, ◆ staged, ◇ staged with the same level, "(admin)" / "(default)" inherited, — none),
// a background colour by level and the reason as tooltip. Editing a cell stages a change in the ChangeSet; nothing is
// sent from here. Cells are computed on demand from the Directory's hash indexes, so 2,000 x 20,000 costs nothing until
// painted. After the Directory's users come the users whose creation is staged ("◆ new" in the header): their cells can
// be edited like any other, and the apply creates the user before sending those grants.
class AccessMatrixModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum class Orientation { UsersAsRows, UsersAsColumns };
    // What the matrix's view filter (MatrixFilterProxy) keeps: every cell; cells where the user can at least read
    // (an administrator's bypass alone keeps no resource, though administrators stay); or cells with an explicit
    // row or a staged change.
    enum class CellFilter { AllCells, CellsWithAccess, ExplicitGrants };
    // Per user (by position on the user axis) and per resource (by row), whether one of their cells has something
    // to show under a CellFilter; the other axis is asked only where `considered` says so (empty: everywhere).
    struct ContentSections
    {
        QVector<bool> users;
        QVector<bool> resources;
    };

    AccessMatrixModel(Directory* directory, ChangeSet* changeSet = nullptr, QObject* parent = nullptr);

    // Experiments (default) or registered models; resets the model.
    void setResourceType(ResourceType type);
    ResourceType resourceType() const { return m_type; }
    // Which axis the users are on; resets the model.
    void setOrientation(Orientation orientation);
    Orientation orientation() const { return m_orientation; }

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    // EditRole: a PermissionLevel as int, or a level name ("READ", case-insensitive); an invalid QVariant, -1, an
    // empty string or "REVOKE" removes the explicit row. Stages the change in the ChangeSet.
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    QString userFromIndex(const QModelIndex& index) const;
    QString resourceFromIndex(const QModelIndex& index) const;
    QModelIndex indexFor(const QString& username, const QString& resourceId) const;
    // The user / resource of a header section along the respective axis (-1 section: empty).
    QString userForSection(int section) const;
    QString resourceForSection(int section) const;
    // The effective permission shown in the cell (the pending one when a change is staged).
    EffectivePermission permissionAt(const QModelIndex& index) const;

    // Compare mode: every cell also says how the loaded (applied) state differs from `baseline`, in text ("+READ",
    // "−MANAGE", "READ→EDIT", see SnapshotDiff::changeText), tint and tooltip (both reasons), and ComparisonRole.
    void setComparison(const AccessSnapshot& baseline);
    void clearComparison();
    bool isComparing() const { return m_baseline.has_value(); }
    const AccessSnapshot* comparison() const { return m_baseline ? &*m_baseline : nullptr; }

    ContentSections sectionsWithContent(CellFilter filter, const QVector<bool>& usersConsidered,
                                        const QVector<bool>& resourcesConsidered) const;

    // What staged changes do to a cell: nothing, change its level, or keep the level for another reason (a staged
    // role or admin flag that gives what the cell already has).
    enum class CellStaging { None, ChangesLevel, ChangesReasonOnly };

    // The cell's text for `permission`, e.g. "MANAGE ●", "READ (default)", "MANAGE (admin)", "—", "default
    // (unknown)" when no grant applies and the default permission is not known; a staged level adds ◆, a staged
    // reason only ◇.
    static QString cellText(const EffectivePermission& permission, CellStaging staging = CellStaging::None);

private:
    // Users along the user axis: the Directory's rows, then the staged-created ones.
    QString usernameAt(int user) const;
    int userIndexOf(const QString& username) const;
    bool isStagedUser(int user) const;
    int userAxisCount() const;
    int resourceAxisCount() const;
    int userOf(const QModelIndex& index) const;
    int resourceOf(const QModelIndex& index) const;
    void userChanged(const QString& username);
    void grantChanged(const QString& username, ResourceType type, const QString& resourceId);
    void allChanged();
    void beginInsertUser(int row);
    void endInsertUser();
    void beginRemoveUser(int row);
    void endRemoveUser();

    QPointer<Directory> m_directory;
    QPointer<ChangeSet> m_changeSet;
    StagedUserRows* m_stagedRows = nullptr;
    ResourceType m_type = ResourceType::Experiment;
    Orientation m_orientation = Orientation::UsersAsRows;
    std::optional<AccessSnapshot> m_baseline;
};

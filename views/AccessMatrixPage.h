#pragma once

#include "api/PermissionLevel.h"
#include "models/AccessSnapshot.h"

#include <QPointer>
#include <QWidget>

#include <optional>

class AccessMatrixModel;
class ChangeSet;
class ColumnWidthMemory;
class Directory;
class MatrixFilterProxy;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;
class QSplitter;
class QTimer;
class UserAccessPanel;

// Users x experiments (or registered models) as one QTableView over AccessMatrixModel: the headers stay visible
// while scrolling, rows and columns have their own filter, orientation and resource type switch in place, and a
// view filter keeps only the cells with access or only the explicit grants. A cell is edited with the permission
// combo (double-click or F2) or with keys on the selection (or on the current cell when nothing is selected): R,
// E, M, N set READ, EDIT, MANAGE, NO_PERMISSIONS, Delete revokes; a multi-cell selection becomes one undoable step.
// Beside the matrix, the current cell's user and everything they can access.
class AccessMatrixPage : public QWidget
{
    Q_OBJECT

public:
    AccessMatrixPage(Directory* directory, ChangeSet* changeSet, AccessMatrixModel* model, QWidget* parent = nullptr);

    QLineEdit* filterEdit() const { return m_rowFilterEdit; }
    QLineEdit* rowFilterEdit() const { return m_rowFilterEdit; }
    QLineEdit* columnFilterEdit() const { return m_columnFilterEdit; }
    QComboBox* orientationCombo() const { return m_orientationCombo; }
    QComboBox* defaultPermissionCombo() const { return m_defaultCombo; }
    // "Assumed default:" unless the server's configuration is known (the demo's), then "Default:".
    QLabel* defaultPermissionLabel() const { return m_defaultLabel; }
    // All cells / Only cells with access / Only explicit grants (MatrixFilterProxy::setCellFilter).
    QComboBox* cellFilterCombo() const { return m_cellFilterCombo; }
    UserAccessPanel* userPanel() const { return m_userPanel; }
    QComboBox* resourceTypeCombo() const { return m_typeCombo; }
    // "All users" or one role: only the users holding it (3.13+; hidden on servers without roles).
    QComboBox* roleFilterCombo() const { return m_roleCombo; }
    // Shows only the members of the named role; empty shows everyone. False when there is no such role.
    bool setRoleFilter(const QString& roleName);
    QTableView* view() const { return m_view; }
    MatrixFilterProxy* proxy() const { return m_proxy; }

    // The view index of the cell for `username` x `resourceId`, when both are visible.
    QModelIndex indexFor(const QString& username, const QString& resourceId) const;
    // Stages `level` (nullopt: revoke) on every selected cell as one undo step, or on the current cell when
    // nothing is selected; returns how many were staged.
    int setSelection(std::optional<PermissionLevel> level);
    // Applies the filter texts now (typing applies them after a short pause).
    void applyFilters();

    // Compare mode: the cells show how the server as loaded differs from `baseline` (AccessMatrixModel::
    // setComparison), and a bar above the matrix sums it up with a legend and a way out. `label` names the
    // snapshot (its file).
    void startComparison(const AccessSnapshot& baseline, const QString& label);
    void stopComparison();
    bool isComparing() const;
    QWidget* compareBar() const { return m_compareBar; }
    QLabel* compareSummary() const { return m_compareSummary; }
    QPushButton* leaveCompareButton() const { return m_leaveCompareButton; }
    static constexpr qint64 maximumCellsPerEdit = 10000;

signals:
    void comparisonChanged(bool comparing);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void updateDetails();
    void showDefaultPermission();
    void orientationChanged(int index);
    void typeChanged(int index);
    void updateRoleCombo();
    void applyRoleFilter();
    void applyCellFilter(int index);
    QString columnKey(int logicalIndex) const;
    void updateCompareSummary();

    QPointer<Directory> m_directory;
    QPointer<ChangeSet> m_changeSet;
    AccessMatrixModel* m_model = nullptr;
    MatrixFilterProxy* m_proxy = nullptr;
    QLineEdit* m_rowFilterEdit = nullptr;
    QLineEdit* m_columnFilterEdit = nullptr;
    QComboBox* m_orientationCombo = nullptr;
    QComboBox* m_typeCombo = nullptr;
    QComboBox* m_defaultCombo = nullptr;
    QComboBox* m_roleCombo = nullptr;
    QComboBox* m_cellFilterCombo = nullptr;
    QLabel* m_defaultLabel = nullptr;
    QWidget* m_roleRow = nullptr;
    QWidget* m_roleFilter = nullptr;
    UserAccessPanel* m_userPanel = nullptr;
    QSplitter* m_splitter = nullptr;
    ColumnWidthMemory* m_widthMemory = nullptr;
    QTableView* m_view = nullptr;
    QLabel* m_details = nullptr;
    QTimer* m_filterTimer = nullptr;
    QWidget* m_compareBar = nullptr;
    QLabel* m_compareSummary = nullptr;
    QPushButton* m_leaveCompareButton = nullptr;
    QTimer* m_compareTimer = nullptr;
    QString m_compareLabel;
};

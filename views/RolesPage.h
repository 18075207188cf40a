#pragma once

#include "models/RoleRows.h"

#include <QDialog>
#include <QPointer>
#include <QWidget>

class ChangeSet;
class Directory;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;
class RolePermissionDialog;
class TrackingApi;

// The Roles page (MLflow 3.13+): the named roles of the server with their workspace, description, number of
// permissions and members; for the selected role its permissions (resources by name) and members. Every action
// (create, rename, describe, delete; add, change, remove a permission; assign, unassign) is staged in the
// ChangeSet like a matrix edit, shown in Review & apply and undoable. Hidden per-user roles are not listed: they are
// the users' direct grants, edited in the matrix.
class RolesPage : public QWidget
{
    Q_OBJECT

public:
    enum RoleColumn { NameColumn, WorkspaceColumn, DescriptionColumn, PermissionsColumn, MembersColumn };

    RolesPage(Directory* directory, ChangeSet* changeSet, TrackingApi* tracking, QWidget* parent = nullptr);

    QLineEdit* filterEdit() const { return m_filterEdit; }
    QTreeWidget* rolesView() const { return m_roles; }
    QTreeWidget* permissionsView() const { return m_permissions; }
    QTreeWidget* membersView() const { return m_members; }
    // The workspace new roles are created in (the console's current one).
    void setWorkspace(const QString& workspace) { m_workspace = workspace; }

    // The selected role; nullopt when none is.
    std::optional<RoleRow> currentRole() const;
    bool selectRole(const QString& name);

    // Each opens its dialog with open() (never blocking) and stages on OK.
    void newRole();
    void renameRole();
    void describeRole();
    void deleteRole();
    void addPermission();
    void changePermission();
    void removePermission();
    void assignUser();
    void unassignUser();

    // The dialog opened by one of the actions while it is open, for tests.
    QDialog* openDialog() const { return m_dialog; }

private:
    void rebuild();
    void showDetails();
    void updateActions();
    std::optional<RolePermissionRow> currentPermission() const;
    std::optional<RoleMemberRow> currentMember() const;
    void openPermissionDialog(RolePermissionDialog* dialog, const RoleRef& role);

    QPointer<Directory> m_directory;
    QPointer<ChangeSet> m_changeSet;
    QPointer<TrackingApi> m_tracking;
    QString m_workspace;
    QList<RoleRow> m_rows;
    QLineEdit* m_filterEdit = nullptr;
    QLabel* m_note = nullptr;
    QTreeWidget* m_roles = nullptr;
    QTreeWidget* m_permissions = nullptr;
    QTreeWidget* m_members = nullptr;
    QLabel* m_detailTitle = nullptr;
    QPushButton* m_newButton = nullptr;
    QPushButton* m_renameButton = nullptr;
    QPushButton* m_describeButton = nullptr;
    QPushButton* m_deleteButton = nullptr;
    QPushButton* m_addPermissionButton = nullptr;
    QPushButton* m_changePermissionButton = nullptr;
    QPushButton* m_removePermissionButton = nullptr;
    QPushButton* m_assignButton = nullptr;
    QPushButton* m_unassignButton = nullptr;
    QPointer<QDialog> m_dialog;
    bool m_rebuilding = false;
};

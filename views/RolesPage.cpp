#include "views/RolesPage.h"

#include "api/TrackingApi.h"
#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "views/MessageBox.h"
#include "views/RolePermissionDialog.h"

#include <QColor>
#include <QFont>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace {

const QString pendingMark = QStringLiteral(" ◆");

QTreeWidget* makeTree(const QString& name, const QString& accessibleName, const QStringList& headers, QWidget* parent)
{
    auto* tree = new QTreeWidget(parent);
    tree->setObjectName(name);
    tree->setAccessibleName(accessibleName);
    tree->setHeaderLabels(headers);
    tree->setRootIsDecorated(false);
    tree->setUniformRowHeights(true);
    tree->setAlternatingRowColors(true);
    tree->setSelectionMode(QAbstractItemView::SingleSelection);
    tree->setAllColumnsShowFocus(true);
    return tree;
}

void markPending(QTreeWidgetItem* item, bool pending, bool removed, const QString& error)
{
    QFont font = item->font(0);
    font.setItalic(pending);
    font.setStrikeOut(removed);
    for (int column = 0; column < item->columnCount(); ++column)
        item->setFont(column, font);
    if (pending)
        item->setText(0, item->text(0) + pendingMark);
    if (!error.isEmpty()) {
        for (int column = 0; column < item->columnCount(); ++column)
            item->setToolTip(column, QObject::tr("Last attempt failed: %1").arg(error));
        item->setForeground(0, QColor(0xb0, 0x20, 0x20));
    }
}

} // namespace

RolesPage::RolesPage(Directory* directory, ChangeSet* changeSet, TrackingApi* tracking, QWidget* parent)
    : QWidget(parent), m_directory(directory), m_changeSet(changeSet), m_tracking(tracking)
{
    setObjectName(QStringLiteral("RolesPage"));

    m_filterEdit = new QLineEdit(this);
    m_filterEdit->setObjectName(QStringLiteral("roleFilterEdit"));
    m_filterEdit->setClearButtonEnabled(true);
    m_filterEdit->setPlaceholderText(tr("Filter roles by name…"));
    m_filterEdit->setAccessibleName(tr("Role filter"));
    connect(m_filterEdit, &QLineEdit::textChanged, this, &RolesPage::rebuild);

    const auto button = [this](const QString& name, const QString& text, void (RolesPage::*slot)()) {
        auto* b = new QPushButton(text, this);
        b->setObjectName(name);
        connect(b, &QPushButton::clicked, this, slot);
        return b;
    };
    m_newButton = button(QStringLiteral("newRoleButton"), tr("&New role…"), &RolesPage::newRole);
    m_renameButton = button(QStringLiteral("renameRoleButton"), tr("&Rename…"), &RolesPage::renameRole);
    m_describeButton = button(QStringLiteral("describeRoleButton"), tr("Des&cribe…"), &RolesPage::describeRole);
    m_deleteButton = button(QStringLiteral("deleteRoleButton"), tr("&Delete"), &RolesPage::deleteRole);
    m_addPermissionButton =
        button(QStringLiteral("addPermissionButton"), tr("Add &permission…"), &RolesPage::addPermission);
    m_changePermissionButton =
        button(QStringLiteral("changePermissionButton"), tr("Chan&ge level…"), &RolesPage::changePermission);
    m_removePermissionButton =
        button(QStringLiteral("removePermissionButton"), tr("Re&move"), &RolesPage::removePermission);
    m_assignButton = button(QStringLiteral("assignUserButton"), tr("Ass&ign user…"), &RolesPage::assignUser);
    m_unassignButton = button(QStringLiteral("unassignUserButton"), tr("&Unassign"), &RolesPage::unassignUser);

    auto* top = new QHBoxLayout;
    top->addWidget(m_filterEdit, 1);
    top->addWidget(m_newButton);
    top->addWidget(m_renameButton);
    top->addWidget(m_describeButton);
    top->addWidget(m_deleteButton);

    m_note = new QLabel(tr("Each user's direct grants live in a hidden role of MLflow's; they are not listed here "
                           "but in the access matrix."),
                        this);
    m_note->setWordWrap(true);

    m_roles = makeTree(QStringLiteral("rolesView"), tr("Roles"),
                       {tr("Role"), tr("Workspace"), tr("Description"), tr("Permissions"), tr("Members")}, this);
    // The description takes what is left, so a narrow window needs no horizontal scrolling.
    m_roles->header()->setStretchLastSection(false);
    m_roles->header()->setSectionResizeMode(DescriptionColumn, QHeaderView::Stretch);
    m_roles->setColumnWidth(NameColumn, 160);
    m_roles->setColumnWidth(WorkspaceColumn, 90);
    m_roles->setColumnWidth(PermissionsColumn, 90);
    m_roles->setColumnWidth(MembersColumn, 180);
    connect(m_roles, &QTreeWidget::currentItemChanged, this, &RolesPage::showDetails);

    m_permissions = makeTree(QStringLiteral("rolePermissionsView"), tr("Permissions of the role"),
                             {tr("Resource"), tr("Level")}, this);
    m_permissions->header()->setStretchLastSection(false);
    m_permissions->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_permissions->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    connect(m_permissions, &QTreeWidget::currentItemChanged, this, &RolesPage::updateActions);
    connect(m_permissions, &QTreeWidget::itemActivated, this, &RolesPage::changePermission);
    m_members = makeTree(QStringLiteral("roleMembersView"), tr("Members of the role"), {tr("User")}, this);
    connect(m_members, &QTreeWidget::currentItemChanged, this, &RolesPage::updateActions);

    auto* permissionsBox = new QGroupBox(tr("Permissions"), this);
    auto* permissionButtons = new QHBoxLayout;
    permissionButtons->addWidget(m_addPermissionButton);
    permissionButtons->addWidget(m_changePermissionButton);
    permissionButtons->addWidget(m_removePermissionButton);
    permissionButtons->addStretch(1);
    auto* permissionsLayout = new QVBoxLayout(permissionsBox);
    permissionsLayout->addWidget(m_permissions, 1);
    permissionsLayout->addLayout(permissionButtons);

    auto* membersBox = new QGroupBox(tr("Members"), this);
    auto* memberButtons = new QHBoxLayout;
    memberButtons->addWidget(m_assignButton);
    memberButtons->addWidget(m_unassignButton);
    memberButtons->addStretch(1);
    auto* membersLayout = new QVBoxLayout(membersBox);
    membersLayout->addWidget(m_members, 1);
    membersLayout->addLayout(memberButtons);

    m_detailTitle = new QLabel(this);
    m_detailTitle->setObjectName(QStringLiteral("roleDetailTitle"));
    m_detailTitle->setWordWrap(true);
    auto* details = new QWidget(this);
    auto* detailBoxes = new QHBoxLayout;
    detailBoxes->addWidget(permissionsBox, 3);
    detailBoxes->addWidget(membersBox, 2);
    auto* detailLayout = new QVBoxLayout(details);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    detailLayout->addWidget(m_detailTitle);
    detailLayout->addLayout(detailBoxes, 1);

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("rolesSplitter"));
    splitter->addWidget(m_roles);
    splitter->addWidget(details);
    // Roles are few; their permissions and members are what the admin reads.
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    splitter->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_note);
    layout->addWidget(splitter, 1);

    setTabOrder(m_filterEdit, m_newButton);
    setTabOrder(m_newButton, m_renameButton);
    setTabOrder(m_renameButton, m_describeButton);
    setTabOrder(m_describeButton, m_deleteButton);
    setTabOrder(m_deleteButton, m_roles);
    setTabOrder(m_roles, m_permissions);
    setTabOrder(m_permissions, m_addPermissionButton);
    setTabOrder(m_addPermissionButton, m_changePermissionButton);
    setTabOrder(m_changePermissionButton, m_removePermissionButton);
    setTabOrder(m_removePermissionButton, m_members);
    setTabOrder(m_members, m_assignButton);
    setTabOrder(m_assignButton, m_unassignButton);

    if (m_directory) {
        connect(m_directory, &Directory::reset, this, &RolesPage::rebuild);
        connect(m_directory, &Directory::rolesChanged, this, &RolesPage::rebuild);
        connect(m_directory, &Directory::usersChanged, this, &RolesPage::rebuild);
    }
    if (m_changeSet)
        connect(m_changeSet, &ChangeSet::changed, this, &RolesPage::rebuild);
    rebuild();
}

void RolesPage::rebuild()
{
    if (!m_changeSet || m_rebuilding)
        return;
    m_rebuilding = true;
    const std::optional<RoleRow> selected = currentRole();
    m_rows = RoleRows::build(*m_changeSet);
    m_roles->clear();
    QTreeWidgetItem* reselect = nullptr;
    const QString filter = m_filterEdit->text();
    for (int i = 0; i < m_rows.size(); ++i) {
        const RoleRow& row = m_rows.at(i);
        if (!filter.isEmpty() && !row.name.contains(filter, Qt::CaseInsensitive))
            continue;
        auto* item = new QTreeWidgetItem(m_roles, {row.name, row.workspace, row.description,
                                                   QString::number(row.permissionCount()),
                                                   row.memberNames().join(QLatin1String(", "))});
        item->setData(0, Qt::UserRole, i);
        item->setTextAlignment(PermissionsColumn, Qt::AlignRight | Qt::AlignVCenter);
        markPending(item, row.isPending(), row.pendingDelete, row.error);
        if (row.pendingCreate)
            item->setToolTip(NameColumn, tr("Created when the staged changes are applied."));
        else if (row.pendingDelete)
            item->setToolTip(NameColumn, tr("Deleted when the staged changes are applied."));
        if (selected &&
            (row.ref == selected->ref || (row.name == selected->name && row.workspace == selected->workspace)))
            reselect = item;
    }
    if (!reselect && m_roles->topLevelItemCount() > 0)
        reselect = m_roles->topLevelItem(0);
    m_roles->setCurrentItem(reselect);
    m_rebuilding = false;
    showDetails();
}

std::optional<RoleRow> RolesPage::currentRole() const
{
    const QTreeWidgetItem* item = m_roles ? m_roles->currentItem() : nullptr;
    if (!item)
        return std::nullopt;
    const int index = item->data(0, Qt::UserRole).toInt();
    if (index < 0 || index >= m_rows.size())
        return std::nullopt;
    return m_rows.at(index);
}

bool RolesPage::selectRole(const QString& name)
{
    for (int i = 0; i < m_roles->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = m_roles->topLevelItem(i);
        const int index = item->data(0, Qt::UserRole).toInt();
        if (m_rows.value(index).name == name) {
            m_roles->setCurrentItem(item);
            return true;
        }
    }
    return false;
}

void RolesPage::showDetails()
{
    if (m_rebuilding)
        return;
    const std::optional<RoleRow> role = currentRole();
    const QString selectedPermission = currentPermission() ? currentPermission()->key.pattern : QString();
    const QString selectedMember = currentMember() ? currentMember()->username : QString();
    m_permissions->clear();
    m_members->clear();
    if (!role) {
        m_detailTitle->setText(m_rows.isEmpty() ? tr("No roles yet. Create one with New role.")
                                                : tr("Select a role to see its permissions and members."));
        updateActions();
        return;
    }
    m_detailTitle->setText(
        role->description.isEmpty()
            ? tr("<b>%1</b> in workspace %2").arg(role->name.toHtmlEscaped(), role->workspace)
            : tr("<b>%1</b> in workspace %2: %3")
                  .arg(role->name.toHtmlEscaped(), role->workspace, role->description.toHtmlEscaped()));
    for (int i = 0; i < role->permissions.size(); ++i) {
        const RolePermissionRow& permission = role->permissions.at(i);
        const QString level = permission.level ? Permissions::name(*permission.level)
                                               : tr("removed (was %1)").arg(Permissions::name(*permission.loadedLevel));
        const QString resource = m_changeSet->resourceText(permission.key.resourceType, permission.key.pattern);
        auto* item = new QTreeWidgetItem(m_permissions, {resource, level});
        item->setData(0, Qt::UserRole, i);
        markPending(item, permission.isPending(), !permission.level, permission.error);
        if (permission.key.pattern == selectedPermission)
            m_permissions->setCurrentItem(item);
    }
    for (int i = 0; i < role->members.size(); ++i) {
        const RoleMemberRow& member = role->members.at(i);
        auto* item = new QTreeWidgetItem(m_members, {member.username});
        item->setData(0, Qt::UserRole, i);
        markPending(item, member.isPending(), !member.assigned, member.error);
        if (member.username == selectedMember)
            m_members->setCurrentItem(item);
    }
    updateActions();
}

std::optional<RolePermissionRow> RolesPage::currentPermission() const
{
    const std::optional<RoleRow> role = currentRole();
    const QTreeWidgetItem* item = m_permissions->currentItem();
    if (!role || !item)
        return std::nullopt;
    const int index = item->data(0, Qt::UserRole).toInt();
    if (index < 0 || index >= role->permissions.size())
        return std::nullopt;
    return role->permissions.at(index);
}

std::optional<RoleMemberRow> RolesPage::currentMember() const
{
    const std::optional<RoleRow> role = currentRole();
    const QTreeWidgetItem* item = m_members->currentItem();
    if (!role || !item)
        return std::nullopt;
    const int index = item->data(0, Qt::UserRole).toInt();
    if (index < 0 || index >= role->members.size())
        return std::nullopt;
    return role->members.at(index);
}

void RolesPage::updateActions()
{
    const std::optional<RoleRow> role = currentRole();
    const bool usable = role && !role->pendingDelete;
    const bool applying = m_changeSet && m_changeSet->isApplying();
    m_newButton->setEnabled(!applying);
    m_renameButton->setEnabled(usable && !role->pendingCreate && !applying);
    m_renameButton->setToolTip(role && role->pendingCreate
                                   ? tr("A role is renamed once it exists: apply its creation first, or delete it "
                                        "and create it under the new name.")
                                   : QString());
    m_describeButton->setEnabled(usable && !applying);
    m_deleteButton->setEnabled(usable && !applying);
    m_addPermissionButton->setEnabled(usable && !applying);
    const std::optional<RolePermissionRow> permission = currentPermission();
    m_changePermissionButton->setEnabled(usable && permission && !applying);
    m_removePermissionButton->setEnabled(usable && permission && permission->level && !applying);
    m_assignButton->setEnabled(usable && !applying);
    const std::optional<RoleMemberRow> member = currentMember();
    m_unassignButton->setEnabled(usable && member && member->assigned && !applying);
}

void RolesPage::newRole()
{
    auto* dialog = new QInputDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(QStringLiteral("newRoleDialog"));
    dialog->setWindowTitle(tr("New role"));
    dialog->setLabelText(tr("Name of the new role in workspace %1:")
                             .arg(m_workspace.isEmpty() ? QStringLiteral("default") : m_workspace));
    connect(dialog, &QInputDialog::textValueSelected, this, [this](const QString& name) {
        if (!m_changeSet->stageCreateRole(name, m_workspace))
            MessageBox::warning(this, tr("New role"),
                                tr("The role \"%1\" cannot be created: the name is empty, reserved (__user_…) or "
                                   "already used in this workspace. Choose another name.")
                                    .arg(name));
        else
            selectRole(name.trimmed());
    });
    m_dialog = dialog;
    dialog->open();
}

void RolesPage::renameRole()
{
    const std::optional<RoleRow> role = currentRole();
    if (!role)
        return;
    auto* dialog = new QInputDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(QStringLiteral("renameRoleDialog"));
    dialog->setWindowTitle(tr("Rename role"));
    dialog->setLabelText(tr("New name of role %1:").arg(role->name));
    dialog->setTextValue(role->name);
    const RoleRef ref = role->ref;
    connect(dialog, &QInputDialog::textValueSelected, this, [this, ref](const QString& name) {
        if (!m_changeSet->stageRenameRole(ref, name))
            MessageBox::warning(this, tr("Rename role"),
                                tr("The role cannot be renamed to \"%1\": the name is empty or reserved "
                                   "(__user_…). Choose another name.")
                                    .arg(name));
    });
    m_dialog = dialog;
    dialog->open();
}

void RolesPage::describeRole()
{
    const std::optional<RoleRow> role = currentRole();
    if (!role)
        return;
    auto* dialog = new QInputDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(QStringLiteral("describeRoleDialog"));
    dialog->setWindowTitle(tr("Describe role"));
    dialog->setLabelText(tr("Description of role %1:").arg(role->name));
    dialog->setTextValue(role->description);
    const RoleRef ref = role->ref;
    connect(dialog, &QInputDialog::textValueSelected, this,
            [this, ref](const QString& text) { m_changeSet->stageDescribeRole(ref, text); });
    m_dialog = dialog;
    dialog->open();
}

void RolesPage::deleteRole()
{
    const std::optional<RoleRow> role = currentRole();
    if (!role)
        return;
    m_changeSet->stageDeleteRole(role->ref);
}

void RolesPage::openPermissionDialog(RolePermissionDialog* dialog, const RoleRef& role)
{
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, role] {
        if (dialog->pattern().isEmpty())
            return;
        if (!m_changeSet->stageRolePermission(role, dialog->resourceType(), dialog->pattern(), dialog->level()))
            MessageBox::warning(this, tr("Role permission"),
                                tr("The permission could not be staged: the role is staged for deletion or changes "
                                   "are being applied. Try again once the apply has finished."));
    });
    m_dialog = dialog;
    dialog->open();
}

void RolesPage::addPermission()
{
    const std::optional<RoleRow> role = currentRole();
    if (!role)
        return;
    openPermissionDialog(new RolePermissionDialog(m_directory, m_tracking, role->name, this), role->ref);
}

void RolesPage::changePermission()
{
    const std::optional<RoleRow> role = currentRole();
    const std::optional<RolePermissionRow> permission = currentPermission();
    if (!role || !permission)
        return;
    auto* dialog = new RolePermissionDialog(m_directory, m_tracking, role->name, this);
    dialog->setFixedResource(permission->key.resourceType, permission->key.pattern,
                             m_changeSet->resourceText(permission->key.resourceType, permission->key.pattern),
                             permission->level.value_or(permission->loadedLevel.value_or(PermissionLevel::Read)));
    openPermissionDialog(dialog, permission->key.role);
}

void RolesPage::removePermission()
{
    const std::optional<RolePermissionRow> permission = currentPermission();
    if (!permission)
        return;
    m_changeSet->stageRolePermission(permission->key.role, permission->key.resourceType, permission->key.pattern,
                                     std::nullopt);
}

void RolesPage::assignUser()
{
    const std::optional<RoleRow> role = currentRole();
    if (!role || !m_directory)
        return;
    QStringList candidates;
    const QStringList members = role->memberNames();
    for (int row = 0; row < m_directory->userCount(); ++row) {
        const QString& name = m_directory->userAt(row).username;
        if (!members.contains(name))
            candidates.append(name);
    }
    if (candidates.isEmpty()) {
        MessageBox::warning(
            this, tr("Assign user"),
            tr("Every user already holds role %1. Create a user on the Users page first.").arg(role->name));
        return;
    }
    auto* dialog = new QInputDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(QStringLiteral("assignUserDialog"));
    dialog->setWindowTitle(tr("Assign role %1").arg(role->name));
    dialog->setLabelText(tr("User to hold role %1:").arg(role->name));
    dialog->setComboBoxItems(candidates);
    dialog->setComboBoxEditable(true);
    const RoleRef ref = role->ref;
    connect(dialog, &QInputDialog::textValueSelected, this, [this, ref](const QString& username) {
        if (!m_changeSet->stageRoleMember(ref, username, true))
            MessageBox::warning(this, tr("Assign user"),
                                tr("%1 is not a user of this server; pick one from the list.").arg(username));
    });
    m_dialog = dialog;
    dialog->open();
}

void RolesPage::unassignUser()
{
    const std::optional<RoleRow> role = currentRole();
    const std::optional<RoleMemberRow> member = currentMember();
    if (!role || !member)
        return;
    m_changeSet->stageRoleMember(role->ref, member->username, false);
}

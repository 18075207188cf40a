#include "models/UsersModel.h"

#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "models/ModelRoles.h"
#include "models/StagedUserRows.h"

UsersModel::UsersModel(Directory* directory, ChangeSet* changeSet, QObject* parent)
    : QAbstractTableModel(parent), m_directory(directory), m_changeSet(changeSet)
{
    // Created first, so that on a staging change its rows are in place before the slots below look them up.
    m_stagedRows = new StagedUserRows(changeSet, this);
    const auto stagedRow = [this](int index) {
        return m_directory->userCount() + index;
    };
    connect(m_stagedRows, &StagedUserRows::aboutToInsert, this,
            [this, stagedRow](int index) { beginInsertRows({}, stagedRow(index), stagedRow(index)); });
    connect(m_stagedRows, &StagedUserRows::inserted, this, &UsersModel::endInsertRows);
    connect(m_stagedRows, &StagedUserRows::aboutToRemove, this,
            [this, stagedRow](int index) { beginRemoveRows({}, stagedRow(index), stagedRow(index)); });
    connect(m_stagedRows, &StagedUserRows::removed, this, &UsersModel::endRemoveRows);

    connect(directory, &Directory::aboutToReset, this, &UsersModel::beginResetModel);
    connect(directory, &Directory::reset, this, [this] {
        m_stagedRows->reload();
        endResetModel();
    });
    connect(directory, &Directory::userAboutToBeAdded, this, [this](int row) { beginInsertRows({}, row, row); });
    connect(directory, &Directory::userAdded, this, [this] {
        endInsertRows();
        m_stagedRows->sync(); // a created user leaves the staged rows
    });
    connect(directory, &Directory::userAboutToBeRemoved, this, [this](int row) { beginRemoveRows({}, row, row); });
    connect(directory, &Directory::userRemoved, this, [this] {
        endRemoveRows();
        m_stagedRows->sync();
    });
    connect(directory, &Directory::userChanged, this, &UsersModel::userRowChanged);
    connect(directory, &Directory::rolesChanged, this, &UsersModel::rolesChanged);
    if (changeSet)
        connect(changeSet, &ChangeSet::roleStagingChanged, this, &UsersModel::rolesChanged);
    if (changeSet) {
        connect(changeSet, &ChangeSet::userStagingChanged, this, [this](const QString& username) {
            const int row = rowOf(username);
            if (isStagedRow(row)) {
                emit dataChanged(index(row, 0), index(row, ColumnCount - 1)); // a staged admin flag shows too
                return;
            }
            const QModelIndex cell = indexFromUser(username, Pending);
            if (cell.isValid())
                emit dataChanged(cell, cell);
        });
    }
}

int UsersModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_directory ? 0 : m_directory->userCount() + m_stagedRows->count();
}

int UsersModel::rowOf(const QString& username) const
{
    const int row = m_directory ? m_directory->userRow(username) : -1;
    if (row >= 0 || !m_directory)
        return row;
    const int staged = m_stagedRows->indexOf(username);
    return staged < 0 ? -1 : m_directory->userCount() + staged;
}

QString UsersModel::usernameAt(int row) const
{
    return isStagedRow(row) ? m_stagedRows->at(row - m_directory->userCount()) : m_directory->userAt(row).username;
}

bool UsersModel::isAdminAt(int row) const
{
    if (!isStagedRow(row))
        return m_directory->userAt(row).isAdmin;
    const StagedUser* staged = m_changeSet ? m_changeSet->stagedUser(usernameAt(row)) : nullptr;
    return staged && staged->admin.value_or(false);
}

bool UsersModel::isStagedRow(int row) const
{
    return m_directory && row >= m_directory->userCount();
}

int UsersModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant UsersModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_directory)
        return {};
    const QString username = usernameAt(index.row());
    const bool stagedRow = isStagedRow(index.row());
    if (role == ModelRoles::UsernameRole)
        return username;
    if (role == ModelRoles::PendingRole)
        return m_changeSet && m_changeSet->hasPendingUserChange(username);
    if (role == ModelRoles::ErrorRole) {
        const StagedUser* staged = m_changeSet ? m_changeSet->stagedUser(username) : nullptr;
        return staged && staged->error.isError() ? staged->error.userMessage() : QString();
    }
    const bool display = role == Qt::DisplayRole;
    const bool value = role == ModelRoles::ValueRole;
    if (stagedRow && role == Qt::ToolTipRole && index.column() != Pending)
        return StagedUserRows::explanation(username);
    switch (index.column()) {
    case Username:
        if (display || value)
            return username;
        break;
    case Admin: {
        const bool admin = isAdminAt(index.row());
        if (value)
            return admin;
        if (display)
            return admin ? tr("★ admin") : QString();
        if (role == Qt::ToolTipRole && admin)
            return tr("Administrators bypass every permission check.");
        break;
    }
    case ExperimentGrants:
    case ModelGrants:
        if (display || value) {
            const ResourceType type =
                index.column() == ExperimentGrants ? ResourceType::Experiment : ResourceType::RegisteredModel;
            return m_directory->grantCount(username, type);
        }
        if (role == Qt::TextAlignmentRole)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        break;
    case Roles:
        if (display || value || role == Qt::ToolTipRole) {
            bool pending = false;
            const QStringList names = roleNames(username, &pending);
            if (role == Qt::ToolTipRole)
                return pending ? tr("Role assignments are staged; they apply with Review & apply.") : QVariant();
            return names.join(QLatin1String(", ")) + (pending ? QStringLiteral(" ◆") : QString());
        }
        break;
    case Pending:
        if (display || value)
            return pendingText(username);
        if (role == Qt::ToolTipRole) {
            const StagedUser* staged = m_changeSet ? m_changeSet->stagedUser(username) : nullptr;
            if (staged && staged->error.isError())
                return staged->error.userMessage();
            if (staged && staged->needsPassword())
                return tr("The password of this staged change was not saved; enter it again before applying.");
            if (stagedRow)
                return StagedUserRows::explanation(username);
        }
        break;
    default:
        break;
    }
    return {};
}

QString UsersModel::pendingText(const QString& username) const
{
    const StagedUser* staged = m_changeSet ? m_changeSet->stagedUser(username) : nullptr;
    if (!staged)
        return {};
    QStringList parts;
    if (staged->create)
        parts.append(tr("create"));
    if (staged->remove)
        parts.append(tr("delete"));
    if (staged->admin)
        parts.append(*staged->admin ? tr("make admin") : tr("remove admin"));
    if (staged->resetPassword)
        parts.append(tr("reset password"));
    if (staged->needsPassword())
        parts.append(tr("needs password"));
    QString text = QStringLiteral("◆ ") + parts.join(QLatin1String(", "));
    if (staged->error.isError())
        text += QStringLiteral(" ⚠");
    return text;
}

QVariant UsersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Username:
        return tr("User");
    case Admin:
        return tr("Admin");
    case ExperimentGrants:
        return tr("Experiment grants");
    case ModelGrants:
        return tr("Model grants");
    case Roles:
        return tr("Roles");
    case Pending:
        return tr("Pending");
    default:
        return {};
    }
}

QStringList UsersModel::roleNames(const QString& username, bool* pending) const
{
    QStringList names;
    for (const int row : m_directory->roleRowsOf(username))
        names.append(m_directory->roleAt(row).role.name);
    if (!m_changeSet)
        return names;
    // Staged assignments are few; a walk over them per cell costs nothing next to painting.
    for (const StagedRoleMember& member : m_changeSet->stagedRoleMembers()) {
        if (member.key.username != username)
            continue;
        const int row = m_changeSet->directoryRoleRow(member.key.role);
        const QString name = row >= 0 ? m_directory->roleAt(row).role.name : member.key.role.name;
        if (member.assign && !names.contains(name))
            names.append(name);
        else if (!member.assign)
            names.removeAll(name);
        *pending = true;
    }
    return names;
}

void UsersModel::rolesChanged()
{
    if (rowCount() > 0)
        emit dataChanged(index(0, Roles), index(rowCount() - 1, Roles));
}

QString UsersModel::userFromIndex(const QModelIndex& index) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_directory)
        return {};
    return usernameAt(index.row());
}

QModelIndex UsersModel::indexFromUser(const QString& username, int column) const
{
    const int row = rowOf(username);
    return row < 0 ? QModelIndex() : index(row, column);
}

void UsersModel::userRowChanged(const QString& username)
{
    const int row = rowOf(username);
    if (row >= 0)
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

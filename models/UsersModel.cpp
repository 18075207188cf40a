#include "models/UsersModel.h"

#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "models/ModelRoles.h"

UsersModel::UsersModel(Directory* directory, ChangeSet* changeSet, QObject* parent)
    : QAbstractTableModel(parent), m_directory(directory), m_changeSet(changeSet)
{
    connect(directory, &Directory::aboutToReset, this, &UsersModel::beginResetModel);
    connect(directory, &Directory::reset, this, &UsersModel::endResetModel);
    connect(directory, &Directory::userAboutToBeAdded, this, [this](int row) { beginInsertRows({}, row, row); });
    connect(directory, &Directory::userAdded, this, &UsersModel::endInsertRows);
    connect(directory, &Directory::userAboutToBeRemoved, this, [this](int row) { beginRemoveRows({}, row, row); });
    connect(directory, &Directory::userRemoved, this, &UsersModel::endRemoveRows);
    connect(directory, &Directory::userChanged, this, &UsersModel::userRowChanged);
    if (changeSet) {
        connect(changeSet, &ChangeSet::userStagingChanged, this, [this](const QString& username) {
            const QModelIndex cell = indexFromUser(username, Pending);
            if (cell.isValid())
                emit dataChanged(cell, cell);
        });
    }
}

int UsersModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_directory ? 0 : m_directory->userCount();
}

int UsersModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant UsersModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_directory)
        return {};
    const User& user = m_directory->userAt(index.row());
    if (role == ModelRoles::UsernameRole)
        return user.username;
    if (role == ModelRoles::PendingRole)
        return m_changeSet && m_changeSet->hasPendingUserChange(user.username);
    if (role == ModelRoles::ErrorRole) {
        const StagedUser* staged = m_changeSet ? m_changeSet->stagedUser(user.username) : nullptr;
        return staged && staged->error.isError() ? staged->error.userMessage() : QString();
    }
    const bool display = role == Qt::DisplayRole;
    const bool value = role == ModelRoles::ValueRole;
    switch (index.column()) {
    case Username:
        if (display || value)
            return user.username;
        break;
    case Admin:
        if (value)
            return user.isAdmin;
        if (display)
            return user.isAdmin ? tr("★ admin") : QString();
        if (role == Qt::ToolTipRole && user.isAdmin)
            return tr("Administrators bypass every permission check.");
        break;
    case ExperimentGrants:
    case ModelGrants:
        if (display || value) {
            const ResourceType type =
                index.column() == ExperimentGrants ? ResourceType::Experiment : ResourceType::RegisteredModel;
            return m_directory->grantCount(user.username, type);
        }
        if (role == Qt::TextAlignmentRole)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        break;
    case Pending:
        if (display || value)
            return pendingText(user.username);
        if (role == Qt::ToolTipRole) {
            const StagedUser* staged = m_changeSet ? m_changeSet->stagedUser(user.username) : nullptr;
            if (staged && staged->error.isError())
                return staged->error.userMessage();
            if (staged && staged->needsPassword())
                return tr("The password of this staged change was not saved; enter it again before applying.");
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
    case Pending:
        return tr("Pending");
    default:
        return {};
    }
}

QString UsersModel::userFromIndex(const QModelIndex& index) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_directory)
        return {};
    return m_directory->userAt(index.row()).username;
}

QModelIndex UsersModel::indexFromUser(const QString& username, int column) const
{
    const int row = m_directory ? m_directory->userRow(username) : -1;
    return row < 0 ? QModelIndex() : index(row, column);
}

void UsersModel::userRowChanged(const QString& username)
{
    const int row = m_directory->userRow(username);
    if (row >= 0)
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

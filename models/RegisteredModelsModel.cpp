#include "models/RegisteredModelsModel.h"

#include "models/Directory.h"
#include "models/ExperimentsModel.h"
#include "models/ModelRoles.h"

RegisteredModelsModel::RegisteredModelsModel(Directory* directory, QObject* parent)
    : QAbstractTableModel(parent), m_directory(directory)
{
    connect(directory, &Directory::aboutToReset, this, &RegisteredModelsModel::beginResetModel);
    connect(directory, &Directory::reset, this, &RegisteredModelsModel::endResetModel);
    connect(directory, &Directory::grantChanged, this, &RegisteredModelsModel::accessChanged);
    connect(directory, &Directory::usersChanged, this, &RegisteredModelsModel::allAccessChanged);
    connect(directory, &Directory::defaultPermissionChanged, this, &RegisteredModelsModel::allAccessChanged);
}

int RegisteredModelsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_directory ? 0 : m_directory->registeredModelCount();
}

int RegisteredModelsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RegisteredModelsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_directory)
        return {};
    const RegisteredModel& model = m_directory->registeredModelAt(index.row());
    if (role == ModelRoles::ResourceIdRole)
        return model.name;
    const bool display = role == Qt::DisplayRole;
    const bool value = role == ModelRoles::ValueRole;
    switch (index.column()) {
    case Name:
        if (display || value)
            return model.name;
        if (role == Qt::ToolTipRole && !model.description.isEmpty())
            return model.description;
        break;
    case Created:
        if (value)
            return model.creationTimestamp;
        if (display)
            return ExperimentsModel::formatTimestamp(model.creationTimestamp);
        break;
    case LastUpdated:
        if (value)
            return model.lastUpdatedTimestamp;
        if (display)
            return ExperimentsModel::formatTimestamp(model.lastUpdatedTimestamp);
        break;
    case UsersWithAccess:
        if (display || value)
            return m_directory->usersWithAccessCount(ResourceType::RegisteredModel, model.name);
        if (role == Qt::TextAlignmentRole)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        if (role == Qt::ToolTipRole && !m_directory->defaultPermission())
            return tr("Counts explicit grants and admins only: the server's default permission is not known.");
        break;
    default:
        break;
    }
    return {};
}

QVariant RegisteredModelsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Name:
        return tr("Name");
    case Created:
        return tr("Created");
    case LastUpdated:
        return tr("Last updated");
    case UsersWithAccess:
        return tr("Users with access");
    default:
        return {};
    }
}

QString RegisteredModelsModel::modelFromIndex(const QModelIndex& index) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_directory)
        return {};
    return m_directory->registeredModelAt(index.row()).name;
}

QModelIndex RegisteredModelsModel::indexFromModel(const QString& name, int column) const
{
    const int row = m_directory ? m_directory->registeredModelRow(name) : -1;
    return row < 0 ? QModelIndex() : index(row, column);
}

void RegisteredModelsModel::accessChanged(const QString&, ResourceType type, const QString& resourceId)
{
    if (type != ResourceType::RegisteredModel)
        return;
    const QModelIndex cell = indexFromModel(resourceId, UsersWithAccess);
    if (cell.isValid())
        emit dataChanged(cell, cell);
}

void RegisteredModelsModel::allAccessChanged()
{
    if (rowCount() > 0)
        emit dataChanged(index(0, UsersWithAccess), index(rowCount() - 1, UsersWithAccess));
}

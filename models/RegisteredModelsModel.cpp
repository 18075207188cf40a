#include "models/RegisteredModelsModel.h"

#include "models/Directory.h"
#include "models/ModelRoles.h"

RegisteredModelsModel::RegisteredModelsModel(Directory* directory, QObject* parent)
    : ResourceTableModel(directory, ResourceType::RegisteredModel, UsersWithAccess, ColumnCount, parent)
{}

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
        return timestampData(model.creationTimestamp, role);
    case LastUpdated:
        return timestampData(model.lastUpdatedTimestamp, role);
    case UsersWithAccess:
        return usersWithAccessData(model.name, role);
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

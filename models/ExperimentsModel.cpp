#include "models/ExperimentsModel.h"

#include "models/Directory.h"
#include "models/ModelRoles.h"

ExperimentsModel::ExperimentsModel(Directory* directory, QObject* parent)
    : ResourceTableModel(directory, ResourceType::Experiment, UsersWithAccess, ColumnCount, parent)
{}

QVariant ExperimentsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_directory)
        return {};
    const Experiment& experiment = m_directory->experimentAt(index.row());
    if (role == ModelRoles::ResourceIdRole)
        return experiment.id;
    const bool display = role == Qt::DisplayRole;
    const bool value = role == ModelRoles::ValueRole;
    switch (index.column()) {
    case Id:
        if (display)
            return experiment.id;
        if (value) {
            // Numeric ids sort as numbers ("10" after "9"); other stores may use other ids.
            bool ok = false;
            const qlonglong number = experiment.id.toLongLong(&ok);
            return ok ? QVariant(number) : QVariant(experiment.id);
        }
        break;
    case Name:
        if (display || value)
            return experiment.name;
        if (role == Qt::ToolTipRole && !experiment.artifactLocation.isEmpty())
            return tr("Artifacts: %1").arg(experiment.artifactLocation);
        break;
    case State:
        if (value)
            return experiment.lifecycleStage;
        if (display)
            return experiment.isDeleted() ? tr("deleted") : tr("active");
        break;
    case Created:
        return timestampData(experiment.creationTime, role);
    case LastUpdate:
        return timestampData(experiment.lastUpdateTime, role);
    case UsersWithAccess:
        return usersWithAccessData(experiment.id, role);
    default:
        break;
    }
    return {};
}

QVariant ExperimentsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Id:
        return tr("ID");
    case Name:
        return tr("Name");
    case State:
        return tr("State");
    case Created:
        return tr("Created");
    case LastUpdate:
        return tr("Last update");
    case UsersWithAccess:
        return tr("Users with access");
    default:
        return {};
    }
}

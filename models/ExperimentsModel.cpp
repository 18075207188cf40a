#include "models/ExperimentsModel.h"

#include "models/Directory.h"
#include "models/ModelRoles.h"

#include <QDateTime>
#include <QLocale>

ExperimentsModel::ExperimentsModel(Directory* directory, QObject* parent)
    : QAbstractTableModel(parent), m_directory(directory)
{
    connect(directory, &Directory::aboutToReset, this, &ExperimentsModel::beginResetModel);
    connect(directory, &Directory::reset, this, &ExperimentsModel::endResetModel);
    connect(directory, &Directory::grantChanged, this, &ExperimentsModel::accessChanged);
    // Admin flags, added or removed users and the default permission change every row's count.
    connect(directory, &Directory::usersChanged, this, &ExperimentsModel::allAccessChanged);
    connect(directory, &Directory::defaultPermissionChanged, this, &ExperimentsModel::allAccessChanged);
}

int ExperimentsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_directory ? 0 : m_directory->experimentCount();
}

int ExperimentsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ExperimentsModel::formatTimestamp(qint64 msecsSinceEpoch)
{
    if (msecsSinceEpoch <= 0)
        return {};
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(msecsSinceEpoch), QLocale::ShortFormat);
}

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
        if (value)
            return experiment.creationTime;
        if (display)
            return formatTimestamp(experiment.creationTime);
        break;
    case LastUpdate:
        if (value)
            return experiment.lastUpdateTime;
        if (display)
            return formatTimestamp(experiment.lastUpdateTime);
        break;
    case UsersWithAccess:
        if (display || value)
            return m_directory->usersWithAccessCount(ResourceType::Experiment, experiment.id);
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

QString ExperimentsModel::experimentFromIndex(const QModelIndex& index) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_directory)
        return {};
    return m_directory->experimentAt(index.row()).id;
}

QModelIndex ExperimentsModel::indexFromExperiment(const QString& experimentId, int column) const
{
    const int row = m_directory ? m_directory->experimentRow(experimentId) : -1;
    return row < 0 ? QModelIndex() : index(row, column);
}

void ExperimentsModel::accessChanged(const QString&, ResourceType type, const QString& resourceId)
{
    if (type != ResourceType::Experiment)
        return;
    const QModelIndex cell = indexFromExperiment(resourceId, UsersWithAccess);
    if (cell.isValid())
        emit dataChanged(cell, cell);
}

void ExperimentsModel::allAccessChanged()
{
    if (rowCount() > 0)
        emit dataChanged(index(0, UsersWithAccess), index(rowCount() - 1, UsersWithAccess));
}

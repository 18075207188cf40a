#include "models/ResourceTableModel.h"

#include "models/Directory.h"
#include "models/ModelRoles.h"

#include <QDateTime>
#include <QLocale>

ResourceTableModel::ResourceTableModel(Directory* directory, ResourceType type, int usersWithAccessColumn,
                                       int columnCount, QObject* parent)
    : QAbstractTableModel(parent), m_directory(directory), m_type(type), m_usersWithAccessColumn(usersWithAccessColumn),
      m_columnCount(columnCount)
{
    connect(directory, &Directory::aboutToReset, this, &ResourceTableModel::beginResetModel);
    connect(directory, &Directory::reset, this, &ResourceTableModel::endResetModel);
    connect(directory, &Directory::grantChanged, this, &ResourceTableModel::accessChanged);
    // Admin flags, added or removed users and the default permission change every row's count.
    connect(directory, &Directory::usersChanged, this, &ResourceTableModel::allAccessChanged);
    connect(directory, &Directory::defaultPermissionChanged, this, &ResourceTableModel::allAccessChanged);
}

int ResourceTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_directory ? 0 : m_directory->resourceCount(m_type);
}

int ResourceTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : m_columnCount;
}

QString ResourceTableModel::formatTimestamp(qint64 msecsSinceEpoch)
{
    if (msecsSinceEpoch <= 0)
        return {};
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(msecsSinceEpoch), QLocale::ShortFormat);
}

QString ResourceTableModel::resourceFromIndex(const QModelIndex& index) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_directory)
        return {};
    return m_directory->resourceIdAt(m_type, index.row());
}

QModelIndex ResourceTableModel::indexFromResource(const QString& resourceId, int column) const
{
    const int row = m_directory ? m_directory->resourceRow(m_type, resourceId) : -1;
    return row < 0 ? QModelIndex() : index(row, column);
}

QVariant ResourceTableModel::usersWithAccessData(const QString& resourceId, int role) const
{
    if (role == Qt::DisplayRole || role == ModelRoles::ValueRole)
        return m_directory->usersWithAccessCount(m_type, resourceId);
    if (role == Qt::TextAlignmentRole)
        return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
    if (role == Qt::ToolTipRole && !m_directory->defaultPermission())
        return tr("Counts explicit grants and admins only: the server's default permission is not known.");
    return {};
}

QVariant ResourceTableModel::timestampData(qint64 msecsSinceEpoch, int role)
{
    if (role == ModelRoles::ValueRole)
        return msecsSinceEpoch;
    if (role == Qt::DisplayRole)
        return formatTimestamp(msecsSinceEpoch);
    return {};
}

void ResourceTableModel::accessChanged(const QString&, ResourceType type, const QString& resourceId)
{
    if (type != m_type)
        return;
    const QModelIndex cell = indexFromResource(resourceId, m_usersWithAccessColumn);
    if (cell.isValid())
        emit dataChanged(cell, cell);
}

void ResourceTableModel::allAccessChanged()
{
    if (rowCount() > 0)
        emit dataChanged(index(0, m_usersWithAccessColumn), index(rowCount() - 1, m_usersWithAccessColumn));
}

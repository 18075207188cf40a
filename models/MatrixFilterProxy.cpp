#include "models/MatrixFilterProxy.h"

#include "models/ModelRoles.h"

MatrixFilterProxy::MatrixFilterProxy(QObject* parent) : QSortFilterProxyModel(parent) {}

void MatrixFilterProxy::setRowFilter(const QString& text)
{
    if (text == m_rowFilter)
        return;
    m_rowFilter = text;
    invalidateRowsFilter();
}

void MatrixFilterProxy::setColumnFilter(const QString& text)
{
    if (text == m_columnFilter)
        return;
    m_columnFilter = text;
    invalidateColumnsFilter();
}

bool MatrixFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    return sourceParent.isValid() || headerMatches(sourceRow, Qt::Vertical, m_rowFilter);
}

bool MatrixFilterProxy::filterAcceptsColumn(int sourceColumn, const QModelIndex& sourceParent) const
{
    return sourceParent.isValid() || headerMatches(sourceColumn, Qt::Horizontal, m_columnFilter);
}

bool MatrixFilterProxy::headerMatches(int section, Qt::Orientation orientation, const QString& filter) const
{
    if (filter.isEmpty() || !sourceModel())
        return true;
    const QAbstractItemModel* source = sourceModel();
    if (source->headerData(section, orientation, Qt::DisplayRole).toString().contains(filter, Qt::CaseInsensitive))
        return true;
    // Experiments can also be found by id.
    return source->headerData(section, orientation, ModelRoles::ResourceIdRole)
        .toString()
        .contains(filter, Qt::CaseInsensitive);
}

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

void MatrixFilterProxy::setUserFilter(const std::optional<QSet<QString>>& usernames)
{
    if (usernames == m_users)
        return;
    m_users = usernames;
    // Users are rows or columns depending on the orientation; both are cheap to check against a set.
    invalidateRowsFilter();
    invalidateColumnsFilter();
}

bool MatrixFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    return sourceParent.isValid() ||
           (headerMatches(sourceRow, Qt::Vertical, m_rowFilter) && userAllowed(sourceRow, Qt::Vertical));
}

bool MatrixFilterProxy::filterAcceptsColumn(int sourceColumn, const QModelIndex& sourceParent) const
{
    return sourceParent.isValid() ||
           (headerMatches(sourceColumn, Qt::Horizontal, m_columnFilter) && userAllowed(sourceColumn, Qt::Horizontal));
}

bool MatrixFilterProxy::userAllowed(int section, Qt::Orientation orientation) const
{
    if (!m_users || !sourceModel())
        return true;
    const QString username = sourceModel()->headerData(section, orientation, ModelRoles::UsernameRole).toString();
    // Resource headers carry no user name: the user filter leaves that axis alone.
    return username.isEmpty() || m_users->contains(username);
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

#include "models/MatrixFilterProxy.h"

#include "models/ModelRoles.h"

#include <QTimer>

MatrixFilterProxy::MatrixFilterProxy(QObject* parent) : QSortFilterProxyModel(parent)
{
    m_refilterTimer = new QTimer(this);
    m_refilterTimer->setSingleShot(true);
    m_refilterTimer->setInterval(0);
    connect(m_refilterTimer, &QTimer::timeout, this, [this] {
        if (m_cellFilter != CellFilter::AllCells)
            invalidateFilter();
    });
}

void MatrixFilterProxy::setSourceModel(QAbstractItemModel* model)
{
    for (const QMetaObject::Connection& connection : std::as_const(m_sourceConnections))
        disconnect(connection);
    m_sourceConnections.clear();
    m_matrix = qobject_cast<AccessMatrixModel*>(model);
    m_content.reset();
    // Connected before the base class connects its own handlers, so the cache is dropped before they filter.
    if (model) {
        m_sourceConnections = {
            connect(model, &QAbstractItemModel::dataChanged, this, &MatrixFilterProxy::sourceChanged),
            connect(model, &QAbstractItemModel::headerDataChanged, this, &MatrixFilterProxy::sourceChanged),
            connect(model, &QAbstractItemModel::modelAboutToBeReset, this, &MatrixFilterProxy::sourceChanged),
            connect(model, &QAbstractItemModel::rowsInserted, this, &MatrixFilterProxy::sourceChanged),
            connect(model, &QAbstractItemModel::rowsRemoved, this, &MatrixFilterProxy::sourceChanged),
            connect(model, &QAbstractItemModel::columnsInserted, this, &MatrixFilterProxy::sourceChanged),
            connect(model, &QAbstractItemModel::columnsRemoved, this, &MatrixFilterProxy::sourceChanged),
        };
    }
    QSortFilterProxyModel::setSourceModel(model);
}

void MatrixFilterProxy::sourceChanged()
{
    m_content.reset();
    // One cell's change can empty or fill a whole row or column elsewhere; the base class only looks at the
    // changed rows. Refilter once after the current event, however many changes it brought.
    if (m_cellFilter != CellFilter::AllCells)
        m_refilterTimer->start();
}

void MatrixFilterProxy::invalidateBoth()
{
    m_content.reset();
    invalidateRowsFilter();
    invalidateColumnsFilter();
}

void MatrixFilterProxy::setRowFilter(const QString& text)
{
    if (text == m_rowFilter)
        return;
    m_rowFilter = text;
    // With a cells filter, what one axis keeps depends on the other axis' text filter too.
    if (m_cellFilter != CellFilter::AllCells)
        invalidateBoth();
    else
        invalidateRowsFilter();
}

void MatrixFilterProxy::setColumnFilter(const QString& text)
{
    if (text == m_columnFilter)
        return;
    m_columnFilter = text;
    if (m_cellFilter != CellFilter::AllCells)
        invalidateBoth();
    else
        invalidateColumnsFilter();
}

void MatrixFilterProxy::setUserFilter(const std::optional<QSet<QString>>& usernames)
{
    if (usernames == m_users)
        return;
    m_users = usernames;
    // Users are rows or columns depending on the orientation; both are cheap to check against a set.
    invalidateBoth();
}

void MatrixFilterProxy::setCellFilter(CellFilter filter)
{
    if (filter == m_cellFilter)
        return;
    m_cellFilter = filter;
    invalidateBoth();
}

bool MatrixFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    return sourceParent.isValid() ||
           (textAndUserAccept(sourceRow, Qt::Vertical) && hasContent(sourceRow, Qt::Vertical));
}

bool MatrixFilterProxy::filterAcceptsColumn(int sourceColumn, const QModelIndex& sourceParent) const
{
    return sourceParent.isValid() ||
           (textAndUserAccept(sourceColumn, Qt::Horizontal) && hasContent(sourceColumn, Qt::Horizontal));
}

bool MatrixFilterProxy::textAndUserAccept(int section, Qt::Orientation orientation) const
{
    return headerMatches(section, orientation, orientation == Qt::Vertical ? m_rowFilter : m_columnFilter) &&
           userAllowed(section, orientation);
}

bool MatrixFilterProxy::hasContent(int section, Qt::Orientation orientation) const
{
    if (m_cellFilter == CellFilter::AllCells || !m_matrix)
        return true;
    const bool usersAsRows = m_matrix->orientation() == AccessMatrixModel::Orientation::UsersAsRows;
    const Qt::Orientation userAxis = usersAsRows ? Qt::Vertical : Qt::Horizontal;
    const Qt::Orientation resourceAxis = usersAsRows ? Qt::Horizontal : Qt::Vertical;
    if (!m_content) {
        const int users = userAxis == Qt::Vertical ? m_matrix->rowCount() : m_matrix->columnCount();
        const int resources = resourceAxis == Qt::Vertical ? m_matrix->rowCount() : m_matrix->columnCount();
        QVector<bool> usersConsidered(users);
        for (int user = 0; user < users; ++user)
            usersConsidered[user] = textAndUserAccept(user, userAxis);
        QVector<bool> resourcesConsidered(resources);
        for (int row = 0; row < resources; ++row)
            resourcesConsidered[row] = textAndUserAccept(row, resourceAxis);
        m_content = m_matrix->sectionsWithContent(m_cellFilter, usersConsidered, resourcesConsidered);
    }
    const QVector<bool>& kept = orientation == userAxis ? m_content->users : m_content->resources;
    return section < kept.size() && kept.at(section);
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

#pragma once

#include "models/AccessMatrixModel.h"

#include <QSet>
#include <QSortFilterProxyModel>

#include <optional>

class QTimer;

// Filters the access matrix by text on both axes: rows whose header contains the row filter and columns whose
// header contains the column filter (case-insensitive; header DisplayRole and the id/user roles are searched).
// With an AccessMatrixModel as source it also filters by what the cells show (setCellFilter): users and resources
// whose every cell, among the users and resources the text and user filters keep, has nothing to show go.
class MatrixFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    using CellFilter = AccessMatrixModel::CellFilter;

    explicit MatrixFilterProxy(QObject* parent = nullptr);

    void setSourceModel(QAbstractItemModel* model) override;

    void setRowFilter(const QString& text);
    QString rowFilter() const { return m_rowFilter; }
    void setColumnFilter(const QString& text);
    QString columnFilter() const { return m_columnFilter; }
    // Keeps only these users on the user axis, whichever it is (e.g. the members of a role); nullopt keeps all.
    void setUserFilter(const std::optional<QSet<QString>>& usernames);
    bool hasUserFilter() const { return m_users.has_value(); }
    // All cells (the default), only cells with access, or only explicit grants. Edits re-filter by themselves,
    // after the event that made them.
    void setCellFilter(CellFilter filter);
    CellFilter cellFilter() const { return m_cellFilter; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool filterAcceptsColumn(int sourceColumn, const QModelIndex& sourceParent) const override;

private:
    bool headerMatches(int section, Qt::Orientation orientation, const QString& filter) const;
    bool userAllowed(int section, Qt::Orientation orientation) const;
    bool textAndUserAccept(int section, Qt::Orientation orientation) const;
    bool hasContent(int section, Qt::Orientation orientation) const;
    // The source changed: the cached content is stale, and the cells filter must run again.
    void sourceChanged();
    void invalidateBoth();

    QString m_rowFilter;
    QString m_columnFilter;
    std::optional<QSet<QString>> m_users;
    CellFilter m_cellFilter = CellFilter::AllCells;
    AccessMatrixModel* m_matrix = nullptr;
    QTimer* m_refilterTimer = nullptr;
    QList<QMetaObject::Connection> m_sourceConnections;
    // Computed when first asked after a change; mutable because the filter functions are const.
    mutable std::optional<AccessMatrixModel::ContentSections> m_content;
};

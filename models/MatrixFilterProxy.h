#pragma once

#include <QSortFilterProxyModel>

// Filters the access matrix by text on both axes: rows whose header contains the row filter and columns whose
// header contains the column filter (case-insensitive; header DisplayRole and the id/user roles are searched).
class MatrixFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit MatrixFilterProxy(QObject* parent = nullptr);

    void setRowFilter(const QString& text);
    QString rowFilter() const { return m_rowFilter; }
    void setColumnFilter(const QString& text);
    QString columnFilter() const { return m_columnFilter; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool filterAcceptsColumn(int sourceColumn, const QModelIndex& sourceParent) const override;

private:
    bool headerMatches(int section, Qt::Orientation orientation, const QString& filter) const;

    QString m_rowFilter;
    QString m_columnFilter;
};

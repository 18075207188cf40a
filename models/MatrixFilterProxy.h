#pragma once

#include <QSet>
#include <QSortFilterProxyModel>

#include <optional>

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
    // Keeps only these users on the user axis, whichever it is (e.g. the members of a role); nullopt keeps all.
    void setUserFilter(const std::optional<QSet<QString>>& usernames);
    bool hasUserFilter() const { return m_users.has_value(); }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool filterAcceptsColumn(int sourceColumn, const QModelIndex& sourceParent) const override;

private:
    bool headerMatches(int section, Qt::Orientation orientation, const QString& filter) const;
    bool userAllowed(int section, Qt::Orientation orientation) const;

    QString m_rowFilter;
    QString m_columnFilter;
    std::optional<QSet<QString>> m_users;
};

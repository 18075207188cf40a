#pragma once

#include "models/AuditTrail.h"

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>
#include <QSortFilterProxyModel>

// The entries of one audit trail as a table, oldest first: time, actor, change, subject, before, after, result.
class AuditLogModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        TimeColumn,
        ActorColumn,
        ChangeColumn,
        SubjectColumn,
        BeforeColumn,
        AfterColumn,
        ResultColumn,
        ColumnCount
    };
    enum Role { EntryRole = Qt::UserRole + 1 }; // the entry's QJsonObject

    explicit AuditLogModel(QObject* parent = nullptr);

    // Reads the trail again; false with `error` when it cannot be read (the model is then empty).
    bool load(const AuditTrail& trail, QString* error = nullptr);
    void setEntries(const QList<QJsonObject>& entries);
    const QList<QJsonObject>& entries() const { return m_entries; }
    QJsonObject entryAt(int row) const { return m_entries.value(row); }

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // The text of one cell, as shown and exported.
    static QString cellText(const QJsonObject& entry, Column column);
    // CSV (a header, then one line per entry, in the columns above plus seq, origin and error) and JSON (an array of
    // the stored entries, hashes included, so an export can be checked against the trail).
    static QByteArray toCsv(const QList<QJsonObject>& entries);
    static QByteArray toJson(const QList<QJsonObject>& entries);

private:
    QList<QJsonObject> m_entries;
};

// The Audit page's filter: an AuditFilter over the model's entries.
class AuditFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit AuditFilterProxy(QObject* parent = nullptr);

    void setFilter(const AuditFilter& filter);
    const AuditFilter& filter() const { return m_filter; }
    // The entries that pass, in the proxy's order.
    QList<QJsonObject> shownEntries() const;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    AuditFilter m_filter;
};

#pragma once

#include "api/WireTypes.h"

#include <QAbstractTableModel>
#include <QPointer>

class Directory;

// What the experiments and registered-models tables share: one row per resource of one type in the Directory, a
// "users with access" column that follows grant, user and default-permission changes cell by cell, and timestamp
// cells. Subclasses supply their own columns in data() and headerData().
class ResourceTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;

    // A short local date and time for MLflow's milliseconds since the epoch; empty for 0 (unknown).
    static QString formatTimestamp(qint64 msecsSinceEpoch);

protected:
    ResourceTableModel(Directory* directory, ResourceType type, int usersWithAccessColumn, int columnCount,
                       QObject* parent);

    // The id of the row's resource (experiment id or model name); empty for an invalid index.
    QString resourceFromIndex(const QModelIndex& index) const;
    QModelIndex indexFromResource(const QString& resourceId, int column) const;

    // The cells every resource table has.
    QVariant usersWithAccessData(const QString& resourceId, int role) const;
    static QVariant timestampData(qint64 msecsSinceEpoch, int role);

    QPointer<Directory> m_directory;

private:
    void accessChanged(const QString& username, ResourceType type, const QString& resourceId);
    void allAccessChanged();

    ResourceType m_type;
    int m_usersWithAccessColumn;
    int m_columnCount;
};

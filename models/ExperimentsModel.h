#pragma once

#include "api/WireTypes.h"

#include <QAbstractTableModel>
#include <QPointer>

class Directory;

// The experiments of the Directory (active and deleted), one row each.
class ExperimentsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Id, Name, State, Created, LastUpdate, UsersWithAccess, ColumnCount };

    explicit ExperimentsModel(Directory* directory, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // The experiment id of the row.
    QString experimentFromIndex(const QModelIndex& index) const;
    QModelIndex indexFromExperiment(const QString& experimentId, int column = Id) const;

    // A short local date and time for MLflow's milliseconds since the epoch; empty for 0 (unknown).
    static QString formatTimestamp(qint64 msecsSinceEpoch);

private:
    void accessChanged(const QString& username, ResourceType type, const QString& resourceId);
    void allAccessChanged();

    QPointer<Directory> m_directory;
};

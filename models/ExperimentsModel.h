#pragma once

#include "models/ResourceTableModel.h"

// The experiments of the Directory (active and deleted), one row each.
class ExperimentsModel : public ResourceTableModel
{
    Q_OBJECT

public:
    enum Column { Id, Name, State, Created, LastUpdate, UsersWithAccess, ColumnCount };

    explicit ExperimentsModel(Directory* directory, QObject* parent = nullptr);

    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // The experiment id of the row.
    QString experimentFromIndex(const QModelIndex& index) const { return resourceFromIndex(index); }
    QModelIndex indexFromExperiment(const QString& experimentId, int column = Id) const
    {
        return indexFromResource(experimentId, column);
    }
};

#pragma once

#include "models/ResourceTableModel.h"

// The registered models of the Directory, one row each.
class RegisteredModelsModel : public ResourceTableModel
{
    Q_OBJECT

public:
    enum Column { Name, Created, LastUpdated, UsersWithAccess, ColumnCount };

    explicit RegisteredModelsModel(Directory* directory, QObject* parent = nullptr);

    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // The registered model name of the row.
    QString modelFromIndex(const QModelIndex& index) const { return resourceFromIndex(index); }
    QModelIndex indexFromModel(const QString& name, int column = Name) const { return indexFromResource(name, column); }
};

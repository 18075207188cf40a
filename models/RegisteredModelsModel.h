#pragma once

#include "api/WireTypes.h"

#include <QAbstractTableModel>
#include <QPointer>

class Directory;

// The registered models of the Directory, one row each.
class RegisteredModelsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Name, Created, LastUpdated, UsersWithAccess, ColumnCount };

    explicit RegisteredModelsModel(Directory* directory, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // The registered model name of the row.
    QString modelFromIndex(const QModelIndex& index) const;
    QModelIndex indexFromModel(const QString& name, int column = Name) const;

private:
    void accessChanged(const QString& username, ResourceType type, const QString& resourceId);
    void allAccessChanged();

    QPointer<Directory> m_directory;
};

#pragma once

#include "models/ShownAccess.h"

#include <QAbstractTableModel>
#include <QPointer>

class ChangeSet;
class Directory;
class QTimer;

// Everything one user can at least read, experiments first, then registered models: the twin of the "who has
// access" panel of a resource. Each row is the resource, its kind, the level as the matrix shows it (the staged
// one when a change is pending) and why. It follows the Directory and the ChangeSet by itself, after the event
// that changed them.
class UserAccessModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Resource, Permission, Why, Kind, ColumnCount };

    UserAccessModel(Directory* directory, ChangeSet* changeSet, QObject* parent = nullptr);

    void setUser(const QString& username);
    QString user() const { return m_username; }
    const ResourceAccess& accessAt(int row) const { return m_rows.at(row); }

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // The short reason of the Why column: "explicit grant", "role auditors", "administrator".
    static QString shortReason(const EffectivePermission& permission);

public slots:
    void reload();

signals:
    void reloaded();

private:
    QPointer<Directory> m_directory;
    QPointer<ChangeSet> m_changeSet;
    QString m_username;
    QList<ResourceAccess> m_rows;
    QTimer* m_reloadTimer = nullptr;
};

#pragma once

#include <QAbstractTableModel>
#include <QPointer>

class ChangeSet;
class Directory;
class StagedUserRows;

// The users of the Directory, one row each, in Directory row order (sort through a QSortFilterProxyModel with
// sortRole ModelRoles::ValueRole), then the users whose creation is staged, marked "◆ create" and explained in the
// tooltip until the apply creates them.
class UsersModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    // Roles: the named roles the user holds (3.13+), with staged assignments folded in.
    enum Column { Username, Admin, ExperimentGrants, ModelGrants, Roles, Pending, ColumnCount };

    explicit UsersModel(Directory* directory, ChangeSet* changeSet = nullptr, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    QString userFromIndex(const QModelIndex& index) const;
    QModelIndex indexFromUser(const QString& username, int column = Username) const;

private:
    int rowOf(const QString& username) const;
    QString usernameAt(int row) const;
    bool isAdminAt(int row) const;
    bool isStagedRow(int row) const;
    void userRowChanged(const QString& username);
    QString pendingText(const QString& username) const;
    QStringList roleNames(const QString& username, bool* pending) const;
    void rolesChanged();

    QPointer<Directory> m_directory;
    QPointer<ChangeSet> m_changeSet;
    StagedUserRows* m_stagedRows = nullptr;
};

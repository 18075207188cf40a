#pragma once

#include "api/WireTypes.h"

#include <QPointer>
#include <QSortFilterProxyModel>
#include <QWidget>

class Directory;
class ServerFilterBar;
class QAbstractItemModel;
class QCheckBox;
class QLabel;
class QLineEdit;
class QTableView;
class QTreeWidget;

// Filters a resource table by text (id and name columns) and, for experiments, hides deleted ones unless asked.
class ResourceFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    ResourceFilterProxy(int stateColumn, QObject* parent = nullptr);
    void setText(const QString& text);
    void setShowDeleted(bool show);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    int m_stateColumn = -1;
    QString m_text;
    bool m_showDeleted = false;
};

// A table of resources (experiments or registered models) with a filter box, and beside it the "who has access"
// panel for the selected resource: every user who can at least read it, with the level and the reason.
class ResourcePage : public QWidget
{
    Q_OBJECT

public:
    // `model` is the page's source model (ExperimentsModel or RegisteredModelsModel) and must answer
    // ModelRoles::ResourceIdRole; `stateColumn` is its lifecycle column, or -1 when resources cannot be deleted.
    ResourcePage(Directory* directory, ResourceType type, QAbstractItemModel* model, int stateColumn,
                 QWidget* parent = nullptr);

    QLineEdit* filterEdit() const { return m_filterEdit; }
    QTableView* view() const { return m_view; }
    QTreeWidget* accessPanel() const { return m_accessTree; }
    QCheckBox* showDeletedBox() const { return m_showDeletedBox; }
    // Selects the resource's row (when visible) and fills the access panel.
    void selectResource(const QString& resourceId);
    QString currentResource() const { return m_currentResource; }

    // Above the table: the filter that decides what the server sends (see ServerFilterBar).
    ServerFilterBar* serverFilterBar() const { return m_serverFilterBar; }

private:
    void currentChanged();
    void refreshAccess();

    QPointer<Directory> m_directory;
    ResourceType m_type;
    ResourceFilterProxy* m_proxy = nullptr;
    QLineEdit* m_filterEdit = nullptr;
    QCheckBox* m_showDeletedBox = nullptr;
    QTableView* m_view = nullptr;
    QLabel* m_accessTitle = nullptr;
    QTreeWidget* m_accessTree = nullptr;
    ServerFilterBar* m_serverFilterBar = nullptr;
    QString m_currentResource;
};

// The Experiments page: id, name, state, dates and access count; deleted ones on demand.
class ExperimentsPage : public ResourcePage
{
    Q_OBJECT

public:
    ExperimentsPage(Directory* directory, QAbstractItemModel* model, QWidget* parent = nullptr);
};

// The Registered models page: name, dates and access count.
class RegisteredModelsPage : public ResourcePage
{
    Q_OBJECT

public:
    RegisteredModelsPage(Directory* directory, QAbstractItemModel* model, QWidget* parent = nullptr);
};

#include "views/ResourcePage.h"

#include "models/Directory.h"
#include "models/ExperimentsModel.h"
#include "models/ModelRoles.h"
#include "models/RegisteredModelsModel.h"
#include "views/ColumnWidthMemory.h"
#include "views/ServerFilterBar.h"

#include <QCheckBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTreeWidget>
#include <QVBoxLayout>

ResourceFilterProxy::ResourceFilterProxy(int stateColumn, QObject* parent)
    : QSortFilterProxyModel(parent), m_stateColumn(stateColumn)
{
    setSortRole(ModelRoles::ValueRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void ResourceFilterProxy::setText(const QString& text)
{
    m_text = text.trimmed();
    invalidateRowsFilter();
}

void ResourceFilterProxy::setShowDeleted(bool show)
{
    m_showDeleted = show;
    invalidateRowsFilter();
}

bool ResourceFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    const QAbstractItemModel* source = sourceModel();
    if (m_stateColumn >= 0 && !m_showDeleted &&
        source->index(sourceRow, m_stateColumn, sourceParent).data(ModelRoles::ValueRole).toString() ==
            QLatin1String("deleted"))
        return false;
    if (m_text.isEmpty())
        return true;
    // Id and name are the first two columns of the experiments table; models have the name first.
    for (int column = 0; column < qMin(2, source->columnCount(sourceParent)); ++column) {
        if (source->index(sourceRow, column, sourceParent).data().toString().contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

ResourcePage::ResourcePage(Directory* directory, ResourceType type, QAbstractItemModel* model, int stateColumn,
                           QWidget* parent)
    : QWidget(parent), m_directory(directory), m_type(type)
{
    const bool experiments = type == ResourceType::Experiment;
    m_proxy = new ResourceFilterProxy(stateColumn, this);
    m_proxy->setSourceModel(model);

    m_filterEdit = new QLineEdit(this);
    m_filterEdit->setObjectName(QStringLiteral("filterEdit"));
    m_filterEdit->setClearButtonEnabled(true);
    m_filterEdit->setPlaceholderText(experiments ? tr("Filter experiments by name or id…")
                                                 : tr("Filter registered models by name…"));
    m_filterEdit->setAccessibleName(experiments ? tr("Experiment filter") : tr("Registered model filter"));
    connect(m_filterEdit, &QLineEdit::textChanged, m_proxy, &ResourceFilterProxy::setText);

    auto* top = new QHBoxLayout;
    top->addWidget(m_filterEdit, 1);
    if (stateColumn >= 0) {
        m_showDeletedBox = new QCheckBox(tr("Show &deleted"), this);
        m_showDeletedBox->setObjectName(QStringLiteral("showDeletedBox"));
        connect(m_showDeletedBox, &QCheckBox::toggled, m_proxy, &ResourceFilterProxy::setShowDeleted);
        top->addWidget(m_showDeletedBox);
    }

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("resourceView"));
    m_view->setAccessibleName(experiments ? tr("Experiments") : tr("Registered models"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(0, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->setWordWrap(false);
    // Long names keep their beginning and their end; Tab leaves the table.
    m_view->setTextElideMode(Qt::ElideMiddle);
    m_view->setTabKeyNavigation(false);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    // Wide enough for the longest date in the user's locale format, whatever that is.
    const int dateWidth = m_view->fontMetrics().horizontalAdvance(QLocale().toString(
                              QDateTime(QDate(2026, 12, 28), QTime(23, 59, 59)), QLocale::ShortFormat)) +
                          16;
    if (experiments) {
        m_view->setColumnWidth(ExperimentsModel::Id, 40);
        m_view->setColumnWidth(ExperimentsModel::Name, 140);
        m_view->setColumnWidth(ExperimentsModel::State, 55);
        m_view->setColumnWidth(ExperimentsModel::Created, dateWidth);
        m_view->setColumnWidth(ExperimentsModel::LastUpdate, dateWidth);
    } else {
        m_view->setColumnWidth(RegisteredModelsModel::Name, 200);
        m_view->setColumnWidth(RegisteredModelsModel::Created, dateWidth);
        m_view->setColumnWidth(RegisteredModelsModel::LastUpdated, dateWidth);
    }
    // After the defaults above, so the user's own widths win.
    new ColumnWidthMemory(m_view->horizontalHeader(),
                          experiments ? QStringLiteral("experimentsPage") : QStringLiteral("modelsPage"));
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &ResourcePage::currentChanged);

    m_accessTitle = new QLabel(this);
    m_accessTitle->setWordWrap(true);
    m_accessTree = new QTreeWidget(this);
    m_accessTree->setObjectName(QStringLiteral("accessPanel"));
    m_accessTree->setAccessibleName(tr("Who has access"));
    m_accessTree->setRootIsDecorated(false);
    m_accessTree->setHeaderLabels({tr("User"), tr("Permission"), tr("Why")});
    m_accessTree->setColumnWidth(0, 55);
    m_accessTree->setColumnWidth(1, 68);

    auto* side = new QWidget(this);
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(m_accessTitle);
    sideLayout->addWidget(m_accessTree, 1);

    auto* splitter = new QSplitter(this);
    splitter->addWidget(m_view);
    splitter->addWidget(side);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({690, 230});

    m_serverFilterBar = new ServerFilterBar(type, this);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_serverFilterBar);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);

    if (m_directory) {
        connect(m_directory, &Directory::grantChanged, this, &ResourcePage::refreshAccess);
        connect(m_directory, &Directory::userChanged, this, &ResourcePage::refreshAccess);
        connect(m_directory, &Directory::reset, this, &ResourcePage::refreshAccess);
    }
    // The tab chain is a cycle: the local filter after the server filter's last button keeps the screen's order.
    setTabOrder(m_serverFilterBar->loadAllButton(), m_filterEdit);
    setTabOrder(m_filterEdit, m_showDeletedBox ? static_cast<QWidget*>(m_showDeletedBox) : m_view);
    if (m_showDeletedBox)
        setTabOrder(m_showDeletedBox, m_view);
    setTabOrder(m_view, m_accessTree);
    refreshAccess();
}

void ResourcePage::selectResource(const QString& resourceId)
{
    for (int row = 0; row < m_proxy->rowCount(); ++row) {
        const QModelIndex index = m_proxy->index(row, 0);
        if (index.data(ModelRoles::ResourceIdRole).toString() == resourceId) {
            m_view->setCurrentIndex(index);
            m_view->scrollTo(index);
            return;
        }
    }
}

void ResourcePage::currentChanged()
{
    m_currentResource = m_view->currentIndex().data(ModelRoles::ResourceIdRole).toString();
    refreshAccess();
}

void ResourcePage::refreshAccess()
{
    m_accessTree->clear();
    if (!m_directory || m_currentResource.isEmpty() || m_directory->resourceRow(m_type, m_currentResource) < 0) {
        m_accessTitle->setText(m_type == ResourceType::Experiment
                                   ? tr("Select an experiment to see who has access to it.")
                                   : tr("Select a registered model to see who has access to it."));
        return;
    }
    const int row = m_directory->resourceRow(m_type, m_currentResource);
    const QList<UserAccess> access = m_directory->usersWithAccess(m_type, m_currentResource);
    m_accessTitle->setText(
        tr("Who has access to %1 (users: %2)").arg(m_directory->resourceNameAt(m_type, row)).arg(access.size()));
    QList<QTreeWidgetItem*> items;
    items.reserve(access.size());
    for (const UserAccess& entry : access) {
        // The short source in the column, the full sentence on hover: the level is already in its own column.
        QString why = EffectivePermission::sourceName(entry.permission.source);
        if (!entry.permission.detail.isEmpty())
            why += QStringLiteral(" (") + entry.permission.detail + QLatin1Char(')');
        auto* item = new QTreeWidgetItem({entry.username, Permissions::name(entry.permission.level), why});
        for (int column = 0; column < 3; ++column)
            item->setToolTip(column, entry.permission.reason());
        items.append(item);
    }
    m_accessTree->addTopLevelItems(items);
    if (!m_directory->defaultPermission()) {
        auto* note = new QTreeWidgetItem({tr("others"), tr("unknown"),
                                          tr("Users without a grant get the server's default permission, which the "
                                             "REST API does not reveal.")});
        note->setForeground(0, palette().color(QPalette::PlaceholderText));
        m_accessTree->addTopLevelItem(note);
    }
}

ExperimentsPage::ExperimentsPage(Directory* directory, QAbstractItemModel* model, QWidget* parent)
    : ResourcePage(directory, ResourceType::Experiment, model, ExperimentsModel::State, parent)
{
    setObjectName(QStringLiteral("ExperimentsPage"));
}

RegisteredModelsPage::RegisteredModelsPage(Directory* directory, QAbstractItemModel* model, QWidget* parent)
    : ResourcePage(directory, ResourceType::RegisteredModel, model, -1, parent)
{
    setObjectName(QStringLiteral("RegisteredModelsPage"));
}

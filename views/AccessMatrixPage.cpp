#include "views/AccessMatrixPage.h"

#include "models/AccessMatrixModel.h"
#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "models/MatrixFilterProxy.h"
#include "models/ModelRoles.h"
#include "models/SnapshotDiff.h"
#include "views/ColumnWidthMemory.h"
#include "views/ElidingHeaderView.h"
#include "views/MessageBox.h"
#include "views/PermissionDelegate.h"
#include "views/UserAccessPanel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

AccessMatrixPage::AccessMatrixPage(Directory* directory, ChangeSet* changeSet, AccessMatrixModel* model,
                                   QWidget* parent)
    : QWidget(parent), m_directory(directory), m_changeSet(changeSet), m_model(model)
{
    setObjectName(QStringLiteral("AccessMatrixPage"));
    m_proxy = new MatrixFilterProxy(this);
    m_proxy->setSourceModel(model);

    m_rowFilterEdit = new QLineEdit(this);
    m_rowFilterEdit->setObjectName(QStringLiteral("rowFilterEdit"));
    m_rowFilterEdit->setClearButtonEnabled(true);
    m_rowFilterEdit->setPlaceholderText(tr("Filter rows…"));
    m_rowFilterEdit->setAccessibleName(tr("Row filter"));
    // Filtering 20,000 columns costs tens of milliseconds: wait for a pause in typing instead of refiltering on
    // every key.
    m_filterTimer = new QTimer(this);
    m_filterTimer->setSingleShot(true);
    m_filterTimer->setInterval(150);
    connect(m_filterTimer, &QTimer::timeout, this, &AccessMatrixPage::applyFilters);
    connect(m_rowFilterEdit, &QLineEdit::textChanged, m_filterTimer, qOverload<>(&QTimer::start));

    m_columnFilterEdit = new QLineEdit(this);
    m_columnFilterEdit->setObjectName(QStringLiteral("columnFilterEdit"));
    m_columnFilterEdit->setClearButtonEnabled(true);
    m_columnFilterEdit->setPlaceholderText(tr("Filter columns…"));
    m_columnFilterEdit->setAccessibleName(tr("Column filter"));
    connect(m_columnFilterEdit, &QLineEdit::textChanged, m_filterTimer, qOverload<>(&QTimer::start));

    m_typeCombo = new QComboBox(this);
    m_typeCombo->setObjectName(QStringLiteral("resourceTypeCombo"));
    m_typeCombo->setAccessibleName(tr("Resources"));
    m_typeCombo->addItem(tr("Experiments"));
    m_typeCombo->addItem(tr("Registered models"));
    connect(m_typeCombo, &QComboBox::currentIndexChanged, this, &AccessMatrixPage::typeChanged);

    m_orientationCombo = new QComboBox(this);
    m_orientationCombo->setObjectName(QStringLiteral("orientationCombo"));
    m_orientationCombo->setAccessibleName(tr("Orientation"));
    m_orientationCombo->addItem(tr("Users as rows"));
    m_orientationCombo->addItem(tr("Users as columns"));
    connect(m_orientationCombo, &QComboBox::currentIndexChanged, this, &AccessMatrixPage::orientationChanged);

    // MLflow's REST API does not reveal default_permission, yet it decides every cell without a grant: the admin
    // states it here as an assumption (the window keeps it in the profile), or such cells say "default (unknown)".
    m_defaultCombo = new QComboBox(this);
    m_defaultCombo->setObjectName(QStringLiteral("defaultPermissionCombo"));
    m_defaultCombo->setAccessibleName(tr("Server's default permission"));
    m_defaultCombo->addItem(tr("unknown"), -1);
    for (PermissionLevel level :
         {PermissionLevel::NoPermissions, PermissionLevel::Read, PermissionLevel::Edit, PermissionLevel::Manage})
        m_defaultCombo->addItem(Permissions::name(level), static_cast<int>(level));
    connect(m_defaultCombo, &QComboBox::activated, this, [this](int index) {
        const int value = m_defaultCombo->itemData(index).toInt();
        if (m_directory)
            m_directory->setDefaultPermission(value < 0 ? std::nullopt
                                                        : std::optional(static_cast<PermissionLevel>(value)));
    });
    m_defaultLabel = new QLabel(this);
    m_defaultLabel->setObjectName(QStringLiteral("defaultPermissionLabel"));
    m_defaultLabel->setBuddy(m_defaultCombo);
    if (m_directory)
        connect(m_directory, &Directory::defaultPermissionChanged, this, &AccessMatrixPage::showDefaultPermission);

    m_roleCombo = new QComboBox(this);
    m_roleCombo->setObjectName(QStringLiteral("roleFilterCombo"));
    m_roleCombo->setAccessibleName(tr("Role filter"));
    m_roleCombo->setToolTip(tr("Show only the users who hold this role"));
    m_roleCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    // Narrow at least, so the row fits an 800-pixel screen; the popup shows whole names.
    m_roleCombo->setMinimumContentsLength(10);

    m_cellFilterCombo = new QComboBox(this);
    m_cellFilterCombo->setObjectName(QStringLiteral("cellFilterCombo"));
    m_cellFilterCombo->setAccessibleName(tr("Cells to show"));
    m_cellFilterCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_cellFilterCombo->setMinimumContentsLength(12);
    m_cellFilterCombo->addItem(tr("All cells"), static_cast<int>(MatrixFilterProxy::CellFilter::AllCells));
    m_cellFilterCombo->addItem(tr("Only cells with access"),
                               static_cast<int>(MatrixFilterProxy::CellFilter::CellsWithAccess));
    m_cellFilterCombo->addItem(tr("Only explicit grants"),
                               static_cast<int>(MatrixFilterProxy::CellFilter::ExplicitGrants));
    m_cellFilterCombo->setItemData(0, tr("Every user and every resource"), Qt::ToolTipRole);
    m_cellFilterCombo->setItemData(1,
                                   tr("Hide users and resources without any access to show. Administrators stay, "
                                      "but their access alone keeps no resource."),
                                   Qt::ToolTipRole);
    m_cellFilterCombo->setItemData(2, tr("Hide users and resources without an explicit grant or a staged change"),
                                   Qt::ToolTipRole);
    m_cellFilterCombo->setToolTip(tr("Which users and resources the matrix shows"));
    connect(m_cellFilterCombo, &QComboBox::currentIndexChanged, this, &AccessMatrixPage::applyCellFilter);
    connect(m_roleCombo, &QComboBox::currentIndexChanged, this, &AccessMatrixPage::applyRoleFilter);
    if (m_directory) {
        connect(m_directory, &Directory::reset, this, &AccessMatrixPage::updateRoleCombo);
        connect(m_directory, &Directory::rolesChanged, this, &AccessMatrixPage::updateRoleCombo);
    }

    auto* top = new QHBoxLayout;
    top->addWidget(m_rowFilterEdit, 1);
    top->addWidget(m_columnFilterEdit, 1);
    top->addWidget(m_typeCombo);
    top->addWidget(m_orientationCombo);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("matrixView"));
    m_view->setAccessibleName(tr("Access matrix"));
    m_view->setAccessibleDescription(tr("R, E, M and N set READ, EDIT, MANAGE and NO_PERMISSIONS on the selected "
                                        "cells, or on the current cell when none is selected; Delete revokes; F2 "
                                        "opens the permission list."));
    m_view->setHorizontalHeader(new ElidingHeaderView(Qt::Horizontal, m_view));
    m_view->setVerticalHeader(new ElidingHeaderView(Qt::Vertical, m_view));
    m_view->setModel(m_proxy);
    m_view->setItemDelegate(new PermissionDelegate(m_view));
    // Tab moves on to the next widget, as everywhere else; the arrow keys move between cells.
    m_view->setTabKeyNavigation(false);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectItems);
    m_view->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    m_view->setWordWrap(false);
    // Fixed sizes: ResizeToContents would measure every cell of a 2,000 x 20,000 matrix. Wide enough for the
    // longest usual cell text in the user's font; longer names are elided in the middle, whole in the tooltip.
    const QFontMetrics metrics = m_view->fontMetrics();
    int cellWidth = 0;
    for (const QString& sample : {tr("default (unknown) ◆"), tr("MANAGE (admin) ◆"), tr("MANAGE (role reviewers)")})
        cellWidth = qMax(cellWidth, metrics.horizontalAdvance(sample));
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->horizontalHeader()->setDefaultSectionSize(qBound(110, cellWidth + 16, 220));
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(metrics.height() + 8);
    m_view->verticalHeader()->setMinimumWidth(110);
    m_view->verticalHeader()->setMaximumWidth(metrics.horizontalAdvance(QLatin1Char('x')) * 32);
    m_widthMemory = new ColumnWidthMemory(m_view->horizontalHeader(), QStringLiteral("accessMatrix"),
                                          [this](int logicalIndex) { return columnKey(logicalIndex); });
    m_view->installEventFilter(this);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, &AccessMatrixPage::updateDetails);
    connect(m_proxy, &QAbstractItemModel::dataChanged, this, &AccessMatrixPage::updateDetails);

    m_details = new QLabel(this);
    m_details->setObjectName(QStringLiteral("cellDetails"));
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setAccessibleName(tr("Selected cell"));

    auto* legend = new QLabel(tr("● explicit grant   ◆ staged, not yet applied (hatched)   ◇ staged, same level   "
                                 "(admin) / (role …) / (default) inherited   — no access   ★ administrator"),
                              this);
    legend->setObjectName(QStringLiteral("legend"));
    legend->setWordWrap(true);

    // A row of its own, so the filters above keep their room on a narrow window. The role part is 3.13+ only.
    m_roleRow = new QWidget(this);
    auto* cellsLabel = new QLabel(tr("&Cells:"), m_roleRow);
    cellsLabel->setBuddy(m_cellFilterCombo);
    m_cellFilterCombo->setParent(m_roleRow);
    m_roleFilter = new QWidget(m_roleRow);
    auto* roleLabel = new QLabel(tr("&Role:"), m_roleFilter);
    roleLabel->setBuddy(m_roleCombo);
    m_roleCombo->setParent(m_roleFilter);
    auto* roleFilterLayout = new QHBoxLayout(m_roleFilter);
    roleFilterLayout->setContentsMargins(0, 0, 0, 0);
    roleFilterLayout->addWidget(roleLabel);
    roleFilterLayout->addWidget(m_roleCombo);
    auto* roleLayout = new QHBoxLayout(m_roleRow);
    roleLayout->setContentsMargins(0, 0, 0, 0);
    roleLayout->addWidget(cellsLabel);
    roleLayout->addWidget(m_cellFilterCombo);
    roleLayout->addSpacing(6);
    roleLayout->addWidget(m_roleFilter);
    roleLayout->addSpacing(6);
    roleLayout->addWidget(m_defaultLabel);
    roleLayout->addWidget(m_defaultCombo);
    roleLayout->addStretch(1);

    m_userPanel = new UserAccessPanel(directory, changeSet, this);
    m_splitter = new QSplitter(this);
    m_splitter->setObjectName(QStringLiteral("matrixSplitter"));
    m_splitter->addWidget(m_view);
    m_splitter->addWidget(m_userPanel);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({640, 320});
    m_splitter->setChildrenCollapsible(true);

    // Compare mode's bar: what changed since the snapshot, in words, the legend of the cell texts, and the way out.
    m_compareBar = new QWidget(this);
    m_compareBar->setObjectName(QStringLiteral("compareBar"));
    m_compareSummary = new QLabel(m_compareBar);
    m_compareSummary->setObjectName(QStringLiteral("compareSummary"));
    m_compareSummary->setWordWrap(true);
    m_compareSummary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* compareLegend = new QLabel(tr("+LEVEL gained   \u2212LEVEL lost   OLD\u2192NEW other level   "
                                        "LEVEL (reason) same level, other reason   other cells: unchanged"),
                                     m_compareBar);
    compareLegend->setObjectName(QStringLiteral("compareLegend"));
    compareLegend->setWordWrap(true);
    m_leaveCompareButton = new QPushButton(tr("&Leave Compare"), m_compareBar);
    m_leaveCompareButton->setObjectName(QStringLiteral("leaveCompareButton"));
    m_leaveCompareButton->setToolTip(tr("Show the matrix as it is, without the differences"));
    connect(m_leaveCompareButton, &QPushButton::clicked, this, &AccessMatrixPage::stopComparison);
    auto* compareText = new QVBoxLayout;
    compareText->setContentsMargins(0, 0, 0, 0);
    compareText->addWidget(m_compareSummary);
    compareText->addWidget(compareLegend);
    auto* compareLayout = new QHBoxLayout(m_compareBar);
    compareLayout->setContentsMargins(0, 0, 0, 0);
    compareLayout->addLayout(compareText, 1);
    compareLayout->addWidget(m_leaveCompareButton, 0, Qt::AlignTop);
    m_compareBar->hide();
    // Grants change one at a time while applying: sum up once they settle.
    m_compareTimer = new QTimer(this);
    m_compareTimer->setSingleShot(true);
    m_compareTimer->setInterval(0);
    connect(m_compareTimer, &QTimer::timeout, this, &AccessMatrixPage::updateCompareSummary);
    if (m_directory) {
        const auto later = [this] {
            if (isComparing())
                m_compareTimer->start();
        };
        connect(m_directory, &Directory::reset, this, later);
        connect(m_directory, &Directory::grantChanged, this, later);
        connect(m_directory, &Directory::userChanged, this, later);
        connect(m_directory, &Directory::usersChanged, this, later);
        connect(m_directory, &Directory::rolesChanged, this, later);
        connect(m_directory, &Directory::defaultPermissionChanged, this, later);
    }

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_roleRow);
    layout->addWidget(m_compareBar);
    layout->addWidget(m_splitter, 1);
    layout->addWidget(m_details);
    layout->addWidget(legend);

    setTabOrder(m_rowFilterEdit, m_columnFilterEdit);
    setTabOrder(m_columnFilterEdit, m_typeCombo);
    setTabOrder(m_typeCombo, m_orientationCombo);
    setTabOrder(m_orientationCombo, m_cellFilterCombo);
    setTabOrder(m_cellFilterCombo, m_roleCombo);
    setTabOrder(m_roleCombo, m_defaultCombo);
    setTabOrder(m_defaultCombo, m_view);
    setTabOrder(m_view, m_userPanel->view());
    showDefaultPermission();
    updateRoleCombo();
    updateDetails();
}

void AccessMatrixPage::startComparison(const AccessSnapshot& baseline, const QString& label)
{
    m_compareLabel = label;
    m_model->setComparison(baseline);
    m_compareBar->show();
    updateCompareSummary();
    updateDetails();
    emit comparisonChanged(true);
}

void AccessMatrixPage::stopComparison()
{
    if (!isComparing())
        return;
    m_model->clearComparison();
    m_compareBar->hide();
    m_compareTimer->stop();
    updateDetails();
    emit comparisonChanged(false);
}

bool AccessMatrixPage::isComparing() const
{
    return m_model->isComparing();
}

void AccessMatrixPage::updateCompareSummary()
{
    const AccessSnapshot* baseline = m_model->comparison();
    if (!baseline || !m_directory)
        return;
    // The live side takes the snapshot's header, so only what the Directory knows (cells, users, resources and the
    // default permission) can differ.
    AccessSnapshot::Origin origin;
    origin.serverUrl = baseline->serverUrl();
    origin.mlflowVersion = baseline->mlflowVersion();
    origin.workspace = baseline->workspace();
    const SnapshotDiff diff = SnapshotDiff::compare(*baseline, AccessSnapshot::fromDirectory(*m_directory, origin));
    // Per resource type, since the matrix shows one type at a time.
    int counts[2][4] = {{0, 0, 0, 0}, {0, 0, 0, 0}};
    for (const SnapshotDiff::CellChange& change : diff.cellChanges())
        ++counts[change.type == ResourceType::Experiment ? 0 : 1][static_cast<int>(change.change)];
    const auto countText = [](const int(&kinds)[4]) {
        QStringList parts;
        const QString names[4] = {tr("%1 gained"), tr("%1 lost"), tr("%1 other level"), tr("%1 other reason")};
        for (int kind = 0; kind < 4; ++kind) {
            if (kinds[kind] > 0)
                parts.append(names[kind].arg(kinds[kind]));
        }
        return parts.isEmpty() ? tr("no change") : parts.join(QLatin1String(", "));
    };
    QStringList parts;
    parts.append(tr("<b>Compare mode</b>: the server as loaded against the snapshot %1 of %2.")
                     .arg(m_compareLabel.toHtmlEscaped(),
                          baseline->takenAt().toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"))));
    if (diff.cellChanges().isEmpty())
        parts.append(tr("No cell changed."));
    else
        parts.append(tr("Experiments: %1. Registered models: %2.").arg(countText(counts[0]), countText(counts[1])));
    for (const SnapshotDiff::HeaderChange& change : diff.headerChanges()) {
        if (change.field == QLatin1String("default_permission"))
            parts.append(tr("Default permission: %1 then, %2 now.")
                             .arg(change.before.isEmpty() ? tr("unknown") : change.before,
                                  change.after.isEmpty() ? tr("unknown") : change.after));
    }
    const auto names = [](const auto& list, auto name) {
        QStringList result;
        for (const auto& entry : list)
            result.append(name(entry).toHtmlEscaped());
        return result.join(QLatin1String(", "));
    };
    const auto userName = [](const AccessSnapshot::UserEntry& user) {
        return user.username;
    };
    const auto resourceName = [](const AccessSnapshot::ResourceEntry& resource) {
        return resource.name;
    };
    if (!diff.addedUsers().isEmpty())
        parts.append(tr("New users: %1.").arg(names(diff.addedUsers(), userName)));
    if (!diff.removedUsers().isEmpty())
        parts.append(tr("Users gone (not in the matrix): %1.").arg(names(diff.removedUsers(), userName)));
    if (!diff.addedResources().isEmpty())
        parts.append(tr("New resources: %1.").arg(names(diff.addedResources(), resourceName)));
    if (!diff.removedResources().isEmpty())
        parts.append(tr("Resources gone (not in the matrix): %1.").arg(names(diff.removedResources(), resourceName)));
    m_compareSummary->setText(parts.join(QLatin1Char(' ')));
}

QString AccessMatrixPage::columnKey(int logicalIndex) const
{
    // Users and resources have widths of their own, and experiment ids must not meet model names.
    const QString value = m_proxy->headerData(logicalIndex, Qt::Horizontal, ModelRoles::ValueRole).toString();
    if (value.isEmpty())
        return {};
    if (m_model->orientation() == AccessMatrixModel::Orientation::UsersAsColumns)
        return QStringLiteral("user:") + value;
    return (m_model->resourceType() == ResourceType::Experiment ? QStringLiteral("experiment:")
                                                                : QStringLiteral("model:")) +
           value;
}

void AccessMatrixPage::applyCellFilter(int index)
{
    m_proxy->setCellFilter(static_cast<MatrixFilterProxy::CellFilter>(m_cellFilterCombo->itemData(index).toInt()));
    updateDetails();
}

void AccessMatrixPage::showDefaultPermission()
{
    const auto level = m_directory ? m_directory->defaultPermission() : std::nullopt;
    m_defaultCombo->setCurrentIndex(std::max(0, m_defaultCombo->findData(level ? static_cast<int>(*level) : -1)));
    const bool stated = m_directory && m_directory->isDefaultPermissionStated();
    // Only a stated default is a fact; anything chosen here is the admin's assumption about the server's ini.
    m_defaultCombo->setEnabled(!stated);
    m_defaultLabel->setText(stated ? tr("&Default:") : tr("Assumed &default:"));
    const QString tip =
        stated ? tr("The server's default_permission, from its configuration: what users get on resources they hold "
                    "no grant for.")
               : tr("A local assumption, not read from the server: MLflow's API does not reveal its "
                    "default_permission (set in its basic_auth.ini), which users get on resources they hold no grant "
                    "for. Choose what the server uses to have those cells explained; the profile keeps it.");
    m_defaultLabel->setToolTip(tip);
    m_defaultCombo->setToolTip(tip);
}

QModelIndex AccessMatrixPage::indexFor(const QString& username, const QString& resourceId) const
{
    return m_proxy->mapFromSource(m_model->indexFor(username, resourceId));
}

int AccessMatrixPage::setSelection(std::optional<PermissionLevel> level)
{
    if (!m_changeSet)
        return 0;
    // Counted from the ranges first: selecting a whole 2,000 x 20,000 matrix must not build 40 million indexes.
    qint64 selectedCount = 0;
    for (const QItemSelectionRange& range : m_view->selectionModel()->selection())
        selectedCount += qint64(range.width()) * range.height();
    if (selectedCount > maximumCellsPerEdit) {
        MessageBox::warning(this, tr("Too many cells"),
                            tr("%1 cells are selected. Change at most %2 cells at once; filter the rows and columns "
                               "to narrow the selection.")
                                .arg(selectedCount)
                                .arg(maximumCellsPerEdit));
        return 0;
    }
    QList<GrantCell> cells;
    QModelIndexList selected = m_view->selectionModel()->selectedIndexes();
    // A key on the current cell acts on it, selected or not: moving with the arrows and pressing R must work.
    if (selected.isEmpty() && m_view->currentIndex().isValid())
        selected.append(m_view->currentIndex());
    cells.reserve(selected.size());
    for (const QModelIndex& index : selected) {
        const QModelIndex source = m_proxy->mapToSource(index);
        const QString user = m_model->userFromIndex(source);
        const QString resource = m_model->resourceFromIndex(source);
        if (user.isEmpty() || resource.isEmpty() || !(m_model->flags(source) & Qt::ItemIsEditable))
            continue;
        cells.append(GrantCell{user, ResourceKey{m_model->resourceType(), resource}});
    }
    if (cells.isEmpty() || !m_changeSet->stageGrants(cells, level))
        return 0;
    return static_cast<int>(cells.size());
}

bool AccessMatrixPage::eventFilter(QObject* watched, QEvent* event)
{
    // While a cell editor is open, keys go to the editor, not to the view, so typing there is never caught here.
    if (watched == m_view && event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if (key->modifiers() & ~(Qt::ShiftModifier | Qt::KeypadModifier))
            return QWidget::eventFilter(watched, event);
        switch (key->key()) {
        case Qt::Key_R:
            setSelection(PermissionLevel::Read);
            return true;
        case Qt::Key_E:
            setSelection(PermissionLevel::Edit);
            return true;
        case Qt::Key_M:
            setSelection(PermissionLevel::Manage);
            return true;
        case Qt::Key_N:
            setSelection(PermissionLevel::NoPermissions);
            return true;
        case Qt::Key_Delete:
        case Qt::Key_Backspace:
            setSelection(std::nullopt);
            return true;
        default:
            break;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void AccessMatrixPage::updateDetails()
{
    const QModelIndex index = m_view->currentIndex();
    m_userPanel->setUser(index.isValid() ? m_model->userFromIndex(m_proxy->mapToSource(index)) : QString());
    if (!index.isValid()) {
        m_details->setText(tr("Go to a cell or select several, then press R, E, M or N to set READ, EDIT, MANAGE or "
                              "NO_PERMISSIONS, Delete to revoke, or double-click a cell to choose."));
        return;
    }
    const QModelIndex source = m_proxy->mapToSource(index);
    const ResourceType type = m_model->resourceType();
    const QString resource = m_model->resourceFromIndex(source);
    const int row = m_directory ? m_directory->resourceRow(type, resource) : -1;
    const QString resourceName = row >= 0 ? m_directory->resourceNameAt(type, row) : resource;
    QString text =
        tr("%1 on %2: %3").arg(m_model->userFromIndex(source), resourceName, m_model->permissionAt(source).reason());
    if (source.data(ModelRoles::PendingRole).toBool())
        text += QLatin1Char(' ') + tr("(staged, not yet applied)");
    const QString error = source.data(ModelRoles::ErrorRole).toString();
    if (!error.isEmpty())
        text += QLatin1Char('\n') + tr("Last apply failed: %1").arg(error);
    m_details->setText(text);
}

void AccessMatrixPage::applyFilters()
{
    m_filterTimer->stop();
    if (m_proxy->rowFilter() != m_rowFilterEdit->text())
        m_proxy->setRowFilter(m_rowFilterEdit->text());
    if (m_proxy->columnFilter() != m_columnFilterEdit->text())
        m_proxy->setColumnFilter(m_columnFilterEdit->text());
}

void AccessMatrixPage::orientationChanged(int index)
{
    m_model->setOrientation(index == 0 ? AccessMatrixModel::Orientation::UsersAsRows
                                       : AccessMatrixModel::Orientation::UsersAsColumns);
    // The filters follow the axes: swap their texts so they keep filtering users and resources.
    const QString rows = m_rowFilterEdit->text();
    m_rowFilterEdit->setText(m_columnFilterEdit->text());
    m_columnFilterEdit->setText(rows);
    applyFilters();
    updateDetails();
}

void AccessMatrixPage::typeChanged(int index)
{
    m_model->setResourceType(index == 0 ? ResourceType::Experiment : ResourceType::RegisteredModel);
    updateDetails();
}

// The combo lists the named roles by id, so a rename or a reload keeps the chosen one where it still exists.
void AccessMatrixPage::updateRoleCombo()
{
    const qint64 chosen = m_roleCombo->currentData().isValid() ? m_roleCombo->currentData().toLongLong() : -1;
    const QSignalBlocker blocker(m_roleCombo);
    m_roleCombo->clear();
    m_roleCombo->addItem(tr("All users"), QVariant());
    int current = 0;
    if (m_directory) {
        for (int row = 0; row < m_directory->roleCount(); ++row) {
            const Role& role = m_directory->roleAt(row).role;
            m_roleCombo->addItem(tr("Role %1").arg(role.name), role.id);
            if (role.id == chosen)
                current = m_roleCombo->count() - 1;
        }
    }
    m_roleCombo->setCurrentIndex(current);
    m_roleFilter->setVisible(m_directory && m_directory->generation() == ApiGeneration::Rbac);
    applyRoleFilter();
}

void AccessMatrixPage::applyRoleFilter()
{
    const QVariant data = m_roleCombo->currentData();
    const int row = data.isValid() && m_directory ? m_directory->roleRow(data.toLongLong()) : -1;
    if (row < 0) {
        m_proxy->setUserFilter(std::nullopt);
    } else {
        const QStringList members = m_directory->roleAt(row).members;
        m_proxy->setUserFilter(QSet<QString>(members.cbegin(), members.cend()));
    }
    updateDetails();
}

bool AccessMatrixPage::setRoleFilter(const QString& roleName)
{
    if (roleName.isEmpty()) {
        m_roleCombo->setCurrentIndex(0);
        return true;
    }
    const int index = m_roleCombo->findText(tr("Role %1").arg(roleName));
    if (index < 0)
        return false;
    m_roleCombo->setCurrentIndex(index);
    return true;
}

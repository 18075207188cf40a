#include "views/PermissionDelegate.h"

#include "api/PermissionLevel.h"
#include "models/ModelRoles.h"

#include <QApplication>
#include <QComboBox>
#include <QPainter>

PermissionDelegate::PermissionDelegate(QObject* parent) : QStyledItemDelegate(parent) {}

void PermissionDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    if (!index.data(ModelRoles::PendingRole).toBool()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionViewItem item(option);
    initStyleOption(&item, index);
    // The hatch goes under the text: background, then diagonal lines, then the item without its background.
    painter->fillRect(item.rect, item.backgroundBrush);
    painter->fillRect(item.rect, QBrush(QColor(0x6a, 0x3d, 0x9a, 110), Qt::BDiagPattern));
    item.backgroundBrush = Qt::NoBrush;
    const QWidget* widget = option.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &item, painter, widget);
}

QWidget* PermissionDelegate::createEditor(QWidget* parent, const QStyleOptionViewItem& option,
                                          const QModelIndex& index) const
{
    Q_UNUSED(option)
    Q_UNUSED(index)
    auto* combo = new QComboBox(parent);
    combo->setObjectName(QStringLiteral("permissionCombo"));
    combo->setAccessibleName(tr("Permission"));
    for (const PermissionLevel level :
         {PermissionLevel::Read, PermissionLevel::Edit, PermissionLevel::Manage, PermissionLevel::NoPermissions})
        combo->addItem(Permissions::name(level), static_cast<int>(level));
    combo->addItem(tr("Revoke explicit permission"), revokeValue);
    combo->setItemData(combo->count() - 1,
                       tr("Remove the explicit row: the user falls back to the server's default permission."),
                       Qt::ToolTipRole);
    // Commit as soon as a level is picked, so one click in the popup is one staged change.
    connect(combo, &QComboBox::activated, this, [this, combo] {
        auto* self = const_cast<PermissionDelegate*>(this);
        emit self->commitData(combo);
        emit self->closeEditor(combo);
    });
    return combo;
}

void PermissionDelegate::setEditorData(QWidget* editor, const QModelIndex& index) const
{
    auto* combo = qobject_cast<QComboBox*>(editor);
    if (!combo)
        return;
    // Start from the explicit row: that is what an edit changes. Without one, offer READ as the first step up.
    const int explicitLevel = index.data(ModelRoles::ExplicitLevelRole).toInt();
    const bool pending = index.data(ModelRoles::PendingRole).toBool();
    const int current = pending ? index.data(ModelRoles::PermissionLevelRole).toInt() : explicitLevel;
    const int row = combo->findData(current);
    combo->setCurrentIndex(row >= 0 ? row : 0);
}

void PermissionDelegate::setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const
{
    auto* combo = qobject_cast<QComboBox*>(editor);
    if (!combo)
        return;
    const int value = combo->currentData().toInt();
    // Writing the value the cell already has would stage a no-op; the ChangeSet drops those itself.
    model->setData(index, value, Qt::EditRole);
}

void PermissionDelegate::updateEditorGeometry(QWidget* editor, const QStyleOptionViewItem& option,
                                              const QModelIndex& index) const
{
    Q_UNUSED(index)
    editor->setGeometry(option.rect);
}

#pragma once

#include <QStyledItemDelegate>

// Edits one access matrix cell with a combo of the levels MLflow 2.x accepts plus "revoke" (remove the explicit
// row). The choice is written as the model's EditRole (PermissionLevel as int, -1 for revoke), which stages it.
// Staged cells are painted hatched over their own background colour, so they stand out without reading the ◆.
class PermissionDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    explicit PermissionDelegate(QObject* parent = nullptr);

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    void setEditorData(QWidget* editor, const QModelIndex& index) const override;
    void setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const override;
    void updateEditorGeometry(QWidget* editor, const QStyleOptionViewItem& option,
                              const QModelIndex& index) const override;

    static constexpr int revokeValue = -1;
};

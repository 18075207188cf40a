#include "views/ErrorLabel.h"

#include <QLabel>
#include <QPalette>

namespace ErrorLabel {

QColor color()
{
    return QColor(0xa0, 0x1c, 0x1c);
}

QLabel* create(QWidget* parent)
{
    auto* label = new QLabel(parent);
    label->setObjectName(QStringLiteral("errorLabel"));
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette palette = label->palette();
    palette.setColor(QPalette::WindowText, color());
    label->setPalette(palette);
    label->hide();
    return label;
}

} // namespace ErrorLabel

#include "views/ElidingLabel.h"

#include <QHelpEvent>
#include <QPainter>
#include <QStyle>
#include <QToolTip>

ElidingLabel::ElidingLabel(QWidget* parent, Qt::TextElideMode mode) : QLabel(parent), m_mode(mode)
{
    setTextFormat(Qt::PlainText);
    // As wide as its text where there is room; narrower (elided) where there is not.
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
}

QString ElidingLabel::displayedText() const
{
    return fontMetrics().elidedText(text(), m_mode, contentsRect().width());
}

bool ElidingLabel::isElided() const
{
    return displayedText() != text();
}

QString ElidingLabel::displayedToolTip() const
{
    if (!isElided())
        return toolTip();
    return toolTip().isEmpty() ? text() : text() + QLatin1Char('\n') + toolTip();
}

void ElidingLabel::setShrinkable(bool shrinkable)
{
    m_shrinkable = shrinkable;
    updateGeometry();
}

QSize ElidingLabel::minimumSizeHint() const
{
    if (!m_shrinkable)
        return sizeHint();
    // Room for a few characters and the ellipsis: enough to recognise the field, the tooltip has the rest.
    const QSize hint = QLabel::minimumSizeHint();
    const int margins = contentsMargins().left() + contentsMargins().right();
    const int width = fontMetrics().horizontalAdvance(text().left(4) + QChar(0x2026)) + margins;
    return {qMin(hint.width(), width), hint.height()};
}

bool ElidingLabel::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        const QString tip = displayedToolTip();
        if (tip.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(static_cast<QHelpEvent*>(event)->globalPos(), tip, this);
        return true;
    }
    return QLabel::event(event);
}

void ElidingLabel::paintEvent(QPaintEvent* event)
{
    Q_UNUSED(event);
    QPainter painter(this);
    const QRect rect = contentsRect();
    style()->drawItemText(&painter, rect, QStyle::visualAlignment(layoutDirection(), alignment()), palette(),
                          isEnabled(), fontMetrics().elidedText(text(), m_mode, rect.width()), foregroundRole());
}

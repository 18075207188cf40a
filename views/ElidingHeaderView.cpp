#include "views/ElidingHeaderView.h"

#include <QPainter>
#include <QStyleOptionHeader>

ElidingHeaderView::ElidingHeaderView(Qt::Orientation orientation, QWidget* parent) : QHeaderView(orientation, parent)
{
    setSectionsClickable(true);
    setHighlightSections(true);
}

QString ElidingHeaderView::elidedPath(const QString& text, const QFontMetrics& metrics, int width)
{
    if (metrics.horizontalAdvance(text) <= width)
        return text;
    const QString ellipsis = QStringLiteral("…");
    const QStringList parts = text.split(QLatin1Char('/'));
    // "/a/b/c" splits into "", "a", "b", "c": keep the first named part and the last, drop what is between.
    const int first = parts.size() > 1 && parts.first().isEmpty() ? 1 : 0;
    if (parts.size() - first >= 3) {
        QStringList head = parts.mid(0, first + 1);
        QStringList tail{parts.last()};
        // Give back the dropped parts from both ends while they fit, the end first (it names the resource).
        int left = first + 1;
        int right = static_cast<int>(parts.size()) - 2;
        auto candidate = [&] {
            return head.join(QLatin1Char('/')) + QLatin1Char('/') + ellipsis + QLatin1Char('/') +
                   tail.join(QLatin1Char('/'));
        };
        if (metrics.horizontalAdvance(candidate()) <= width) {
            bool grew = true;
            while (grew && left <= right) {
                grew = false;
                tail.prepend(parts.at(right));
                if (metrics.horizontalAdvance(candidate()) <= width) {
                    --right;
                    grew = true;
                } else {
                    tail.removeFirst();
                }
                if (left > right)
                    break;
                head.append(parts.at(left));
                if (metrics.horizontalAdvance(candidate()) <= width) {
                    ++left;
                    grew = true;
                } else {
                    head.removeLast();
                }
            }
            return candidate();
        }
    }
    // Narrower still: the last part names the resource, so it goes first, whole if it fits.
    if (parts.size() - first >= 2) {
        const QString last = ellipsis + QLatin1Char('/') + parts.last();
        if (metrics.horizontalAdvance(last) <= width)
            return last;
    }
    return metrics.elidedText(text, Qt::ElideMiddle, width);
}

int ElidingHeaderView::textWidth(int sectionSize) const
{
    const int margin = style()->pixelMetric(QStyle::PM_HeaderMargin, nullptr, this);
    // Room for the sort arrow too, whether shown or not, so a click on the header never re-elides the text.
    const int arrow = isSortIndicatorShown() ? style()->pixelMetric(QStyle::PM_HeaderMarkSize, nullptr, this) : 0;
    return qMax(0, sectionSize - 2 * margin - arrow - 2);
}

QString ElidingHeaderView::displayedText(int logicalIndex) const
{
    if (!model())
        return {};
    const QString text = model()->headerData(logicalIndex, orientation(), Qt::DisplayRole).toString();
    const int size = orientation() == Qt::Horizontal ? sectionSize(logicalIndex) : width();
    return elidedPath(text, fontMetrics(), textWidth(size));
}

void ElidingHeaderView::paintSection(QPainter* painter, const QRect& rect, int logicalIndex) const
{
    if (!rect.isValid())
        return;
    // As QHeaderView::paintSection, with the text replaced by its elided form.
    QStyleOptionHeaderV2 option;
    initStyleOption(&option);
    initStyleOptionForIndex(&option, logicalIndex);
    option.rect = rect;
    option.text = elidedPath(option.text, QFontMetrics(option.fontMetrics), textWidth(rect.width()));
    const QPointF brushOrigin = painter->brushOrigin();
    painter->setBrushOrigin(rect.topLeft());
    style()->drawControl(QStyle::CE_Header, &option, painter, this);
    painter->setBrushOrigin(brushOrigin);
}

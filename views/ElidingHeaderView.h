#pragma once

#include <QHeaderView>

// A header that shortens long names in the middle, path-aware: "/team094/project/sub/experiment019994" becomes
// "/team094/…/experiment019994" when that fits, else Qt's middle elision. The beginning and the end are what
// tell resources apart; the full name is the header's tooltip (the model's ToolTipRole).
class ElidingHeaderView : public QHeaderView
{
    Q_OBJECT

public:
    explicit ElidingHeaderView(Qt::Orientation orientation, QWidget* parent = nullptr);

    // The text painted for the section at its current size.
    QString displayedText(int logicalIndex) const;
    // `text` shortened to `width` pixels in `metrics`, as the header paints it.
    static QString elidedPath(const QString& text, const QFontMetrics& metrics, int width);

protected:
    void paintSection(QPainter* painter, const QRect& rect, int logicalIndex) const override;

private:
    int textWidth(int sectionSize) const;
};

#include "reports/LevelChart.h"

#include "models/PermissionColors.h"

#include <QCoreApplication>
#include <QFontMetrics>
#include <QPainter>

#include <algorithm>
#include <array>

namespace {

struct Segment
{
    const char* label;
    Qt::BrushStyle pattern; // told apart without colour
    int AccessReport::LevelCount::*count;
};

const std::array<Segment, 4>& segments()
{
    static const std::array<Segment, 4> all{{
        {QT_TRANSLATE_NOOP("LevelChart", "admin"), Qt::CrossPattern, &AccessReport::LevelCount::admin},
        {QT_TRANSLATE_NOOP("LevelChart", "direct grant"), Qt::SolidPattern, &AccessReport::LevelCount::explicitGrant},
        {QT_TRANSLATE_NOOP("LevelChart", "role"), Qt::BDiagPattern, &AccessReport::LevelCount::role},
        {QT_TRANSLATE_NOOP("LevelChart", "default permission"), Qt::Dense6Pattern,
         &AccessReport::LevelCount::byDefault},
    }};
    return all;
}

// A darker shade of the level's tint, for patterns and outlines that must show on white paper.
QColor ink(PermissionLevel level)
{
    return PermissionColors::tint(level).darker(190);
}

} // namespace

namespace LevelChart {

QImage render(const AccessReport& report, int width, qreal scale)
{
    const QList<AccessReport::LevelCount>& levels = report.distribution();
    QFont font;
    font.setPixelSize(12);
    const QFontMetrics metrics(font);
    const int line = metrics.height();
    const int barHeight = line + 6;
    const int gap = 6;
    int labelWidth = 0;
    for (const AccessReport::LevelCount& level : levels)
        labelWidth = std::max(labelWidth, metrics.horizontalAdvance(Permissions::name(level.level)));
    labelWidth += 10;
    const int legendHeight = line + 10;
    const int height = static_cast<int>(levels.size()) * (barHeight + gap) + legendHeight + gap;

    QImage image(QSize(width, height) * scale, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(scale);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.setFont(font);

    int largest = 1;
    for (const AccessReport::LevelCount& level : levels)
        largest = std::max(largest, level.total());
    QString largestText = QString::number(largest);
    const int countWidth = metrics.horizontalAdvance(largestText) + 12;
    const int barSpace = std::max(40, width - labelWidth - countWidth);

    int y = 0;
    for (const AccessReport::LevelCount& level : levels) {
        painter.setPen(Qt::black);
        painter.drawText(QRect(0, y, labelWidth - 6, barHeight), Qt::AlignRight | Qt::AlignVCenter,
                         Permissions::name(level.level));
        qreal x = labelWidth;
        for (const Segment& segment : segments()) {
            const int value = level.*(segment.count);
            if (value == 0)
                continue;
            const qreal length = std::max(2.0, qreal(barSpace) * value / largest);
            const QRectF bar(x, y, length, barHeight);
            painter.fillRect(bar, PermissionColors::tint(level.level));
            if (segment.pattern != Qt::SolidPattern)
                painter.fillRect(bar, QBrush(ink(level.level), segment.pattern));
            painter.setPen(QPen(ink(level.level), 1));
            painter.drawRect(bar.adjusted(0, 0, -1, -1));
            x += length;
        }
        painter.setPen(Qt::black);
        painter.drawText(QRectF(x + 6, y, countWidth, barHeight), Qt::AlignLeft | Qt::AlignVCenter,
                         QString::number(level.total()));
        y += barHeight + gap;
    }

    // The legend: each source's pattern in a neutral grey with its name.
    int x = labelWidth;
    y += gap;
    const QColor neutral(0x70, 0x70, 0x70);
    for (const Segment& segment : segments()) {
        const QRect swatch(x, y + 2, line, line - 2);
        painter.fillRect(swatch, QColor(0xe8, 0xe8, 0xe8));
        if (segment.pattern != Qt::SolidPattern)
            painter.fillRect(swatch, QBrush(neutral, segment.pattern));
        painter.setPen(neutral);
        painter.drawRect(swatch.adjusted(0, 0, -1, -1));
        painter.setPen(Qt::black);
        const QString label = QCoreApplication::translate("LevelChart", segment.label);
        painter.drawText(QPoint(x + line + 4, y + metrics.ascent()), label);
        x += line + 4 + metrics.horizontalAdvance(label) + 16;
    }
    return image;
}

} // namespace LevelChart

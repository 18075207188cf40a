#pragma once

#include "models/AccessReport.h"

#include <QImage>

// The distribution of permission levels as a horizontal stacked bar chart: one bar per level, split by where the
// level comes from (admin, direct grant, role, default permission). Every bar carries its count and the legend
// names every segment's source, so the chart reads without colour too (the segments are also hatched apart).
namespace LevelChart {

// `width` in device-independent pixels; the image is `scale` times larger for print and high-density screens.
QImage render(const AccessReport& report, int width, qreal scale);

} // namespace LevelChart

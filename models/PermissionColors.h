#pragma once

#include "api/PermissionLevel.h"

#include <QColor>

// The one palette for permission levels, shared by the access matrix and the reports' charts: light tints that keep
// black text readable. Colour is never the only cue; every place that paints a tint also names the level.
namespace PermissionColors {

QColor tint(PermissionLevel level);
// The tint of a staged cell, unlike every level's, so a pending change stands out.
QColor staged();

} // namespace PermissionColors

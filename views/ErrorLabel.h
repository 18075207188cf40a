#pragma once

#include <QColor>

class QLabel;
class QWidget;

// The error area of the console's dialogs: its own line under the form (it never covers a field), plain selectable
// text that can be copied into a ticket, in a dark red that stays readable on light themes; hidden until it has
// something to say. The text itself always says what went wrong, so the colour is never the only cue.
namespace ErrorLabel {

QColor color();
// A hidden label named "errorLabel" (tests find it by that name).
QLabel* create(QWidget* parent);

} // namespace ErrorLabel

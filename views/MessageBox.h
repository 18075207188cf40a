#pragma once

#include <QMessageBox>
#include <QString>

#include <functional>

// Every confirmation and error box of the console goes through here. Boxes never block: they open with open() and
// report the answer through a callback, so no nested event loop runs inside network or load signal handlers. GUI
// tests queue the answer of the next box with setNextAnswer() (KeePassXC's idea); that box is then not shown at all
// and its callback runs at once.
class MessageBox
{
public:
    using Button = QMessageBox::StandardButton;
    using Buttons = QMessageBox::StandardButtons;
    using Answered = std::function<void(Button)>;

    // The answer the next box gives without being shown; NoButton turns the override off again.
    static void setNextAnswer(Button button);
    // How many boxes were asked for (answered by setNextAnswer or shown) since the process started.
    static int shownCount();
    // The text of the last box, for tests that check what the user would have read.
    static QString lastText();

    // A question; `answered` runs with the button the user picked (Escape or closing gives the escape button).
    // `details` goes to the expandable detailed text.
    static void question(QWidget* parent, const QString& title, const QString& text, Answered answered,
                         Buttons buttons = Buttons(QMessageBox::Yes | QMessageBox::No),
                         Button defaultButton = QMessageBox::No, const QString& details = QString());
    // A warning with only OK; nothing waits for it.
    static void warning(QWidget* parent, const QString& title, const QString& text, const QString& details = QString());

private:
    static void open(QWidget* parent, QMessageBox::Icon icon, const QString& title, const QString& text,
                     Buttons buttons, Button defaultButton, const QString& details, Answered answered);

    static Button s_nextAnswer;
    static int s_shownCount;
    static QString s_lastText;
};

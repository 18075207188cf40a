#pragma once

#include <QMessageBox>
#include <QString>

#include <functional>

// Every confirmation of the console goes through here, so GUI tests can queue the button a dialog would have been
// answered with (setNextAnswer, KeePassXC's idea) and never block on a modal box.
class MessageBox
{
public:
    using Button = QMessageBox::StandardButton;
    using Buttons = QMessageBox::StandardButtons;

    // The answer the next box returns without being shown; NoButton turns the override off again.
    static void setNextAnswer(Button button);
    // How many boxes were answered by setNextAnswer or shown since the process started (tests check it).
    static int shownCount();
    // The text of the last box (answered or shown), for tests that check what the user would have read.
    static QString lastText();

    static Button question(QWidget* parent, const QString& title, const QString& text,
                           Buttons buttons = Buttons(QMessageBox::Yes | QMessageBox::No),
                           Button defaultButton = QMessageBox::No, const QString& details = QString());
    static Button warning(QWidget* parent, const QString& title, const QString& text, Buttons buttons = QMessageBox::Ok,
                          Button defaultButton = QMessageBox::NoButton, const QString& details = QString());
    static Button information(QWidget* parent, const QString& title, const QString& text,
                              Buttons buttons = QMessageBox::Ok, Button defaultButton = QMessageBox::NoButton);

    // A warning that does not wait for an answer (open(), deleted on close): for errors reported from a slot,
    // where a nested event loop would stall the work that is still running.
    static void showWarning(QWidget* parent, const QString& title, const QString& text,
                            const QString& details = QString());

    // A question that does not wait: `answered` runs with the button once the user picks one (at once when a
    // next answer is queued). For questions raised from signal handlers of running work.
    static void askLater(QWidget* parent, const QString& title, const QString& text, Buttons buttons,
                         Button defaultButton, std::function<void(Button)> answered);

private:
    static Button ask(QWidget* parent, QMessageBox::Icon icon, const QString& title, const QString& text,
                      Buttons buttons, Button defaultButton, const QString& details);

    static Button s_nextAnswer;
    static int s_shownCount;
    static QString s_lastText;
};

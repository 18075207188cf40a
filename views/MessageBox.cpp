#include "views/MessageBox.h"

MessageBox::Button MessageBox::s_nextAnswer = QMessageBox::NoButton;
int MessageBox::s_shownCount = 0;
QString MessageBox::s_lastText;

void MessageBox::setNextAnswer(Button button)
{
    s_nextAnswer = button;
}

int MessageBox::shownCount()
{
    return s_shownCount;
}

QString MessageBox::lastText()
{
    return s_lastText;
}

MessageBox::Button MessageBox::question(QWidget* parent, const QString& title, const QString& text, Buttons buttons,
                                        Button defaultButton, const QString& details)
{
    return ask(parent, QMessageBox::Question, title, text, buttons, defaultButton, details);
}

MessageBox::Button MessageBox::warning(QWidget* parent, const QString& title, const QString& text, Buttons buttons,
                                       Button defaultButton, const QString& details)
{
    return ask(parent, QMessageBox::Warning, title, text, buttons, defaultButton, details);
}

MessageBox::Button MessageBox::information(QWidget* parent, const QString& title, const QString& text, Buttons buttons,
                                           Button defaultButton)
{
    return ask(parent, QMessageBox::Information, title, text, buttons, defaultButton, QString());
}

MessageBox::Button MessageBox::ask(QWidget* parent, QMessageBox::Icon icon, const QString& title, const QString& text,
                                   Buttons buttons, Button defaultButton, const QString& details)
{
    ++s_shownCount;
    s_lastText = text;
    if (s_nextAnswer != QMessageBox::NoButton) {
        const Button answer = s_nextAnswer;
        s_nextAnswer = QMessageBox::NoButton;
        return answer;
    }
    // Our own box (not the static QMessageBox helpers) so the detailed text can list what a deletion removes.
    QMessageBox box(icon, title, text, buttons, parent);
    if (defaultButton != QMessageBox::NoButton)
        box.setDefaultButton(defaultButton);
    if (!details.isEmpty())
        box.setDetailedText(details);
    box.setTextFormat(Qt::PlainText);
    return static_cast<Button>(box.exec());
}

void MessageBox::showWarning(QWidget* parent, const QString& title, const QString& text, const QString& details)
{
    ++s_shownCount;
    s_lastText = text;
    if (s_nextAnswer != QMessageBox::NoButton) {
        s_nextAnswer = QMessageBox::NoButton;
        return;
    }
    auto* box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setTextFormat(Qt::PlainText);
    if (!details.isEmpty())
        box->setDetailedText(details);
    box->open();
}

void MessageBox::askLater(QWidget* parent, const QString& title, const QString& text, Buttons buttons,
                          Button defaultButton, std::function<void(Button)> answered)
{
    ++s_shownCount;
    s_lastText = text;
    if (s_nextAnswer != QMessageBox::NoButton) {
        const Button answer = s_nextAnswer;
        s_nextAnswer = QMessageBox::NoButton;
        answered(answer);
        return;
    }
    auto* box = new QMessageBox(QMessageBox::Question, title, text, buttons, parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setTextFormat(Qt::PlainText);
    if (defaultButton != QMessageBox::NoButton)
        box->setDefaultButton(defaultButton);
    QObject::connect(box, &QMessageBox::finished, box,
                     [box, answered](int) { answered(box->standardButton(box->clickedButton())); });
    box->open();
}

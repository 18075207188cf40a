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

void MessageBox::question(QWidget* parent, const QString& title, const QString& text, Answered answered,
                          Buttons buttons, Button defaultButton, const QString& details)
{
    open(parent, QMessageBox::Question, title, text, buttons, defaultButton, details, std::move(answered));
}

void MessageBox::warning(QWidget* parent, const QString& title, const QString& text, const QString& details)
{
    open(parent, QMessageBox::Warning, title, text, QMessageBox::Ok, QMessageBox::Ok, details, Answered());
}

void MessageBox::open(QWidget* parent, QMessageBox::Icon icon, const QString& title, const QString& text,
                      Buttons buttons, Button defaultButton, const QString& details, Answered answered)
{
    ++s_shownCount;
    s_lastText = text;
    if (s_nextAnswer != QMessageBox::NoButton) {
        const Button answer = s_nextAnswer;
        s_nextAnswer = QMessageBox::NoButton;
        if (answered)
            answered(answer);
        return;
    }
    auto* box = new QMessageBox(icon, title, text, buttons, parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setTextFormat(Qt::PlainText);
    if (defaultButton != QMessageBox::NoButton)
        box->setDefaultButton(defaultButton);
    if (!details.isEmpty())
        box->setDetailedText(details);
    if (answered) {
        // The box is a child of `parent`, so the callback (which usually captures it) cannot outlive it.
        QObject::connect(box, &QMessageBox::finished, box, [box, answered](int) {
            const Button clicked = box->standardButton(box->clickedButton());
            answered(clicked == QMessageBox::NoButton ? QMessageBox::Cancel : clicked);
        });
    }
    box->open();
}

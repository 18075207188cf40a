#pragma once

#include <QDialog>

class QTextBrowser;

// Help > Manual (F1): the short manual shipped in the program's resources (resources/help/manual.html), so it is
// there without a network or a browser.
class ManualDialog : public QDialog
{
    Q_OBJECT

public:
    explicit ManualDialog(QWidget* parent = nullptr);

    QString plainText() const;

private:
    QTextBrowser* m_browser = nullptr;
};

#pragma once

#include <QDialog>

class Session;

// Help > About: what is running (this program's version, Qt's, the server's MLflow and API generation) and the
// licence, in a form a bug report can quote.
class AboutDialog : public QDialog
{
    Q_OBJECT

public:
    explicit AboutDialog(const Session* session, QWidget* parent = nullptr);

    // The dialog's text, for the Copy button and for tests.
    QString text() const { return m_text; }

private:
    QString m_text;
};

#pragma once

#include <QDialog>
#include <QStringList>

class QButtonGroup;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QStackedWidget;

// "This server cannot list its users": the one place where the admin says where the console gets them from, at
// sign-in and from the Users page alike. Three choices: open the server's auth database (an SQLite file, or a
// PostgreSQL/MySQL URI with its password apart, for the keychain), type or paste user names, or continue with the
// users known so far. The dialog only asks; whoever opened it does the work on chosen() and answers with
// finish() or showError(), so a wrong path or an unknown name is said here and the admin can correct it.
class UsersSourceDialog : public QDialog
{
    Q_OBJECT

public:
    enum class Choice { AuthDatabase, UserNames, Continue };
    enum class DatabaseKind { SqliteFile, ServerDatabase };

    // `explanation` says which server and how many users are known; `initial` is the choice selected first.
    UsersSourceDialog(const QString& explanation, Choice initial, QWidget* parent = nullptr);

    Choice choice() const;
    void setChoice(Choice choice);
    DatabaseKind databaseKind() const;
    void setDatabaseKind(DatabaseKind kind);
    // The auth database as a URI: sqlite:////abs/path for a file, else what the URI field holds.
    QString authDatabaseUri() const;
    // Fills the form from a URI (a kept choice to correct): the file of an sqlite:/// URI, else the URI field.
    void setAuthDatabaseUri(const QString& uri);
    // The server database's password, empty for SQLite; it is never put into the URI.
    QString authDatabasePassword() const;
    QStringList userNames() const;

    // Names typed one per line or separated by commas, trimmed, without empty ones or repeats.
    static QStringList parseUserNames(const QString& text);

    // The work chosen() started succeeded: the dialog closes (accepted).
    void finish();
    // It failed: the dialog stays open with `message` in its error area.
    void showError(const QString& message);
    QString errorText() const;
    bool isBusy() const { return m_busy; }

    QLineEdit* sqlitePathEdit() const { return m_sqlitePathEdit; }
    QLineEdit* uriEdit() const { return m_uriEdit; }
    QLineEdit* passwordEdit() const { return m_passwordEdit; }
    QPlainTextEdit* namesEdit() const { return m_namesEdit; }
    QPushButton* okButton() const { return m_okButton; }

signals:
    // OK was pressed with a usable form; answer with finish() or showError().
    void chosen(UsersSourceDialog::Choice choice);

private:
    void buildUi(const QString& explanation);
    void updateForm();
    void clearError();
    void submit();
    void chooseFile();
    void setBusy(bool busy, const QString& text = QString());

    QButtonGroup* m_choices = nullptr;
    QRadioButton* m_databaseRadio = nullptr;
    QRadioButton* m_namesRadio = nullptr;
    QRadioButton* m_continueRadio = nullptr;
    QStackedWidget* m_pages = nullptr;
    QRadioButton* m_sqliteRadio = nullptr;
    QRadioButton* m_serverRadio = nullptr;
    QStackedWidget* m_databasePages = nullptr;
    QLineEdit* m_sqlitePathEdit = nullptr;
    QLineEdit* m_uriEdit = nullptr;
    QLineEdit* m_passwordEdit = nullptr;
    QPlainTextEdit* m_namesEdit = nullptr;
    QLabel* m_errorLabel = nullptr;
    QProgressBar* m_progress = nullptr;
    QPushButton* m_okButton = nullptr;
    bool m_busy = false;
};

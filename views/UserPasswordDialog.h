#pragma once

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;

// Asks for a new user's name and password, or a new password for an existing user: the password twice (or
// generated), with a "show" switch, and OK only when both entries match and are long enough.
class UserPasswordDialog : public QDialog
{
    Q_OBJECT
    // How long a copied password stays on the clipboard (ms); a property so that tests need not wait a minute.
    Q_PROPERTY(int clipboardClearDelay READ clipboardClearDelay WRITE setClipboardClearDelay)

public:
    enum class Mode { NewUser, ResetPassword };

    // `username` is fixed in ResetPassword mode; `existingUsers` rejects duplicate names in NewUser mode.
    UserPasswordDialog(Mode mode, const QString& username, const QStringList& existingUsers, QWidget* parent = nullptr);

    Mode mode() const { return m_mode; }
    QString username() const;
    QString password() const;
    bool makeAdmin() const;

    QLineEdit* usernameEdit() const { return m_usernameEdit; }
    QLineEdit* passwordEdit() const { return m_passwordEdit; }
    QLineEdit* confirmEdit() const { return m_confirmEdit; }
    QCheckBox* adminBox() const { return m_adminBox; }
    QPushButton* copyButton() const { return m_copyButton; }

    int clipboardClearDelay() const { return m_clipboardClearDelay; }
    void setClipboardClearDelay(int milliseconds) { m_clipboardClearDelay = milliseconds; }

    // A random password of `length` letters, digits and punctuation from the system's secure generator.
    static QString generatePassword(int length = 20);
    // The console's own floor; MLflow 2.x has none. A server with a stricter rule raises it (setMinimumLength).
    static constexpr int minimumPasswordLength = 8;
    void setMinimumLength(int length);
    int minimumLength() const { return m_minimumLength; }

public slots:
    void fillGeneratedPassword();
    // Puts the password on the clipboard and clears it after clipboardClearDelay, if it still holds that password
    // (whatever was copied since is left alone). The clearing outlives the dialog.
    void copyPassword();

private:
    void validate();

    Mode m_mode;
    int m_minimumLength = minimumPasswordLength;
    QStringList m_existingUsers;
    QLineEdit* m_usernameEdit = nullptr;
    QLineEdit* m_passwordEdit = nullptr;
    QLineEdit* m_confirmEdit = nullptr;
    QCheckBox* m_showBox = nullptr;
    QCheckBox* m_adminBox = nullptr;
    QLabel* m_hintLabel = nullptr;
    QLabel* m_copiedLabel = nullptr;
    QPushButton* m_copyButton = nullptr;
    int m_clipboardClearDelay = 60000;
    QDialogButtonBox* m_buttons = nullptr;
};

#pragma once

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

// Asks for a new user's name and password, or a new password for an existing user: the password twice (or
// generated), with a "show" switch, and OK only when both entries match and are long enough.
class UserPasswordDialog : public QDialog
{
    Q_OBJECT

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

    // A random password of `length` letters, digits and punctuation from the system's secure generator.
    static QString generatePassword(int length = 20);
    static constexpr int minimumPasswordLength = 8;

public slots:
    void fillGeneratedPassword();

private:
    void validate();

    Mode m_mode;
    QStringList m_existingUsers;
    QLineEdit* m_usernameEdit = nullptr;
    QLineEdit* m_passwordEdit = nullptr;
    QLineEdit* m_confirmEdit = nullptr;
    QCheckBox* m_showBox = nullptr;
    QCheckBox* m_adminBox = nullptr;
    QLabel* m_hintLabel = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
};

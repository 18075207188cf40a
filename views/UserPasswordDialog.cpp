#include "views/UserPasswordDialog.h"

#include <QCheckBox>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

UserPasswordDialog::UserPasswordDialog(Mode mode, const QString& username, const QStringList& existingUsers,
                                       QWidget* parent)
    : QDialog(parent), m_mode(mode), m_existingUsers(existingUsers)
{
    setObjectName(QStringLiteral("UserPasswordDialog"));
    setWindowTitle(mode == Mode::NewUser ? tr("New user") : tr("Reset password of %1").arg(username));

    m_usernameEdit = new QLineEdit(username, this);
    m_usernameEdit->setObjectName(QStringLiteral("usernameEdit"));
    m_usernameEdit->setAccessibleName(tr("User name"));
    m_usernameEdit->setReadOnly(mode == Mode::ResetPassword);

    m_passwordEdit = new QLineEdit(this);
    m_passwordEdit->setObjectName(QStringLiteral("passwordEdit"));
    m_passwordEdit->setAccessibleName(tr("Password"));
    m_passwordEdit->setEchoMode(QLineEdit::Password);
    m_confirmEdit = new QLineEdit(this);
    m_confirmEdit->setObjectName(QStringLiteral("confirmEdit"));
    m_confirmEdit->setAccessibleName(tr("Confirm password"));
    m_confirmEdit->setEchoMode(QLineEdit::Password);

    auto* generateButton = new QPushButton(tr("&Generate"), this);
    generateButton->setObjectName(QStringLiteral("generateButton"));
    generateButton->setToolTip(tr("Fill in a random 20-character password and show it, so you can pass it on."));
    connect(generateButton, &QPushButton::clicked, this, &UserPasswordDialog::fillGeneratedPassword);
    m_copyButton = new QPushButton(tr("C&opy"), this);
    m_copyButton->setObjectName(QStringLiteral("copyButton"));
    m_copyButton->setToolTip(tr("Copy the password to the clipboard, to pass it on; the clipboard is cleared after "
                                "a minute."));
    m_copyButton->setAutoDefault(false);
    connect(m_copyButton, &QPushButton::clicked, this, &UserPasswordDialog::copyPassword);
    // Wide enough to show a generated password in full, so it can be read out or checked.
    m_passwordEdit->setMinimumWidth(m_passwordEdit->fontMetrics().horizontalAdvance(QLatin1Char('W')) * 22);
    auto* passwordRow = new QHBoxLayout;
    passwordRow->addWidget(m_passwordEdit, 1);
    passwordRow->addWidget(generateButton);
    passwordRow->addWidget(m_copyButton);

    m_showBox = new QCheckBox(tr("&Show password"), this);
    connect(m_showBox, &QCheckBox::toggled, this, [this](bool show) {
        const auto mode = show ? QLineEdit::Normal : QLineEdit::Password;
        m_passwordEdit->setEchoMode(mode);
        m_confirmEdit->setEchoMode(mode);
    });

    auto* form = new QFormLayout;
    form->addRow(tr("User &name:"), m_usernameEdit);
    // A row of several widgets gets no buddy from QFormLayout, which would show the "&" as it is.
    auto* passwordLabel = new QLabel(tr("&Password:"), this);
    passwordLabel->setBuddy(m_passwordEdit);
    form->addRow(passwordLabel, passwordRow);
    form->addRow(tr("&Confirm:"), m_confirmEdit);
    form->addRow(QString(), m_showBox);
    if (mode == Mode::NewUser) {
        m_adminBox = new QCheckBox(tr("Make this user an &administrator"), this);
        m_adminBox->setObjectName(QStringLiteral("adminBox"));
        form->addRow(QString(), m_adminBox);
    }

    m_hintLabel = new QLabel(this);
    m_hintLabel->setObjectName(QStringLiteral("hintLabel"));
    m_hintLabel->setWordWrap(true);
    m_copiedLabel = new QLabel(this);
    m_copiedLabel->setObjectName(QStringLiteral("copiedLabel"));
    m_copiedLabel->setWordWrap(true);
    m_copiedLabel->hide();

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)
        ->setText(mode == Mode::NewUser ? tr("Stage &creation") : tr("Stage &reset"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_hintLabel);
    layout->addWidget(m_copiedLabel);
    layout->addWidget(m_buttons);

    for (QLineEdit* edit : {m_usernameEdit, m_passwordEdit, m_confirmEdit})
        connect(edit, &QLineEdit::textChanged, this, &UserPasswordDialog::validate);
    setTabOrder(m_usernameEdit, m_passwordEdit);
    setTabOrder(m_passwordEdit, generateButton);
    setTabOrder(generateButton, m_confirmEdit);
    (mode == Mode::NewUser ? m_usernameEdit : m_passwordEdit)->setFocus();
    validate();
}

QString UserPasswordDialog::username() const
{
    return m_usernameEdit->text().trimmed();
}

QString UserPasswordDialog::password() const
{
    return m_passwordEdit->text();
}

bool UserPasswordDialog::makeAdmin() const
{
    return m_adminBox && m_adminBox->isChecked();
}

QString UserPasswordDialog::generatePassword(int length)
{
    // No look-alikes (0/O, 1/l/I), so a password read aloud or retyped survives.
    static const QString alphabet =
        QStringLiteral("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_.!@#%+=");
    QString password;
    password.reserve(length);
    for (int i = 0; i < length; ++i)
        password.append(alphabet.at(QRandomGenerator::system()->bounded(static_cast<int>(alphabet.size()))));
    return password;
}

void UserPasswordDialog::fillGeneratedPassword()
{
    const QString password = generatePassword();
    m_passwordEdit->setText(password);
    m_confirmEdit->setText(password);
    m_showBox->setChecked(true);
}

void UserPasswordDialog::copyPassword()
{
    const QString copied = password();
    if (copied.isEmpty())
        return;
    QClipboard* clipboard = QGuiApplication::clipboard();
    clipboard->setText(copied);
    // Parented to the clipboard, not to this dialog, which usually closes long before the minute is over.
    QTimer::singleShot(m_clipboardClearDelay, clipboard, [clipboard, copied] {
        if (clipboard->text() == copied)
            clipboard->clear();
    });
    const int seconds = (m_clipboardClearDelay + 999) / 1000;
    m_copiedLabel->setText(
        tr("Copied. The clipboard is cleared in %1 s if it still holds this password.").arg(seconds));
    m_copiedLabel->show();
}

void UserPasswordDialog::setMinimumLength(int length)
{
    m_minimumLength = std::max(length, int(minimumPasswordLength));
    validate();
}

void UserPasswordDialog::validate()
{
    QString hint;
    if (m_mode == Mode::NewUser && username().isEmpty())
        hint = tr("Enter a user name.");
    else if (m_mode == Mode::NewUser && m_existingUsers.contains(username()))
        hint = tr("A user named %1 exists already.").arg(username());
    else if (password().size() < m_minimumLength)
        hint = tr("The password needs at least %1 characters.").arg(m_minimumLength);
    else if (password() != m_confirmEdit->text())
        hint = tr("The two passwords differ.");
    m_hintLabel->setText(hint);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(hint.isEmpty());
    m_copyButton->setEnabled(!password().isEmpty());
}

#include "app/cli/PasswordInput.h"

#include <QRandomGenerator>
#include <QTextStream>

#include <cstdio>
#include <iostream>
#include <string>
#include <termios.h>
#include <unistd.h>

namespace {

// Restores the terminal even if reading throws or returns early.
class EchoOff
{
public:
    EchoOff()
    {
        if (::tcgetattr(STDIN_FILENO, &m_saved) != 0)
            return;
        termios silent = m_saved;
        silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        silent.c_lflag |= ECHONL;
        m_active = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent) == 0;
    }
    ~EchoOff()
    {
        if (m_active)
            ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &m_saved);
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

private:
    termios m_saved = {};
    bool m_active = false;
};

} // namespace

std::optional<QString> PasswordInput::readStdinLine()
{
    std::string line;
    if (!std::getline(std::cin, line))
        return std::nullopt;
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return QString::fromStdString(line);
}

bool PasswordInput::canPrompt()
{
    return ::isatty(STDIN_FILENO) == 1;
}

std::optional<QString> PasswordInput::prompt(const QString& question)
{
    if (!canPrompt())
        return std::nullopt;
    QTextStream err(stderr);
    err << question << Qt::flush;
    const EchoOff echoOff;
    return readStdinLine();
}

std::optional<QString> PasswordInput::promptNew(const QString& username, QString* error)
{
    if (!canPrompt()) {
        *error = tr("No terminal to ask for the new password of %1. Use --password-stdin or --generate-password.")
                     .arg(username);
        return std::nullopt;
    }
    const auto first = prompt(tr("New password for %1: ").arg(username));
    if (!first) {
        *error = tr("No password was entered.");
        return std::nullopt;
    }
    const auto second = prompt(tr("Repeat the new password for %1: ").arg(username));
    if (!second || *second != *first) {
        *error = tr("The two passwords differ. Run the command again and type the same password twice.");
        return std::nullopt;
    }
    return first;
}

QString PasswordInput::generate()
{
    // 64 symbols: each character carries 6 bits, and the modulo below has no bias.
    static const QString alphabet = QStringLiteral("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
    QString password;
    QRandomGenerator* random = QRandomGenerator::system();
    for (int i = 0; i < 24; ++i)
        password.append(alphabet.at(static_cast<int>(random->bounded(64U))));
    return password;
}

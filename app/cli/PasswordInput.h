#pragma once

#include <QCoreApplication>
#include <QString>

#include <optional>

// Where passwords come from on the command line: standard input (one per line, for --password-stdin) or a prompt
// on the terminal with echo switched off. Passwords are never accepted as arguments, because those end up in
// shell history and in every user's process list.
class PasswordInput
{
    Q_DECLARE_TR_FUNCTIONS(PasswordInput)

public:
    // The next line of standard input without its line ending; nullopt at end of input.
    static std::optional<QString> readStdinLine();
    // Whether a person can be asked (standard input is a terminal).
    static bool canPrompt();
    // Asks on the terminal without echo; nullopt when there is no terminal or input ended.
    static std::optional<QString> prompt(const QString& question);
    // Asks twice; nullopt with `error` when the two differ, input ended or there is no terminal.
    static std::optional<QString> promptNew(const QString& username, QString* error);
    // A strong random password (24 characters from a 64-symbol alphabet, about 144 bits).
    static QString generate();
};

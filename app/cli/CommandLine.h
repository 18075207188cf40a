#pragma once

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>

class CliCommand;
struct CliContext;

// The options every command accepts, before or after the command words.
struct GlobalOptions
{
    QString url;
    QString user;
    QString profile;
    QString authDatabaseUri;
    QString caBundle;
    QString pinSha256;
    QString workspace; // --workspace; empty when not given (the profile's, else MLflow's "default")
    bool passwordStdin = false;
    bool json = false;
    int timeoutSeconds = 30;
};

// One command: its words ("users", "create"), what follows them, its own options, and how to make it.
struct CommandSpec
{
    QStringList words;
    QString synopsis;    // e.g. "NAME [--admin] [--password-stdin | --generate-password]"
    QString description; // one translated line
    QList<QCommandLineOption> options;
    QStringList argumentNames; // positional arguments, e.g. {"USER", "LEVEL"}
    int optionalArguments = 0; // how many of the last argumentNames may be left out (`diff A [B]`)
    // `access --user U`: a --user after the command words names the user to inspect; the sign-in account is a
    // --user before them (or the first of two after them), the profile's, or $MLFLOW_TRACKING_USERNAME.
    bool userOptionIsSubject = false;
    std::function<CliCommand*(CliContext*)> create;
};

// Parsing of the mlflow-admin-cli command line: global options, command words, help texts.
class CommandLine
{
    Q_DECLARE_TR_FUNCTIONS(CommandLine)

public:
    static void addGlobalOptions(QCommandLineParser& parser);
    // Reads the global options; false with a translated `error` for a bad value.
    static bool readGlobalOptions(const QCommandLineParser& parser, GlobalOptions* options, QString* error);

    // A sentence refusing a password given as an argument (--password, --password=...), or empty if none is.
    static QString refusedPasswordArgument(const QStringList& arguments);
    // The first `count` words that are not options (skipping the values of global options), with their indexes.
    static QStringList commandWords(const QStringList& arguments, int count, QList<int>* indexes);

    // For commands whose --user names a subject: splits the --user values into the sign-in account (a --user
    // before the first command word, else the first of two or more after it) and the subject (the last one after
    // the command words). `firstWordIndex` is the index of the first command word in `arguments`.
    struct UserOptions
    {
        QString signIn;
        QString subject;
    };
    static UserOptions splitUserOptions(const QStringList& arguments, int firstWordIndex);

    // The top-level --help: usage, commands, global options, password sources, environment, exit codes.
    static QString generalHelp(const QList<CommandSpec>& commands);
    // One command's --help, with its options and the global ones.
    static QString commandHelp(const CommandSpec& command, const QCommandLineParser& parser);
};

#include "app/cli/ProfilesCommand.h"

#include "api/Connection.h"
#include "api/TlsPolicy.h"
#include "app/cli/AccessCommand.h"
#include "app/cli/CliSession.h"
#include "app/cli/OutputWriter.h"
#include "app/cli/PasswordInput.h"
#include "services/CredentialStore.h"
#include "services/ProfileStore.h"

#include <QFileInfo>
#include <QJsonObject>

namespace {

CommandSpec profilesSpec(const QString& sub, const QString& synopsis, const QString& description,
                         const QStringList& argumentNames, ProfilesCommand::Action action,
                         const QList<QCommandLineOption>& options = {})
{
    CommandSpec spec;
    spec.words = QStringList{QStringLiteral("profiles"), sub};
    spec.synopsis = synopsis;
    spec.description = description;
    spec.argumentNames = argumentNames;
    spec.options = options;
    spec.create = [action](CliContext* context) -> CliCommand* {
        return new ProfilesCommand(context, action);
    };
    return spec;
}

} // namespace

ProfilesCommand::ProfilesCommand(CliContext* context, Action action) : CliCommand(context), m_action(action) {}

QList<CommandSpec> ProfilesCommand::specs()
{
    const QCommandLineOption savePassword(
        QStringLiteral("save-password"),
        tr("Store the password in the OS keychain (from $MLFLOW_TRACKING_PASSWORD, --password-stdin or a prompt)."));
    return {
        profilesSpec(QStringLiteral("list"), QString(), tr("list saved server profiles"), {}, Action::List),
        profilesSpec(QStringLiteral("add"),
                     QStringLiteral("NAME --url URL [--user U] [--ca-bundle F] [--pin-sha256 HEX] [--auth-db URI] "
                                    "[--default-permission LEVEL] [--workspace NAME] [--save-password]"),
                     tr("save (or replace) a server profile; the password only ever goes to the keychain"),
                     {QStringLiteral("NAME")}, Action::Add, {savePassword, AccessCommand::defaultPermissionOption()}),
        profilesSpec(QStringLiteral("remove"), QStringLiteral("NAME"), tr("delete a profile and its keychain entry"),
                     {QStringLiteral("NAME")}, Action::Remove),
    };
}

bool ProfilesCommand::prepare()
{
    if (m_action == Action::Add && globalOptions().url.isEmpty()) {
        fail(ExitCode::Usage, tr("Give the server address: `profiles add %1 --url URL`.").arg(argument(0)));
        return false;
    }
    return true;
}

void ProfilesCommand::start()
{
    switch (m_action) {
    case Action::List:
        list();
        return;
    case Action::Add:
        add();
        return;
    case Action::Remove:
        remove();
        return;
    }
}

void ProfilesCommand::list()
{
    ProfileStore store;
    Table table;
    table.addColumn(QStringLiteral("name"), tr("Name"));
    table.addColumn(QStringLiteral("url"), tr("Server"));
    table.addColumn(QStringLiteral("username"), tr("User"));
    table.addColumn(QStringLiteral("ca_bundle"), tr("CA bundle"));
    table.addColumn(QStringLiteral("pin_sha256"), tr("Pinned certificate"));
    table.addColumn(QStringLiteral("auth_db"), tr("Auth database"));
    table.addColumn(QStringLiteral("default_permission"), tr("Default permission"));
    table.addColumn(QStringLiteral("workspace"), tr("Workspace"));
    const QList<ServerProfile> profiles = store.profiles();
    for (const ServerProfile& profile : profiles) {
        const QString pin = profile.pinnedSha256.isEmpty() ? QString() : Tls::formatFingerprint(profile.pinnedSha256);
        table.addRow({profile.name, profile.url.toDisplayString(), profile.username, profile.caBundlePath, pin,
                      profile.authDatabaseUri,
                      profile.defaultPermission ? Permissions::name(*profile.defaultPermission) : QString(),
                      profile.workspace});
    }
    if (out().isJson())
        out().json(
            QJsonObject{{QStringLiteral("file"), store.fileName()}, {QStringLiteral("profiles"), table.toJson()}});
    else
        out().table(table, tr("%n profile(s) in %1", nullptr, static_cast<int>(profiles.size())).arg(store.fileName()));
    done();
}

void ProfilesCommand::add()
{
    ServerProfile profile;
    profile.name = argument(0);
    QString error;
    const auto url = Connection::normalizeBaseUrl(globalOptions().url, &error);
    if (!url) {
        fail(ExitCode::Usage, tr("The server address '%1' cannot be used: %2").arg(globalOptions().url, error));
        return;
    }
    profile.url = *url;
    profile.username = globalOptions().user;
    // Absolute, so that `--profile NAME` finds the bundle from any working directory later.
    if (!globalOptions().caBundle.isEmpty())
        profile.caBundlePath = QFileInfo(globalOptions().caBundle).absoluteFilePath();
    profile.authDatabaseUri = globalOptions().authDatabaseUri;
    profile.workspace = globalOptions().workspace;
    if (!readDefaultPermissionOption(&profile.defaultPermission))
        return;
    if (!globalOptions().pinSha256.isEmpty()) {
        profile.pinnedSha256 = Tls::parseFingerprint(globalOptions().pinSha256);
        if (profile.pinnedSha256.isEmpty()) {
            fail(ExitCode::Usage, tr("Invalid --pin-sha256: give the certificate's SHA-256 fingerprint as 64 hex "
                                     "digits (colons allowed)."));
            return;
        }
    }
    if (!CliSession::checkTlsSettings(profile, &error)) {
        fail(ExitCode::Usage, error);
        return;
    }
    // Read the password before saving, so that a missing one leaves no half-made profile behind.
    QString password;
    if (isSet(QStringLiteral("save-password"))) {
        password = qEnvironmentVariable("MLFLOW_TRACKING_PASSWORD");
        if (password.isEmpty() && globalOptions().passwordStdin)
            password = PasswordInput::readStdinLine().value_or(QString());
        if (password.isEmpty() && !globalOptions().passwordStdin)
            password = PasswordInput::prompt(
                           tr("Password for %1 at %2: ").arg(profile.username, profile.url.toDisplayString()))
                           .value_or(QString());
        if (password.isEmpty()) {
            fail(ExitCode::Usage, tr("--save-password needs a password: set MLFLOW_TRACKING_PASSWORD, pipe it with "
                                     "--password-stdin, or run in a terminal to be asked."));
            return;
        }
    }
    ProfileStore store;
    if (!store.save(profile, &error)) {
        fail(ExitCode::Usage, error);
        return;
    }
    const auto report = [this, profile](bool passwordSaved) {
        if (out().isJson())
            out().json(QJsonObject{{QStringLiteral("name"), profile.name},
                                   {QStringLiteral("url"), profile.url.toDisplayString()},
                                   {QStringLiteral("username"), profile.username},
                                   {QStringLiteral("password_saved"), passwordSaved}});
        else
            out().line(passwordSaved ? tr("Saved profile %1 (%2), password in the keychain.")
                                           .arg(profile.name, profile.url.toDisplayString())
                                     : tr("Saved profile %1 (%2). Use it with --profile %1.")
                                           .arg(profile.name, profile.url.toDisplayString()));
        done();
    };
    if (password.isEmpty()) {
        report(false);
        return;
    }
    auto* credentials = new CredentialStore(this);
    CredentialJob* job = credentials->writePassword(profile.name, password);
    password.fill(QLatin1Char('\0'));
    connect(job, &CredentialJob::finished, this, [this, job, report] {
        if (job->hasError()) {
            fail(ExitCode::Other, tr("The profile was saved, but its password was not: %1").arg(job->errorMessage()));
            return;
        }
        report(true);
    });
}

void ProfilesCommand::remove()
{
    const QString name = argument(0);
    ProfileStore store;
    QString error;
    if (!store.remove(name, &error)) {
        fail(store.contains(name) ? ExitCode::Other : ExitCode::NotFound, error);
        return;
    }
    auto* credentials = new CredentialStore(this);
    CredentialJob* job = credentials->deletePassword(name);
    connect(job, &CredentialJob::finished, this, [this, job, name] {
        // No stored password is the normal case; an unreachable keychain only deserves a note.
        if (job->hasError() && job->status() != CredentialJob::Status::NotFound)
            out().note(tr("Note: %1").arg(job->errorMessage()));
        if (out().isJson())
            out().json(QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("removed"), true}});
        else
            out().line(tr("Removed profile %1.").arg(name));
        done();
    });
}

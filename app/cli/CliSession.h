#pragma once

#include "api/KnownUsersRegistry.h"
#include "api/ServerProbe.h"
#include "api/WorkspaceApi.h"
#include "app/cli/CommandLine.h"
#include "app/cli/ExitCode.h"
#include "services/ServerProfile.h"

#include <QObject>
#include <QPointer>
#include <QString>

#include <memory>
#include <optional>

class AuthApi;
class Connection;
class AuthDatabaseReader;
class KeptUsersSource;
class OutputWriter;
class TrackingApi;

// The connection a command works on: which server and account (from the options, the profile and the MLFLOW_*
// environment), the sign-in password, the TLS policy, and the login probe. Everything is asynchronous; the CLI
// waits for ready() or failed() in its top-level event loop.
class CliSession : public QObject
{
    Q_OBJECT

public:
    CliSession(const GlobalOptions& options, OutputWriter* out, QObject* parent = nullptr);
    ~CliSession() override;

    // Works out server, user, TLS and auth database without touching the network. False with the exit code and
    // a translated message when something is missing or malformed.
    bool resolve(ExitCode* code, QString* error);
    // Gets the password, connects and probes; then ready() or failed(). `stdinHoldsNewPassword`: the command reads
    // a new user's password from standard input, so the sign-in password may come from there only as the first
    // line and only when no other source has it.
    void open(bool stdinHoldsNewPassword);

    const ServerProfile& target() const { return m_target; }
    QString authDatabaseUri() const { return m_authDatabaseUri; }
    Connection* connection() const { return m_connection; }
    AuthApi* auth() const { return m_auth; }
    TrackingApi* tracking() const { return m_tracking; }
    const ProbeResult& probe() const { return m_probe; }
    bool hasProbeResult() const { return m_hasProbe; }
    // The workspace the commands work in: --workspace, else the profile's, else MLflow's "default".
    QString workspace() const;
    // Whether the workspace was asked for (then the session checked it and the requests carry the header).
    bool workspaceRequested() const { return !m_target.workspace.isEmpty(); }
    // server-info, when the session asked for it (only when a workspace was requested).
    const std::optional<ServerInfo>& serverInfo() const { return m_serverInfo; }

    // Whether the TLS settings fit the address: a pin or CA bundle needs https://, and a CA bundle must be a
    // readable PEM file. False with a translated `error`. `profiles add` checks the same, so that no saved profile
    // fails later for this.
    static bool checkTlsSettings(const ServerProfile& profile, QString* error);

    // The per-server known-users registry (MLflow before 3.10 cannot list users), the file the console uses for
    // the same profile or address, opened on first use; null with a translated `error` when it cannot be.
    KnownUsersRegistry* knownUsers(QString* error = nullptr);
    QString knownUsersPath() const;
    // Every user name a command learns goes through here, once the server has confirmed it (created, looked up,
    // named in an accepted grant): a registry that cannot be opened or written only costs a note, printed once.
    void rememberUser(const User& user, KnownUsersRegistry::Origin origin);
    void rememberUser(const QString& username, KnownUsersRegistry::Origin origin);
    void rememberUsers(const QList<User>& users, KnownUsersRegistry::Origin origin);
    void forgetUser(const QString& username);

    // The auth database to read users and grants from: --auth-db, else the one kept for the profile or connection
    // (`profiles add --auth-db`, or the console's users-source dialog), with its password from the keychain when
    // one is kept there. Null with a translated `error` when it cannot be opened and read.
    std::unique_ptr<AuthDatabaseReader> openAuthDatabase(QString* error) const;

signals:
    void ready();
    void failed(int exitCode, const QString& message, const QString& kind);

private:
    void passwordFromKeychainOrNext();
    void passwordFromStdinOrPrompt();
    void connectWith(QString password);
    void fetchAuthDatabasePassword();
    void selectWorkspace();
    QString tlsFailureMessage() const;
    void fail(ExitCode code, const QString& message, const QString& kind = QString());

    GlobalOptions m_options;
    OutputWriter* m_out;
    ServerProfile m_target; // the profile with the command-line overrides applied
    bool m_fromProfile = false;
    QString m_authDatabaseUri;
    KeptUsersSource* m_keptUsersSource = nullptr; // the auth database's URI and kept password
    std::unique_ptr<KnownUsersRegistry> m_knownUsers;
    QString m_knownUsersProblem; // why the registry could not be opened, once known
    bool m_knownUsersNoted = false;
    QPointer<Connection> m_connection;
    AuthApi* m_auth = nullptr;
    TrackingApi* m_tracking = nullptr;
    ProbeResult m_probe;
    bool m_hasProbe = false;
    std::optional<ServerInfo> m_serverInfo;
};

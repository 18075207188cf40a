#include "app/cli/CliSession.h"

#include "api/AuthApi.h"
#include "api/AuthDatabaseReader.h"
#include "api/Connection.h"
#include "api/KnownUsersRegistry.h"
#include "api/TlsPolicy.h"
#include "api/TrackingApi.h"
#include "app/cli/OutputWriter.h"
#include "app/cli/PasswordInput.h"
#include "services/CredentialStore.h"
#include "services/KeptUsersSource.h"
#include "services/ProfileStore.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>

CliSession::CliSession(const GlobalOptions& options, OutputWriter* out, QObject* parent)
    : QObject(parent), m_options(options), m_out(out)
{}

CliSession::~CliSession()
{
    if (m_connection)
        m_connection->cancelAll();
}

bool CliSession::resolve(ExitCode* code, QString* error)
{
    *code = ExitCode::Usage;
    if (!m_options.profile.isEmpty()) {
        const auto profile = ProfileStore().profile(m_options.profile);
        if (!profile) {
            *error = tr("There is no profile named '%1'. List the profiles with `profiles list`, or add one with "
                        "`profiles add`.")
                         .arg(m_options.profile);
            return false;
        }
        m_target = *profile;
        m_fromProfile = true;
    }

    QString urlText = m_options.url;
    if (urlText.isEmpty() && m_target.url.isEmpty()) {
        urlText = qEnvironmentVariable("MLFLOW_TRACKING_URI");
        if (urlText.isEmpty()) {
            *error = tr("No server given. Use --url URL, --profile NAME, or set MLFLOW_TRACKING_URI.");
            return false;
        }
    }
    if (!urlText.isEmpty()) {
        QString urlError;
        const auto url = Connection::normalizeBaseUrl(urlText, &urlError);
        if (!url) {
            *error = tr("The server address '%1' cannot be used: %2").arg(urlText, urlError);
            return false;
        }
        m_target.url = *url;
    }

    if (!m_options.workspace.isEmpty())
        m_target.workspace = m_options.workspace;
    if (!m_options.user.isEmpty())
        m_target.username = m_options.user;
    if (m_target.username.isEmpty())
        m_target.username = qEnvironmentVariable("MLFLOW_TRACKING_USERNAME");
    if (m_target.username.isEmpty()) {
        *error = tr("No user given. Use --user NAME, a profile with a user, or set MLFLOW_TRACKING_USERNAME.");
        return false;
    }

    if (!m_options.caBundle.isEmpty())
        m_target.caBundlePath = m_options.caBundle;
    if (!m_options.pinSha256.isEmpty()) {
        m_target.pinnedSha256 = Tls::parseFingerprint(m_options.pinSha256);
        if (m_target.pinnedSha256.isEmpty()) {
            *error = tr("Invalid --pin-sha256: give the certificate's SHA-256 fingerprint as 64 hex digits "
                        "(colons allowed).");
            return false;
        }
    }
    if (!checkTlsSettings(m_target, error))
        return false;
    if (const QString problem = AuthDatabaseLocation::passwordProblem(m_options.authDatabaseUri); !problem.isEmpty()) {
        *error = problem;
        return false;
    }
    // --auth-db wins; else what the profile or this unsaved connection keeps, exactly as the console reads it.
    ServerProfile choice;
    if (!m_options.authDatabaseUri.isEmpty()) {
        choice.authDatabaseUri = m_options.authDatabaseUri;
        choice.usersSource = UsersSource::AuthDatabase;
    } else if (m_fromProfile) {
        choice = m_target;
    } else {
        choice = ProfileStore().usersSource(QString(), m_target.url, m_target.username);
    }
    if (choice.usersSource != UsersSource::AuthDatabase)
        choice.authDatabaseUri.clear();
    m_authDatabaseUri = choice.authDatabaseUri;
    const QString owner = m_fromProfile ? m_target.name : ProfileStore::connectionKey(m_target.url, m_target.username);
    m_keptUsersSource = new KeptUsersSource(choice, owner, this);
    *code = ExitCode::Ok;
    return true;
}

void CliSession::open(bool stdinHoldsNewPassword)
{
    const QString fromEnvironment = qEnvironmentVariable("MLFLOW_TRACKING_PASSWORD");
    if (!fromEnvironment.isEmpty()) {
        connectWith(fromEnvironment);
        return;
    }
    if (m_options.passwordStdin && !stdinHoldsNewPassword) {
        passwordFromStdinOrPrompt();
        return;
    }
    passwordFromKeychainOrNext();
}

void CliSession::passwordFromKeychainOrNext()
{
    if (!m_fromProfile) {
        passwordFromStdinOrPrompt();
        return;
    }
    auto* store = new CredentialStore(this);
    CredentialJob* job = store->readPassword(m_target.name);
    connect(job, &CredentialJob::finished, this, [this, job, store] {
        store->deleteLater();
        if (!job->hasError()) {
            connectWith(job->password());
            return;
        }
        // A missing entry is normal (the profile was saved without a password); other failures deserve a note.
        if (job->status() != CredentialJob::Status::NotFound)
            m_out->note(job->errorMessage());
        passwordFromStdinOrPrompt();
    });
}

void CliSession::passwordFromStdinOrPrompt()
{
    if (m_options.passwordStdin) {
        const auto line = PasswordInput::readStdinLine();
        if (!line || line->isEmpty()) {
            fail(ExitCode::Authentication,
                 tr("--password-stdin was given, but standard input holds no password. Pipe it in, e.g. "
                    "`printf '%s\\n' \"$PASSWORD\" | mlflow-admin-cli --password-stdin ...`."));
            return;
        }
        connectWith(*line);
        return;
    }
    const auto typed =
        PasswordInput::prompt(tr("Password for %1 at %2: ").arg(m_target.username, m_target.url.toDisplayString()));
    if (!typed) {
        fail(ExitCode::Authentication,
             tr("No password available for %1. Set MLFLOW_TRACKING_PASSWORD, use --password-stdin, save one in a "
                "profile (`profiles add NAME --url URL --user USER --save-password`), or run in a terminal.")
                 .arg(m_target.username));
        return;
    }
    connectWith(*typed);
}

void CliSession::connectWith(QString password)
{
    m_connection = new Connection(m_target.url, m_target.username, password, this);
    password.fill(QLatin1Char('\0'));
    password.clear();
    m_connection->setDefaultTimeout(m_options.timeoutSeconds * 1000);
    TlsPolicy policy;
    policy.caBundlePath = m_target.caBundlePath;
    policy.pinnedSha256 = m_target.pinnedSha256;
    QString tlsError;
    if (!m_connection->setTlsPolicy(policy, &tlsError)) {
        fail(ExitCode::Usage, tlsError);
        return;
    }
    ServerProbe* probe = ServerProbe::run(m_connection);
    connect(probe, &ApiJob::finished, this, [this, probe] {
        m_probe = probe->result();
        m_hasProbe = true;
        if (!m_probe.isUsable()) {
            fail(ExitCodes::fromProbeStatus(m_probe.status),
                 m_probe.status == ProbeResult::Status::TlsFailure ? tlsFailureMessage() : m_probe.userMessage(),
                 ProbeResult::statusName(m_probe.status));
            return;
        }
        m_auth = probe->createAuthApi(this);
        if (!m_auth) {
            fail(ExitCode::Other, tr("The server answers neither MLflow 2.x's per-resource permission API nor the "
                                     "role-based API of MLflow 3.13 and later. Check that it runs MLflow's basic-auth "
                                     "app (mlflow server --app-name basic-auth)."));
            return;
        }
        m_tracking = new TrackingApi(m_connection, this);
        fetchAuthDatabasePassword();
    });
}

// Only after the sign-in worked: a wrong server address should not first ask the keychain for anything.
void CliSession::fetchAuthDatabasePassword()
{
    if (!m_keptUsersSource->needsKeychain()) {
        selectWorkspace();
        return;
    }
    auto* store = new CredentialStore(this);
    connect(m_keptUsersSource, &KeptUsersSource::ready, this, [this, store] {
        store->deleteLater();
        if (!m_keptUsersSource->keychainProblem().isEmpty())
            m_out->note(m_keptUsersSource->keychainProblem());
        selectWorkspace();
    });
    m_keptUsersSource->fetchPassword(store);
}

std::unique_ptr<AuthDatabaseReader> CliSession::openAuthDatabase(QString* error) const
{
    if (!m_keptUsersSource || !m_keptUsersSource->usesAuthDatabase()) {
        *error = tr("No auth database was given. Use --auth-db URI, or keep one in the profile.");
        return nullptr;
    }
    return m_keptUsersSource->openAuthDatabase(error);
}

QString CliSession::workspace() const
{
    return m_target.workspace.isEmpty() ? QString::fromLatin1(WorkspaceApi::defaultWorkspace) : m_target.workspace;
}

// After the probe, which runs without the header: a server without workspaces may answer a request that carries
// one with 500 FEATURE_DISABLED, and a workspace server answers an unknown name with 404 before anything else.
void CliSession::selectWorkspace()
{
    if (!workspaceRequested()) {
        emit ready();
        return;
    }
    ServerInfoJob* info = WorkspaceApi(m_connection).serverInfo(this);
    connect(info, &ApiJob::finished, this, [this, info] {
        if (info->hasError()) {
            fail(ExitCodes::fromApiError(info->error()),
                 tr("Checking whether the server has workspaces (GET /api/3.0/mlflow/server-info) failed: %1")
                     .arg(info->error().userMessage()),
                 ApiError::kindName(info->error().kind()));
            return;
        }
        m_serverInfo = info->value();
        const QString name = workspace();
        if (!m_serverInfo->workspacesEnabled) {
            if (name == QLatin1String(WorkspaceApi::defaultWorkspace)) {
                emit ready(); // the only workspace such a server has; no header needed
                return;
            }
            fail(ExitCode::Unsupported,
                 tr("This server has no workspaces (MLflow before 3.10, or a server started without "
                    "--enable-workspaces), so workspace '%1' cannot be used. Drop --workspace (or the profile's "
                    "workspace) to work in the server's only one.")
                     .arg(name),
                 QStringLiteral("NotSupported"));
            return;
        }
        WorkspaceCheckJob* check = WorkspaceApi(m_connection).exists(name, this);
        connect(check, &ApiJob::finished, this, [this, check, name] {
            if (check->hasError()) {
                fail(ExitCodes::fromApiError(check->error()),
                     tr("Checking workspace '%1' failed: %2").arg(name, check->error().userMessage()),
                     ApiError::kindName(check->error().kind()));
                return;
            }
            if (!check->value()) {
                fail(ExitCode::NotFound,
                     tr("There is no workspace named '%1' on this server. List the workspaces with `workspaces list`, "
                        "or ask an administrator to create it.")
                         .arg(name),
                     ApiError::kindName(ApiError::Kind::NotFound));
                return;
            }
            m_connection->setWorkspace(name);
            emit ready();
        });
    });
}

bool CliSession::checkTlsSettings(const ServerProfile& profile, QString* error)
{
    // Silently ignoring them would let the user believe the connection is verified, while the password travels
    // in the clear.
    if (profile.url.scheme() == QLatin1String("http") &&
        (!profile.pinnedSha256.isEmpty() || !profile.caBundlePath.isEmpty())) {
        *error = tr("%1 is a plain http:// address: there is no certificate to check, so a pinned fingerprint or a "
                    "CA bundle would protect nothing. Use the server's https:// address, or drop --pin-sha256 and "
                    "--ca-bundle (from the command line or the profile).")
                     .arg(profile.url.toDisplayString());
        return false;
    }
    QList<QSslCertificate> certificates;
    return profile.caBundlePath.isEmpty() || Tls::readCaBundle(profile.caBundlePath, &certificates, error);
}

// The library's sentence speaks of pinning in general; on the command line, name the options and the exact
// fingerprint to give them, and tell a pin that does not match from a certificate that is merely unknown.
QString CliSession::tlsFailureMessage() const
{
    const ApiError& error = m_probe.error;
    const QString fingerprint = error.certificateFingerprint();
    if (fingerprint.isEmpty())
        return m_probe.userMessage();
    if (!m_target.pinnedSha256.isEmpty() &&
        error.certificate().digest(QCryptographicHash::Sha256) != m_target.pinnedSha256) {
        return tr("The server's certificate does not match the pinned fingerprint, so the connection was refused. "
                  "The server presented SHA-256 fingerprint %1, but the pin is %2. If the server's certificate was "
                  "replaced, check the new fingerprint with its administrator and pin that instead; otherwise "
                  "someone may be intercepting the connection.")
            .arg(fingerprint, Tls::formatFingerprint(m_target.pinnedSha256));
    }
    const QStringList reasons = error.tlsErrors();
    return tr("The server's certificate is not trusted (%1). Its SHA-256 fingerprint is %2. If this is your server, "
              "compare that fingerprint with the one its administrator gives you, then run again with "
              "--pin-sha256 %2, or with --ca-bundle FILE naming the PEM certificate of the CA that signed it.")
        .arg(reasons.isEmpty() ? error.serverMessage() : reasons.join(QLatin1String("; ")), fingerprint);
}

void CliSession::fail(ExitCode code, const QString& message, const QString& kind)
{
    emit failed(static_cast<int>(code), message, kind);
}

QString CliSession::knownUsersPath() const
{
    // The same file the console uses for this profile or address.
    return KnownUsersRegistry::defaultFilePath(m_fromProfile ? m_target.name : QString(), m_target.url);
}

KnownUsersRegistry* CliSession::knownUsers(QString* error)
{
    if (!m_knownUsers && m_knownUsersProblem.isEmpty()) {
        const QString path = knownUsersPath();
        const QString folder = QFileInfo(path).absolutePath();
        auto registry = std::make_unique<KnownUsersRegistry>();
        if (!QDir().mkpath(folder))
            m_knownUsersProblem = tr("The folder %1 could not be created for the known-users registry; check that "
                                     "it is writable.")
                                      .arg(folder);
        else if (registry->open(path, &m_knownUsersProblem))
            m_knownUsers = std::move(registry);
    }
    if (!m_knownUsers && error)
        *error = m_knownUsersProblem;
    return m_knownUsers.get();
}

void CliSession::rememberUser(const User& user, KnownUsersRegistry::Origin origin)
{
    rememberUsers({user}, origin);
}

void CliSession::rememberUser(const QString& username, KnownUsersRegistry::Origin origin)
{
    User user;
    user.username = username;
    rememberUsers({user}, origin);
}

void CliSession::rememberUsers(const QList<User>& users, KnownUsersRegistry::Origin origin)
{
    QString error;
    KnownUsersRegistry* registry = knownUsers(&error);
    if (registry && !registry->rememberAll(users, origin, &error))
        registry = nullptr;
    if (!registry && !m_knownUsersNoted) {
        m_knownUsersNoted = true;
        m_out->note(
            tr("Note: the users this command learned could not be remembered in %1: %2").arg(knownUsersPath(), error));
    }
}

void CliSession::forgetUser(const QString& username)
{
    if (KnownUsersRegistry* registry = knownUsers())
        registry->forget(username);
}

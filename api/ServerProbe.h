#pragma once

#include "api/ApiJob.h"
#include "api/AuthApi.h"
#include "api/WireTypes.h"

#include <QPointer>

class Connection;
class ApiReply;

// What the login probe found out about a server and the account.
struct ProbeResult
{
    enum class Status {
        Ready,            // an MLflow basic-auth server, and the account is an admin
        NotAdmin,         // all fine, but the account is not an admin: only its own resources can be managed
        WrongCredentials, // 401
        Unreachable,      // connection refused, host not found, network down
        TimedOut,
        TlsFailure,     // see error.certificateFingerprint() to offer pinning
        NotMlflow,      // something answers, but not MLflow (or a wrong path prefix)
        AuthNotEnabled, // MLflow without --app-name basic-auth
        Failed,         // anything else; see error
    };

    Status status = Status::Failed;
    ApiError error; // set for every status except Ready and NotAdmin

    bool healthOk = false;         // GET /health answered "OK"
    bool basicAuthEnabled = false; // users/get answered for our own account
    QString version;               // GET /version; empty when the server does not tell
    ApiGeneration generation = ApiGeneration::Unknown;
    bool hasUsersList = false; // GET /api/2.0/mlflow/users/list works for this account (3.10+)
    bool isAdmin = false;
    User user; // our own account as users/get returned it

    bool isUsable() const { return status == Status::Ready || status == Status::NotAdmin; }
    // A translated sentence for the login dialog.
    QString userMessage() const;
    static QString statusName(Status status);
};

// Runs at login: is this MLflow, which version and API generation, is basic-auth on, does users/list exist,
// is the account an admin. /health is asked without credentials, and credentials are sent only once the server
// has said "OK" there (or demands authentication for it, as a protecting proxy would).
class ServerProbe : public ApiJob
{
    Q_OBJECT

public:
    // What the probe is waiting for, for a busy indicator: reaching the server (/health), signing in
    // (users/get of our own account), then the API it speaks (version, permission routes, users/list).
    enum class Step { Connecting, SigningIn, CheckingApi };
    Q_ENUM(Step)

    // Starts at once (in step Connecting); the probe is a child of the connection and finishes with result() filled in.
    // A failed probe (status other than Ready / NotAdmin) also has hasError() set.
    static ServerProbe* run(Connection* connection);

    const ProbeResult& result() const { return m_result; }
    void abort() override;

    // The AuthApi matching the result (caller owns it; parented to `parent`); nullptr when the server's
    // generation has no implementation yet (RbacAuthApi comes with MLflow 3.13+ support).
    AuthApi* createAuthApi(QObject* parent = nullptr) const;

signals:
    // A later step began (the first, Connecting, begins inside run()).
    void stepStarted(ServerProbe::Step step);

private:
    explicit ServerProbe(Connection* connection);
    void checkHealth();
    void checkAccount();
    void checkCapabilities();
    void checkUsersList(); // after the generation is known: an admin of 3.13+ is not asked
    void capabilityDone();
    void end(ProbeResult::Status status, const ApiError& error = ApiError());

    QPointer<Connection> m_connection;
    ProbeResult m_result;
    int m_pendingCapabilities = 0;
    QList<QPointer<ApiReply>> m_inFlight;
};

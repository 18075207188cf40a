#pragma once

#include "api/ApiError.h"
#include "api/ServerProbe.h"

#include <QString>

// The process exit codes of mlflow-admin-cli, the same for every command so that scripts can branch on them.
enum class ExitCode {
    Ok = 0,
    Other = 1,          // anything not listed below
    Usage = 2,          // bad command line, unreadable input file, no server or user given
    Authentication = 3, // wrong user name or password, or no password available
    Permission = 4,     // the account is not allowed to do this
    NotFound = 5,       // the user, experiment, model or grant does not exist
    PartialFailure = 6, // some changes were applied and some failed
    Network = 7,        // unreachable, timed out, or TLS failure
    Unsupported = 8,    // the server's MLflow version lacks the feature (e.g. roles before 3.12, workspaces off)
    AuditFailed = 9,    // the changes went through, but could not be recorded in the audit trail
};

namespace ExitCodes {

ExitCode fromApiError(const ApiError& error);
ExitCode fromProbeStatus(ProbeResult::Status status);
// The "Exit codes:" paragraph of --help.
QString helpText();

} // namespace ExitCodes

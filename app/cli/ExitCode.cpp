#include "app/cli/ExitCode.h"

#include <QCoreApplication>

namespace ExitCodes {

ExitCode fromApiError(const ApiError& error)
{
    switch (error.kind()) {
    case ApiError::Kind::None:
        return ExitCode::Ok;
    case ApiError::Kind::Unauthenticated:
        return ExitCode::Authentication;
    case ApiError::Kind::PermissionDenied:
        return ExitCode::Permission;
    case ApiError::Kind::NotFound:
        return ExitCode::NotFound;
    case ApiError::Kind::Network:
    case ApiError::Kind::Timeout:
    case ApiError::Kind::Tls:
        return ExitCode::Network;
    case ApiError::Kind::EndpointNotFound:
    case ApiError::Kind::AlreadyExists:
    case ApiError::Kind::InvalidRequest:
    case ApiError::Kind::RateLimited:
    case ApiError::Kind::Server:
    case ApiError::Kind::Redirected:
    case ApiError::Kind::NotMlflow:
    case ApiError::Kind::AuthNotEnabled:
    case ApiError::Kind::NotSupported:
    case ApiError::Kind::Database:
    case ApiError::Kind::Cancelled:
    case ApiError::Kind::NotSent:
        break;
    }
    return ExitCode::Other;
}

ExitCode fromProbeStatus(ProbeResult::Status status)
{
    switch (status) {
    case ProbeResult::Status::Ready:
    case ProbeResult::Status::NotAdmin:
        return ExitCode::Ok;
    case ProbeResult::Status::WrongCredentials:
        return ExitCode::Authentication;
    case ProbeResult::Status::Unreachable:
    case ProbeResult::Status::TimedOut:
    case ProbeResult::Status::TlsFailure:
        return ExitCode::Network;
    case ProbeResult::Status::NotMlflow:
    case ProbeResult::Status::AuthNotEnabled:
    case ProbeResult::Status::Failed:
        break;
    }
    return ExitCode::Other;
}

QString helpText()
{
    return QCoreApplication::translate("ExitCodes", "Exit codes:\n"
                                                    "  0  success\n"
                                                    "  1  other error\n"
                                                    "  2  usage error (bad arguments or input file)\n"
                                                    "  3  authentication failed or no password available\n"
                                                    "  4  permission denied\n"
                                                    "  5  not found (user, experiment, model or grant)\n"
                                                    "  6  partial failure (some changes failed)\n"
                                                    "  7  network or TLS failure\n"
                                                    "  8  not supported by this server (its MLflow version or "
                                                    "configuration)\n"
                                                    "  9  the changes were sent but not recorded in the audit trail\n");
}

} // namespace ExitCodes

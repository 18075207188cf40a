#include "server/MlflowError.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>

MlflowError::MlflowError(QByteArray code, QString message)
    : m_code(std::move(code)), m_message(std::move(message)), m_what(m_code + ": " + m_message.toUtf8())
{}

int MlflowError::httpStatus() const
{
    return httpStatusForCode(m_code);
}

// The table of mlflow/protos/databricks.proto as MLflow's server maps it (ERROR_CODE_TO_HTTP_STATUS).
int MlflowError::httpStatusForCode(const QByteArray& code)
{
    static const QHash<QByteArray, int> statusByCode = {
        {"INVALID_PARAMETER_VALUE", 400},
        {"BAD_REQUEST", 400},
        {"RESOURCE_ALREADY_EXISTS", 400},
        {"INVALID_STATE", 500},
        {"INTERNAL_ERROR", 500},
        {"DATA_LOSS", 500},
        {"RESOURCE_DOES_NOT_EXIST", 404},
        {"NOT_FOUND", 404},
        {"ENDPOINT_NOT_FOUND", 404},
        {"PERMISSION_DENIED", 403},
        {"UNAUTHENTICATED", 401},
        {"CUSTOMER_UNAUTHORIZED", 401},
        {"ABORTED", 409},
        {"RESOURCE_CONFLICT", 409},
        {"ALREADY_EXISTS", 409},
        {"REQUEST_LIMIT_EXCEEDED", 429},
        {"RESOURCE_EXHAUSTED", 429},
        {"NOT_IMPLEMENTED", 501},
        {"TEMPORARILY_UNAVAILABLE", 503},
        {"DEADLINE_EXCEEDED", 504},
        {"CANCELLED", 499},
    };
    return statusByCode.value(code, 500);
}

namespace {

// mlflow/error_classification.py, client side (_CLIENT_ERROR_CODE_TO_ERROR_CLASS and ..._TO_SQLSTATE). Codes missing
// from these tables carry neither key.
struct Classification
{
    const char* errorClass;
    const char* sqlstate;
};

const QHash<QByteArray, Classification>& classifications()
{
    static const QHash<QByteArray, Classification> table = {
        {"BAD_REQUEST", {"INVALID_PARAMETER_VALUE", "KAM00"}},
        {"CUSTOMER_UNAUTHORIZED", {"PERMISSION_DENIED", "KAM00"}},
        {"ENDPOINT_NOT_FOUND", {"RESOURCE_NOT_FOUND", "KAM00"}},
        {"FEATURE_DISABLED", {"FEATURE_DISABLED", "KAM00"}},
        {"INTERNAL_ERROR", {"CLIENT_INTERNAL_ERROR", "XXM00"}},
        {"INVALID_PARAMETER_VALUE", {"INVALID_PARAMETER_VALUE", "KAM00"}},
        {"INVALID_STATE", {"CLIENT_INTERNAL_ERROR", "XXM00"}},
        {"NOT_FOUND", {"RESOURCE_NOT_FOUND", "KAM00"}},
        {"PERMISSION_DENIED", {"PERMISSION_DENIED", "KAM00"}},
        {"RESOURCE_ALREADY_EXISTS", {"RESOURCE_ALREADY_EXISTS", "KAM00"}},
        {"RESOURCE_DOES_NOT_EXIST", {"RESOURCE_NOT_FOUND", "KAM00"}},
        {"TEMPORARILY_UNAVAILABLE", {"CLIENT_INTERNAL_ERROR", "XXM00"}},
    };
    return table;
}

} // namespace

QByteArray MlflowError::toJson(const Dialect& dialect) const
{
    QJsonObject body;
    body.insert(QStringLiteral("error_code"), QString::fromLatin1(m_code));
    body.insert(QStringLiteral("message"), m_message);
    if (dialect.isMlflow3()) {
        const auto classification = classifications().constFind(m_code);
        if (classification != classifications().cend()) {
            body.insert(QStringLiteral("error_class"), QLatin1String(classification->errorClass));
            body.insert(QStringLiteral("sqlstate"), QLatin1String(classification->sqlstate));
        }
    }
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

MlflowError MlflowError::invalidParameter(const QString& message)
{
    return MlflowError("INVALID_PARAMETER_VALUE", message);
}

MlflowError MlflowError::missingParameter(const QString& name)
{
    return invalidParameter(
        QStringLiteral("Missing value for required parameter '%1'. See the API docs for more information about "
                       "request parameters.")
            .arg(name));
}

MlflowError MlflowError::notFound(const QString& message)
{
    return MlflowError("RESOURCE_DOES_NOT_EXIST", message);
}

MlflowError MlflowError::alreadyExists(const QString& message)
{
    return MlflowError("RESOURCE_ALREADY_EXISTS", message);
}

MlflowError MlflowError::badRequest(const QString& message)
{
    return MlflowError("BAD_REQUEST", message);
}

MlflowError MlflowError::internal(const QString& message)
{
    return MlflowError("INTERNAL_ERROR", message);
}

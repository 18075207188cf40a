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

QByteArray MlflowError::toJson() const
{
    QJsonObject body;
    body.insert(QStringLiteral("error_code"), QString::fromLatin1(m_code));
    body.insert(QStringLiteral("message"), m_message);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

QByteArray MlflowError::toJsonWithClassification() const
{
    // error_code -> (error_class, sqlstate); KAM00 is a client parameter problem, XXM00 an internal one.
    static const QHash<QByteArray, QPair<QString, QString>> classes = {
        {"BAD_REQUEST", {QStringLiteral("INVALID_PARAMETER_VALUE"), QStringLiteral("KAM00")}},
        {"ENDPOINT_NOT_FOUND", {QStringLiteral("RESOURCE_NOT_FOUND"), QStringLiteral("KAM00")}},
        {"FEATURE_DISABLED", {QStringLiteral("FEATURE_DISABLED"), QStringLiteral("KAM00")}},
        {"INTERNAL_ERROR", {QStringLiteral("CLIENT_INTERNAL_ERROR"), QStringLiteral("XXM00")}},
        {"INVALID_PARAMETER_VALUE", {QStringLiteral("INVALID_PARAMETER_VALUE"), QStringLiteral("KAM00")}},
        {"INVALID_STATE", {QStringLiteral("CLIENT_INTERNAL_ERROR"), QStringLiteral("XXM00")}},
        {"NOT_FOUND", {QStringLiteral("RESOURCE_NOT_FOUND"), QStringLiteral("KAM00")}},
        {"PERMISSION_DENIED", {QStringLiteral("PERMISSION_DENIED"), QStringLiteral("KAM00")}},
        {"RESOURCE_ALREADY_EXISTS", {QStringLiteral("RESOURCE_ALREADY_EXISTS"), QStringLiteral("KAM00")}},
        {"RESOURCE_DOES_NOT_EXIST", {QStringLiteral("RESOURCE_NOT_FOUND"), QStringLiteral("KAM00")}},
        {"TEMPORARILY_UNAVAILABLE", {QStringLiteral("CLIENT_INTERNAL_ERROR"), QStringLiteral("XXM00")}},
    };
    QJsonObject body;
    body.insert(QStringLiteral("error_code"), QString::fromLatin1(m_code));
    body.insert(QStringLiteral("message"), m_message);
    const auto found = classes.constFind(m_code);
    if (found != classes.cend()) {
        body.insert(QStringLiteral("error_class"), found->first);
        body.insert(QStringLiteral("sqlstate"), found->second);
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

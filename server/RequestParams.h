#pragma once

#include "server/HttpMessage.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <exception>
#include <optional>

// A response that is not an MLflow JSON error (401, 403, Werkzeug's HTML 400/404/405...). Thrown by request
// parsing and policy code, answered as-is by the router.
class HttpFailure : public std::exception
{
public:
    explicit HttpFailure(HttpResponse response) : m_response(std::move(response)) {}
    const HttpResponse& response() const { return m_response; }
    const char* what() const noexcept override { return "HTTP failure"; }

    static HttpFailure permissionDenied();
    // What Werkzeug answers when request.json cannot be read (wrong media type or malformed JSON).
    static HttpFailure badRequestBody();

private:
    HttpResponse m_response;
};

// The parameters of one request, read the way MLflow reads them: the query string for GET, the JSON body for
// POST/PATCH/DELETE. Accessors throw MlflowError with MLflow's messages for missing or mistyped values.
class RequestParams
{
public:
    // The auth layer's transport (mlflow.server.auth._get_request_param): a body that is not JSON is a Werkzeug
    // 400 (HttpFailure), exactly as Flask's request.json behaves.
    static RequestParams forAuthLayer(const HttpRequest& request);
    // The tracking handlers' transport (_get_request_message): a GET's query string when it has one, else the JSON
    // body; POST/PUT must say application/json (MlflowError otherwise); a body that does not parse is empty.
    static RequestParams forTracking(const HttpRequest& request);
    // MLflow 3.x's auth transport: GET reads the query string; POST/PATCH a JSON body (anything else reads as no
    // parameters, so a missing one is a 400 "Missing value"); DELETE the JSON body when the request says JSON, else
    // the query string.
    static RequestParams forRbacAuthLayer(const HttpRequest& request);

    bool has(const QString& name) const { return m_values.contains(name); }
    QJsonValue value(const QString& name) const { return m_values.value(name); }

    QString requiredString(const QString& name) const;
    std::optional<QString> optionalString(const QString& name) const;
    qint64 int64(const QString& name, qint64 defaultValue) const;
    std::optional<qint64> optionalInt64(const QString& name) const;
    double requiredDouble(const QString& name) const;
    bool requiredBool(const QString& name) const;
    // MLflow 3.x's _get_int_request_param: a JSON number or a decimal string, else 400 "Parameter 'X' must be an
    // integer. Got: 'abc'" (the value as Python's repr shows it).
    qint64 requiredInteger(const QString& name) const;
    QStringList stringList(const QString& name) const; // a JSON array, repeated query keys, or one value
    QJsonArray array(const QString& name) const;       // a JSON array of objects (tags, metrics...)

private:
    explicit RequestParams(QJsonObject values) : m_values(std::move(values)) {}
    static QJsonObject fromQuery(const HttpRequest& request);

    QJsonObject m_values;
};

#include "server/RequestParams.h"

#include "server/MlflowError.h"
#include "server/ProtoJson.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

HttpFailure HttpFailure::permissionDenied()
{
    return HttpFailure(HttpResponse::html("Permission denied", 403));
}

HttpFailure HttpFailure::badRequestBody()
{
    return HttpFailure(HttpResponse::htmlError(
        400, QStringLiteral("Bad Request"),
        QStringLiteral("The request body must be a JSON object sent with Content-Type: application/json.")));
}

namespace {

bool isGet(const HttpRequest& request)
{
    return request.method == "GET";
}

// Werkzeug's is_json: application/json or any application/*+json.
bool isJsonMimeType(const QByteArray& mimeType)
{
    return mimeType == "application/json" || (mimeType.startsWith("application/") && mimeType.endsWith("+json"));
}

QString typeErrorMessage(const QString& name, const QJsonValue& value, const char* expected)
{
    const QByteArray shown = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
    return QStringLiteral("Invalid value %1 for parameter '%2' supplied. Hint: Value was of type '%3'. See the API "
                          "docs for more information about request parameters.")
        .arg(QString::fromUtf8(shown), name, QString::fromLatin1(expected));
}

} // namespace

QJsonObject RequestParams::fromQuery(const HttpRequest& request)
{
    QJsonObject values;
    const auto items = request.queryItems();
    for (const auto& item : items) {
        QString key = item.first;
        if (key.endsWith(QLatin1String("[]")))
            key.chop(2);
        const QJsonValue existing = values.value(key);
        if (existing.isUndefined()) {
            values.insert(key, item.second);
        } else {
            QJsonArray list = existing.isArray() ? existing.toArray() : QJsonArray{existing};
            list.append(item.second);
            values.insert(key, list);
        }
    }
    return values;
}

RequestParams RequestParams::forAuthLayer(const HttpRequest& request)
{
    if (isGet(request))
        return RequestParams(fromQuery(request));
    if (!isJsonMimeType(request.mimeType()))
        throw HttpFailure::badRequestBody();
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &error);
    if (error.error != QJsonParseError::NoError)
        throw HttpFailure::badRequestBody();
    return RequestParams(document.object());
}

RequestParams RequestParams::forTracking(const HttpRequest& request)
{
    // _get_request_message reads the query string of a GET only when there is one; a GET without one reads the
    // JSON body like a POST (the auth layer's validators still read only the query string).
    if (isGet(request) && !request.query.isEmpty())
        return RequestParams(fromQuery(request));
    if (request.method == "POST" || request.method == "PUT") {
        if (!request.hasHeader("content-type"))
            throw MlflowError::invalidParameter(QStringLiteral("Bad Request. Content-Type header is missing."));
        if (request.mimeType() != "application/json")
            throw MlflowError::invalidParameter(
                QStringLiteral("Bad Request. Content-Type must be one of ['application/json']."));
    }
    // MLflow reads the body with get_json(force=True, silent=True): unparsable means empty.
    return RequestParams(QJsonDocument::fromJson(request.body).object());
}

RequestParams RequestParams::forRbacAuthLayer(const HttpRequest& request)
{
    if (isGet(request))
        return RequestParams(fromQuery(request));
    const bool json = isJsonMimeType(request.mimeType());
    if (request.method == "DELETE" && !json)
        return RequestParams(fromQuery(request));
    if (!json)
        return RequestParams(QJsonObject());
    return RequestParams(QJsonDocument::fromJson(request.body).object());
}

qint64 RequestParams::requiredInteger(const QString& name) const
{
    const QJsonValue value = m_values.value(name);
    if (value.isUndefined())
        throw MlflowError::missingParameter(name);
    if (value.isDouble() && std::fabs(value.toDouble()) < 9.0e15)
        return static_cast<qint64>(value.toDouble()); // Python's int() truncates
    if (value.isBool())
        return value.toBool() ? 1 : 0;
    QString shown;
    if (value.isString()) {
        bool ok = false;
        const qint64 number = value.toString().trimmed().toLongLong(&ok);
        if (ok)
            return number;
        shown = QLatin1Char('\'') + value.toString() + QLatin1Char('\'');
    } else if (value.isNull()) {
        shown = QStringLiteral("None");
    } else {
        shown = QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
    }
    throw MlflowError::invalidParameter(QStringLiteral("Parameter '%1' must be an integer. Got: %2").arg(name, shown));
}

QString RequestParams::requiredString(const QString& name) const
{
    const std::optional<QString> text = optionalString(name);
    if (!text)
        throw MlflowError::missingParameter(name);
    return *text;
}

std::optional<QString> RequestParams::optionalString(const QString& name) const
{
    const QJsonValue value = m_values.value(name);
    if (value.isUndefined() || value.isNull())
        return std::nullopt;
    if (value.isString())
        return value.toString();
    if (value.isDouble()) {
        const double number = value.toDouble();
        if (std::floor(number) == number && std::fabs(number) < 9.0e15)
            return QString::number(static_cast<qint64>(number));
        // A fraction or a number past double's exact integers has no one spelling: two different numbers could
        // become the same name or id. MLflow refuses them too.
        throw MlflowError::invalidParameter(typeErrorMessage(name, value, "float"));
    }
    if (value.isArray() && value.toArray().size() == 1 && value.toArray().first().isString())
        return value.toArray().first().toString();
    throw MlflowError::invalidParameter(typeErrorMessage(name, value, value.isBool() ? "bool" : "object"));
}

std::optional<qint64> RequestParams::optionalInt64(const QString& name) const
{
    const QJsonValue value = m_values.value(name);
    if (value.isUndefined() || value.isNull())
        return std::nullopt;
    // Query strings may carry blanks around a number.
    if (const auto number = ProtoJson::toInt64(value.isString() ? QJsonValue(value.toString().trimmed()) : value))
        return number;
    throw MlflowError::invalidParameter(typeErrorMessage(name, value, value.isString() ? "str" : "non-integer"));
}

qint64 RequestParams::int64(const QString& name, qint64 defaultValue) const
{
    return optionalInt64(name).value_or(defaultValue);
}

double RequestParams::requiredDouble(const QString& name) const
{
    const QJsonValue value = m_values.value(name);
    if (value.isUndefined() || value.isNull())
        throw MlflowError::missingParameter(name);
    if (const auto number = ProtoJson::toDouble(value))
        return *number;
    throw MlflowError::invalidParameter(typeErrorMessage(name, value, "non-number"));
}

bool RequestParams::requiredBool(const QString& name) const
{
    const QJsonValue value = m_values.value(name);
    if (value.isUndefined() || value.isNull())
        throw MlflowError::missingParameter(name);
    if (value.isBool())
        return value.toBool();
    if (value.isString()) {
        const QString text = value.toString().toLower();
        if (text == QLatin1String("true"))
            return true;
        if (text == QLatin1String("false"))
            return false;
    }
    throw MlflowError::invalidParameter(
        QStringLiteral("Invalid value for parameter '%1': expected a JSON boolean (true or false).").arg(name));
}

QStringList RequestParams::stringList(const QString& name) const
{
    const QJsonValue value = m_values.value(name);
    QStringList list;
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (const QJsonValue& item : array) {
            if (!item.isString() && !item.isDouble())
                throw MlflowError::invalidParameter(typeErrorMessage(name, value, "list of non-strings"));
            list.append(item.isString() ? item.toString() : QString::number(item.toInteger()));
        }
    } else if (value.isString()) {
        list.append(value.toString());
    } else if (value.isDouble()) {
        list.append(QString::number(value.toInteger()));
    } else if (!value.isUndefined() && !value.isNull()) {
        throw MlflowError::invalidParameter(typeErrorMessage(name, value, "object"));
    }
    return list;
}

QJsonArray RequestParams::array(const QString& name) const
{
    const QJsonValue value = m_values.value(name);
    if (value.isUndefined() || value.isNull())
        return {};
    if (!value.isArray())
        throw MlflowError::invalidParameter(typeErrorMessage(name, value, "non-list"));
    const QJsonArray items = value.toArray();
    for (const QJsonValue& item : items) {
        if (!item.isObject())
            throw MlflowError::invalidParameter(typeErrorMessage(name, value, "list of non-objects"));
    }
    return items;
}

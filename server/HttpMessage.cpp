#include "server/HttpMessage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>

namespace {

QString decodeFormComponent(QByteArray component)
{
    component.replace('+', ' ');
    return QUrl::fromPercentEncoding(component);
}

} // namespace

QList<QPair<QString, QString>> HttpRequest::decodeForm(const QByteArray& encoded)
{
    QList<QPair<QString, QString>> items;
    for (const QByteArray& pair : encoded.split('&')) {
        if (pair.isEmpty())
            continue;
        const qsizetype equals = pair.indexOf('=');
        if (equals < 0)
            items.append({decodeFormComponent(pair), QString()});
        else
            items.append({decodeFormComponent(pair.left(equals)), decodeFormComponent(pair.mid(equals + 1))});
    }
    return items;
}

QList<QPair<QString, QString>> HttpRequest::queryItems() const
{
    return decodeForm(query);
}

std::optional<QString> HttpRequest::queryValue(const QString& key) const
{
    const QList<QPair<QString, QString>> items = queryItems();
    for (const auto& item : items) {
        if (item.first == key)
            return item.second;
    }
    return std::nullopt;
}

QByteArray HttpRequest::header(const QByteArray& name) const
{
    for (const auto& header : headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0)
            return header.second;
    }
    return {};
}

bool HttpRequest::hasHeader(const QByteArray& name) const
{
    for (const auto& header : headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

QByteArray HttpRequest::mimeType() const
{
    QByteArray type = contentType();
    const int semicolon = type.indexOf(';');
    if (semicolon >= 0)
        type.truncate(semicolon);
    return type.trimmed().toLower();
}

HttpResponse HttpResponse::json(const QByteArray& body, int status)
{
    HttpResponse response;
    response.status = status;
    response.body = body;
    return response;
}

HttpResponse HttpResponse::jsonObject(const QJsonObject& object)
{
    return json(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

namespace {

// One scalar exactly as QJsonDocument writes it inside an array, without the brackets.
QByteArray scalarJson(const QJsonValue& value)
{
    const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

void appendPretty(QByteArray& out, const QJsonValue& value, int depth)
{
    const QByteArray indent(2 * (depth + 1), ' ');
    const QByteArray closingIndent(2 * depth, ' ');
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        if (object.isEmpty()) {
            out += "{}";
            return;
        }
        out += "{\n";
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (it != object.begin())
                out += ",\n";
            out += indent + scalarJson(it.key()) + ": ";
            appendPretty(out, it.value(), depth + 1);
        }
        out += '\n' + closingIndent + '}';
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        if (array.isEmpty()) {
            out += "[]";
            return;
        }
        out += "[\n";
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (i > 0)
                out += ",\n";
            out += indent;
            appendPretty(out, array.at(i), depth + 1);
        }
        out += '\n' + closingIndent + ']';
    } else {
        out += scalarJson(value);
    }
}

} // namespace

HttpResponse HttpResponse::prettyJsonObject(const QJsonObject& object, int status)
{
    QByteArray body;
    appendPretty(body, object, 0);
    return json(body, status);
}

HttpResponse HttpResponse::html(const QByteArray& body, int status)
{
    return text(body, status, "text/html; charset=utf-8");
}

HttpResponse HttpResponse::text(const QByteArray& body, int status, const QByteArray& contentType)
{
    HttpResponse response;
    response.status = status;
    response.contentType = contentType;
    response.body = body;
    return response;
}

HttpResponse HttpResponse::htmlError(int status, const QString& title, const QString& explanation)
{
    const QString page =
        QStringLiteral("<!doctype html>\n<html lang=en>\n<title>%1 %2</title>\n<h1>%2</h1>\n<p>%3</p>\n")
            .arg(status)
            .arg(title.toHtmlEscaped(), explanation.toHtmlEscaped());
    return html(page.toUtf8(), status);
}

const QList<QPair<QByteArray, QByteArray>>& securityHeaders()
{
    static const QList<QPair<QByteArray, QByteArray>> headers = {
        qMakePair(QByteArray("X-Content-Type-Options"), QByteArray("nosniff")),
        qMakePair(QByteArray("X-Frame-Options"), QByteArray("DENY")),
    };
    return headers;
}

const char* reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "";
    }
}

QByteArray serializedHead(const HttpResponse& response, bool keepAlive, qsizetype reserveBody)
{
    // Appended piece by piece into one buffer: every request passes here, and concatenating temporaries cost
    // about a tenth of a small request.
    QByteArray head;
    head.reserve(256 + reserveBody);
    const auto field = [&head](const QByteArray& name, const QByteArray& value) {
        head.append(name).append(": ", 2).append(value).append("\r\n", 2);
    };
    // The space before the reason phrase is there even when the phrase is empty (RFC 9112 4).
    head.append("HTTP/1.1 ", 9).append(QByteArray::number(response.status)).append(' ');
    head.append(reasonPhrase(response.status)).append("\r\n", 2);
    field("Content-Type", response.contentType);
    field("Content-Length", QByteArray::number(response.body.size()));
    if (!keepAlive)
        field("Connection", "close");
    for (const auto& header : response.extraHeaders)
        field(header.first, header.second);
    for (const auto& header : securityHeaders())
        field(header.first, header.second);
    head.append("\r\n", 2);
    return head;
}

#include "server/HttpMessage.h"

#include <QJsonDocument>

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

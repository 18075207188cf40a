#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrlQuery>

// A request as the server's handlers see it, detached from QHttpServer so that handlers can be driven directly
// (the demo seeder does) and so that no handler ever touches a socket.
struct HttpRequest
{
    QByteArray method; // "GET", "POST", ...
    QString path;      // decoded path, no query
    QUrlQuery query;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QByteArray header(const QByteArray& name) const; // case-insensitive; empty when absent
    bool hasHeader(const QByteArray& name) const;
    QByteArray contentType() const { return header("content-type"); }
    // The media type without parameters, lower-cased: "application/json" for "application/json; charset=utf-8".
    QByteArray mimeType() const;
};

// What a handler answers. Bodies are bytes; the front adds Content-Length.
struct HttpResponse
{
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> extraHeaders;

    static HttpResponse json(const QByteArray& body, int status = 200);
    // 200 with the object as compact JSON; QJsonObject sorts its keys, as Flask's jsonify does.
    static HttpResponse jsonObject(const QJsonObject& object);
    // The object as Python's json.dumps(indent=2) writes it, as MLflow 3.x's tracking-style endpoints answer.
    static HttpResponse prettyJsonObject(const QJsonObject& object, int status = 200);
    static HttpResponse html(const QByteArray& body, int status);
    static HttpResponse text(const QByteArray& body, int status, const QByteArray& contentType);
    // Werkzeug-style HTML error pages, as a Flask app answers for routing and body-parsing failures.
    static HttpResponse htmlError(int status, const QString& title, const QString& explanation);
};

// Sent with every response, whoever writes it: no MIME sniffing of JSON or text bodies, and no framing of anything
// this server answers (the clickjacking half of a cross-site attack).
const QList<QPair<QByteArray, QByteArray>>& securityHeaders();

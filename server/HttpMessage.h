#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

#include <optional>

// A request as the server's handlers see it, detached from the connection so that handlers can be driven directly
// (the demo seeder does) and so that no handler ever touches a socket.
struct HttpRequest
{
    QByteArray method; // "GET", "POST", ...
    QString path;      // decoded path, no query
    QByteArray query;  // the query string as sent (no '?', still percent-encoded); read it through queryItems()
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QHostAddress peer; // the client's address (sign-in throttling); null for requests made in-process

    // The query string decoded as Werkzeug decodes request.args: '+' is a space (Python's requests and HTML forms
    // encode spaces so), then %XX as UTF-8; pairs in order, repeated keys kept, a key without '=' has an empty value.
    QList<QPair<QString, QString>> queryItems() const;
    // The first value of a query key, if the key is there.
    std::optional<QString> queryValue(const QString& key) const;
    // application/x-www-form-urlencoded text, decoded the same way (query strings and form bodies alike).
    static QList<QPair<QString, QString>> decodeForm(const QByteArray& encoded);

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

// The status line's reason phrase for the statuses this server answers (RFC 9110's wording); empty for others.
const char* reasonPhrase(int status);

// A response's status line and headers, ending with the empty line: Content-Type, Content-Length, "Connection:
// close" unless `keepAlive`, its extra headers and the security headers. `reserveBody` bytes are reserved behind it
// for a caller that appends the body.
QByteArray serializedHead(const HttpResponse& response, bool keepAlive, qsizetype reserveBody);

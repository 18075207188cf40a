#pragma once

#include <QCoreApplication>
#include <QMetaType>
#include <QNetworkReply>
#include <QSslCertificate>
#include <QString>
#include <QStringList>

#include <optional>

// What went wrong with one request, as a value: the HTTP status, MLflow's error_code, the server's message (with
// secrets MLflow leaks into it removed) and a translated sentence for the user. It never holds a password or an
// Authorization header.
class ApiError
{
    Q_DECLARE_TR_FUNCTIONS(ApiError)

public:
    enum class Kind {
        None,             // no error
        Network,          // connection refused, host not found, reset, proxy trouble...
        Timeout,          // no bytes within the per-request timeout
        Tls,              // handshake failed or the certificate was not trusted
        Unauthenticated,  // 401: wrong user name or password
        PermissionDenied, // 403
        NotFound,         // MLflow RESOURCE_DOES_NOT_EXIST (the user, grant or resource is missing)
        EndpointNotFound, // a 404 that is not MLflow JSON: the route does not exist on this server
        AlreadyExists,    // MLflow RESOURCE_ALREADY_EXISTS (a 400, not a 409)
        InvalidRequest,   // other 4xx: bad parameter, bad request, method not allowed
        RateLimited,      // 429
        Server,           // 5xx
        Redirected,       // the server redirected to another origin; we do not follow with credentials
        NotMlflow,        // the answer is not what an MLflow server sends
        AuthNotEnabled,   // MLflow without the basic-auth app
        NotSupported,     // this server version lacks the feature
        Database,         // local or auth-database (Qt Sql) failure
        Cancelled,        // cancelled by us (cancelAll, abort)
        NotSent,          // never sent, because a change it depends on failed (the message says which)
    };

    ApiError() = default;
    ApiError(Kind kind, QString serverMessage = {});

    // Builds the error for an HTTP answer that is not 2xx. `contentType` and `body` decide whether it is MLflow
    // JSON ({"error_code","message"}) or the auth layer's plain text/HTML.
    static ApiError fromHttpResponse(int status, const QByteArray& contentType, const QByteArray& body);
    // The error for a transport-level failure (no usable HTTP answer).
    static ApiError fromNetworkError(QNetworkReply::NetworkError error, const QString& qtErrorString);

    bool isError() const { return m_kind != Kind::None; }
    Kind kind() const { return m_kind; }
    int httpStatus() const { return m_httpStatus; }
    QString errorCode() const { return m_errorCode; }
    // The server's own message, cleaned: no HTML, no SQL or password hashes, at most a few hundred characters.
    QString serverMessage() const { return m_serverMessage; }
    QNetworkReply::NetworkError networkError() const { return m_networkError; }

    // "GET /api/2.0/mlflow/users/get": which call failed, for logs and detail views. No query, no body.
    QString endpoint() const { return m_endpoint; }
    void setEndpoint(const QString& endpoint) { m_endpoint = endpoint; }

    // TLS details; the fingerprint (SHA-256, colon-separated upper-case hex) lets a UI offer to pin the certificate.
    QString certificateFingerprint() const { return m_certificateFingerprint; }
    QSslCertificate certificate() const { return m_certificate.value_or(QSslCertificate()); }
    QStringList tlsErrors() const { return m_tlsErrors; }
    void setTlsDetails(const QSslCertificate& certificate, const QStringList& errors);

    QString redirectLocation() const { return m_redirectLocation; }
    void setRedirectLocation(const QString& location) { m_redirectLocation = location; }

    // A translated sentence: what happened and what to do about it.
    QString userMessage() const;
    // One line for logs: kind, status, code, endpoint and the cleaned server message.
    QString toLogString() const;

    static QString kindName(Kind kind);
    // Removes what MLflow leaks into messages (SQL statements, parameters, password hashes) and HTML markup.
    static QString sanitizeServerMessage(const QString& message);

private:
    Kind m_kind = Kind::None;
    int m_httpStatus = 0;
    QString m_errorCode;
    QString m_serverMessage;
    QNetworkReply::NetworkError m_networkError = QNetworkReply::NoError;
    QString m_endpoint;
    QString m_certificateFingerprint;
    // Only TLS failures carry one; a QSslCertificate is built through the TLS backend even when empty, and every
    // job and answer holds an ApiError (several per request of a 10,000-change apply).
    std::optional<QSslCertificate> m_certificate;
    QStringList m_tlsErrors;
    QString m_redirectLocation;
};

Q_DECLARE_METATYPE(ApiError)

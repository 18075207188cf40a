#include "api/ApiError.h"

#include "api/TlsPolicy.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace {

constexpr int maxServerMessageLength = 300;

// Flask's error pages are small HTML documents; their text is the useful part ("404 Not Found The requested URL
// was not found on the server...").
QString plainTextOf(const QByteArray& body)
{
    QString text = QString::fromUtf8(body);
    static const QRegularExpression titleOrScript(QStringLiteral("<(title|script|style)[^>]*>.*?</\\1>"),
                                                  QRegularExpression::CaseInsensitiveOption |
                                                      QRegularExpression::DotMatchesEverythingOption);
    static const QRegularExpression tag(QStringLiteral("<[^>]*>"));
    text.remove(titleOrScript);
    text.replace(tag, QStringLiteral(" "));
    text.replace(QLatin1String("&nbsp;"), QLatin1String(" "));
    text.replace(QLatin1String("&lt;"), QLatin1String("<"));
    text.replace(QLatin1String("&gt;"), QLatin1String(">"));
    text.replace(QLatin1String("&quot;"), QLatin1String("\""));
    text.replace(QLatin1String("&#39;"), QLatin1String("'"));
    text.replace(QLatin1String("&amp;"), QLatin1String("&"));
    return text.simplified();
}

} // namespace

ApiError::ApiError(Kind kind, QString serverMessage)
    : m_kind(kind), m_serverMessage(sanitizeServerMessage(serverMessage))
{}

QString ApiError::sanitizeServerMessage(const QString& message)
{
    QString text = message.simplified();
    // MLflow appends the database exception to "already exists" and similar messages; it contains the SQL
    // statement and its parameters, including the new user's password hash.
    static const QRegularExpression leak(
        QStringLiteral("(\\s*Error:\\s*\\(|\\s*\\(\\w+\\.\\w*(Error|Exception)\\)|\\s*\\[SQL:|\\s*\\(Background on)"));
    const QRegularExpressionMatch match = leak.match(text);
    if (match.hasMatch())
        text.truncate(match.capturedStart());
    static const QRegularExpression hash(QStringLiteral("(pbkdf2|scrypt)[:\\w]*\\$[^\\s'\",)]*"));
    text.replace(hash, QStringLiteral("[hash removed]"));
    if (text.size() > maxServerMessageLength)
        text = text.left(maxServerMessageLength - 1) + QChar(0x2026);
    return text;
}

ApiError ApiError::fromHttpResponse(int status, const QByteArray& contentType, const QByteArray& body)
{
    ApiError error;
    error.m_httpStatus = status;

    QString message;
    // MLflow's own errors are JSON; the auth layer's 401/403 and Flask's 404/405/415 pages are text or HTML.
    // Parse JSON whatever the Content-Type says, since proxies relabel bodies.
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error == QJsonParseError::NoError && document.isObject()) {
        const QJsonObject object = document.object();
        error.m_errorCode = object.value(QLatin1String("error_code")).toString();
        message = object.value(QLatin1String("message")).toString();
    } else if (contentType.contains("html") || body.trimmed().startsWith('<')) {
        message = plainTextOf(body);
    } else {
        message = QString::fromUtf8(body);
    }
    error.m_serverMessage = sanitizeServerMessage(message);

    const QString& code = error.m_errorCode;
    if (code == QLatin1String("RESOURCE_ALREADY_EXISTS") || code == QLatin1String("ALREADY_EXISTS"))
        error.m_kind = Kind::AlreadyExists;
    else if (status == 401 || code == QLatin1String("UNAUTHENTICATED"))
        error.m_kind = Kind::Unauthenticated;
    else if (status == 403 || code == QLatin1String("PERMISSION_DENIED"))
        error.m_kind = Kind::PermissionDenied;
    else if (status == 404 && (code == QLatin1String("RESOURCE_DOES_NOT_EXIST") || code == QLatin1String("NOT_FOUND")))
        error.m_kind = Kind::NotFound;
    else if (status == 404)
        error.m_kind = Kind::EndpointNotFound;
    else if (status == 429)
        error.m_kind = Kind::RateLimited;
    else if (status == 501)
        error.m_kind = Kind::NotSupported;
    else if (status >= 500)
        error.m_kind = Kind::Server;
    else if (status >= 300 && status < 400)
        error.m_kind = Kind::Redirected;
    else if (status >= 400)
        error.m_kind = Kind::InvalidRequest;
    else
        error.m_kind = Kind::NotMlflow; // a 1xx/2xx handed to us as an error: the body was not what we expected
    return error;
}

ApiError ApiError::fromNetworkError(QNetworkReply::NetworkError networkError, const QString& qtErrorString)
{
    ApiError error;
    error.m_networkError = networkError;
    error.m_serverMessage = qtErrorString;
    switch (networkError) {
    case QNetworkReply::SslHandshakeFailedError:
        error.m_kind = Kind::Tls;
        break;
    case QNetworkReply::TimeoutError:
        error.m_kind = Kind::Timeout;
        break;
    case QNetworkReply::OperationCanceledError:
        error.m_kind = Kind::Cancelled;
        break;
    default:
        error.m_kind = Kind::Network;
        break;
    }
    return error;
}

void ApiError::setTlsDetails(const QSslCertificate& certificate, const QStringList& errors)
{
    m_certificate = certificate;
    m_certificateFingerprint = Tls::fingerprint(certificate);
    m_tlsErrors = errors;
}

QString ApiError::kindName(Kind kind)
{
    switch (kind) {
    case Kind::None:
        return QStringLiteral("None");
    case Kind::Network:
        return QStringLiteral("Network");
    case Kind::Timeout:
        return QStringLiteral("Timeout");
    case Kind::Tls:
        return QStringLiteral("Tls");
    case Kind::Unauthenticated:
        return QStringLiteral("Unauthenticated");
    case Kind::PermissionDenied:
        return QStringLiteral("PermissionDenied");
    case Kind::NotFound:
        return QStringLiteral("NotFound");
    case Kind::EndpointNotFound:
        return QStringLiteral("EndpointNotFound");
    case Kind::AlreadyExists:
        return QStringLiteral("AlreadyExists");
    case Kind::InvalidRequest:
        return QStringLiteral("InvalidRequest");
    case Kind::RateLimited:
        return QStringLiteral("RateLimited");
    case Kind::Server:
        return QStringLiteral("Server");
    case Kind::Redirected:
        return QStringLiteral("Redirected");
    case Kind::NotMlflow:
        return QStringLiteral("NotMlflow");
    case Kind::AuthNotEnabled:
        return QStringLiteral("AuthNotEnabled");
    case Kind::NotSupported:
        return QStringLiteral("NotSupported");
    case Kind::Database:
        return QStringLiteral("Database");
    case Kind::Cancelled:
        return QStringLiteral("Cancelled");
    case Kind::NotSent:
        return QStringLiteral("NotSent");
    }
    return QStringLiteral("Unknown");
}

QString ApiError::userMessage() const
{
    const QString detail = m_serverMessage;
    switch (m_kind) {
    case Kind::None:
        return {};
    case Kind::Network:
        if (m_networkError == QNetworkReply::ConnectionRefusedError)
            return tr("The server refused the connection. Check the address and port, and that the MLflow server is "
                      "running.");
        if (m_networkError == QNetworkReply::HostNotFoundError)
            return tr("The server's host name could not be found. Check the address.");
        if (m_networkError == QNetworkReply::RemoteHostClosedError)
            return tr("The server closed the connection before its answer was complete (%1). Try again; if it "
                      "happens again, check the server and any proxy in between.")
                .arg(detail);
        return tr("The server could not be reached (%1). Check the address and your network connection.").arg(detail);
    case Kind::Timeout:
        return tr("The server did not answer in time. It may be overloaded or unreachable; try again later.");
    case Kind::Tls:
        if (!m_certificateFingerprint.isEmpty())
            return tr("The server's certificate is not trusted (%1). If this is your server, compare its SHA-256 "
                      "fingerprint %2 with the one its administrator gives you, then pin it or add its CA bundle "
                      "to the connection.")
                .arg(m_tlsErrors.isEmpty() ? detail : m_tlsErrors.join(QLatin1String("; ")), m_certificateFingerprint);
        return tr("A secure (TLS) connection could not be established (%1). Check the address, the port and the "
                  "server's TLS setup.")
            .arg(detail);
    case Kind::Unauthenticated:
        return tr("The server rejected the user name or password. Check them and sign in again.");
    case Kind::PermissionDenied:
        return tr("Your account is not allowed to do this. Ask an MLflow administrator, or a user with MANAGE "
                  "permission on the resource.");
    case Kind::NotFound:
        return tr("Not found: %1 Refresh to see the current state.").arg(detail);
    case Kind::EndpointNotFound:
        return tr("The server does not offer %1. It may run a different MLflow version, or the address (including "
                  "any path prefix) may be wrong.")
            .arg(m_endpoint.isEmpty() ? tr("this request") : m_endpoint);
    case Kind::AlreadyExists:
        return tr("It already exists: %1").arg(detail);
    case Kind::InvalidRequest:
        return tr("The server rejected the request: %1").arg(detail.isEmpty() ? tr("no reason given") : detail);
    case Kind::RateLimited:
        return tr("The server is receiving too many requests. Wait a moment and try again.");
    case Kind::Server:
        return tr("The server failed with an internal error (HTTP %1). Try again later, or check the server's log.")
            .arg(m_httpStatus);
    case Kind::Redirected:
        return tr("The server redirected the request to %1. Use that address in the connection settings.")
            .arg(m_redirectLocation.isEmpty() ? tr("another address") : m_redirectLocation);
    case Kind::NotMlflow:
        return tr("The address does not answer like an MLflow tracking server. Check the URL, including any path "
                  "prefix.");
    case Kind::AuthNotEnabled:
        return tr("This MLflow server does not run the basic-auth app, so it has no users or permissions to "
                  "manage. Start it with --app-name basic-auth.");
    case Kind::NotSupported:
        return tr("This MLflow server does not support this operation. %1").arg(detail).trimmed();
    case Kind::Database:
        return tr("The database could not be used: %1").arg(detail);
    case Kind::Cancelled:
        return tr("The request was cancelled.");
    case Kind::NotSent:
        return tr("Not sent: %1").arg(detail);
    }
    return {};
}

QString ApiError::toLogString() const
{
    QString line = kindName(m_kind);
    if (m_httpStatus)
        line += QStringLiteral(" HTTP %1").arg(m_httpStatus);
    if (!m_errorCode.isEmpty())
        line += QLatin1Char(' ') + m_errorCode;
    if (!m_endpoint.isEmpty())
        line += QStringLiteral(" [%1]").arg(m_endpoint);
    if (!m_serverMessage.isEmpty())
        line += QStringLiteral(": ") + m_serverMessage;
    return line;
}

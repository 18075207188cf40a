#pragma once

#include "api/ApiJob.h"
#include "api/TlsPolicy.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QSslCertificate>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <QUrlQuery>

#include <optional>

class Connection;
class QNetworkAccessManager;
class QNetworkReply;

// Per-request choices; the defaults suit the MLflow REST API.
struct RequestOptions
{
    bool authenticate = true; // send the Authorization header (off only for probing unprotected paths)
    bool expectJson = true;   // a 2xx body must be a JSON object; off for /health and /version (plain text)
    int timeoutMs = -1;       // -1: the connection's default
    int maxRetries = -1;      // -1: the connection's default; only GETs are ever retried
};

// One HTTP request to the MLflow server, queued, sent, retried and finished by its Connection.
class ApiReply : public ApiJob
{
    Q_OBJECT

public:
    ~ApiReply() override;

    QByteArray method() const { return m_method; }
    QString path() const { return m_path; }
    int httpStatus() const { return m_httpStatus; }
    // The JSON object of a 2xx answer (empty for `expectJson = false` or `{}`).
    QJsonObject json() const { return m_json; }
    QByteArray body() const { return m_body; }
    QByteArray contentType() const { return m_contentType; }
    int attempts() const { return m_attempts; }

    void abort() override;

private:
    friend class Connection;
    enum class State { Queued, Running, WaitingToRetry, Done };

    ApiReply(Connection* connection, QByteArray method, QString path, QUrlQuery query, QByteArray payload,
             RequestOptions options);

    QPointer<Connection> m_connection;
    QByteArray m_method;
    QString m_path;
    QUrlQuery m_query;
    QByteArray m_payload;
    bool m_hasPayload = false;
    RequestOptions m_options;
    State m_state = State::Queued;
    QPointer<QNetworkReply> m_network;
    int m_attempts = 0;
    bool m_timedOut = false;
    bool m_tlsRejected = false; // the server's certificate failed verification and was not pinned
    QElapsedTimer m_elapsed;

    int m_httpStatus = 0;
    QJsonObject m_json;
    QByteArray m_body;
    QByteArray m_contentType;
    std::optional<QSslCertificate> m_presentedCertificate; // only after sslErrors (see ApiError::m_certificate)
    QStringList m_tlsErrors;
};

// One MLflow server and one account: base URL (http or https, optional path prefix), credentials held in memory
// only, one QNetworkAccessManager, a TLS policy, and a FIFO queue that keeps a bounded number of requests in
// flight. Every request carries the Basic Authorization header pre-emptively (no 401 round trip).
class Connection : public QObject
{
    Q_OBJECT

public:
    Connection(const QUrl& baseUrl, const QString& username, const QString& password, QObject* parent = nullptr);
    ~Connection() override;

    // Checks and cleans a user-typed server address: http/https only, no credentials, query or fragment in it,
    // no trailing slash. Returns nullopt and a translated `error` when it is unusable.
    static std::optional<QUrl> normalizeBaseUrl(const QString& text, QString* error);

    QUrl baseUrl() const { return m_baseUrl; }
    bool isValid() const { return m_baseUrl.isValid() && !m_baseUrl.isEmpty(); }
    QString username() const { return m_username; }
    void setCredentials(const QString& username, const QString& password);

    // Loads the CA bundle (if any). Returns false with a translated `error` when the bundle is unreadable or
    // holds no certificate; the previous policy then stays in force.
    bool setTlsPolicy(const TlsPolicy& policy, QString* error);
    const TlsPolicy& tlsPolicy() const { return m_tlsPolicy; }

    // MLflow 3.10+ with workspaces: every request then carries X-MLFLOW-WORKSPACE. Empty (the default) sends no
    // header, which such a server reads as the "default" workspace.
    void setWorkspace(const QString& workspace) { m_workspace = workspace.toUtf8(); }
    QString workspace() const { return QString::fromUtf8(m_workspace); }

    void setMaxInFlight(int count);
    int maxInFlight() const { return m_maxInFlight; }
    void setDefaultTimeout(int milliseconds) { m_defaultTimeoutMs = milliseconds; }
    int defaultTimeout() const { return m_defaultTimeoutMs; }
    // GET retries on 429, 502/503/504/500 and transport errors: `count` extra attempts, `baseDelayMs` doubling.
    void setRetryPolicy(int count, int baseDelayMs);
    int maxRetries() const { return m_maxRetries; }

    // GET with the parameters in the query string.
    ApiReply* get(const QString& path, const QUrlQuery& query = {}, const RequestOptions& options = {});
    // POST / PATCH / DELETE with a JSON body ("Content-Type: application/json", exactly).
    ApiReply* send(const QByteArray& method, const QString& path, const QJsonObject& body,
                   const RequestOptions& options = {});
    ApiReply* post(const QString& path, const QJsonObject& body) { return send("POST", path, body); }
    ApiReply* patch(const QString& path, const QJsonObject& body) { return send("PATCH", path, body); }
    ApiReply* deleteWithBody(const QString& path, const QJsonObject& body) { return send("DELETE", path, body); }

    // Aborts every queued, waiting and running request; each finishes with a Cancelled error.
    void cancelAll();

    int inFlightCount() const { return static_cast<int>(m_running.size()); }
    int queuedCount() const { return static_cast<int>(m_queue.size()); }

    // The full URL of `path` (which starts with '/') below the base URL's path prefix.
    QUrl urlFor(const QString& path, const QUrlQuery& query = {}) const;

signals:
    // A request was answered 401: the stored credentials no longer work.
    void credentialsRejected();

private:
    friend class ApiReply;

    ApiReply* enqueue(ApiReply* reply);
    void pump();
    void start(ApiReply* reply);
    void onNetworkFinished(ApiReply* reply);
    static void takeArrivedBody(ApiReply* reply, QNetworkReply* network);
    static bool isCutShort(const QNetworkReply* network, const QByteArray& body);
    void complete(ApiReply* reply, const ApiError& error);
    bool shouldRetry(const ApiReply* reply, const ApiError& error) const;
    void scheduleRetry(ApiReply* reply, int retryAfterSeconds);
    void abortReply(ApiReply* reply);
    void forget(ApiReply* reply);

    QNetworkAccessManager* m_network = nullptr;
    QUrl m_baseUrl;
    QString m_username;
    QByteArray m_authorization; // "Basic ..."; kept instead of the password, never logged
    QByteArray m_workspace;
    TlsPolicy m_tlsPolicy;
    QList<QSslCertificate> m_extraCaCertificates;
    int m_maxInFlight = 6;
    int m_defaultTimeoutMs = 30000;
    int m_maxRetries = 2;
    int m_retryBaseDelayMs = 250;
    bool m_cancelling = false;
    bool m_pumpScheduled = false;

    QList<ApiReply*> m_queue;  // FIFO of requests waiting for a slot
    QSet<ApiReply*> m_running; // requests on the wire
    QSet<ApiReply*> m_waiting; // requests sleeping before a retry
};

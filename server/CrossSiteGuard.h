#pragma once

#include "server/HttpMessage.h"
#include "server/RequestFramer.h"

#include <QList>
#include <QRegularExpression>
#include <QStringList>

#include <optional>

// MLflow 3.14's defence against web pages in a user's browser (mlflow/server/security.py), applied from the
// request's head before its body is read:
// - Host check (DNS rebinding): the Host header must name this server as the browser saw it: an IP address,
//   localhost, or a name given with --allowed-hosts ("*" turns the check off). /health and /version are exempt.
//   MLflow's defaults also allow "10.*"-style patterns, which match names like 10.attacker.example; we allow IP
//   literals instead, which no rebinding attack can use.
// - Origin check (CSRF): a POST, PUT, PATCH or DELETE that carries an Origin header must come from a loopback
//   origin or from the server's own origin (the Host it was sent to). MLflow checks /api/ and /ajax-api/ only.
// Form bodies, the other half of a cross-site post, are refused by the routes: every state-changing route reads
// JSON only.
class CrossSiteGuard
{
public:
    // Patterns as MLflow's MLFLOW_SERVER_ALLOWED_HOSTS: names with * and ? wildcards, with a port ("name:8080")
    // to match the whole Host header, without one to match any port.
    explicit CrossSiteGuard(const QStringList& allowedHosts);

    std::optional<HttpResponse> check(const RequestHead& head) const;

    bool isAllowedHost(const QByteArray& host) const;
    static bool isAllowedOrigin(const QByteArray& origin, const QByteArray& host);

private:
    struct Pattern
    {
        QRegularExpression expression;
        bool withPort = false;
    };
    QList<Pattern> m_patterns;
    bool m_anyHost = false;
    // The answer depends on the header alone, and a client sends the same Host with every request: the last one
    // allowed is remembered (its check parses an address and runs regular expressions).
    mutable QByteArray m_lastAllowedHost;
};

#include "server/CrossSiteGuard.h"

#include <QHostAddress>
#include <QUrl>

#include <algorithm>

namespace {

// Splits a Host header into its name (brackets kept for IPv6) and whether what follows is a valid ":port".
bool splitHost(const QByteArray& host, QByteArray* name)
{
    QByteArray rest;
    if (host.startsWith('[')) {
        const int close = host.indexOf(']');
        if (close < 0)
            return false;
        *name = host.left(close + 1);
        rest = host.mid(close + 1);
    } else {
        const int colon = host.indexOf(':');
        *name = colon < 0 ? host : host.left(colon);
        rest = colon < 0 ? QByteArray() : host.mid(colon);
    }
    if (name->isEmpty())
        return false;
    if (rest.isEmpty())
        return true;
    const QByteArray port = rest.mid(1);
    return rest.startsWith(':') && !port.isEmpty() && port.size() <= 5 &&
           std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A dotted-quad IPv4 or a bracketed IPv6 address: what a browser never looks up in DNS, so no rebinding attack can
// put it in a Host header. (Shorter numeric forms are left to --allowed-hosts: parsers disagree about them.)
bool isIpLiteral(const QByteArray& name)
{
    QHostAddress address;
    if (name.startsWith('[') && name.endsWith(']'))
        return address.setAddress(QString::fromLatin1(name.mid(1, name.size() - 2))) &&
               address.protocol() == QAbstractSocket::IPv6Protocol;
    static const QRegularExpression dottedQuad(QStringLiteral("^[0-9]{1,3}(\\.[0-9]{1,3}){3}$"));
    return dottedQuad.match(QString::fromLatin1(name)).hasMatch() && address.setAddress(QString::fromLatin1(name));
}

bool isLoopbackName(const QString& host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

HttpResponse forbidden(const QByteArray& text)
{
    return HttpResponse::text(text, 403, "text/plain; charset=utf-8");
}

const QList<QByteArray> stateChangingMethods = {"POST", "PUT", "PATCH", "DELETE"};

} // namespace

CrossSiteGuard::CrossSiteGuard(const QStringList& allowedHosts)
{
    for (const QString& raw : allowedHosts) {
        const QString pattern = raw.trimmed();
        if (pattern.isEmpty())
            continue;
        if (pattern == QLatin1String("*")) {
            m_anyHost = true;
            continue;
        }
        // fnmatch's "[" starts a set; a bracketed IPv6 literal is meant literally.
        const QString escaped = pattern.startsWith(QLatin1Char('['))
                                    ? QRegularExpression::anchoredPattern(QRegularExpression::escape(pattern))
                                    : QRegularExpression::wildcardToRegularExpression(pattern);
        Pattern entry;
        entry.expression = QRegularExpression(escaped, QRegularExpression::CaseInsensitiveOption);
        entry.withPort = pattern.startsWith(QLatin1Char('[')) ? pattern.contains(QLatin1String("]:"))
                                                              : pattern.contains(QLatin1Char(':'));
        m_patterns.append(entry);
    }
}

bool CrossSiteGuard::isAllowedHost(const QByteArray& host) const
{
    if (m_anyHost || (!m_lastAllowedHost.isNull() && host == m_lastAllowedHost))
        return true;
    QByteArray name;
    if (!splitHost(host, &name))
        return false;
    bool allowed = isIpLiteral(name) || name.compare("localhost", Qt::CaseInsensitive) == 0;
    const QString whole = QString::fromLatin1(host);
    const QString bareName = QString::fromLatin1(name);
    for (qsizetype i = 0; !allowed && i < m_patterns.size(); ++i)
        allowed = m_patterns.at(i).expression.match(m_patterns.at(i).withPort ? whole : bareName).hasMatch();
    if (allowed)
        m_lastAllowedHost = host;
    return allowed;
}

bool CrossSiteGuard::isAllowedOrigin(const QByteArray& origin, const QByteArray& host)
{
    const QUrl url(QString::fromLatin1(origin), QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty())
        return false; // "null" (sandboxed frames, data: pages) included
    if (isLoopbackName(url.host()))
        return true;
    // The server's own origin: the page was served by whatever answers at the Host it sent to.
    const QString authority = url.authority(QUrl::FullyEncoded);
    return !host.isEmpty() && authority.compare(QString::fromLatin1(host), Qt::CaseInsensitive) == 0;
}

std::optional<HttpResponse> CrossSiteGuard::check(const RequestHead& head) const
{
    // The path as it will be routed, so that "/%68ealth" is no way around the checks.
    const QString path = head.decodedPath();
    if (path == QLatin1String("/health") || path == QLatin1String("/version"))
        return std::nullopt;
    const QByteArray host = head.header("host");
    if (!isAllowedHost(host))
        return forbidden("Invalid Host header - possible DNS rebinding attack detected. Reach this server by its IP "
                         "address or localhost, or start it with --allowed-hosts naming the host.");
    // MLflow checks /api/ and /ajax-api/ only; every other path here is read-only, so all paths are checked.
    const QByteArray origin = head.header("origin");
    if (!origin.isEmpty() && stateChangingMethods.contains(head.method) && !isAllowedOrigin(origin, host))
        return forbidden("Cross-origin request blocked: this server accepts changes only from its own origin or "
                         "localhost. Send the request from a script or the MLflow client, without an Origin header.");
    return std::nullopt;
}

#include "server/ServerState.h"

namespace {
QString routeKey(const QByteArray& method, const QString& path)
{
    return QString::fromLatin1(method) + QLatin1Char(' ') + path;
}
} // namespace

void RouteTable::add(const QByteArray& method, const QString& path, RouteHandler handler)
{
    m_routes.insert(routeKey(method, path), std::move(handler));
    m_paths.insert(path);
}

void RouteTable::addPrefixed(const QByteArray& method, const QString& prefix, RouteHandler handler)
{
    m_prefixedRoutes.insert(routeKey(method, prefix), std::move(handler));
    if (!m_prefixes.contains(prefix))
        m_prefixes.append(prefix);
}

const QString* RouteTable::prefixOf(const QString& path) const
{
    for (const QString& prefix : m_prefixes) {
        if (path.size() > prefix.size() && path.startsWith(prefix) &&
            !QStringView(path).mid(prefix.size()).contains(QLatin1Char('/')))
            return &prefix;
    }
    return nullptr;
}

const RouteHandler* RouteTable::find(const QByteArray& method, const QString& path) const
{
    const auto it = m_routes.constFind(routeKey(method, path));
    if (it != m_routes.cend())
        return &it.value();
    if (const QString* prefix = prefixOf(path)) {
        const auto prefixed = m_prefixedRoutes.constFind(routeKey(method, *prefix));
        if (prefixed != m_prefixedRoutes.cend())
            return &prefixed.value();
    }
    return nullptr;
}

bool RouteTable::hasPath(const QString& path) const
{
    return m_paths.contains(path) || prefixOf(path) != nullptr;
}

QList<QByteArray> RouteTable::methodsOf(const QString& path) const
{
    QList<QByteArray> methods;
    for (const char* method : {"DELETE", "GET", "PATCH", "POST", "PUT"}) {
        if (find(method, path))
            methods.append(method);
    }
    return methods;
}

QString pathTail(const QString& path, const QString& prefix)
{
    return path.startsWith(prefix) ? path.mid(prefix.size()) : QString();
}

QStringList RouteTable::routes() const
{
    QStringList all = m_routes.keys() + m_prefixedRoutes.keys();
    all.sort();
    return all;
}

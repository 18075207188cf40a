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

const RouteHandler* RouteTable::find(const QByteArray& method, const QString& path) const
{
    const auto it = m_routes.constFind(routeKey(method, path));
    return it == m_routes.cend() ? nullptr : &it.value();
}

#include "server/Authenticator.h"

#include "server/PasswordHash.h"

#include <QMessageAuthenticationCode>
#include <QRandomGenerator>

namespace {
// Enough for every user of a large server; when full, the oldest knowledge is simply dropped.
constexpr int maxCacheEntries = 20000;
} // namespace

Authenticator::Authenticator(const UserDirectory& store) : m_store(store)
{
    m_key.resize(32);
    QRandomGenerator::system()->generate(reinterpret_cast<quint32*>(m_key.data()),
                                         reinterpret_cast<quint32*>(m_key.data() + m_key.size()));
}

QByteArray Authenticator::mac(const QByteArray& username, const QByteArray& password) const
{
    QMessageAuthenticationCode code(QCryptographicHash::Sha256, m_key);
    code.addData(username);
    code.addData("\0", 1);
    code.addData(password);
    return code.result();
}

void Authenticator::remember(const QString& username, CacheEntry entry)
{
    QHash<QString, CacheEntry>& cache = entry.valid ? m_verified : m_rejected;
    if (cache.size() >= maxCacheEntries)
        cache.clear();
    cache.insert(username, std::move(entry));
}

void Authenticator::clear()
{
    m_verified.clear();
    m_rejected.clear();
}

std::optional<UserRecord> Authenticator::authenticate(const QByteArray& authorizationHeader)
{
    const QByteArray prefix = "Basic ";
    if (!authorizationHeader.startsWith(prefix))
        return std::nullopt;
    const auto decoded = QByteArray::fromBase64Encoding(authorizationHeader.mid(prefix.size()).trimmed(),
                                                        QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    const int colon = decoded.decoded.indexOf(':');
    if (colon < 0)
        return std::nullopt;
    const QByteArray usernameBytes = decoded.decoded.left(colon);
    const QByteArray password = decoded.decoded.mid(colon + 1);
    const QString username = QString::fromUtf8(usernameBytes);

    std::optional<UserRecord> user = m_store.user(username);
    if (!user || user->passwordHash.isEmpty())
        return std::nullopt;

    const QByteArray passwordMac = mac(usernameBytes, password);
    const auto verified = m_verified.constFind(username);
    if (verified != m_verified.cend() && verified->storedHash == user->passwordHash &&
        PasswordHash::constantTimeEquals(verified->passwordMac, passwordMac))
        return user;
    // A client retrying the same wrong password must not cost a key derivation each time.
    const auto rejected = m_rejected.constFind(username);
    if (rejected != m_rejected.cend() && rejected->storedHash == user->passwordHash &&
        PasswordHash::constantTimeEquals(rejected->passwordMac, passwordMac))
        return std::nullopt;

    const bool valid = PasswordHash::verify(user->passwordHash, password);
    remember(username, {user->passwordHash, passwordMac, valid});
    if (!valid)
        return std::nullopt;
    return user;
}

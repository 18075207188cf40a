#include "server/Authenticator.h"

#include "server/PasswordHash.h"

#include <QRandomGenerator>

#include <openssl/core_names.h>
#include <openssl/evp.h>

namespace {
// Enough for every user of a large server; when full, the oldest knowledge is simply dropped.
constexpr int maxCacheEntries = 20000;
} // namespace

void Authenticator::MacContextFree::operator()(evp_mac_ctx_st* context) const
{
    EVP_MAC_CTX_free(context);
}

Authenticator::Authenticator(const UserDirectory& store) : m_store(store)
{
    QByteArray key(32, Qt::Uninitialized);
    QRandomGenerator::system()->generate(reinterpret_cast<quint32*>(key.data()),
                                         reinterpret_cast<quint32*>(key.data() + key.size()));
    EVP_MAC* hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (hmac) {
        m_keyedMac.reset(EVP_MAC_CTX_new(hmac));
        EVP_MAC_free(hmac);
    }
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    // Without HMAC (an OpenSSL without it) mac() answers nothing and every request pays a full key derivation.
    if (m_keyedMac && !EVP_MAC_init(m_keyedMac.get(), reinterpret_cast<const unsigned char*>(key.constData()),
                                    size_t(key.size()), params))
        m_keyedMac.reset();
}

Authenticator::~Authenticator() = default;

// Empty when OpenSSL fails; authenticate() then neither uses nor fills the cache.
QByteArray Authenticator::mac(const QByteArray& username, const QByteArray& password) const
{
    if (!m_keyedMac)
        return {};
    const std::unique_ptr<evp_mac_ctx_st, MacContextFree> context(EVP_MAC_CTX_dup(m_keyedMac.get()));
    QByteArray result(EVP_MAX_MD_SIZE, Qt::Uninitialized);
    size_t length = 0;
    const auto bytes = [](const QByteArray& data) {
        return reinterpret_cast<const unsigned char*>(data.constData());
    };
    const unsigned char separator = 0;
    if (!context || !EVP_MAC_update(context.get(), bytes(username), size_t(username.size())) ||
        !EVP_MAC_update(context.get(), &separator, 1) ||
        !EVP_MAC_update(context.get(), bytes(password), size_t(password.size())) ||
        !EVP_MAC_final(context.get(), reinterpret_cast<unsigned char*>(result.data()), &length, size_t(result.size())))
        return {};
    result.truncate(qsizetype(length));
    return result;
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
    const bool cacheable = !passwordMac.isEmpty();
    const auto remembered = [&](const QHash<QString, CacheEntry>& cache) {
        const auto entry = cache.constFind(username);
        return cacheable && entry != cache.cend() && entry->storedHash == user->passwordHash &&
               PasswordHash::constantTimeEquals(entry->passwordMac, passwordMac);
    };
    if (remembered(m_verified))
        return user;
    // A client retrying the same wrong password must not cost a key derivation each time.
    if (remembered(m_rejected))
        return std::nullopt;

    const bool valid = PasswordHash::verify(user->passwordHash, password);
    if (cacheable)
        remember(username, {user->passwordHash, passwordMac, valid});
    if (!valid)
        return std::nullopt;
    return user;
}

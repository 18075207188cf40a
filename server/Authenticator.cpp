#include "server/Authenticator.h"

#include "server/PasswordCheckPool.h"
#include "server/PasswordHash.h"

#include <QRandomGenerator>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <algorithm>

namespace {
// Enough for every user of a large server; when full, the oldest knowledge is simply dropped.
constexpr int maxCacheEntries = 20000;
} // namespace

void Authenticator::MacContextFree::operator()(evp_mac_ctx_st* context) const
{
    EVP_MAC_CTX_free(context);
}

Authenticator::Authenticator(const UserDirectory& store, PasswordCheckPool* pool, SignInThrottleSettings throttle)
    : m_store(store), m_pool(pool), m_throttle(throttle)
{
    matchDummyCostTo(PasswordHash::defaultMethod);
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
QByteArray Authenticator::mac(const QByteArray& username, const QByteArray& password)
{
    if (!m_keyedMac)
        return {};
    // Initialised without a key, an HMAC context starts over from the key it has: no copy to make and free per
    // request (a copy and its release were 40 % of this function).
    evp_mac_ctx_st* context = m_keyedMac.get();
    if (!EVP_MAC_init(context, nullptr, 0, nullptr))
        return {};
    QByteArray result(EVP_MAX_MD_SIZE, Qt::Uninitialized);
    size_t length = 0;
    const auto bytes = [](const QByteArray& data) {
        return reinterpret_cast<const unsigned char*>(data.constData());
    };
    const unsigned char separator = 0;
    if (!EVP_MAC_update(context, bytes(username), size_t(username.size())) || !EVP_MAC_update(context, &separator, 1) ||
        !EVP_MAC_update(context, bytes(password), size_t(password.size())) ||
        !EVP_MAC_final(context, reinterpret_cast<unsigned char*>(result.data()), &length, size_t(result.size())))
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

// Same method, a random salt and an all-zero digest of the right length: verify() runs the full derivation and
// never matches.
void Authenticator::matchDummyCostTo(const QByteArray& reference)
{
    QByteArray method = reference.left(reference.indexOf('$'));
    if (method.isEmpty())
        method = PasswordHash::defaultMethod;
    const QByteArray probe = PasswordHash::generate(QByteArray(), method, "salt");
    if (probe.isEmpty() && method != PasswordHash::defaultMethod)
        return matchDummyCostTo(PasswordHash::defaultMethod);
    const qsizetype digestLength = probe.size() - probe.lastIndexOf('$') - 1;
    QByteArray salt = QByteArray::number(QRandomGenerator::system()->generate64(), 36);
    m_dummyHash = method + '$' + salt + '$' + QByteArray(digestLength, '0');
}

SignIn Authenticator::throttled(qint64 waitMs) const
{
    SignIn answer;
    answer.outcome = SignIn::Outcome::Throttled;
    answer.retryAfterSeconds = int(std::max<qint64>(1, (waitMs + 999) / 1000));
    return answer;
}

std::optional<SignIn> Authenticator::answerWithoutDerivation(const QByteArray& authorizationHeader,
                                                             const QHostAddress& peer, Check* check)
{
    const QByteArray prefix = "Basic ";
    if (!authorizationHeader.startsWith(prefix))
        return SignIn();
    const auto decoded = QByteArray::fromBase64Encoding(authorizationHeader.mid(prefix.size()).trimmed(),
                                                        QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return SignIn();
    const int colon = decoded.decoded.indexOf(':');
    if (colon < 0)
        return SignIn();
    const QByteArray usernameBytes = decoded.decoded.left(colon);
    const QByteArray password = decoded.decoded.mid(colon + 1);
    const QString username = QString::fromUtf8(usernameBytes);

    // Before any cache: a remembered password must not become an oracle that answers guesses at full speed.
    if (const qint64 wait = m_throttle.waitBeforeAttempt(username, peer))
        return throttled(wait);

    std::optional<UserRecord> user = m_store.user(username);
    const bool knownUser = user && !user->passwordHash.isEmpty();
    const QByteArray storedHash = knownUser ? user->passwordHash : m_dummyHash;
    const QByteArray passwordMac = mac(usernameBytes, password);
    const bool cacheable = !passwordMac.isEmpty();
    const auto remembered = [&](const QHash<QString, CacheEntry>& cache) {
        const auto entry = cache.constFind(username);
        return cacheable && entry != cache.cend() && entry->storedHash == storedHash &&
               PasswordHash::constantTimeEquals(entry->passwordMac, passwordMac);
    };
    if (knownUser && remembered(m_verified)) {
        m_throttle.recordKnownAddress(username, peer);
        SignIn accepted;
        accepted.outcome = SignIn::Outcome::Accepted;
        accepted.user = std::move(user);
        return accepted;
    }
    // A client retrying the same wrong password must not cost a key derivation each time, and is no new guess.
    if (remembered(m_rejected))
        return SignIn();
    *check = Check{username, storedHash, password, passwordMac, peer, knownUser};
    return std::nullopt;
}

// Runs on the request thread once the derivation is done. The user is read again: the password may have changed
// or the user gone while the check ran.
SignIn Authenticator::finish(const Check& check, bool valid)
{
    m_store.dropCachesIfChangedElsewhere();
    std::optional<UserRecord> user = check.knownUser ? m_store.user(check.username) : std::nullopt;
    const bool accepted = valid && user && user->passwordHash == check.storedHash;
    if (!check.passwordMac.isEmpty() && (accepted || !valid))
        remember(check.username, {check.storedHash, check.passwordMac, accepted});
    if (!accepted) {
        m_throttle.recordFailure(check.username, check.peer);
        return SignIn();
    }
    m_throttle.recordSuccess(check.username, check.peer);
    SignIn answer;
    answer.outcome = SignIn::Outcome::Accepted;
    answer.user = std::move(user);
    return answer;
}

SignIn Authenticator::authenticateNow(const QByteArray& authorizationHeader, const QHostAddress& peer)
{
    Check check;
    if (std::optional<SignIn> answer = answerWithoutDerivation(authorizationHeader, peer, &check))
        return *answer;
    return finish(check, PasswordHash::verify(check.storedHash, check.password));
}

void Authenticator::authenticateLater(const Check& check, Done done)
{
    const QHostAddress& peer = check.peer;
    if (!m_pool)
        return done(finish(check, PasswordHash::verify(check.storedHash, check.password)));

    // Requests with the same credentials from the same address share one derivation. Without a MAC (an OpenSSL
    // without HMAC) nothing identifies equal credentials, so each check gets a key of its own.
    const QByteArray key = check.passwordMac.isEmpty() ? "unshared:" + QByteArray::number(++m_unsharedChecks)
                                                       : check.username.toUtf8() + '\0' + check.passwordMac + '\0' +
                                                             check.peer.toString().toUtf8();
    const auto waiting = m_waiting.find(key);
    if (waiting != m_waiting.end()) {
        waiting->append(std::move(done));
        return;
    }
    SignIn busy;
    busy.outcome = SignIn::Outcome::Busy;
    busy.retryAfterSeconds = 1;
    // Not counted as a failure (nothing was guessed); it only bounds what one address can queue.
    if (!m_throttle.startCheck(peer))
        return done(busy);
    m_waiting.insert(key, {std::move(done)});
    const bool queued = m_pool->submit(check.storedHash, check.password, [this, check, key, busy](bool valid) {
        m_throttle.endCheck(check.peer);
        SignIn answer = busy;
        try {
            answer = finish(check, valid);
        } catch (const std::exception&) {
            // The user could not be read again (a locked or failing database): the client may simply retry.
        }
        for (const Done& waiter : m_waiting.take(key))
            waiter(answer);
    });
    if (!queued) {
        m_throttle.endCheck(peer);
        for (const Done& waiter : m_waiting.take(key))
            waiter(busy);
    }
}

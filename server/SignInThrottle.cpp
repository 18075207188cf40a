#include "server/SignInThrottle.h"

#include <algorithm>
#include <iterator>

namespace {
// Bounds the memory an attacker can make us spend on bookkeeping; past it, expired records are dropped first.
constexpr int maxRecords = 20000;
constexpr int maxKnownAddressesPerUser = 16;
} // namespace

SignInThrottle::SignInThrottle(SignInThrottleSettings settings) : m_settings(settings)
{
    m_clock.start();
}

SignInThrottle::AddressKey SignInThrottle::addressKey(const QHostAddress& address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4); // also unwraps ::ffff:a.b.c.d from a dual-stack socket
    if (isV4)
        return {v4, true};
    const Q_IPV6ADDR v6 = address.toIPv6Address();
    quint64 prefix = 0;
    for (int i = 0; i < 8; ++i)
        prefix = (prefix << 8) | v6.c[i];
    return {prefix, false};
}

template <typename Key>
qint64 SignInThrottle::remaining(const QHash<Key, Failures>& table, const Key& key) const
{
    const auto found = table.constFind(key);
    if (found == table.cend())
        return 0;
    return std::max<qint64>(0, found->lockedUntilMs - now());
}

qint64 SignInThrottle::waitBeforeAttempt(const QString& username, const QHostAddress& address) const
{
    if (!m_settings.enabled)
        return 0;
    const AddressKey key = addressKey(address);
    qint64 wait = remaining(m_byAddress, key);
    if (m_byUser.isEmpty())
        return wait;
    const auto known = m_knownAddresses.constFind(username);
    if (known == m_knownAddresses.cend() || !known->contains(key))
        wait = std::max(wait, remaining(m_byUser, username));
    return wait;
}

template <typename Key>
void SignInThrottle::count(QHash<Key, Failures>& table, const Key& key, qint64 maxDelayMs)
{
    const qint64 time = now();
    if (table.size() >= maxRecords && !table.contains(key)) {
        for (auto entry = table.begin(); entry != table.end();)
            entry = entry->lockedUntilMs <= time ? table.erase(entry) : std::next(entry);
        if (table.size() >= maxRecords)
            table.clear();
    }
    Failures& failures = table[key];
    if (failures.count > 0 && time - failures.lastFailureMs > m_settings.forgetAfterMs)
        failures = Failures();
    ++failures.count;
    failures.lastFailureMs = time;
    const int beyondFree = failures.count - m_settings.freeFailures;
    if (beyondFree <= 0)
        return;
    // firstDelay * 2^(beyondFree - 1), without overflowing the shift.
    qint64 delay = m_settings.firstDelayMs;
    for (int i = 1; i < beyondFree && delay < maxDelayMs; ++i)
        delay *= 2;
    failures.lockedUntilMs = time + std::min(delay, maxDelayMs);
}

void SignInThrottle::recordFailure(const QString& username, const QHostAddress& address)
{
    if (!m_settings.enabled)
        return;
    count(m_byAddress, addressKey(address), m_settings.maxAddressDelayMs);
    count(m_byUser, username, m_settings.maxUserDelayMs);
}

// The user's count starts over; the address's does not, or an attacker with one valid account could sign in
// between guesses at everyone else's.
void SignInThrottle::recordSuccess(const QString& username, const QHostAddress& address)
{
    if (!m_settings.enabled)
        return;
    m_byUser.remove(username);
    recordKnownAddress(username, address);
}

void SignInThrottle::recordKnownAddress(const QString& username, const QHostAddress& address)
{
    if (!m_settings.enabled)
        return;
    const AddressKey key = addressKey(address);
    const auto found = m_knownAddresses.constFind(username);
    if (found != m_knownAddresses.cend() && found->contains(key))
        return;
    if (m_knownAddresses.size() >= maxRecords && !m_knownAddresses.contains(username))
        m_knownAddresses.clear();
    QSet<AddressKey>& known = m_knownAddresses[username];
    if (known.size() >= maxKnownAddressesPerUser)
        known.clear();
    known.insert(key);
}

bool SignInThrottle::startCheck(const QHostAddress& address)
{
    if (!m_settings.enabled)
        return true;
    int& inFlight = m_checksInFlight[addressKey(address)];
    if (inFlight >= m_settings.maxChecksPerAddress)
        return false;
    ++inFlight;
    return true;
}

void SignInThrottle::endCheck(const QHostAddress& address)
{
    if (!m_settings.enabled)
        return;
    const auto found = m_checksInFlight.find(addressKey(address));
    if (found != m_checksInFlight.end() && --found.value() <= 0)
        m_checksInFlight.erase(found);
}

#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QSet>
#include <QString>

#include <utility>

// How failed sign-ins are slowed. The defaults are what `serve` uses; tests shorten them.
struct SignInThrottleSettings
{
    bool enabled = true;
    int freeFailures = 5;                      // wrong passwords allowed before any delay (typos, a retrying client)
    qint64 firstDelayMs = 1000;                // after the next failure; doubles with each one after that
    qint64 maxUserDelayMs = 60 * 1000;         // a user under attack is never locked longer than this at a time
    qint64 maxAddressDelayMs = 15 * 60 * 1000; // an address that keeps guessing waits up to this long
    qint64 forgetAfterMs = 15 * 60 * 1000;     // failures this old no longer count
    int maxChecksPerAddress = 4;               // distinct password checks one address may have in flight
};

// Exponential back-off of failed sign-ins, counted per user and per client address (IPv4, or an IPv6 /64: one
// host usually holds a whole /64). The address limit stops one host guessing; the user limit stops many hosts
// guessing one account. So that an attacker cannot lock a user out for long, the user limit is capped low
// (maxUserDelayMs) and never applies to an address the user has signed in from before: a legitimate user is
// only ever delayed from a new address, by at most a minute. Memory is bounded; all state is in memory only.
class SignInThrottle
{
public:
    explicit SignInThrottle(SignInThrottleSettings settings = {});

    // Milliseconds until `username` may try again from `address`; 0 when it may try now.
    qint64 waitBeforeAttempt(const QString& username, const QHostAddress& address) const;
    void recordFailure(const QString& username, const QHostAddress& address);
    void recordSuccess(const QString& username, const QHostAddress& address);
    // A remembered credential was accepted: `address` becomes one the user signs in from, nothing else changes.
    void recordKnownAddress(const QString& username, const QHostAddress& address);

    // Bounds the key derivations one address can queue; false when it already has the maximum in flight.
    bool startCheck(const QHostAddress& address);
    void endCheck(const QHostAddress& address);

    const SignInThrottleSettings& settings() const { return m_settings; }

private:
    struct Failures
    {
        int count = 0;
        qint64 lastFailureMs = 0;
        qint64 lockedUntilMs = 0;
    };

    // An IPv4 address, or the /64 prefix of an IPv6 one; numeric, because it is computed on every request.
    using AddressKey = std::pair<quint64, bool>; // (value, is IPv4)
    static AddressKey addressKey(const QHostAddress& address);
    qint64 now() const { return m_clock.elapsed(); }
    template <typename Key>
    qint64 remaining(const QHash<Key, Failures>& table, const Key& key) const;
    template <typename Key>
    void count(QHash<Key, Failures>& table, const Key& key, qint64 maxDelayMs);

    SignInThrottleSettings m_settings;
    QElapsedTimer m_clock;
    QHash<QString, Failures> m_byUser;
    QHash<AddressKey, Failures> m_byAddress;
    QHash<QString, QSet<AddressKey>> m_knownAddresses; // by username: where it has signed in successfully
    QHash<AddressKey, int> m_checksInFlight;
};

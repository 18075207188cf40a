#pragma once

#include "server/SignInThrottle.h"
#include "server/UserDirectory.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

struct evp_mac_ctx_st;
class PasswordCheckPool;

// What a sign-in came to.
struct SignIn
{
    enum class Outcome {
        Accepted,  // `user` is set
        Refused,   // no, malformed or wrong credentials: 401
        Throttled, // too many failures lately: 429 after retryAfterSeconds
        Busy,      // too many password checks queued: 503 after retryAfterSeconds
    };
    Outcome outcome = Outcome::Refused;
    std::optional<UserRecord> user;
    int retryAfterSeconds = 0;
};

// Checks HTTP Basic credentials against the auth store. A full key derivation costs ~0.1-0.5 s, so successful (and
// recently failed) checks are remembered as an HMAC of the password under a per-process random key, next to the
// stored hash they were checked against: a password change or a deleted user invalidates the entry by itself, and
// no password is ever kept in clear. A remembered credential is answered at once; anything else is derived on the
// PasswordCheckPool (if given) and answered when that is done. An unknown user costs the same derivation (against a
// dummy hash) as a wrong password, so timing does not tell which names exist. Failures are slowed by a
// SignInThrottle.
class Authenticator
{
public:
    using Done = std::function<void(const SignIn&)>;

    // A sign-in that needs a key derivation.
    struct Check
    {
        QString username;
        QByteArray storedHash;
        QByteArray password;
        QByteArray passwordMac;
        QHostAddress peer;
        bool knownUser = false;
    };

    Authenticator(const UserDirectory& store, PasswordCheckPool* pool = nullptr, SignInThrottleSettings throttle = {});
    ~Authenticator();
    Authenticator(const Authenticator&) = delete;
    Authenticator& operator=(const Authenticator&) = delete;

    // Everything short of a key derivation: the answer (remembered credentials, malformed ones, a throttled
    // client), or nothing with `check` filled in for authenticateLater(). Split so that the fast path allocates
    // no callback.
    std::optional<SignIn> answerWithoutDerivation(const QByteArray& authorizationHeader, const QHostAddress& peer,
                                                  Check* check);
    // Derives on the pool and calls `done` on this thread when that is done (at once when the pool is full or
    // the address has too many checks in flight). Without a pool the derivation runs here.
    void authenticateLater(const Check& check, Done done);
    // Derives on the calling thread (the demo seeder, tests).
    SignIn authenticateNow(const QByteArray& authorizationHeader, const QHostAddress& peer = QHostAddress());

    // The dummy hash for unknown users takes the method of `reference` (e.g. the admin's stored hash), so that an
    // unknown name costs what a real user's check costs.
    void matchDummyCostTo(const QByteArray& reference);

    // Forget everything (after bulk changes made behind the store's back).
    void clear();

private:
    struct CacheEntry
    {
        QByteArray storedHash;
        QByteArray passwordMac;
        bool valid = false;
    };
    SignIn finish(const Check& check, bool valid);
    SignIn throttled(qint64 waitMs) const;
    QByteArray mac(const QByteArray& username, const QByteArray& password);
    void remember(const QString& username, CacheEntry entry);

    struct MacContextFree
    {
        void operator()(evp_mac_ctx_st* context) const;
    };

    const UserDirectory& m_store;
    PasswordCheckPool* m_pool;
    SignInThrottle m_throttle;
    QByteArray m_dummyHash;
    // HMAC-SHA256 keyed once with a per-process random key (OpenSSL's SHA-256 costs a tenth of Qt's portable one,
    // and this runs on every request). Every check starts it again from the key's state, on the request thread.
    std::unique_ptr<evp_mac_ctx_st, MacContextFree> m_keyedMac;
    QHash<QString, CacheEntry> m_verified;
    QHash<QString, CacheEntry> m_rejected;
    // Requests waiting for the same credentials share one derivation (a client's parallel first requests).
    QHash<QByteArray, QList<Done>> m_waiting;
    quint64 m_unsharedChecks = 0;
};

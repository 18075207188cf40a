#pragma once

#include "server/UserDirectory.h"

#include <QByteArray>
#include <QHash>
#include <QString>

#include <memory>
#include <optional>

struct evp_mac_ctx_st;

// Checks HTTP Basic credentials against the auth store. A full key derivation costs ~0.1-0.5 s, so successful (and
// recently failed) checks are remembered as an HMAC of the password under a per-process random key, next to the
// stored hash they were checked against: a password change or a deleted user invalidates the entry by itself, and
// no password is ever kept in clear.
class Authenticator
{
public:
    explicit Authenticator(const UserDirectory& store);
    ~Authenticator();
    Authenticator(const Authenticator&) = delete;
    Authenticator& operator=(const Authenticator&) = delete;

    // The authenticated user, or nothing for a missing/malformed header, an unknown user or a wrong password.
    std::optional<UserRecord> authenticate(const QByteArray& authorizationHeader);

    // Forget everything (after bulk changes made behind the store's back).
    void clear();

private:
    struct CacheEntry
    {
        QByteArray storedHash;
        QByteArray passwordMac;
        bool valid = false;
    };

    QByteArray mac(const QByteArray& username, const QByteArray& password) const;
    void remember(const QString& username, CacheEntry entry);

    struct MacContextFree
    {
        void operator()(evp_mac_ctx_st* context) const;
    };

    const UserDirectory& m_store;
    // HMAC-SHA256 keyed once with a per-process random key; every check copies it (OpenSSL's SHA-256 costs a tenth
    // of Qt's portable one, and this runs on every request).
    std::unique_ptr<evp_mac_ctx_st, MacContextFree> m_keyedMac;
    QHash<QString, CacheEntry> m_verified;
    QHash<QString, CacheEntry> m_rejected;
};

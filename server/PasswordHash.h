#pragma once

#include <QByteArray>

// Werkzeug's password hash strings, "method$salt$hexdigest", as MLflow's basic-auth stores them in users.password_hash:
//   pbkdf2:<digest>:<iterations>$<salt>$<hex>   (digest sha256 or sha512; salt used as its ASCII bytes)
//   scrypt:<N>:<r>:<p>$<salt>$<hex>            (64-byte key)
// Computed with OpenSSL; verification compares in constant time and never throws.
class PasswordHash
{
public:
    // The method we write: what Werkzeug 2.3 writes, so any MLflow 2.x or 3.x install can verify it.
    static constexpr const char* defaultMethod = "pbkdf2:sha256:600000";

    // A fresh hash with a random 16-character [A-Za-z0-9] salt.
    static QByteArray generate(const QByteArray& password, const QByteArray& method = defaultMethod);
    // Deterministic form for tests and for re-hashing with a known salt. Empty result for an unknown method.
    static QByteArray generate(const QByteArray& password, const QByteArray& method, const QByteArray& salt);
    // True only when the string parses, its parameters are sane and the digest matches.
    static bool verify(const QByteArray& stored, const QByteArray& password);
    // Constant-time equality of two byte strings (false when the lengths differ).
    static bool constantTimeEquals(const QByteArray& a, const QByteArray& b);
};

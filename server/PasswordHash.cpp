#include "server/PasswordHash.h"

#include <QList>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <climits>
#include <exception>
#include <optional>

namespace {

// Bounds on what a stored string may ask for, so that a corrupt or hostile users.password_hash row cannot make one
// login attempt cost more than a few seconds of CPU or a few hundred MiB. Werkzeug's defaults sit far below them.
constexpr quint64 maxPbkdf2Iterations = 10'000'000; // Werkzeug 3.1 writes 1,000,000
constexpr quint64 maxScryptN = quint64(1) << 20;
constexpr quint64 maxScryptWork = quint64(1) << 23;     // N * r * p; Werkzeug's default is 2^18, so 32x
constexpr quint64 maxScryptMemory = quint64(256) << 20; // what OpenSSL allocates; Werkzeug's default needs ~32 MiB
constexpr quint64 scryptMemorySlack = quint64(1) << 20; // headroom over our own estimate, passed on as maxmem
constexpr int scryptKeyLength = 64;                     // Python's hashlib.scrypt default dklen
constexpr qsizetype saltLength = 16;                    // Werkzeug's default salt_length

struct Method
{
    enum class Kind { Pbkdf2, Scrypt };

    Kind kind = Kind::Pbkdf2;
    QByteArray digestName;
    const EVP_MD* digest = nullptr;
    quint64 iterations = 0;
    quint64 n = 0;
    quint64 r = 0;
    quint64 p = 0;

    int keyLength() const { return kind == Kind::Scrypt ? scryptKeyLength : EVP_MD_get_size(digest); }

    // The spelling Werkzeug writes, so a hash we generate reads exactly like one Werkzeug generated.
    QByteArray text() const
    {
        if (kind == Kind::Scrypt)
            return "scrypt:" + QByteArray::number(n) + ':' + QByteArray::number(r) + ':' + QByteArray::number(p);
        return "pbkdf2:" + digestName + ':' + QByteArray::number(iterations);
    }
};

// Plain decimal digits only: Python's int() would also take "+5", " 5" or "1_000", but Werkzeug never writes those.
std::optional<quint64> parseNumber(const QByteArray& text, quint64 max)
{
    if (text.isEmpty())
        return std::nullopt;
    quint64 value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        const auto digit = quint64(c - '0');
        if (value > (max - digit) / 10)
            return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

// OpenSSL's own accounting: B takes 128*r*p bytes and V 128*r*(N+2).
quint64 scryptMemory(const Method& method)
{
    return 128 * method.r * (method.n + method.p + 2);
}

// Only the explicit forms Werkzeug writes are accepted. Its checker would also take a bare "pbkdf2", "pbkdf2:sha256"
// or "scrypt" and fill in its *current* defaults, but those changed between releases (pbkdf2: 260,000, 600,000,
// 1,000,000 iterations), so such a string has no single meaning and Werkzeug itself never stores one.
std::optional<Method> parseMethod(const QByteArray& text)
{
    const QList<QByteArray> parts = text.split(':');
    Method method;
    if (parts.size() == 3 && parts[0] == "pbkdf2") {
        method.kind = Method::Kind::Pbkdf2;
        method.digestName = parts[1];
        if (method.digestName == "sha256")
            method.digest = EVP_sha256();
        else if (method.digestName == "sha512")
            method.digest = EVP_sha512();
        else
            return std::nullopt;
        const auto iterations = parseNumber(parts[2], maxPbkdf2Iterations);
        if (!iterations || *iterations < 1)
            return std::nullopt;
        method.iterations = *iterations;
        return method;
    }
    if (parts.size() == 4 && parts[0] == "scrypt") {
        method.kind = Method::Kind::Scrypt;
        const auto n = parseNumber(parts[1], maxScryptN);
        if (!n || *n < 2 || (*n & (*n - 1)) != 0)
            return std::nullopt;
        // Dividing before multiplying keeps every product below 2^64 whatever the digits say.
        const auto r = parseNumber(parts[2], maxScryptWork / *n);
        if (!r || *r < 1)
            return std::nullopt;
        const auto p = parseNumber(parts[3], maxScryptWork / (*n * *r));
        if (!p || *p < 1)
            return std::nullopt;
        method.n = *n;
        method.r = *r;
        method.p = *p;
        if (scryptMemory(method) > maxScryptMemory)
            return std::nullopt;
        return method;
    }
    return std::nullopt;
}

// The raw key, or empty when the inputs are out of range or OpenSSL refuses them.
QByteArray deriveKey(const Method& method, const QByteArray& password, const QByteArray& salt)
{
    const int keyLength = method.keyLength();
    if (keyLength <= 0)
        return {};
    QByteArray key(keyLength, Qt::Uninitialized);
    auto* out = reinterpret_cast<unsigned char*>(key.data());
    const auto* saltBytes = reinterpret_cast<const unsigned char*>(salt.constData());
    if (method.kind == Method::Kind::Pbkdf2) {
        if (password.size() > INT_MAX || salt.size() > INT_MAX)
            return {};
        if (PKCS5_PBKDF2_HMAC(password.constData(), int(password.size()), saltBytes, int(salt.size()),
                              int(method.iterations), method.digest, keyLength, out) != 1)
            return {};
        return key;
    }
    if (EVP_PBE_scrypt(password.constData(), size_t(password.size()), saltBytes, size_t(salt.size()), method.n,
                       method.r, method.p, scryptMemory(method) + scryptMemorySlack, out, size_t(keyLength)) != 1)
        return {};
    return key;
}

// Werkzeug's gen_salt(): characters from [A-Za-z0-9].
QByteArray randomSalt()
{
    static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    constexpr unsigned alphabetSize = sizeof(alphabet) - 1;
    // Bytes at or above the largest multiple of 62 are drawn again, so that every character is equally likely.
    constexpr unsigned acceptBelow = 256 - 256 % alphabetSize;
    QByteArray salt;
    salt.reserve(saltLength);
    unsigned char buffer[2 * saltLength];
    while (salt.size() < saltLength) {
        if (RAND_bytes(buffer, int(sizeof(buffer))) != 1)
            return {};
        for (const unsigned char byte : buffer) {
            if (byte < acceptBelow && salt.size() < saltLength)
                salt.append(alphabet[byte % alphabetSize]);
        }
    }
    return salt;
}

} // namespace

QByteArray PasswordHash::generate(const QByteArray& password, const QByteArray& method)
{
    const QByteArray salt = randomSalt();
    if (salt.isEmpty())
        return {};
    return generate(password, method, salt);
}

QByteArray PasswordHash::generate(const QByteArray& password, const QByteArray& method, const QByteArray& salt)
{
    // A '$' in the salt would make the string unparseable; an empty salt is legal for Werkzeug but never intended.
    if (salt.isEmpty() || salt.contains('$'))
        return {};
    const auto parsed = parseMethod(method);
    if (!parsed)
        return {};
    const QByteArray key = deriveKey(*parsed, password, salt);
    if (key.isEmpty())
        return {};
    return parsed->text() + '$' + salt + '$' + key.toHex();
}

bool PasswordHash::verify(const QByteArray& stored, const QByteArray& password)
{
    // A login check answers yes or no; running out of memory on a bad row must not take the server down.
    try {
        // Like Werkzeug: split on the first two '$'; whatever follows the second is the digest, '$' included.
        const qsizetype first = stored.indexOf('$');
        if (first < 0)
            return false;
        const qsizetype second = stored.indexOf('$', first + 1);
        if (second < 0)
            return false;
        const auto method = parseMethod(stored.left(first));
        if (!method)
            return false;
        // Werkzeug accepts an empty salt here, so we do too.
        const QByteArray salt = stored.mid(first + 1, second - first - 1);
        const QByteArray storedHex = stored.mid(second + 1);
        // The digest length is public; checking it first spares a slow derivation for a string that cannot match.
        if (storedHex.size() != 2 * qsizetype(method->keyLength()))
            return false;
        const QByteArray key = deriveKey(*method, password, salt);
        if (key.isEmpty())
            return false;
        // Werkzeug compares the hex text, so upper-case hex does not match there either.
        return constantTimeEquals(key.toHex(), storedHex);
    } catch (const std::exception&) {
        return false;
    }
}

bool PasswordHash::constantTimeEquals(const QByteArray& a, const QByteArray& b)
{
    if (a.size() != b.size())
        return false;
    return CRYPTO_memcmp(a.constData(), b.constData(), size_t(a.size())) == 0;
}

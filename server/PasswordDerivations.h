#pragma once

#include <QByteArray>
#include <QHash>

struct RequestContext;

// The key derivations a handler needs (hashing a new password, checking a current one: ~180 ms each), so that they
// can run on the PasswordCheckPool instead of the request thread. A handler asks through hashOf() and matches().
// Without derivations in its context (the synchronous pipeline: the demo seeder, tests) the answer is derived at
// once. Otherwise an answer not derived yet is thrown as Needed: the service derives it on the pool and runs the
// handler again, which finds it here. Handlers therefore ask before they write anything.
class PasswordDerivations
{
public:
    // Thrown, deliberately not a std::exception, so that no handler's error mapping takes it for a failure.
    struct Needed
    {
        QByteArray password;
        QByteArray storedHash; // empty: hash `password`; otherwise: check `password` against it
    };

    // A hash of `password` (default method, fresh salt).
    static QByteArray hashOf(const RequestContext& context, const QByteArray& password);
    // Whether `password` matches `storedHash`.
    static bool matches(const RequestContext& context, const QByteArray& storedHash, const QByteArray& password);

    void addHash(const QByteArray& password, const QByteArray& hash);
    void addCheck(const QByteArray& storedHash, const QByteArray& password, bool valid);

private:
    QHash<QByteArray, QByteArray> m_hashes;
    QHash<QByteArray, bool> m_checks; // storedHash '\0' password -> valid
};

#include "server/PasswordDerivations.h"

#include "server/PasswordHash.h"
#include "server/ServerState.h"

namespace {

QByteArray checkKey(const QByteArray& storedHash, const QByteArray& password)
{
    return storedHash + '\0' + password;
}

} // namespace

QByteArray PasswordDerivations::hashOf(const RequestContext& context, const QByteArray& password)
{
    if (!context.passwords)
        return PasswordHash::generate(password);
    const auto hash = context.passwords->m_hashes.constFind(password);
    if (hash == context.passwords->m_hashes.cend())
        throw Needed{password, QByteArray()};
    return *hash;
}

bool PasswordDerivations::matches(const RequestContext& context, const QByteArray& storedHash,
                                  const QByteArray& password)
{
    if (!context.passwords)
        return PasswordHash::verify(storedHash, password);
    // An empty stored hash never matches; asking the pool for it would loop (an empty hash means "hash this").
    if (storedHash.isEmpty())
        return false;
    const auto valid = context.passwords->m_checks.constFind(checkKey(storedHash, password));
    if (valid == context.passwords->m_checks.cend())
        throw Needed{password, storedHash};
    return *valid;
}

void PasswordDerivations::addHash(const QByteArray& password, const QByteArray& hash)
{
    m_hashes.insert(password, hash);
}

void PasswordDerivations::addCheck(const QByteArray& storedHash, const QByteArray& password, bool valid)
{
    m_checks.insert(checkKey(storedHash, password), valid);
}

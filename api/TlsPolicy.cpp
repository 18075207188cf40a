#include "api/TlsPolicy.h"

#include <QCryptographicHash>
#include <QRegularExpression>

namespace Tls {

QString formatFingerprint(const QByteArray& digest)
{
    return QString::fromLatin1(digest.toHex(':').toUpper());
}

QString fingerprint(const QSslCertificate& certificate)
{
    if (certificate.isNull())
        return {};
    return formatFingerprint(certificate.digest(QCryptographicHash::Sha256));
}

QByteArray parseFingerprint(const QString& text)
{
    QString hex = text;
    hex.remove(QRegularExpression(QStringLiteral("[\\s:]")));
    // SHA-256 is 64 hex digits; anything else is a typo or another digest, and must not silently pin nothing.
    static const QRegularExpression hexOnly(QStringLiteral("^[0-9A-Fa-f]{64}$"));
    if (!hexOnly.match(hex).hasMatch())
        return {};
    return QByteArray::fromHex(hex.toLatin1());
}

bool mayIgnore(const TlsPolicy& policy, const QSslCertificate& certificate, const QList<QSslError>& errors)
{
    if (!policy.hasPin() || certificate.isNull() || errors.isEmpty())
        return false;
    if (certificate.digest(QCryptographicHash::Sha256) != policy.pinnedSha256)
        return false;
    for (const QSslError& error : errors) {
        if (error.error() == QSslError::CertificateRevoked || error.error() == QSslError::CertificateBlacklisted)
            return false;
        // Each error must be about the pinned leaf itself (or about no particular certificate), so a pin cannot be
        // used to wave through problems with some other certificate in the chain.
        if (!error.certificate().isNull() && error.certificate() != certificate)
            return false;
    }
    return true;
}

} // namespace Tls

#include "api/TlsPolicy.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
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

bool readCaBundle(const QString& path, QList<QSslCertificate>* certificates, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error =
                QCoreApplication::translate("Tls", "The CA bundle %1 cannot be read: %2").arg(path, file.errorString());
        return false;
    }
    *certificates = QSslCertificate::fromData(file.readAll(), QSsl::Pem);
    if (certificates->isEmpty()) {
        if (error)
            *error = QCoreApplication::translate("Tls", "The CA bundle %1 holds no PEM certificate.").arg(path);
        return false;
    }
    return true;
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

#include "server/ServerTls.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslCipher>
#include <QSslKey>
#include <QSslSocket>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace {

// Never prompts for a passphrase on the terminal: an encrypted key is simply unreadable here.
int noPassphrase(char*, int, int, void*)
{
    return -1;
}

// Whether the key is the private half of the certificate's public key. Qt accepts a mismatched pair and every
// handshake then fails, so the server would listen and answer nobody.
bool keyMatchesCertificate(const QByteArray& certificatePem, const QByteArray& keyPem)
{
    const std::unique_ptr<BIO, decltype(&BIO_free)> certificateBio(
        BIO_new_mem_buf(certificatePem.constData(), static_cast<int>(certificatePem.size())), &BIO_free);
    const std::unique_ptr<BIO, decltype(&BIO_free)> keyBio(
        BIO_new_mem_buf(keyPem.constData(), static_cast<int>(keyPem.size())), &BIO_free);
    if (!certificateBio || !keyBio)
        return false;
    const std::unique_ptr<X509, decltype(&X509_free)> certificate(
        PEM_read_bio_X509(certificateBio.get(), nullptr, noPassphrase, nullptr), &X509_free);
    const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        PEM_read_bio_PrivateKey(keyBio.get(), nullptr, noPassphrase, nullptr), &EVP_PKEY_free);
    return certificate && key && X509_check_private_key(certificate.get(), key.get()) == 1;
}

} // namespace

namespace ServerTls {

QList<QSslCipher> allowedCiphers()
{
    QList<QSslCipher> allowed;
    for (const QSslCipher& cipher : QSslConfiguration::supportedCiphers()) {
        // Every TLS 1.3 suite is an AEAD over an ephemeral key exchange.
        if (cipher.protocol() == QSsl::TlsV1_3) {
            allowed.append(cipher);
            continue;
        }
        if (cipher.protocol() != QSsl::TlsV1_2)
            continue;
        const QString exchange = cipher.keyExchangeMethod();
        const QString encryption = cipher.encryptionMethod();
        const bool forwardSecret = exchange == QLatin1String("ECDH") || exchange == QLatin1String("DH");
        const bool aead =
            encryption.startsWith(QLatin1String("AESGCM")) || encryption.startsWith(QLatin1String("CHACHA20"));
        if (forwardSecret && aead)
            allowed.append(cipher);
    }
    return allowed;
}

std::optional<QSslConfiguration> load(const QString& certificatePath, const QString& keyPath, QString* error)
{
    if (certificatePath.isEmpty() && keyPath.isEmpty())
        return std::nullopt;
    if (certificatePath.isEmpty() || keyPath.isEmpty()) {
        *error = QStringLiteral("HTTPS needs both a certificate and its key; pass --tls-cert FILE and --tls-key FILE.");
        return std::nullopt;
    }
    QFile certificateFile(certificatePath);
    QFile keyFile(keyPath);
    if (!certificateFile.open(QIODevice::ReadOnly) || !keyFile.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("Cannot read the TLS certificate %1 or key %2; both must be PEM files.")
                     .arg(certificatePath, keyPath);
        return std::nullopt;
    }
    const QByteArray certificatePem = certificateFile.readAll();
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certificatePem, QSsl::Pem);
    const QByteArray keyPem = keyFile.readAll();
    QSslKey key(keyPem, QSsl::Rsa, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(keyPem, QSsl::Ec, QSsl::Pem);
    if (chain.isEmpty() || key.isNull()) {
        *error = QStringLiteral("The TLS certificate %1 or key %2 is not valid PEM (unencrypted RSA or EC key).")
                     .arg(certificatePath, keyPath);
        return std::nullopt;
    }
    if (!keyMatchesCertificate(certificatePem, keyPem)) {
        *error = QStringLiteral("The TLS key %1 does not belong to the certificate %2 (its public key differs). "
                                "Pass the key that was generated with this certificate.")
                     .arg(keyPath, certificatePath);
        return std::nullopt;
    }
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(chain);
    configuration.setPrivateKey(key);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    configuration.setCiphers(allowedCiphers());
    return configuration;
}

} // namespace ServerTls

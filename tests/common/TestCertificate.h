#pragma once

// Shared by every test that serves HTTPS: a throw-away self-signed certificate made with the openssl command line.
// openssl talks to no server of ours, so the blocking waits below cannot starve one living in the caller's thread.

#include <QProcess>
#include <QString>
#include <QStringList>

namespace TestCertificate {

// Writes `<baseName>-cert.pem` and `<baseName>-key.pem` into `directory`: a self-signed P-256 certificate for
// 127.0.0.1 (and localhost), valid for two days. openssl req -x509 marks it CA:TRUE, so it can also serve as its
// own CA bundle. False when openssl is missing or fails.
inline bool make(const QString& directory, const QString& baseName, QString* certificatePath, QString* keyPath)
{
    *certificatePath = directory + QLatin1Char('/') + baseName + QStringLiteral("-cert.pem");
    *keyPath = directory + QLatin1Char('/') + baseName + QStringLiteral("-key.pem");
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                   QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
                   QStringLiteral("-keyout"), *keyPath, QStringLiteral("-out"), *certificatePath,
                   QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
                   QStringLiteral("/CN=127.0.0.1"), QStringLiteral("-addext"),
                   QStringLiteral("subjectAltName=IP:127.0.0.1,DNS:localhost")});
    return openssl.waitForFinished(30000) && openssl.exitStatus() == QProcess::NormalExit && openssl.exitCode() == 0;
}

// The certificate's SHA-256 fingerprint as `openssl x509 -fingerprint -sha256` prints it, upper-case hex with
// colons ("AB:CD:..."): worked out by openssl itself, independently of the code under test. Empty on failure.
inline QString opensslFingerprint(const QString& certificatePath)
{
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("x509"), QStringLiteral("-noout"), QStringLiteral("-fingerprint"),
                   QStringLiteral("-sha256"), QStringLiteral("-in"), certificatePath});
    if (!openssl.waitForFinished(30000) || openssl.exitStatus() != QProcess::NormalExit || openssl.exitCode() != 0)
        return {};
    // "sha256 Fingerprint=AB:CD:..." (OpenSSL 3) or "SHA256 Fingerprint=AB:CD:..." (1.1).
    const QString line = QString::fromLatin1(openssl.readAllStandardOutput()).trimmed();
    const qsizetype equals = line.indexOf(QLatin1Char('='));
    return equals < 0 ? QString() : line.mid(equals + 1).toUpper();
}

} // namespace TestCertificate

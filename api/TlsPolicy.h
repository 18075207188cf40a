#pragma once

#include <QByteArray>
#include <QList>
#include <QSslCertificate>
#include <QSslError>
#include <QString>

// How one connection decides whom to trust: the system CAs, plus an optional PEM bundle, plus optionally one
// pinned self-signed server certificate (by SHA-256). There is deliberately no "ignore all errors" switch.
struct TlsPolicy
{
    QString caBundlePath;    // PEM file whose certificates are added to the trusted CAs; empty for none
    QByteArray pinnedSha256; // raw 32-byte digest of the one server certificate accepted despite errors; empty for none

    bool hasPin() const { return !pinnedSha256.isEmpty(); }
};

namespace Tls {

// "AB:CD:..." upper-case hex of the certificate's SHA-256 digest.
QString fingerprint(const QSslCertificate& certificate);
QString formatFingerprint(const QByteArray& digest);
// Accepts "AB:CD:...", "abcd...", with or without colons or spaces. Empty result when it is not 32 bytes of hex.
QByteArray parseFingerprint(const QString& text);

// Reads the PEM certificates of a CA bundle file. False with a translated `error` naming the file when it cannot be
// read or holds no certificate, so a typo never silently leaves only the system CAs in force.
bool readCaBundle(const QString& path, QList<QSslCertificate>* certificates, QString* error);

// Whether these errors may be ignored for `certificate` under `policy`: only with a pin that equals the
// certificate's digest, and never for revoked or blacklisted certificates.
bool mayIgnore(const TlsPolicy& policy, const QSslCertificate& certificate, const QList<QSslError>& errors);

} // namespace Tls

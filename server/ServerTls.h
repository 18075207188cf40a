#pragma once

#include <QSslConfiguration>
#include <QString>

#include <optional>

// The server side of HTTPS: a PEM certificate chain and its unencrypted private key, checked against each other at
// start, offered with TLS 1.3 and TLS 1.2's forward-secret AEAD suites only (ECDHE or DHE with AES-GCM or
// ChaCha20-Poly1305), as Mozilla's "intermediate" profile does.
namespace ServerTls {

// nullopt when both paths are empty (plain HTTP) or on failure, with `error` set to what to do.
std::optional<QSslConfiguration> load(const QString& certificatePath, const QString& keyPath, QString* error);

// The TLS 1.2 and 1.3 suites the server offers, out of what the TLS backend supports.
QList<QSslCipher> allowedCiphers();

} // namespace ServerTls

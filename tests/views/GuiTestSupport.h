#pragma once

// Shared by the views tests: settings and keychain isolation, and waiting for API jobs without letting them
// delete themselves.

#include "api/ApiJob.h"

#include <QProcess>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

namespace GuiTest {

template <typename Job>
bool waitFor(Job* job, int timeoutMs = 20000)
{
    job->setAutoDelete(false);
    return QTest::qWaitFor([job] { return job->isFinished(); }, timeoutMs);
}

// Keeps the test away from the user's settings, data and keychain: QStandardPaths test mode, QSettings in a
// temporary folder, and a D-Bus address that fails at once instead of reaching (or autolaunching) a keyring.
inline void isolate(const QTemporaryDir& dir)
{
    // Test mode puts data under ~/.qttest; a private HOME keeps even that inside the temporary folder.
    qputenv("HOME", dir.filePath(QStringLiteral("home")).toLocal8Bit());
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir.filePath(QStringLiteral("settings")));
    qputenv("DBUS_SESSION_BUS_ADDRESS", "disabled:");
}

// A throw-away self-signed certificate for 127.0.0.1, made with the openssl command line.
inline bool makeCertificate(const QString& directory, QString* certificatePath, QString* keyPath)
{
    *certificatePath = directory + QStringLiteral("/server-cert.pem");
    *keyPath = directory + QStringLiteral("/server-key.pem");
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                   QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"), *keyPath,
                   QStringLiteral("-out"), *certificatePath, QStringLiteral("-days"), QStringLiteral("1"),
                   QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"), QStringLiteral("-addext"),
                   QStringLiteral("subjectAltName=IP:127.0.0.1")});
    return openssl.waitForFinished(30000) && openssl.exitStatus() == QProcess::NormalExit && openssl.exitCode() == 0;
}

} // namespace GuiTest

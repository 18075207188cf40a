#pragma once

#include "server/EmbeddedServer.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

// A fresh embedded server on a free loopback port, in a temporary data dir, configured like the reference
// servers: admin/password1234 and default_permission = NO_PERMISSIONS unless told otherwise. With a certificate and
// key (see TestCertificate.h) it serves HTTPS; with a dialect it speaks that MLflow generation.
class ServerFixture
{
public:
    explicit ServerFixture(bool demo = false, const QString& defaultPermission = QStringLiteral("NO_PERMISSIONS"),
                           const QString& tlsCertificatePath = QString(), const QString& tlsKeyPath = QString(),
                           const Dialect& dialect = Dialect())
    {
        const QString ini = m_dir.filePath(QStringLiteral("basic_auth.ini"));
        QFile file(ini);
        if (file.open(QIODevice::WriteOnly)) {
            file.write("[mlflow]\ndefault_permission = " + defaultPermission.toUtf8() +
                       "\ndatabase_uri = sqlite:///basic_auth.db\nadmin_username = admin\n"
                       "admin_password = password1234\n");
            file.close();
        }
        EmbeddedServerOptions options;
        options.port = 0;
        options.dataDir = m_dir.filePath(QStringLiteral("data"));
        options.configPath = ini;
        options.demo = demo;
        options.tlsCertificatePath = tlsCertificatePath;
        options.tlsKeyPath = tlsKeyPath;
        options.dialect = dialect;
        m_server = std::make_unique<EmbeddedServer>(options);
        m_started = m_server->start(&m_error);
    }

    bool started() const { return m_started; }
    QString error() const { return m_error; }
    EmbeddedServer& server() { return *m_server; }
    quint16 port() const { return m_server->port(); }
    QString dataDir() const { return m_dir.filePath(QStringLiteral("data")); }
    QString tempPath(const QString& name) const { return m_dir.filePath(name); }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<EmbeddedServer> m_server;
    QString m_error;
    bool m_started = false;
};

#include "CliRunner.h"
#include "ServerFixture.h"
#include "TestCertificate.h"

#include <QCryptographicHash>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

// Drives the real mlflow-admin-cli against an embedded demo server that serves HTTPS with a throw-away self-signed
// certificate: what the CLI says when it refuses the certificate, --pin-sha256, --ca-bundle, and profiles that store
// them. The server lives in this test's thread and answers only while our event loop spins, so every wait for the
// CLI goes through QSignalSpy::wait, never QProcess::waitForFinished().
class TestCliTls : public QObject
{
    Q_OBJECT

private:
    // As documented by `mlflow-admin-cli --help` (checked in helpDocumentsExitCodes).
    static constexpr int usageExitCode = 2;
    static constexpr int tlsExitCode = 7;

    using Result = CliResult;

    // Runs the CLI as admin against the HTTPS server; see CliRunner::run().
    Result run(const QStringList& arguments, const QMap<QString, QString>& environment = {},
               const QString& workingDirectory = QString())
    {
        return m_cli.run(arguments, environment, QByteArray(), workingDirectory);
    }

    QString authDbUri() const
    {
        // An absolute path after sqlite:/// gives MLflow's four slashes.
        return QStringLiteral("sqlite:///") + m_fixture->dataDir() + QStringLiteral("/basic_auth.db");
    }

    // The commands every trust case is checked with: the probe, in both output modes, and two that read real data.
    void addCommandRows()
    {
        QTest::addColumn<QStringList>("command");
        QTest::addColumn<bool>("json");
        QTest::newRow("probe") << QStringList{QStringLiteral("probe")} << false;
        QTest::newRow("probe --json") << QStringList{QStringLiteral("probe"), QStringLiteral("--json")} << true;
        QTest::newRow("users show --json") << QStringList{QStringLiteral("users"), QStringLiteral("show"),
                                                          QStringLiteral("user1"), QStringLiteral("--json")}
                                           << true;
        QTest::newRow("matrix --json --auth-db")
            << QStringList{QStringLiteral("matrix"), QStringLiteral("--json"), QStringLiteral("--auth-db"), authDbUri()}
            << true;
    }

    // A refused connection prints nothing but the error: an empty stdout, or in JSON mode only {"error": ...}.
    static void verifyOnlyError(const Result& result, bool json, int exitCode, const QString& kind)
    {
        if (!json) {
            QVERIFY2(result.out.isEmpty(), qPrintable(result.describe()));
            return;
        }
        const QJsonObject object = result.json();
        QCOMPARE(object.keys(), QStringList{QStringLiteral("error")});
        const QJsonObject error = object.value(QStringLiteral("error")).toObject();
        QCOMPARE(error.value(QStringLiteral("exit_code")).toInt(), exitCode);
        if (!kind.isEmpty())
            QCOMPARE(error.value(QStringLiteral("kind")).toString(), kind);
        QVERIFY(!error.value(QStringLiteral("message")).toString().isEmpty());
    }

    // Ready, as admin, over HTTPS: what `probe --json` says once the certificate is trusted.
    static void verifyReady(const Result& result)
    {
        QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));
        const QJsonObject object = result.json();
        QCOMPARE(object.value(QStringLiteral("status")).toString(), QStringLiteral("Ready"));
        QCOMPARE(object.value(QStringLiteral("is_admin")).toBool(), true);
        QCOMPARE(object.value(QStringLiteral("username")).toString(), QStringLiteral("admin"));
        QVERIFY(object.value(QStringLiteral("url")).toString().startsWith(QLatin1String("https://")));
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        QVERIFY(TestCertificate::make(m_home.path(), QStringLiteral("server"), &m_certificatePath, &m_keyPath));
        // A second, unrelated certificate: its fingerprint is well-formed, but not the server's.
        QString otherCertificatePath;
        QString otherKeyPath;
        QVERIFY(TestCertificate::make(m_home.path(), QStringLiteral("other"), &otherCertificatePath, &otherKeyPath));

        m_fingerprint = TestCertificate::opensslFingerprint(m_certificatePath);
        m_otherFingerprint = TestCertificate::opensslFingerprint(otherCertificatePath);
        QCOMPARE(m_fingerprint.size(), 32 * 3 - 1);
        QVERIFY(m_otherFingerprint.size() == m_fingerprint.size() && m_otherFingerprint != m_fingerprint);
        // Qt agrees with openssl on what the fingerprint is.
        const auto certificates = QSslCertificate::fromPath(m_certificatePath);
        QCOMPARE(certificates.size(), 1);
        QCOMPARE(QString::fromLatin1(certificates.first().digest(QCryptographicHash::Sha256).toHex(':').toUpper()),
                 m_fingerprint);

        m_fixture =
            std::make_unique<ServerFixture>(true, QStringLiteral("NO_PERMISSIONS"), m_certificatePath, m_keyPath);
        QVERIFY2(m_fixture->started(), qPrintable(m_fixture->error()));
        m_url = m_fixture->server().url().toString();
        QVERIFY2(m_url.startsWith(QLatin1String("https://127.0.0.1:")), qPrintable(m_url));
        m_cli.setUrl(m_url);
    }

    void cleanupTestCase() { m_fixture.reset(); }

    void helpDocumentsExitCodes()
    {
        const Result result = run({QStringLiteral("--help")});
        QCOMPARE(result.exitCode, 0);
        QVERIFY(result.out.contains(QStringLiteral("  %1  usage error").arg(usageExitCode)));
        QVERIFY(result.out.contains(QStringLiteral("  %1  network or TLS failure").arg(tlsExitCode)));
        QVERIFY(result.out.contains(QStringLiteral("--pin-sha256 HEX")));
        QVERIFY(result.out.contains(QStringLiteral("--ca-bundle FILE")));
    }

    // No pin, no CA bundle: refused, saying why, with the fingerprint to pin and the options to use.
    void untrustedCertificateIsRefused_data() { addCommandRows(); }
    void untrustedCertificateIsRefused()
    {
        QFETCH(QStringList, command);
        QFETCH(bool, json);
        const Result result = run(command);
        QVERIFY(result.finished);
        QVERIFY2(result.exitCode == tlsExitCode, qPrintable(result.describe()));
        QVERIFY2(result.err.contains(QLatin1String("not trusted")), qPrintable(result.err));
        QVERIFY2(result.err.contains(QLatin1String("self-signed")), qPrintable(result.err));
        QVERIFY2(result.err.contains(m_fingerprint), qPrintable(result.err));
        QVERIFY2(result.err.contains(QStringLiteral("--pin-sha256 ") + m_fingerprint), qPrintable(result.err));
        QVERIFY2(result.err.contains(QLatin1String("--ca-bundle")), qPrintable(result.err));
        verifyOnlyError(result, json, tlsExitCode, QStringLiteral("TlsFailure"));
        if (json) {
            const QJsonObject error = result.json().value(QStringLiteral("error")).toObject();
            QCOMPARE(error.value(QStringLiteral("certificate_sha256")).toString(), m_fingerprint);
        }
    }

    // The fingerprint as openssl prints it, and as bare hex in either case, pins the certificate.
    void pinnedCertificateIsAccepted_data()
    {
        QTest::addColumn<QString>("pin");
        QString bare = m_fingerprint;
        bare.remove(QLatin1Char(':'));
        QTest::newRow("colon-separated, as openssl prints it") << m_fingerprint;
        QTest::newRow("64 hex digits, lower case") << bare.toLower();
        QTest::newRow("64 hex digits, upper case") << bare;
        QTest::newRow("colon-separated, lower case") << m_fingerprint.toLower();
    }
    void pinnedCertificateIsAccepted()
    {
        QFETCH(QString, pin);
        const Result json =
            run({QStringLiteral("--pin-sha256"), pin, QStringLiteral("probe"), QStringLiteral("--json")});
        verifyReady(json);

        const Result table = run({QStringLiteral("probe"), QStringLiteral("--pin-sha256"), pin});
        QVERIFY2(table.exitCode == 0, qPrintable(table.describe()));
        QVERIFY2(table.out.contains(QLatin1String("Signed in as admin (administrator)")), qPrintable(table.out));
        QVERIFY2(table.err.isEmpty(), qPrintable(table.err));
    }

    // Past the probe, real commands read data over the pinned connection.
    void pinnedCertificateServesCommands()
    {
        const Result user = run({QStringLiteral("users"), QStringLiteral("show"), QStringLiteral("user1"),
                                 QStringLiteral("--json"), QStringLiteral("--pin-sha256"), m_fingerprint});
        QVERIFY2(user.exitCode == 0, qPrintable(user.describe()));
        QCOMPARE(user.json().value(QStringLiteral("username")).toString(), QStringLiteral("user1"));
        QStringList grants;
        for (const QJsonValue& grant : user.json().value(QStringLiteral("grants")).toArray())
            grants.append(grant.toObject().value(QStringLiteral("resource_name")).toString() + QLatin1Char(' ') +
                          grant.toObject().value(QStringLiteral("permission")).toString());
        QVERIFY2(grants.contains(QStringLiteral("/user1/experiment1 MANAGE")), qPrintable(grants.join(", ")));

        const Result matrix = run({QStringLiteral("matrix"), QStringLiteral("--json"), QStringLiteral("--auth-db"),
                                   authDbUri(), QStringLiteral("--pin-sha256"), m_fingerprint});
        QVERIFY2(matrix.exitCode == 0, qPrintable(matrix.describe()));
        bool found = false;
        for (const QJsonValue& value : matrix.json().value(QStringLiteral("cells")).toArray()) {
            const QJsonObject cell = value.toObject();
            found =
                found || (cell.value(QStringLiteral("user")).toString() == QLatin1String("user1") &&
                          cell.value(QStringLiteral("resource")).toString() == QLatin1String("/user1/experiment1") &&
                          cell.value(QStringLiteral("level")).toString() == QLatin1String("MANAGE"));
        }
        QVERIFY2(found, qPrintable(matrix.out.left(2000)));
    }

    // A well-formed pin of another certificate: refused, both fingerprints named, and no data printed.
    void wrongPinIsRefused_data() { addCommandRows(); }
    void wrongPinIsRefused()
    {
        QFETCH(QStringList, command);
        QFETCH(bool, json);
        const Result result = run(command + QStringList{QStringLiteral("--pin-sha256"), m_otherFingerprint});
        QVERIFY(result.finished);
        QVERIFY2(result.exitCode == tlsExitCode, qPrintable(result.describe()));
        QVERIFY2(result.err.contains(QLatin1String("does not match the pinned fingerprint")), qPrintable(result.err));
        QVERIFY2(result.err.contains(m_fingerprint), qPrintable(result.err));
        QVERIFY2(result.err.contains(m_otherFingerprint), qPrintable(result.err));
        verifyOnlyError(result, json, tlsExitCode, QStringLiteral("TlsFailure"));
        QVERIFY(!result.out.contains(QLatin1String("user1")));
        QVERIFY(!result.out.contains(QLatin1String("experiment")));
    }

    // Not a SHA-256 fingerprint: a usage error before any connection, naming the option and the expected form.
    void malformedPinIsUsageError_data()
    {
        QTest::addColumn<QString>("pin");
        QString bare = m_fingerprint;
        bare.remove(QLatin1Char(':'));
        QTest::newRow("abc") << QStringLiteral("abc");
        QTest::newRow("one digit short") << bare.chopped(1);
        QTest::newRow("SHA-1 length") << bare.left(40);
        QTest::newRow("not hex") << QString(64, QLatin1Char('g'));
    }
    void malformedPinIsUsageError()
    {
        QFETCH(QString, pin);
        const Result result = run({QStringLiteral("--pin-sha256"), pin, QStringLiteral("probe")});
        QVERIFY2(result.exitCode == usageExitCode, qPrintable(result.describe()));
        QVERIFY2(result.err.contains(QLatin1String("Invalid --pin-sha256")), qPrintable(result.err));
        QVERIFY2(result.err.contains(QLatin1String("64 hex digits")), qPrintable(result.err));
        QVERIFY(result.out.isEmpty());

        const Result json =
            run({QStringLiteral("--pin-sha256"), pin, QStringLiteral("probe"), QStringLiteral("--json")});
        QCOMPARE(json.exitCode, usageExitCode);
        verifyOnlyError(json, true, usageExitCode, QString());
    }

    // openssl req -x509 marks the self-signed certificate CA:TRUE, so it is its own CA bundle.
    void caBundleTrustsCertificate()
    {
        verifyReady(
            run({QStringLiteral("--ca-bundle"), m_certificatePath, QStringLiteral("probe"), QStringLiteral("--json")}));

        const Result user = run({QStringLiteral("users"), QStringLiteral("show"), QStringLiteral("user1"),
                                 QStringLiteral("--json"), QStringLiteral("--ca-bundle"), m_certificatePath});
        QVERIFY2(user.exitCode == 0, qPrintable(user.describe()));
        QCOMPARE(user.json().value(QStringLiteral("username")).toString(), QStringLiteral("user1"));
    }

    // A bundle that is missing or holds no certificate: a usage error naming the file.
    void unusableCaBundleIsUsageError_data()
    {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<QString>("contents"); // null: the file does not exist
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing") << QStringLiteral("missing.pem") << QString() << QStringLiteral("cannot be read");
        QTest::newRow("not PEM") << QStringLiteral("notes.txt") << QStringLiteral("just some text\n")
                                 << QStringLiteral("holds no PEM certificate");
        QFile key(m_keyPath);
        QVERIFY(key.open(QIODevice::ReadOnly));
        QTest::newRow("PEM, but only a private key")
            << QStringLiteral("only-key.pem") << QString::fromLatin1(key.readAll())
            << QStringLiteral("holds no PEM certificate");
    }
    void unusableCaBundleIsUsageError()
    {
        QFETCH(QString, fileName);
        QFETCH(QString, contents);
        QFETCH(QString, expected);
        const QString path = m_home.filePath(fileName);
        if (!contents.isNull()) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(contents.toUtf8());
        }
        const Result result = run({QStringLiteral("--ca-bundle"), path, QStringLiteral("probe")});
        QVERIFY2(result.exitCode == usageExitCode, qPrintable(result.describe()));
        QVERIFY2(result.err.contains(path), qPrintable(result.err));
        QVERIFY2(result.err.contains(expected), qPrintable(result.err));
        QVERIFY(result.out.isEmpty());

        const Result json =
            run({QStringLiteral("--ca-bundle"), path, QStringLiteral("probe"), QStringLiteral("--json")});
        QCOMPARE(json.exitCode, usageExitCode);
        verifyOnlyError(json, true, usageExitCode, QString());
    }

    // The bundle is checked with the other options, before a password is needed: without one, the user still
    // learns about the bad file first (not "no password available").
    void unusableCaBundleIsReportedBeforeThePassword()
    {
        const QString path = m_home.filePath(QStringLiteral("missing.pem"));
        const Result result = run({QStringLiteral("--ca-bundle"), path, QStringLiteral("probe")},
                                  {{QStringLiteral("MLFLOW_TRACKING_PASSWORD"), QString()}});
        QVERIFY2(result.exitCode == usageExitCode, qPrintable(result.describe()));
        QVERIFY2(result.err.contains(path), qPrintable(result.err));
    }

    // A plain http:// address has no certificate: a pin or bundle there would protect nothing, so it is refused.
    void tlsOptionsOnPlainHttpAreRefused_data()
    {
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<QString>("option");
        QTest::newRow("--pin-sha256") << QStringList{QStringLiteral("--pin-sha256"), m_fingerprint}
                                      << QStringLiteral("--pin-sha256");
        QTest::newRow("--ca-bundle") << QStringList{QStringLiteral("--ca-bundle"), m_certificatePath}
                                     << QStringLiteral("--ca-bundle");
    }
    void tlsOptionsOnPlainHttpAreRefused()
    {
        QFETCH(QStringList, options);
        QFETCH(QString, option);
        const QString httpUrl = QStringLiteral("http://127.0.0.1:%1").arg(m_fixture->port());
        const Result result = run(QStringList{QStringLiteral("--url"), httpUrl, QStringLiteral("probe")} + options);
        QVERIFY2(result.exitCode == usageExitCode, qPrintable(result.describe()));
        QVERIFY2(result.err.contains(httpUrl), qPrintable(result.err));
        QVERIFY2(result.err.contains(QLatin1String("plain http://")), qPrintable(result.err));
        QVERIFY2(result.err.contains(option), qPrintable(result.err));
        QVERIFY(result.out.isEmpty());

        // Nor does a profile store it.
        const QString name = QStringLiteral("http-with-") + option.mid(2);
        const Result add =
            run(QStringList{QStringLiteral("profiles"), QStringLiteral("add"), name, QStringLiteral("--url"), httpUrl,
                            QStringLiteral("--user"), QStringLiteral("admin")} +
                options);
        QVERIFY2(add.exitCode == usageExitCode, qPrintable(add.describe()));
        QVERIFY2(add.err.contains(QLatin1String("plain http://")), qPrintable(add.err));
        const Result list = run({QStringLiteral("profiles"), QStringLiteral("list"), QStringLiteral("--json")});
        QCOMPARE(list.exitCode, 0);
        QVERIFY2(!list.out.contains(name), qPrintable(list.out));
    }

    // A profile remembers the pin: `--profile NAME` connects with the password from the environment.
    void profileWithPinConnects()
    {
        const Result add = run({QStringLiteral("profiles"), QStringLiteral("add"), QStringLiteral("tls-pinned"),
                                QStringLiteral("--url"), m_url, QStringLiteral("--user"), QStringLiteral("admin"),
                                QStringLiteral("--pin-sha256"), m_fingerprint.toLower(), QStringLiteral("--json")});
        QVERIFY2(add.exitCode == 0, qPrintable(add.describe()));
        QCOMPARE(add.json().value(QStringLiteral("password_saved")).toBool(), false);

        const Result list = run({QStringLiteral("profiles"), QStringLiteral("list"), QStringLiteral("--json")});
        QCOMPARE(list.exitCode, 0);
        QJsonObject stored;
        for (const QJsonValue& profile : list.json().value(QStringLiteral("profiles")).toArray()) {
            if (profile.toObject().value(QStringLiteral("name")).toString() == QLatin1String("tls-pinned"))
                stored = profile.toObject();
        }
        QCOMPARE(stored.value(QStringLiteral("pin_sha256")).toString(), m_fingerprint);

        // Only the profile says where and who: no URL or user in the environment.
        const QMap<QString, QString> profileOnly{{QStringLiteral("MLFLOW_TRACKING_URI"), QString()},
                                                 {QStringLiteral("MLFLOW_TRACKING_USERNAME"), QString()}};
        verifyReady(run({QStringLiteral("--profile"), QStringLiteral("tls-pinned"), QStringLiteral("probe"),
                         QStringLiteral("--json")},
                        profileOnly));
        const Result user = run({QStringLiteral("--profile"), QStringLiteral("tls-pinned"), QStringLiteral("users"),
                                 QStringLiteral("show"), QStringLiteral("user1"), QStringLiteral("--json")},
                                profileOnly);
        QVERIFY2(user.exitCode == 0, qPrintable(user.describe()));
        QCOMPARE(user.json().value(QStringLiteral("username")).toString(), QStringLiteral("user1"));

        // A pin on the command line overrides the profile's.
        const Result overridden = run({QStringLiteral("--profile"), QStringLiteral("tls-pinned"),
                                       QStringLiteral("--pin-sha256"), m_otherFingerprint, QStringLiteral("probe")},
                                      profileOnly);
        QVERIFY2(overridden.exitCode == tlsExitCode, qPrintable(overridden.describe()));

        // The same profile without the pin is refused like a bare --url.
        const Result plain = run({QStringLiteral("profiles"), QStringLiteral("add"), QStringLiteral("tls-unpinned"),
                                  QStringLiteral("--url"), m_url, QStringLiteral("--user"), QStringLiteral("admin")});
        QVERIFY2(plain.exitCode == 0, qPrintable(plain.describe()));
        const Result refused =
            run({QStringLiteral("--profile"), QStringLiteral("tls-unpinned"), QStringLiteral("probe")}, profileOnly);
        QVERIFY2(refused.exitCode == tlsExitCode, qPrintable(refused.describe()));
        QVERIFY2(refused.err.contains(m_fingerprint), qPrintable(refused.err));
    }

    // A profile remembers the CA bundle by absolute path, so it works from any working directory.
    void profileWithCaBundleConnects()
    {
        const QString certificateName = QFileInfo(m_certificatePath).fileName();
        const Result add = run({QStringLiteral("profiles"), QStringLiteral("add"), QStringLiteral("tls-ca"),
                                QStringLiteral("--url"), m_url, QStringLiteral("--user"), QStringLiteral("admin"),
                                QStringLiteral("--ca-bundle"), certificateName},
                               {}, m_home.path());
        QVERIFY2(add.exitCode == 0, qPrintable(add.describe()));

        const Result list = run({QStringLiteral("profiles"), QStringLiteral("list"), QStringLiteral("--json")});
        QJsonObject stored;
        for (const QJsonValue& profile : list.json().value(QStringLiteral("profiles")).toArray()) {
            if (profile.toObject().value(QStringLiteral("name")).toString() == QLatin1String("tls-ca"))
                stored = profile.toObject();
        }
        QCOMPARE(QFileInfo(stored.value(QStringLiteral("ca_bundle")).toString()).canonicalFilePath(),
                 QFileInfo(m_certificatePath).canonicalFilePath());

        const QString elsewhere = m_home.filePath(QStringLiteral("elsewhere"));
        QVERIFY(QDir().mkpath(elsewhere));
        verifyReady(run(
            {QStringLiteral("--profile"), QStringLiteral("tls-ca"), QStringLiteral("probe"), QStringLiteral("--json")},
            {{QStringLiteral("MLFLOW_TRACKING_URI"), QString()},
             {QStringLiteral("MLFLOW_TRACKING_USERNAME"), QString()}},
            elsewhere));

        // A bundle that does not exist is refused when the profile is added, not on first use.
        const QString missing = m_home.filePath(QStringLiteral("missing-ca.pem"));
        const Result bad = run({QStringLiteral("profiles"), QStringLiteral("add"), QStringLiteral("tls-bad-ca"),
                                QStringLiteral("--url"), m_url, QStringLiteral("--ca-bundle"), missing});
        QVERIFY2(bad.exitCode == usageExitCode, qPrintable(bad.describe()));
        QVERIFY2(bad.err.contains(missing), qPrintable(bad.err));
        const Result after = run({QStringLiteral("profiles"), QStringLiteral("list"), QStringLiteral("--json")});
        QVERIFY(!after.out.contains(QLatin1String("tls-bad-ca")));
    }

private:
    QTemporaryDir m_home;
    QString m_certificatePath;
    QString m_keyPath;
    QString m_fingerprint;      // "AB:CD:..." as openssl prints it
    QString m_otherFingerprint; // of an unrelated certificate
    std::unique_ptr<ServerFixture> m_fixture;
    QString m_url;
    // The keychain is never reached: a pin or CA bundle must not depend on it.
    CliRunner m_cli{QStringLiteral(MLFLOW_ADMIN_CLI_PATH),
                    m_home.path(),
                    {{QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("disabled:")}}};
};

QTEST_GUILESS_MAIN(TestCliTls)
#include "tst_cli_tls.moc"

#include "services/ProfileStore.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

// ProfileStore against a real INI file: round trip of every field, ordering, replacement, removal, bad input.
class TestProfileStore : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("profiles-%1.ini").arg(++m_counter));
    }

    void roundTripsEveryField()
    {
        ProfileStore store(m_path);
        ServerProfile profile;
        profile.name = QStringLiteral("prod server");
        profile.url = QUrl(QStringLiteral("https://mlflow.example.com/prefix"));
        profile.username = QStringLiteral("admin");
        profile.caBundlePath = QStringLiteral("/etc/ssl/corp.pem");
        profile.pinnedSha256 = QByteArray(32, '\xab');
        profile.authDatabaseUri = QStringLiteral("sqlite:////srv/mlflow/basic_auth.db");
        profile.defaultPermission = PermissionLevel::Read;
        profile.workspace = QStringLiteral("team-a");
        QString error;
        QVERIFY2(store.save(profile, &error), qPrintable(error));

        const auto loaded = ProfileStore(m_path).profile(QStringLiteral("prod server"));
        QVERIFY(loaded.has_value());
        QCOMPARE(loaded->name, profile.name);
        QCOMPARE(loaded->url, profile.url);
        QCOMPARE(loaded->username, profile.username);
        QCOMPARE(loaded->caBundlePath, profile.caBundlePath);
        QCOMPARE(loaded->pinnedSha256, profile.pinnedSha256);
        QCOMPARE(loaded->authDatabaseUri, profile.authDatabaseUri);
        QCOMPARE(loaded->defaultPermission, std::optional<PermissionLevel>(PermissionLevel::Read));
        QCOMPARE(loaded->workspace, QStringLiteral("team-a"));

        // Unknown stays unknown (not NO_PERMISSIONS).
        profile.defaultPermission.reset();
        profile.workspace.clear();
        QVERIFY2(store.save(profile, &error), qPrintable(error));
        QVERIFY(!ProfileStore(m_path).profile(QStringLiteral("prod server"))->defaultPermission);
        QVERIFY(ProfileStore(m_path).profile(QStringLiteral("prod server"))->workspace.isEmpty());
    }

    // Profiles name servers, users and CA files: owner-only, and a file found readable by others is tightened.
    void profilesFileIsOwnerOnly()
    {
        const QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup |
                                                QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                                QFileDevice::WriteOther | QFileDevice::ExeOther;
        ServerProfile profile;
        profile.name = QStringLiteral("private");
        profile.url = QUrl(QStringLiteral("https://mlflow.example.com"));
        profile.username = QStringLiteral("admin");
        QString error;
        QVERIFY2(ProfileStore(m_path).save(profile, &error), qPrintable(error));
        QCOMPARE(QFile::permissions(m_path) & others, QFileDevice::Permissions());
        QVERIFY(QFile::setPermissions(m_path,
                                      QFile::permissions(m_path) | QFileDevice::ReadOther | QFileDevice::ReadGroup));
        profile.username = QStringLiteral("someone");
        QVERIFY2(ProfileStore(m_path).save(profile, &error), qPrintable(error));
        QCOMPARE(QFile::permissions(m_path) & others, QFileDevice::Permissions());
        QCOMPARE(ProfileStore(m_path).profile(QStringLiteral("private"))->username, QStringLiteral("someone"));
    }

    void neverWritesAPassword()
    {
        ProfileStore store(m_path);
        ServerProfile profile;
        profile.name = QStringLiteral("p");
        profile.url = QUrl(QStringLiteral("http://127.0.0.1:5000"));
        profile.username = QStringLiteral("admin");
        QString error;
        QVERIFY2(store.save(profile, &error), qPrintable(error));
        QFile file(m_path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray content = file.readAll().toLower();
        QVERIFY(!content.contains("password"));
        file.close();

        // Nor a database password inside the auth database URI: refused, with the way to supply it instead.
        profile.authDatabaseUri = QStringLiteral("postgresql://mlflow:s3cret-db-pw@db.example/auth");
        QVERIFY(!store.save(profile, &error));
        QVERIFY2(error.contains(QStringLiteral("MLFLOW_ADMIN_AUTH_DB_PASSWORD")), qPrintable(error));
        QVERIFY(!error.contains(QStringLiteral("s3cret")));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(!file.readAll().contains("s3cret"));
        QVERIFY(store.profile(QStringLiteral("p"))->authDatabaseUri.isEmpty());
        // Without the password the URI is kept.
        profile.authDatabaseUri = QStringLiteral("postgresql://mlflow@db.example/auth");
        QVERIFY2(store.save(profile, &error), qPrintable(error));
        QCOMPARE(store.profile(QStringLiteral("p"))->authDatabaseUri, profile.authDatabaseUri);
    }

    void listsSortedAndReplaces()
    {
        ProfileStore store(m_path);
        QString error;
        for (const QString& name : {QStringLiteral("zeta"), QStringLiteral("alpha"), QStringLiteral("mid")}) {
            ServerProfile profile;
            profile.name = name;
            profile.url = QUrl(QStringLiteral("http://127.0.0.1:5000"));
            profile.username = QStringLiteral("u-") + name;
            profile.caBundlePath = QStringLiteral("/tmp/ca.pem");
            QVERIFY2(store.save(profile, &error), qPrintable(error));
        }
        QList<ServerProfile> profiles = store.profiles();
        QCOMPARE(profiles.size(), 3);
        QCOMPARE(profiles.at(0).name, QStringLiteral("alpha"));
        QCOMPARE(profiles.at(2).name, QStringLiteral("zeta"));

        // Saving again replaces the whole profile: a field cleared now does not survive from before.
        ServerProfile replacement;
        replacement.name = QStringLiteral("mid");
        replacement.url = QUrl(QStringLiteral("https://other.example.com"));
        QVERIFY2(store.save(replacement, &error), qPrintable(error));
        const auto mid = store.profile(QStringLiteral("mid"));
        QVERIFY(mid.has_value());
        QCOMPARE(mid->url, QUrl(QStringLiteral("https://other.example.com")));
        QVERIFY(mid->username.isEmpty());
        QVERIFY(mid->caBundlePath.isEmpty());
        QCOMPARE(store.profiles().size(), 3);
    }

    void removes()
    {
        ProfileStore store(m_path);
        ServerProfile profile;
        profile.name = QStringLiteral("gone");
        profile.url = QUrl(QStringLiteral("http://127.0.0.1:5000"));
        QString error;
        QVERIFY(store.save(profile, &error));
        QVERIFY(store.contains(QStringLiteral("gone")));
        QVERIFY2(store.remove(QStringLiteral("gone"), &error), qPrintable(error));
        QVERIFY(!store.contains(QStringLiteral("gone")));
        QVERIFY(!store.remove(QStringLiteral("gone"), &error));
        QVERIFY(error.contains(QStringLiteral("gone")));
    }

    void rejectsBadInput_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("url");
        QTest::addColumn<QByteArray>("pin");
        QTest::newRow("empty name") << QString() << QStringLiteral("http://h") << QByteArray();
        QTest::newRow("slash in name") << QStringLiteral("a/b") << QStringLiteral("http://h") << QByteArray();
        QTest::newRow("backslash in name") << QStringLiteral("a\\b") << QStringLiteral("http://h") << QByteArray();
        QTest::newRow("padded name") << QStringLiteral(" a") << QStringLiteral("http://h") << QByteArray();
        QTest::newRow("ftp url") << QStringLiteral("a") << QStringLiteral("ftp://h") << QByteArray();
        QTest::newRow("no url") << QStringLiteral("a") << QString() << QByteArray();
        QTest::newRow("short pin") << QStringLiteral("a") << QStringLiteral("https://h") << QByteArray(20, 'x');
    }

    void rejectsBadInput()
    {
        QFETCH(QString, name);
        QFETCH(QString, url);
        QFETCH(QByteArray, pin);
        ProfileStore store(m_path);
        ServerProfile profile;
        profile.name = name;
        profile.url = QUrl(url);
        profile.pinnedSha256 = pin;
        QString error;
        QVERIFY(!store.save(profile, &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(store.profiles().isEmpty());
    }

private:
    QTemporaryDir m_dir;
    QString m_path;
    int m_counter = 0;
};

QTEST_GUILESS_MAIN(TestProfileStore)
#include "tst_profilestore.moc"

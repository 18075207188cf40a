// Owner-only files (issue 11): PrivateFiles creates folders 0700 and files 0600 and tightens wider ones it finds,
// SQLite's side files included; the known-users registry uses it for its database and folder.

#include "api/KnownUsersRegistry.h"
#include "api/PrivateFiles.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

namespace {

int modeOf(const QString& path)
{
    struct stat info = {};
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return -1;
    return static_cast<int>(info.st_mode & 0777);
}

bool setMode(const QString& path, int mode)
{
    return ::chmod(QFile::encodeName(path).constData(), static_cast<mode_t>(mode)) == 0;
}

} // namespace

class PrivateFilesTest : public QObject
{
    Q_OBJECT

private slots:
    void createsOwnerOnly()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("a/b"));
        QString error;
        QVERIFY2(PrivateFiles::ensureFolder(folder, &error), qPrintable(error));
        QCOMPARE(modeOf(folder), 0700);
        const QString file = folder + QStringLiteral("/state.sqlite");
        QVERIFY2(PrivateFiles::ensureSqliteFile(file, &error), qPrintable(error));
        QCOMPARE(modeOf(file), 0600);
        QCOMPARE(QFileInfo(file).size(), 0);
    }

    void tightensWhatItFinds()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("wide"));
        QVERIFY(QDir().mkpath(folder));
        QVERIFY(setMode(folder, 0755));
        const QString file = folder + QStringLiteral("/db.sqlite");
        for (const QString& path :
             {file, file + QStringLiteral("-wal"), file + QStringLiteral("-shm"), file + QStringLiteral("-journal")}) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("kept");
            f.close();
            QVERIFY(setMode(path, 0644));
        }
        QVERIFY(PrivateFiles::ensureFolder(folder));
        QVERIFY(PrivateFiles::ensureSqliteFile(file));
        QCOMPARE(modeOf(folder), 0700);
        for (const QString& suffix :
             {QString(), QStringLiteral("-wal"), QStringLiteral("-shm"), QStringLiteral("-journal")}) {
            QVERIFY2(modeOf(file + suffix) == 0600, qPrintable(suffix));
            // Tightened, not truncated.
            QCOMPARE(QFileInfo(file + suffix).size(), 4);
        }
        // A settings file and its folder.
        const QString settings = dir.filePath(QStringLiteral("config/mlflow-admin/mlflow-admin.conf"));
        QVERIFY(PrivateFiles::ensureSettingsFile(settings));
        QCOMPARE(modeOf(QFileInfo(settings).absolutePath()), 0700);
        QCOMPARE(modeOf(settings), 0600);
    }

    void saysWhatFailed()
    {
        QTemporaryDir dir;
        const QString blocker = dir.filePath(QStringLiteral("file"));
        QFile f(blocker);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        QString error;
        // A folder cannot be made where a file is.
        QVERIFY(!PrivateFiles::ensureFolder(blocker + QStringLiteral("/sub"), &error));
        QVERIFY2(error.contains(blocker), qPrintable(error));
    }

    void knownUsersRegistryIsOwnerOnly()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("known-users"));
        QVERIFY(QDir().mkpath(folder));
        QVERIFY(setMode(folder, 0775));
        const QString path = folder + QStringLiteral("/server.sqlite");
        KnownUsersRegistry registry;
        QString error;
        QVERIFY2(registry.open(path, &error), qPrintable(error));
        QCOMPARE(modeOf(folder), 0700);
        QCOMPARE(modeOf(path), 0600);
        registry.close();
        QVERIFY(setMode(path, 0644));
        KnownUsersRegistry again;
        QVERIFY2(again.open(path, &error), qPrintable(error));
        QCOMPARE(modeOf(path), 0600);
    }
};

QTEST_GUILESS_MAIN(PrivateFilesTest)
#include "tst_privatefiles.moc"

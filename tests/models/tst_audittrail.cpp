// The audit trail file on its own: the chain, concurrent writers, and what append refuses.

#include "models/AuditTrail.h"

#include <QFile>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

class TestAuditTrail : public QObject
{
    Q_OBJECT

private slots:
    void chainStartsAtGenesisAndLinksEachEntry()
    {
        QTemporaryDir dir;
        AuditTrail trail(dir.filePath(QStringLiteral("nested/trail.jsonl")));
        QVERIFY(trail.verify().ok);
        QCOMPARE(trail.verify().entries, 0);
        QString error;
        QVERIFY2(trail.append({QJsonObject{{QStringLiteral("kind"), QStringLiteral("a")}},
                               QJsonObject{{QStringLiteral("kind"), QStringLiteral("b")}}},
                              &error),
                 qPrintable(error));
        QList<QJsonObject> entries;
        QVERIFY(trail.read(&entries));
        QCOMPARE(entries.size(), 2);
        QCOMPARE(entries.at(0).value(QStringLiteral("prev_hash")).toString(), AuditTrail::genesisHash());
        QCOMPARE(entries.at(1).value(QStringLiteral("prev_hash")).toString(),
                 entries.at(0).value(QStringLiteral("hash")).toString());
        QCOMPARE(entries.at(1).value(QStringLiteral("hash")).toString(), AuditTrail::hashOf(entries.at(1)));
        QCOMPARE(entries.at(1).value(QStringLiteral("seq")).toInt(), 2);
        const AuditTrail::Verification result = trail.verify();
        QVERIFY(result.ok);
        QCOMPARE(result.entries, 2);
        QCOMPARE(result.lastHash, entries.at(1).value(QStringLiteral("hash")).toString());
    }

    // Console and CLI append to one server's trail at once: the lock keeps the chain whole.
    void concurrentWritersKeepTheChain()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("trail.jsonl"));
        constexpr int perWriter = 40;
        QList<QThread*> threads;
        QAtomicInt failures = 0;
        for (int writer = 0; writer < 3; ++writer) {
            threads.append(QThread::create([path, writer, &failures] {
                AuditTrail trail(path);
                for (int i = 0; i < perWriter; ++i) {
                    if (!trail.append({QJsonObject{{QStringLiteral("writer"), writer}, {QStringLiteral("i"), i}}}))
                        failures.fetchAndAddRelaxed(1);
                }
            }));
        }
        for (QThread* thread : threads)
            thread->start();
        for (QThread* thread : threads) {
            QVERIFY(thread->wait(60000));
            delete thread;
        }
        QCOMPARE(failures.loadRelaxed(), 0);
        const AuditTrail::Verification result = AuditTrail(path).verify();
        QVERIFY2(result.ok, qPrintable(result.message()));
        QCOMPARE(result.entries, 3 * perWriter);
    }

    void appendRefusesADamagedEnd()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("trail.jsonl"));
        AuditTrail trail(path);
        QVERIFY(trail.append({QJsonObject{{QStringLiteral("kind"), QStringLiteral("a")}}}));
        QFile file(path);
        QVERIFY(file.open(QIODevice::Append));
        file.write("{\"seq\":2,\"kind\":\"cut");
        file.close();
        QString error;
        QVERIFY(!trail.append({QJsonObject{{QStringLiteral("kind"), QStringLiteral("b")}}}, &error));
        QVERIFY2(error.contains(QStringLiteral("not valid JSON")) && error.contains(QStringLiteral("audit verify")),
                 qPrintable(error));
        const AuditTrail::Verification result = trail.verify();
        QVERIFY(!result.ok);
        QCOMPARE(result.line, 2);
        QCOMPARE(result.entries, 1);
    }

    void filePerServerAndWorkspace()
    {
        const QUrl server(QStringLiteral("https://mlflow.example.org:8443/base"));
        const QString folder = QStringLiteral("/tmp/x");
        QCOMPARE(AuditTrail::filePathFor(server, QString(), folder),
                 AuditTrail::filePathFor(server, QStringLiteral("default"), folder));
        QVERIFY(AuditTrail::filePathFor(server, QStringLiteral("team-a"), folder) !=
                AuditTrail::filePathFor(server, QString(), folder));
        QVERIFY(
            AuditTrail::filePathFor(server, QString(), folder) !=
            AuditTrail::filePathFor(QUrl(QStringLiteral("https://mlflow.example.org:8443/other")), QString(), folder));
        QVERIFY(AuditTrail::filePathFor(server, QString(), folder)
                    .startsWith(QStringLiteral("/tmp/x/mlflow.example.org_8443_base-")));
    }
};

QTEST_GUILESS_MAIN(TestAuditTrail)
#include "tst_audittrail.moc"

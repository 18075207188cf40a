// The suite's recorded MLflow exchanges come from the checkout itself: a user's clone has no ../shared beside it,
// so no test may look there. This test fails if the lookup leaves the checkout, if a transcript is incomplete, or
// if any test source or build file names the folder beside the checkout.

#include "ReferenceData.h"

#include <QDirIterator>
#include <QtTest>

class ReferenceDataTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { qunsetenv("MLFLOW_REFERENCE_DIR"); }

    void lookupStaysInsideTheCheckout()
    {
        const QString source = QDir::cleanPath(QStringLiteral(MLFLOW_ADMIN_SOURCE_DIR));
        const QString directory = QDir::cleanPath(ReferenceData::directory());
        QVERIFY2(directory.startsWith(source + QLatin1Char('/')), qPrintable(directory));
        QVERIFY2(!directory.contains(QLatin1String("shared")), qPrintable(directory));
    }

    void transcriptsAreComplete_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("exchanges");
        QTest::newRow("2.15.1") << QStringLiteral("mlflow-2.15.1-transcript.jsonl") << 138;
        QTest::newRow("3.14") << QStringLiteral("mlflow-3.14-transcript.jsonl") << 187;
        QTest::newRow("2.15.1 fidelity") << QStringLiteral("mlflow-2.15.1-fidelity-transcript.jsonl") << 84;
        QTest::newRow("3.14 workspaces") << QStringLiteral("mlflow-3.14-workspaces-transcript.jsonl") << 159;
    }

    void transcriptsAreComplete()
    {
        QFETCH(QString, file);
        QFETCH(int, exchanges);
        QString error;
        const QList<QJsonObject> rows = ReferenceData::transcript(file, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(rows.size(), exchanges);
        for (const QJsonObject& row : rows) {
            for (const char* key : {"name", "method", "path", "status", "response_headers"})
                QVERIFY2(row.contains(QLatin1String(key)), qPrintable(file + QLatin1Char(' ') + QLatin1String(key)));
        }
    }

    void noTestLooksBesideTheCheckout()
    {
        const QString source = QStringLiteral(MLFLOW_ADMIN_SOURCE_DIR);
        QStringList offenders;
        for (const QString& folder : {QStringLiteral("/tests"), QStringLiteral("/packaging"), QStringLiteral("/.ci")}) {
            QDirIterator it(source + folder,
                            {QStringLiteral("*.cpp"), QStringLiteral("*.h"), QStringLiteral("*.txt"),
                             QStringLiteral("*.sh"), QStringLiteral("*.cmake"), QStringLiteral("run")},
                            QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                const QString path = it.next();
                if (path.endsWith(QLatin1String("tst_referencedata.cpp")))
                    continue;
                QFile file(path);
                QVERIFY(file.open(QIODevice::ReadOnly));
                if (file.readAll().contains("../shared"))
                    offenders.append(path);
            }
        }
        QVERIFY2(offenders.isEmpty(), qPrintable(offenders.join(QLatin1Char('\n'))));
    }
};

QTEST_GUILESS_MAIN(ReferenceDataTest)
#include "tst_referencedata.moc"

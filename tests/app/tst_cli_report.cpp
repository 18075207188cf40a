// `mlflow-admin-cli report`: the PDF's text (through poppler's pdftotext), the self-contained HTML, the CSV in the
// columns and rows of `matrix --format csv`, the JSON's summary and distribution, scopes and errors, on both
// generations of the embedded demo server over loopback.

#include "CliRunner.h"
#include "Generations.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

class TestCliReport : public QObject
{
    Q_OBJECT

private:
    // Points the CLI at the demo server of `generation`; false when it did not start.
    bool use(const Dialect& generation)
    {
        ServerFixture& fixture = m_fixtures.of(generation);
        if (!fixture.started()) {
            qWarning() << fixture.error();
            return false;
        }
        m_fixture = &fixture;
        m_mlflow3 = generation.isMlflow3();
        m_cli.setUrl(fixture.server().url().toString());
        return true;
    }

    // 2.15.1 cannot list users: the commands that load everyone read the server's auth database.
    QStringList userSource() const
    {
        if (m_mlflow3)
            return {};
        return {QStringLiteral("--auth-db"),
                QStringLiteral("sqlite:///") + m_fixture->dataDir() + QStringLiteral("/basic_auth.db")};
    }

    CliResult run(const QStringList& arguments, const QMap<QString, QString>& environment = {})
    {
        return m_cli.run(arguments, environment);
    }

    CliResult report(const QStringList& arguments)
    {
        return run(QStringList{QStringLiteral("report")} + arguments + userSource());
    }

    // pdftotext's reading of a PDF (layout kept, so that a table row stays on one line).
    static QString pdfText(const QString& path)
    {
        QProcess process;
        process.start(QStringLiteral("pdftotext"), {QStringLiteral("-layout"), path, QStringLiteral("-")});
        if (!process.waitForFinished(30000) || process.exitCode() != 0)
            return QStringLiteral("pdftotext failed: ") + QString::fromUtf8(process.readAllStandardError());
        return QString::fromUtf8(process.readAllStandardOutput());
    }

    static int pdfPages(const QString& path)
    {
        QProcess process;
        process.start(QStringLiteral("pdfinfo"), {path});
        if (!process.waitForFinished(30000))
            return -1;
        const QRegularExpression pages(QStringLiteral("^Pages:\\s+(\\d+)"), QRegularExpression::MultilineOption);
        const QRegularExpressionMatch match = pages.match(QString::fromUtf8(process.readAllStandardOutput()));
        return match.hasMatch() ? match.captured(1).toInt() : -1;
    }

    static QStringList resourceNames(const QJsonObject& report)
    {
        QStringList names;
        for (const QJsonValue& resource : report.value(QStringLiteral("resources")).toArray())
            names.append(resource.toObject().value(QStringLiteral("resource_name")).toString());
        return names;
    }

private slots:
    void cleanup() { m_fixture = nullptr; }

    void pdfNamesUsersExperimentsAndLevels_data() { Generations::addRows(); }
    void pdfNamesUsersExperimentsAndLevels()
    {
        QFETCH(Dialect, generation);
        QVERIFY(use(generation));
        const QString path = m_dir.filePath(Generations::rowName(generation) + QStringLiteral(".pdf"));
        const CliResult result = report({QStringLiteral("-o"), path});
        QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));
        QVERIFY2(result.err.contains(path), qPrintable(result.err));
        QVERIFY(QFileInfo(path).size() > 1000);
        QCOMPARE(QFile::permissions(path) &
                     (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
                 QFile::Permissions());

        const QString text = pdfText(path);
        for (const QString& expected :
             {QStringLiteral("MLflow access report"), m_cli.url(), QStringLiteral("Summary"), QStringLiteral("user1"),
              QStringLiteral("user2"), QStringLiteral("/user1/experiment1"), QStringLiteral("/user1/experiment2"),
              QStringLiteral("/user2/experiment1"), QStringLiteral("MANAGE"), QStringLiteral("NO_PERMISSIONS"),
              QStringLiteral("Permission levels"), QStringLiteral("Access per resource")}) {
            QVERIFY2(text.contains(expected), qPrintable(expected + QStringLiteral(" missing from:\n") + text));
        }
        // user1's row on its own experiment says the level and why.
        const QRegularExpression row(QStringLiteral("user1\\s+MANAGE\\s+explicit grant"));
        QVERIFY2(row.match(text).hasMatch(), qPrintable(text));
        // A title page, then the summary and the rest.
        QVERIFY2(pdfPages(path) >= 2, qPrintable(QString::number(pdfPages(path))));
        const int summaryAt = text.indexOf(QStringLiteral("Summary"));
        QVERIFY(text.lastIndexOf(QLatin1Char('\f'), summaryAt) > 0);
    }

    void htmlIsSelfContainedWithTables()
    {
        QVERIFY(use(Generations::mlflow2()));
        const CliResult result = report({QStringLiteral("--format"), QStringLiteral("html")});
        QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));
        QVERIFY(result.out.startsWith(QStringLiteral("<!DOCTYPE html>")));
        QVERIFY(result.out.count(QStringLiteral("<table")) >= 4);
        QVERIFY(result.out.contains(QStringLiteral("<img src=\"data:image/png;base64,")));
        // Nothing to fetch: no stylesheet, script or image from elsewhere.
        QVERIFY(!result.out.contains(QStringLiteral("<link")));
        QVERIFY(!result.out.contains(QStringLiteral("<script")));
        QVERIFY(!result.out.contains(QStringLiteral("src=\"http")));
        QVERIFY(result.out.contains(QStringLiteral("<td>user2</td><td>MANAGE</td>")));
    }

    void csvHasTheRowsOfMatrix_data() { Generations::addRows(); }
    void csvHasTheRowsOfMatrix()
    {
        QFETCH(Dialect, generation);
        QVERIFY(use(generation));
        const CliResult csv = report({QStringLiteral("--format"), QStringLiteral("csv")});
        QVERIFY2(csv.exitCode == 0, qPrintable(csv.describe()));
        const CliResult matrix = run(
            QStringList{QStringLiteral("matrix"), QStringLiteral("--format"), QStringLiteral("csv")} + userSource());
        QVERIFY2(matrix.exitCode == 0, qPrintable(matrix.describe()));
        QStringList reportLines = csv.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QStringList matrixLines = matrix.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(reportLines.first(), matrixLines.first());
        QVERIFY(reportLines.size() > 4);
        // The same rows (the report groups them by resource, the matrix by user).
        QCOMPARE(QSet<QString>(reportLines.cbegin(), reportLines.cend()),
                 QSet<QString>(matrixLines.cbegin(), matrixLines.cend()));
    }

    void oneExperimentListsOnlyIt_data() { Generations::addRows(); }
    void oneExperimentListsOnlyIt()
    {
        QFETCH(Dialect, generation);
        QVERIFY(use(generation));
        const CliResult json =
            report({QStringLiteral("--experiment"), QStringLiteral("/user1/experiment2"), QStringLiteral("--json")});
        QVERIFY2(json.exitCode == 0, qPrintable(json.describe()));
        const QJsonObject object = json.json();
        QCOMPARE(object.value(QStringLiteral("format")).toString(), QStringLiteral("mlflow-admin-report"));
        QCOMPARE(resourceNames(object), QStringList{QStringLiteral("/user1/experiment2")});
        const QJsonArray users = object.value(QStringLiteral("resources"))
                                     .toArray()
                                     .first()
                                     .toObject()
                                     .value(QStringLiteral("users"))
                                     .toArray();
        QStringList names;
        for (const QJsonValue& user : users)
            names.append(user.toObject().value(QStringLiteral("username")).toString());
        QVERIFY2(names.contains(QStringLiteral("user1")) && names.contains(QStringLiteral("admin")),
                 qPrintable(names.join(QLatin1Char(','))));
        QVERIFY(!names.contains(QStringLiteral("user2")));

        const QString path =
            m_dir.filePath(QStringLiteral("one-") + Generations::rowName(generation) + QStringLiteral(".pdf"));
        const CliResult pdf =
            report({QStringLiteral("--experiment"), QStringLiteral("/user1/experiment2"), QStringLiteral("-o"), path});
        QVERIFY2(pdf.exitCode == 0, qPrintable(pdf.describe()));
        const QString text = pdfText(path);
        QVERIFY2(text.contains(QStringLiteral("/user1/experiment2")), qPrintable(text));
        QVERIFY2(!text.contains(QStringLiteral("/user1/experiment1")), qPrintable(text));
        QVERIFY2(!text.contains(QStringLiteral("/user2/experiment1")), qPrintable(text));
    }

    void oneUserListsWhatItHas()
    {
        QVERIFY(use(Generations::mlflow2()));
        const CliResult json = report({QStringLiteral("--user"), QStringLiteral("user2"), QStringLiteral("--json")});
        QVERIFY2(json.exitCode == 0, qPrintable(json.describe()));
        QCOMPARE(resourceNames(json.json()), QStringList{QStringLiteral("/user2/experiment1")});
        QCOMPARE(json.json().value(QStringLiteral("summary")).toObject().value(QStringLiteral("users")).toInt(), 1);
    }

    // The summary and the chart's figures follow the server: a user without any grant, a resource nobody but the
    // admin manages, and every (user, resource) pair counted once.
    void summaryAndDistributionFollowTheServer_data() { Generations::addRows(); }
    void summaryAndDistributionFollowTheServer()
    {
        QFETCH(Dialect, generation);
        QVERIFY(use(generation));
        const QString loner = QStringLiteral("loner") + QString::number(QDateTime::currentMSecsSinceEpoch() % 100000);
        const CliResult created = m_cli.run(
            {QStringLiteral("users"), QStringLiteral("create"), loner, QStringLiteral("--generate-password")});
        QVERIFY2(created.exitCode == 0, qPrintable(created.describe()));
        const CliResult json = report({QStringLiteral("--json")});
        QVERIFY2(json.exitCode == 0, qPrintable(json.describe()));
        const QJsonObject object = json.json();
        const QJsonObject summary = object.value(QStringLiteral("summary")).toObject();
        const QJsonArray withoutGrant = summary.value(QStringLiteral("users_without_grant")).toArray();
        QVERIFY2(withoutGrant.contains(loner), qPrintable(QJsonDocument(summary).toJson()));
        QVERIFY(!withoutGrant.contains(QStringLiteral("user1")));
        QVERIFY(summary.value(QStringLiteral("admins")).toArray().contains(QStringLiteral("admin")));
        const QJsonArray unmanaged = summary.value(QStringLiteral("resources_nobody_manages")).toArray();
        QVERIFY(!unmanaged.contains(QStringLiteral("/user1/experiment1")));
        QVERIFY2(unmanaged.contains(QStringLiteral("Default")), qPrintable(QJsonDocument(summary).toJson()));
        QCOMPARE(summary.value(QStringLiteral("experiments_readable_by_default")).toArray().size(), 0);

        int pairs = 0;
        int manageByGrant = 0;
        for (const QJsonValue& value : object.value(QStringLiteral("distribution")).toArray()) {
            const QJsonObject level = value.toObject();
            pairs += level.value(QStringLiteral("total")).toInt();
            if (level.value(QStringLiteral("level")).toString() == QLatin1String("MANAGE"))
                manageByGrant = level.value(QStringLiteral("explicit_grant")).toInt();
        }
        const int users = summary.value(QStringLiteral("users")).toInt();
        const int resources = summary.value(QStringLiteral("experiments")).toInt() +
                              summary.value(QStringLiteral("registered_models")).toInt();
        QCOMPARE(pairs + object.value(QStringLiteral("unknown_pairs")).toInt(), users * resources);
        QVERIFY2(manageByGrant >= 3, qPrintable(QString::number(manageByGrant))); // the demo's three owners
    }

    // A saved snapshot is reported without any server: the picture of that time, not of now.
    void savedSnapshotNeedsNoServer()
    {
        QVERIFY(use(Generations::mlflow2()));
        const QString snapshot = m_dir.filePath(QStringLiteral("then.json"));
        const CliResult saved =
            run(QStringList{QStringLiteral("snapshot"), QStringLiteral("save"), snapshot} + userSource());
        QVERIFY2(saved.exitCode == 0, qPrintable(saved.describe()));
        const QString later = QStringLiteral("later") + QString::number(QDateTime::currentMSecsSinceEpoch() % 100000);
        QCOMPARE(run({QStringLiteral("users"), QStringLiteral("create"), later, QStringLiteral("--generate-password")})
                     .exitCode,
                 0);

        const QMap<QString, QString> noServer{{QStringLiteral("MLFLOW_TRACKING_URI"), QString()},
                                              {QStringLiteral("MLFLOW_TRACKING_PASSWORD"), QString()}};
        const CliResult offline =
            run({QStringLiteral("report"), QStringLiteral("--snapshot"), snapshot, QStringLiteral("--json")}, noServer);
        QVERIFY2(offline.exitCode == 0, qPrintable(offline.describe()));
        const QJsonObject then = offline.json();
        QCOMPARE(then.value(QStringLiteral("server_url")).toString(), m_cli.url());
        QVERIFY(resourceNames(then).contains(QStringLiteral("/user1/experiment1")));
        QVERIFY(!then.value(QStringLiteral("summary"))
                     .toObject()
                     .value(QStringLiteral("users_without_grant"))
                     .toArray()
                     .contains(later));
        const CliResult live = report({QStringLiteral("--json")});
        QVERIFY(live.json()
                    .value(QStringLiteral("summary"))
                    .toObject()
                    .value(QStringLiteral("users_without_grant"))
                    .toArray()
                    .contains(later));

        QFile damaged(m_dir.filePath(QStringLiteral("damaged.json")));
        QVERIFY(damaged.open(QIODevice::WriteOnly));
        damaged.write("{\"format\": \"something-else\"}");
        damaged.close();
        const CliResult refused =
            run({QStringLiteral("report"), QStringLiteral("--snapshot"), damaged.fileName(), QStringLiteral("--json")},
                noServer);
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains(QStringLiteral("damaged.json")), qPrintable(refused.err));
    }

    void badRequestsSayWhatToDo()
    {
        QVERIFY(use(Generations::mlflow2()));
        const CliResult nowhere = report({});
        QCOMPARE(nowhere.exitCode, 2);
        QVERIFY2(nowhere.err.contains(QStringLiteral("-o FILE")), qPrintable(nowhere.err));
        const CliResult pdfToStdout = report({QStringLiteral("--format"), QStringLiteral("pdf")});
        QCOMPARE(pdfToStdout.exitCode, 2);
        const CliResult suffix = report({QStringLiteral("-o"), m_dir.filePath(QStringLiteral("report.docx"))});
        QCOMPARE(suffix.exitCode, 2);
        QVERIFY2(suffix.err.contains(QStringLiteral("--format")), qPrintable(suffix.err));
        const CliResult twoScopes = report({QStringLiteral("--json"), QStringLiteral("--user"), QStringLiteral("user1"),
                                            QStringLiteral("--experiment"), QStringLiteral("x")});
        QCOMPARE(twoScopes.exitCode, 2);
        const CliResult missing =
            report({QStringLiteral("--json"), QStringLiteral("--experiment"), QStringLiteral("/no/such")});
        QCOMPARE(missing.exitCode, 5);
        QVERIFY2(missing.err.contains(QStringLiteral("/no/such")), qPrintable(missing.err));
        const CliResult unwritable =
            report({QStringLiteral("-o"), m_dir.filePath(QStringLiteral("no-such-folder/report.html"))});
        QVERIFY(unwritable.exitCode != 0);
        QVERIFY2(!unwritable.err.isEmpty(), qPrintable(unwritable.describe()));
    }

private:
    QTemporaryDir m_home;
    QTemporaryDir m_dir;
    Generations::Fixtures m_fixtures;
    ServerFixture* m_fixture = nullptr;
    bool m_mlflow3 = false;
    CliRunner m_cli{QStringLiteral(MLFLOW_ADMIN_CLI_PATH), m_home.path()};
};

QTEST_GUILESS_MAIN(TestCliReport)
#include "tst_cli_report.moc"

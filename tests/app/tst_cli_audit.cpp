#include "CliRunner.h"
#include "ServerFixture.h"

#include "models/AuditTrail.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

// The audit trail as the CLI writes it: each change command against an embedded server over loopback, then
// `audit list` and `audit verify` on what it recorded, and the file itself.
class TestCliAudit : public QObject
{
    Q_OBJECT

private:
    QString auditDir() const { return m_home.filePath(QStringLiteral("audit")); }
    QString trailPath(const CliRunner& cli) const
    {
        return AuditTrail::filePathFor(QUrl(cli.url()), QString(), auditDir());
    }
    QList<QJsonObject> entries(const CliRunner& cli) const
    {
        QList<QJsonObject> all;
        AuditTrail(trailPath(cli)).read(&all);
        return all;
    }
    CliResult run(const QStringList& arguments, const QMap<QString, QString>& environment = {},
                  const QByteArray& input = QByteArray())
    {
        return m_cli.run(arguments, environment, input);
    }
    // Replaces the first occurrence of `from` with `to` on the file's line `line` (1-based).
    static bool editLine(const QString& path, int line, const QByteArray& from, const QByteArray& to)
    {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return false;
        QList<QByteArray> lines = file.readAll().split('\n');
        file.close();
        if (line > lines.size() || !lines[line - 1].contains(from))
            return false;
        lines[line - 1].replace(lines[line - 1].indexOf(from), from.size(), to);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return false;
        file.write(lines.join('\n'));
        return true;
    }
    static bool removeLine(const QString& path, int line)
    {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return false;
        QList<QByteArray> lines = file.readAll().split('\n');
        file.close();
        lines.removeAt(line - 1);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return false;
        file.write(lines.join('\n'));
        return true;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        QVERIFY2(m_fixture.started(), qPrintable(m_fixture.error()));
        QVERIFY2(m_fixture3.started(), qPrintable(m_fixture3.error()));
        m_cli.setUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_fixture.port()));
        m_cli3.setUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_fixture3.port()));
        QVERIFY(trailPath(m_cli) != trailPath(m_cli3));
    }

    void grantsAndLevelChangesAreRecordedWithActorAndBeforeAfter()
    {
        QFile::remove(trailPath(m_cli));
        const QString experiment = QStringLiteral("/user1/experiment1");
        CliResult grant = run({QStringLiteral("grant"), QStringLiteral("user2"), QStringLiteral("READ"),
                               QStringLiteral("--experiment"), experiment});
        QVERIFY2(grant.exitCode == 0, qPrintable(grant.describe()));
        CliResult change = run({QStringLiteral("grant"), QStringLiteral("user2"), QStringLiteral("EDIT"),
                                QStringLiteral("--experiment"), experiment});
        QVERIFY2(change.exitCode == 0, qPrintable(change.describe()));
        CliResult revoke =
            run({QStringLiteral("revoke"), QStringLiteral("user2"), QStringLiteral("--experiment"), experiment});
        QVERIFY2(revoke.exitCode == 0, qPrintable(revoke.describe()));

        const QList<QJsonObject> all = entries(m_cli);
        QCOMPARE(all.size(), 3);
        const QStringList kinds{QStringLiteral("grant.create"), QStringLiteral("grant.level"),
                                QStringLiteral("grant.revoke")};
        const QStringList befores{QStringLiteral("none"), QStringLiteral("READ"), QStringLiteral("EDIT")};
        const QStringList afters{QStringLiteral("READ"), QStringLiteral("EDIT"), QStringLiteral("none")};
        const QStringList requests{QStringLiteral("POST /api/2.0/mlflow/experiments/permissions/create"),
                                   QStringLiteral("PATCH /api/2.0/mlflow/experiments/permissions/update"),
                                   QStringLiteral("DELETE /api/2.0/mlflow/experiments/permissions/delete")};
        const QStringList origins{QStringLiteral("cli grant"), QStringLiteral("cli grant"),
                                  QStringLiteral("cli revoke")};
        for (int i = 0; i < 3; ++i) {
            const QJsonObject& entry = all.at(i);
            QCOMPARE(entry.value(QStringLiteral("seq")).toInt(), i + 1);
            QCOMPARE(entry.value(QStringLiteral("kind")).toString(), kinds.at(i));
            QCOMPARE(entry.value(QStringLiteral("before")).toString(), befores.at(i));
            QCOMPARE(entry.value(QStringLiteral("after")).toString(), afters.at(i));
            QCOMPARE(entry.value(QStringLiteral("mlflow_account")).toString(), QStringLiteral("admin"));
            QCOMPARE(entry.value(QStringLiteral("local_account")).toString(), AuditTrail::localAccount());
            QVERIFY(!entry.value(QStringLiteral("local_account")).toString().isEmpty());
            QCOMPARE(entry.value(QStringLiteral("server")).toString(), m_cli.url());
            QCOMPARE(entry.value(QStringLiteral("origin")).toString(), origins.at(i));
            QCOMPARE(entry.value(QStringLiteral("result")).toString(), QStringLiteral("applied"));
            const QJsonObject subject = entry.value(QStringLiteral("subject")).toObject();
            QCOMPARE(subject.value(QStringLiteral("user")).toString(), QStringLiteral("user2"));
            QCOMPARE(subject.value(QStringLiteral("resource_type")).toString(), QStringLiteral("experiment"));
            QCOMPARE(subject.value(QStringLiteral("resource_name")).toString(), experiment);
            const QJsonArray calls = entry.value(QStringLiteral("calls")).toArray();
            QCOMPARE(calls.size(), 1);
            QCOMPARE(calls.at(0).toObject().value(QStringLiteral("request")).toString(), requests.at(i));
            QCOMPARE(calls.at(0).toObject().value(QStringLiteral("status")).toInt(), 200);
            QVERIFY(calls.at(0).toObject().value(QStringLiteral("sent")).toBool());
            QTime time =
                QDateTime::fromString(entry.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs).time();
            QVERIFY(time.isValid());
        }
        QCOMPARE(all.at(0).value(QStringLiteral("prev_hash")).toString(), AuditTrail::genesisHash());
        QCOMPARE(all.at(1).value(QStringLiteral("prev_hash")).toString(),
                 all.at(0).value(QStringLiteral("hash")).toString());
        const CliResult verify = run({QStringLiteral("audit"), QStringLiteral("verify")});
        QVERIFY2(verify.exitCode == 0, qPrintable(verify.describe()));
        QVERIFY2(verify.out.contains(QStringLiteral("3 entries")), qPrintable(verify.out));
    }

    void levelChangeOnMlflow3IsRevokeThenGrant()
    {
        QFile::remove(trailPath(m_cli3));
        const QString experiment = QStringLiteral("/user2/experiment1");
        for (const char* level : {"READ", "EDIT"}) {
            const CliResult grant = m_cli3.run({QStringLiteral("grant"), QStringLiteral("user1"), QLatin1String(level),
                                                QStringLiteral("--experiment"), experiment});
            QVERIFY2(grant.exitCode == 0, qPrintable(grant.describe()));
        }
        const QList<QJsonObject> all = entries(m_cli3);
        QCOMPARE(all.size(), 2);
        QCOMPARE(all.at(1).value(QStringLiteral("kind")).toString(), QStringLiteral("grant.level"));
        QCOMPARE(all.at(1).value(QStringLiteral("before")).toString(), QStringLiteral("READ"));
        QCOMPARE(all.at(1).value(QStringLiteral("after")).toString(), QStringLiteral("EDIT"));
        const QJsonArray calls = all.at(1).value(QStringLiteral("calls")).toArray();
        QCOMPARE(calls.size(), 2);
        QCOMPARE(calls.at(0).toObject().value(QStringLiteral("request")).toString(),
                 QStringLiteral("POST /api/3.0/mlflow/users/permissions/revoke"));
        QCOMPARE(calls.at(1).toObject().value(QStringLiteral("request")).toString(),
                 QStringLiteral("POST /api/3.0/mlflow/users/permissions/grant"));
        for (const QJsonValue& call : calls)
            QCOMPARE(call.toObject().value(QStringLiteral("status")).toInt(), 200);
        // The 2.x server's trail is another file and did not change.
        for (const QJsonObject& entry : entries(m_cli))
            QVERIFY(entry.value(QStringLiteral("subject")).toObject().value(QStringLiteral("user")).toString() !=
                    QStringLiteral("user1"));
    }

    void applyRowsAreRecordedOneEntryEach()
    {
        const int before = static_cast<int>(entries(m_cli).size());
        const QString path = m_home.filePath(QStringLiteral("grants.csv"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("user,resource_type,resource,level\n"
                   "user2,experiment,/user1/experiment2,READ\n"
                   "user1,experiment,/user2/experiment1,EDIT\n");
        file.close();
        const CliResult apply = run({QStringLiteral("apply"), path});
        QVERIFY2(apply.exitCode == 0, qPrintable(apply.describe()));
        const QList<QJsonObject> all = entries(m_cli);
        QCOMPARE(all.size(), before + 2);
        QSet<QString> rows;
        for (int i = before; i < all.size(); ++i) {
            const QJsonObject& entry = all.at(i);
            QCOMPARE(entry.value(QStringLiteral("origin")).toString(), QStringLiteral("cli apply"));
            QCOMPARE(entry.value(QStringLiteral("kind")).toString(), QStringLiteral("grant.create"));
            QCOMPARE(entry.value(QStringLiteral("before")).toString(), QStringLiteral("none"));
            const QJsonObject subject = entry.value(QStringLiteral("subject")).toObject();
            rows.insert(subject.value(QStringLiteral("user")).toString() + QLatin1Char(' ') +
                        subject.value(QStringLiteral("resource_name")).toString() + QLatin1Char(' ') +
                        entry.value(QStringLiteral("after")).toString());
        }
        QCOMPARE(rows, (QSet<QString>{QStringLiteral("user2 /user1/experiment2 READ"),
                                      QStringLiteral("user1 /user2/experiment1 EDIT")}));
    }

    void failedCallsAreRecordedToo()
    {
        const int before = static_cast<int>(entries(m_cli).size());
        // Deleting a user the server does not have fails there, with 404.
        const CliResult missing =
            run({QStringLiteral("users"), QStringLiteral("delete"), QStringLiteral("nobody-here")});
        QCOMPARE(missing.exitCode, 5);
        const QList<QJsonObject> all = entries(m_cli);
        QVERIFY(all.size() > before);
        const QJsonObject last = all.last();
        QCOMPARE(last.value(QStringLiteral("kind")).toString(), QStringLiteral("user.delete"));
        QCOMPARE(last.value(QStringLiteral("result")).toString(), QStringLiteral("failed"));
        QVERIFY(!last.value(QStringLiteral("error")).toString().isEmpty());
        const QJsonObject call = last.value(QStringLiteral("calls")).toArray().at(0).toObject();
        QCOMPARE(call.value(QStringLiteral("request")).toString(),
                 QStringLiteral("DELETE /api/2.0/mlflow/users/delete"));
        QCOMPARE(call.value(QStringLiteral("status")).toInt(), 404);
        QVERIFY(!call.value(QStringLiteral("error")).toString().isEmpty());
    }

    void passwordNeverReachesTheFile()
    {
        const QByteArray password = "Zq7-audit-secret-91";
        const CliResult create = run({QStringLiteral("users"), QStringLiteral("create"), QStringLiteral("carol"),
                                      QStringLiteral("--password-stdin")},
                                     {}, password + '\n');
        QVERIFY2(create.exitCode == 0, qPrintable(create.describe()));
        const QByteArray second = "Other-secret-77x";
        const CliResult passwd = run({QStringLiteral("users"), QStringLiteral("passwd"), QStringLiteral("carol"),
                                      QStringLiteral("--password-stdin")},
                                     {}, second + '\n');
        QVERIFY2(passwd.exitCode == 0, qPrintable(passwd.describe()));
        QFile file(trailPath(m_cli));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        QVERIFY(!bytes.contains(password));
        QVERIFY(!bytes.contains(second));
        const QList<QJsonObject> all = entries(m_cli);
        QCOMPARE(all.at(all.size() - 2).value(QStringLiteral("kind")).toString(), QStringLiteral("user.create"));
        QCOMPARE(all.last().value(QStringLiteral("kind")).toString(), QStringLiteral("user.password_reset"));
        QCOMPARE(all.last().value(QStringLiteral("after")).toString(), QStringLiteral("password reset"));
        QCOMPARE(all.last()
                     .value(QStringLiteral("calls"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QStringLiteral("status"))
                     .toInt(),
                 200);
    }

    void fileIsOwnerOnly()
    {
        QFileInfo info(trailPath(m_cli));
        QVERIFY(info.exists());
        struct stat fileStat
        {};
        QCOMPARE(::stat(QFile::encodeName(info.filePath()).constData(), &fileStat), 0);
        QCOMPARE(fileStat.st_mode & 0777, 0600u);
        struct stat folderStat
        {};
        QCOMPARE(::stat(QFile::encodeName(info.absolutePath()).constData(), &folderStat), 0);
        QCOMPARE(folderStat.st_mode & 0777, 0700u);
    }

    void listFilters()
    {
        const CliResult all = run({QStringLiteral("audit"), QStringLiteral("list"), QStringLiteral("--json")});
        QVERIFY2(all.exitCode == 0, qPrintable(all.describe()));
        const int total = all.json().value(QStringLiteral("count")).toInt();
        QCOMPARE(total, static_cast<int>(entries(m_cli).size()));
        QVERIFY(total >= 7);

        const CliResult carol = run({QStringLiteral("audit"), QStringLiteral("list"), QStringLiteral("--user"),
                                     QStringLiteral("carol"), QStringLiteral("--json")});
        QCOMPARE(carol.exitCode, 0);
        QCOMPARE(carol.json().value(QStringLiteral("count")).toInt(), 2);

        const CliResult experiment = run({QStringLiteral("audit"), QStringLiteral("list"), QStringLiteral("--resource"),
                                          QStringLiteral("/user1/experiment1"), QStringLiteral("--json")});
        QCOMPARE(experiment.exitCode, 0);
        const QJsonArray rows = experiment.json().value(QStringLiteral("entries")).toArray();
        QCOMPARE(rows.size(), 3);
        for (const QJsonValue& row : rows)
            QCOMPARE(row.toObject()
                         .value(QStringLiteral("subject"))
                         .toObject()
                         .value(QStringLiteral("resource_name"))
                         .toString(),
                     QStringLiteral("/user1/experiment1"));

        const CliResult future = run({QStringLiteral("audit"), QStringLiteral("list"), QStringLiteral("--since"),
                                      QDate::currentDate().addDays(2).toString(Qt::ISODate), QStringLiteral("--json")});
        QCOMPARE(future.json().value(QStringLiteral("count")).toInt(), 0);
        const CliResult past = run({QStringLiteral("audit"), QStringLiteral("list"), QStringLiteral("--since"),
                                    QStringLiteral("2020-01-01"), QStringLiteral("--json")});
        QCOMPARE(past.json().value(QStringLiteral("count")).toInt(), total);

        const CliResult table = run({QStringLiteral("audit"), QStringLiteral("list"), QStringLiteral("--resource"),
                                     QStringLiteral("/user1/experiment1")});
        QCOMPARE(table.exitCode, 0);
        QVERIFY2(table.out.contains(QStringLiteral("grant.level")) && table.out.contains(QStringLiteral("EDIT")),
                 qPrintable(table.out));
        QVERIFY(!table.out.contains(QStringLiteral("carol")));

        const CliResult badDate = run(
            {QStringLiteral("audit"), QStringLiteral("list"), QStringLiteral("--since"), QStringLiteral("yesterday")});
        QCOMPARE(badDate.exitCode, 2);
    }

    void verifyNamesAnEditedEntry()
    {
        const QString path = trailPath(m_cli);
        const QString copy = m_home.filePath(QStringLiteral("trail-copy.jsonl"));
        QFile::remove(copy);
        QVERIFY(QFile::copy(path, copy));
        // The second entry changed READ to EDIT; make it say MANAGE.
        QVERIFY(editLine(path, 2, "\"after\":\"EDIT\"", "\"after\":\"MANAGE\""));
        CliResult verify = run({QStringLiteral("audit"), QStringLiteral("verify")});
        QCOMPARE(verify.exitCode, 1);
        QVERIFY2(verify.err.contains(QStringLiteral("entry 2 (line 2)")), qPrintable(verify.err));
        QVERIFY2(verify.err.contains(QStringLiteral("edited")), qPrintable(verify.err));
        const CliResult json = run({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--json")});
        QCOMPARE(json.exitCode, 1);
        QCOMPARE(json.json().value(QStringLiteral("seq")).toInt(), 2);
        QCOMPARE(json.json().value(QStringLiteral("line")).toInt(), 2);
        QCOMPARE(json.json().value(QStringLiteral("ok")).toBool(true), false);

        // A deleted line breaks the chain at the entry after it.
        QVERIFY(QFile::remove(path));
        QVERIFY(QFile::copy(copy, path));
        QCOMPARE(run({QStringLiteral("audit"), QStringLiteral("verify")}).exitCode, 0);
        QVERIFY(removeLine(path, 3));
        verify = run({QStringLiteral("audit"), QStringLiteral("verify")});
        QCOMPARE(verify.exitCode, 1);
        QVERIFY2(verify.err.contains(QStringLiteral("entry 4 (line 3)")), qPrintable(verify.err));

        // A line that is not JSON.
        QVERIFY(QFile::remove(path));
        QVERIFY(QFile::copy(copy, path));
        QVERIFY(editLine(path, 1, "{", "{{"));
        verify = run({QStringLiteral("audit"), QStringLiteral("verify")});
        QCOMPARE(verify.exitCode, 1);
        QVERIFY2(verify.err.contains(QStringLiteral("line 1")) && verify.err.contains(QStringLiteral("JSON")),
                 qPrintable(verify.err));

        QVERIFY(QFile::remove(path));
        QVERIFY(QFile::copy(copy, path));
        QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
        QCOMPARE(run({QStringLiteral("audit"), QStringLiteral("verify")}).exitCode, 0);
    }

    void unwritableTrailIsReportedAndTheChangeKept()
    {
        // A folder that cannot exist: its parent is a regular file (root ignores modes, this it cannot ignore).
        const QString blocker = m_home.filePath(QStringLiteral("not-a-folder"));
        QFile file(blocker);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        const CliResult grant = run({QStringLiteral("grant"), QStringLiteral("user2"), QStringLiteral("MANAGE"),
                                     QStringLiteral("--experiment"), QStringLiteral("/user1/experiment1")},
                                    {{QStringLiteral("MLFLOW_ADMIN_AUDIT_DIR"), blocker + QStringLiteral("/audit")}});
        QCOMPARE(grant.exitCode, 9);
        QVERIFY2(grant.err.contains(QStringLiteral("Audit trail")) &&
                     grant.err.contains(QStringLiteral("not-a-folder")),
                 qPrintable(grant.describe()));
        const CliResult access = run({QStringLiteral("access"), QStringLiteral("--experiment"),
                                      QStringLiteral("/user1/experiment1"), QStringLiteral("--json")});
        QVERIFY2(access.out.contains(QStringLiteral("MANAGE")), qPrintable(access.out));
        const CliResult revoke = run({QStringLiteral("revoke"), QStringLiteral("user2"), QStringLiteral("--experiment"),
                                      QStringLiteral("/user1/experiment1")});
        QCOMPARE(revoke.exitCode, 0);
    }

private:
    QTemporaryDir m_home;
    ServerFixture m_fixture{true};
    ServerFixture m_fixture3{true, QStringLiteral("NO_PERMISSIONS"), QString(), QString(),
                             Dialect{Dialect::Generation::Mlflow3, false}};
    CliRunner m_cli{QStringLiteral(MLFLOW_ADMIN_CLI_PATH),
                    m_home.path(),
                    {{QStringLiteral("MLFLOW_ADMIN_AUDIT_DIR"), m_home.filePath(QStringLiteral("audit"))}}};
    CliRunner m_cli3{QStringLiteral(MLFLOW_ADMIN_CLI_PATH),
                     m_home.path(),
                     {{QStringLiteral("MLFLOW_ADMIN_AUDIT_DIR"), m_home.filePath(QStringLiteral("audit"))}}};
};

QTEST_GUILESS_MAIN(TestCliAudit)
#include "tst_cli_audit.moc"

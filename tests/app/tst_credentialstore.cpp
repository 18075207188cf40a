#include "services/CredentialStore.h"

#include <QSignalSpy>
#include <QUuid>
#include <QtTest>

// CredentialStore against a real Secret Service (gnome-keyring started by packaging/with-keyring.sh).
class TestCredentialStore : public QObject
{
    Q_OBJECT

private:
    // What a job reported, captured in its finished() slot because the job deletes itself afterwards.
    struct Outcome
    {
        bool finished = false;
        CredentialJob::Status status = CredentialJob::Status::Failed;
        QString password;
        QString message;
        QString profileName;
    };

    // Waits for one keychain job, spinning the event loop (QSignalSpy::wait).
    static Outcome run(CredentialJob* job)
    {
        Outcome outcome;
        QSignalSpy spy(job, &CredentialJob::finished);
        QObject::connect(job, &CredentialJob::finished, job, [&outcome, job] {
            outcome = {true, job->status(), job->password(), job->errorMessage(), job->profileName()};
        });
        spy.wait(20000);
        return outcome;
    }

private slots:
    void initTestCase()
    {
        // Only a hand-run binary may skip; under CI (make check provides the bus) a missing keyring must fail.
        if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS") && !qEnvironmentVariableIsSet("CI"))
            QSKIP(
                "No D-Bus session: run under `dbus-run-session -- bash packaging/with-keyring.sh` (make check does).");
        // A unique service per run keeps this test away from any real entries.
        m_store = new CredentialStore(QStringLiteral("mlflow-admin-test-") + QUuid::createUuid().toString(QUuid::Id128),
                                      this);
    }

    void writesReadsAndDeletes()
    {
        const QString profile = QStringLiteral("prod");
        const QString password = QStringLiteral("s3cret pässword");

        const Outcome write = run(m_store->writePassword(profile, password));
        QVERIFY(write.finished);
        QVERIFY2(write.status == CredentialJob::Status::Ok, qPrintable(write.message));

        const Outcome read = run(m_store->readPassword(profile));
        QVERIFY(read.finished);
        QVERIFY2(read.status == CredentialJob::Status::Ok, qPrintable(read.message));
        QCOMPARE(read.password, password);
        QCOMPARE(read.profileName, profile);

        QCOMPARE(run(m_store->writePassword(profile, QStringLiteral("second"))).status, CredentialJob::Status::Ok);
        QCOMPARE(run(m_store->readPassword(profile)).password, QStringLiteral("second"));

        const Outcome remove = run(m_store->deletePassword(profile));
        QVERIFY2(remove.status == CredentialJob::Status::Ok, qPrintable(remove.message));

        const Outcome missing = run(m_store->readPassword(profile));
        QVERIFY(missing.finished);
        QCOMPARE(missing.status, CredentialJob::Status::NotFound);
        QVERIFY(missing.password.isEmpty());
        QVERIFY(missing.message.contains(profile));
    }

    void keepsProfilesApart()
    {
        QCOMPARE(run(m_store->writePassword(QStringLiteral("a"), QStringLiteral("password-a"))).status,
                 CredentialJob::Status::Ok);
        QCOMPARE(run(m_store->writePassword(QStringLiteral("b"), QStringLiteral("password-b"))).status,
                 CredentialJob::Status::Ok);
        QCOMPARE(run(m_store->readPassword(QStringLiteral("a"))).password, QStringLiteral("password-a"));
        QCOMPARE(run(m_store->readPassword(QStringLiteral("b"))).password, QStringLiteral("password-b"));
        QCOMPARE(run(m_store->deletePassword(QStringLiteral("a"))).status, CredentialJob::Status::Ok);
        QCOMPARE(run(m_store->readPassword(QStringLiteral("b"))).password, QStringLiteral("password-b"));
        QCOMPARE(run(m_store->deletePassword(QStringLiteral("b"))).status, CredentialJob::Status::Ok);
    }

    void defaultServiceName() { QCOMPARE(CredentialStore::defaultServiceName(), QStringLiteral("mlflow-admin")); }

private:
    CredentialStore* m_store = nullptr;
};

QTEST_GUILESS_MAIN(TestCredentialStore)
#include "tst_credentialstore.moc"

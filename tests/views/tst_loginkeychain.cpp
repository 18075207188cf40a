// The login dialog with the real system keychain, where one works (make check runs the suite inside
// packaging/with-keyring.sh, with a throw-away gnome-keyring): a remembered password is filled in again after Sign
// out, and deleting the profile removes it from the keychain. Where none works (a plain ctest run without a
// session bus), the same sign-in shows "Remember password" disabled with the reason, and nothing is filled in.

#include "GuiTestSupport.h"
#include "ServerFixture.h"

#include "server/DemoData.h"
#include "services/CredentialStore.h"
#include "services/ProfileStore.h"
#include "views/LoginDialog.h"
#include "views/MainWindow.h"
#include "views/MessageBox.h"
#include "views/SignInFlow.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QUuid>
#include <QtTest>

#include <memory>
#include <optional>

class TestLoginKeychain : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        // Settings and data in a temporary folder like GuiTest::isolate(), but the session bus is left alone:
        // this test is about the keychain behind it.
        qputenv("HOME", m_dir.filePath(QStringLiteral("home")).toLocal8Bit());
        QStandardPaths::setTestModeEnabled(true);
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_dir.filePath(QStringLiteral("settings")));
        m_server = std::make_unique<ServerFixture>(true);
        QVERIFY2(m_server->started(), qPrintable(m_server->error()));
        m_profiles = std::make_unique<ProfileStore>(m_dir.filePath(QStringLiteral("profiles.ini")));
        // A service of its own per run: never the user's real entries.
        m_credentials = std::make_unique<CredentialStore>(QStringLiteral("mlflow-admin-keychain-test-") +
                                                          QUuid::createUuid().toString(QUuid::Id128));
    }

    void rememberedPasswordComesBackAfterSignOut()
    {
        ServerProfile profile;
        profile.name = QStringLiteral("kept");
        profile.url = m_server->server().url();
        profile.username = DemoData::adminUsername;
        profile.authDatabaseUri = QStringLiteral("sqlite:///") + m_server->dataDir() + QStringLiteral("/basic_auth.db");
        QString error;
        QVERIFY2(m_profiles->save(profile, &error), qPrintable(error));

        LoginDialog dialog(m_profiles.get(), m_credentials.get());
        SignInFlow flow(&dialog);
        dialog.show();
        auto* remember = dialog.findChild<QCheckBox*>(QStringLiteral("rememberBox"));
        auto* note = dialog.findChild<QLabel*>(QStringLiteral("keychainNote"));
        auto* password = dialog.findChild<QLineEdit*>(QStringLiteral("passwordEdit"));
        // The dialog asks the keychain once when it opens; wait for its verdict either way.
        QTRY_VERIFY_WITH_TIMEOUT(dialog.keychainWorks() || note->isVisible(), 15000);
        const bool works = dialog.keychainWorks();
        qInfo("%s", works ? "A keychain works here: checking the remembered password."
                          : "No keychain works here: checking that Remember password says so.");
        QCOMPARE(remember->isEnabled(), works);
        QCOMPARE(note->isVisible(), !works);
        if (!works)
            QVERIFY2(note->text().contains(QStringLiteral("cannot be remembered")), qPrintable(note->text()));

        dialog.selectProfile(profile.name);
        password->setText(DemoData::adminPassword);
        remember->setChecked(works);
        dialog.connectToServer();
        QTRY_VERIFY_WITH_TIMEOUT(flow.window() && !flow.window()->isLoading(), 20000);
        QPointer<MainWindow> window = flow.window();
        if (works) {
            // The write is fire-and-forget; it has landed once the keychain gives the password back.
            QTRY_COMPARE_WITH_TIMEOUT(readPassword(profile.name), DemoData::adminPassword, 15000);
        }

        window->signOut();
        QTRY_VERIFY(!window);
        QVERIFY(dialog.isVisible());
        if (works) {
            // Filled in again, ready for Enter.
            QTRY_COMPARE_WITH_TIMEOUT(password->text(), DemoData::adminPassword, 15000);
            QVERIFY(remember->isChecked());
        } else {
            QTest::qWait(200);
            QVERIFY(password->text().isEmpty());
            QVERIFY(!remember->isEnabled());
        }

        // Deleting the profile takes its keychain entry with it.
        MessageBox::setNextAnswer(QMessageBox::Yes);
        QTest::mouseClick(dialog.findChild<QPushButton*>(QStringLiteral("deleteProfileButton")), Qt::LeftButton);
        MessageBox::setNextAnswer(QMessageBox::NoButton);
        QVERIFY(!m_profiles->contains(profile.name));
        if (works)
            QTRY_COMPARE_WITH_TIMEOUT(readPassword(profile.name), QString(), 15000);
    }

private:
    // The stored password of `profile`, empty when there is none.
    QString readPassword(const QString& profile)
    {
        CredentialJob* job = m_credentials->readPassword(profile);
        // Shared, so a job that answers after the wait gave up writes into something still alive.
        auto answer = std::make_shared<std::optional<QString>>();
        connect(job, &CredentialJob::finished, this, [answer, job] { *answer = job->password(); });
        if (!QTest::qWaitFor([answer] { return answer->has_value(); }, 10000))
            return QStringLiteral("<no answer>");
        return answer->value_or(QStringLiteral("<no answer>"));
    }

    QTemporaryDir m_dir;
    std::unique_ptr<ServerFixture> m_server;
    std::unique_ptr<ProfileStore> m_profiles;
    std::unique_ptr<CredentialStore> m_credentials;
};

QTEST_MAIN(TestLoginKeychain)
#include "tst_loginkeychain.moc"

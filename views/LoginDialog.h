#pragma once

#include "api/ServerProbe.h"
#include "server/Dialect.h"
#include "services/ServerProfile.h"

#include <QByteArray>
#include <QDialog>
#include <QPointer>

#include <memory>

class Connection;
class CredentialStore;
class EmbeddedServer;
class ProfileStore;
class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTemporaryDir;
class Session;

// Signs in: a saved profile or a typed URL and account, the password from the keychain or typed, then the
// ServerProbe's verdict in plain words. Connecting runs asynchronously with a busy bar and Cancel; a TLS failure
// offers to pin the presented certificate; "Offline demo" starts an embedded server and signs in as its admin.
// On success the dialog accepts, and takeSession() hands the signed-in Session over.
class LoginDialog : public QDialog
{
    Q_OBJECT

public:
    // Both stores are optional (tests pass their own, or none to leave the keychain alone).
    LoginDialog(ProfileStore* profiles, CredentialStore* credentials, QWidget* parent = nullptr);
    ~LoginDialog() override;

    // Preselects a profile by name (the last one used); unknown names are ignored.
    void selectProfile(const QString& name);
    // Starts the embedded demo server and connects to it as its admin.
    void startDemo();
    // Which MLflow the offline demo's server speaks. The dialog's "Demo server" list sets it and remembers the
    // choice in the settings; setDemoDialect() (e.g. `mlflow-admin --demo --api 3`) sets it for this run only.
    Dialect demoDialect() const;
    void setDemoDialect(const Dialect& dialect);
    // Starts connecting with what the fields hold.
    void connectToServer();
    // Stops a connection attempt in progress.
    void cancelConnect();
    bool isConnecting() const { return m_connection != nullptr; }

    // The signed-in session once the dialog accepted; the caller owns it.
    Session* takeSession();
    // Shows the dialog again after a sign-out, ready for the next sign-in: no password left over from the last
    // session, `profile` selected again (its password read anew from the keychain), and `message` shown.
    void reopen(const QString& profile, const QString& message);

    // Deletes the saved profile `name` after asking (MessageBox), with its keychain passwords (sign-in and auth
    // database); the Delete button beside the list and the Delete key in the list's popup come here.
    void deleteProfile(const QString& name);
    // Whether the keychain answered the check made when the dialog opened; until then (or without a store) false
    // once known to fail. "Remember password" is disabled, with the reason beside it, when it does not work.
    bool keychainWorks() const { return m_keychainWorks; }
    // The text of the busy bar while connecting ("Connecting to …", "Checking the server's API…").
    QString busyText() const;

    // The message shown under the fields (errors and hints), for tests.
    QString messageText() const;
    // The fingerprint offered for pinning, empty when no TLS problem is shown.
    QString offeredFingerprint() const { return m_offeredFingerprint; }

    // Esc: while a connection is pending it stops that attempt and the dialog stays; otherwise it closes.
    void reject() override;

signals:
    void signedIn();
    // Connecting ended without a session; `message` is what the dialog shows.
    void connectFailed(const QString& message);
    // The offline demo's server has started (before signing in to it); it is owned elsewhere.
    void demoServerStarted(EmbeddedServer* server);

private:
    void buildUi();
    void reloadProfiles();
    void profileActivated(int index);
    void trustCertificate();
    void chooseCaBundle();
    void setPin(const QByteArray& sha256);
    void probeFinished(ServerProbe* probe);
    void finishSignIn(ServerProbe* probe);
    void failConnect(const QString& message);
    void setBusy(bool busy, const QString& text = QString());
    void checkKeychain();
    void clearMessageOnEdit();
    void probeStepStarted(ServerProbe::Step step);
    bool eventFilter(QObject* watched, QEvent* event) override;
    void showMessage(const QString& text, bool error);
    void growToFit();
    void rememberProfile();
    void stopDemoServer();
    QString unsupportedGenerationMessage(const ProbeResult& result) const;

    ProfileStore* m_profileStore = nullptr;
    CredentialStore* m_credentials = nullptr;

    QComboBox* m_profileCombo = nullptr;
    QLineEdit* m_urlEdit = nullptr;
    QLineEdit* m_usernameEdit = nullptr;
    QLineEdit* m_passwordEdit = nullptr;
    QCheckBox* m_rememberBox = nullptr;
    QLabel* m_keychainNote = nullptr;
    QPushButton* m_deleteProfileButton = nullptr;
    QLineEdit* m_caBundleEdit = nullptr;
    QLabel* m_pinLabel = nullptr;
    QPushButton* m_forgetPinButton = nullptr;
    QLabel* m_messageLabel = nullptr;
    QPushButton* m_trustButton = nullptr;
    QProgressBar* m_progress = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
    QPushButton* m_connectButton = nullptr;
    QPushButton* m_cancelButton = nullptr;
    QPushButton* m_demoButton = nullptr;
    QComboBox* m_demoDialectCombo = nullptr;

    QByteArray m_pinnedSha256;    // the pin of the selected profile, or the one the user just chose to trust
    QString m_offeredFingerprint; // shown with "Trust this certificate"
    bool m_passwordFromKeychain = false;
    bool m_keychainWorks = false;

    Connection* m_connection = nullptr; // owned while connecting; moves into the Session on success
    QPointer<ServerProbe> m_probe;
    EmbeddedServer* m_demoServer = nullptr;
    std::unique_ptr<QTemporaryDir> m_demoDir;
    Session* m_session = nullptr;
};

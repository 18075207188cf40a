#include "views/LoginDialog.h"

#include "views/ErrorLabel.h"

#include "api/Connection.h"
#include "api/TlsPolicy.h"
#include "server/DemoData.h"
#include "server/EmbeddedServer.h"
#include "services/CredentialStore.h"
#include "services/DialectChoice.h"
#include "services/KeptUsersSource.h"
#include "services/ProfileStore.h"
#include "views/MessageBox.h"
#include "views/Session.h"

#include <QAbstractItemView>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QVBoxLayout>

namespace {
const QString settingsDemoDialect = QStringLiteral("demoDialect");
} // namespace

LoginDialog::LoginDialog(ProfileStore* profiles, CredentialStore* credentials, QWidget* parent)
    : QDialog(parent), m_profileStore(profiles), m_credentials(credentials)
{
    setWindowTitle(tr("Connect to an MLflow server"));
    setObjectName(QStringLiteral("LoginDialog"));
    buildUi();
    reloadProfiles();
    checkKeychain();
}

LoginDialog::~LoginDialog()
{
    cancelConnect();
    delete m_session;
    stopDemoServer();
}

void LoginDialog::buildUi()
{
    m_profileCombo = new QComboBox(this);
    m_profileCombo->setEditable(true);
    m_profileCombo->setInsertPolicy(QComboBox::NoInsert);
    m_profileCombo->setObjectName(QStringLiteral("profileCombo"));
    m_profileCombo->setAccessibleName(tr("Profile"));
    m_profileCombo->setToolTip(tr("Pick a saved server, or type a new name to save this connection under it."));
    connect(m_profileCombo, &QComboBox::activated, this, &LoginDialog::profileActivated);
    // Delete in the open list deletes the highlighted profile; in the text field it stays a text key.
    m_profileCombo->view()->installEventFilter(this);
    m_deleteProfileButton = new QPushButton(tr("De&lete"), this);
    m_deleteProfileButton->setObjectName(QStringLiteral("deleteProfileButton"));
    m_deleteProfileButton->setToolTip(tr("Delete the selected profile and the passwords kept for it in the keychain "
                                         "(Delete in the open list does the same)."));
    m_deleteProfileButton->setAutoDefault(false);
    connect(m_deleteProfileButton, &QPushButton::clicked, this,
            [this] { deleteProfile(m_profileCombo->currentText().trimmed()); });
    auto* profileRow = new QHBoxLayout;
    profileRow->addWidget(m_profileCombo, 1);
    profileRow->addWidget(m_deleteProfileButton);

    m_urlEdit = new QLineEdit(this);
    m_urlEdit->setObjectName(QStringLiteral("urlEdit"));
    m_urlEdit->setAccessibleName(tr("Server URL"));
    m_urlEdit->setPlaceholderText(tr("https://mlflow.example.org"));

    m_usernameEdit = new QLineEdit(this);
    m_usernameEdit->setObjectName(QStringLiteral("usernameEdit"));
    m_usernameEdit->setAccessibleName(tr("User name"));

    m_passwordEdit = new QLineEdit(this);
    m_passwordEdit->setObjectName(QStringLiteral("passwordEdit"));
    m_passwordEdit->setAccessibleName(tr("Password"));
    m_passwordEdit->setEchoMode(QLineEdit::Password);
    connect(m_passwordEdit, &QLineEdit::textEdited, this, [this] { m_passwordFromKeychain = false; });

    m_rememberBox = new QCheckBox(tr("&Remember password in the keychain"), this);
    m_rememberBox->setObjectName(QStringLiteral("rememberBox"));
    m_rememberBox->setEnabled(false); // until checkKeychain() has an answer
    m_keychainNote = new QLabel(this);
    m_keychainNote->setObjectName(QStringLiteral("keychainNote"));
    m_keychainNote->setWordWrap(true);
    m_keychainNote->hide();

    // TLS options: a CA bundle for servers signed by a private CA, and the pin of a self-signed certificate the
    // user chose to trust (set by "Trust this certificate", shown here so it can be seen and forgotten).
    m_caBundleEdit = new QLineEdit(this);
    m_caBundleEdit->setObjectName(QStringLiteral("caBundleEdit"));
    m_caBundleEdit->setAccessibleName(tr("CA bundle"));
    m_caBundleEdit->setPlaceholderText(tr("optional: PEM file of extra trusted CA certificates"));
    auto* browseButton = new QPushButton(tr("&Browse…"), this);
    browseButton->setObjectName(QStringLiteral("caBundleBrowseButton"));
    connect(browseButton, &QPushButton::clicked, this, &LoginDialog::chooseCaBundle);
    auto* caRow = new QHBoxLayout;
    caRow->addWidget(m_caBundleEdit, 1);
    caRow->addWidget(browseButton);

    m_pinLabel = new QLabel(this);
    m_pinLabel->setObjectName(QStringLiteral("pinLabel"));
    m_pinLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_pinLabel->setWordWrap(true);
    m_forgetPinButton = new QPushButton(tr("&Forget"), this);
    m_forgetPinButton->setObjectName(QStringLiteral("forgetPinButton"));
    m_forgetPinButton->setToolTip(tr("Stop trusting this certificate; a self-signed server is then refused again."));
    connect(m_forgetPinButton, &QPushButton::clicked, this, [this] { setPin(QByteArray()); });
    auto* pinRow = new QHBoxLayout;
    pinRow->addWidget(m_pinLabel, 1);
    pinRow->addWidget(m_forgetPinButton);

    auto* form = new QFormLayout;
    auto* profileLabel = new QLabel(tr("&Profile:"), this);
    profileLabel->setBuddy(m_profileCombo);
    form->addRow(profileLabel, profileRow);
    form->addRow(tr("Server &URL:"), m_urlEdit);
    form->addRow(tr("User &name:"), m_usernameEdit);
    form->addRow(tr("Pass&word:"), m_passwordEdit);
    form->addRow(QString(), m_rememberBox);
    form->addRow(QString(), m_keychainNote);
    // A row holding a layout gets no buddy, so its mnemonic needs a label of its own.
    auto* caLabel = new QLabel(tr("C&A bundle:"), this);
    caLabel->setBuddy(m_caBundleEdit);
    form->addRow(caLabel, caRow);
    form->addRow(tr("Trusted certificate:"), pinRow);
    setPin(QByteArray());

    m_messageLabel = new QLabel(this);
    m_messageLabel->setObjectName(QStringLiteral("messageLabel"));
    m_messageLabel->setWordWrap(true);
    m_messageLabel->setTextFormat(Qt::PlainText);
    m_messageLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_messageLabel->setAccessibleName(tr("Connection status"));
    // Its own framed area under the form, so a long message pushes the buttons down instead of covering a field.
    m_messageLabel->setFrameShape(QFrame::StyledPanel);
    m_messageLabel->setMargin(6);
    m_messageLabel->hide();
    for (QLineEdit* edit : {m_urlEdit, m_usernameEdit, m_passwordEdit, m_caBundleEdit})
        connect(edit, &QLineEdit::textEdited, this, &LoginDialog::clearMessageOnEdit);
    connect(m_profileCombo, &QComboBox::editTextChanged, this, [this] {
        if (m_profileCombo->hasFocus())
            clearMessageOnEdit();
    });

    m_trustButton = new QPushButton(tr("&Trust this certificate"), this);
    m_trustButton->setObjectName(QStringLiteral("trustButton"));
    m_trustButton->setToolTip(tr("Accept exactly this certificate (by its SHA-256 fingerprint) for this server from "
                                 "now on. Do this only when you have checked the fingerprint with the server's "
                                 "administrator."));
    m_trustButton->hide();
    connect(m_trustButton, &QPushButton::clicked, this, &LoginDialog::trustCertificate);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("connectProgress"));
    m_progress->setRange(0, 0); // the probe's steps are few and of unknown length: a busy indicator
    m_progress->setTextVisible(true);
    m_progress->setAccessibleName(tr("Connection progress"));
    m_progress->hide();

    m_buttons = new QDialogButtonBox(this);
    m_connectButton = m_buttons->addButton(tr("&Connect"), QDialogButtonBox::AcceptRole);
    m_connectButton->setObjectName(QStringLiteral("connectButton"));
    m_connectButton->setDefault(true);
    m_demoButton = m_buttons->addButton(tr("Offline &demo"), QDialogButtonBox::ActionRole);
    m_demoButton->setObjectName(QStringLiteral("demoButton"));
    m_demoButton->setToolTip(tr("Start a small MLflow server inside this program, with sample users and "
                                "experiments, and sign in as its administrator. Nothing leaves this computer."));
    // Which MLflow the demo's server speaks; a person's pick is remembered like the window's other choices.
    m_demoDialectCombo = new QComboBox(this);
    m_demoDialectCombo->setObjectName(QStringLiteral("demoDialectCombo"));
    m_demoDialectCombo->setAccessibleName(tr("Offline demo server"));
    m_demoDialectCombo->setToolTip(tr("Which MLflow the offline demo's built-in server behaves like: MLflow 2.15.1 "
                                      "(per-resource permissions), or MLflow 3.14 (roles and direct grants), with or "
                                      "without workspaces."));
    for (const Dialect& dialect : DialectChoice::all())
        m_demoDialectCombo->addItem(dialect.describe(), DialectChoice::settingsKey(dialect));
    const QString remembered = QSettings().value(settingsDemoDialect).toString();
    m_demoDialectCombo->setCurrentIndex(qMax(0, m_demoDialectCombo->findData(remembered)));
    connect(m_demoDialectCombo, &QComboBox::activated, this,
            [this](int index) { QSettings().setValue(settingsDemoDialect, m_demoDialectCombo->itemData(index)); });
    auto* demoLabel = new QLabel(tr("Demo ser&ver:"), this);
    demoLabel->setBuddy(m_demoDialectCombo);
    m_cancelButton = m_buttons->addButton(QDialogButtonBox::Cancel);
    m_cancelButton->setObjectName(QStringLiteral("cancelButton"));
    // Enter always means Connect: a button that had the focus (Cancel closes the application when no window is open)
    // must not take Enter over.
    for (QPushButton* button : {m_demoButton, m_cancelButton})
        button->setAutoDefault(false);
    // The button box would accept/reject on its own; every button is handled here instead.
    connect(m_connectButton, &QPushButton::clicked, this, &LoginDialog::connectToServer);
    connect(m_demoButton, &QPushButton::clicked, this, &LoginDialog::startDemo);
    connect(m_cancelButton, &QPushButton::clicked, this, &LoginDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_messageLabel);
    auto* trustRow = new QHBoxLayout;
    trustRow->addStretch();
    trustRow->addWidget(m_trustButton);
    layout->addLayout(trustRow);
    layout->addWidget(m_progress);
    layout->addStretch();
    auto* demoRow = new QHBoxLayout;
    demoRow->addWidget(demoLabel);
    demoRow->addWidget(m_demoDialectCombo);
    demoRow->addStretch();
    layout->addLayout(demoRow);
    layout->addWidget(m_buttons);

    setTabOrder(m_profileCombo, m_urlEdit);
    setTabOrder(m_urlEdit, m_usernameEdit);
    setTabOrder(m_usernameEdit, m_passwordEdit);
    setTabOrder(m_passwordEdit, m_rememberBox);
    setTabOrder(m_rememberBox, m_caBundleEdit);
    setTabOrder(m_caBundleEdit, browseButton);
    setTabOrder(browseButton, m_demoDialectCombo);
    setTabOrder(m_demoDialectCombo, m_connectButton);
    setMinimumWidth(460);
}

void LoginDialog::reloadProfiles()
{
    m_profileCombo->clear();
    m_deleteProfileButton->setEnabled(m_profileStore && !m_profileStore->profiles().isEmpty());
    if (!m_profileStore)
        return;
    for (const ServerProfile& profile : m_profileStore->profiles())
        m_profileCombo->addItem(profile.name);
    m_profileCombo->setCurrentIndex(-1);
    m_profileCombo->setEditText(QString());
}

void LoginDialog::selectProfile(const QString& name)
{
    const int index = m_profileCombo->findText(name);
    if (index < 0)
        return;
    m_profileCombo->setCurrentIndex(index);
    profileActivated(index);
}

void LoginDialog::profileActivated(int index)
{
    if (!m_profileStore || index < 0)
        return;
    const auto profile = m_profileStore->profile(m_profileCombo->itemText(index));
    if (!profile)
        return;
    m_urlEdit->setText(profile->url.toString());
    m_usernameEdit->setText(profile->username);
    m_caBundleEdit->setText(profile->caBundlePath);
    setPin(profile->pinnedSha256);
    m_passwordEdit->clear();
    m_passwordFromKeychain = false;
    m_rememberBox->setChecked(false);
    m_messageLabel->hide();
    m_trustButton->hide();
    if (!m_credentials) {
        m_passwordEdit->setFocus();
        return;
    }
    CredentialJob* job = m_credentials->readPassword(profile->name);
    const QString name = profile->name;
    connect(job, &CredentialJob::finished, this, [this, job, name] {
        // The user may have picked another profile meanwhile; then this answer is stale.
        if (m_profileCombo->currentText() != name)
            return;
        if (!job->hasError()) {
            m_keychainWorks = true; // it just gave a password back
            m_rememberBox->setEnabled(true);
            m_keychainNote->hide();
            m_passwordEdit->setText(job->password());
            m_passwordFromKeychain = true;
            m_rememberBox->setChecked(true);
            m_connectButton->setFocus();
        } else {
            if (job->status() != CredentialJob::Status::NotFound)
                showMessage(job->errorMessage(), false);
            m_passwordEdit->setFocus();
        }
    });
}

void LoginDialog::checkKeychain()
{
    const auto unavailable = [this](const QString& reason) {
        m_keychainWorks = false;
        m_rememberBox->setChecked(false);
        m_rememberBox->setEnabled(false);
        m_keychainNote->setText(reason);
        m_keychainNote->show();
        m_rememberBox->setToolTip(reason);
    };
    if (!m_credentials) {
        unavailable(tr("Passwords cannot be remembered here: this console runs without a keychain."));
        return;
    }
    // QtKeychain 0.13 cannot say whether a keychain works: reading an entry no profile can have asks it. No such
    // entry is the answer of a working keychain; anything else means passwords could not be stored.
    CredentialJob* job = m_credentials->readPassword(QStringLiteral("keychain-check/"));
    connect(job, &CredentialJob::finished, this, [this, job, unavailable] {
        if (job->status() == CredentialJob::Status::Ok || job->status() == CredentialJob::Status::NotFound) {
            m_keychainWorks = true;
            m_rememberBox->setEnabled(true);
            m_rememberBox->setToolTip(tr("Keep the password in the system keychain, never in a file."));
            m_keychainNote->hide();
            return;
        }
        unavailable(tr("No system keychain works here, so passwords cannot be remembered; you will type them at each "
                       "sign-in. Start a Secret Service such as gnome-keyring, or KWallet, to remember them."));
    });
}

void LoginDialog::deleteProfile(const QString& name)
{
    if (!m_profileStore || name.isEmpty() || isConnecting())
        return;
    if (!m_profileStore->contains(name)) {
        showMessage(tr("There is no saved profile named %1 to delete.").arg(name), true);
        return;
    }
    MessageBox::question(
        this, tr("Delete profile"),
        tr("Delete the profile %1? Its address, user name and options are forgotten, and so are the passwords kept "
           "for it in the keychain. Nothing changes on the server.")
            .arg(name),
        [this, name](MessageBox::Button answer) {
            if (answer != QMessageBox::Yes)
                return;
            QString error;
            if (!m_profileStore->remove(name, &error)) {
                showMessage(error, true);
                return;
            }
            if (m_credentials) {
                // A missing entry is fine: not every profile had its password remembered.
                m_credentials->deletePassword(name);
                m_credentials->deletePassword(CredentialStore::authDatabaseKey(name));
            }
            reloadProfiles();
            m_urlEdit->clear();
            m_usernameEdit->clear();
            m_passwordEdit->clear();
            m_caBundleEdit->clear();
            setPin(QByteArray());
            m_passwordFromKeychain = false;
            m_rememberBox->setChecked(false);
            showMessage(tr("The profile %1 was deleted.").arg(name), false);
        });
}

bool LoginDialog::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_profileCombo->view() && event->type() == QEvent::KeyPress &&
        static_cast<QKeyEvent*>(event)->key() == Qt::Key_Delete) {
        const QModelIndex current = m_profileCombo->view()->currentIndex();
        if (current.isValid()) {
            m_profileCombo->hidePopup();
            deleteProfile(current.data().toString());
            return true;
        }
    }
    return QDialog::eventFilter(watched, event);
}

void LoginDialog::clearMessageOnEdit()
{
    // The message answered the form as it was; once the form changes it would only mislead.
    if (m_messageLabel->isVisible() && !isConnecting()) {
        showMessage(QString(), false);
        m_trustButton->hide();
    }
}

QString LoginDialog::busyText() const
{
    return m_progress->isVisible() ? m_progress->format() : QString();
}

void LoginDialog::probeStepStarted(ServerProbe::Step step)
{
    if (!isConnecting())
        return;
    switch (step) {
    case ServerProbe::Step::Connecting:
        m_progress->setFormat(tr("Connecting to %1…").arg(m_connection->baseUrl().toDisplayString()));
        break;
    case ServerProbe::Step::SigningIn:
        m_progress->setFormat(
            tr("Signing in to %1 as %2…").arg(m_connection->baseUrl().toDisplayString(), m_connection->username()));
        break;
    case ServerProbe::Step::CheckingApi:
        m_progress->setFormat(tr("Checking the server's API…"));
        break;
    }
}

QString LoginDialog::messageText() const
{
    return m_messageLabel->text();
}

void LoginDialog::showMessage(const QString& text, bool error)
{
    m_messageLabel->setText(text);
    // Errors in a dark red that stays readable on light themes; the text itself always says what went wrong.
    QPalette palette = this->palette();
    if (error)
        palette.setColor(QPalette::WindowText, ErrorLabel::color());
    m_messageLabel->setPalette(palette);
    m_messageLabel->setVisible(!text.isEmpty());
    growToFit();
}

void LoginDialog::growToFit()
{
    // A long message or the busy bar must not squeeze the fields: grow to what the layout needs at this width.
    if (!isVisible() || !layout())
        return;
    layout()->activate();
    const int needed = layout()->totalHeightForWidth(width());
    if (needed > height())
        resize(width(), needed);
}

void LoginDialog::setBusy(bool busy, const QString& text)
{
    m_progress->setVisible(busy);
    m_progress->setFormat(text);
    m_connectButton->setEnabled(!busy);
    m_demoButton->setEnabled(!busy);
    m_demoDialectCombo->setEnabled(!busy);
    m_profileCombo->setEnabled(!busy);
    m_deleteProfileButton->setEnabled(!busy && m_profileStore && !m_profileStore->profiles().isEmpty());
    m_urlEdit->setEnabled(!busy);
    m_usernameEdit->setEnabled(!busy);
    m_passwordEdit->setEnabled(!busy);
    m_cancelButton->setText(busy ? tr("Stop") : tr("Cancel"));
    growToFit();
}

void LoginDialog::connectToServer()
{
    if (isConnecting())
        return;
    m_trustButton->hide();
    m_offeredFingerprint.clear();
    QString error;
    const std::optional<QUrl> url = Connection::normalizeBaseUrl(m_urlEdit->text().trimmed(), &error);
    if (!url) {
        showMessage(error, true);
        m_urlEdit->setFocus();
        return;
    }
    if (m_usernameEdit->text().trimmed().isEmpty()) {
        showMessage(tr("Enter the user name of an MLflow administrator."), true);
        m_usernameEdit->setFocus();
        return;
    }
    m_connection = new Connection(*url, m_usernameEdit->text().trimmed(), m_passwordEdit->text());
    TlsPolicy policy;
    policy.pinnedSha256 = m_pinnedSha256;
    policy.caBundlePath = m_caBundleEdit->text().trimmed();
    // Over plain http there is no certificate: a CA bundle or pin would only suggest a protection that is not there.
    if (url->scheme() == QLatin1String("http") && (!policy.caBundlePath.isEmpty() || !policy.pinnedSha256.isEmpty())) {
        showMessage(tr("%1 is a plain http:// address, so there is no certificate to check and a CA bundle or trusted "
                       "certificate would protect nothing. Use the server's https:// address, or clear the CA bundle "
                       "and forget the trusted certificate.")
                        .arg(url->toDisplayString()),
                    true);
        delete m_connection;
        m_connection = nullptr;
        return;
    }
    if (!m_connection->setTlsPolicy(policy, &error)) {
        showMessage(error, true);
        delete m_connection;
        m_connection = nullptr;
        return;
    }
    showMessage(QString(), false);
    setBusy(true, tr("Connecting to %1…").arg(url->toString()));
    ServerProbe* probe = ServerProbe::run(m_connection);
    // Kept until we are done with it: a question may come between its end and createAuthApi().
    probe->setAutoDelete(false);
    m_probe = probe;
    connect(probe, &ServerProbe::stepStarted, this, &LoginDialog::probeStepStarted);
    connect(probe, &ServerProbe::finished, this, [this, probe] { probeFinished(probe); });
}

void LoginDialog::cancelConnect()
{
    if (!m_connection)
        return;
    Connection* connection = m_connection;
    m_connection = nullptr;
    if (m_probe)
        m_probe->disconnect(this);
    connection->cancelAll();
    connection->deleteLater();
    m_probe.clear();
    setBusy(false);
    showMessage(tr("Connecting was cancelled."), false);
}

void LoginDialog::probeFinished(ServerProbe* probe)
{
    const ProbeResult result = probe->result();
    Connection* connection = m_connection;
    if (!connection)
        return;

    if (result.status == ProbeResult::Status::TlsFailure) {
        m_offeredFingerprint = result.error.certificateFingerprint();
        QString text = result.userMessage();
        if (!m_offeredFingerprint.isEmpty()) {
            text += QLatin1Char('\n') +
                    tr("SHA-256 fingerprint of the server's certificate:\n%1").arg(m_offeredFingerprint);
            m_trustButton->show();
        }
        failConnect(text);
        return;
    }
    if (!result.isUsable()) {
        failConnect(result.userMessage());
        if (result.status == ProbeResult::Status::WrongCredentials)
            m_passwordEdit->setFocus();
        return;
    }
    if (result.status == ProbeResult::Status::NotAdmin) {
        // Asked without blocking: this runs inside the probe's finished signal. Still "connecting" meanwhile, so
        // Stop works and a stale answer is recognised.
        const QPointer<ServerProbe> guard(probe);
        MessageBox::question(this, tr("Not an administrator"),
                             result.userMessage() + QLatin1Char('\n') + tr("Continue with limited rights?"),
                             [this, guard, connection, result](MessageBox::Button answer) {
                                 if (!guard || m_connection != connection)
                                     return;
                                 if (answer == QMessageBox::Yes)
                                     finishSignIn(guard);
                                 else
                                     failConnect(result.userMessage());
                             });
        return;
    }
    finishSignIn(probe);
}

void LoginDialog::failConnect(const QString& message)
{
    if (m_connection) {
        m_connection->deleteLater(); // the probe is its child and goes with it
        m_connection = nullptr;
    }
    m_probe.clear();
    setBusy(false);
    showMessage(message, true);
    emit connectFailed(message);
}

void LoginDialog::finishSignIn(ServerProbe* probe)
{
    const ProbeResult result = probe->result();
    Connection* connection = m_connection;
    AuthApi* auth = probe->createAuthApi();
    if (!auth) {
        const QString message = unsupportedGenerationMessage(result);
        // A demo the console cannot manage has no use; a new pick in the list starts a fresh one.
        if (m_demoServer && connection->baseUrl() == m_demoServer->url())
            stopDemoServer();
        failConnect(message);
        return;
    }

    m_connection = nullptr;
    m_probe.clear();
    probe->deleteLater();
    setBusy(false);
    m_session = new Session(connection, result, auth);
    m_session->setProfileStore(m_profileStore);
    if (m_demoServer && connection->baseUrl() == m_demoServer->url()) {
        m_session->adoptDemoServer(m_demoServer, std::move(m_demoDir));
        m_demoServer = nullptr;
    } else {
        rememberProfile();
    }
    m_session->setCredentialStore(m_credentials);
    // How this profile or connection lists users on a server without users/list, as chosen at an earlier sign-in.
    ServerProfile choice;
    if (m_profileStore && !m_session->isDemo())
        choice = m_profileStore->usersSource(m_session->profileName(), connection->baseUrl(), connection->username());
    auto* kept = new KeptUsersSource(choice, m_session->ownerKey(), this);
    const auto finish = [this, kept] {
        kept->deleteLater();
        if (!kept->keychainProblem().isEmpty())
            qWarning("%s", qPrintable(kept->keychainProblem()));
        const QString sourceProblem = m_session->openUserSources(*kept);
        if (!sourceProblem.isEmpty())
            qWarning("%s", qPrintable(sourceProblem));
        emit signedIn();
        accept();
    };
    if (result.hasUsersList || !m_credentials || !kept->needsKeychain()) {
        finish();
        return;
    }
    // The auth database's password waits in the keychain; the window opens once it is read (or failed to be).
    setBusy(true, tr("Reading the auth database's password from the keychain…"));
    const QPointer<Session> session = m_session;
    connect(kept, &KeptUsersSource::ready, this, [this, session, finish] {
        setBusy(false);
        if (session && session == m_session)
            finish();
    });
    kept->fetchPassword(m_credentials);
}

// Said instead of opening an empty window when the probe could not tell which permission API the server speaks
// (both generations have an AuthApi): what worked, what does not, and what to check.
QString LoginDialog::unsupportedGenerationMessage(const ProbeResult& result) const
{
    const QString version = result.version.isEmpty() ? tr("an unknown version") : result.version;
    return tr("Signed in to MLflow %1 as %2, but the server answers neither MLflow 2.x's per-resource permission API "
              "nor the role-based API of MLflow 3.13 and later, so its users and permissions cannot be managed from "
              "here. Check that it runs MLflow's basic-auth app (mlflow server --app-name basic-auth).")
        .arg(version, result.user.username);
}

void LoginDialog::rememberProfile()
{
    const QString name = m_profileCombo->currentText().trimmed();
    if (!m_profileStore || name.isEmpty())
        return;
    ServerProfile profile = m_profileStore->profile(name).value_or(ServerProfile());
    profile.name = name;
    profile.url = m_session->connection()->baseUrl();
    profile.username = m_session->connection()->username();
    profile.pinnedSha256 = m_pinnedSha256;
    // Absolute, so that the profile works whatever the working directory of the next start.
    const QString caBundle = m_caBundleEdit->text().trimmed();
    profile.caBundlePath = caBundle.isEmpty() ? QString() : QFileInfo(caBundle).absoluteFilePath();
    QString error;
    if (!m_profileStore->save(profile, &error))
        qWarning("%s", qPrintable(error));
    m_session->setProfileName(name);
    if (!m_credentials || !m_keychainWorks)
        return;
    // Fire and forget: a keychain failure must not undo a good sign-in; the password is simply asked next time.
    if (m_rememberBox->isChecked() && !m_passwordFromKeychain)
        m_credentials->writePassword(name, m_passwordEdit->text());
    else if (!m_rememberBox->isChecked())
        m_credentials->deletePassword(name);
}

void LoginDialog::trustCertificate()
{
    const QByteArray digest = Tls::parseFingerprint(m_offeredFingerprint);
    if (digest.isEmpty())
        return;
    setPin(digest);
    m_trustButton->hide();
    connectToServer();
}

void LoginDialog::setPin(const QByteArray& sha256)
{
    m_pinnedSha256 = sha256;
    m_pinLabel->setText(sha256.isEmpty() ? tr("none (only certificates trusted by the system or the CA bundle)")
                                         : tr("SHA-256 %1").arg(Tls::formatFingerprint(sha256)));
    m_forgetPinButton->setVisible(!sha256.isEmpty());
}

void LoginDialog::chooseCaBundle()
{
    auto* dialog = new QFileDialog(this, tr("CA bundle"), QFileInfo(m_caBundleEdit->text()).absolutePath(),
                                   tr("PEM certificates (*.pem *.crt *.cer);;All files (*)"));
    dialog->setObjectName(QStringLiteral("caBundleFileDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString& path) { m_caBundleEdit->setText(path); });
    dialog->open();
}

void LoginDialog::startDemo()
{
    if (isConnecting())
        return;
    stopDemoServer();
    m_demoDir = std::make_unique<QTemporaryDir>();
    EmbeddedServerOptions options;
    options.port = 0;
    options.demo = true;
    options.dataDir = m_demoDir->filePath(QStringLiteral("data"));
    // The demo's built-in settings (DemoData's admin, NO_PERMISSIONS), never a basic_auth.ini from the environment.
    options.readEnvironmentConfig = false;
    options.dialect = demoDialect();
    m_demoServer = new EmbeddedServer(options);
    QString error;
    if (!m_demoServer->start(&error)) {
        showMessage(tr("The demo server could not start: %1").arg(error), true);
        stopDemoServer();
        emit connectFailed(messageText());
        return;
    }
    emit demoServerStarted(m_demoServer);
    m_profileCombo->setEditText(QString());
    setPin(QByteArray());
    m_caBundleEdit->clear();
    m_urlEdit->setText(m_demoServer->url().toString());
    m_usernameEdit->setText(DemoData::adminUsername);
    m_passwordEdit->setText(DemoData::adminPassword);
    m_rememberBox->setChecked(false);
    connectToServer();
}

Dialect LoginDialog::demoDialect() const
{
    return DialectChoice::fromSettingsKey(m_demoDialectCombo->currentData().toString()).value_or(Dialect());
}

void LoginDialog::setDemoDialect(const Dialect& dialect)
{
    m_demoDialectCombo->setCurrentIndex(qMax(0, m_demoDialectCombo->findData(DialectChoice::settingsKey(dialect))));
}

void LoginDialog::stopDemoServer()
{
    if (m_demoServer) {
        m_demoServer->stop();
        delete m_demoServer;
        m_demoServer = nullptr;
    }
    m_demoDir.reset();
}

Session* LoginDialog::takeSession()
{
    Session* session = m_session;
    m_session = nullptr;
    return session;
}

void LoginDialog::reject()
{
    if (isConnecting()) {
        cancelConnect();
        return;
    }
    QDialog::reject();
}

void LoginDialog::reopen(const QString& profile, const QString& message)
{
    m_passwordEdit->clear();
    m_passwordFromKeychain = false;
    m_trustButton->hide();
    m_offeredFingerprint.clear();
    // The profile may have been saved by the sign-in that just ended: list it, so its password is read again.
    reloadProfiles();
    selectProfile(profile);
    showMessage(message, false);
    m_connectButton->setDefault(true);
    show();
    raise();
    activateWindow();
    m_passwordEdit->setFocus();
}

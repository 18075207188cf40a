#include "views/UsersSourceDialog.h"

#include "views/ErrorLabel.h"

#include <QButtonGroup>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpression>
#include <QStackedWidget>
#include <QUrl>
#include <QVBoxLayout>

UsersSourceDialog::UsersSourceDialog(const QString& explanation, Choice initial, QWidget* parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("UsersSourceDialog"));
    setWindowTitle(tr("Where are this server's users?"));
    buildUi(explanation);
    setChoice(initial);
}

void UsersSourceDialog::buildUi(const QString& explanation)
{
    auto* intro = new QLabel(explanation, this);
    intro->setObjectName(QStringLiteral("explanationLabel"));
    intro->setWordWrap(true);
    intro->setTextFormat(Qt::PlainText);

    m_databaseRadio =
        new QRadioButton(tr("Open the server's auth &database (every user and permission, read-only)"), this);
    m_databaseRadio->setObjectName(QStringLiteral("databaseChoice"));
    m_namesRadio = new QRadioButton(tr("&Type or paste user names"), this);
    m_namesRadio->setObjectName(QStringLiteral("namesChoice"));
    m_continueRadio = new QRadioButton(tr("&Continue with the users this console knows"), this);
    m_continueRadio->setObjectName(QStringLiteral("continueChoice"));
    m_choices = new QButtonGroup(this);
    m_choices->addButton(m_databaseRadio, static_cast<int>(Choice::AuthDatabase));
    m_choices->addButton(m_namesRadio, static_cast<int>(Choice::UserNames));
    m_choices->addButton(m_continueRadio, static_cast<int>(Choice::Continue));

    // The auth database: an SQLite file by path, or a database server by URI with its password in its own field.
    m_sqliteRadio = new QRadioButton(tr("SQLite &file"), this);
    m_sqliteRadio->setObjectName(QStringLiteral("sqliteKind"));
    m_serverRadio = new QRadioButton(tr("&PostgreSQL or MySQL"), this);
    m_serverRadio->setObjectName(QStringLiteral("serverKind"));
    auto* kinds = new QButtonGroup(this);
    kinds->addButton(m_sqliteRadio);
    kinds->addButton(m_serverRadio);
    m_sqliteRadio->setChecked(true);
    auto* kindRow = new QHBoxLayout;
    kindRow->addWidget(m_sqliteRadio);
    kindRow->addWidget(m_serverRadio);
    kindRow->addStretch();

    m_sqlitePathEdit = new QLineEdit(this);
    m_sqlitePathEdit->setObjectName(QStringLiteral("sqlitePathEdit"));
    m_sqlitePathEdit->setAccessibleName(tr("Auth database file"));
    m_sqlitePathEdit->setPlaceholderText(tr("e.g. /srv/mlflow/basic_auth.db"));
    auto* browse = new QPushButton(tr("&Browse…"), this);
    browse->setObjectName(QStringLiteral("browseButton"));
    connect(browse, &QPushButton::clicked, this, &UsersSourceDialog::chooseFile);
    auto* sqlitePage = new QWidget(this);
    auto* sqliteLayout = new QVBoxLayout(sqlitePage);
    sqliteLayout->setContentsMargins(0, 0, 0, 0);
    auto* sqliteRow = new QHBoxLayout;
    sqliteRow->addWidget(m_sqlitePathEdit, 1);
    sqliteRow->addWidget(browse);
    sqliteLayout->addLayout(sqliteRow);
    auto* sqliteNote = new QLabel(tr("The basic_auth.db named by database_uri in the server's basic_auth.ini. It is "
                                     "only read, never written."),
                                  sqlitePage);
    sqliteNote->setWordWrap(true);
    sqliteLayout->addWidget(sqliteNote);
    sqliteLayout->addStretch();

    m_uriEdit = new QLineEdit(this);
    m_uriEdit->setObjectName(QStringLiteral("uriEdit"));
    m_uriEdit->setAccessibleName(tr("Auth database URI"));
    m_uriEdit->setPlaceholderText(tr("postgresql://mlflow@db-host/mlflow_auth"));
    m_passwordEdit = new QLineEdit(this);
    m_passwordEdit->setObjectName(QStringLiteral("databasePasswordEdit"));
    m_passwordEdit->setAccessibleName(tr("Auth database password"));
    m_passwordEdit->setEchoMode(QLineEdit::Password);
    auto* serverPage = new QWidget(this);
    auto* serverForm = new QFormLayout(serverPage);
    serverForm->setContentsMargins(0, 0, 0, 0);
    serverForm->addRow(tr("&URI:"), m_uriEdit);
    serverForm->addRow(tr("Pass&word:"), m_passwordEdit);
    auto* keychainNote =
        new QLabel(tr("As in the server's basic_auth.ini database_uri, without the password. The password is kept "
                      "in the system keychain, never in a file."),
                   serverPage);
    keychainNote->setWordWrap(true);
    serverForm->addRow(keychainNote);

    m_databasePages = new QStackedWidget(this);
    m_databasePages->addWidget(sqlitePage);
    m_databasePages->addWidget(serverPage);
    auto* databasePage = new QWidget(this);
    auto* databaseLayout = new QVBoxLayout(databasePage);
    databaseLayout->setContentsMargins(0, 0, 0, 0);
    databaseLayout->addLayout(kindRow);
    databaseLayout->addWidget(m_databasePages);
    databaseLayout->addStretch();

    m_namesEdit = new QPlainTextEdit(this);
    m_namesEdit->setObjectName(QStringLiteral("namesEdit"));
    m_namesEdit->setAccessibleName(tr("User names"));
    m_namesEdit->setPlaceholderText(tr("One per line, or separated by commas. Each is looked up on the server."));
    m_namesEdit->setTabChangesFocus(true);
    m_namesEdit->setMaximumHeight(m_namesEdit->fontMetrics().lineSpacing() * 8);

    auto* continueNote = new QLabel(tr("The Users page lists the users this console and mlflow-admin-cli have "
                                       "created, looked up or been told about. It offers this choice again."),
                                    this);
    continueNote->setWordWrap(true);

    m_pages = new QStackedWidget(this);
    m_pages->addWidget(databasePage);
    m_pages->addWidget(m_namesEdit);
    m_pages->addWidget(continueNote);

    m_errorLabel = ErrorLabel::create(this);

    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 0);
    m_progress->setTextVisible(true);
    m_progress->hide();

    auto* buttons = new QDialogButtonBox(this);
    m_okButton = buttons->addButton(QDialogButtonBox::Ok);
    m_okButton->setObjectName(QStringLiteral("okButton"));
    m_okButton->setDefault(true);
    QPushButton* later = buttons->addButton(tr("Ask me &next time"), QDialogButtonBox::RejectRole);
    later->setObjectName(QStringLiteral("laterButton"));
    later->setAutoDefault(false);
    connect(m_okButton, &QPushButton::clicked, this, &UsersSourceDialog::submit);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addSpacing(6);
    layout->addWidget(m_databaseRadio);
    layout->addWidget(m_namesRadio);
    layout->addWidget(m_continueRadio);
    layout->addWidget(m_pages, 1);
    layout->addWidget(m_errorLabel);
    layout->addWidget(m_progress);
    layout->addWidget(buttons);

    connect(m_choices, &QButtonGroup::idToggled, this, [this](int, bool checked) {
        if (checked)
            updateForm();
    });
    connect(kinds, &QButtonGroup::buttonToggled, this, [this](QAbstractButton*, bool checked) {
        if (checked)
            updateForm();
    });
    for (QLineEdit* edit : {m_sqlitePathEdit, m_uriEdit, m_passwordEdit})
        connect(edit, &QLineEdit::textEdited, this, &UsersSourceDialog::clearError);
    connect(m_namesEdit, &QPlainTextEdit::textChanged, this, [this] {
        clearError();
        updateForm();
    });
    connect(m_sqlitePathEdit, &QLineEdit::textChanged, this, &UsersSourceDialog::updateForm);
    connect(m_uriEdit, &QLineEdit::textChanged, this, &UsersSourceDialog::updateForm);
    setMinimumWidth(560);
}

UsersSourceDialog::Choice UsersSourceDialog::choice() const
{
    const int id = m_choices->checkedId();
    return id < 0 ? Choice::Continue : static_cast<Choice>(id);
}

void UsersSourceDialog::setChoice(Choice choice)
{
    m_choices->button(static_cast<int>(choice))->setChecked(true);
    updateForm();
    // Straight to the field to fill in, so the keyboard alone gets through: type, then Enter.
    switch (choice) {
    case Choice::AuthDatabase:
        (databaseKind() == DatabaseKind::ServerDatabase ? m_uriEdit : m_sqlitePathEdit)->setFocus();
        break;
    case Choice::UserNames:
        m_namesEdit->setFocus();
        break;
    case Choice::Continue:
        m_okButton->setFocus();
        break;
    }
}

UsersSourceDialog::DatabaseKind UsersSourceDialog::databaseKind() const
{
    return m_serverRadio->isChecked() ? DatabaseKind::ServerDatabase : DatabaseKind::SqliteFile;
}

void UsersSourceDialog::setDatabaseKind(DatabaseKind kind)
{
    (kind == DatabaseKind::ServerDatabase ? m_serverRadio : m_sqliteRadio)->setChecked(true);
    updateForm();
}

QString UsersSourceDialog::authDatabaseUri() const
{
    if (databaseKind() == DatabaseKind::ServerDatabase)
        return m_uriEdit->text().trimmed();
    const QString path = m_sqlitePathEdit->text().trimmed();
    if (path.isEmpty())
        return QString();
    // MLflow's (SQLAlchemy's) form: sqlite:/// then the absolute path, which itself starts with '/'.
    return QStringLiteral("sqlite:///") + QDir::fromNativeSeparators(QFileInfo(path).absoluteFilePath());
}

void UsersSourceDialog::setAuthDatabaseUri(const QString& uri)
{
    const QString sqlitePrefix = QStringLiteral("sqlite:///");
    if (uri.startsWith(sqlitePrefix)) {
        m_sqlitePathEdit->setText(QDir::toNativeSeparators(uri.mid(sqlitePrefix.size())));
        setDatabaseKind(DatabaseKind::SqliteFile);
    } else {
        m_uriEdit->setText(uri);
        setDatabaseKind(DatabaseKind::ServerDatabase);
    }
}

QString UsersSourceDialog::authDatabasePassword() const
{
    return databaseKind() == DatabaseKind::ServerDatabase ? m_passwordEdit->text() : QString();
}

QStringList UsersSourceDialog::userNames() const
{
    return parseUserNames(m_namesEdit->toPlainText());
}

QStringList UsersSourceDialog::parseUserNames(const QString& text)
{
    QStringList names;
    static const QRegularExpression separators(QStringLiteral("[,\\n\\r;]"));
    for (const QString& part : text.split(separators)) {
        const QString name = part.trimmed();
        if (!name.isEmpty() && !names.contains(name))
            names.append(name);
    }
    return names;
}

void UsersSourceDialog::updateForm()
{
    const Choice current = choice();
    m_pages->setCurrentIndex(static_cast<int>(current));
    m_databasePages->setCurrentIndex(databaseKind() == DatabaseKind::ServerDatabase ? 1 : 0);
    bool ready = true;
    switch (current) {
    case Choice::AuthDatabase:
        m_okButton->setText(tr("&Open database"));
        ready = !authDatabaseUri().isEmpty();
        break;
    case Choice::UserNames:
        m_okButton->setText(tr("&Add users"));
        ready = !userNames().isEmpty();
        break;
    case Choice::Continue:
        m_okButton->setText(tr("C&ontinue"));
        break;
    }
    m_okButton->setEnabled(ready && !m_busy);
}

void UsersSourceDialog::clearError()
{
    m_errorLabel->clear();
    m_errorLabel->hide();
}

void UsersSourceDialog::chooseFile()
{
    auto* dialog = new QFileDialog(this, tr("MLflow auth database"), QFileInfo(m_sqlitePathEdit->text()).absolutePath(),
                                   tr("SQLite databases (*.db *.sqlite *.sqlite3);;All files (*)"));
    dialog->setObjectName(QStringLiteral("authDatabaseFileDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString& path) {
        m_sqlitePathEdit->setText(QDir::toNativeSeparators(path));
        clearError();
    });
    dialog->open();
}

void UsersSourceDialog::submit()
{
    if (m_busy || !m_okButton->isEnabled())
        return;
    clearError();
    switch (choice()) {
    case Choice::AuthDatabase:
        // A URI is shown and may end up in a file; the password has a field of its own, which goes to the keychain.
        if (databaseKind() == DatabaseKind::ServerDatabase && !QUrl(authDatabaseUri()).password().isEmpty()) {
            showError(tr("Leave the password out of the URI and type it in the Password field: from there it goes "
                         "to the system keychain, never to a file."));
            return;
        }
        setBusy(true, tr("Opening the auth database…"));
        break;
    case Choice::UserNames:
        setBusy(true, userNames().size() == 1 ? tr("Looking up 1 user on the server…")
                                              : tr("Looking up %1 users on the server…").arg(userNames().size()));
        break;
    case Choice::Continue:
        break;
    }
    emit chosen(choice());
}

void UsersSourceDialog::setBusy(bool busy, const QString& text)
{
    m_busy = busy;
    m_progress->setFormat(text);
    m_progress->setVisible(busy);
    for (QAbstractButton* button : m_choices->buttons())
        button->setEnabled(!busy);
    m_pages->setEnabled(!busy);
    updateForm();
}

void UsersSourceDialog::finish()
{
    setBusy(false);
    accept();
}

void UsersSourceDialog::showError(const QString& message)
{
    setBusy(false);
    m_errorLabel->setText(message);
    m_errorLabel->setVisible(!message.isEmpty());
}

QString UsersSourceDialog::errorText() const
{
    return m_errorLabel->text();
}

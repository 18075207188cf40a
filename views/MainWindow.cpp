#include "views/MainWindow.h"

#include "api/AuthDatabaseReader.h"
#include "api/Connection.h"
#include "api/KnownUsersRegistry.h"
#include "api/PrivateFiles.h"
#include "models/AccessMatrixModel.h"
#include "models/AuditRecorder.h"
#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "models/ExperimentsModel.h"
#include "models/RegisteredModelsModel.h"
#include "models/UsersModel.h"
#include "services/CredentialStore.h"
#include "services/ProfileStore.h"
#include "views/AboutDialog.h"
#include "views/AccessMatrixPage.h"
#include "views/AuditPage.h"
#include "views/ElidingLabel.h"
#include "views/ExportReportDialog.h"
#include "views/ManualDialog.h"
#include "views/MessageBox.h"
#include "views/RecertificationDialog.h"
#include "views/ResourcePage.h"
#include "views/ReviewChangesDialog.h"
#include "views/RolesPage.h"
#include "views/ServerFilterBar.h"
#include "views/Session.h"
#include "views/UsersPage.h"
#include "views/WorkspaceSelector.h"

#include <QAction>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QRegularExpression>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QToolBar>
#include <QToolButton>
#include <QUndoStack>

#include <memory>

namespace {

const QString settingsGeometry = QStringLiteral("mainWindow/geometry");
const QString settingsState = QStringLiteral("mainWindow/state");
const QString settingsPage = QStringLiteral("mainWindow/page");

QIcon icon(const QString& name)
{
    return QIcon(QStringLiteral(":/icons/%1.svg").arg(name));
}

} // namespace

MainWindow::MainWindow(Session* session, QWidget* parent) : QMainWindow(parent), m_session(session)
{
    setObjectName(QStringLiteral("MainWindow"));
    m_session->setParent(this);
    m_directory = new Directory(this);
    if (m_session->isDemo()) {
        // The demo server is ours: we know its default, which the REST API would not tell.
        m_directory->setDefaultPermission(PermissionLevel::NoPermissions, true);
    } else if (const auto profile = savedProfile()) {
        m_directory->setDefaultPermission(profile->defaultPermission);
    }
    m_changeSet = new ChangeSet(m_directory, this);
    // First of the apply's observers, so the entries are on disk when the others run.
    m_audit = new AuditRecorder(AuditActor(), QString(), this);
    m_audit->observe(m_changeSet);
    m_usersModel = new UsersModel(m_directory, m_changeSet, this);
    m_experimentsModel = new ExperimentsModel(m_directory, this);
    m_modelsModel = new RegisteredModelsModel(m_directory, this);
    m_matrixModel = new AccessMatrixModel(m_directory, m_changeSet, this);

    const QString server = m_session->connection()->baseUrl().toString();
    if (m_session->isDemo())
        setWindowTitle(tr("mlflow-admin — offline demo (%1)").arg(server));
    else
        setWindowTitle(m_session->profileName().isEmpty()
                           ? tr("mlflow-admin — %1").arg(server)
                           : tr("mlflow-admin — %1 (%2)").arg(m_session->profileName(), server));
    setWindowIcon(icon(QStringLiteral("mlflow-admin")));

    createActions();
    createPages();
    createMenus();
    createStatusBar();

    connect(m_directory, &Directory::progress, this, [this](int done, int total) {
        m_loadProgress->setRange(0, qMax(total, 1));
        m_loadProgress->setValue(done);
    });
    connect(m_directory, &Directory::loaded, this, &MainWindow::loadSucceeded);
    connect(m_directory, &Directory::failed, this, &MainWindow::loadFailed);
    connect(m_directory, &Directory::reset, this, &MainWindow::updateCounts);
    connect(m_directory, &Directory::reset, this, &MainWindow::updateServerFilterState);
    connect(m_experimentsPage->serverFilterBar(), &ServerFilterBar::filterRequested, this,
            [this](const QString& text) { setNameFilter(ResourceType::Experiment, text); });
    connect(m_modelsPage->serverFilterBar(), &ServerFilterBar::filterRequested, this,
            [this](const QString& text) { setNameFilter(ResourceType::RegisteredModel, text); });
    connect(m_directory, &Directory::usersChanged, this, &MainWindow::updateCounts);
    connect(m_directory, &Directory::rolesChanged, this, &MainWindow::updateCounts);
    connect(m_changeSet, &ChangeSet::changed, this, &MainWindow::updatePendingState);
    connect(m_changeSet, &ChangeSet::changed, this, &MainWindow::updateCounts); // staged users count too
    connect(m_usersPage, &UsersPage::addExistingUserRequested, this,
            [this] { openUsersSource(UsersSourceDialog::Choice::UserNames); });
    connect(m_usersPage, &UsersPage::authDatabaseRequested, this,
            [this] { openUsersSource(UsersSourceDialog::Choice::AuthDatabase); });
    connect(m_directory, &Directory::reset, this, &MainWindow::updateUsersSourceLabel);
    connect(m_directory, &Directory::usersChanged, this, &MainWindow::updateUsersSourceLabel);
    connect(m_directory, &Directory::defaultPermissionChanged, this, &MainWindow::rememberDefaultPermission);
    connect(m_session->connection(), &Connection::credentialsRejected, this, [this] {
        statusBar()->showMessage(tr("The server no longer accepts the password of %1; sign in again.")
                                     .arg(m_session->connection()->username()));
    });
    // Servers without users/list only show the users we know of: remember the ones created here.
    connect(m_directory, &Directory::userAdded, this, [this](int row) {
        if (KnownUsersRegistry* known = m_session->knownUsers())
            known->remember(m_directory->userAt(row).username, KnownUsersRegistry::Origin::Created);
    });
    connect(m_directory, &Directory::userAboutToBeRemoved, this, [this](int row) {
        if (KnownUsersRegistry* known = m_session->knownUsers())
            known->forget(m_directory->userAt(row).username);
    });
    connect(m_changeSet, &ChangeSet::applied, this, [this] { m_lastRefresh = QDateTime::currentDateTime(); });
    connect(m_changeSet, &ChangeSet::applied, this, &MainWindow::saveAutomaticSnapshot);
    updateAuditTrail();
    connect(m_audit, &AuditRecorder::recorded, m_auditPage, &AuditPage::reload);
    connect(m_audit, &AuditRecorder::failed, this, [this](const QString& message) {
        // The changes went through; only their record is missing. Say so plainly, never silently.
        statusBar()->showMessage(tr("The applied changes could not be recorded in the audit trail."));
        MessageBox::warning(this, tr("Audit trail"), message);
    });
    connect(m_auditPage, &AuditPage::reviewRequested, this, [this] { openRecertification(); });

    // The first time: 1100 x 700, or nine tenths of a smaller screen; a saved geometry wins.
    QSize size(1100, 700);
    if (const QScreen* screen = this->screen())
        size = size.boundedTo(screen->availableGeometry().size() * 0.9);
    resize(size);
    QSettings settings;
    restoreGeometry(settings.value(settingsGeometry).toByteArray());
    restoreState(settings.value(settingsState).toByteArray());
    const auto savedPage =
        static_cast<Page>(qBound(0, settings.value(settingsPage, MatrixPageIndex).toInt(), PageCount - 1));
    // The Roles page saved with a 3.13+ server is not listed for an older one.
    showPage(savedPage == RolesPageIndex && !hasRoles() ? MatrixPageIndex : savedPage);
    if (!m_session->profileName().isEmpty())
        settings.setValue(QStringLiteral("lastProfile"), m_session->profileName());

    updatePendingState();
    updateCounts();
    m_workspaceSelector->start();
    updateUsersSourceLabel();
}

MainWindow::~MainWindow()
{
    // Pages and models read the Directory; stop a load before they go.
    m_directory->cancel();
}

void MainWindow::createActions()
{
    m_refreshAction = new QAction(icon(QStringLiteral("refresh")), tr("&Refresh"), this);
    m_refreshAction->setObjectName(QStringLiteral("refreshAction"));
    m_refreshAction->setShortcut(QKeySequence::Refresh);
    m_refreshAction->setToolTip(tr("Reload users, experiments, models and permissions from the server (F5)"));
    connect(m_refreshAction, &QAction::triggered, this, &MainWindow::refresh);

    m_undoAction = m_changeSet->undoStack()->createUndoAction(this, tr("&Undo"));
    m_undoAction->setObjectName(QStringLiteral("undoAction"));
    m_undoAction->setIcon(icon(QStringLiteral("undo")));
    m_undoAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Z));
    m_redoAction = m_changeSet->undoStack()->createRedoAction(this, tr("&Redo"));
    m_redoAction->setObjectName(QStringLiteral("redoAction"));
    m_redoAction->setIcon(icon(QStringLiteral("redo")));
    m_redoAction->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});

    m_reviewAction = new QAction(icon(QStringLiteral("apply")), tr("Review && &apply"), this);
    m_reviewAction->setObjectName(QStringLiteral("reviewAction"));
    m_reviewAction->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    connect(m_reviewAction, &QAction::triggered, this, &MainWindow::openReview);

    m_discardAction = new QAction(icon(QStringLiteral("discard")), tr("&Discard"), this);
    m_discardAction->setObjectName(QStringLiteral("discardAction"));
    m_discardAction->setToolTip(tr("Forget every staged change"));
    connect(m_discardAction, &QAction::triggered, this, &MainWindow::discardChanges);

    m_signOutAction = new QAction(icon(QStringLiteral("sign-out")), tr("Sign &out"), this);
    m_signOutAction->setObjectName(QStringLiteral("signOutAction"));
    m_signOutAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    m_signOutAction->setToolTip(tr("Close this connection and return to the sign-in dialog, to sign in again or to "
                                   "another server (Ctrl+Shift+L)"));
    connect(m_signOutAction, &QAction::triggered, this, &MainWindow::signOut);

    m_filterAction = new QAction(tr("&Filter"), this);
    m_filterAction->setObjectName(QStringLiteral("filterAction"));
    m_filterAction->setShortcut(QKeySequence::Find);
    connect(m_filterAction, &QAction::triggered, this, &MainWindow::focusFilter);
    addAction(m_filterAction);

    m_saveSnapshotAction = new QAction(tr("Save &snapshot…"), this);
    m_saveSnapshotAction->setObjectName(QStringLiteral("saveSnapshotAction"));
    m_saveSnapshotAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    m_saveSnapshotAction->setToolTip(tr("Save who can access what, and why, to a file for later comparison, "
                                        "`mlflow-admin-cli diff` and reports"));
    connect(m_saveSnapshotAction, &QAction::triggered, this, &MainWindow::chooseSnapshotToSave);
    m_compareSnapshotAction = new QAction(tr("&Compare with snapshot…"), this);
    m_compareSnapshotAction->setObjectName(QStringLiteral("compareSnapshotAction"));
    m_compareSnapshotAction->setToolTip(tr("Show in the access matrix what was gained, lost or changed since a "
                                           "saved snapshot"));
    connect(m_compareSnapshotAction, &QAction::triggered, this, &MainWindow::chooseSnapshotToCompare);
    m_compareLastSnapshotAction = new QAction(tr("Compare with &last snapshot"), this);
    m_compareLastSnapshotAction->setObjectName(QStringLiteral("compareLastSnapshotAction"));
    connect(m_compareLastSnapshotAction, &QAction::triggered, this, [this] {
        QString error;
        if (!compareWithSnapshot(lastSnapshotPath(), &error))
            MessageBox::warning(this, tr("Compare with last snapshot"), error);
    });

    m_exportReportAction = new QAction(tr("&Export report…"), this);
    m_exportReportAction->setObjectName(QStringLiteral("exportReportAction"));
    m_exportReportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_exportReportAction->setToolTip(tr("Write an access report for people (PDF, HTML) or scripts (CSV, JSON): "
                                        "a summary, a chart of the levels and who has what and why"));
    connect(m_exportReportAction, &QAction::triggered, this, &MainWindow::openExportReport);

    m_autoSnapshotAction = new QAction(tr("Save a snapshot after each &apply"), this);
    m_autoSnapshotAction->setObjectName(QStringLiteral("autoSnapshotAction"));
    m_autoSnapshotAction->setCheckable(true);
    m_autoSnapshotAction->setChecked(QSettings().value(QStringLiteral("snapshots/saveAfterApply"), false).toBool());
    m_autoSnapshotAction->setToolTip(tr("Keep the access picture after every apply in %1, for Compare with last "
                                        "snapshot and `mlflow-admin-cli diff`")
                                         .arg(QDir::toNativeSeparators(autoSnapshotFolder())));
    connect(m_autoSnapshotAction, &QAction::toggled, this,
            [](bool on) { QSettings().setValue(QStringLiteral("snapshots/saveAfterApply"), on); });

    auto* toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolBar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->setMovable(false);
    toolbar->addAction(m_refreshAction);
    toolbar->addSeparator();
    toolbar->addAction(m_undoAction);
    toolbar->addAction(m_redoAction);
    toolbar->addSeparator();
    toolbar->addAction(m_reviewAction);
    toolbar->addAction(m_discardAction);
    m_workspaceSelector = new WorkspaceSelector(m_session->connection(), toolbar);
    QAction* workspaceAction = toolbar->addWidget(m_workspaceSelector);
    workspaceAction->setVisible(false); // until the server says it has workspaces
    connect(m_workspaceSelector, &WorkspaceSelector::available, this, [this, workspaceAction](bool hasWorkspaces) {
        m_hasWorkspaces = hasWorkspaces;
        workspaceAction->setVisible(hasWorkspaces);
        updateVersionLabel();
    });
    connect(m_workspaceSelector, &WorkspaceSelector::workspaceChosen, this, &MainWindow::switchWorkspace);
    // Apart from the editing actions, at the far end: it leaves the session rather than acting on it.
    auto* spacer = new QWidget(toolbar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    toolbar->addWidget(spacer);
    toolbar->addAction(m_signOutAction);
    toolbar->widgetForAction(m_signOutAction)->setAccessibleName(tr("Sign out"));
}

void MainWindow::createPages()
{
    m_usersPage = new UsersPage(m_directory, m_changeSet, m_usersModel, this);
    m_experimentsPage = new ExperimentsPage(m_directory, m_experimentsModel, this);
    m_modelsPage = new RegisteredModelsPage(m_directory, m_modelsModel, this);
    m_matrixPage = new AccessMatrixPage(m_directory, m_changeSet, m_matrixModel, this);
    m_rolesPage = new RolesPage(m_directory, m_changeSet, m_session->tracking(), this);
    m_rolesPage->setWorkspace(m_session->connection()->workspace());
    m_auditPage = new AuditPage(this);

    m_stack = new QStackedWidget(this);
    m_pageList = new QListWidget(this);
    m_pageList->setObjectName(QStringLiteral("pageList"));
    m_pageList->setAccessibleName(tr("Pages"));
    m_pageList->setIconSize(QSize(20, 20));
    const QStringList icons = {QStringLiteral("user"),   QStringLiteral("experiment"), QStringLiteral("model"),
                               QStringLiteral("matrix"), QStringLiteral("roles"),      QStringLiteral("audit")};
    for (int page = 0; page < PageCount; ++page) {
        m_stack->addWidget(pageWidget(static_cast<Page>(page)));
        new QListWidgetItem(icon(icons.at(page)), pageName(static_cast<Page>(page)), m_pageList);
    }
    // Older servers have no roles; the hidden item is skipped by the arrow keys like any hidden row.
    m_pageList->item(RolesPageIndex)->setHidden(!hasRoles());
    m_pageList->setMaximumWidth(220);
    m_pageList->setMinimumWidth(140);
    connect(m_pageList, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);

    auto* splitter = new QSplitter(this);
    splitter->setObjectName(QStringLiteral("mainSplitter"));
    splitter->addWidget(m_pageList);
    splitter->addWidget(m_stack);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);
    splitter->setSizes({170, 930});
    setCentralWidget(splitter);
    setTabOrder(m_pageList, m_stack);
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_saveSnapshotAction);
    file->addAction(m_compareSnapshotAction);
    file->addAction(m_compareLastSnapshotAction);
    file->addAction(m_autoSnapshotAction);
    file->addSeparator();
    file->addAction(m_exportReportAction);
    connect(file, &QMenu::aboutToShow, this,
            [this] { m_compareLastSnapshotAction->setEnabled(!lastSnapshotPath().isEmpty()); });
    file->addSeparator();
    file->addAction(m_signOutAction);
    file->addSeparator();
    auto* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setObjectName(QStringLiteral("quitAction"));
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setMenuRole(QAction::QuitRole);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_undoAction);
    edit->addAction(m_redoAction);
    edit->addSeparator();
    edit->addAction(m_filterAction);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (int page = 0; page < PageCount; ++page) {
        auto* show = view->addAction(pageName(static_cast<Page>(page)), this,
                                     [this, page] { showPage(static_cast<Page>(page)); });
        show->setObjectName(QStringLiteral("showPage%1Action").arg(page + 1));
        if (page < 9)
            show->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + page)));
        // Roles exist from MLflow 3.13 on; the page list hides the page elsewhere, and so does the menu.
        show->setVisible(page != RolesPageIndex || hasRoles());
    }

    QMenu* server = menuBar()->addMenu(tr("&Server"));
    server->addAction(m_refreshAction);
    server->addSeparator();
    server->addAction(m_reviewAction);
    server->addAction(m_discardAction);
    server->addSeparator();
    auto* review = server->addAction(tr("Review &access…"), this, [this] { openRecertification(); });
    review->setObjectName(QStringLiteral("reviewAccessAction"));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    auto* manual = help->addAction(tr("&Manual"), this, [this] {
        auto* dialog = new ManualDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->show();
    });
    manual->setObjectName(QStringLiteral("manualAction"));
    manual->setShortcut(QKeySequence::HelpContents);
    auto* about = help->addAction(tr("&About mlflow-admin"), this, [this] {
        auto* dialog = new AboutDialog(m_session, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->show();
    });
    about->setObjectName(QStringLiteral("aboutAction"));
    about->setMenuRole(QAction::AboutRole);
}

void MainWindow::updateVersionLabel()
{
    QString text = tr("%1 · %2").arg(m_session->versionText(), m_session->generationText());
    if (m_hasWorkspaces)
        text += tr(" · workspace %1").arg(m_workspaceSelector->current());
    m_versionLabel->setText(text);
}

void MainWindow::switchWorkspace(const QString& name)
{
    // Staged changes name users and resources of the workspace they were made in; applied in another, they would
    // change the wrong experiments.
    if (!m_changeSet->isEmpty() || m_changeSet->isApplying()) {
        MessageBox::warning(this, tr("Staged changes"),
                            tr("The %n staged change(s) belong to workspace %1. Apply or discard them before "
                               "switching to %2.",
                               nullptr, m_changeSet->count())
                                .arg(m_workspaceSelector->current(), name));
        m_workspaceSelector->revert();
        return;
    }
    if (m_directory->isLoading())
        m_directory->cancel();
    m_session->connection()->setWorkspace(name);
    updateAuditTrail();
    updateVersionLabel();
    statusBar()->showMessage(tr("Loading workspace %1…").arg(name), 4000);
    refresh();
}

void MainWindow::updateAuditTrail()
{
    AuditActor actor;
    const QUrl server = m_session->connection()->baseUrl();
    actor.serverUrl = server.toString();
    actor.workspace = m_session->connection()->workspace();
    actor.localAccount = AuditTrail::localAccount();
    actor.mlflowAccount = m_session->connection()->username();
    actor.origin = QStringLiteral("console");
    m_audit->setActor(actor);
    m_audit->setFilePath(AuditTrail::filePathFor(server, actor.workspace));
    m_auditPage->setTrailPath(m_audit->filePath());
}

RecertificationDialog* MainWindow::recertificationDialog() const
{
    return m_recertification;
}

RecertificationDialog* MainWindow::openRecertification()
{
    if (m_recertification) {
        m_recertification->raise();
        m_recertification->activateWindow();
        return m_recertification;
    }
    m_recertification = new RecertificationDialog(m_directory, m_changeSet, m_audit, this);
    m_recertification->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_recertification, &RecertificationDialog::revokesStaged, this, [this](int count) {
        statusBar()->showMessage(
            tr("The review staged %n revoke(s); open Review & apply to send them.", nullptr, count), 8000);
    });
    m_recertification->open();
    return m_recertification;
}

void MainWindow::createStatusBar()
{
    // Each part elides, with its whole text in the tooltip, where the window is too narrow for all of them.
    auto makeLabel = [this](const QString& name, Qt::TextElideMode mode = Qt::ElideRight) {
        auto* label = new ElidingLabel(this, mode);
        label->setObjectName(name);
        return label;
    };
    // An address tells servers apart at its end (port, path) as much as at its start.
    m_serverLabel = makeLabel(QStringLiteral("serverLabel"), Qt::ElideMiddle);
    m_versionLabel = makeLabel(QStringLiteral("versionLabel"));
    m_userLabel = makeLabel(QStringLiteral("userLabel"));
    m_pendingLabel = makeLabel(QStringLiteral("pendingLabel"));
    m_refreshedLabel = makeLabel(QStringLiteral("refreshedLabel"));
    m_serverFilterLabel = makeLabel(QStringLiteral("serverFilterLabel"));
    m_usersSourceLabel = makeLabel(QStringLiteral("usersSourceLabel"));

    m_serverLabel->setText(m_session->connection()->baseUrl().toString());
    updateVersionLabel();
    // Who is signed in, and whether as an admin, explains everything else the window shows or hides.
    m_userLabel->setShrinkable(false);
    m_refreshedLabel->setShrinkable(false); // short, and an elided time would read as another time
    m_userLabel->setText(m_session->probe().isAdmin
                             ? tr("signed in as %1").arg(m_session->connection()->username())
                             : tr("signed in as %1 (not an admin)").arg(m_session->connection()->username()));

    m_loadProgress = new QProgressBar(this);
    m_loadProgress->setObjectName(QStringLiteral("loadProgress"));
    m_loadProgress->setAccessibleName(tr("Loading progress"));
    m_loadProgress->setMaximumWidth(180);
    m_loadProgress->hide();
    m_cancelLoadButton = new QToolButton(this);
    m_cancelLoadButton->setObjectName(QStringLiteral("cancelLoadButton"));
    m_cancelLoadButton->setText(tr("Cancel"));
    m_cancelLoadButton->setToolTip(tr("Stop loading; what was shown before stays."));
    m_cancelLoadButton->hide();
    connect(m_cancelLoadButton, &QToolButton::clicked, this, &MainWindow::cancelLoad);

    const QList<QLabel*> labels = {m_serverLabel, m_versionLabel, m_userLabel, m_pendingLabel, m_refreshedLabel};
    for (QLabel* label : labels) {
        // Their whole text where there is room; on a small screen they elide rather than widen the window.
        if (label != m_serverLabel) {
            auto* separator = new QLabel(QStringLiteral("·"), this);
            separator->setAccessibleName(QString());
            statusBar()->addWidget(separator);
            if (label == m_pendingLabel)
                m_pendingSeparator = separator;
        }
        statusBar()->addWidget(label);
    }
    m_serverFilterSeparator = new QLabel(QStringLiteral("·"), this);
    m_serverFilterSeparator->setAccessibleName(QString());
    statusBar()->addWidget(m_serverFilterSeparator);
    statusBar()->addWidget(m_serverFilterLabel);
    m_serverFilterSeparator->hide();
    m_serverFilterLabel->hide();
    // Permanent, so it is read whole however narrow the window: on a server that cannot list users it says how
    // complete the list is.
    statusBar()->addPermanentWidget(m_usersSourceLabel);
    statusBar()->addPermanentWidget(m_loadProgress);
    statusBar()->addPermanentWidget(m_cancelLoadButton);
}

QWidget* MainWindow::pageWidget(Page page) const
{
    switch (page) {
    case UsersPageIndex:
        return m_usersPage;
    case ExperimentsPageIndex:
        return m_experimentsPage;
    case ModelsPageIndex:
        return m_modelsPage;
    case RolesPageIndex:
        return m_rolesPage;
    case AuditPageIndex:
        return m_auditPage;
    case MatrixPageIndex:
    case PageCount:
        break;
    }
    return m_matrixPage;
}

bool MainWindow::hasRoles() const
{
    // Only admins may list every role (3.14 refuses others), so members do not get the page.
    return m_session->auth() && m_session->auth()->generation() == ApiGeneration::Rbac && m_session->probe().isAdmin;
}

QString MainWindow::pageName(Page page)
{
    switch (page) {
    case UsersPageIndex:
        return tr("Users");
    case ExperimentsPageIndex:
        return tr("Experiments");
    case ModelsPageIndex:
        return tr("Registered models");
    case RolesPageIndex:
        return tr("Roles");
    case AuditPageIndex:
        return tr("Audit");
    case MatrixPageIndex:
    case PageCount:
        break;
    }
    return tr("Access matrix");
}

void MainWindow::showPage(Page page)
{
    m_pageList->setCurrentRow(page);
}

MainWindow::Page MainWindow::currentPage() const
{
    return static_cast<Page>(m_stack->currentIndex());
}

void MainWindow::focusFilter()
{
    QLineEdit* edit = nullptr;
    switch (currentPage()) {
    case UsersPageIndex:
        edit = m_usersPage->filterEdit();
        break;
    case ExperimentsPageIndex:
        edit = m_experimentsPage->filterEdit();
        break;
    case ModelsPageIndex:
        edit = m_modelsPage->filterEdit();
        break;
    case RolesPageIndex:
        edit = m_rolesPage->filterEdit();
        break;
    case AuditPageIndex:
        edit = m_auditPage->filterEdit();
        break;
    case MatrixPageIndex:
    case PageCount:
        edit = m_matrixPage->filterEdit();
        break;
    }
    edit->setFocus(Qt::ShortcutFocusReason);
    edit->selectAll();
}

bool MainWindow::isLoading() const
{
    return m_directory->isLoading();
}

void MainWindow::refresh()
{
    if (m_directory->isLoading())
        return;
    if (!m_changeSet->isEmpty()) {
        // Staged changes refer to users and resources by name, so they survive a reload; say so, though.
        statusBar()->showMessage(tr("Reloading; staged changes are kept."), 4000);
    }
    m_loadProgress->setRange(0, 0);
    m_loadProgress->show();
    m_cancelLoadButton->show();
    m_refreshAction->setEnabled(false);
    Directory::LoadOptions options = m_session->loadOptions();
    options.experimentNameContains = m_experimentNameFilter;
    options.modelNameContains = m_modelNameFilter;
    m_directory->load(m_session->auth(), m_session->tracking(), options);
}

void MainWindow::setNameFilter(ResourceType type, const QString& text)
{
    // A load in progress was asked for with the old filter; the new one wins.
    if (m_directory->isLoading())
        m_directory->cancel();
    (type == ResourceType::Experiment ? m_experimentNameFilter : m_modelNameFilter) = text;
    refresh();
}

void MainWindow::cancelLoad()
{
    m_directory->cancel();
}

void MainWindow::loadSucceeded()
{
    m_loadProgress->hide();
    m_cancelLoadButton->hide();
    m_refreshAction->setEnabled(true);
    m_lastRefresh = QDateTime::currentDateTime();
    updatePendingState();
    updateCounts();
    offerRestore();
    emit loadFinished(true);
}

void MainWindow::loadFailed(const ApiError& error)
{
    m_loadProgress->hide();
    m_cancelLoadButton->hide();
    m_refreshAction->setEnabled(true);
    // The old contents stay, and so does the filter they were loaded with: a refresh reloads what is shown.
    m_experimentNameFilter = m_directory->experimentNameFilter();
    m_modelNameFilter = m_directory->modelNameFilter();
    updateServerFilterState();
    if (error.kind() == ApiError::Kind::Cancelled)
        statusBar()->showMessage(tr("Loading was cancelled."), 5000);
    else
        MessageBox::warning(this, tr("Loading failed"), error.userMessage(), error.toLogString());
    emit loadFinished(false);
}

void MainWindow::updateCounts()
{
    const QList<int> counts = {m_directory->userCount(),
                               m_directory->experimentCount(),
                               m_directory->registeredModelCount(),
                               -1,
                               m_directory->roleCount(),
                               -1};
    // Users whose creation is staged are listed on the Users page and in the matrix already.
    int stagedUsers = 0;
    for (const StagedUser& staged : m_changeSet->stagedUsers()) {
        if (m_changeSet->isStagedCreation(staged.username))
            ++stagedUsers;
    }
    for (int page = 0; page < PageCount; ++page) {
        QListWidgetItem* item = m_pageList->item(page);
        const QString name = pageName(static_cast<Page>(page));
        const bool filtered = (page == ExperimentsPageIndex && !m_directory->experimentNameFilter().isEmpty()) ||
                              (page == ModelsPageIndex && !m_directory->modelNameFilter().isEmpty());
        if (filtered)
            item->setText(tr("%1 (%2, filtered)").arg(name).arg(counts.at(page)));
        else if (page == UsersPageIndex && stagedUsers > 0)
            item->setText(tr("%1 (%2 + %3 staged)").arg(name).arg(counts.at(page)).arg(stagedUsers));
        else
            item->setText(counts.at(page) >= 0 ? tr("%1 (%2)").arg(name).arg(counts.at(page)) : name);
    }
}

// The filters shown are the ones the loaded resources came with, not the ones typed: what matters is what the
// tables hold.
void MainWindow::updateServerFilterState()
{
    QStringList parts;
    for (ResourceType type : {ResourceType::Experiment, ResourceType::RegisteredModel}) {
        const QString filter = m_directory->nameFilter(type);
        ResourcePage* page = type == ResourceType::Experiment ? static_cast<ResourcePage*>(m_experimentsPage)
                                                              : static_cast<ResourcePage*>(m_modelsPage);
        page->serverFilterBar()->setActiveFilter(filter);
        if (!filter.isEmpty())
            parts.append(ServerFilterBar::describe(type, filter));
    }
    m_serverFilterLabel->setText(
        parts.isEmpty() ? QString() : tr("filtered on the server: %1").arg(parts.join(QStringLiteral("; "))));
    m_serverFilterLabel->setVisible(!parts.isEmpty());
    m_serverFilterSeparator->setVisible(!parts.isEmpty());
}

void MainWindow::updatePendingState()
{
    const int count = m_changeSet->count();
    const bool applying = m_changeSet->isApplying();
    m_reviewAction->setText(count > 0 ? tr("Review && &apply (%1)").arg(count) : tr("Review && &apply"));
    m_reviewAction->setEnabled(count > 0);
    m_discardAction->setEnabled(count > 0 && !applying);
    m_pendingLabel->setText(tr("pending changes: %1").arg(count));
    // No staged change is nothing to read about (the Review button says the count too), and the room is worth
    // more to the other parts in a narrow window.
    m_pendingLabel->setVisible(count > 0);
    m_pendingSeparator->setVisible(count > 0);
    // Minutes are enough to tell a stale window, and the seconds would cost a narrow status bar its room.
    QString timeFormat = QLocale().timeFormat(QLocale::ShortFormat);
    timeFormat.remove(QRegularExpression(QStringLiteral("[:.]ss")));
    m_refreshedLabel->setText(m_lastRefresh.isValid()
                                  ? tr("refreshed %1").arg(QLocale().toString(m_lastRefresh.time(), timeFormat))
                                  : tr("not loaded yet"));
}

QString MainWindow::statusText() const
{
    QStringList texts{m_serverLabel->text(), m_versionLabel->text(), m_userLabel->text(), m_pendingLabel->text(),
                      m_refreshedLabel->text()};
    if (!m_usersSourceLabel->text().isEmpty())
        texts.append(m_usersSourceLabel->text());
    if (!m_serverFilterLabel->text().isEmpty())
        texts.append(m_serverFilterLabel->text());
    return texts.join(QStringLiteral(" · "));
}

ReviewChangesDialog* MainWindow::openReview()
{
    if (!m_review) {
        // One dialog for the window's lifetime: closing only hides it, so pointers to it stay valid.
        m_review = new ReviewChangesDialog(m_changeSet, m_session->auth(), this);
    }
    m_review->open();
    m_review->raise();
    return m_review;
}

bool MainWindow::connectAuthDatabase(const QString& uri, const QString& password, QString* error)
{
    if (!m_session->useAuthDatabase(uri, password, error))
        return false;
    QString message = tr("Users are now read from the auth database.");
    rememberUsersSource(UsersSource::AuthDatabase);
    if (auto profile = savedProfile())
        message = tr("Users are now read from the auth database; the profile %1 remembers it.").arg(profile->name);
    CredentialStore* credentials = m_session->credentialStore();
    if (!password.isEmpty() && credentials) {
        // Only a password that worked goes to the keychain; the profile notes that there is one to read next time.
        CredentialJob* job =
            credentials->writePassword(CredentialStore::authDatabaseKey(m_session->ownerKey()), password);
        connect(job, &CredentialJob::finished, this, [this, job] {
            if (job->hasError()) {
                statusBar()->showMessage(tr("The auth database's password could not be kept in the keychain, so it "
                                            "will be asked again: %1")
                                             .arg(job->errorMessage()),
                                         15000);
                return;
            }
            rememberUsersSource(UsersSource::AuthDatabase, true);
        });
    }
    statusBar()->showMessage(message, 10000);
    reloadUsers();
    return true;
}

std::optional<ServerProfile> MainWindow::savedChoice() const
{
    ProfileStore* profiles = m_session->profileStore();
    if (!profiles || m_session->isDemo())
        return std::nullopt;
    return profiles->usersSource(m_session->profileName(), m_session->connection()->baseUrl(),
                                 m_session->connection()->username());
}

void MainWindow::reloadUsers()
{
    // A load already running (the first one, at sign-in) read the old user source: start again with the new one.
    if (m_directory->isLoading())
        m_directory->cancel();
    refresh();
}

void MainWindow::rememberUsersSource(UsersSource source, bool passwordInKeychain)
{
    QString error;
    if (!m_session->rememberUsersSource(source, passwordInKeychain, &error))
        statusBar()->showMessage(tr("The choice of users source could not be kept: %1").arg(error), 10000);
}

void MainWindow::offerUsersSource()
{
    if (m_session->needsUsersSourceChoice()) {
        openUsersSource(UsersSourceDialog::Choice::AuthDatabase);
        return;
    }
    // The auth database chosen before no longer opens (moved, password changed): say so now, not on the Users page.
    const QString problem = m_session->authDatabaseProblem();
    if (!problem.isEmpty() && !m_session->probe().hasUsersList && !m_session->isDemo()) {
        UsersSourceDialog* dialog = openUsersSource(UsersSourceDialog::Choice::AuthDatabase);
        if (const auto kept = savedChoice())
            dialog->setAuthDatabaseUri(kept->authDatabaseUri);
        dialog->showError(tr("The auth database kept for this connection did not open: %1").arg(problem));
    }
}

UsersSourceDialog* MainWindow::openUsersSource(UsersSourceDialog::Choice initial)
{
    if (m_usersSource) {
        m_usersSource->setChoice(initial);
        m_usersSource->raise();
        return m_usersSource;
    }
    const QString version = m_session->probe().version.isEmpty() ? tr("This MLflow server")
                                                                 : tr("MLflow %1").arg(m_session->probe().version);
    const int known = m_session->knownUsers() ? static_cast<int>(m_session->knownUsers()->users()->users.size()) : 0;
    const QString explanation =
        tr("%1 at %2 cannot list its users (users/list comes with MLflow 3.10), so the console shows only the users "
           "it knows of: %3 so far.")
            .arg(version, m_session->connection()->baseUrl().toDisplayString())
            .arg(known) +
        QLatin1Char('\n') + tr("Where should it get the others from?");
    m_usersSource = new UsersSourceDialog(explanation, initial, this);
    m_usersSource->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_usersSource, &UsersSourceDialog::chosen, this, &MainWindow::usersSourceChosen);
    m_usersSource->open();
    return m_usersSource;
}

void MainWindow::usersSourceChosen(UsersSourceDialog::Choice choice)
{
    const QPointer<UsersSourceDialog> dialog = m_usersSource;
    if (!dialog)
        return;
    switch (choice) {
    case UsersSourceDialog::Choice::AuthDatabase: {
        QString error;
        if (connectAuthDatabase(dialog->authDatabaseUri(), dialog->authDatabasePassword(), &error))
            dialog->finish();
        else
            dialog->showError(error);
        return;
    }
    case UsersSourceDialog::Choice::UserNames:
        addExistingUsers(dialog->userNames(), [this, dialog](const QStringList& missing, const QString& error) {
            if (!dialog)
                return;
            if (!error.isEmpty()) {
                dialog->showError(error);
                return;
            }
            rememberUsersSource(UsersSource::KnownUsers);
            if (missing.isEmpty()) {
                dialog->finish();
                return;
            }
            // The others are remembered already; only the unknown names stay in the box, for correcting.
            dialog->namesEdit()->setPlainText(missing.join(QLatin1Char('\n')));
            dialog->showError(tr("This server has no user named %1. Correct the names left above, or remove them.")
                                  .arg(missing.join(QStringLiteral(", "))));
        });
        return;
    case UsersSourceDialog::Choice::Continue:
        rememberUsersSource(UsersSource::KnownUsers);
        dialog->finish();
        return;
    }
}

QString MainWindow::usersSourceText() const
{
    const int count = m_directory->userCount();
    // Before the first load the Directory has no source yet; the session knows where the load will look.
    switch (count > 0 ? m_directory->userSource() : m_session->userListing()) {
    case ListingSource::ServerApi:
        return tr("Users: %1, listed by the server").arg(count);
    case ListingSource::AuthDatabase:
        return tr("Users: %1 from the auth database").arg(count);
    case ListingSource::KnownUsers:
        break;
    }
    // Short, for the status bar of a narrow window; the tooltip says why the list may be incomplete.
    return tr("Users: %1 known to this console").arg(count);
}

void MainWindow::updateUsersSourceLabel()
{
    // A server that lists its users gives the whole list: nothing to qualify.
    const bool listed = m_session->probe().hasUsersList;
    m_usersSourceLabel->setText(listed ? QString() : usersSourceText());
    m_usersSourceLabel->setVisible(!listed);
    m_usersSourceLabel->setToolTip(m_directory->userSource() == ListingSource::KnownUsers
                                       ? tr("This server cannot list its users (MLflow before 3.10): only users this "
                                            "console or mlflow-admin-cli created, looked up or were told about are "
                                            "shown; the Users page can add more or read the auth database.")
                                       : QString());
}

std::optional<ServerProfile> MainWindow::savedProfile() const
{
    ProfileStore* profiles = m_session->profileStore();
    if (!profiles || m_session->profileName().isEmpty() || m_session->isDemo())
        return std::nullopt;
    return profiles->profile(m_session->profileName());
}

void MainWindow::rememberDefaultPermission()
{
    auto profile = savedProfile();
    if (!profile || profile->defaultPermission == m_directory->defaultPermission())
        return;
    profile->defaultPermission = m_directory->defaultPermission();
    QString error;
    if (!m_session->profileStore()->save(*profile, &error))
        statusBar()->showMessage(tr("The default permission could not be saved in the profile: %1").arg(error), 10000);
}

void MainWindow::addExistingUsers(const QStringList& names,
                                  std::function<void(const QStringList&, const QString&)> done)
{
    KnownUsersRegistry* known = m_session->knownUsers();
    AuthApi* auth = m_session->auth();
    if (names.isEmpty()) {
        done({}, QString());
        return;
    }
    if (!known || !auth) {
        done({}, tr("The known-users registry is not open, so no names can be added. Check that the data folder "
                    "(~/.local/share/mlflow-admin) is writable, then sign in again."));
        return;
    }
    // One users/get per name (the connection bounds how many run at once); the answer comes when all have.
    struct Lookup
    {
        int pending = 0;
        QStringList missing;
        QString error;
        bool added = false;
    };
    auto lookup = std::make_shared<Lookup>();
    lookup->pending = static_cast<int>(names.size());
    for (const QString& username : names) {
        UserJob* job = auth->getUser(username);
        connect(job, &ApiJob::finished, this, [this, job, known, username, lookup, done] {
            // MLflow lets a member look up only itself (403 for others): the name is kept as typed, and the next
            // load asks, for each experiment the member manages, what that user holds there.
            if (job->hasError() && job->error().kind() == ApiError::Kind::PermissionDenied &&
                m_directory->isMemberView()) {
                known->remember(username, KnownUsersRegistry::Origin::TypedIn);
                lookup->added = true;
            } else if (job->hasError()) {
                if (job->error().kind() == ApiError::Kind::NotFound)
                    lookup->missing.append(username);
                else if (lookup->error.isEmpty())
                    lookup->error = job->error().userMessage();
            } else {
                known->remember(job->value(), KnownUsersRegistry::Origin::TypedIn);
                lookup->added = true;
            }
            if (--lookup->pending > 0)
                return;
            if (lookup->added)
                reloadUsers();
            done(lookup->missing, lookup->error);
        });
    }
}

void MainWindow::discardChanges()
{
    if (m_changeSet->isEmpty() || m_changeSet->isApplying())
        return;
    MessageBox::question(
        this, tr("Discard changes"),
        tr("Forget all staged changes (%1)? Nothing has been sent to the server.").arg(m_changeSet->count()),
        [this](MessageBox::Button answer) {
            if (answer == QMessageBox::Yes && !m_changeSet->isApplying())
                m_changeSet->discard();
        });
}

QString MainWindow::stagedFilePath() const
{
    // Only saved profiles get a file: a demo or an unnamed connection has nothing to come back to.
    if (m_session->isDemo() || m_session->profileName().isEmpty())
        return QString();
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    return dir.isEmpty() ? QString()
                         : dir + QStringLiteral("/staged/") + m_session->profileName() + QStringLiteral(".sqlite");
}

void MainWindow::offerRestore()
{
    if (m_restoreOffered)
        return;
    m_restoreOffered = true;
    const QString path = stagedFilePath();
    if (path.isEmpty())
        return;
    PrivateFiles::ensureFolder(QFileInfo(path).absolutePath());
    ChangeSet saved(m_directory);
    QString error;
    if (!QFileInfo::exists(path) || !saved.restore(path, &error) || saved.isEmpty()) {
        // From here on every change is saved as it is made, so a crash keeps it.
        m_changeSet->setAutoSavePath(path);
        return;
    }
    MessageBox::question(
        this, tr("Restore staged changes"),
        tr("Changes staged but not applied when mlflow-admin last closed: %1. Restore them?").arg(saved.count()),
        [this, path](MessageBox::Button answer) {
            QString restoreError;
            if (answer == QMessageBox::Yes && !m_changeSet->restore(path, &restoreError))
                MessageBox::warning(this, tr("Restore staged changes"), restoreError);
            m_changeSet->setAutoSavePath(path);
        },
        QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
}

void MainWindow::signOut()
{
    // Signing out is closing, with the same safeguards, plus the signal once the close is certain.
    m_signingOut = true;
    close();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_changeSet->isApplying()) {
        MessageBox::warning(this, tr("Applying changes"),
                            m_signingOut ? tr("Changes are being applied. Wait until they finish before signing out.")
                                         : tr("Changes are being applied. Wait until they finish before closing."));
        m_signingOut = false;
        event->ignore();
        return;
    }
    // Saved profiles keep staged changes on disk; anything else would lose them silently. The close is refused
    // now and repeated once the user agreed.
    if (!m_closeConfirmed && !m_changeSet->isEmpty() && m_changeSet->autoSavePath().isEmpty()) {
        event->ignore();
        const int count = m_changeSet->count();
        MessageBox::question(
            this, m_signingOut ? tr("Sign out") : tr("Unapplied changes"),
            m_signingOut
                ? tr("Sign out and lose the staged changes (%1)? They were never sent to the server.").arg(count)
                : tr("Close and lose the staged changes (%1)? They were never sent to the server.").arg(count),
            [this](MessageBox::Button answer) {
                if (answer != QMessageBox::Yes) {
                    m_signingOut = false;
                    return;
                }
                m_closeConfirmed = true;
                // Queued: closing from inside the box's own signal would delete it under us.
                QMetaObject::invokeMethod(this, &QWidget::close, Qt::QueuedConnection);
            });
        return;
    }
    QSettings settings;
    settings.setValue(settingsGeometry, saveGeometry());
    settings.setValue(settingsState, saveState());
    settings.setValue(settingsPage, static_cast<int>(currentPage()));
    QMainWindow::closeEvent(event);
    if (m_signingOut)
        emit signOutRequested();
}

AccessSnapshot MainWindow::takeSnapshot() const
{
    AccessSnapshot::Origin origin;
    origin.serverUrl = m_session->connection()->baseUrl().toString();
    origin.mlflowVersion = m_session->probe().version;
    origin.workspace = m_session->connection()->workspace();
    origin.mlflowAccount = m_session->connection()->username();
    return AccessSnapshot::fromDirectory(*m_directory, origin);
}

bool MainWindow::saveSnapshot(const QString& path, QString* error)
{
    if (!takeSnapshot().writeFile(path, error))
        return false;
    rememberLastSnapshot(path);
    statusBar()->showMessage(tr("Saved the access snapshot to %1.").arg(QDir::toNativeSeparators(path)), 5000);
    return true;
}

bool MainWindow::compareWithSnapshot(const QString& path, QString* error)
{
    if (path.isEmpty()) {
        *error = tr("No snapshot was saved for this server yet. Save one with File > Save snapshot…, or choose a "
                    "file with File > Compare with snapshot….");
        return false;
    }
    const auto snapshot = AccessSnapshot::readFile(path, error);
    if (!snapshot)
        return false;
    rememberLastSnapshot(path);
    showPage(MatrixPageIndex);
    m_matrixPage->startComparison(*snapshot, QFileInfo(path).fileName());
    return true;
}

QString MainWindow::lastSnapshotPath() const
{
    return QSettings().value(QStringLiteral("snapshots/last/") + m_session->ownerKey().toUtf8().toHex()).toString();
}

void MainWindow::rememberLastSnapshot(const QString& path)
{
    QSettings().setValue(QStringLiteral("snapshots/last/") + m_session->ownerKey().toUtf8().toHex(),
                         QFileInfo(path).absoluteFilePath());
}

void MainWindow::chooseSnapshotToSave()
{
    const QString folder = lastSnapshotPath().isEmpty()
                               ? QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation)
                               : QFileInfo(lastSnapshotPath()).absolutePath();
    const QString name = QStringLiteral("access-%1-%2.json")
                             .arg(m_session->connection()->baseUrl().host(),
                                  QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmm")));
    // open(), not exec(): no nested event loop while a load or an apply may be answering.
    auto* dialog =
        new QFileDialog(this, tr("Save snapshot"), QDir(folder).filePath(name), tr("Access snapshots (*.json)"));
    dialog->setObjectName(QStringLiteral("saveSnapshotDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(QStringLiteral("json"));
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString& path) {
        QString error;
        if (!saveSnapshot(path, &error))
            MessageBox::warning(this, tr("Save snapshot"), error);
    });
    dialog->open();
}

void MainWindow::chooseSnapshotToCompare()
{
    const QString folder = lastSnapshotPath().isEmpty()
                               ? QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation)
                               : QFileInfo(lastSnapshotPath()).absolutePath();
    auto* dialog =
        new QFileDialog(this, tr("Compare with snapshot"), folder, tr("Access snapshots (*.json);;All files (*)"));
    dialog->setObjectName(QStringLiteral("compareSnapshotDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString& path) {
        QString error;
        if (!compareWithSnapshot(path, &error))
            MessageBox::warning(this, tr("Compare with snapshot"), error);
    });
    dialog->open();
}

QString MainWindow::autoSnapshotFolder()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation))
        .filePath(QStringLiteral("snapshots"));
}

void MainWindow::saveAutomaticSnapshot()
{
    if (!m_autoSnapshotAction->isChecked())
        return;
    QString error;
    const QString folder = autoSnapshotFolder();
    if (!PrivateFiles::ensureFolder(folder, &error)) {
        statusBar()->showMessage(tr("No automatic snapshot: %1").arg(error), 10000);
        return;
    }
    // Host and time in the name, so a folder of them sorts by server and then by date.
    const QString name = QStringLiteral("%1-%2.json")
                             .arg(m_session->connection()->baseUrl().host(),
                                  QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss-zzz")));
    if (!saveSnapshot(QDir(folder).filePath(name), &error))
        statusBar()->showMessage(tr("No automatic snapshot: %1").arg(error), 10000);
}

void MainWindow::openExportReport()
{
    const AccessSnapshot snapshot = takeSnapshot();
    auto* dialog = new ExportReportDialog(
        snapshot, {snapshot.mlflowAccount(), AccessSnapshot::currentLocalAccount(), QDateTime()}, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ExportReportDialog::exported, this, [this](const QString& path) {
        statusBar()->showMessage(tr("Wrote the access report to %1.").arg(QDir::toNativeSeparators(path)), 5000);
    });
    // open(), not exec(): no nested event loop while a load or an apply may be answering.
    dialog->open();
}

#pragma once

#include "api/WireTypes.h"
#include "models/AccessSnapshot.h"
#include "services/ServerProfile.h"
#include "views/ReviewChangesDialog.h"
#include "views/UsersSourceDialog.h"

#include <QDateTime>
#include <QMainWindow>
#include <QPointer>

#include <functional>
#include <optional>

class AccessMatrixModel;
class AuditPage;
class AuditRecorder;
class RecertificationDialog;
class AccessMatrixPage;
class ChangeSet;
class Directory;
class ExperimentsModel;
class ExperimentsPage;
class QAction;
class ElidingLabel;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QStackedWidget;
class QToolButton;
class RegisteredModelsModel;
class RegisteredModelsPage;
class RolesPage;
class Session;
class UsersModel;
class UsersPage;
class WorkspaceSelector;
class ApiError;

// The console's main window for one signed-in Session: a side list of pages (Users, Experiments, Registered
// models, Access matrix, and Roles on MLflow 3.13+) over a stack, the toolbar (Refresh, Undo, Redo, Review & apply,
// Discard) and a status bar that always says which server, which account and how much is pending. Window layout is kept
// in QSettings.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    // Roles comes last so the page saved by earlier versions keeps its index; it is listed only on 3.13+.
    // Audit comes after it for the same reason.
    enum Page {
        UsersPageIndex,
        ExperimentsPageIndex,
        ModelsPageIndex,
        MatrixPageIndex,
        RolesPageIndex,
        AuditPageIndex,
        PageCount
    };

    // Takes ownership of `session`.
    explicit MainWindow(Session* session, QWidget* parent = nullptr);
    ~MainWindow() override;

    Session* session() const { return m_session; }
    Directory* directory() const { return m_directory; }
    ChangeSet* changeSet() const { return m_changeSet; }
    UsersPage* usersPage() const { return m_usersPage; }
    ExperimentsPage* experimentsPage() const { return m_experimentsPage; }
    RegisteredModelsPage* modelsPage() const { return m_modelsPage; }
    AccessMatrixPage* matrixPage() const { return m_matrixPage; }
    RolesPage* rolesPage() const { return m_rolesPage; }
    AuditPage* auditPage() const { return m_auditPage; }
    // Records every apply of the window's ChangeSet into the server's (and workspace's) audit trail.
    AuditRecorder* auditRecorder() const { return m_audit; }
    // Opens the access review (recertification) dialog, or raises the one open, and returns it.
    RecertificationDialog* openRecertification();
    RecertificationDialog* recertificationDialog() const;
    // Whether the server has roles (MLflow 3.13+), so the Roles page is listed.
    bool hasRoles() const;

    QAction* refreshAction() const { return m_refreshAction; }
    QAction* undoAction() const { return m_undoAction; }
    QAction* redoAction() const { return m_redoAction; }
    QAction* reviewAction() const { return m_reviewAction; }
    QAction* discardAction() const { return m_discardAction; }
    QAction* signOutAction() const { return m_signOutAction; }
    QAction* saveSnapshotAction() const { return m_saveSnapshotAction; }
    QAction* compareSnapshotAction() const { return m_compareSnapshotAction; }
    QAction* compareLastSnapshotAction() const { return m_compareLastSnapshotAction; }
    QAction* exportReportAction() const { return m_exportReportAction; }
    // Checkable, kept in the settings: after each apply, a snapshot goes to autoSnapshotFolder().
    QAction* autoSnapshotAction() const { return m_autoSnapshotAction; }
    // The application data folder's snapshots/ (owner-only), where automatic snapshots go.
    static QString autoSnapshotFolder();

    // The access picture as loaded now (docs/snapshot-format.md): what Save snapshot writes and reports print.
    AccessSnapshot takeSnapshot() const;
    // Writes takeSnapshot() to `path`, owner-only, and remembers it as this server's last snapshot; false with a
    // sentence. File > Save snapshot… asks for the path and comes here.
    bool saveSnapshot(const QString& path, QString* error);
    // Reads the snapshot at `path` and shows the access matrix in Compare mode against it; false with a sentence.
    bool compareWithSnapshot(const QString& path, QString* error);
    // The snapshot last saved or compared with for this profile or connection; empty when none.
    QString lastSnapshotPath() const;

    void showPage(Page page);
    Page currentPage() const;
    QWidget* pageWidget(Page page) const;
    static QString pageName(Page page);

    bool isLoading() const;
    // Opens the review dialog with open() (or raises the one already open) and returns it.
    ReviewChangesDialog* openReview();
    ReviewChangesDialog* reviewDialog() const { return m_review; }
    // On a server that cannot list its users (MLflow before 3.10), asks where they come from unless this profile or
    // connection has an answer already (Session::needsUsersSourceChoice()); SignInFlow calls it at sign-in.
    void offerUsersSource();
    // Opens the users-source dialog (or raises the one open) with `initial` selected; the Users page's "Add existing
    // user…" and "Connect to auth database…" come here too.
    UsersSourceDialog* openUsersSource(UsersSourceDialog::Choice initial);
    UsersSourceDialog* usersSourceDialog() const { return m_usersSource; }
    // "Users: 3 known to this console" (the tooltip says why): how complete the user list is, and whence.
    QString usersSourceText() const;
    // The status bar texts, for tests and screenshots.
    QString statusText() const;
    // The name filter the next load asks the server for (the Experiments / Registered models page's server filter).
    QString nameFilter(ResourceType type) const
    {
        return type == ResourceType::Experiment ? m_experimentNameFilter : m_modelNameFilter;
    }

public slots:
    void refresh();
    // Reloads with only the experiments (or registered models) whose name contains `text`, filtered by the server;
    // empty loads them all. Later refreshes keep it.
    void setNameFilter(ResourceType type, const QString& text);
    void cancelLoad();
    void discardChanges();
    // Closes the window so the admin can sign in again, to this server or another; emits signOutRequested() once
    // it closes. Refused while changes are being applied. Staged changes of a saved profile stay on disk and are
    // offered again at its next sign-in; any others are lost only after asking, as when closing.
    void signOut();

signals:
    // A load ended: `ok` false when it failed or was cancelled.
    void loadFinished(bool ok);
    // The window is closing because of signOut(); whoever showed the login dialog shows it again.
    void signOutRequested();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createActions();
    void createPages();
    // The menu bar: every toolbar action with its shortcut, page switching (Ctrl+1...), Quit, the manual and About.
    void createMenus();
    // Servers with workspaces: the window shows one at a time; staged changes pin it until applied or discarded.
    void switchWorkspace(const QString& name);
    // Points the audit recorder and the Audit page at the trail of the current server and workspace.
    void updateAuditTrail();
    void updateVersionLabel();
    void createStatusBar();
    void updatePendingState();
    void updateCounts();
    void updateServerFilterState();
    void loadSucceeded();
    void loadFailed(const ApiError& error);
    void focusFilter();
    // Looks each name up on the server and remembers those that exist in the known-users registry, then reloads;
    // `done` gets the names the server does not know (empty when all were found) or an error sentence.
    void addExistingUsers(const QStringList& names, std::function<void(const QStringList&, const QString&)> done);
    // Lists users from the auth database at `uri` from now on, remembers it in the profile (its password in the
    // keychain), and reloads; false with a sentence when it does not open.
    bool connectAuthDatabase(const QString& uri, const QString& password, QString* error);
    void usersSourceChosen(UsersSourceDialog::Choice choice);
    void rememberUsersSource(UsersSource source, bool passwordInKeychain = false);
    void updateUsersSourceLabel();
    void reloadUsers();
    // The users-source choice kept for this profile or connection; nullopt for the demo or without a store.
    std::optional<ServerProfile> savedChoice() const;
    // The signed-in profile as saved, for updating it; nullopt for the demo and unnamed connections.
    std::optional<ServerProfile> savedProfile() const;
    // Keeps the default permission the admin stated in the profile, for the next sign-in.
    void rememberDefaultPermission();
    void offerRestore();
    QString stagedFilePath() const;
    void chooseSnapshotToSave();
    // File > Export report…: the ExportReportDialog over takeSnapshot(), the window's selection as its scope.
    void openExportReport();
    void chooseSnapshotToCompare();
    void rememberLastSnapshot(const QString& path);
    void saveAutomaticSnapshot();

    Session* m_session = nullptr;
    Directory* m_directory = nullptr;
    ChangeSet* m_changeSet = nullptr;
    UsersModel* m_usersModel = nullptr;
    ExperimentsModel* m_experimentsModel = nullptr;
    RegisteredModelsModel* m_modelsModel = nullptr;
    AccessMatrixModel* m_matrixModel = nullptr;

    QListWidget* m_pageList = nullptr;
    QStackedWidget* m_stack = nullptr;
    UsersPage* m_usersPage = nullptr;
    ExperimentsPage* m_experimentsPage = nullptr;
    RegisteredModelsPage* m_modelsPage = nullptr;
    AccessMatrixPage* m_matrixPage = nullptr;
    RolesPage* m_rolesPage = nullptr;
    AuditPage* m_auditPage = nullptr;
    AuditRecorder* m_audit = nullptr;
    QPointer<RecertificationDialog> m_recertification;

    QAction* m_refreshAction = nullptr;
    QAction* m_undoAction = nullptr;
    QAction* m_redoAction = nullptr;
    QAction* m_reviewAction = nullptr;
    QAction* m_discardAction = nullptr;
    QAction* m_signOutAction = nullptr;
    QAction* m_filterAction = nullptr;
    QAction* m_saveSnapshotAction = nullptr;
    QAction* m_compareSnapshotAction = nullptr;
    QAction* m_compareLastSnapshotAction = nullptr;
    QAction* m_autoSnapshotAction = nullptr;
    QAction* m_exportReportAction = nullptr;
    WorkspaceSelector* m_workspaceSelector = nullptr;
    bool m_hasWorkspaces = false;

    ElidingLabel* m_serverLabel = nullptr;
    ElidingLabel* m_versionLabel = nullptr;
    ElidingLabel* m_userLabel = nullptr;
    ElidingLabel* m_pendingLabel = nullptr;
    QLabel* m_pendingSeparator = nullptr;
    ElidingLabel* m_refreshedLabel = nullptr;
    ElidingLabel* m_serverFilterLabel = nullptr;
    QLabel* m_serverFilterSeparator = nullptr;
    QProgressBar* m_loadProgress = nullptr;
    QToolButton* m_cancelLoadButton = nullptr;
    QDateTime m_lastRefresh;
    QString m_experimentNameFilter;
    QString m_modelNameFilter;
    bool m_restoreOffered = false;
    bool m_closeConfirmed = false;
    bool m_signingOut = false;

    QPointer<ReviewChangesDialog> m_review;
    QPointer<UsersSourceDialog> m_usersSource;
    ElidingLabel* m_usersSourceLabel = nullptr;
};

#include "app/gui/ScreenshotWriter.h"

#include "api/Connection.h"
#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "server/DemoData.h"
#include "views/AccessMatrixPage.h"
#include "views/AuditPage.h"
#include "views/LoginDialog.h"
#include "views/MainWindow.h"
#include "views/RecertificationDialog.h"
#include "views/ResourcePage.h"
#include "views/ReviewChangesDialog.h"
#include "views/RolesPage.h"
#include "views/Session.h"
#include "views/UsersPage.h"

#include <QApplication>
#include <QDir>
#include <QJsonObject>
#include <QLineEdit>
#include <QPixmap>
#include <QTableView>
#include <QTimer>

ScreenshotWriter::ScreenshotWriter(MainWindow* window, const QString& directory, QObject* parent)
    : QObject(parent), m_window(window), m_directory(directory)
{
    connect(window, &MainWindow::loadFinished, this, &ScreenshotWriter::capture);
}

void ScreenshotWriter::start()
{
    auto* asUser1 = new Connection(m_window->session()->connection()->baseUrl(), DemoData::user1Username,
                                   DemoData::user1Password, this);
    ApiReply* reply = asUser1->post(QStringLiteral("/api/2.0/mlflow/registered-models/create"),
                                    QJsonObject{{QStringLiteral("name"), QStringLiteral("churn-classifier")}});
    connect(reply, &ApiJob::finished, this, [this, asUser1, reply] {
        if (reply->hasError())
            qWarning("Could not add the example model: %s", qPrintable(reply->error().toLogString()));
        asUser1->deleteLater();
        m_window->refresh();
    });
}

bool ScreenshotWriter::save(QWidget* widget, const QString& name)
{
    const QString path = QDir(m_directory).filePath(name + QStringLiteral(".png"));
    // Layouts and item views settle in posted events; let them run before grabbing.
    QCoreApplication::sendPostedEvents();
    QCoreApplication::processEvents();
    const QPixmap pixmap = widget->grab();
    if (pixmap.isNull() || !pixmap.save(path, "PNG", 9)) {
        qWarning("Could not write %s", qPrintable(path));
        return false;
    }
    qInfo("Wrote %s", qPrintable(path));
    return true;
}

void ScreenshotWriter::capture(bool loaded)
{
    if (!loaded) {
        qWarning("Loading failed; no screenshots were written.");
        QCoreApplication::exit(1);
        return;
    }
    if (!QDir().mkpath(m_directory)) {
        qWarning("Cannot create %s", qPrintable(m_directory));
        QCoreApplication::exit(1);
        return;
    }
    bool ok = true;
    m_window->showPage(MainWindow::UsersPageIndex);
    m_window->usersPage()->selectUser(DemoData::user1Username);
    ok &= save(m_window, QStringLiteral("users"));

    m_window->showPage(MainWindow::ExperimentsPageIndex);
    const int experimentRow = m_window->directory()->experimentRowByName(QStringLiteral("/user1/experiment1"));
    if (experimentRow >= 0)
        m_window->experimentsPage()->selectResource(m_window->directory()->experimentAt(experimentRow).id);
    ok &= save(m_window, QStringLiteral("experiments"));

    m_window->showPage(MainWindow::ModelsPageIndex);
    m_window->modelsPage()->selectResource(QStringLiteral("churn-classifier"));
    ok &= save(m_window, QStringLiteral("registered-models"));

    // Stage one change so the matrix shows a pending cell, as it looks while an admin works.
    AccessMatrixPage* matrix = m_window->matrixPage();
    m_window->showPage(MainWindow::MatrixPageIndex);
    Directory* directory = m_window->directory();
    const int row = directory->experimentRowByName(QStringLiteral("/user1/experiment1"));
    const QString experimentId = row >= 0 ? directory->experimentAt(row).id : QString();
    if (!experimentId.isEmpty())
        m_window->changeSet()->stageGrant(DemoData::user2Username, ResourceType::Experiment, experimentId,
                                          PermissionLevel::Read);
    // The current cell beside the staged one, unselected, so the hatching shows and the panel lists user2's access.
    const int ownRow = directory->experimentRowByName(QStringLiteral("/user2/experiment1"));
    const QModelIndex cell =
        matrix->indexFor(DemoData::user2Username, ownRow >= 0 ? directory->experimentAt(ownRow).id : QString());
    if (cell.isValid())
        matrix->view()->selectionModel()->setCurrentIndex(cell, QItemSelectionModel::NoUpdate);
    ok &= save(m_window, QStringLiteral("access-matrix"));

    ReviewChangesDialog* review = m_window->openReview();
    ok &= save(review, QStringLiteral("review-changes"));
    review->close();
    m_window->changeSet()->discard();
    m_window->matrixPage()->view()->clearSelection();

    if (m_window->hasRoles())
        captureRoles(ok);
    else
        finish(ok);
}

void ScreenshotWriter::captureRoles(bool ok)
{
    ChangeSet* changes = m_window->changeSet();
    Directory* directory = m_window->directory();
    const int row = directory->experimentRowByName(QStringLiteral("/user1/experiment1"));
    const QString experimentId = row >= 0 ? directory->experimentAt(row).id : QString();
    const QString auditors = QStringLiteral("auditors");
    const QString experiment = Resources::wireName(ResourceType::Experiment);
    changes->stageCreateRole(auditors, QString());
    const RoleRef role{-1, QStringLiteral("default"), auditors};
    changes->stageDescribeRole(role, QStringLiteral("Read-only access for the quarterly audit"));
    changes->stageRolePermission(role, Resources::wireName(ResourceType::RegisteredModel),
                                 QString::fromLatin1(RolePermission::allResources), PermissionLevel::Read);
    if (!experimentId.isEmpty())
        changes->stageRolePermission(role, experiment, experimentId, PermissionLevel::Read);
    changes->stageRoleMember(role, DemoData::user2Username, true);
    connect(
        changes, &ChangeSet::applied, this,
        [this, ok, auditors](const ApplySummary& summary) mutable {
            if (summary.failed > 0) {
                qWarning(
                    "Could not apply the example role: %s",
                    qPrintable(summary.results.isEmpty() ? QString() : summary.results.last().error.userMessage()));
                ok = false;
            }
            // One staged change, so the page shows a pending row as it looks while an admin works.
            RolesPage* page = m_window->rolesPage();
            const int roleRow = m_window->directory()->roleRowByName(auditors);
            if (roleRow >= 0)
                m_window->changeSet()->stageRoleMember(RoleRef::of(m_window->directory()->roleAt(roleRow).role),
                                                       DemoData::user1Username, true);
            // The Users page again, now with its Roles column filled.
            m_window->showPage(MainWindow::UsersPageIndex);
            ok &= save(m_window, QStringLiteral("users"));
            m_window->showPage(MainWindow::RolesPageIndex);
            page->selectRole(auditors);
            ok &= save(m_window, QStringLiteral("roles"));
            m_window->changeSet()->discard();

            m_window->showPage(MainWindow::MatrixPageIndex);
            m_window->matrixPage()->setRoleFilter(auditors);
            ok &= save(m_window, QStringLiteral("access-matrix-by-role"));
            m_window->matrixPage()->setRoleFilter(QString());
            finish(ok);
        },
        Qt::SingleShotConnection);
    changes->apply(m_window->session()->auth());
}

void ScreenshotWriter::captureAudit(bool ok)
{
    ChangeSet* changes = m_window->changeSet();
    Directory* directory = m_window->directory();
    const auto idOf = [directory](const QString& name) {
        const int row = directory->experimentRowByName(name);
        return row >= 0 ? directory->experimentAt(row).id : QString();
    };
    // After the Compare pictures' changes: user1's revoked grant back, and user2's READ raised, so the trail shows
    // grants, a level change and a revoke.
    changes->stageGrant(DemoData::user1Username, ResourceType::Experiment, idOf(QStringLiteral("/user1/experiment2")),
                        PermissionLevel::Manage);
    changes->stageGrant(DemoData::user2Username, ResourceType::Experiment, idOf(QStringLiteral("/user1/experiment1")),
                        PermissionLevel::Edit);
    connect(
        changes, &ChangeSet::applied, this,
        [this, ok](const ApplySummary&) mutable {
            m_window->showPage(MainWindow::AuditPageIndex);
            m_window->auditPage()->verify();
            ok &= save(m_window, QStringLiteral("audit"));
            RecertificationDialog* review = m_window->openRecertification();
            review->start(ReviewCampaign::ScopeKind::All, QString());
            review->keep();
            review->revoke();
            ok &= save(review, QStringLiteral("review-mode"));
            review->close();
            m_window->changeSet()->discard();
            finishWithLogin(ok);
        },
        Qt::SingleShotConnection);
    if (!changes->apply(m_window->session()->auth()))
        finishWithLogin(false);
}

void ScreenshotWriter::finish(bool ok)
{
    Directory* directory = m_window->directory();
    const auto experimentId = [directory](const QString& name) {
        const int row = directory->experimentRowByName(name);
        return row >= 0 ? directory->experimentAt(row).id : QString();
    };
    const QString u1e1 = experimentId(QStringLiteral("/user1/experiment1"));
    const QString u1e2 = experimentId(QStringLiteral("/user1/experiment2"));
    const QString u2e1 = experimentId(QStringLiteral("/user2/experiment1"));
    if (u1e1.isEmpty() || u1e2.isEmpty() || u2e1.isEmpty()) {
        finishWithLogin(false);
        return;
    }
    const AccessSnapshot before = m_window->takeSnapshot();
    ChangeSet* changes = m_window->changeSet();
    changes->stageGrant(DemoData::user2Username, ResourceType::Experiment, u1e1, PermissionLevel::Read);
    changes->stageGrant(DemoData::user1Username, ResourceType::Experiment, u2e1, PermissionLevel::Edit);
    // One of each kind: gained above, a level lowered, and a grant revoked.
    changes->stageGrant(DemoData::user2Username, ResourceType::Experiment, u2e1, PermissionLevel::Read);
    changes->stageRevoke(DemoData::user1Username, ResourceType::Experiment, u1e2);
    connect(
        changes, &ChangeSet::applied, this,
        [this, ok, before](const ApplySummary& summary) mutable {
            ok &= summary.failed == 0;
            AccessMatrixPage* matrix = m_window->matrixPage();
            m_window->showPage(MainWindow::MatrixPageIndex);
            matrix->startComparison(before, QStringLiteral("access-before.json"));
            ok &= save(m_window, QStringLiteral("access-matrix-compare"));
            const QSize size = m_window->size();
            m_window->resize(720, 560);
            ok &= save(m_window, QStringLiteral("access-matrix-compare-narrow"));
            m_window->resize(size);
            matrix->stopComparison();
            finishWithLogin(ok);
        },
        Qt::SingleShotConnection);
    changes->apply(m_window->session()->auth());
}

void ScreenshotWriter::finishWithLogin(bool ok)
{
    if (!m_auditCaptured) {
        m_auditCaptured = true;
        captureAudit(ok);
        return;
    }
    // The login dialog as a new user meets it, with example values and no saved profiles or keychain.
    LoginDialog login(nullptr, nullptr);
    login.findChild<QLineEdit*>(QStringLiteral("urlEdit"))->setText(QStringLiteral("https://mlflow.example.org"));
    login.findChild<QLineEdit*>(QStringLiteral("usernameEdit"))->setText(DemoData::adminUsername);
    login.show();
    ok &= save(&login, QStringLiteral("login"));

    // Quit from the event loop, after the slot that emitted loadFinished has returned.
    QTimer::singleShot(0, qApp, [ok] { QCoreApplication::exit(ok ? 0 : 1); });
}

#include "views/ReviewChangesDialog.h"

#include "api/AuthApi.h"
#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "views/UserPasswordDialog.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace {

QString grantText(const Directory* directory, const StagedGrant& grant)
{
    const ResourceType type = grant.cell.resource.type;
    const int row = directory ? directory->resourceRow(type, grant.cell.resource.id) : -1;
    const QString name = row >= 0 ? directory->resourceNameAt(type, row) : grant.cell.resource.id;
    const QString target =
        grant.target ? Permissions::name(*grant.target) : ReviewChangesDialog::tr("no explicit permission (revoke)");
    return type == ResourceType::Experiment
               ? ReviewChangesDialog::tr("%1 on experiment %2 → %3").arg(grant.cell.username, name, target)
               : ReviewChangesDialog::tr("%1 on registered model %2 → %3").arg(grant.cell.username, name, target);
}

QString roleName(const ChangeSet& changeSet, const RoleRef& role)
{
    const int row = changeSet.directoryRoleRow(role);
    return row >= 0 ? changeSet.directory()->roleAt(row).role.name : role.name;
}

QString roleText(const ChangeSet& changeSet, const StagedRole& role)
{
    QStringList parts;
    if (role.create)
        parts.append(ReviewChangesDialog::tr("create in workspace %1").arg(role.role.workspace));
    if (role.name)
        parts.append(ReviewChangesDialog::tr("rename to %1").arg(*role.name));
    if (role.description)
        parts.append(ReviewChangesDialog::tr("describe as \"%1\"").arg(*role.description));
    if (role.remove)
        parts.append(ReviewChangesDialog::tr("delete"));
    return ReviewChangesDialog::tr("Role %1: %2").arg(roleName(changeSet, role.role), parts.join(QLatin1String(", ")));
}

QString rolePermissionText(const ChangeSet& changeSet, const StagedRolePermission& permission)
{
    const QString resource = changeSet.resourceText(permission.key.resourceType, permission.key.pattern);
    const QString name = roleName(changeSet, permission.key.role);
    return permission.target ? ReviewChangesDialog::tr("Role %1 on %2 → %3")
                                   .arg(name, resource, Permissions::name(*permission.target))
                             : ReviewChangesDialog::tr("Role %1 on %2 → no permission (remove)").arg(name, resource);
}

QString userText(const StagedUser& user)
{
    QStringList parts;
    if (user.create)
        parts.append(ReviewChangesDialog::tr("create"));
    if (user.admin)
        parts.append(*user.admin ? ReviewChangesDialog::tr("make administrator")
                                 : ReviewChangesDialog::tr("remove administrator rights"));
    if (user.resetPassword)
        parts.append(ReviewChangesDialog::tr("reset password"));
    if (user.remove)
        parts.append(ReviewChangesDialog::tr("delete"));
    if (user.needsPassword())
        parts.append(ReviewChangesDialog::tr("password needed"));
    return ReviewChangesDialog::tr("User %1: %2").arg(user.username, parts.join(QStringLiteral(", ")));
}

QTreeWidget* makeList(QWidget* parent, const QString& objectName, const QString& accessibleName,
                      const QStringList& headers)
{
    auto* list = new QTreeWidget(parent);
    list->setObjectName(objectName);
    list->setAccessibleName(accessibleName);
    list->setRootIsDecorated(false);
    list->setHeaderLabels(headers);
    list->header()->setStretchLastSection(true);
    list->setColumnWidth(0, 360);
    return list;
}

} // namespace

ReviewChangesDialog::ReviewChangesDialog(ChangeSet* changeSet, AuthApi* auth, QWidget* parent)
    : QDialog(parent), m_changeSet(changeSet), m_auth(auth)
{
    setObjectName(QStringLiteral("ReviewChangesDialog"));
    setWindowTitle(tr("Review and apply changes"));

    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_changes = makeList(this, QStringLiteral("changesList"), tr("Staged changes"), {tr("Change"), tr("Status")});
    m_calls = makeList(this, QStringLiteral("callsList"), tr("API calls"), {tr("Call"), tr("Request")});
    m_results = makeList(this, QStringLiteral("resultsList"), tr("Results"), {tr("Change"), tr("Result")});
    m_results->hide();

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_changes);
    splitter->addWidget(m_calls);
    splitter->addWidget(m_results);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("applyProgress"));
    m_progress->setAccessibleName(tr("Apply progress"));
    m_progress->hide();

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_applyButton = m_buttons->addButton(tr("&Apply"), QDialogButtonBox::ApplyRole);
    m_applyButton->setObjectName(QStringLiteral("applyButton"));
    m_applyButton->setIcon(QIcon(QStringLiteral(":/icons/apply.svg")));
    connect(m_applyButton, &QPushButton::clicked, this, &ReviewChangesDialog::apply);
    m_stopButton = m_buttons->addButton(tr("&Stop"), QDialogButtonBox::ActionRole);
    m_stopButton->setObjectName(QStringLiteral("stopButton"));
    m_stopButton->setToolTip(tr("Stop sending; changes not yet applied stay staged."));
    m_stopButton->hide();
    connect(m_stopButton, &QPushButton::clicked, this, [this] {
        if (m_changeSet)
            m_changeSet->cancelApply();
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &ReviewChangesDialog::reject);

    connect(m_changes, &QTreeWidget::itemDoubleClicked, this, &ReviewChangesDialog::askPassword);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(splitter, 1);
    layout->addWidget(m_progress);
    layout->addWidget(m_buttons);
    resize(760, 520);

    if (m_changeSet) {
        connect(m_changeSet, &ChangeSet::changed, this, &ReviewChangesDialog::refresh);
        connect(m_changeSet, &ChangeSet::applyStarted, this, [this](int total) {
            m_progress->setRange(0, qMax(total, 1));
            m_progress->setValue(0);
            m_progress->show();
            m_stopButton->show();
        });
        connect(m_changeSet, &ChangeSet::progress, this, [this](int done, int total) {
            m_progress->setRange(0, qMax(total, 1));
            m_progress->setValue(done);
        });
        connect(m_changeSet, &ChangeSet::applied, this, &ReviewChangesDialog::showResults);
    }
    refresh();
}

void ReviewChangesDialog::refresh()
{
    m_changes->clear();
    m_calls->clear();
    if (!m_changeSet)
        return;
    const Directory* directory = m_changeSet->directory();
    for (const StagedUser& user : m_changeSet->stagedUsers()) {
        QString status = user.error.isError() ? user.error.userMessage() : tr("pending");
        if (user.needsPassword())
            status = tr("double-click to set the password");
        auto* item = new QTreeWidgetItem(m_changes, {userText(user), status});
        item->setData(0, Qt::UserRole, user.username);
        item->setToolTip(1, item->text(1));
    }
    for (const StagedGrant& grant : m_changeSet->stagedGrants()) {
        QString status = grant.error.isError() ? grant.error.userMessage() : tr("pending");
        // Both facts of a level change that stopped half-way. Apply retries the grant; the ChangeSet's
        // restoreRevokedLevel() stages the old level instead (a button for it is still to come).
        if (grant.isHalfApplied())
            status = tr("The old %1 was revoked but the new level was not granted (%2). Apply again to retry.")
                         .arg(Permissions::name(*grant.revokedLevel), status);
        auto* item = new QTreeWidgetItem(m_changes, {grantText(directory, grant), status});
        item->setToolTip(1, item->text(1));
    }
    const auto addRoleItem = [this](const QString& text, const ApiError& error) {
        auto* item = new QTreeWidgetItem(m_changes, {text, error.isError() ? error.userMessage() : tr("pending")});
        item->setToolTip(1, item->text(1));
    };
    for (const StagedRole& role : m_changeSet->stagedRoles())
        addRoleItem(roleText(*m_changeSet, role), role.error);
    for (const StagedRolePermission& permission : m_changeSet->stagedRolePermissions())
        addRoleItem(rolePermissionText(*m_changeSet, permission), permission.error);
    for (const StagedRoleMember& member : m_changeSet->stagedRoleMembers()) {
        const QString name = roleName(*m_changeSet, member.key.role);
        addRoleItem(member.assign ? tr("Role %1: assign to %2").arg(name, member.key.username)
                                  : tr("Role %1: unassign from %2").arg(name, member.key.username),
                    member.error);
    }
    // The same planner and rules the apply uses, so the list is what will be sent.
    const QList<ApiCall> calls = m_auth ? m_changeSet->toApiCalls(PlanRules::of(*m_auth)) : m_changeSet->toApiCalls();
    for (const ApiCall& call : calls)
        new QTreeWidgetItem(
            m_calls, {call.description(), call.endpoint(directory ? directory->generation() : ApiGeneration::Legacy)});

    const int count = m_changeSet->count();
    if (count == 0)
        m_summary->setText(tr("Nothing is staged."));
    else if (m_changeSet->needsPasswords())
        m_summary->setText(tr("Passwords are never saved to disk: double-click each restored user change marked "
                              "below to set its password again."));
    else
        m_summary->setText(
            tr("Staged changes: %1, API calls: %2. Nothing has been sent yet.").arg(count).arg(calls.size()));
    m_applyButton->setEnabled(count > 0 && m_auth && !m_changeSet->isApplying() && !m_changeSet->needsPasswords());
}

void ReviewChangesDialog::askPassword(QTreeWidgetItem* item)
{
    const QString username = item ? item->data(0, Qt::UserRole).toString() : QString();
    const StagedUser* staged = m_changeSet && !username.isEmpty() ? m_changeSet->stagedUser(username) : nullptr;
    if (!staged || !staged->needsPassword())
        return;
    auto* dialog = new UserPasswordDialog(UserPasswordDialog::Mode::ResetPassword, username, {}, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, username] {
        if (m_changeSet)
            m_changeSet->setPassword(username, dialog->password());
        refresh();
    });
    dialog->open();
}

void ReviewChangesDialog::apply()
{
    if (!m_changeSet || !m_auth || m_changeSet->isApplying())
        return;
    m_results->clear();
    m_results->hide();
    m_applyButton->setEnabled(false);
    if (!m_changeSet->apply(m_auth))
        refresh();
}

void ReviewChangesDialog::showResults(const ApplySummary& summary)
{
    m_results->clear();
    for (const ChangeResult& result : summary.results) {
        auto* item = new QTreeWidgetItem(
            m_results, {result.description, result.ok() ? tr("applied") : result.error.userMessage()});
        item->setToolTip(1, result.ok() ? item->text(1) : result.error.toLogString());
        if (!result.ok())
            item->setForeground(1, QColor(0xa0, 0x1c, 0x1c));
    }
    m_results->show();
    m_stopButton->hide();
    m_progress->setValue(m_progress->maximum());
    // refresh() rewrites the summary for what is still staged; the outcome of this apply matters more.
    refresh();
    if (summary.failed > 0)
        m_summary->setText(tr("%1 applied, %2 failed. The failed changes stay staged with their error; fix the "
                              "cause and apply again, or undo them.")
                               .arg(summary.succeeded)
                               .arg(summary.failed));
    else
        m_summary->setText(tr("All changes applied (%1).").arg(summary.succeeded));
    emit appliedChanges(summary.succeeded, summary.failed);
}

void ReviewChangesDialog::reject()
{
    // Closing while an apply runs would hide its results; the apply itself carries on regardless.
    if (m_changeSet && m_changeSet->isApplying())
        return;
    QDialog::reject();
}

void ReviewChangesDialog::showEvent(QShowEvent* event)
{
    // Reopened for a new round: the results of the previous apply no longer describe what is staged.
    if (m_changeSet && !m_changeSet->isApplying()) {
        m_results->clear();
        m_results->hide();
        m_progress->hide();
        refresh();
    }
    QDialog::showEvent(event);
}

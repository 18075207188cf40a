#include "views/ReviewChangesDialog.h"

#include "views/ErrorLabel.h"

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

QString levelText(std::optional<PermissionLevel> level)
{
    return level ? Permissions::name(*level) : ReviewChangesDialog::tr("no explicit permission");
}

// "user2 on experiment /user1/experiment1: READ → EDIT": the resource by name, and the level it has now (the
// loaded explicit grant) next to the one it gets.
QString grantText(const Directory* directory, const StagedGrant& grant)
{
    const ResourceType type = grant.cell.resource.type;
    const int row = directory ? directory->resourceRow(type, grant.cell.resource.id) : -1;
    const QString name = row >= 0 ? directory->resourceNameAt(type, row) : grant.cell.resource.id;
    const std::optional<PermissionLevel> before =
        directory ? directory->explicitLevel(grant.cell.username, type, grant.cell.resource.id) : std::nullopt;
    const QString from = levelText(before);
    const QString to =
        grant.target ? Permissions::name(*grant.target) : ReviewChangesDialog::tr("no explicit permission (revoke)");
    return type == ResourceType::Experiment
               ? ReviewChangesDialog::tr("%1 on experiment %2: %3 → %4").arg(grant.cell.username, name, from, to)
               : ReviewChangesDialog::tr("%1 on registered model %2: %3 → %4").arg(grant.cell.username, name, from, to);
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
    const auto loaded = changeSet.loadedRolePermission(permission.key);
    const QString from = loaded ? Permissions::name(loaded->level) : ReviewChangesDialog::tr("no permission");
    return permission.target
               ? ReviewChangesDialog::tr("Role %1 on %2: %3 → %4")
                     .arg(name, resource, from, Permissions::name(*permission.target))
               : ReviewChangesDialog::tr("Role %1 on %2: %3 → no permission (remove)").arg(name, resource, from);
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
    m_summary->setObjectName(QStringLiteral("summaryLabel"));
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
    // A level change that stopped half-way (revoked, not granted) offers both ways out: Apply retries the grant,
    // this stages the old level back instead.
    m_restoreButton = m_buttons->addButton(tr("&Restore old levels"), QDialogButtonBox::ActionRole);
    m_restoreButton->setObjectName(QStringLiteral("restoreButton"));
    m_restoreButton->setToolTip(tr("For every change whose old level was revoked but whose new level was not granted: "
                                   "stage the old level again instead of the new one (then Apply)."));
    m_restoreButton->hide();
    connect(m_restoreButton, &QPushButton::clicked, this, [this] {
        if (!m_changeSet || m_changeSet->isApplying())
            return;
        const QList<StagedGrant> grants = m_changeSet->stagedGrants();
        for (const StagedGrant& grant : grants) {
            if (grant.isHalfApplied())
                m_changeSet->restoreRevokedLevel(grant.cell.username, grant.cell.resource.type, grant.cell.resource.id);
        }
        refresh();
    });
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
    int halfApplied = 0;
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
        // Both facts of a level change that stopped half-way, and both ways out.
        if (grant.isHalfApplied()) {
            status = tr("The old %1 was revoked but the new level was not granted (%2). Apply again to retry, or "
                        "Restore old levels.")
                         .arg(Permissions::name(*grant.revokedLevel), status);
            ++halfApplied;
        }
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
    // After an apply that left nothing staged, two empty tables would only hide the results.
    const bool onlyResults = count == 0 && !m_results->isHidden();
    m_changes->setVisible(!onlyResults);
    m_calls->setVisible(!onlyResults);
    m_restoreButton->setVisible(halfApplied > 0);
    m_restoreButton->setEnabled(!m_changeSet->isApplying());
}

QString ReviewChangesDialog::summary() const
{
    return m_summary->text();
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
            item->setForeground(1, ErrorLabel::color());
    }
    m_results->show();
    m_stopButton->hide();
    m_progress->setValue(m_progress->maximum());
    // refresh() rewrites the summary for what is still staged; the outcome of this apply matters more.
    refresh();
    m_summary->setText(summaryText(summary));
    emit appliedChanges(summary.succeeded, summary.failed);
}

QString ReviewChangesDialog::summaryText(const ApplySummary& summary)
{
    const QString applied =
        summary.succeeded == 1 ? tr("1 change applied") : tr("%1 changes applied").arg(summary.succeeded);
    if (summary.failed == 0)
        return summary.succeeded > 0 ? applied + QLatin1Char('.') : tr("Nothing was sent: no change was needed.");
    // The first failure in words, so the most common case (one failure) needs no look into the list.
    QString first;
    for (const ChangeResult& result : summary.results) {
        if (!result.ok()) {
            first = tr("%1: %2").arg(result.description, result.error.userMessage());
            break;
        }
    }
    QString text = tr("%1, %2 failed: %3").arg(applied).arg(summary.failed).arg(first);
    if (summary.failed > 1)
        text += QLatin1Char(' ') + tr("(and %1 more, listed below)").arg(summary.failed - 1);
    return text + QLatin1Char('\n') +
           tr("Failed changes stay staged with their error; fix the cause and apply again, or undo them.");
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

#include "views/UsersPage.h"

#include "api/RbacAuthApi.h"
#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "models/ModelRoles.h"
#include "models/UsersModel.h"
#include "views/ColumnWidthMemory.h"
#include "views/MessageBox.h"
#include "views/UserAccessPanel.h"
#include "views/UserPasswordDialog.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

UsersPage::UsersPage(Directory* directory, ChangeSet* changeSet, UsersModel* model, QWidget* parent)
    : QWidget(parent), m_directory(directory), m_changeSet(changeSet), m_model(model)
{
    setObjectName(QStringLiteral("UsersPage"));
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(model);
    m_proxy->setSortRole(ModelRoles::ValueRole);
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(UsersModel::Username);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    m_filterEdit = new QLineEdit(this);
    m_filterEdit->setObjectName(QStringLiteral("filterEdit"));
    m_filterEdit->setClearButtonEnabled(true);
    m_filterEdit->setPlaceholderText(tr("Filter users by name…"));
    m_filterEdit->setAccessibleName(tr("User filter"));
    connect(m_filterEdit, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    m_newButton = new QPushButton(QIcon(QStringLiteral(":/icons/user.svg")), tr("&New user…"), this);
    m_newButton->setObjectName(QStringLiteral("newUserButton"));
    m_resetButton = new QPushButton(tr("&Reset password…"), this);
    m_resetButton->setObjectName(QStringLiteral("resetPasswordButton"));
    m_adminButton = new QPushButton(tr("Make &admin"), this);
    m_adminButton->setObjectName(QStringLiteral("adminButton"));
    m_deleteButton = new QPushButton(tr("&Delete…"), this);
    m_deleteButton->setObjectName(QStringLiteral("deleteUserButton"));
    m_addExistingButton = new QPushButton(tr("Add e&xisting user…"), this);
    m_addExistingButton->setObjectName(QStringLiteral("addExistingUserButton"));
    m_addExistingButton->setToolTip(tr("This server cannot list its users: look one up by name and remember it."));
    m_addExistingButton->hide();
    connect(m_addExistingButton, &QPushButton::clicked, this, &UsersPage::addExistingUser);
    m_authDatabaseButton = new QPushButton(tr("Connect to auth data&base…"), this);
    m_authDatabaseButton->setObjectName(QStringLiteral("authDatabaseButton"));
    m_authDatabaseButton->setToolTip(tr("Read every user and permission straight from the server's auth database "
                                        "(read-only)."));
    m_authDatabaseButton->hide();
    connect(m_authDatabaseButton, &QPushButton::clicked, this, &UsersPage::connectAuthDatabase);
    connect(m_newButton, &QPushButton::clicked, this, &UsersPage::newUser);
    connect(m_resetButton, &QPushButton::clicked, this, &UsersPage::resetPassword);
    connect(m_adminButton, &QPushButton::clicked, this, &UsersPage::toggleAdmin);
    connect(m_deleteButton, &QPushButton::clicked, this, &UsersPage::deleteUser);

    auto* top = new QHBoxLayout;
    top->addWidget(m_filterEdit, 1);
    top->addWidget(m_newButton);
    top->addWidget(m_resetButton);
    top->addWidget(m_adminButton);
    top->addWidget(m_deleteButton);

    m_sourceNote = new QLabel(this);
    m_sourceNote->setWordWrap(true);
    m_sourceNote->hide();

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("usersView"));
    m_view->setAccessibleName(tr("Users"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(UsersModel::Username, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setWordWrap(false);
    m_view->setTabKeyNavigation(false); // Tab leaves the table
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->setColumnWidth(UsersModel::Username, 200);
    m_view->setColumnWidth(UsersModel::Admin, 90);
    m_view->setColumnWidth(UsersModel::ExperimentGrants, 140);
    m_view->setColumnWidth(UsersModel::ModelGrants, 120);
    m_view->setColumnWidth(UsersModel::Roles, 160);
    new ColumnWidthMemory(m_view->horizontalHeader(), QStringLiteral("usersPage"));
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &UsersPage::updateActions);
    m_accessPanel = new UserAccessPanel(directory, changeSet, this);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] { m_accessPanel->setUser(currentUser()); });
    connect(m_view, &QTableView::doubleClicked, this, &UsersPage::resetPassword);

    auto* noteRow = new QHBoxLayout;
    noteRow->addWidget(m_sourceNote, 1);
    noteRow->addWidget(m_addExistingButton);
    noteRow->addWidget(m_authDatabaseButton);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(noteRow);
    auto* splitter = new QSplitter(this);
    splitter->addWidget(m_view);
    splitter->addWidget(m_accessPanel);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);

    setTabOrder(m_filterEdit, m_newButton);
    setTabOrder(m_newButton, m_resetButton);
    setTabOrder(m_resetButton, m_adminButton);
    setTabOrder(m_adminButton, m_deleteButton);
    setTabOrder(m_deleteButton, m_view);
    setTabOrder(m_view, m_accessPanel->view());

    if (m_directory) {
        connect(m_directory, &Directory::reset, this, &UsersPage::updateSourceNote);
        // Only 3.13+ has roles; an empty column on older servers would only raise questions.
        connect(m_directory, &Directory::reset, this, [this] {
            m_view->setColumnHidden(UsersModel::Roles, m_directory->generation() != ApiGeneration::Rbac);
        });
        connect(m_directory, &Directory::usersChanged, this, &UsersPage::updateActions);
        connect(m_directory, &Directory::userChanged, this, &UsersPage::updateActions);
    }
    if (m_changeSet)
        connect(m_changeSet, &ChangeSet::changed, this, &UsersPage::updateActions);
    updateSourceNote();
    updateActions();
    if (m_directory)
        m_view->setColumnHidden(UsersModel::Roles, m_directory->generation() != ApiGeneration::Rbac);
}

QString UsersPage::currentUser() const
{
    const QModelIndex index = m_view->currentIndex();
    return index.isValid() ? index.data(ModelRoles::UsernameRole).toString() : QString();
}

void UsersPage::selectUser(const QString& username)
{
    const QModelIndex source = m_model->indexFromUser(username);
    const QModelIndex index = m_proxy->mapFromSource(source);
    if (!index.isValid())
        return;
    m_view->setCurrentIndex(index);
    m_view->scrollTo(index);
}

QStringList UsersPage::userNames() const
{
    QStringList names;
    if (!m_directory)
        return names;
    names.reserve(m_directory->userCount());
    for (int row = 0; row < m_directory->userCount(); ++row)
        names.append(m_directory->userAt(row).username);
    if (m_changeSet) {
        for (const StagedUser& staged : m_changeSet->stagedUsers()) {
            if (staged.create)
                names.append(staged.username);
        }
    }
    return names;
}

void UsersPage::updateSourceNote()
{
    const bool knownUsersOnly = m_directory && m_directory->userSource() == ListingSource::KnownUsers;
    m_addExistingButton->setVisible(knownUsersOnly);
    m_authDatabaseButton->setVisible(knownUsersOnly);
    if (m_directory && m_directory->isMemberView()) {
        m_sourceNote->setText(tr("You are not an administrator: only an admin can create, delete or promote users, "
                                 "and the server shows you other users' access only on the experiments and models "
                                 "you manage (MLflow 2.x) or not at all (MLflow 3.13+). You can change your own "
                                 "password and grant access where you hold MANAGE."));
        m_sourceNote->show();
        return;
    }
    if (!m_directory || m_directory->userSource() == ListingSource::ServerApi) {
        m_sourceNote->hide();
        return;
    }
    // MLflow before 3.10 cannot list users: say where this list came from, since it may be incomplete.
    if (m_directory->userSource() == ListingSource::AuthDatabase)
        m_sourceNote->setText(tr("This server cannot list its users through its API; they were read from its auth "
                                 "database."));
    else
        m_sourceNote->setText(tr("This server cannot list its users through its API. The users shown are the ones "
                                 "this console has created or looked up, so some may be missing; connect to the "
                                 "server's auth database to see them all."));
    m_sourceNote->show();
}

void UsersPage::updateActions()
{
    const QString user = currentUser();
    // A user whose creation is staged can be edited too: that changes or drops the staged creation.
    const bool known = m_directory && !user.isEmpty() &&
                       (m_directory->hasUser(user) || (m_changeSet && m_changeSet->isStagedCreation(user)));
    const bool editable = m_changeSet && !m_changeSet->isApplying();
    // MLflow lets only admins create, delete and promote users; anyone may change their own password.
    const bool member = m_directory && m_directory->isMemberView();
    m_newButton->setEnabled(editable && !member);
    m_resetButton->setEnabled(editable && known && (!member || user == m_directory->viewer()));
    m_deleteButton->setEnabled(editable && known && !member);
    m_adminButton->setEnabled(editable && known && !member);
    const StagedUser* staged = m_changeSet && known ? m_changeSet->stagedUser(user) : nullptr;
    const bool admin = staged && staged->admin ? *staged->admin : (known && m_directory->isAdmin(user));
    m_adminButton->setText(admin ? tr("Remove &admin") : tr("Make &admin"));
}

void UsersPage::newUser()
{
    if (!m_changeSet || m_dialog)
        return;
    m_dialog = new UserPasswordDialog(UserPasswordDialog::Mode::NewUser, QString(), userNames(), this);
    // Said here, before anything is staged: MLflow 3.13+ refuses shorter passwords at creation.
    if (m_directory && m_directory->generation() == ApiGeneration::Rbac)
        m_dialog->setMinimumLength(RbacAuthApi::minimumPasswordLength);
    m_dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_dialog, &QDialog::accepted, this, [this, dialog = m_dialog] {
        if (!m_changeSet->stageCreateUser(dialog->username(), dialog->password(), dialog->makeAdmin()))
            MessageBox::warning(this, tr("New user"), tr("The user %1 could not be staged.").arg(dialog->username()));
    });
    m_dialog->open();
}

void UsersPage::resetPassword()
{
    const QString user = currentUser();
    if (!m_changeSet || m_dialog || user.isEmpty())
        return;
    m_dialog = new UserPasswordDialog(UserPasswordDialog::Mode::ResetPassword, user, {}, this);
    m_dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_dialog, &QDialog::accepted, this, [this, user, dialog = m_dialog] {
        if (!m_changeSet->stageResetPassword(user, dialog->password()))
            MessageBox::warning(this, tr("Reset password"), tr("The password reset could not be staged."));
    });
    m_dialog->open();
}

void UsersPage::toggleAdmin()
{
    const QString user = currentUser();
    if (!m_changeSet || !m_directory || user.isEmpty())
        return;
    const StagedUser* staged = m_changeSet->stagedUser(user);
    const bool admin = staged && staged->admin ? *staged->admin : m_directory->isAdmin(user);
    if (admin) {
        MessageBox::question(
            this, tr("Remove administrator"),
            tr("Remove administrator rights from %1? They keep only their explicit permissions.").arg(user),
            [this, user](MessageBox::Button answer) {
                if (answer == QMessageBox::Yes)
                    m_changeSet->stageSetAdmin(user, false);
            });
        return;
    }
    m_changeSet->stageSetAdmin(user, true);
}

void UsersPage::deleteUser()
{
    const QString user = currentUser();
    if (!m_changeSet || !m_directory || user.isEmpty())
        return;
    if (m_changeSet->isStagedCreation(user)) {
        const QList<StagedGrant> grants = m_changeSet->stagedGrants();
        const auto staged = std::count_if(grants.cbegin(), grants.cend(),
                                          [&user](const StagedGrant& grant) { return grant.cell.username == user; });
        MessageBox::question(
            this, tr("Delete user"),
            tr("%1 does not exist on the server yet. Drop the staged creation and the permissions staged for them "
               "(%2)?")
                .arg(user)
                .arg(staged),
            [this, user](MessageBox::Button answer) {
                if (answer == QMessageBox::Yes)
                    m_changeSet->stageDeleteUser(user);
            });
        return;
    }
    // Spell out what goes with the account: MLflow deletes its permission rows along with it.
    QStringList lost;
    if (m_directory->isAdmin(user))
        lost.append(tr("administrator rights"));
    QStringList details;
    for (const ResourceType type : {ResourceType::Experiment, ResourceType::RegisteredModel}) {
        for (const Grant& grant : m_directory->grantsOf(user, type)) {
            const int row = m_directory->resourceRow(type, grant.resourceId);
            const QString name = row >= 0 ? m_directory->resourceNameAt(type, row) : grant.resourceId;
            details.append(type == ResourceType::Experiment
                               ? tr("%1 on experiment %2").arg(Permissions::name(grant.level), name)
                               : tr("%1 on registered model %2").arg(Permissions::name(grant.level), name));
        }
    }
    const int experiments = m_directory->grantCount(user, ResourceType::Experiment);
    const int models = m_directory->grantCount(user, ResourceType::RegisteredModel);
    if (experiments > 0)
        lost.append(tr("experiment permissions: %1").arg(experiments));
    if (models > 0)
        lost.append(tr("registered model permissions: %1").arg(models));
    QString text = tr("Delete the user %1?").arg(user);
    if (!lost.isEmpty())
        text += QLatin1Char('\n') + tr("They lose %1.").arg(lost.join(QStringLiteral("; ")));
    text += QLatin1Char('\n') + tr("Experiments and models they created stay on the server.");
    MessageBox::question(
        this, tr("Delete user"), text,
        [this, user](MessageBox::Button answer) {
            if (answer == QMessageBox::Yes)
                m_changeSet->stageDeleteUser(user);
        },
        QMessageBox::Yes | QMessageBox::No, QMessageBox::No, details.join(QLatin1Char('\n')));
}

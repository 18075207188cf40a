#include "app/cli/UsersCommand.h"

#include "api/AuthApi.h"
#include "api/AuthDatabaseReader.h"
#include "api/KnownUsersRegistry.h"
#include "api/TrackingApi.h"
#include "app/cli/CliSession.h"
#include "app/cli/OutputWriter.h"
#include "app/cli/PasswordInput.h"
#include "models/AuditRecorder.h"

#include <QJsonArray>
#include <QJsonObject>

namespace {

QString sourceKey(ListingSource source)
{
    switch (source) {
    case ListingSource::ServerApi:
        return QStringLiteral("server_api");
    case ListingSource::AuthDatabase:
        return QStringLiteral("auth_database");
    case ListingSource::KnownUsers:
        return QStringLiteral("known_users");
    }
    return {};
}

std::optional<bool> parseYesNo(const QString& text)
{
    const QString value = text.toLower();
    if (value == QLatin1String("yes") || value == QLatin1String("true") || value == QLatin1String("on") ||
        value == QLatin1String("1"))
        return true;
    if (value == QLatin1String("no") || value == QLatin1String("false") || value == QLatin1String("off") ||
        value == QLatin1String("0"))
        return false;
    return std::nullopt;
}

CommandSpec usersSpec(const QString& sub, const QString& synopsis, const QString& description,
                      const QStringList& argumentNames, UsersCommand::Action action,
                      const QList<QCommandLineOption>& options = {})
{
    CommandSpec spec;
    spec.words = QStringList{QStringLiteral("users"), sub};
    spec.synopsis = synopsis;
    spec.description = description;
    spec.argumentNames = argumentNames;
    spec.options = options;
    spec.create = [action](CliContext* context) -> CliCommand* {
        return new UsersCommand(context, action);
    };
    return spec;
}

} // namespace

UsersCommand::UsersCommand(CliContext* context, Action action) : CliCommand(context), m_action(action) {}

UsersCommand::~UsersCommand() = default;

QList<CommandSpec> UsersCommand::specs()
{
    const QCommandLineOption generate(QStringLiteral("generate-password"),
                                      tr("Make a strong random password and print it once."));
    const QCommandLineOption admin(QStringLiteral("admin"), tr("Make the new user an administrator."));
    return {
        usersSpec(QStringLiteral("list"), QString(),
                  tr("list users (server users/list, --auth-db, or the known-users registry; says which)"), {},
                  Action::List),
        usersSpec(QStringLiteral("show"), QStringLiteral("NAME"), tr("show a user and their explicit grants"),
                  {QStringLiteral("NAME")}, Action::Show),
        usersSpec(QStringLiteral("create"), QStringLiteral("NAME [--admin] [--password-stdin | --generate-password]"),
                  tr("create a user; the password is asked twice unless given on stdin or generated"),
                  {QStringLiteral("NAME")}, Action::Create, {generate, admin}),
        usersSpec(QStringLiteral("delete"), QStringLiteral("NAME"), tr("delete a user and their grants"),
                  {QStringLiteral("NAME")}, Action::Delete),
        usersSpec(QStringLiteral("passwd"), QStringLiteral("NAME [--password-stdin | --generate-password]"),
                  tr("set a user's password"), {QStringLiteral("NAME")}, Action::Passwd, {generate}),
        usersSpec(QStringLiteral("set-admin"), QStringLiteral("NAME yes|no"),
                  tr("grant or remove administrator rights"), {QStringLiteral("NAME"), QStringLiteral("yes|no")},
                  Action::SetAdmin),
    };
}

bool UsersCommand::readsNewPasswordFromStdin() const
{
    return (m_action == Action::Create || m_action == Action::Passwd) && globalOptions().passwordStdin &&
           !isSet(QStringLiteral("generate-password"));
}

bool UsersCommand::prepare()
{
    if (m_action == Action::SetAdmin) {
        const auto value = parseYesNo(argument(1));
        if (!value) {
            fail(ExitCode::Usage, tr("Say whether %1 should be an administrator: `users set-admin %1 yes` or `no`, "
                                     "not '%2'.")
                                      .arg(argument(0), argument(1)));
            return false;
        }
        m_admin = *value;
    }
    if (m_action == Action::Create)
        m_admin = isSet(QStringLiteral("admin"));
    return true;
}

void UsersCommand::start()
{
    switch (m_action) {
    case Action::List:
        list();
        return;
    case Action::Show:
        show();
        return;
    case Action::Create:
        create();
        return;
    case Action::Delete:
        remove();
        return;
    case Action::Passwd:
        changePassword();
        return;
    case Action::SetAdmin:
        setAdmin();
        return;
    }
}

void UsersCommand::list()
{
    if (!session().authDatabaseUri().isEmpty()) {
        listFromAuthDatabase();
        return;
    }
    AuthApi* auth = session().auth();
    if (auth->canListUsers()) {
        UserListJob* job = auth->listUsers();
        connect(job, &ApiJob::finished, this, [this, job] {
            if (job->hasError()) {
                fail(job->error(), tr("Listing users failed"));
                return;
            }
            session().rememberUsers(job->value().users, KnownUsersRegistry::Origin::ServerListing);
            printListing(job->value(), QString());
        });
        return;
    }
    // MLflow before 3.10 cannot list users: show what this machine has learned about the server.
    QString error;
    KnownUsersRegistry* registry = session().knownUsers(&error);
    if (!registry) {
        fail(ExitCode::Other, tr("The known-users registry could not be opened: %1").arg(error));
        return;
    }
    session().rememberUser(session().probe().user, KnownUsersRegistry::Origin::LookedUp);
    const auto listing = registry->users(&error);
    if (!listing) {
        fail(ExitCode::Other, tr("The known-users registry could not be read: %1").arg(error));
        return;
    }
    out().note(tr("This server has no users/list endpoint (MLflow before 3.10), so only users this machine has "
                  "created or looked up are shown. Use --auth-db URI for the complete list."));
    printListing(*listing, session().knownUsersPath());
}

void UsersCommand::listFromAuthDatabase()
{
    QString error;
    const std::unique_ptr<AuthDatabaseReader> reader = session().openAuthDatabase(&error);
    if (!reader) {
        fail(ExitCode::Other, error);
        return;
    }
    const auto snapshot = reader->read(&error);
    if (!snapshot) {
        fail(ExitCode::Other, tr("The auth database could not be read: %1").arg(error));
        return;
    }
    if (snapshot->skippedRows > 0)
        out().note(tr("%n grant row(s) of the auth database were skipped (unknown permission or user).", nullptr,
                      snapshot->skippedRows));
    session().rememberUsers(snapshot->listing.users, KnownUsersRegistry::Origin::AuthDatabase);
    const auto location = AuthDatabaseLocation::fromUri(session().authDatabaseUri(), &error);
    printListing(snapshot->listing, location ? location->displayUri : QString());
}

void UsersCommand::printListing(const UserListing& listing, const QString& sourceDetail)
{
    const bool grantsKnown = listing.source == ListingSource::AuthDatabase;
    Table table;
    table.addColumn(QStringLiteral("username"), tr("User"));
    table.addColumn(QStringLiteral("id"), tr("Id"));
    table.addColumn(QStringLiteral("is_admin"), tr("Admin"));
    if (grantsKnown) {
        table.addColumn(QStringLiteral("experiment_grants"), tr("Experiment grants"));
        table.addColumn(QStringLiteral("model_grants"), tr("Model grants"));
    }
    for (const User& user : listing.users) {
        QVariantList row{user.username, user.id >= 0 ? QVariant(user.id) : QVariant(QString()), user.isAdmin};
        if (grantsKnown)
            row << static_cast<int>(user.experimentGrants.size()) << static_cast<int>(user.modelGrants.size());
        table.addRow(row);
    }
    const QString sourceName = Listing::sourceName(listing.source);
    if (out().isJson()) {
        out().json(QJsonObject{{QStringLiteral("source"), sourceKey(listing.source)},
                               {QStringLiteral("source_name"), sourceName},
                               {QStringLiteral("source_detail"), sourceDetail},
                               {QStringLiteral("users"), table.toJson()}});
    } else {
        const QString caption =
            sourceDetail.isEmpty()
                ? tr("%n user(s), source: %1", nullptr, static_cast<int>(listing.users.size())).arg(sourceName)
                : tr("%n user(s), source: %1 (%2)", nullptr, static_cast<int>(listing.users.size()))
                      .arg(sourceName, sourceDetail);
        out().table(table, caption);
    }
    done();
}

void UsersCommand::show()
{
    const QString username = argument(0);
    UserJob* userJob = session().auth()->getUser(username);
    connect(userJob, &ApiJob::finished, this, [this, userJob, username] {
        if (userJob->hasError()) {
            if (userJob->error().kind() == ApiError::Kind::NotFound) {
                session().forgetUser(username);
                fail(ExitCode::NotFound, tr("There is no user named '%1'. Check the spelling, or list the users "
                                            "with `users list`.")
                                             .arg(username));
                return;
            }
            fail(userJob->error(), tr("Looking up %1 failed").arg(username));
            return;
        }
        const User user = userJob->value();
        session().rememberUser(user, KnownUsersRegistry::Origin::LookedUp);
        // Grants name experiments by id; fetch the names so people can read them.
        ExperimentListJob* experiments = session().tracking()->searchExperiments(ViewType::All);
        connect(experiments, &ApiJob::finished, this, [this, experiments, user] {
            QHash<QString, QString> names;
            if (!experiments->hasError()) {
                for (const Experiment& experiment : experiments->value())
                    names.insert(experiment.id, experiment.name);
            }
            Table grants;
            grants.addColumn(QStringLiteral("resource_type"), tr("Type"));
            grants.addColumn(QStringLiteral("resource_id"), tr("Id"));
            grants.addColumn(QStringLiteral("resource_name"), tr("Name"));
            grants.addColumn(QStringLiteral("permission"), tr("Permission"));
            for (const Grant& grant : user.experimentGrants)
                grants.addRow({QStringLiteral("experiment"), grant.resourceId, names.value(grant.resourceId),
                               Permissions::name(grant.level)});
            for (const Grant& grant : user.modelGrants)
                grants.addRow({QStringLiteral("registered_model"), grant.resourceId, grant.resourceId,
                               Permissions::name(grant.level)});
            if (out().isJson()) {
                out().json(QJsonObject{{QStringLiteral("username"), user.username},
                                       {QStringLiteral("id"), user.id},
                                       {QStringLiteral("is_admin"), user.isAdmin},
                                       {QStringLiteral("grants"), grants.toJson()}});
            } else {
                out().line(tr("User %1 (id %2)%3")
                               .arg(user.username, QString::number(user.id),
                                    user.isAdmin ? tr(", administrator: full access to everything") : QString()));
                out().table(grants, tr("Explicit grants:"));
            }
            done();
        });
    });
}

bool UsersCommand::obtainNewPassword()
{
    const QString username = argument(0);
    if (isSet(QStringLiteral("generate-password"))) {
        m_newPassword = PasswordInput::generate();
        m_generated = true;
        return true;
    }
    if (globalOptions().passwordStdin) {
        const auto line = PasswordInput::readStdinLine();
        if (!line || line->isEmpty()) {
            fail(ExitCode::Usage,
                 tr("--password-stdin was given, but standard input holds no new password for %1.").arg(username));
            return false;
        }
        m_newPassword = *line;
        return true;
    }
    QString error;
    const auto typed = PasswordInput::promptNew(username, &error);
    if (!typed) {
        fail(ExitCode::Usage, error);
        return false;
    }
    if (typed->isEmpty()) {
        fail(ExitCode::Usage, tr("An empty password is not allowed. Run the command again."));
        return false;
    }
    m_newPassword = *typed;
    return true;
}

// These commands call the AuthApi directly (one call each, no planning needed); their audit entry is built here from
// the finished job, in the shape the ChangeSet's apply gives the recorder. The password is never part of it.
void UsersCommand::recordChange(const QString& kind, const QString& username, const QString& before,
                                const QString& after, const QString& description, const ApiJob* job)
{
    ChangeResult result;
    result.description = description;
    result.error = job->error();
    result.facts.kind = kind;
    result.facts.username = username;
    result.facts.before = before;
    result.facts.after = after;
    CallOutcome call;
    call.description = description;
    call.request = !job->lastRequest().isEmpty() ? job->lastRequest() : job->error().endpoint();
    call.httpStatus = job->lastHttpStatus() ? job->lastHttpStatus() : job->error().httpStatus();
    call.sent = !job->lastRequest().isEmpty();
    if (job->hasError())
        call.error = job->error().userMessage();
    result.calls.append(call);
    audit()->record({result});
}

void UsersCommand::create()
{
    const QString username = argument(0);
    if (!obtainNewPassword())
        return;
    UserJob* job = session().auth()->createUser(username, m_newPassword);
    connect(job, &ApiJob::finished, this, [this, job, username] {
        recordChange(QStringLiteral("user.create"), username, QStringLiteral("absent"), QStringLiteral("user"),
                     tr("Create user %1").arg(username), job);
        if (job->hasError()) {
            if (job->error().kind() == ApiError::Kind::AlreadyExists) {
                fail(ExitCode::Other, tr("A user named '%1' already exists. Pick another name, or change their "
                                         "password with `users passwd %1`.")
                                          .arg(username));
                return;
            }
            fail(job->error(), tr("Creating %1 failed").arg(username));
            return;
        }
        const User user = job->value();
        session().rememberUser(user, KnownUsersRegistry::Origin::Created);
        const auto report = [this, user] {
            if (out().isJson()) {
                QJsonObject object{{QStringLiteral("username"), user.username},
                                   {QStringLiteral("id"), user.id},
                                   {QStringLiteral("is_admin"), m_admin},
                                   {QStringLiteral("created"), true}};
                if (m_generated)
                    object.insert(QStringLiteral("generated_password"), m_newPassword);
                out().json(object);
            } else {
                out().line(m_admin ? tr("Created administrator %1 (id %2).").arg(user.username).arg(user.id)
                                   : tr("Created user %1 (id %2).").arg(user.username).arg(user.id));
                if (m_generated)
                    out().line(tr("Generated password (shown only now; store it safely): %1").arg(m_newPassword));
            }
            done();
        };
        if (!m_admin) {
            report();
            return;
        }
        ApiJob* adminJob = session().auth()->setAdmin(username, true);
        connect(adminJob, &ApiJob::finished, this, [this, adminJob, username, report] {
            recordChange(QStringLiteral("user.admin"), username, QStringLiteral("user"), QStringLiteral("admin"),
                         tr("Make %1 an administrator").arg(username), adminJob);
            if (adminJob->hasError()) {
                if (m_generated)
                    out().line(tr("Generated password (shown only now; store it safely): %1").arg(m_newPassword));
                fail(ExitCode::PartialFailure,
                     tr("%1 was created, but making them an administrator failed: %2 Retry with `users set-admin "
                        "%1 yes`.")
                         .arg(username, adminJob->error().userMessage()));
                return;
            }
            report();
        });
    });
}

void UsersCommand::remove()
{
    const QString username = argument(0);
    if (username == session().target().username) {
        fail(ExitCode::Usage, tr("You are signed in as %1 and cannot delete your own account. Sign in as another "
                                 "administrator to delete it.")
                                  .arg(username));
        return;
    }
    ApiJob* job = session().auth()->deleteUser(username);
    connect(job, &ApiJob::finished, this, [this, job, username] {
        recordChange(QStringLiteral("user.delete"), username, tr("not read"), QStringLiteral("absent"),
                     tr("Delete user %1").arg(username), job);
        if (job->hasError()) {
            if (job->error().kind() == ApiError::Kind::NotFound) {
                session().forgetUser(username);
                fail(ExitCode::NotFound,
                     tr("There is no user named '%1'; nothing was deleted. List the users with `users list`.")
                         .arg(username));
                return;
            }
            fail(job->error(), tr("Deleting %1 failed").arg(username));
            return;
        }
        session().forgetUser(username);
        if (out().isJson())
            out().json(QJsonObject{{QStringLiteral("username"), username}, {QStringLiteral("deleted"), true}});
        else
            out().line(tr("Deleted user %1 and their grants.").arg(username));
        done();
    });
}

void UsersCommand::changePassword()
{
    const QString username = argument(0);
    if (!obtainNewPassword())
        return;
    ApiJob* job = session().auth()->updatePassword(username, m_newPassword);
    connect(job, &ApiJob::finished, this, [this, job, username] {
        recordChange(QStringLiteral("user.password_reset"), username, QString(), QStringLiteral("password reset"),
                     tr("Reset the password of %1").arg(username), job);
        if (job->hasError()) {
            if (job->error().kind() == ApiError::Kind::NotFound) {
                fail(ExitCode::NotFound,
                     tr("There is no user named '%1'. List the users with `users list`.").arg(username));
                return;
            }
            fail(job->error(), tr("Changing the password of %1 failed").arg(username));
            return;
        }
        if (out().isJson()) {
            QJsonObject object{{QStringLiteral("username"), username}, {QStringLiteral("password_changed"), true}};
            if (m_generated)
                object.insert(QStringLiteral("generated_password"), m_newPassword);
            out().json(object);
        } else {
            out().line(tr("Changed the password of %1.").arg(username));
            if (m_generated)
                out().line(tr("Generated password (shown only now; store it safely): %1").arg(m_newPassword));
        }
        done();
    });
}

void UsersCommand::setAdmin()
{
    const QString username = argument(0);
    ApiJob* job = session().auth()->setAdmin(username, m_admin);
    connect(job, &ApiJob::finished, this, [this, job, username] {
        recordChange(
            QStringLiteral("user.admin"), username, tr("not read"),
            m_admin ? QStringLiteral("admin") : QStringLiteral("user"),
            m_admin ? tr("Make %1 an administrator").arg(username) : tr("Make %1 a regular user").arg(username), job);
        if (job->hasError()) {
            if (job->error().kind() == ApiError::Kind::NotFound) {
                fail(ExitCode::NotFound,
                     tr("There is no user named '%1'. List the users with `users list`.").arg(username));
                return;
            }
            fail(job->error(), tr("Changing the administrator flag of %1 failed").arg(username));
            return;
        }
        if (out().isJson())
            out().json(QJsonObject{{QStringLiteral("username"), username}, {QStringLiteral("is_admin"), m_admin}});
        else
            out().line(m_admin ? tr("%1 is now an administrator.").arg(username)
                               : tr("%1 is no longer an administrator.").arg(username));
        done();
    });
}

#include "api/LegacyAuthApi.h"

#include "api/Connection.h"
#include "api/JobChain.h"

#include <QJsonArray>

namespace {

const QString usersBase = QStringLiteral("/api/2.0/mlflow/users/");

QString permissionsBase(ResourceType type)
{
    return type == ResourceType::Experiment ? QStringLiteral("/api/2.0/mlflow/experiments/permissions/")
                                            : QStringLiteral("/api/2.0/mlflow/registered-models/permissions/");
}

// The parameter that names the resource: experiments by id, registered models by name.
QString resourceKey(ResourceType type)
{
    return type == ResourceType::Experiment ? QStringLiteral("experiment_id") : QStringLiteral("name");
}

QString responseKey(ResourceType type)
{
    return type == ResourceType::Experiment ? QStringLiteral("experiment_permission")
                                            : QStringLiteral("registered_model_permission");
}

ApiError emptyArgument(const QString& what)
{
    return ApiError(ApiError::Kind::InvalidRequest,
                    QCoreApplication::translate("LegacyAuthApi", "%1 is empty.").arg(what));
}

ApiError emptyUsername()
{
    return emptyArgument(QCoreApplication::translate("LegacyAuthApi", "The user name"));
}

ApiError emptyResource()
{
    return emptyArgument(QCoreApplication::translate("LegacyAuthApi", "The experiment id or model name"));
}

std::optional<User> parseUser(const ApiReply* reply, ApiError* error)
{
    const auto user = User::fromJson(reply->json().value(QLatin1String("user")).toObject());
    if (!user)
        *error = JobChain::unexpectedAnswer(reply, "user");
    return user;
}

} // namespace

LegacyAuthApi::LegacyAuthApi(Connection* connection, bool hasUsersList, QObject* parent)
    : AuthApi(connection, parent), m_hasUsersList(hasUsersList)
{}

UserJob* LegacyAuthApi::createUser(const QString& username, const QString& password)
{
    if (username.isEmpty())
        return JobChain::failSoon(new UserJob(connection()), emptyUsername());
    ApiReply* reply = connection()->post(usersBase + QLatin1String("create"), {{QStringLiteral("username"), username},
                                                                               {QStringLiteral("password"), password}});
    return JobChain::map<User>(reply, connection(), parseUser);
}

UserJob* LegacyAuthApi::getUser(const QString& username)
{
    if (username.isEmpty())
        return JobChain::failSoon(new UserJob(connection()), emptyUsername());
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("username"), username);
    ApiReply* reply = connection()->get(usersBase + QLatin1String("get"), query);
    return JobChain::map<User>(reply, connection(), parseUser);
}

ApiJob* LegacyAuthApi::deleteUser(const QString& username)
{
    if (username.isEmpty())
        return JobChain::failSoon(new ApiJob(connection()), emptyUsername());
    return connection()->deleteWithBody(usersBase + QLatin1String("delete"), {{QStringLiteral("username"), username}});
}

ApiJob* LegacyAuthApi::updatePassword(const QString& username, const QString& newPassword,
                                      const QString& currentPassword)
{
    if (username.isEmpty())
        return JobChain::failSoon(new ApiJob(connection()), emptyUsername());
    QJsonObject body{{QStringLiteral("username"), username}, {QStringLiteral("password"), newPassword}};
    // 3.0-3.12 ignore unknown fields, and a self-service change on newer servers needs it.
    if (!currentPassword.isEmpty())
        body.insert(QStringLiteral("current_password"), currentPassword);
    return connection()->patch(usersBase + QLatin1String("update-password"), body);
}

ApiJob* LegacyAuthApi::setAdmin(const QString& username, bool isAdmin)
{
    if (username.isEmpty())
        return JobChain::failSoon(new ApiJob(connection()), emptyUsername());
    // A JSON boolean: MLflow 2.15.1 fails with a 500 on the string "true".
    return connection()->patch(usersBase + QLatin1String("update-admin"),
                               {{QStringLiteral("username"), username}, {QStringLiteral("is_admin"), isAdmin}});
}

GrantJob* LegacyAuthApi::createGrant(const Grant& grant)
{
    if (grant.username.isEmpty())
        return JobChain::failSoon(new GrantJob(connection()), emptyUsername());
    if (grant.resourceId.isEmpty())
        return JobChain::failSoon(new GrantJob(connection()), emptyResource());
    const ResourceType type = grant.resourceType;
    ApiReply* reply = connection()->post(permissionsBase(type) + QLatin1String("create"),
                                         {{resourceKey(type), grant.resourceId},
                                          {QStringLiteral("username"), grant.username},
                                          {QStringLiteral("permission"), Permissions::name(grant.level)}});
    const QString username = grant.username;
    return JobChain::map<Grant>(reply, connection(), [type, username](const ApiReply* r, ApiError* error) {
        const auto parsed = Grant::fromJson(r->json().value(responseKey(type)).toObject(), type, username);
        if (!parsed)
            *error = JobChain::unexpectedAnswer(r, type == ResourceType::Experiment ? "experiment_permission"
                                                                                    : "registered_model_permission");
        return parsed;
    });
}

ApiJob* LegacyAuthApi::updateGrant(const Grant& grant)
{
    if (grant.username.isEmpty())
        return JobChain::failSoon(new ApiJob(connection()), emptyUsername());
    if (grant.resourceId.isEmpty())
        return JobChain::failSoon(new ApiJob(connection()), emptyResource());
    const ResourceType type = grant.resourceType;
    return connection()->patch(permissionsBase(type) + QLatin1String("update"),
                               {{resourceKey(type), grant.resourceId},
                                {QStringLiteral("username"), grant.username},
                                {QStringLiteral("permission"), Permissions::name(grant.level)}});
}

ApiJob* LegacyAuthApi::deleteGrant(const QString& username, ResourceType type, const QString& resourceId)
{
    if (username.isEmpty())
        return JobChain::failSoon(new ApiJob(connection()), emptyUsername());
    if (resourceId.isEmpty())
        return JobChain::failSoon(new ApiJob(connection()), emptyResource());
    return connection()->deleteWithBody(permissionsBase(type) + QLatin1String("delete"),
                                        {{resourceKey(type), resourceId}, {QStringLiteral("username"), username}});
}

GrantJob* LegacyAuthApi::getGrant(const QString& username, ResourceType type, const QString& resourceId)
{
    if (username.isEmpty())
        return JobChain::failSoon(new GrantJob(connection()), emptyUsername());
    if (resourceId.isEmpty())
        return JobChain::failSoon(new GrantJob(connection()), emptyResource());
    QUrlQuery query;
    query.addQueryItem(resourceKey(type), resourceId);
    query.addQueryItem(QStringLiteral("username"), username);
    ApiReply* reply = connection()->get(permissionsBase(type) + QLatin1String("get"), query);
    return JobChain::map<Grant>(reply, connection(), [type, username](const ApiReply* r, ApiError* error) {
        const auto parsed = Grant::fromJson(r->json().value(responseKey(type)).toObject(), type, username);
        if (!parsed)
            *error = JobChain::unexpectedAnswer(r, type == ResourceType::Experiment ? "experiment_permission"
                                                                                    : "registered_model_permission");
        return parsed;
    });
}

UserListJob* LegacyAuthApi::listUsers()
{
    if (!m_hasUsersList) {
        return JobChain::failSoon(
            new UserListJob(connection()),
            ApiError(ApiError::Kind::NotSupported,
                     tr("It has no users/list endpoint (added in MLflow 3.10); use the known-users registry or a "
                        "direct connection to the auth database.")));
    }
    ApiReply* reply = connection()->get(usersBase + QLatin1String("list"));
    return JobChain::map<UserListing>(reply, connection(), [](const ApiReply* r, ApiError*) {
        UserListing listing;
        listing.source = ListingSource::ServerApi;
        // An empty list may come back as {} (MLflow omits empty repeated fields).
        const QJsonArray users = r->json().value(QLatin1String("users")).toArray();
        for (const QJsonValue& value : users) {
            if (const auto user = User::fromJson(value.toObject()))
                listing.users.append(*user);
        }
        return std::optional<UserListing>(listing);
    });
}

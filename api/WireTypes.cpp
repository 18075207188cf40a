#include "api/WireTypes.h"

#include <QCoreApplication>
#include <QJsonArray>

namespace Listing {

QString sourceName(ListingSource source)
{
    switch (source) {
    case ListingSource::ServerApi:
        return QCoreApplication::translate("ListingSource", "server API");
    case ListingSource::AuthDatabase:
        return QCoreApplication::translate("ListingSource", "auth database");
    case ListingSource::KnownUsers:
        return QCoreApplication::translate("ListingSource", "known users");
    }
    return {};
}

} // namespace Listing

namespace Resources {

QString wireName(ResourceType type)
{
    return type == ResourceType::Experiment ? QStringLiteral("experiment") : QStringLiteral("registered_model");
}

std::optional<ResourceType> parseWireName(const QString& name)
{
    if (name == QLatin1String("experiment"))
        return ResourceType::Experiment;
    if (name == QLatin1String("registered_model"))
        return ResourceType::RegisteredModel;
    return std::nullopt;
}

} // namespace Resources

namespace WireJson {

qint64 toInt64(const QJsonValue& value, qint64 fallback)
{
    if (value.isDouble())
        return value.toInteger(fallback);
    if (value.isString()) {
        bool ok = false;
        const qint64 parsed = value.toString().toLongLong(&ok);
        return ok ? parsed : fallback;
    }
    return fallback;
}

} // namespace WireJson

std::optional<Grant> Grant::fromJson(const QJsonObject& object, ResourceType type, const QString& username)
{
    Grant grant;
    grant.resourceType = type;
    grant.username = username;
    grant.userId = WireJson::toInt64(object.value(QLatin1String("user_id")), -1);
    // Experiment ids are decimal strings on the wire, but be lenient with a number.
    const QJsonValue id =
        object.value(type == ResourceType::Experiment ? QLatin1String("experiment_id") : QLatin1String("name"));
    grant.resourceId = id.isDouble() ? QString::number(id.toInteger()) : id.toString();
    if (grant.resourceId.isEmpty())
        return std::nullopt;
    const auto level = Permissions::parse(object.value(QLatin1String("permission")).toString());
    if (!level)
        return std::nullopt;
    grant.level = *level;
    return grant;
}

std::optional<User> User::fromJson(const QJsonObject& object)
{
    User user;
    user.username = object.value(QLatin1String("username")).toString();
    if (user.username.isEmpty())
        return std::nullopt;
    user.id = WireJson::toInt64(object.value(QLatin1String("id")), -1);
    user.isAdmin = object.value(QLatin1String("is_admin")).toBool(false);
    const auto readGrants = [&](const char* key, ResourceType type, QList<Grant>* out) {
        const QJsonArray rows = object.value(QLatin1String(key)).toArray();
        for (const QJsonValue& row : rows) {
            // A row we cannot understand is skipped rather than failing the whole user.
            if (auto grant = Grant::fromJson(row.toObject(), type, user.username)) {
                if (grant->userId < 0)
                    grant->userId = user.id;
                out->append(*grant);
            }
        }
    };
    readGrants("experiment_permissions", ResourceType::Experiment, &user.experimentGrants);
    readGrants("registered_model_permissions", ResourceType::RegisteredModel, &user.modelGrants);
    for (const QJsonValue& value : object.value(QLatin1String("roles")).toArray()) {
        if (auto role = Role::fromJson(value.toObject()))
            user.roles.append(*role);
    }
    return user;
}

std::optional<RolePermission> RolePermission::fromJson(const QJsonObject& object)
{
    const auto level = Permissions::parse(object.value(QLatin1String("permission")).toString());
    const QString type = object.value(QLatin1String("resource_type")).toString();
    if (!level || type.isEmpty())
        return std::nullopt;
    RolePermission permission;
    permission.id = WireJson::toInt64(object.value(QLatin1String("id")), -1);
    permission.roleId = WireJson::toInt64(object.value(QLatin1String("role_id")), -1);
    permission.resourceType = type;
    permission.resourcePattern = object.value(QLatin1String("resource_pattern")).toString();
    permission.level = *level;
    return permission;
}

bool Role::isHiddenUserRoleName(const QString& name)
{
    // MLflow reserves the whole "__user_" prefix; its own rows are __user_<id>__.
    return name.startsWith(QLatin1String("__user_"));
}

QString Role::hiddenUserRoleName(qint64 userId)
{
    return QStringLiteral("__user_%1__").arg(userId);
}

std::optional<Role> Role::fromJson(const QJsonObject& object)
{
    Role role;
    role.id = WireJson::toInt64(object.value(QLatin1String("id")), -1);
    role.name = object.value(QLatin1String("name")).toString();
    if (role.id < 0 || role.name.isEmpty())
        return std::nullopt;
    role.workspace = object.value(QLatin1String("workspace")).toString();
    role.description = object.value(QLatin1String("description")).toString();
    for (const QJsonValue& value : object.value(QLatin1String("permissions")).toArray()) {
        if (auto permission = RolePermission::fromJson(value.toObject()))
            role.permissions.append(*permission);
    }
    return role;
}

std::optional<PermissionRow> PermissionRow::fromJson(const QJsonObject& object)
{
    const auto level = Permissions::parse(object.value(QLatin1String("permission")).toString());
    if (!level)
        return std::nullopt;
    PermissionRow row;
    row.roleId = WireJson::toInt64(object.value(QLatin1String("role_id")), -1);
    row.roleName = object.value(QLatin1String("role_name")).toString();
    row.workspace = object.value(QLatin1String("workspace")).toString();
    row.resourceType = object.value(QLatin1String("resource_type")).toString();
    row.resourcePattern = object.value(QLatin1String("resource_pattern")).toString();
    row.level = *level;
    return row;
}

std::optional<Experiment> Experiment::fromJson(const QJsonObject& object)
{
    Experiment experiment;
    const QJsonValue id = object.value(QLatin1String("experiment_id"));
    experiment.id = id.isDouble() ? QString::number(id.toInteger()) : id.toString();
    if (experiment.id.isEmpty())
        return std::nullopt;
    experiment.name = object.value(QLatin1String("name")).toString();
    experiment.lifecycleStage = object.value(QLatin1String("lifecycle_stage")).toString(QStringLiteral("active"));
    experiment.creationTime = WireJson::toInt64(object.value(QLatin1String("creation_time")));
    experiment.lastUpdateTime = WireJson::toInt64(object.value(QLatin1String("last_update_time")));
    experiment.artifactLocation = object.value(QLatin1String("artifact_location")).toString();
    const QJsonArray tags = object.value(QLatin1String("tags")).toArray();
    for (const QJsonValue& tag : tags) {
        const QJsonObject pair = tag.toObject();
        const QString key = pair.value(QLatin1String("key")).toString();
        if (!key.isEmpty())
            experiment.tags.insert(key, pair.value(QLatin1String("value")).toString());
    }
    return experiment;
}

std::optional<RegisteredModel> RegisteredModel::fromJson(const QJsonObject& object)
{
    RegisteredModel model;
    model.name = object.value(QLatin1String("name")).toString();
    if (model.name.isEmpty())
        return std::nullopt;
    model.creationTimestamp = WireJson::toInt64(object.value(QLatin1String("creation_timestamp")));
    model.lastUpdatedTimestamp = WireJson::toInt64(object.value(QLatin1String("last_updated_timestamp")));
    model.description = object.value(QLatin1String("description")).toString();
    return model;
}

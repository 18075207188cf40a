#pragma once

#include "api/PermissionLevel.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>

#include <optional>

// Where a listing came from. MLflow before 3.10 has no users/list, so a console shows users from one of several
// sources and must always say which one.
enum class ListingSource { ServerApi, AuthDatabase, KnownUsers };

namespace Listing {
// A translated, human name of the source ("server API", "auth database", "known users").
QString sourceName(ListingSource source);
} // namespace Listing

// The two kinds of resource a legacy (2.x - 3.12) grant applies to.
enum class ResourceType { Experiment, RegisteredModel };

namespace Resources {
// The 3.13+ wire name: "experiment" or "registered_model".
QString wireName(ResourceType type);
std::optional<ResourceType> parseWireName(const QString& name);
} // namespace Resources

// One explicit permission row: a user's level on one experiment (by id) or registered model (by name).
struct Grant
{
    QString username;   // empty when the server only told us the numeric id
    qint64 userId = -1; // -1 when unknown
    ResourceType resourceType = ResourceType::Experiment;
    QString resourceId; // experiment id (decimal string) or registered model name
    PermissionLevel level = PermissionLevel::NoPermissions;

    // Parses {"experiment_id", "user_id", "permission"} or {"name", "user_id", "permission"}. Unknown permission
    // strings make it fail, because guessing a level would misreport access.
    static std::optional<Grant> fromJson(const QJsonObject& object, ResourceType type, const QString& username = {});

    friend bool operator==(const Grant& a, const Grant& b)
    {
        return a.username == b.username && a.userId == b.userId && a.resourceType == b.resourceType &&
               a.resourceId == b.resourceId && a.level == b.level;
    }
};

// MLflow 3.12+: one permission of a role, on one resource (`resourcePattern` an id or name) or on every resource
// of its type ("*"). resourceType is the wire name: experiment, registered_model, prompt, workspace, ...
struct RolePermission
{
    qint64 id = -1;
    qint64 roleId = -1;
    QString resourceType;
    QString resourcePattern;
    PermissionLevel level = PermissionLevel::NoPermissions;

    static constexpr const char* allResources = "*";
    bool isPattern() const { return resourcePattern == QLatin1String(allResources); }
    // Parses {"id","role_id","resource_type","resource_pattern","permission"}; fails on an unknown permission.
    static std::optional<RolePermission> fromJson(const QJsonObject& object);
};

// MLflow 3.12+: a named set of permissions in one workspace, assigned to users. MLflow 3.13+ keeps each user's
// direct grants in a hidden role named __user_<id>__ in every workspace where the user holds one.
struct Role
{
    qint64 id = -1;
    QString name;
    QString workspace;
    QString description;
    QList<RolePermission> permissions;

    bool isHiddenUserRole() const { return isHiddenUserRoleName(name); }
    static bool isHiddenUserRoleName(const QString& name);
    static QString hiddenUserRoleName(qint64 userId);
    static std::optional<Role> fromJson(const QJsonObject& object);
};

// MLflow 3.13+: one row of users/permissions/list or users/current/permissions: a permission the user holds, and
// the role (hidden or named) that carries it.
struct PermissionRow
{
    qint64 roleId = -1;
    QString roleName;
    QString workspace;
    QString resourceType;
    QString resourcePattern;
    PermissionLevel level = PermissionLevel::NoPermissions;

    bool isDirectGrant() const { return Role::isHiddenUserRoleName(roleName); }
    static std::optional<PermissionRow> fromJson(const QJsonObject& object);
};

struct User
{
    qint64 id = -1; // -1 when the source does not know it
    QString username;
    bool isAdmin = false;
    QList<Grant> experimentGrants;
    QList<Grant> modelGrants;
    QList<Role> roles; // 3.13+ users/list: the roles visible to the caller, hidden ones included for admins

    // Parses MLflow's User object. 2.x embeds the permission arrays; 3.13+ and users/list omit them, and
    // 3.10-3.12 users/list omits is_admin: missing fields keep their defaults. Fails only without a username.
    static std::optional<User> fromJson(const QJsonObject& object);
};

struct Experiment
{
    QString id;
    QString name;
    QString lifecycleStage;    // "active" or "deleted"
    qint64 creationTime = 0;   // ms since the epoch; 0 when absent
    qint64 lastUpdateTime = 0; // ms since the epoch; 0 when absent
    QString artifactLocation;
    QMap<QString, QString> tags;

    bool isDeleted() const { return lifecycleStage == QLatin1String("deleted"); }
    static std::optional<Experiment> fromJson(const QJsonObject& object);
};

struct RegisteredModel
{
    QString name;
    qint64 creationTimestamp = 0;
    qint64 lastUpdatedTimestamp = 0;
    QString description;

    static std::optional<RegisteredModel> fromJson(const QJsonObject& object);
};

// A list of users together with the place it was read from.
struct UserListing
{
    QList<User> users;
    ListingSource source = ListingSource::ServerApi;
};

// MLflow's ViewType for experiment searches.
enum class ViewType { ActiveOnly, DeletedOnly, All };

namespace WireJson {
// MLflow sends int64 as JSON numbers, but proto3 JSON allows strings; accept both.
qint64 toInt64(const QJsonValue& value, qint64 fallback = 0);
} // namespace WireJson

Q_DECLARE_METATYPE(User)
Q_DECLARE_METATYPE(Role)
Q_DECLARE_METATYPE(Grant)
Q_DECLARE_METATYPE(Experiment)
Q_DECLARE_METATYPE(RegisteredModel)

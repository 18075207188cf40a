#pragma once

#include "api/AuthApi.h"
#include "api/PermissionLevel.h"
#include "api/WireTypes.h"
#include "models/EffectivePermission.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>

class Directory;

// Who can access what on one server at one time, with the reason for every cell: what `snapshot save` writes,
// `diff` compares and the reports print. It is a plain value, cut loose from the Directory it was taken from, so
// it can be kept, saved and read back (the JSON format is in docs/snapshot-format.md).
//
// Only cells with something to say are stored, chosen as `matrix --format csv` chooses them: every cell the user
// can read, and every explicit grant (also NO_PERMISSIONS rows of 2.x). Every other (user, resource) is the server's
// default permission, at a level that does not allow reading (or unknown); permission() answers for both.
class AccessSnapshot
{
public:
    static constexpr const char* formatName = "mlflow-admin-snapshot";
    static constexpr int formatVersion = 1;

    // What the Directory does not know about where it was loaded from; the caller fills it in.
    struct Origin
    {
        QString serverUrl;
        QString mlflowVersion; // GET /version; empty when the server did not tell
        QString workspace;     // the X-MLFLOW-WORKSPACE the load used; empty for none
        QString mlflowAccount; // who signed in; empty takes the Directory's viewer
        QString localAccount;  // the OS account; empty takes the current one
        QDateTime takenAt;     // invalid takes now
    };

    struct UserEntry
    {
        QString username;
        bool isAdmin = false;
    };

    struct ResourceEntry
    {
        ResourceType type = ResourceType::Experiment;
        QString id; // experiment id, or the registered model's name
        QString name;
    };

    struct Cell
    {
        QString username;
        ResourceType type = ResourceType::Experiment;
        QString resourceId;
        EffectivePermission permission;
    };

    AccessSnapshot() = default;

    // The Directory's picture as it is now (item order: the Directory's rows).
    static AccessSnapshot fromDirectory(const Directory& directory, const Origin& origin);

    // The documented JSON (indented, UTF-8).
    QByteArray toJson() const;
    // Reads what toJson() wrote. Without a value, `error` says what is wrong with the data and what to do
    // (not JSON, not a snapshot, a newer format version, a missing or invalid field).
    static std::optional<AccessSnapshot> fromJson(const QByteArray& data, QString* error);
    // toJson() into `path`, owner-only from the start (PrivateFiles); false with a translated `error`.
    bool writeFile(const QString& path, QString* error) const;
    // fromJson() of the file at `path`; without a value, `error` names the file, what is wrong and what to do.
    static std::optional<AccessSnapshot> readFile(const QString& path, QString* error);

    // Header.
    QString serverUrl() const { return m_origin.serverUrl; }
    QString mlflowVersion() const { return m_origin.mlflowVersion; }
    ApiGeneration generation() const { return m_generation; }
    QString workspace() const { return m_origin.workspace; }
    QDateTime takenAt() const { return m_origin.takenAt; } // UTC
    QString mlflowAccount() const { return m_origin.mlflowAccount; }
    QString localAccount() const { return m_origin.localAccount; }
    std::optional<PermissionLevel> defaultPermission() const { return m_defaultPermission; }
    // Whether the default permission is the server's configuration rather than the admin's assumption.
    bool isDefaultPermissionStated() const { return m_defaultPermissionStated; }
    // False when the account was not an admin: the server then showed only part of the picture, and cells it did
    // not show are missing rather than default.
    bool isComplete() const { return m_complete; }
    // The name filters the load used (Directory::experimentNameFilter()); empty when everything was loaded.
    QString experimentNameFilter() const { return m_experimentNameFilter; }
    QString modelNameFilter() const { return m_modelNameFilter; }

    const QList<UserEntry>& users() const { return m_users; }
    const QList<ResourceEntry>& resources() const { return m_resources; }
    // In user order, then resource order.
    const QList<Cell>& cells() const { return m_cells; }

    const UserEntry* user(const QString& username) const;
    const ResourceEntry* resource(ResourceType type, const QString& id) const;
    // The stored cell, or nullptr where the default permission applies.
    const Cell* cell(const QString& username, ResourceType type, const QString& resourceId) const;
    // What any (user, resource) of the snapshot was: the stored cell, else the default permission (Source
    // DefaultPermission, or Unknown when the default was not known).
    EffectivePermission permission(const QString& username, ResourceType type, const QString& resourceId) const;

    // "admin", "explicit_grant", "role", "default_permission", "not_visible", "unknown": the keys of the file
    // and of `matrix`/`access` output.
    static QString sourceKey(EffectivePermission::Source source);
    static std::optional<EffectivePermission::Source> parseSourceKey(const QString& key);
    // "legacy" (MLflow 2.x - 3.12), "rbac" (3.13+), "unknown".
    static QString generationKey(ApiGeneration generation);
    // The OS account running this program.
    static QString currentLocalAccount();

private:
    void buildIndexes();
    static QString cellKey(const QString& username, ResourceType type, const QString& resourceId);

    Origin m_origin;
    ApiGeneration m_generation = ApiGeneration::Unknown;
    std::optional<PermissionLevel> m_defaultPermission;
    bool m_defaultPermissionStated = false;
    bool m_complete = true;
    QString m_experimentNameFilter;
    QString m_modelNameFilter;
    QList<UserEntry> m_users;
    QList<ResourceEntry> m_resources;
    QList<Cell> m_cells;
    QHash<QString, int> m_userIndex;
    QHash<QString, int> m_resourceIndex;
    QHash<QString, int> m_cellIndex;
};

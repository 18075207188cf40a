#pragma once

#include "models/AccessSnapshot.h"

#include <QList>
#include <QString>

#include <array>
#include <optional>

// What a report for people says about one snapshot: a summary, the distribution of permission levels and, per
// resource, who has which level and why. Worked out once here so that every format (PDF, HTML, CSV, JSON, the
// console's Export) says the same; the writers in reports/ only lay it out.
class AccessReport
{
public:
    // What the report covers: everything, or one user, experiment or registered model.
    struct Scope
    {
        enum class Kind { All, User, Experiment, Model };
        Kind kind = Kind::All;
        QString name; // user name; experiment name or id; model name

        QString text() const; // "all users and resources", "user alice", "experiment /team/x"
    };

    struct Summary
    {
        int users = 0;
        QStringList admins;
        int experiments = 0;
        int models = 0;
        // Experiments some non-admin user can read only because of the server's default permission.
        QStringList experimentsReadableByDefault;
        // Non-admin users without a direct grant or role on any resource in scope.
        QStringList usersWithoutGrant;
        // Resources on which no user other than an admin has MANAGE.
        QStringList resourcesNobodyManages;
    };

    // How many (user, resource) pairs in scope have each level, split by where the level comes from.
    struct LevelCount
    {
        PermissionLevel level = PermissionLevel::NoPermissions;
        int admin = 0;
        int explicitGrant = 0;
        int role = 0;
        int byDefault = 0; // the default permission (or unknown when it is not known)
        int total() const { return admin + explicitGrant + role + byDefault; }
    };

    struct Row
    {
        QString username;
        bool isAdmin = false;
        EffectivePermission permission;
    };

    struct ResourceSection
    {
        AccessSnapshot::ResourceEntry resource;
        QList<Row> rows; // the users with a stored cell, in the snapshot's user order
        int usersAtDefault = 0;
    };

    // Without a value, `error` says which user or resource the scope names that the snapshot lacks.
    static std::optional<AccessReport> build(const AccessSnapshot& snapshot, const Scope& scope, QString* error);

    const AccessSnapshot& snapshot() const { return m_snapshot; }
    const Scope& scope() const { return m_scope; }
    const Summary& summary() const { return m_summary; }
    // Highest level first: MANAGE, EDIT, USE, READ, NO_PERMISSIONS.
    const QList<LevelCount>& distribution() const { return m_distribution; }
    // Pairs whose level the snapshot cannot say (the default permission was not known, or not shown).
    int unknownPairs() const { return m_unknownPairs; }
    const QList<ResourceSection>& sections() const { return m_sections; }
    // "READ as the server's default permission", or that it is not known.
    QString defaultPermissionText() const;

    static QString resourceTypeText(ResourceType type); // "Experiment", "Registered model"

private:
    AccessSnapshot m_snapshot;
    Scope m_scope;
    Summary m_summary;
    QList<LevelCount> m_distribution;
    QList<ResourceSection> m_sections;
    int m_unknownPairs = 0;
};

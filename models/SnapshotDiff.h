#pragma once

#include "models/AccessSnapshot.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

// What changed between two access snapshots of a server: who gained, lost or changed access to what and through
// what, which users and resources came or went, and what changed in the header (default permission, version).
// `diff A B`, `diff A --live` and the console's Compare mode show it; the JSON is in docs/snapshot-format.md.
class SnapshotDiff
{
public:
    enum class Change {
        Gained,        // could not read before, can now
        Lost,          // could read before, cannot now
        LevelChanged,  // another level (e.g. READ -> EDIT)
        ReasonChanged, // the same level for another reason (e.g. a role now gives what a direct grant gave)
    };

    struct CellChange
    {
        QString username;
        ResourceType type = ResourceType::Experiment;
        QString resourceId;
        QString resourceName;
        Change change = Change::LevelChanged;
        // nullopt when the user or the resource did not exist on that side.
        std::optional<EffectivePermission> before;
        std::optional<EffectivePermission> after;
    };

    struct HeaderChange
    {
        QString field;  // "server_url", "mlflow_version", "api_generation", "workspace", "default_permission"
        QString before; // empty for none / unknown
        QString after;
    };

    struct AdminChange
    {
        QString username;
        bool wasAdmin = false;
    };

    static SnapshotDiff compare(const AccessSnapshot& before, const AccessSnapshot& after);
    // The rule compare() applies to one cell (nullopt: no change), for views that compare a live cell with a
    // snapshot. A side is nullopt where its user or resource did not exist; two unreadable defaults never differ.
    static std::optional<Change> compareCell(const std::optional<EffectivePermission>& before,
                                             const std::optional<EffectivePermission>& after);
    // The snapshot's side of a cell: its permission, or nullopt when the user or the resource is not in it.
    static std::optional<EffectivePermission> sideOf(const AccessSnapshot& snapshot, const QString& username,
                                                     ResourceType type, const QString& resourceId);

    // No difference at all: what makes `diff` exit 0.
    bool isEmpty() const;

    const QList<HeaderChange>& headerChanges() const { return m_headerChanges; }
    const QList<AccessSnapshot::UserEntry>& addedUsers() const { return m_addedUsers; }
    const QList<AccessSnapshot::UserEntry>& removedUsers() const { return m_removedUsers; }
    const QList<AdminChange>& adminChanges() const { return m_adminChanges; }
    const QList<AccessSnapshot::ResourceEntry>& addedResources() const { return m_addedResources; }
    const QList<AccessSnapshot::ResourceEntry>& removedResources() const { return m_removedResources; }
    // In user order, then resource order (the later snapshot's, with what only the earlier had after it).
    const QList<CellChange>& cellChanges() const { return m_cellChanges; }
    // The change of one cell, or nullptr when it did not change.
    const CellChange* cellChange(const QString& username, ResourceType type, const QString& resourceId) const;

    // The documented JSON object (see docs/snapshot-format.md, "Differences"); `beforeLabel` / `afterLabel` say
    // where each side came from (a file name, "live").
    QJsonObject toJson(const AccessSnapshot& before, const QString& beforeLabel, const AccessSnapshot& after,
                       const QString& afterLabel) const;

    // "gained", "lost", "changed", "reason_changed".
    static QString changeKey(Change change);
    // Short text for a cell, not relying on colour: "+READ", "−MANAGE", "READ→EDIT", "READ (reason)".
    static QString changeText(const CellChange& change);
    static QString changeText(Change change, const std::optional<EffectivePermission>& before,
                              const std::optional<EffectivePermission>& after);
    // One side of a cell as a sentence: its reason, or "did not exist".
    static QString sideText(const std::optional<EffectivePermission>& side);

private:
    static QString levelText(const std::optional<EffectivePermission>& side);

    QList<HeaderChange> m_headerChanges;
    QList<AccessSnapshot::UserEntry> m_addedUsers;
    QList<AccessSnapshot::UserEntry> m_removedUsers;
    QList<AdminChange> m_adminChanges;
    QList<AccessSnapshot::ResourceEntry> m_addedResources;
    QList<AccessSnapshot::ResourceEntry> m_removedResources;
    QList<CellChange> m_cellChanges;
    QHash<QString, int> m_cellIndex;
};

#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>

#include <optional>

// MLflow 3.14's workspaces (`--enable-workspaces`): the `workspaces` table of the tracking database, seeded with
// `default`, and what deleting a workspace does to the experiments and registered models that belong to it. The
// tracking tables must exist already (construct TrackingStore first). Errors are MlflowError with 3.14's messages.
class WorkspaceStore
{
public:
    enum class DeletionMode { Restrict, Cascade, SetDefault };

    explicit WorkspaceStore(QSqlDatabase database);

    // Throws 400 INVALID_PARAMETER_VALUE with MLflow's message for a malformed or reserved name.
    static void validateName(const QString& name);
    // RESTRICT (also when no mode is given), CASCADE or SET_DEFAULT; anything else, `?mode=` included, is 400.
    static DeletionMode parseDeletionMode(const std::optional<QString>& text);

    bool exists(const QString& name) const;
    QJsonArray list() const;                          // sorted by name
    QJsonObject workspace(const QString& name) const; // 404 "Workspace 'x' not found"
    // Unset fields stay NULL and are left out of the JSON, as MLflow's proto does.
    QJsonObject create(const QString& name, const std::optional<QString>& description,
                       const std::optional<QString>& defaultArtifactRoot);
    QJsonObject update(const QString& name, const std::optional<QString>& description,
                       const std::optional<QString>& defaultArtifactRoot);
    // In one transaction: RESTRICT refuses while resources remain, CASCADE deletes them (with their runs), and
    // SET_DEFAULT moves them to `default` unless a name would clash there. The caller drops the roles.
    void remove(const QString& name, DeletionMode mode);

private:
    QSqlDatabase m_db;
};

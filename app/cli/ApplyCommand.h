#pragma once

#include "api/PermissionLevel.h"
#include "api/WireTypes.h"
#include "app/cli/CliCommand.h"
#include "app/cli/DirectoryLoader.h"

#include <memory>
#include <optional>

class ChangeSet;

// `apply FILE.csv [--dry-run]`: rows of user, resource_type, resource, level describe the explicit grants wanted;
// the command compares them with the server, shows the difference, applies it and reports each row.
class ApplyCommand : public CliCommand
{
    Q_OBJECT

public:
    // One CSV row, as read and then as resolved against the server.
    struct Row
    {
        int line = 0; // 1-based line in the file
        QString username;
        ResourceType type = ResourceType::Experiment;
        QString resource;                      // as written: experiment id or name, model name
        std::optional<PermissionLevel> target; // nullopt: no explicit grant (revoke)
        QString resourceId;                    // resolved
        QString resourceName;                  // resolved
        std::optional<PermissionLevel> current;
        QString action; // "create", "update", "revoke", "unchanged"
        QString status; // "applied", "failed", "unchanged", "planned"
        QString error;
    };

    using CliCommand::CliCommand;
    ~ApplyCommand() override;
    static QList<CommandSpec> specs();
    // Parses the CSV text; false with one translated line per problem. Rows of a `matrix`/`report` export whose
    // source says the level is not an explicit grant (admin, role, default) are left out, each with a line in
    // `skipped`: `apply` sets explicit grants only.
    static bool parseCsv(const QString& text, QList<Row>* rows, QStringList* problems, QStringList* skipped);

    bool prepare() override;
    void start() override;

private:
    bool resolveRows(QStringList* notFound);
    // Every user the file names, so that the load can look up those the known-users registry lacks.
    QStringList namedUsers() const;
    void printPlan(bool applied);
    void onApplied();

    QList<Row> m_rows;
    std::unique_ptr<DirectoryLoader> m_loader;
    std::unique_ptr<ChangeSet> m_changes;
};

#include "app/cli/ApplyCommand.h"

#include "app/cli/CliSession.h"
#include "app/cli/GrantsCommand.h"
#include "app/cli/OutputWriter.h"
#include "models/ChangeSet.h"

#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

namespace {

// RFC 4180 records: commas, double quotes with "" inside, CRLF or LF line ends. Each record keeps its first line.
QList<QPair<int, QStringList>> splitCsv(const QString& text)
{
    QList<QPair<int, QStringList>> records;
    QStringList fields;
    QString field;
    bool quoted = false;
    bool fieldStarted = false;
    int line = 1;
    int recordLine = 1;
    const auto endRecord = [&] {
        if (fieldStarted || !fields.isEmpty()) {
            fields.append(field);
            records.append({recordLine, fields});
        }
        fields.clear();
        field.clear();
        fieldStarted = false;
    };
    for (int i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == QLatin1Char('"')) {
                if (i + 1 < text.size() && text.at(i + 1) == QLatin1Char('"')) {
                    field.append(c);
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                if (c == QLatin1Char('\n'))
                    ++line;
                field.append(c);
            }
            continue;
        }
        if (c == QLatin1Char('"')) {
            quoted = true;
            fieldStarted = true;
        } else if (c == QLatin1Char(',')) {
            fields.append(field);
            field.clear();
            fieldStarted = true;
        } else if (c == QLatin1Char('\n')) {
            endRecord();
            ++line;
            recordLine = line;
        } else if (c != QLatin1Char('\r')) {
            field.append(c);
            fieldStarted = true;
        }
    }
    endRecord();
    return records;
}

std::optional<ResourceType> parseType(const QString& text)
{
    const QString type = text.trimmed().toLower();
    if (type == QLatin1String("experiment"))
        return ResourceType::Experiment;
    if (type == QLatin1String("registered_model") || type == QLatin1String("model") ||
        type == QLatin1String("registered-model"))
        return ResourceType::RegisteredModel;
    return std::nullopt;
}

QJsonValue levelJson(std::optional<PermissionLevel> level)
{
    return level ? QJsonValue(Permissions::name(*level)) : QJsonValue(QJsonValue::Null);
}

QString levelText(std::optional<PermissionLevel> level)
{
    return level ? Permissions::name(*level) : QCoreApplication::translate("ApplyCommand", "(none)");
}

// A file with thousands of bad rows must not bury the terminal: the first problems and a count of the rest.
QString capped(const QStringList& problems)
{
    constexpr qsizetype shown = 20;
    if (problems.size() <= shown)
        return problems.join(QLatin1Char('\n'));
    return problems.mid(0, shown).join(QLatin1Char('\n')) + QLatin1Char('\n') +
           QCoreApplication::translate("ApplyCommand", "... and %n more problem(s) not shown.", nullptr,
                                       static_cast<int>(problems.size() - shown));
}

} // namespace

ApplyCommand::~ApplyCommand() = default;

QList<CommandSpec> ApplyCommand::specs()
{
    CommandSpec spec;
    spec.words = QStringList{QStringLiteral("apply")};
    spec.synopsis = QStringLiteral("FILE.csv [--dry-run]");
    spec.description = tr("set explicit grants from CSV rows user,resource_type,resource,level (empty level or "
                          "REVOKE removes the grant); shows the difference, then applies it");
    spec.argumentNames = QStringList{QStringLiteral("FILE.csv")};
    spec.options = {{QStringLiteral("dry-run"), tr("Show the difference only; change nothing.")}};
    spec.create = [](CliContext* context) -> CliCommand* {
        return new ApplyCommand(context);
    };
    return {spec};
}

bool ApplyCommand::parseCsv(const QString& text, QList<Row>* rows, QStringList* problems, QStringList* skipped)
{
    const auto records = splitCsv(text);
    QHash<QString, int> seen; // cell -> first line, to catch contradicting rows
    // Fields a header may name after the level: what `matrix --format csv` and `report --format csv` write beside
    // the four that `apply` reads. They say what the row was when it was exported and are not read back.
    static const QStringList exportedColumns{QStringLiteral("resource_id"), QStringLiteral("source"),
                                             QStringLiteral("reason")};
    qsizetype readableFields = 4;
    qsizetype sourceField = -1;
    for (int index = 0; index < records.size(); ++index) {
        const int line = records.at(index).first;
        const QStringList& fields = records.at(index).second;
        if (fields.size() == 1 && fields.first().trimmed().isEmpty())
            continue;
        if (fields.first().trimmed().startsWith(QLatin1Char('#')))
            continue;
        // An optional header, e.g. the one `matrix --format csv` writes.
        if (index == 0 && fields.first().trimmed().compare(QLatin1String("user"), Qt::CaseInsensitive) == 0) {
            while (readableFields < fields.size() &&
                   exportedColumns.contains(fields.at(readableFields).trimmed().toLower())) {
                if (fields.at(readableFields).trimmed().toLower() == QLatin1String("source"))
                    sourceField = readableFields;
                ++readableFields;
            }
            continue;
        }
        // An admin's MANAGE, a role's level or the default, exported beside the grants: granting it would add an
        // explicit row that was never there. A row whose source was cleared (or a new row without one) is read.
        if (sourceField >= 0 && sourceField < fields.size()) {
            const QString source = fields.at(sourceField).trimmed();
            if (!source.isEmpty() && source != QLatin1String("explicit_grant")) {
                skipped->append(tr("Line %1: skipped, its level comes from '%2', not from an explicit grant (clear "
                                   "the source field to grant it explicitly).")
                                    .arg(line)
                                    .arg(source));
                continue;
            }
        }
        if (fields.size() < 4) {
            problems->append(tr("Line %1: expected user,resource_type,resource,level but found %n field(s).", nullptr,
                                static_cast<int>(fields.size()))
                                 .arg(line));
            continue;
        }
        // Trailing empty fields are what spreadsheets export; anything else past the fields read (and those the
        // header names as exported) would be silently dropped, so it is refused (a comma inside an unquoted name).
        for (qsizetype extra = readableFields; extra < fields.size(); ++extra) {
            if (!fields.at(extra).trimmed().isEmpty()) {
                problems->append(tr("Line %1: %n field(s) after the level ('%2'); quote names that contain commas "
                                    "and remove the extra fields.",
                                    nullptr, static_cast<int>(fields.size() - readableFields))
                                     .arg(line)
                                     .arg(fields.mid(readableFields).join(QLatin1Char(','))));
                break;
            }
        }
        Row row;
        row.line = line;
        row.username = fields.at(0).trimmed();
        row.resource = fields.at(2).trimmed();
        const auto type = parseType(fields.at(1));
        const QString levelText = fields.at(3).trimmed();
        if (row.username.isEmpty() || row.resource.isEmpty())
            problems->append(tr("Line %1: the user and the resource must not be empty.").arg(line));
        if (!type) {
            problems->append(tr("Line %1: unknown resource type '%2'; use experiment or registered_model.")
                                 .arg(line)
                                 .arg(fields.at(1).trimmed()));
            continue;
        }
        row.type = *type;
        if (!levelText.isEmpty() && levelText.compare(QLatin1String("REVOKE"), Qt::CaseInsensitive) != 0 &&
            levelText.compare(QLatin1String("NONE"), Qt::CaseInsensitive) != 0) {
            row.target = GrantsCommand::parseLevel(levelText);
            if (!row.target) {
                problems->append(tr("Line %1: unknown level '%2'; use READ, USE, EDIT, MANAGE, NO_PERMISSIONS, or "
                                    "REVOKE (or empty) to remove the grant.")
                                     .arg(line)
                                     .arg(levelText));
                continue;
            }
        }
        const QString key =
            row.username + QLatin1Char('\n') + Resources::wireName(row.type) + QLatin1Char('\n') + row.resource;
        if (seen.contains(key)) {
            problems->append(tr("Line %1 repeats the user and resource of line %2; keep one of them.")
                                 .arg(line)
                                 .arg(seen.value(key)));
            continue;
        }
        seen.insert(key, line);
        rows->append(row);
    }
    return problems->isEmpty();
}

bool ApplyCommand::prepare()
{
    const QString path = argument(0);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        fail(ExitCode::Usage, tr("The file %1 could not be read (%2).").arg(path, file.errorString()));
        return false;
    }
    QStringList problems;
    QStringList skipped;
    if (!parseCsv(QString::fromUtf8(file.readAll()), &m_rows, &problems, &skipped)) {
        fail(ExitCode::Usage, tr("%1 has problems; nothing was applied:\n%2").arg(path, capped(problems)));
        return false;
    }
    if (!skipped.isEmpty())
        out().note(capped(skipped));
    if (m_rows.isEmpty()) {
        fail(ExitCode::Usage,
             tr("%1 holds no rows. Write one line per grant: user,resource_type,resource,level.").arg(path));
        return false;
    }
    return true;
}

void ApplyCommand::start()
{
    // Levels this server's generation does not know are refused before anything is sent.
    const PlanRules rules = PlanRules::of(*session().auth());
    QStringList refused;
    for (const Row& row : std::as_const(m_rows)) {
        if (row.target) {
            if (const std::optional<QString> reason = rules.refusal(*row.target))
                refused.append(tr("Line %1: %2").arg(row.line).arg(*reason));
        }
    }
    if (!refused.isEmpty()) {
        fail(ExitCode::Unsupported,
             tr("Some rows use a level this server does not know; nothing was applied:\n%1").arg(capped(refused)));
        return;
    }
    loadDirectory(
        m_loader, tr("Loading the current users and grants failed"),
        [this] {
            QStringList notFound;
            if (!resolveRows(&notFound)) {
                fail(ExitCode::NotFound, tr("Some rows name what this server does not have; nothing was applied:\n%1")
                                             .arg(capped(notFound)));
                return;
            }
            m_changes = std::make_unique<ChangeSet>(m_loader->directory());
            int staged = 0;
            for (const Row& row : std::as_const(m_rows)) {
                if (row.action == QLatin1String("unchanged"))
                    continue;
                if (!m_changes->stageGrant(row.username, row.type, row.resourceId, row.target)) {
                    fail(ExitCode::Other, tr("Line %1 could not be staged; nothing was applied.").arg(row.line));
                    return;
                }
                ++staged;
            }
            if (isSet(QStringLiteral("dry-run")) || staged == 0) {
                printPlan(false);
                done();
                return;
            }
            auditApplies(m_changes.get());
            connect(m_changes.get(), &ChangeSet::applied, this, [this] { onApplied(); });
            if (!m_changes->apply(session().auth()))
                fail(ExitCode::Other, tr("The changes could not be started."));
        },
        namedUsers());
}

QStringList ApplyCommand::namedUsers() const
{
    QStringList names;
    for (const Row& row : m_rows)
        names.append(row.username);
    return names;
}

bool ApplyCommand::resolveRows(QStringList* notFound)
{
    const Directory* directory = m_loader->directory();
    for (Row& row : m_rows) {
        if (!directory->hasUser(row.username)) {
            notFound->append(tr("Line %1: there is no user named '%2' (users from: %3).")
                                 .arg(row.line)
                                 .arg(row.username, m_loader->sourceDescription()));
            continue;
        }
        // A file names experiments as `matrix --format csv` writes them: by name. An experiment named "3" is meant
        // by "3" even when another one has the id 3; a number that names no experiment is taken as an id.
        int resourceRow = row.type == ResourceType::Experiment ? directory->experimentRowByName(row.resource) : -1;
        if (resourceRow < 0)
            resourceRow = directory->resourceRow(row.type, row.resource);
        if (resourceRow < 0) {
            notFound->append(tr("Line %1: there is no %2 '%3'.")
                                 .arg(row.line)
                                 .arg(row.type == ResourceType::Experiment ? tr("experiment") : tr("registered model"),
                                      row.resource));
            continue;
        }
        row.resourceId = directory->resourceIdAt(row.type, resourceRow);
        row.resourceName = directory->resourceNameAt(row.type, resourceRow);
        row.current = directory->explicitLevel(row.username, row.type, row.resourceId);
        if (row.current == row.target)
            row.action = QStringLiteral("unchanged");
        else if (!row.target)
            row.action = QStringLiteral("revoke");
        else if (!row.current)
            row.action = QStringLiteral("create");
        else
            row.action = QStringLiteral("update");
        row.status = row.action == QLatin1String("unchanged") ? QStringLiteral("unchanged") : QStringLiteral("planned");
    }
    return notFound->isEmpty();
}

void ApplyCommand::onApplied()
{
    int failed = 0;
    int applied = 0;
    int halfApplied = 0;
    QSet<int> failureCodes;
    for (Row& row : m_rows) {
        if (row.action == QLatin1String("unchanged"))
            continue;
        // A failed change stays staged with its error; a change that went through is no longer staged.
        if (const StagedGrant* staged = m_changes->stagedGrant(row.username, row.type, row.resourceId)) {
            row.status = QStringLiteral("failed");
            row.error = staged->error.isError() ? staged->error.userMessage() : tr("not applied");
            if (staged->isHalfApplied()) {
                // Revoked, then the grant failed: say both, and what the file's author can do about it.
                row.status = QStringLiteral("half-applied");
                row.error =
                    tr("the old %1 grant was revoked, but granting %2 failed (%3); %4 now has no direct "
                       "grant here. Run the file again to retry, or set this row to %1 to restore it.")
                        .arg(Permissions::name(*staged->revokedLevel), levelText(row.target), row.error, row.username);
                ++halfApplied;
            }
            failureCodes.insert(static_cast<int>(ExitCodes::fromApiError(staged->error)));
            ++failed;
        } else {
            row.status = QStringLiteral("applied");
            ++applied;
            session().rememberUser(row.username, KnownUsersRegistry::Origin::NamedInGrant);
        }
    }
    printPlan(true);
    if (failed == 0) {
        done();
    } else if (halfApplied > 0) {
        // Some server state changed even if no row went through: never report that as a clean failure.
        fail(ExitCode::PartialFailure,
             tr("%1 of %2 change(s) failed; %3 of them stopped half-way with the old grant revoked (rows marked "
                "half-applied). Run the same file again to retry them.")
                 .arg(failed)
                 .arg(failed + applied)
                 .arg(halfApplied));
    } else if (applied == 0 && failureCodes.size() == 1) {
        // Everything failed for one reason (say, no permission): that reason's exit code says more than "partial".
        const auto code = static_cast<ExitCode>(*failureCodes.cbegin());
        fail(code == ExitCode::Ok ? ExitCode::Other : code,
             tr("None of the %n change(s) could be applied; see the rows above.", nullptr, failed));
    } else {
        fail(ExitCode::PartialFailure, tr("%1 of %2 change(s) failed and were not applied; the others were. Fix the "
                                          "cause and run the same file again: rows already applied show as unchanged.")
                                           .arg(failed)
                                           .arg(failed + applied));
    }
}

void ApplyCommand::printPlan(bool applied)
{
    const bool dryRun = !applied;
    Table table;
    table.addColumn(QStringLiteral("line"), tr("Line"));
    table.addColumn(QStringLiteral("user"), tr("User"));
    table.addColumn(QStringLiteral("resource_type"), tr("Type"));
    table.addColumn(QStringLiteral("resource"), tr("Resource"));
    table.addColumn(QStringLiteral("before"), tr("Now"));
    table.addColumn(QStringLiteral("after"), tr("Wanted"));
    table.addColumn(QStringLiteral("action"), tr("Change"));
    table.addColumn(QStringLiteral("status"), tr("Result"));
    table.addColumn(QStringLiteral("error"), tr("Error"));
    int changes = 0;
    for (const Row& row : std::as_const(m_rows)) {
        changes += row.action == QLatin1String("unchanged") ? 0 : 1;
        const QString resource = row.type == ResourceType::Experiment && row.resourceName != row.resourceId
                                     ? tr("%1 (id %2)").arg(row.resourceName, row.resourceId)
                                     : row.resourceName;
        table.addRow({row.line, row.username, Resources::wireName(row.type), resource, levelText(row.current),
                      levelText(row.target), row.action, row.status, row.error});
    }
    if (out().isJson()) {
        QJsonArray rows;
        for (const Row& row : std::as_const(m_rows)) {
            rows.append(QJsonObject{
                {QStringLiteral("line"), row.line},
                {QStringLiteral("user"), row.username},
                {QStringLiteral("resource_type"), Resources::wireName(row.type)},
                {QStringLiteral("resource"), row.resource},
                {QStringLiteral("resource_id"), row.resourceId},
                {QStringLiteral("resource_name"), row.resourceName},
                {QStringLiteral("before"), levelJson(row.current)},
                {QStringLiteral("after"), levelJson(row.target)},
                {QStringLiteral("action"), row.action},
                {QStringLiteral("status"), row.status},
                {QStringLiteral("error"), row.error.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(row.error)},
            });
        }
        out().json(QJsonObject{{QStringLiteral("dry_run"), dryRun && isSet(QStringLiteral("dry-run"))},
                               {QStringLiteral("changes"), changes},
                               {QStringLiteral("rows"), rows}});
        return;
    }
    QString caption;
    if (changes == 0)
        caption = tr("Nothing to change: the server already matches all %n row(s).", nullptr,
                     static_cast<int>(m_rows.size()));
    else if (dryRun)
        caption = tr("Dry run: %n change(s) would be made; nothing was changed.", nullptr, changes);
    else
        caption = tr("Applied the difference (%n change(s)):", nullptr, changes);
    out().table(table, caption);
}

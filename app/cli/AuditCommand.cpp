#include "app/cli/AuditCommand.h"

#include "api/Connection.h"
#include "app/cli/OutputWriter.h"
#include "services/ProfileStore.h"

#include <QJsonArray>

namespace {

// "2026-12-01" (midnight UTC) or an ISO date and time ("2026-12-01T08:00:00Z", local time without a zone).
QDateTime parseWhen(const QString& text)
{
    const QDate date = QDate::fromString(text, Qt::ISODate);
    if (date.isValid())
        return date.startOfDay(Qt::UTC);
    QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!time.isValid())
        time = QDateTime::fromString(text, Qt::ISODate);
    return time;
}

QString subjectText(const QJsonObject& entry)
{
    const QJsonObject subject = entry.value(QLatin1String("subject")).toObject();
    QStringList parts;
    if (subject.contains(QLatin1String("user")))
        parts.append(subject.value(QLatin1String("user")).toString());
    if (subject.contains(QLatin1String("role")))
        parts.append(QStringLiteral("role ") + subject.value(QLatin1String("role")).toString());
    if (subject.contains(QLatin1String("resource_type")))
        parts.append(subject.value(QLatin1String("resource_type")).toString() + QLatin1Char(' ') +
                     subject.value(QLatin1String("resource_name"))
                         .toString(subject.value(QLatin1String("resource_id")).toString()));
    if (subject.contains(QLatin1String("campaign")))
        parts.append(QStringLiteral("campaign ") + subject.value(QLatin1String("campaign")).toString());
    return parts.join(QLatin1String(" / "));
}

} // namespace

AuditCommand::AuditCommand(CliContext* context, Action action) : CliCommand(context), m_action(action) {}

QList<CommandSpec> AuditCommand::specs()
{
    CommandSpec list;
    list.words = QStringList{QStringLiteral("audit"), QStringLiteral("list")};
    list.synopsis = QStringLiteral("[--since DATE] [--until DATE] [--user U] [--resource R]");
    list.description = tr("the changes this machine sent to the server, from the local audit trail. Here --user "
                          "filters by the acting account or the user changed");
    list.options = {
        {QStringLiteral("since"), tr("Only entries at or after DATE (2026-12-01 or an ISO date and time)."),
         QStringLiteral("DATE")},
        {QStringLiteral("until"), tr("Only entries before DATE."), QStringLiteral("DATE")},
        {QStringLiteral("resource"), tr("Only entries about this experiment id or name, model or role."),
         QStringLiteral("R")},
    };
    list.userOptionIsSubject = true;
    list.create = [](CliContext* context) -> CliCommand* {
        return new AuditCommand(context, Action::List);
    };

    CommandSpec verify;
    verify.words = QStringList{QStringLiteral("audit"), QStringLiteral("verify")};
    verify.description = tr("check the audit trail's hash chain; exit 0 when intact, 1 naming the first broken entry");
    verify.create = [](CliContext* context) -> CliCommand* {
        return new AuditCommand(context, Action::Verify);
    };
    return {list, verify};
}

bool AuditCommand::prepare()
{
    if (m_action == Action::List) {
        for (const char* name : {"since", "until"}) {
            const QString key = QLatin1String(name);
            if (!isSet(key))
                continue;
            const QDateTime when = parseWhen(option(key));
            if (!when.isValid()) {
                fail(ExitCode::Usage, tr("Invalid --%1 '%2': give a date like 2026-12-01 or an ISO date and time "
                                         "like 2026-12-01T08:00:00Z.")
                                          .arg(key, option(key)));
                return false;
            }
            (key == QLatin1String("since") ? m_filter.since : m_filter.until) = when;
        }
        m_filter.user = m_context->subjectUser;
        m_filter.resource = option(QStringLiteral("resource"));
    }
    return resolveTrail();
}

bool AuditCommand::resolveTrail()
{
    const GlobalOptions& options = globalOptions();
    ServerProfile target;
    if (!options.profile.isEmpty()) {
        const auto profile = ProfileStore().profile(options.profile);
        if (!profile) {
            fail(ExitCode::Usage,
                 tr("There is no profile named '%1'. List the profiles with `profiles list`.").arg(options.profile));
            return false;
        }
        target = *profile;
    }
    QString urlText = options.url;
    if (urlText.isEmpty() && target.url.isEmpty())
        urlText = qEnvironmentVariable("MLFLOW_TRACKING_URI");
    if (!urlText.isEmpty()) {
        QString urlError;
        const auto url = Connection::normalizeBaseUrl(urlText, &urlError);
        if (!url) {
            fail(ExitCode::Usage, tr("The server address '%1' cannot be used: %2").arg(urlText, urlError));
            return false;
        }
        target.url = *url;
    }
    if (target.url.isEmpty()) {
        fail(ExitCode::Usage, tr("No server given. Use --url URL, --profile NAME, or set MLFLOW_TRACKING_URI: each "
                                 "server has its own audit trail."));
        return false;
    }
    if (!options.workspace.isEmpty())
        target.workspace = options.workspace;
    m_filePath = AuditTrail::filePathFor(target.url, target.workspace);
    return true;
}

void AuditCommand::start()
{
    if (m_action == Action::List)
        list();
    else
        verify();
}

void AuditCommand::list()
{
    AuditTrail trail(m_filePath);
    QList<QJsonObject> entries;
    QString error;
    if (!trail.read(&entries, &error)) {
        fail(ExitCode::Other, error);
        return;
    }
    QJsonArray shown;
    Table table;
    table.addColumn(QStringLiteral("seq"), tr("#"));
    table.addColumn(QStringLiteral("time"), tr("Time (UTC)"));
    table.addColumn(QStringLiteral("actor"), tr("Actor"));
    table.addColumn(QStringLiteral("kind"), tr("Change"));
    table.addColumn(QStringLiteral("subject"), tr("Subject"));
    table.addColumn(QStringLiteral("before"), tr("Before"));
    table.addColumn(QStringLiteral("after"), tr("After"));
    table.addColumn(QStringLiteral("result"), tr("Result"));
    table.addColumn(QStringLiteral("origin"), tr("Origin"));
    for (const QJsonObject& entry : std::as_const(entries)) {
        if (!m_filter.matches(entry))
            continue;
        shown.append(entry);
        const QString actor = entry.value(QLatin1String("mlflow_account")).toString() + QLatin1String(" (") +
                              entry.value(QLatin1String("local_account")).toString() + QLatin1Char(')');
        table.addRow({static_cast<qint64>(entry.value(QLatin1String("seq")).toDouble()),
                      entry.value(QLatin1String("time")).toString(), actor,
                      entry.value(QLatin1String("kind")).toString(), subjectText(entry),
                      entry.value(QLatin1String("before")).toString(), entry.value(QLatin1String("after")).toString(),
                      entry.value(QLatin1String("result")).toString(),
                      entry.value(QLatin1String("origin")).toString()});
    }
    if (out().isJson()) {
        out().json(QJsonObject{{QStringLiteral("file"), m_filePath},
                               {QStringLiteral("count"), static_cast<qint64>(shown.size())},
                               {QStringLiteral("entries"), shown}});
    } else if (shown.isEmpty()) {
        out().line(entries.isEmpty()
                       ? tr("No changes recorded for this server yet (%1).").arg(m_filePath)
                       : tr("No entry matches; %n entries are recorded.", nullptr, static_cast<int>(entries.size())));
    } else {
        out().table(table);
    }
    done();
}

void AuditCommand::verify()
{
    const AuditTrail::Verification result = AuditTrail(m_filePath).verify();
    if (out().isJson()) {
        QJsonObject object{{QStringLiteral("file"), m_filePath},
                           {QStringLiteral("ok"), result.ok},
                           {QStringLiteral("entries"), result.entries},
                           {QStringLiteral("message"), result.message()}};
        if (!result.ok) {
            object.insert(QStringLiteral("line"), result.line);
            object.insert(QStringLiteral("seq"), result.sequence);
            object.insert(QStringLiteral("reason"), result.reason);
        }
        out().json(object);
    } else if (result.ok) {
        out().line(result.message());
    }
    if (result.ok) {
        done();
        return;
    }
    if (!out().isJson())
        out().note(result.message() + QLatin1Char(' ') + tr("File: %1").arg(m_filePath));
    done(ExitCode::Other);
}

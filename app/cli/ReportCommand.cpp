#include "app/cli/ReportCommand.h"

#include "app/cli/AccessCommand.h"
#include "app/cli/CliSession.h"
#include "app/cli/OutputWriter.h"
#include "app/cli/SnapshotCommand.h"

#include <QDir>
#include <QFile>
#include <QTextStream>

QList<CommandSpec> ReportCommand::specs()
{
    CommandSpec spec;
    spec.words = QStringList{QStringLiteral("report")};
    spec.synopsis = QStringLiteral("[--format pdf|html|csv|json] [-o FILE] [--user U | --experiment E | --model M] "
                                   "[--snapshot FILE] [--default-permission LEVEL]");
    spec.description = tr("an access report for people (summary, chart of levels, who has what and why)");
    spec.options = {
        {QStringLiteral("format"),
         tr("pdf, html (self-contained), csv (the columns of `matrix --format csv`) or json; "
            "by default the output file's suffix."),
         QStringLiteral("FORMAT")},
        QCommandLineOption(QStringList{QStringLiteral("o"), QStringLiteral("output")},
                           tr("The file to write (owner-only). Without it html, csv and json go to standard output."),
                           QStringLiteral("FILE")),
        {QStringLiteral("experiment"), tr("Only this experiment (name or id)."), QStringLiteral("NAME")},
        {QStringLiteral("model"), tr("Only this registered model."), QStringLiteral("NAME")},
        {QStringLiteral("snapshot"),
         tr("Report on a saved snapshot (`snapshot save`) instead of the live server; needs no server."),
         QStringLiteral("FILE")},
        AccessCommand::defaultPermissionOption(),
    };
    spec.userOptionIsSubject = true;
    spec.create = [](CliContext* context) -> CliCommand* {
        return new ReportCommand(context);
    };
    return {spec};
}

bool ReportCommand::needsServer() const
{
    return !isSet(QStringLiteral("snapshot"));
}

bool ReportCommand::prepare()
{
    m_outputPath = option(QStringLiteral("output"));
    const QString formatName = option(QStringLiteral("format"));
    std::optional<ReportFormat> format;
    if (!formatName.isEmpty()) {
        format = ReportWriter::parseFormat(formatName);
        if (!format) {
            fail(ExitCode::Usage, tr("Unknown --format '%1'. Use pdf, html, csv or json.").arg(formatName));
            return false;
        }
    } else if (globalOptions().json) {
        format = ReportFormat::Json;
    } else if (!m_outputPath.isEmpty()) {
        format = ReportWriter::formatForFile(m_outputPath);
        if (!format) {
            fail(ExitCode::Usage, tr("Cannot tell the report's format from '%1'. Give --format pdf, html, csv or "
                                     "json, or a file ending in one of those.")
                                      .arg(m_outputPath));
            return false;
        }
    } else {
        fail(ExitCode::Usage, tr("Say where the report goes: -o FILE (its suffix picks the format) or --format "
                                 "html|csv|json for standard output."));
        return false;
    }
    m_format = *format;
    if (m_format == ReportFormat::Pdf && m_outputPath.isEmpty()) {
        fail(ExitCode::Usage, tr("A PDF report needs a file: give -o FILE.pdf."));
        return false;
    }

    int scopes = 0;
    if (!m_context->subjectUser.isEmpty()) {
        m_scope = {AccessReport::Scope::Kind::User, m_context->subjectUser};
        ++scopes;
    }
    if (isSet(QStringLiteral("experiment"))) {
        m_scope = {AccessReport::Scope::Kind::Experiment, option(QStringLiteral("experiment"))};
        ++scopes;
    }
    if (isSet(QStringLiteral("model"))) {
        m_scope = {AccessReport::Scope::Kind::Model, option(QStringLiteral("model"))};
        ++scopes;
    }
    if (scopes > 1) {
        fail(ExitCode::Usage, tr("Give at most one of --user, --experiment and --model."));
        return false;
    }
    if (!readDefaultPermissionOption(&m_defaultPermission))
        return false;
    return true;
}

void ReportCommand::start()
{
    QString error;
    if (isSet(QStringLiteral("snapshot"))) {
        const std::optional<AccessSnapshot> snapshot =
            AccessSnapshot::readFile(option(QStringLiteral("snapshot")), &error);
        if (!snapshot) {
            fail(ExitCode::Usage, error);
            return;
        }
        writeReport(*snapshot, {QString(), AccessSnapshot::currentLocalAccount(), QDateTime()});
        return;
    }
    // The same picture `snapshot save` would write at this moment.
    const bool started = SnapshotCommand::takeLive(
        session(), m_loader, m_defaultPermission, std::nullopt,
        [this](const ApiError& failure, const AccessSnapshot& snapshot) {
            if (failure.isError()) {
                fail(failure, tr("Loading the server's access for the report failed"));
                return;
            }
            writeReport(snapshot, {snapshot.mlflowAccount(), snapshot.localAccount(), QDateTime()});
        },
        &error);
    if (!started)
        fail(ExitCode::Other, error);
}

void ReportCommand::writeReport(const AccessSnapshot& snapshot, const ReportWriter::Producer& producer)
{
    QString error;
    const std::optional<AccessReport> report = AccessReport::build(snapshot, m_scope, &error);
    if (!report) {
        fail(ExitCode::NotFound, error);
        return;
    }
    const ReportWriter writer(*report, producer);
    if (m_outputPath.isEmpty()) {
        const QByteArray data = m_format == ReportFormat::Html  ? writer.html()
                                : m_format == ReportFormat::Csv ? writer.csv()
                                                                : writer.json();
        QFile output;
        if (!output.open(stdout, QIODevice::WriteOnly) || output.write(data) != data.size()) {
            fail(ExitCode::Other, tr("Could not write the report to standard output."));
            return;
        }
        output.flush();
        done();
        return;
    }
    if (!writer.write(m_format, m_outputPath, &error)) {
        fail(ExitCode::Other, error);
        return;
    }
    out().note(tr("Wrote the %1 report (%2) to %3.")
                   .arg(ReportWriter::formatName(m_format).toUpper(), report->scope().text(),
                        QDir::toNativeSeparators(m_outputPath)));
    done();
}

#include "reports/ReportWriter.h"

#include "reports/CsvText.h"
#include "reports/LevelChart.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPageLayout>
#include <QPdfWriter>
#include <QSaveFile>
#include <QTextDocument>
#include <QUrl>

#include "api/PrivateFiles.h"

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("ReportWriter", text);
}

// With a count, for plurals.
QString tr(const char* text, int count)
{
    return QCoreApplication::translate("ReportWriter", text, nullptr, count);
}

QString escaped(const QString& text)
{
    return text.toHtmlEscaped();
}

QString timeText(const QDateTime& time)
{
    return time.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'"));
}

QString listOrNone(const QStringList& names)
{
    return names.isEmpty() ? tr("none") : escaped(names.join(QLatin1String(", ")));
}

QString generationText(ApiGeneration generation)
{
    switch (generation) {
    case ApiGeneration::Legacy:
        return tr("MLflow 2.x - 3.12 (per-resource permissions)");
    case ApiGeneration::Rbac:
        return tr("MLflow 3.13+ (roles and direct grants)");
    case ApiGeneration::Unknown:
        break;
    }
    return tr("unknown");
}

// The chart's width on the page, in CSS pixels; rendered at twice that for print.
constexpr int chartWidth = 560;
const char* const chartResource = "level-chart.png";

QByteArray png(const QImage& image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

} // namespace

ReportWriter::ReportWriter(const AccessReport& report, Producer producer)
    : m_report(report), m_producer(std::move(producer))
{
    if (!m_producer.producedAt.isValid())
        m_producer.producedAt = QDateTime::currentDateTimeUtc();
}

std::optional<ReportFormat> ReportWriter::parseFormat(const QString& name)
{
    const QString lower = name.toLower();
    for (const ReportFormat format : {ReportFormat::Pdf, ReportFormat::Html, ReportFormat::Csv, ReportFormat::Json}) {
        if (formatName(format) == lower)
            return format;
    }
    if (lower == QLatin1String("htm"))
        return ReportFormat::Html;
    return std::nullopt;
}

std::optional<ReportFormat> ReportWriter::formatForFile(const QString& path)
{
    return parseFormat(QFileInfo(path).suffix());
}

QString ReportWriter::formatName(ReportFormat format)
{
    switch (format) {
    case ReportFormat::Pdf:
        return QStringLiteral("pdf");
    case ReportFormat::Html:
        return QStringLiteral("html");
    case ReportFormat::Csv:
        return QStringLiteral("csv");
    case ReportFormat::Json:
        break;
    }
    return QStringLiteral("json");
}

bool ReportWriter::write(ReportFormat format, const QString& path, QString* error) const
{
    // Owner-only from the start: a report names every user and what they can reach.
    if (!PrivateFiles::ensureFile(path, error))
        return false;
    if (format == ReportFormat::Pdf)
        return writePdf(path, error);
    QSaveFile file(path);
    const QByteArray data = format == ReportFormat::Html ? html() : format == ReportFormat::Csv ? csv() : json();
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
        if (error)
            *error = tr("Could not write the report to %1: %2. Choose another file or free some space.")
                         .arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    return PrivateFiles::ensureFile(path, error);
}

QString ReportWriter::htmlText(Flavour flavour) const
{
    const AccessSnapshot& snapshot = m_report.snapshot();
    const AccessReport::Summary& summary = m_report.summary();
    QString html;
    html += QStringLiteral("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    html += QStringLiteral("<title>%1</title>").arg(escaped(tr("Access report: %1").arg(snapshot.serverUrl())));
    if (flavour == Flavour::Browser) {
        html += QStringLiteral(
            "<style>body{font-family:sans-serif;margin:2em;color:#111}table{border-collapse:collapse;margin:0.5em 0}"
            "th,td{border:1px solid #999;padding:3px 8px;text-align:left;vertical-align:top}th{background:#eee}"
            ".summary{page-break-before:always}.note{color:#444}</style>");
    }
    html += QStringLiteral("</head><body>");

    // Title page.
    html += QStringLiteral("<div>");
    html += QStringLiteral("<h1>%1</h1>").arg(escaped(tr("MLflow access report")));
    html += QStringLiteral("<table border=\"1\" cellspacing=\"0\" cellpadding=\"4\">");
    const auto metaRow = [&html](const QString& label, const QString& value) {
        html += QStringLiteral("<tr><th>%1</th><td>%2</td></tr>").arg(escaped(label), escaped(value));
    };
    metaRow(tr("Scope"), m_report.scope().text());
    metaRow(tr("Server"), snapshot.serverUrl());
    metaRow(tr("MLflow version"), snapshot.mlflowVersion().isEmpty() ? tr("not reported") : snapshot.mlflowVersion());
    metaRow(tr("API generation"), generationText(snapshot.generation()));
    if (!snapshot.workspace().isEmpty())
        metaRow(tr("Workspace"), snapshot.workspace());
    metaRow(tr("Default permission"), m_report.defaultPermissionText());
    metaRow(tr("Access as of"), timeText(snapshot.takenAt()));
    metaRow(tr("Read as"),
            tr("%1 (MLflow account), %2 (local account)").arg(snapshot.mlflowAccount(), snapshot.localAccount()));
    metaRow(tr("Report produced"), timeText(m_producer.producedAt));
    metaRow(tr("Produced by"),
            tr("%1 (MLflow account), %2 (local account), mlflow-admin %3")
                .arg(m_producer.mlflowAccount, m_producer.localAccount, QStringLiteral(MLFLOW_ADMIN_VERSION)));
    html += QStringLiteral("</table>");
    if (!snapshot.isComplete()) {
        html += QStringLiteral("<p class=\"note\"><b>%1</b></p>")
                    .arg(escaped(tr("The account that read this server is not an administrator: the server showed only "
                                    "part of the picture, and cells it did not show are missing.")));
    }
    html += QStringLiteral("</div>");

    // Summary.
    // A new page: the title page ends here (QTextDocument honours page-break-before on a heading).
    html += QStringLiteral("<h2 class=\"summary\" style=\"page-break-before:always\">%1</h2><ul>")
                .arg(escaped(tr("Summary")));
    const auto item = [&html](const QString& label, const QString& valueHtml) {
        html += QStringLiteral("<li><b>%1:</b> %2</li>").arg(escaped(label), valueHtml);
    };
    item(tr("Users"), QString::number(summary.users));
    item(tr("Administrators"), QStringLiteral("%1 (%2)").arg(summary.admins.size()).arg(listOrNone(summary.admins)));
    item(tr("Experiments"), QString::number(summary.experiments));
    item(tr("Registered models"), QString::number(summary.models));
    item(tr("Experiments readable through the default permission"),
         QStringLiteral("%1 (%2)")
             .arg(summary.experimentsReadableByDefault.size())
             .arg(listOrNone(summary.experimentsReadableByDefault)));
    item(tr("Users without any grant in scope"),
         QStringLiteral("%1 (%2)").arg(summary.usersWithoutGrant.size()).arg(listOrNone(summary.usersWithoutGrant)));
    if (m_report.scope().kind != AccessReport::Scope::Kind::User) {
        item(tr("Resources nobody but an administrator can manage"),
             QStringLiteral("%1 (%2)")
                 .arg(summary.resourcesNobodyManages.size())
                 .arg(listOrNone(summary.resourcesNobodyManages)));
    }
    html += QStringLiteral("</ul>");

    // The distribution: the chart, and the same figures as a table.
    html += QStringLiteral("<h2>%1</h2>").arg(escaped(tr("Permission levels")));
    html += QStringLiteral("<p class=\"note\">%1</p>")
                .arg(escaped(tr("Every (user, resource) pair in scope, by the level the user has and where it comes "
                                "from.")));
    const QImage chart = LevelChart::render(m_report, chartWidth, 2.0);
    const int chartHeight = static_cast<int>(chart.height() / chart.devicePixelRatio());
    const QString source = flavour == Flavour::Browser
                               ? QStringLiteral("data:image/png;base64,") + QString::fromLatin1(png(chart).toBase64())
                               : QString::fromLatin1(chartResource);
    html += QStringLiteral("<p><img src=\"%1\" width=\"%2\" height=\"%3\" alt=\"%4\"></p>")
                .arg(source)
                .arg(chartWidth)
                .arg(chartHeight)
                .arg(escaped(tr("Bar chart of the permission levels in the table below")));
    html += QStringLiteral("<table border=\"1\" cellspacing=\"0\" cellpadding=\"4\"><tr>");
    for (const QString& title :
         {tr("Level"), tr("Admin"), tr("Direct grant"), tr("Role"), tr("Default permission"), tr("Total")})
        html += QStringLiteral("<th>%1</th>").arg(escaped(title));
    html += QStringLiteral("</tr>");
    for (const AccessReport::LevelCount& level : m_report.distribution()) {
        html += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td><td>%5</td><td>%6</td></tr>")
                    .arg(Permissions::name(level.level))
                    .arg(level.admin)
                    .arg(level.explicitGrant)
                    .arg(level.role)
                    .arg(level.byDefault)
                    .arg(level.total());
    }
    html += QStringLiteral("</table>");
    if (m_report.unknownPairs() > 0) {
        html += QStringLiteral("<p class=\"note\">%1</p>")
                    .arg(escaped(tr("%n pair(s) of unknown level (the default permission is not known).",
                                    m_report.unknownPairs())));
    }

    // Per resource.
    html += QStringLiteral("<h2>%1</h2>").arg(escaped(tr("Access per resource")));
    if (m_report.sections().isEmpty())
        html += QStringLiteral("<p>%1</p>").arg(escaped(tr("Nothing in scope.")));
    for (const AccessReport::ResourceSection& section : m_report.sections()) {
        const AccessSnapshot::ResourceEntry& resource = section.resource;
        const QString heading =
            resource.type == ResourceType::Experiment
                ? tr("%1 %2 (id %3)").arg(AccessReport::resourceTypeText(resource.type), resource.name, resource.id)
                : tr("%1 %2").arg(AccessReport::resourceTypeText(resource.type), resource.name);
        html += QStringLiteral("<h3>%1</h3>").arg(escaped(heading));
        if (!section.rows.isEmpty()) {
            html += QStringLiteral("<table border=\"1\" cellspacing=\"0\" cellpadding=\"4\"><tr><th>%1</th><th>%2</th>"
                                   "<th>%3</th><th>%4</th></tr>")
                        .arg(escaped(tr("User")), escaped(tr("Level")), escaped(tr("Source")), escaped(tr("Reason")));
            for (const AccessReport::Row& row : section.rows) {
                html += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td></tr>")
                            .arg(escaped(row.username), Permissions::name(row.permission.level),
                                 escaped(EffectivePermission::sourceName(row.permission.source)),
                                 escaped(row.permission.reason()));
            }
            html += QStringLiteral("</table>");
        }
        if (section.usersAtDefault > 0) {
            const std::optional<PermissionLevel> floor = m_report.snapshot().defaultPermission();
            html += QStringLiteral("<p class=\"note\">%1</p>")
                        .arg(escaped(
                            floor ? tr("%n other user(s): %1 through the default permission.", section.usersAtDefault)
                                        .arg(Permissions::name(*floor))
                                  : tr("%n other user(s): the default permission, not known here.",
                                       section.usersAtDefault)));
        }
    }
    html += QStringLiteral("</body></html>\n");
    return html;
}

QByteArray ReportWriter::html() const
{
    return htmlText(Flavour::Browser).toUtf8();
}

QByteArray ReportWriter::csv() const
{
    // The columns and rows of `matrix --format csv`, limited to the report's scope.
    QByteArray out = CsvText::row({QStringLiteral("user"), QStringLiteral("resource_type"), QStringLiteral("resource"),
                                   QStringLiteral("level"), QStringLiteral("resource_id"), QStringLiteral("source")})
                         .toUtf8();
    for (const AccessReport::ResourceSection& section : m_report.sections()) {
        for (const AccessReport::Row& row : section.rows) {
            out += CsvText::row({row.username, Resources::wireName(section.resource.type), section.resource.name,
                                 Permissions::name(row.permission.level), section.resource.id,
                                 AccessSnapshot::sourceKey(row.permission.source)})
                       .toUtf8();
        }
    }
    return out;
}

QByteArray ReportWriter::json() const
{
    const AccessSnapshot& snapshot = m_report.snapshot();
    const AccessReport::Summary& summary = m_report.summary();
    const std::optional<PermissionLevel> floor = snapshot.defaultPermission();
    QJsonArray distribution;
    for (const AccessReport::LevelCount& level : m_report.distribution()) {
        distribution.append(QJsonObject{{QStringLiteral("level"), Permissions::name(level.level)},
                                        {QStringLiteral("admin"), level.admin},
                                        {QStringLiteral("explicit_grant"), level.explicitGrant},
                                        {QStringLiteral("role"), level.role},
                                        {QStringLiteral("default_permission"), level.byDefault},
                                        {QStringLiteral("total"), level.total()}});
    }
    QJsonArray resources;
    for (const AccessReport::ResourceSection& section : m_report.sections()) {
        QJsonArray users;
        for (const AccessReport::Row& row : section.rows) {
            users.append(QJsonObject{{QStringLiteral("username"), row.username},
                                     {QStringLiteral("is_admin"), row.isAdmin},
                                     {QStringLiteral("level"), Permissions::name(row.permission.level)},
                                     {QStringLiteral("source"), AccessSnapshot::sourceKey(row.permission.source)},
                                     {QStringLiteral("reason"), row.permission.reason()}});
        }
        resources.append(QJsonObject{{QStringLiteral("resource_type"), Resources::wireName(section.resource.type)},
                                     {QStringLiteral("resource_id"), section.resource.id},
                                     {QStringLiteral("resource_name"), section.resource.name},
                                     {QStringLiteral("users"), users},
                                     {QStringLiteral("users_at_default"), section.usersAtDefault}});
    }
    const QJsonObject root{
        {QStringLiteral("format"), QStringLiteral("mlflow-admin-report")},
        {QStringLiteral("version"), 1},
        {QStringLiteral("scope"), m_report.scope().text()},
        {QStringLiteral("server_url"), snapshot.serverUrl()},
        {QStringLiteral("mlflow_version"), snapshot.mlflowVersion()},
        {QStringLiteral("generation"), AccessSnapshot::generationKey(snapshot.generation())},
        {QStringLiteral("workspace"), snapshot.workspace()},
        {QStringLiteral("default_permission"),
         floor ? QJsonValue(Permissions::name(*floor)) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("access_as_of"), snapshot.takenAt().toUTC().toString(Qt::ISODate)},
        {QStringLiteral("produced_at"), m_producer.producedAt.toUTC().toString(Qt::ISODate)},
        {QStringLiteral("produced_by"), QJsonObject{{QStringLiteral("mlflow_account"), m_producer.mlflowAccount},
                                                    {QStringLiteral("local_account"), m_producer.localAccount}}},
        {QStringLiteral("summary"),
         QJsonObject{
             {QStringLiteral("users"), summary.users},
             {QStringLiteral("admins"), QJsonArray::fromStringList(summary.admins)},
             {QStringLiteral("experiments"), summary.experiments},
             {QStringLiteral("registered_models"), summary.models},
             {QStringLiteral("experiments_readable_by_default"),
              QJsonArray::fromStringList(summary.experimentsReadableByDefault)},
             {QStringLiteral("users_without_grant"), QJsonArray::fromStringList(summary.usersWithoutGrant)},
             {QStringLiteral("resources_nobody_manages"), QJsonArray::fromStringList(summary.resourcesNobodyManages)}}},
        {QStringLiteral("distribution"), distribution},
        {QStringLiteral("unknown_pairs"), m_report.unknownPairs()},
        {QStringLiteral("resources"), resources},
    };
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

bool ReportWriter::writePdf(const QString& path, QString* error) const
{
    QTextDocument document;
    document.addResource(QTextDocument::ImageResource, QUrl(QString::fromLatin1(chartResource)),
                         LevelChart::render(m_report, chartWidth, 2.0));
    QFont font = document.defaultFont();
    font.setPointSize(9);
    // Any letter spacing turns off ligatures, so "MLflow" stays six letters that a reader can search and copy.
    font.setLetterSpacing(QFont::AbsoluteSpacing, 0.05); // at least 1/64 px, which Qt keeps
    document.setDefaultFont(font);
    document.setHtml(htmlText(Flavour::TextDocument));

    QPdfWriter writer(path);
    writer.setTitle(tr("MLflow access report: %1").arg(m_report.snapshot().serverUrl()));
    writer.setCreator(QStringLiteral("mlflow-admin %1").arg(QStringLiteral(MLFLOW_ADMIN_VERSION)));
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait, QMarginsF(15, 15, 15, 15),
                                     QPageLayout::Millimeter));
    writer.setResolution(150);
    // QTextDocument::print paginates and numbers the pages.
    document.print(&writer);
    if (QFileInfo(path).size() == 0) {
        if (error)
            *error = tr("Could not write the PDF report to %1. Check that the folder is writable.")
                         .arg(QDir::toNativeSeparators(path));
        return false;
    }
    return PrivateFiles::ensureFile(path, error);
}

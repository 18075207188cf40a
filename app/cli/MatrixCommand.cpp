#include "app/cli/MatrixCommand.h"

#include "app/cli/AccessCommand.h"
#include "app/cli/CliSession.h"
#include "models/AccessSnapshot.h"
#include "models/ListedCells.h"
#include "reports/CsvText.h"
#include "server/JsonWriter.h"

#include <algorithm>

namespace {

// Up to this many experiments and models the table is the wide matrix (a column each); beyond, its lines would be
// wider than any screen, so it lists the cells one per line as CSV does.
constexpr int wideTableResourceLimit = 12;

const ResourceType resourceTypes[] = {ResourceType::Experiment, ResourceType::RegisteredModel};

// A compact cell for the wide table: the level, and where it does not come from an explicit grant, why.
QString cellText(const EffectivePermission& permission)
{
    switch (permission.source) {
    case EffectivePermission::Source::ExplicitGrant:
        return Permissions::name(permission.level);
    case EffectivePermission::Source::Admin:
        return QCoreApplication::translate("MatrixCommand", "%1 (admin)").arg(Permissions::name(permission.level));
    case EffectivePermission::Source::Role:
        return QCoreApplication::translate("MatrixCommand", "%1 (role %2)")
            .arg(Permissions::name(permission.level), permission.detail);
    case EffectivePermission::Source::DefaultPermission:
        return QCoreApplication::translate("MatrixCommand", "%1 (default)").arg(Permissions::name(permission.level));
    case EffectivePermission::Source::NotVisible:
        return QStringLiteral("?");
    case EffectivePermission::Source::Unknown:
        break;
    }
    return QString();
}

// The listing's columns, in the order of listingTexts(); CSV stays what `apply` reads back, without the reason.
QList<Table::Column> listingColumns(bool withReason)
{
    QList<Table::Column> columns{
        {QStringLiteral("user"), QCoreApplication::translate("MatrixCommand", "User")},
        {QStringLiteral("resource_type"), QCoreApplication::translate("MatrixCommand", "Type")},
        {QStringLiteral("resource"), QCoreApplication::translate("MatrixCommand", "Resource")},
        {QStringLiteral("level"), QCoreApplication::translate("MatrixCommand", "Permission")},
        {QStringLiteral("resource_id"), QCoreApplication::translate("MatrixCommand", "Id")},
        {QStringLiteral("source"), QCoreApplication::translate("MatrixCommand", "Source")},
    };
    if (withReason)
        columns.append({QStringLiteral("reason"), QCoreApplication::translate("MatrixCommand", "Reason")});
    return columns;
}

// `"key": ` and a compact value at the document's first level, as QJsonDocument::Indented places members.
QByteArray topLevelMember(QLatin1StringView key, const QByteArray& value, bool last)
{
    return QByteArray("    \"") + QByteArray(key.data(), key.size()) + QByteArray("\": ") + value +
           QByteArray(last ? "\n" : ",\n");
}

// An array member of the document, written an element a line as the elements come; finish() closes it.
class StreamedArray
{
public:
    StreamedArray(OutputWriter& writer, QLatin1StringView key, bool lastMember)
        : m_writer(writer), m_lastMember(lastMember)
    {
        m_writer.write(QByteArray("    \"") + QByteArray(key.data(), key.size()) + QByteArray("\": ["));
    }
    void append(const QByteArray& element)
    {
        m_writer.write(QByteArray(m_empty ? "\n        " : ",\n        ") + element);
        m_empty = false;
    }
    void finish() { m_writer.write(QByteArray(m_empty ? "]" : "\n    ]") + QByteArray(m_lastMember ? "\n" : ",\n")); }

private:
    OutputWriter& m_writer;
    bool m_lastMember;
    bool m_empty = true;
};

QByteArray jsonString(const QString& text)
{
    JsonWriter json;
    json.value(text);
    return json.take();
}

} // namespace

QList<CommandSpec> MatrixCommand::specs()
{
    CommandSpec spec;
    spec.words = QStringList{QStringLiteral("matrix")};
    spec.synopsis = QStringLiteral("[--format table|csv|json] [--layout auto|wide|long] [--default-permission LEVEL]");
    spec.description = tr("the access matrix: every user's permission on every experiment and model");
    spec.options = {
        {QStringLiteral("format"),
         tr("table (default), csv (one row per user and resource with access or an explicit grant, as `apply` "
            "reads) or json."),
         QStringLiteral("FORMAT")},
        {QStringLiteral("layout"),
         tr("for the table: wide (a column per resource), long (a line per user and resource, as csv) or auto "
            "(default: wide up to %1 resources).")
             .arg(wideTableResourceLimit),
         QStringLiteral("LAYOUT")},
        AccessCommand::defaultPermissionOption(),
    };
    spec.create = [](CliContext* context) -> CliCommand* {
        return new MatrixCommand(context);
    };
    return {spec};
}

bool MatrixCommand::prepare()
{
    const QString format = option(QStringLiteral("format")).toLower();
    if (globalOptions().json || format == QLatin1String("json")) {
        m_format = OutputFormat::Json;
    } else if (format == QLatin1String("csv")) {
        m_format = OutputFormat::Csv;
    } else if (format.isEmpty() || format == QLatin1String("table")) {
        m_format = OutputFormat::Table;
    } else {
        fail(ExitCode::Usage,
             tr("Unknown --format '%1'. Use table, csv or json.").arg(option(QStringLiteral("format"))));
        return false;
    }
    const QString layout = option(QStringLiteral("layout")).toLower();
    if (layout.isEmpty() || layout == QLatin1String("auto")) {
        m_layout = Layout::Auto;
    } else if (layout == QLatin1String("wide")) {
        m_layout = Layout::Wide;
    } else if (layout == QLatin1String("long")) {
        m_layout = Layout::Long;
    } else {
        fail(ExitCode::Usage,
             tr("Unknown --layout '%1'. Use auto, wide or long.").arg(option(QStringLiteral("layout"))));
        return false;
    }
    if (!readDefaultPermissionOption(&m_defaultPermission))
        return false;
    return true;
}

void MatrixCommand::start()
{
    loadDirectory(m_loader, tr("Loading the access matrix failed"), [this] {
        m_loader->directory()->setDefaultPermission(m_defaultPermission ? m_defaultPermission
                                                                        : session().target().defaultPermission);
        print();
    });
}

void MatrixCommand::print()
{
    OutputWriter writer(m_format);
    const Directory* directory = m_loader->directory();
    switch (m_format) {
    case OutputFormat::Csv:
        printCsv(writer);
        break;
    case OutputFormat::Json:
        printJson(writer);
        break;
    case OutputFormat::Table: {
        const int resources = directory->resourceCount(ResourceType::Experiment) +
                              directory->resourceCount(ResourceType::RegisteredModel);
        if (m_layout == Layout::Wide || (m_layout == Layout::Auto && resources <= wideTableResourceLimit))
            printWideTable(writer);
        else
            printLongTable(writer);
        break;
    }
    }
    writer.flush();
    done();
}

QStringList MatrixCommand::listingTexts(const ListedCells::Cell& cell, bool withReason) const
{
    const Directory* directory = m_loader->directory();
    QStringList texts{cell.user.username,
                      Resources::wireName(cell.type),
                      directory->resourceNameAt(cell.type, cell.resourceRow),
                      Permissions::name(cell.permission.level),
                      directory->resourceIdAt(cell.type, cell.resourceRow),
                      AccessSnapshot::sourceKey(cell.permission.source)};
    if (withReason)
        texts.append(cell.permission.reason());
    return texts;
}

void MatrixCommand::printCsv(OutputWriter& writer)
{
    QStringList header;
    for (const Table::Column& column : listingColumns(false))
        header.append(column.key);
    writer.write(CsvText::row(header).toUtf8());
    // Straight into one line per cell, not through listingTexts(): millions of rows on a 3.13+ server whose roles
    // reach many experiments.
    const Directory* directory = m_loader->directory();
    QString line;
    ListedCells::forEach(*directory, [&](const ListedCells::Cell& cell) {
        line.clear();
        CsvText::appendRow(line, {cell.user.username, Resources::wireName(cell.type),
                                  directory->resourceNameAt(cell.type, cell.resourceRow),
                                  Permissions::name(cell.permission.level),
                                  directory->resourceIdAt(cell.type, cell.resourceRow),
                                  AccessSnapshot::sourceKey(cell.permission.source)});
        writer.write(line.toUtf8());
    });
}

// The document QJsonDocument would give for {cells, default_permission, resources, user_source, users} (keys in
// that order), each element of the arrays on a line of its own, written while the cells are produced.
void MatrixCommand::printJson(OutputWriter& writer)
{
    const Directory* directory = m_loader->directory();
    const QList<Table::Column> columns = listingColumns(true);
    // QJsonObject orders keys; the cells keep that order so that the document reads the same as before.
    QList<qsizetype> keyOrder;
    for (qsizetype i = 0; i < columns.size(); ++i)
        keyOrder.append(i);
    std::sort(keyOrder.begin(), keyOrder.end(),
              [&columns](qsizetype a, qsizetype b) { return columns.at(a).key < columns.at(b).key; });
    QList<QByteArray> keys;
    for (const Table::Column& column : columns)
        keys.append(column.key.toLatin1());

    writer.write("{\n");
    StreamedArray cells(writer, QLatin1StringView("cells"), false);
    ListedCells::forEach(*directory, [&](const ListedCells::Cell& cell) {
        const QStringList texts = listingTexts(cell, true);
        JsonWriter json;
        json.beginObject();
        for (const qsizetype i : std::as_const(keyOrder))
            json.member(QLatin1StringView(keys.at(i)), texts.at(i));
        json.endObject();
        cells.append(json.take());
    });
    cells.finish();

    const auto defaultPermission = directory->defaultPermission();
    writer.write(topLevelMember(QLatin1StringView("default_permission"),
                                defaultPermission ? jsonString(Permissions::name(*defaultPermission)) : "null", false));

    StreamedArray resources(writer, QLatin1StringView("resources"), false);
    for (const ResourceType type : resourceTypes) {
        for (int row = 0; row < directory->resourceCount(type); ++row) {
            JsonWriter json;
            json.beginObject()
                .member(QLatin1StringView("resource_id"), directory->resourceIdAt(type, row))
                .member(QLatin1StringView("resource_name"), directory->resourceNameAt(type, row))
                .member(QLatin1StringView("resource_type"), Resources::wireName(type))
                .endObject();
            resources.append(json.take());
        }
    }
    resources.finish();

    writer.write(topLevelMember(QLatin1StringView("user_source"), jsonString(m_loader->sourceDescription()), false));

    StreamedArray users(writer, QLatin1StringView("users"), true);
    for (int row = 0; row < directory->userCount(); ++row) {
        const User& user = directory->userAt(row);
        JsonWriter json;
        json.beginObject()
            .member(QLatin1StringView("is_admin"), user.isAdmin)
            .member(QLatin1StringView("username"), QStringView(user.username))
            .endObject();
        users.append(json.take());
    }
    users.finish();
    writer.write("}\n");
}

// The listing, aligned: measured in one pass over the cells and printed in a second, so that its text is never held
// whole (the cells are cheap to ask twice; their text is not cheap to keep).
void MatrixCommand::printLongTable(OutputWriter& writer)
{
    const Directory* directory = m_loader->directory();
    writer.line(tr("Access matrix, users from: %1").arg(m_loader->sourceDescription()));
    const auto defaultPermission = directory->defaultPermission();
    writer.line(defaultPermission
                    ? tr("Listed: every cell with access or an explicit grant. Every other user and resource has the "
                         "server's default_permission, %1.")
                          .arg(Permissions::name(*defaultPermission))
                    : tr("Listed: every cell with access or an explicit grant. Every other user and resource has the "
                         "server's default_permission (unknown here: give --default-permission LEVEL)."));
    QStringList titles;
    for (const Table::Column& column : listingColumns(true))
        titles.append(column.title);
    AlignedColumns columns;
    columns.measure(titles);
    qsizetype count = 0;
    ListedCells::forEach(*directory, [&](const ListedCells::Cell& cell) {
        columns.measure(listingTexts(cell, true));
        ++count;
    });
    writer.write(columns.line(titles).toUtf8());
    ListedCells::forEach(*directory, [&](const ListedCells::Cell& cell) {
        writer.write(columns.line(listingTexts(cell, true)).toUtf8());
    });
    if (count == 0)
        writer.write(tr("(none)").toUtf8() + '\n');
}

// One row per user, one column per resource; each row is worded twice (to measure, then to print) rather than
// kept, for a forced --layout wide on a big server.
void MatrixCommand::printWideTable(OutputWriter& writer)
{
    const Directory* directory = m_loader->directory();
    writer.line(tr("Access matrix, users from: %1").arg(m_loader->sourceDescription()));
    QStringList titles{tr("User")};
    for (const ResourceType type : resourceTypes) {
        for (int row = 0; row < directory->resourceCount(type); ++row) {
            const QString name = directory->resourceNameAt(type, row);
            titles.append(type == ResourceType::Experiment ? name : tr("model:%1").arg(name));
        }
    }
    const auto rowTexts = [directory](int userRow) {
        const QString& username = directory->userAt(userRow).username;
        QStringList texts{username};
        for (const ResourceType type : resourceTypes) {
            for (int row = 0; row < directory->resourceCount(type); ++row)
                texts.append(OutputWriter::displayText(
                    cellText(directory->effectivePermission(username, type, directory->resourceIdAt(type, row)))));
        }
        return texts;
    };
    AlignedColumns columns;
    columns.measure(titles);
    for (int userRow = 0; userRow < directory->userCount(); ++userRow)
        columns.measure(rowTexts(userRow));
    writer.write(columns.line(titles).toUtf8());
    for (int userRow = 0; userRow < directory->userCount(); ++userRow)
        writer.write(columns.line(rowTexts(userRow)).toUtf8());
    if (directory->userCount() == 0)
        writer.write(tr("(none)").toUtf8() + '\n');
    if (!directory->defaultPermission())
        writer.line(tr("'-': no explicit grant; the server's default_permission applies (unknown here: give "
                       "--default-permission LEVEL to show it)."));
}

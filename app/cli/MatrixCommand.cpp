#include "app/cli/MatrixCommand.h"

#include "app/cli/AccessCommand.h"
#include "app/cli/CliSession.h"
#include "models/AccessSnapshot.h"

#include <QJsonArray>
#include <QJsonObject>

namespace {

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

} // namespace

QList<CommandSpec> MatrixCommand::specs()
{
    CommandSpec spec;
    spec.words = QStringList{QStringLiteral("matrix")};
    spec.synopsis = QStringLiteral("[--format table|csv|json] [--default-permission LEVEL]");
    spec.description = tr("the access matrix: every user's permission on every experiment and model");
    spec.options = {
        {QStringLiteral("format"),
         tr("table (default), csv (one row per user and resource, as `apply` reads) or "
            "json."),
         QStringLiteral("FORMAT")},
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
    const Directory* directory = m_loader->directory();
    OutputWriter writer(m_format);
    const QList<ResourceType> types{ResourceType::Experiment, ResourceType::RegisteredModel};

    if (m_format == OutputFormat::Table) {
        // Wide: one row per user, one column per resource.
        Table table;
        table.addColumn(QStringLiteral("username"), tr("User"));
        for (const ResourceType type : types) {
            for (int row = 0; row < directory->resourceCount(type); ++row) {
                const QString name = directory->resourceNameAt(type, row);
                table.addColumn(directory->resourceIdAt(type, row),
                                type == ResourceType::Experiment ? name : tr("model:%1").arg(name));
            }
        }
        for (int userRow = 0; userRow < directory->userCount(); ++userRow) {
            const QString username = directory->userAt(userRow).username;
            QVariantList cells{username};
            for (const ResourceType type : types) {
                for (int row = 0; row < directory->resourceCount(type); ++row)
                    cells.append(
                        cellText(directory->effectivePermission(username, type, directory->resourceIdAt(type, row))));
            }
            table.addRow(cells);
        }
        writer.table(table, tr("Access matrix, users from: %1").arg(m_loader->sourceDescription()));
        if (!directory->defaultPermission())
            writer.line(tr("'-': no explicit grant; the server's default_permission applies (unknown here: give "
                           "--default-permission LEVEL to show it)."));
        done();
        return;
    }

    // Long: one row per user and resource where there is something to say (access, or an explicit row); a cell
    // without either is the server's default, and listing all of them would not scale to big servers.
    Table cells;
    cells.addColumn(QStringLiteral("user"), tr("User"));
    cells.addColumn(QStringLiteral("resource_type"), tr("Type"));
    cells.addColumn(QStringLiteral("resource"), tr("Resource"));
    cells.addColumn(QStringLiteral("level"), tr("Permission"));
    cells.addColumn(QStringLiteral("resource_id"), tr("Id"));
    cells.addColumn(QStringLiteral("source"), tr("Source"));
    // The CSV stays what `apply` reads back; JSON also says why, naming the role (3.13+).
    const bool withReason = m_format != OutputFormat::Csv;
    if (withReason)
        cells.addColumn(QStringLiteral("reason"), tr("Reason"));
    for (int userRow = 0; userRow < directory->userCount(); ++userRow) {
        const QString username = directory->userAt(userRow).username;
        for (const ResourceType type : types) {
            for (int row = 0; row < directory->resourceCount(type); ++row) {
                const QString id = directory->resourceIdAt(type, row);
                const EffectivePermission permission = directory->effectivePermission(username, type, id);
                if (!permission.isKnown())
                    continue;
                if (!permission.isExplicit() && !Permissions::canRead(permission.level))
                    continue;
                QVariantList cell{username,
                                  Resources::wireName(type),
                                  directory->resourceNameAt(type, row),
                                  Permissions::name(permission.level),
                                  id,
                                  AccessSnapshot::sourceKey(permission.source)};
                if (withReason)
                    cell.append(permission.reason());
                cells.addRow(cell);
            }
        }
    }
    if (m_format == OutputFormat::Csv) {
        writer.table(cells);
        done();
        return;
    }
    QJsonArray users;
    for (int userRow = 0; userRow < directory->userCount(); ++userRow) {
        const User& user = directory->userAt(userRow);
        users.append(
            QJsonObject{{QStringLiteral("username"), user.username}, {QStringLiteral("is_admin"), user.isAdmin}});
    }
    QJsonArray resources;
    for (const ResourceType type : types) {
        for (int row = 0; row < directory->resourceCount(type); ++row)
            resources.append(QJsonObject{{QStringLiteral("resource_type"), Resources::wireName(type)},
                                         {QStringLiteral("resource_id"), directory->resourceIdAt(type, row)},
                                         {QStringLiteral("resource_name"), directory->resourceNameAt(type, row)}});
    }
    const auto defaultPermission = directory->defaultPermission();
    writer.json(QJsonObject{
        {QStringLiteral("user_source"), m_loader->sourceDescription()},
        {QStringLiteral("default_permission"),
         defaultPermission ? QJsonValue(Permissions::name(*defaultPermission)) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("users"), users},
        {QStringLiteral("resources"), resources},
        {QStringLiteral("cells"), cells.toJson()},
    });
    done();
}

#include "models/AccessSnapshot.h"

#include "api/PrivateFiles.h"
#include "models/Directory.h"
#include "models/ListedCells.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#ifdef Q_OS_UNIX
#include <pwd.h>
#include <unistd.h>
#endif

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("AccessSnapshot", text);
}

QJsonValue optionalString(const QString& text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

QJsonObject contributorToJson(const EffectivePermission::Contributor& contributor)
{
    QJsonObject object{{QStringLiteral("level"), Permissions::name(contributor.level)},
                       {QStringLiteral("source"), AccessSnapshot::sourceKey(contributor.source)}};
    if (!contributor.detail.isEmpty())
        object.insert(QStringLiteral("role"), contributor.detail);
    if (contributor.allResources)
        object.insert(QStringLiteral("all_resources"), true);
    return object;
}

// Reads one JSON file field by field and remembers the first problem, so every reader below stays a straight line
// and the error names the field ("cells[3].level").
class SnapshotReader
{
public:
    bool failed() const { return !m_error.isEmpty(); }
    QString error() const { return m_error; }

    void fail(const QString& where, const QString& problem)
    {
        if (m_error.isEmpty())
            m_error = tr("The snapshot is damaged: %1 %2. Save a new snapshot, or restore the file from a copy.")
                          .arg(where, problem);
    }

    QJsonValue field(const QJsonObject& object, const QString& where, const QString& key)
    {
        const QJsonValue value = object.value(key);
        if (value.isUndefined())
            fail(where + key, tr("is missing"));
        return value;
    }
    QJsonObject object(const QJsonObject& parent, const QString& where, const QString& key)
    {
        const QJsonValue value = field(parent, where, key);
        if (!value.isUndefined() && !value.isObject())
            fail(where + key, tr("is not an object"));
        return value.toObject();
    }
    QJsonArray array(const QJsonObject& parent, const QString& where, const QString& key)
    {
        const QJsonValue value = field(parent, where, key);
        if (!value.isUndefined() && !value.isArray())
            fail(where + key, tr("is not a list"));
        return value.toArray();
    }
    QString string(const QJsonObject& parent, const QString& where, const QString& key, bool nullable = false)
    {
        const QJsonValue value = field(parent, where, key);
        if (nullable && value.isNull())
            return QString();
        if (!value.isUndefined() && !value.isString())
            fail(where + key, tr("is not a string"));
        return value.toString();
    }
    QString nonEmptyString(const QJsonObject& parent, const QString& where, const QString& key)
    {
        const QString text = string(parent, where, key);
        if (!failed() && text.isEmpty())
            fail(where + key, tr("is empty"));
        return text;
    }
    bool boolean(const QJsonObject& parent, const QString& where, const QString& key)
    {
        const QJsonValue value = field(parent, where, key);
        if (!value.isUndefined() && !value.isBool())
            fail(where + key, tr("is not true or false"));
        return value.toBool();
    }
    PermissionLevel level(const QJsonObject& parent, const QString& where, const QString& key)
    {
        const QString name = string(parent, where, key);
        const auto level = Permissions::parse(name);
        if (!failed() && !level)
            fail(where + key, tr("is '%1', not a permission level").arg(name));
        return level.value_or(PermissionLevel::NoPermissions);
    }
    EffectivePermission::Source source(const QJsonObject& parent, const QString& where, const QString& key)
    {
        const QString name = string(parent, where, key);
        const auto source = AccessSnapshot::parseSourceKey(name);
        if (!failed() && !source)
            fail(where + key, tr("is '%1', not a source of access").arg(name));
        return source.value_or(EffectivePermission::Source::Unknown);
    }
    ResourceType resourceType(const QJsonObject& parent, const QString& where, const QString& key)
    {
        const QString name = string(parent, where, key);
        const auto type = Resources::parseWireName(name);
        if (!failed() && !type)
            fail(where + key, tr("is '%1', not experiment or registered_model").arg(name));
        return type.value_or(ResourceType::Experiment);
    }
    EffectivePermission::Contributor contributor(const QJsonObject& object, const QString& where)
    {
        EffectivePermission::Contributor contributor;
        contributor.level = level(object, where, QStringLiteral("level"));
        contributor.source = source(object, where, QStringLiteral("source"));
        const QJsonValue role = object.value(QStringLiteral("role"));
        if (!role.isUndefined() && !role.isString())
            fail(where + QStringLiteral("role"), tr("is not a string"));
        contributor.detail = role.toString();
        const QJsonValue all = object.value(QStringLiteral("all_resources"));
        if (!all.isUndefined() && !all.isBool())
            fail(where + QStringLiteral("all_resources"), tr("is not true or false"));
        contributor.allResources = all.toBool();
        return contributor;
    }

private:
    QString m_error;
};

QString indexed(const QString& list, qsizetype index)
{
    return QStringLiteral("%1[%2].").arg(list).arg(index);
}

} // namespace

AccessSnapshot AccessSnapshot::fromDirectory(const Directory& directory, const Origin& origin)
{
    AccessSnapshot snapshot;
    snapshot.m_origin = origin;
    if (snapshot.m_origin.mlflowAccount.isEmpty())
        snapshot.m_origin.mlflowAccount = directory.viewer();
    if (snapshot.m_origin.localAccount.isEmpty())
        snapshot.m_origin.localAccount = currentLocalAccount();
    snapshot.m_origin.takenAt = (origin.takenAt.isValid() ? origin.takenAt : QDateTime::currentDateTimeUtc()).toUTC();
    snapshot.m_generation = directory.generation();
    snapshot.m_defaultPermission = directory.defaultPermission();
    snapshot.m_defaultPermissionStated = directory.isDefaultPermissionStated();
    snapshot.m_complete = !directory.isMemberView();
    snapshot.m_experimentNameFilter = directory.experimentNameFilter();
    snapshot.m_modelNameFilter = directory.modelNameFilter();

    const QList<ResourceType> types{ResourceType::Experiment, ResourceType::RegisteredModel};
    for (const ResourceType type : types) {
        for (int row = 0; row < directory.resourceCount(type); ++row)
            snapshot.m_resources.append(
                ResourceEntry{type, directory.resourceIdAt(type, row), directory.resourceNameAt(type, row)});
    }
    for (int userRow = 0; userRow < directory.userCount(); ++userRow) {
        const User& user = directory.userAt(userRow);
        snapshot.m_users.append(UserEntry{user.username, user.isAdmin});
    }
    ListedCells::forEach(directory, [&snapshot, &directory](const ListedCells::Cell& cell) {
        snapshot.m_cells.append(
            Cell{cell.user.username, cell.type, directory.resourceIdAt(cell.type, cell.resourceRow), cell.permission});
    });
    snapshot.buildIndexes();
    return snapshot;
}

QByteArray AccessSnapshot::toJson() const
{
    QJsonArray users;
    for (const UserEntry& user : m_users)
        users.append(
            QJsonObject{{QStringLiteral("username"), user.username}, {QStringLiteral("is_admin"), user.isAdmin}});
    QJsonArray resources;
    for (const ResourceEntry& resource : m_resources)
        resources.append(QJsonObject{{QStringLiteral("resource_type"), Resources::wireName(resource.type)},
                                     {QStringLiteral("resource_id"), resource.id},
                                     {QStringLiteral("resource_name"), resource.name}});
    QJsonArray cells;
    for (const Cell& cell : m_cells) {
        const EffectivePermission& permission = cell.permission;
        QJsonObject object{{QStringLiteral("user"), cell.username},
                           {QStringLiteral("resource_type"), Resources::wireName(cell.type)},
                           {QStringLiteral("resource_id"), cell.resourceId},
                           {QStringLiteral("level"), Permissions::name(permission.level)},
                           {QStringLiteral("source"), sourceKey(permission.source)},
                           {QStringLiteral("reason"), permission.reason()}};
        if (!permission.detail.isEmpty())
            object.insert(QStringLiteral("role"), permission.detail);
        if (!permission.contributors.isEmpty()) {
            QJsonArray contributors;
            for (const EffectivePermission::Contributor& contributor : permission.contributors)
                contributors.append(contributorToJson(contributor));
            object.insert(QStringLiteral("contributors"), contributors);
        }
        cells.append(object);
    }
    const QJsonObject root{
        {QStringLiteral("format"), QLatin1String(formatName)},
        {QStringLiteral("version"), formatVersion},
        {QStringLiteral("taken_at"), m_origin.takenAt.toUTC().toString(Qt::ISODateWithMs)},
        {QStringLiteral("produced_by"),
         QJsonObject{{QStringLiteral("mlflow_account"), optionalString(m_origin.mlflowAccount)},
                     {QStringLiteral("local_account"), optionalString(m_origin.localAccount)},
                     {QStringLiteral("program"),
                      QStringLiteral("mlflow-admin %1").arg(QCoreApplication::applicationVersion())}}},
        {QStringLiteral("server"),
         QJsonObject{{QStringLiteral("url"), m_origin.serverUrl},
                     {QStringLiteral("mlflow_version"), optionalString(m_origin.mlflowVersion)},
                     {QStringLiteral("api_generation"), generationKey(m_generation)},
                     {QStringLiteral("workspace"), optionalString(m_origin.workspace)}}},
        {QStringLiteral("default_permission"),
         QJsonObject{{QStringLiteral("level"), m_defaultPermission ? QJsonValue(Permissions::name(*m_defaultPermission))
                                                                   : QJsonValue(QJsonValue::Null)},
                     {QStringLiteral("stated"), m_defaultPermissionStated}}},
        {QStringLiteral("complete"), m_complete},
        {QStringLiteral("filters"),
         QJsonObject{{QStringLiteral("experiment_name_contains"), optionalString(m_experimentNameFilter)},
                     {QStringLiteral("model_name_contains"), optionalString(m_modelNameFilter)}}},
        {QStringLiteral("users"), users},
        {QStringLiteral("resources"), resources},
        {QStringLiteral("cells"), cells},
    };
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

std::optional<AccessSnapshot> AccessSnapshot::fromJson(const QByteArray& data, QString* error)
{
    const auto fail = [error](const QString& message) -> std::optional<AccessSnapshot> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(data, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(tr("This is not an access snapshot: it is not JSON (%1 at byte %2). Choose a file written by "
                       "`snapshot save` or the console's Save snapshot.")
                        .arg(parseError.errorString())
                        .arg(parseError.offset));
    const QJsonObject root = document.object();
    if (!document.isObject() || root.value(QStringLiteral("format")).toString() != QLatin1String(formatName))
        return fail(tr("This is not an access snapshot: it is JSON, but its \"format\" is not \"%1\". Choose a file "
                       "written by `snapshot save` or the console's Save snapshot.")
                        .arg(QLatin1String(formatName)));
    const QJsonValue versionValue = root.value(QStringLiteral("version"));
    const double version = versionValue.toDouble(-1);
    if (!versionValue.isDouble() || version < 1 || version != static_cast<int>(version))
        return fail(tr("The snapshot has no valid format version (\"version\" must be a whole number from 1). Save "
                       "a new snapshot."));
    if (version > formatVersion)
        return fail(tr("The snapshot has format version %1, newer than this mlflow-admin reads (up to %2). Open it "
                       "with a newer mlflow-admin.")
                        .arg(static_cast<int>(version))
                        .arg(formatVersion));

    SnapshotReader reader;
    AccessSnapshot snapshot;
    const QString takenAt = reader.string(root, QString(), QStringLiteral("taken_at"));
    snapshot.m_origin.takenAt = QDateTime::fromString(takenAt, Qt::ISODateWithMs).toUTC();
    if (!reader.failed() && !snapshot.m_origin.takenAt.isValid())
        reader.fail(QStringLiteral("taken_at"), tr("is '%1', not an ISO 8601 time").arg(takenAt));

    const QJsonObject producedBy = reader.object(root, QString(), QStringLiteral("produced_by"));
    snapshot.m_origin.mlflowAccount =
        reader.string(producedBy, QStringLiteral("produced_by."), QStringLiteral("mlflow_account"), true);
    snapshot.m_origin.localAccount =
        reader.string(producedBy, QStringLiteral("produced_by."), QStringLiteral("local_account"), true);

    const QJsonObject server = reader.object(root, QString(), QStringLiteral("server"));
    const QString serverWhere = QStringLiteral("server.");
    snapshot.m_origin.serverUrl = reader.string(server, serverWhere, QStringLiteral("url"));
    snapshot.m_origin.mlflowVersion = reader.string(server, serverWhere, QStringLiteral("mlflow_version"), true);
    snapshot.m_origin.workspace = reader.string(server, serverWhere, QStringLiteral("workspace"), true);
    const QString generation = reader.string(server, serverWhere, QStringLiteral("api_generation"));
    if (generation == generationKey(ApiGeneration::Legacy))
        snapshot.m_generation = ApiGeneration::Legacy;
    else if (generation == generationKey(ApiGeneration::Rbac))
        snapshot.m_generation = ApiGeneration::Rbac;
    else if (!reader.failed() && generation != generationKey(ApiGeneration::Unknown))
        reader.fail(serverWhere + QStringLiteral("api_generation"),
                    tr("is '%1', not legacy, rbac or unknown").arg(generation));

    const QJsonObject defaultPermission = reader.object(root, QString(), QStringLiteral("default_permission"));
    const QString defaultWhere = QStringLiteral("default_permission.");
    if (defaultPermission.value(QStringLiteral("level")).isNull() &&
        defaultPermission.contains(QStringLiteral("level")))
        snapshot.m_defaultPermission.reset();
    else
        snapshot.m_defaultPermission = reader.level(defaultPermission, defaultWhere, QStringLiteral("level"));
    snapshot.m_defaultPermissionStated = reader.boolean(defaultPermission, defaultWhere, QStringLiteral("stated"));
    snapshot.m_complete = reader.boolean(root, QString(), QStringLiteral("complete"));
    // Optional: files of other tools that write this format need not say how the load was filtered.
    const QJsonObject filters = root.value(QStringLiteral("filters")).toObject();
    snapshot.m_experimentNameFilter = filters.value(QStringLiteral("experiment_name_contains")).toString();
    snapshot.m_modelNameFilter = filters.value(QStringLiteral("model_name_contains")).toString();

    const QJsonArray users = reader.array(root, QString(), QStringLiteral("users"));
    for (qsizetype i = 0; i < users.size() && !reader.failed(); ++i) {
        const QString where = indexed(QStringLiteral("users"), i);
        const QJsonObject object = users.at(i).toObject();
        UserEntry user;
        user.username = reader.nonEmptyString(object, where, QStringLiteral("username"));
        user.isAdmin = reader.boolean(object, where, QStringLiteral("is_admin"));
        if (!reader.failed() && snapshot.m_userIndex.contains(user.username))
            reader.fail(where + QStringLiteral("username"), tr("'%1' is listed twice").arg(user.username));
        snapshot.m_userIndex.insert(user.username, static_cast<int>(snapshot.m_users.size()));
        snapshot.m_users.append(user);
    }
    const QJsonArray resources = reader.array(root, QString(), QStringLiteral("resources"));
    for (qsizetype i = 0; i < resources.size() && !reader.failed(); ++i) {
        const QString where = indexed(QStringLiteral("resources"), i);
        const QJsonObject object = resources.at(i).toObject();
        ResourceEntry resource;
        resource.type = reader.resourceType(object, where, QStringLiteral("resource_type"));
        resource.id = reader.nonEmptyString(object, where, QStringLiteral("resource_id"));
        resource.name = reader.string(object, where, QStringLiteral("resource_name"));
        const QString key = cellKey(QString(), resource.type, resource.id);
        if (!reader.failed() && snapshot.m_resourceIndex.contains(key))
            reader.fail(where + QStringLiteral("resource_id"), tr("'%1' is listed twice").arg(resource.id));
        snapshot.m_resourceIndex.insert(key, static_cast<int>(snapshot.m_resources.size()));
        snapshot.m_resources.append(resource);
    }
    const QJsonArray cells = reader.array(root, QString(), QStringLiteral("cells"));
    for (qsizetype i = 0; i < cells.size() && !reader.failed(); ++i) {
        const QString where = indexed(QStringLiteral("cells"), i);
        const QJsonObject object = cells.at(i).toObject();
        Cell cell;
        cell.username = reader.string(object, where, QStringLiteral("user"));
        cell.type = reader.resourceType(object, where, QStringLiteral("resource_type"));
        cell.resourceId = reader.string(object, where, QStringLiteral("resource_id"));
        cell.permission.level = reader.level(object, where, QStringLiteral("level"));
        cell.permission.source = reader.source(object, where, QStringLiteral("source"));
        const QJsonValue role = object.value(QStringLiteral("role"));
        if (!role.isUndefined() && !role.isString())
            reader.fail(where + QStringLiteral("role"), tr("is not a string"));
        cell.permission.detail = role.toString();
        const QJsonArray contributors = object.value(QStringLiteral("contributors")).toArray();
        for (qsizetype c = 0; c < contributors.size(); ++c)
            cell.permission.contributors.append(
                reader.contributor(contributors.at(c).toObject(), where + indexed(QStringLiteral("contributors"), c)));
        if (reader.failed())
            break;
        if (!snapshot.m_userIndex.contains(cell.username))
            reader.fail(where + QStringLiteral("user"), tr("'%1' is not among the users").arg(cell.username));
        else if (!snapshot.m_resourceIndex.contains(cellKey(QString(), cell.type, cell.resourceId)))
            reader.fail(where + QStringLiteral("resource_id"),
                        tr("'%1' is not among the resources").arg(cell.resourceId));
        else if (snapshot.m_cellIndex.contains(cellKey(cell.username, cell.type, cell.resourceId)))
            reader.fail(where.chopped(1), tr("repeats a cell listed before"));
        snapshot.m_cellIndex.insert(cellKey(cell.username, cell.type, cell.resourceId),
                                    static_cast<int>(snapshot.m_cells.size()));
        snapshot.m_cells.append(cell);
    }
    if (reader.failed())
        return fail(reader.error());
    return snapshot;
}

bool AccessSnapshot::writeFile(const QString& path, QString* error) const
{
    // It names every account and what it can reach: owner-only before the first byte is written.
    QString problem;
    if (!PrivateFiles::ensureFile(path, &problem)) {
        *error = tr("Cannot create the snapshot %1: %2. Choose a folder you can write to.")
                     .arg(QDir::toNativeSeparators(path), problem);
        return false;
    }
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(toJson()) < 0 || !file.flush()) {
        *error = tr("Cannot write the snapshot %1: %2. Check the disk and the folder's permissions.")
                     .arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    return true;
}

std::optional<AccessSnapshot> AccessSnapshot::readFile(const QString& path, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = tr("Cannot read the snapshot %1: %2. Check the file name.")
                     .arg(QDir::toNativeSeparators(path), file.errorString());
        return std::nullopt;
    }
    QString problem;
    auto snapshot = fromJson(file.readAll(), &problem);
    if (!snapshot)
        *error = QStringLiteral("%1: %2").arg(QDir::toNativeSeparators(path), problem);
    return snapshot;
}

const AccessSnapshot::UserEntry* AccessSnapshot::user(const QString& username) const
{
    const auto it = m_userIndex.constFind(username);
    return it == m_userIndex.constEnd() ? nullptr : &m_users.at(it.value());
}

const AccessSnapshot::ResourceEntry* AccessSnapshot::resource(ResourceType type, const QString& id) const
{
    const auto it = m_resourceIndex.constFind(cellKey(QString(), type, id));
    return it == m_resourceIndex.constEnd() ? nullptr : &m_resources.at(it.value());
}

const AccessSnapshot::Cell* AccessSnapshot::cell(const QString& username, ResourceType type,
                                                 const QString& resourceId) const
{
    const auto it = m_cellIndex.constFind(cellKey(username, type, resourceId));
    return it == m_cellIndex.constEnd() ? nullptr : &m_cells.at(it.value());
}

EffectivePermission AccessSnapshot::permission(const QString& username, ResourceType type,
                                               const QString& resourceId) const
{
    if (const Cell* stored = cell(username, type, resourceId))
        return stored->permission;
    EffectivePermission permission;
    if (m_defaultPermission) {
        permission.level = *m_defaultPermission;
        permission.source = EffectivePermission::Source::DefaultPermission;
    }
    return permission;
}

QString AccessSnapshot::sourceKey(EffectivePermission::Source source)
{
    switch (source) {
    case EffectivePermission::Source::Admin:
        return QStringLiteral("admin");
    case EffectivePermission::Source::ExplicitGrant:
        return QStringLiteral("explicit_grant");
    case EffectivePermission::Source::Role:
        return QStringLiteral("role");
    case EffectivePermission::Source::DefaultPermission:
        return QStringLiteral("default_permission");
    case EffectivePermission::Source::NotVisible:
        return QStringLiteral("not_visible");
    case EffectivePermission::Source::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

std::optional<EffectivePermission::Source> AccessSnapshot::parseSourceKey(const QString& key)
{
    using Source = EffectivePermission::Source;
    for (const Source source : {Source::Admin, Source::ExplicitGrant, Source::Role, Source::DefaultPermission,
                                Source::NotVisible, Source::Unknown}) {
        if (sourceKey(source) == key)
            return source;
    }
    return std::nullopt;
}

QString AccessSnapshot::generationKey(ApiGeneration generation)
{
    switch (generation) {
    case ApiGeneration::Legacy:
        return QStringLiteral("legacy");
    case ApiGeneration::Rbac:
        return QStringLiteral("rbac");
    case ApiGeneration::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

QString AccessSnapshot::currentLocalAccount()
{
#ifdef Q_OS_UNIX
    // The password database rather than $USER, which a shell or sudo may have left pointing at someone else.
    if (const passwd* entry = getpwuid(geteuid()); entry && entry->pw_name)
        return QString::fromLocal8Bit(entry->pw_name);
#endif
    const QString user = qEnvironmentVariable("USER");
    return user.isEmpty() ? qEnvironmentVariable("USERNAME") : user;
}

void AccessSnapshot::buildIndexes()
{
    m_userIndex.clear();
    m_resourceIndex.clear();
    m_cellIndex.clear();
    for (qsizetype i = 0; i < m_users.size(); ++i)
        m_userIndex.insert(m_users.at(i).username, static_cast<int>(i));
    for (qsizetype i = 0; i < m_resources.size(); ++i)
        m_resourceIndex.insert(cellKey(QString(), m_resources.at(i).type, m_resources.at(i).id), static_cast<int>(i));
    for (qsizetype i = 0; i < m_cells.size(); ++i) {
        const Cell& cell = m_cells.at(i);
        m_cellIndex.insert(cellKey(cell.username, cell.type, cell.resourceId), static_cast<int>(i));
    }
}

QString AccessSnapshot::cellKey(const QString& username, ResourceType type, const QString& resourceId)
{
    // A NUL cannot occur in user names or resource ids, so the parts cannot run into each other.
    return username + QChar(0) + Resources::wireName(type) + QChar(0) + resourceId;
}

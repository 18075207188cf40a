#include "models/AccessMatrixModel.h"

#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "models/ModelRoles.h"
#include "models/PermissionColors.h"
#include "models/ShownAccess.h"
#include "models/SnapshotDiff.h"
#include "models/StagedUserRows.h"

#include <QBrush>
#include <QColor>
#include <QFont>

namespace {

const QBrush& levelBrush(PermissionLevel level)
{
    static const QBrush none(PermissionColors::tint(PermissionLevel::NoPermissions));
    static const QBrush read(PermissionColors::tint(PermissionLevel::Read));
    static const QBrush use(PermissionColors::tint(PermissionLevel::Use));
    static const QBrush edit(PermissionColors::tint(PermissionLevel::Edit));
    static const QBrush manage(PermissionColors::tint(PermissionLevel::Manage));
    switch (level) {
    case PermissionLevel::Read:
        return read;
    case PermissionLevel::Use:
        return use;
    case PermissionLevel::Edit:
        return edit;
    case PermissionLevel::Manage:
        return manage;
    case PermissionLevel::NoPermissions:
        break;
    }
    return none;
}

// Compare mode: one tint per kind of change; the cell's text says which ("+READ", "−EDIT"...), so colour is an extra.
const QBrush& changeBrush(SnapshotDiff::Change change)
{
    static const QBrush gained(QColor(0xc8, 0xef, 0xc8));
    static const QBrush lost(QColor(0xf6, 0xc9, 0xc9));
    static const QBrush changed(QColor(0xfa, 0xe3, 0xb0));
    static const QBrush reason(QColor(0xdd, 0xe3, 0xf3));
    switch (change) {
    case SnapshotDiff::Change::Gained:
        return gained;
    case SnapshotDiff::Change::Lost:
        return lost;
    case SnapshotDiff::Change::LevelChanged:
        return changed;
    case SnapshotDiff::Change::ReasonChanged:
        break;
    }
    return reason;
}

// Staged cells are hatched by the delegate too.
const QBrush& stagedBrush()
{
    static const QBrush staged(PermissionColors::staged());
    return staged;
}

} // namespace

AccessMatrixModel::AccessMatrixModel(Directory* directory, ChangeSet* changeSet, QObject* parent)
    : QAbstractTableModel(parent), m_directory(directory), m_changeSet(changeSet)
{
    // Created first, so that on a staging change its rows are in place before the slots below look them up.
    m_stagedRows = new StagedUserRows(changeSet, this);
    connect(m_stagedRows, &StagedUserRows::aboutToInsert, this,
            [this](int index) { beginInsertUser(m_directory->userCount() + index); });
    connect(m_stagedRows, &StagedUserRows::inserted, this, &AccessMatrixModel::endInsertUser);
    connect(m_stagedRows, &StagedUserRows::aboutToRemove, this,
            [this](int index) { beginRemoveUser(m_directory->userCount() + index); });
    connect(m_stagedRows, &StagedUserRows::removed, this, &AccessMatrixModel::endRemoveUser);

    connect(directory, &Directory::aboutToReset, this, &AccessMatrixModel::beginResetModel);
    connect(directory, &Directory::reset, this, [this] {
        m_stagedRows->reload();
        endResetModel();
    });
    connect(directory, &Directory::userAboutToBeAdded, this, &AccessMatrixModel::beginInsertUser);
    connect(directory, &Directory::userAdded, this, [this] {
        endInsertUser();
        m_stagedRows->sync(); // a created user leaves the staged rows
    });
    connect(directory, &Directory::userAboutToBeRemoved, this, &AccessMatrixModel::beginRemoveUser);
    connect(directory, &Directory::userRemoved, this, [this] {
        endRemoveUser();
        m_stagedRows->sync();
    });
    connect(directory, &Directory::userChanged, this, &AccessMatrixModel::userChanged);
    connect(directory, &Directory::grantChanged, this, &AccessMatrixModel::grantChanged);
    connect(directory, &Directory::defaultPermissionChanged, this, &AccessMatrixModel::allChanged);
    // A role's permission or member change can change every cell of its members.
    connect(directory, &Directory::rolesChanged, this, &AccessMatrixModel::allChanged);
    if (changeSet) {
        connect(changeSet, &ChangeSet::grantStagingChanged, this, &AccessMatrixModel::grantChanged);
        // A staged admin flag changes what the user's staged cells will resolve to.
        connect(changeSet, &ChangeSet::userStagingChanged, this, &AccessMatrixModel::userChanged);
        // A staged role change can change every cell of the role's (staged) members.
        connect(changeSet, &ChangeSet::roleStagingChanged, this, &AccessMatrixModel::allChanged);
    }
}

void AccessMatrixModel::setResourceType(ResourceType type)
{
    if (type == m_type)
        return;
    beginResetModel();
    m_type = type;
    endResetModel();
}

void AccessMatrixModel::setOrientation(Orientation orientation)
{
    if (orientation == m_orientation)
        return;
    beginResetModel();
    m_orientation = orientation;
    endResetModel();
}

int AccessMatrixModel::userAxisCount() const
{
    return m_directory ? m_directory->userCount() + m_stagedRows->count() : 0;
}

QString AccessMatrixModel::usernameAt(int user) const
{
    return isStagedUser(user) ? m_stagedRows->at(user - m_directory->userCount()) : m_directory->userAt(user).username;
}

int AccessMatrixModel::userIndexOf(const QString& username) const
{
    if (!m_directory)
        return -1;
    const int row = m_directory->userRow(username);
    if (row >= 0)
        return row;
    const int staged = m_stagedRows->indexOf(username);
    return staged < 0 ? -1 : m_directory->userCount() + staged;
}

bool AccessMatrixModel::isStagedUser(int user) const
{
    return m_directory && user >= m_directory->userCount();
}

int AccessMatrixModel::resourceAxisCount() const
{
    return m_directory ? m_directory->resourceCount(m_type) : 0;
}

int AccessMatrixModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid())
        return 0;
    return m_orientation == Orientation::UsersAsRows ? userAxisCount() : resourceAxisCount();
}

int AccessMatrixModel::columnCount(const QModelIndex& parent) const
{
    if (parent.isValid())
        return 0;
    return m_orientation == Orientation::UsersAsRows ? resourceAxisCount() : userAxisCount();
}

int AccessMatrixModel::userOf(const QModelIndex& index) const
{
    return m_orientation == Orientation::UsersAsRows ? index.row() : index.column();
}

int AccessMatrixModel::resourceOf(const QModelIndex& index) const
{
    return m_orientation == Orientation::UsersAsRows ? index.column() : index.row();
}

QString AccessMatrixModel::cellText(const EffectivePermission& permission, CellStaging staging)
{
    const bool pending = staging != CellStaging::None;
    QString text;
    switch (permission.source) {
    case EffectivePermission::Source::Admin:
        text = tr("%1 (admin)").arg(Permissions::name(permission.level));
        break;
    case EffectivePermission::Source::ExplicitGrant:
        // A staged explicit level is not a grant yet: ◆ replaces ●.
        return Permissions::name(permission.level) + (pending ? QStringLiteral(" ◆") : QStringLiteral(" ●"));
    case EffectivePermission::Source::Role:
        text = tr("%1 (role %2)").arg(Permissions::name(permission.level), permission.detail);
        break;
    case EffectivePermission::Source::DefaultPermission:
        text = permission.level == PermissionLevel::NoPermissions
                   ? QStringLiteral("—")
                   : tr("%1 (default)").arg(Permissions::name(permission.level));
        break;
    case EffectivePermission::Source::Unknown:
        // Not "—": without the server's default the cell may well give access.
        text = tr("default (unknown)");
        break;
    case EffectivePermission::Source::NotVisible:
        text = tr("? not visible");
        break;
    }
    if (pending)
        text += staging == CellStaging::ChangesReasonOnly ? QStringLiteral(" ◇") : QStringLiteral(" ◆");
    return text;
}

EffectivePermission AccessMatrixModel::permissionAt(const QModelIndex& index) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_directory)
        return {};
    const QString username = usernameAt(userOf(index));
    const QString resourceId = m_directory->resourceIdAt(m_type, resourceOf(index));
    if (m_changeSet) {
        if (auto pending = m_changeSet->pendingPermission(username, m_type, resourceId))
            return *pending;
    }
    return m_directory->effectivePermission(username, m_type, resourceId);
}

QVariant AccessMatrixModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_directory)
        return {};
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
    case Qt::AccessibleTextRole:
    case Qt::BackgroundRole:
    case Qt::ForegroundRole:
    case Qt::EditRole:
    case Qt::TextAlignmentRole:
    case Qt::FontRole:
    case ModelRoles::UsernameRole:
    case ModelRoles::ResourceIdRole:
    case ModelRoles::PermissionLevelRole:
    case ModelRoles::PermissionSourceRole:
    case ModelRoles::PendingRole:
    case ModelRoles::ErrorRole:
    case ModelRoles::ExplicitLevelRole:
    case ModelRoles::ValueRole:
    case ModelRoles::ComparisonRole:
        break;
    default:
        // Cheap exit for the many roles views ask about (font, decoration, check state...).
        return {};
    }
    if (role == Qt::TextAlignmentRole)
        return QVariant::fromValue(Qt::Alignment(Qt::AlignCenter));
    if (role == Qt::FontRole && !m_baseline)
        return {};
    const QString username = usernameAt(userOf(index));
    const QString resourceId = m_directory->resourceIdAt(m_type, resourceOf(index));
    if (role == ModelRoles::UsernameRole)
        return username;
    if (role == ModelRoles::ResourceIdRole)
        return resourceId;
    if (role == ModelRoles::ExplicitLevelRole) {
        const auto level = m_directory->explicitLevel(username, m_type, resourceId);
        return level ? static_cast<int>(*level) : -1;
    }
    const StagedGrant* staged = m_changeSet ? m_changeSet->stagedGrant(username, m_type, resourceId) : nullptr;
    if (role == ModelRoles::ErrorRole)
        return staged && staged->error.isError() ? staged->error.userMessage() : QString();
    // Pending: a grant staged on this cell, or a staged admin flag that changes the whole row.
    const std::optional<EffectivePermission> pending =
        m_changeSet ? m_changeSet->pendingPermission(username, m_type, resourceId) : std::nullopt;
    if (role == ModelRoles::PendingRole)
        return pending.has_value();
    const EffectivePermission now = m_directory->effectivePermission(username, m_type, resourceId);
    const EffectivePermission permission = pending ? *pending : now;
    CellStaging staging = CellStaging::None;
    if (pending)
        staging = staged || pending->level != now.level ? CellStaging::ChangesLevel : CellStaging::ChangesReasonOnly;
    // Compare mode sets the server's state as loaded against the snapshot: staged changes are not on the server yet.
    std::optional<EffectivePermission> was;
    std::optional<SnapshotDiff::Change> change;
    if (m_baseline) {
        was = SnapshotDiff::sideOf(*m_baseline, username, m_type, resourceId);
        change = SnapshotDiff::compareCell(was, now);
    }
    if (role == ModelRoles::ComparisonRole)
        return change ? static_cast<int>(*change) : -1;
    if (role == Qt::FontRole) {
        if (!change)
            return {};
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    // Compare mode tints only what changed, so the changes stand out from the levels around them.
    if (m_baseline && !pending && (role == Qt::BackgroundRole || role == Qt::ForegroundRole)) {
        if (!change)
            return {};
        return role == Qt::ForegroundRole ? QBrush(QColor(0x20, 0x20, 0x20)) : changeBrush(*change);
    }
    switch (role) {
    case Qt::DisplayRole:
        if (change) {
            const QString text = SnapshotDiff::changeText(*change, was, now);
            return staging == CellStaging::None ? text : text + QStringLiteral(" \u25c6");
        }
        return cellText(permission, staging);
    case Qt::EditRole:
    case ModelRoles::PermissionLevelRole:
    case ModelRoles::ValueRole:
        return static_cast<int>(permission.level);
    case ModelRoles::PermissionSourceRole:
        return static_cast<int>(permission.source);
    case Qt::BackgroundRole:
    case Qt::ForegroundRole: {
        const bool tinted = pending || !(!permission.isKnown() ||
                                         (permission.level == PermissionLevel::NoPermissions &&
                                          permission.source == EffectivePermission::Source::DefaultPermission));
        if (!tinted)
            return {};
        // The tints are light in any palette: keep their text dark, or a dark palette's light text vanishes.
        if (role == Qt::ForegroundRole)
            return QBrush(QColor(0x20, 0x20, 0x20));
        return pending ? stagedBrush() : levelBrush(permission.level);
    }
    case Qt::ToolTipRole:
    case Qt::AccessibleTextRole: {
        QString text = tr("%1 on %2: %3")
                           .arg(username, m_directory->resourceNameAt(m_type, resourceOf(index)), permission.reason());
        if (staging == CellStaging::ChangesReasonOnly) {
            text +=
                QLatin1Char('\n') +
                tr("The level stays; staged changes give it another reason once applied (now: %1).").arg(now.reason());
        } else if (pending) {
            text += QLatin1Char('\n') + tr("Pending change, not yet applied (now: %1).").arg(now.reason());
            if (staged && staged->error.isError())
                text += QLatin1Char('\n') + tr("Last attempt failed: %1").arg(staged->error.userMessage());
        }
        if (isStagedUser(userOf(index)))
            text += QLatin1Char('\n') + StagedUserRows::explanation(username);
        if (change) {
            text += QLatin1Char('\n') +
                    tr("Since the snapshot of %1: %2. Then: %3. Now: %4.")
                        .arg(m_baseline->takenAt().toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'")),
                             SnapshotDiff::changeKey(*change).replace(QLatin1Char('_'), QLatin1Char(' ')),
                             SnapshotDiff::sideText(was), SnapshotDiff::sideText(now));
        } else if (m_baseline) {
            text +=
                QLatin1Char('\n') + tr("Unchanged since the snapshot of %1.")
                                        .arg(m_baseline->takenAt().toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'")));
        }
        return text;
    }
    default:
        return {};
    }
}

bool AccessMatrixModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (role != Qt::EditRole || !m_changeSet ||
        !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return false;
    std::optional<PermissionLevel> level;
    if (value.isValid()) {
        if (value.typeId() == QMetaType::QString || value.typeId() == QMetaType::QByteArray) {
            const QString text = value.toString().trimmed().toUpper();
            if (!text.isEmpty() && text != QLatin1String("REVOKE")) {
                level = Permissions::parse(text);
                if (!level)
                    return false;
            }
        } else {
            bool ok = false;
            const int number = value.toInt(&ok);
            if (!ok || number < -1 || number > static_cast<int>(PermissionLevel::Manage))
                return false;
            if (number >= 0)
                level = static_cast<PermissionLevel>(number);
        }
    }
    if (!(flags(index) & Qt::ItemIsEditable))
        return false;
    // The ChangeSet's grantStagingChanged signal emits dataChanged for the cell.
    return m_changeSet->stageGrant(userFromIndex(index), m_type, resourceFromIndex(index), level);
}

Qt::ItemFlags AccessMatrixModel::flags(const QModelIndex& index) const
{
    Qt::ItemFlags result = QAbstractTableModel::flags(index);
    // A member may change access only where it holds MANAGE; the server would refuse the rest.
    if (index.isValid() && m_changeSet && m_directory && m_directory->viewerCanManage(m_type, resourceFromIndex(index)))
        result |= Qt::ItemIsEditable;
    return result;
}

QVariant AccessMatrixModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (!m_directory || section < 0)
        return {};
    const bool userAxis = (orientation == Qt::Vertical) == (m_orientation == Orientation::UsersAsRows);
    if (userAxis) {
        if (section >= userAxisCount())
            return {};
        if (isStagedUser(section)) {
            const QString username = usernameAt(section);
            switch (role) {
            case Qt::DisplayRole:
                return tr("%1 ◆ new").arg(username);
            case Qt::ToolTipRole:
            case Qt::AccessibleDescriptionRole:
                return StagedUserRows::explanation(username);
            case ModelRoles::UsernameRole:
            case ModelRoles::ValueRole:
                return username;
            case ModelRoles::PendingRole:
                return true;
            default:
                return {};
            }
        }
        const User& user = m_directory->userAt(section);
        switch (role) {
        case Qt::DisplayRole:
            return user.isAdmin ? user.username + QStringLiteral(" ★") : user.username;
        case Qt::ToolTipRole:
            return user.isAdmin ? tr("%1 (administrator: MANAGE everywhere)").arg(user.username) : user.username;
        case ModelRoles::UsernameRole:
        case ModelRoles::ValueRole:
            return user.username;
        case ModelRoles::PendingRole:
            return false;
        default:
            return {};
        }
    }
    if (section >= resourceAxisCount())
        return {};
    switch (role) {
    case Qt::DisplayRole:
        return m_directory->resourceNameAt(m_type, section);
    case Qt::ToolTipRole:
        if (m_type == ResourceType::Experiment) {
            const Experiment& experiment = m_directory->experimentAt(section);
            return experiment.isDeleted() ? tr("%1 (id %2, deleted)").arg(experiment.name, experiment.id)
                                          : tr("%1 (id %2)").arg(experiment.name, experiment.id);
        }
        return m_directory->resourceNameAt(m_type, section);
    case ModelRoles::ResourceIdRole:
    case ModelRoles::ValueRole:
        return m_directory->resourceIdAt(m_type, section);
    default:
        return {};
    }
}

QString AccessMatrixModel::userFromIndex(const QModelIndex& index) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_directory)
        return {};
    return usernameAt(userOf(index));
}

QString AccessMatrixModel::resourceFromIndex(const QModelIndex& index) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_directory)
        return {};
    return m_directory->resourceIdAt(m_type, resourceOf(index));
}

QModelIndex AccessMatrixModel::indexFor(const QString& username, const QString& resourceId) const
{
    if (!m_directory)
        return {};
    const int user = userIndexOf(username);
    const int resource = m_directory->resourceRow(m_type, resourceId);
    if (user < 0 || resource < 0)
        return {};
    return m_orientation == Orientation::UsersAsRows ? index(user, resource) : index(resource, user);
}

QString AccessMatrixModel::userForSection(int section) const
{
    return m_directory && section >= 0 && section < userAxisCount() ? usernameAt(section) : QString();
}

QString AccessMatrixModel::resourceForSection(int section) const
{
    return m_directory && section >= 0 && section < resourceAxisCount() ? m_directory->resourceIdAt(m_type, section)
                                                                        : QString();
}

void AccessMatrixModel::grantChanged(const QString& username, ResourceType type, const QString& resourceId)
{
    if (type != m_type)
        return;
    const QModelIndex cell = indexFor(username, resourceId);
    if (cell.isValid())
        emit dataChanged(cell, cell);
}

void AccessMatrixModel::userChanged(const QString& username)
{
    const int user = userIndexOf(username);
    const int resources = resourceAxisCount();
    if (user < 0)
        return;
    if (m_orientation == Orientation::UsersAsRows) {
        if (resources > 0)
            emit dataChanged(index(user, 0), index(user, resources - 1));
        emit headerDataChanged(Qt::Vertical, user, user);
    } else {
        if (resources > 0)
            emit dataChanged(index(0, user), index(resources - 1, user));
        emit headerDataChanged(Qt::Horizontal, user, user);
    }
}

void AccessMatrixModel::setComparison(const AccessSnapshot& baseline)
{
    m_baseline = baseline;
    allChanged();
}

void AccessMatrixModel::clearComparison()
{
    if (!m_baseline)
        return;
    m_baseline.reset();
    allChanged();
}

void AccessMatrixModel::allChanged()
{
    if (rowCount() > 0 && columnCount() > 0)
        emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

void AccessMatrixModel::beginInsertUser(int row)
{
    if (m_orientation == Orientation::UsersAsRows)
        beginInsertRows({}, row, row);
    else
        beginInsertColumns({}, row, row);
}

void AccessMatrixModel::endInsertUser()
{
    if (m_orientation == Orientation::UsersAsRows)
        endInsertRows();
    else
        endInsertColumns();
}

void AccessMatrixModel::beginRemoveUser(int row)
{
    if (m_orientation == Orientation::UsersAsRows)
        beginRemoveRows({}, row, row);
    else
        beginRemoveColumns({}, row, row);
}

void AccessMatrixModel::endRemoveUser()
{
    if (m_orientation == Orientation::UsersAsRows)
        endRemoveRows();
    else
        endRemoveColumns();
}

AccessMatrixModel::ContentSections
AccessMatrixModel::sectionsWithContent(CellFilter filter, const QVector<bool>& usersConsidered,
                                       const QVector<bool>& resourcesConsidered) const
{
    ContentSections result;
    const int users = userAxisCount();
    const int resources = resourceAxisCount();
    result.users.fill(false, users);
    result.resources.fill(false, resources);
    if (!m_directory || filter == CellFilter::AllCells)
        return result;
    const auto resourceConsidered = [&](int row) {
        return resourcesConsidered.isEmpty() || resourcesConsidered.at(row);
    };
    int consideredResources = 0;
    for (int row = 0; row < resources; ++row)
        consideredResources += resourceConsidered(row) ? 1 : 0;
    const bool anyResource = consideredResources > 0;
    int keptResources = 0; // once every considered resource is kept, a user needs only one cell of their own
    const ShownAccess shown(m_directory, m_changeSet);
    for (int user = 0; user < users; ++user) {
        const QString username = usernameAt(user);
        const bool userConsidered = usersConsidered.isEmpty() || usersConsidered.at(user);
        const auto hasContent = [&](int row) {
            const QString resourceId = m_directory->resourceIdAt(m_type, row);
            if (filter == CellFilter::ExplicitGrants)
                return m_directory->explicitLevel(username, m_type, resourceId).has_value() ||
                       (m_changeSet && m_changeSet->stagedGrant(username, m_type, resourceId));
            const EffectivePermission permission = shown.permission(username, m_type, resourceId);
            return permission.canRead() && permission.source != EffectivePermission::Source::Admin;
        };
        const auto visit = [&](int row) {
            if (!resourceConsidered(row) || (result.users[user] && (!userConsidered || result.resources[row])))
                return;
            if (hasContent(row)) {
                result.users[user] = true;
                if (userConsidered && !result.resources[row]) {
                    result.resources[row] = true;
                    ++keptResources;
                }
            }
        };
        for (const int row : shown.namedResourceRows(username, m_type))
            visit(row);
        if (filter != CellFilter::CellsWithAccess || !shown.readsUnnamedResources(username, m_type))
            continue;
        if (shown.isAdmin(username)) {
            result.users[user] = anyResource;
            continue;
        }
        for (int row = 0; row < resources && !(result.users[user] && keptResources == consideredResources); ++row)
            visit(row);
    }
    return result;
}

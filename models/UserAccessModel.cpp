#include "models/UserAccessModel.h"

#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "models/ModelRoles.h"

#include <QTimer>

UserAccessModel::UserAccessModel(Directory* directory, ChangeSet* changeSet, QObject* parent)
    : QAbstractTableModel(parent), m_directory(directory), m_changeSet(changeSet)
{
    // Coalesced: a multi-cell edit or a load sends many signals, and the list is rebuilt once after them.
    m_reloadTimer = new QTimer(this);
    m_reloadTimer->setSingleShot(true);
    m_reloadTimer->setInterval(0);
    connect(m_reloadTimer, &QTimer::timeout, this, &UserAccessModel::reload);
    const auto later = [this] {
        if (!m_username.isEmpty())
            m_reloadTimer->start();
    };
    if (directory) {
        connect(directory, &Directory::reset, this, later);
        connect(directory, &Directory::grantChanged, this, later);
        connect(directory, &Directory::userChanged, this, later);
        connect(directory, &Directory::usersChanged, this, later);
        connect(directory, &Directory::defaultPermissionChanged, this, later);
        connect(directory, &Directory::rolesChanged, this, later);
    }
    if (changeSet)
        connect(changeSet, &ChangeSet::changed, this, later);
}

void UserAccessModel::setUser(const QString& username)
{
    if (username == m_username)
        return;
    m_username = username;
    reload();
}

void UserAccessModel::reload()
{
    m_reloadTimer->stop();
    beginResetModel();
    m_rows.clear();
    if (m_directory && !m_username.isEmpty()) {
        const ShownAccess shown(m_directory, m_changeSet);
        m_rows = shown.readableBy(m_username, ResourceType::Experiment);
        m_rows.append(shown.readableBy(m_username, ResourceType::RegisteredModel));
    }
    endResetModel();
    emit reloaded();
}

int UserAccessModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int UserAccessModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString UserAccessModel::shortReason(const EffectivePermission& permission)
{
    if (permission.source == EffectivePermission::Source::Role)
        return tr("role %1").arg(permission.detail);
    return EffectivePermission::sourceName(permission.source);
}

QVariant UserAccessModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ResourceAccess& access = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Resource:
            return access.name;
        case Kind:
            return access.type == ResourceType::Experiment ? tr("experiment") : tr("registered model");
        case Permission:
            return access.pending ? tr("%1 ◆").arg(Permissions::name(access.permission.level))
                                  : Permissions::name(access.permission.level);
        case Why:
            return shortReason(access.permission);
        default:
            return {};
        }
    case Qt::ToolTipRole: {
        // The whole name (the column may shorten it) and the full sentence, as in the matrix cell.
        QString text = tr("%1: %2").arg(access.name, access.permission.reason());
        if (access.pending)
            text += QLatin1Char('\n') + tr("Staged, not yet applied.");
        return text;
    }
    case ModelRoles::UsernameRole:
        return m_username;
    case ModelRoles::ResourceIdRole:
        return access.resourceId;
    case ModelRoles::PermissionLevelRole:
        return static_cast<int>(access.permission.level);
    case ModelRoles::PermissionSourceRole:
        return static_cast<int>(access.permission.source);
    case ModelRoles::PendingRole:
        return access.pending;
    default:
        return {};
    }
}

QVariant UserAccessModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Resource:
        return tr("Resource");
    case Kind:
        return tr("Kind");
    case Permission:
        return tr("Permission");
    case Why:
        return tr("Why");
    default:
        return {};
    }
}

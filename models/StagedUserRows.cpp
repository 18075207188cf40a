#include "models/StagedUserRows.h"

#include "models/ChangeSet.h"

#include <algorithm>

StagedUserRows::StagedUserRows(ChangeSet* changeSet, QObject* parent) : QObject(parent), m_changeSet(changeSet)
{
    if (m_changeSet)
        connect(m_changeSet, &ChangeSet::userStagingChanged, this, &StagedUserRows::sync);
    m_names = current();
}

int StagedUserRows::indexOf(const QString& username) const
{
    const auto it = std::lower_bound(m_names.cbegin(), m_names.cend(), username);
    return it != m_names.cend() && *it == username ? static_cast<int>(it - m_names.cbegin()) : -1;
}

QString StagedUserRows::explanation(const QString& username)
{
    return tr("%1 does not exist on the server yet: the user is created, before the permissions staged for them, "
              "when the staged changes are applied.")
        .arg(username);
}

QStringList StagedUserRows::current() const
{
    QStringList names;
    if (!m_changeSet)
        return names;
    for (const StagedUser& user : m_changeSet->stagedUsers()) { // sorted by name
        if (m_changeSet->isStagedCreation(user.username))
            names.append(user.username);
    }
    return names;
}

void StagedUserRows::sync()
{
    const QStringList target = current();
    // Removals from the back, so the indexes of the ones still to go stay valid; then insertions in order, each at
    // its sorted place.
    for (int i = count() - 1; i >= 0; --i) {
        if (!target.contains(m_names.at(i))) {
            emit aboutToRemove(i);
            m_names.removeAt(i);
            emit removed();
        }
    }
    for (const QString& name : target) {
        const auto it = std::lower_bound(m_names.begin(), m_names.end(), name);
        if (it != m_names.end() && *it == name)
            continue;
        const int index = static_cast<int>(it - m_names.begin());
        emit aboutToInsert(index);
        m_names.insert(index, name);
        emit inserted();
    }
}

void StagedUserRows::reload()
{
    m_names = current();
}

#pragma once

#include "api/PermissionLevel.h"
#include "api/WireTypes.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

class ChangeSet;
class Directory;

// One access review (recertification): the explicit grants in its scope (every one, one user's, or one experiment's),
// as loaded when it started, each marked keep or revoke by the reviewer. Finishing stages the revokes in the
// ChangeSet as one undo step, to be reviewed and applied like any other change; toJson() is the campaign's record
// (for the audit trail and reports).
class ReviewCampaign : public QObject
{
    Q_OBJECT

public:
    enum class Decision { Undecided, Keep, Revoke };
    enum class ScopeKind { All, User, Experiment };

    struct Item
    {
        QString username;
        ResourceType type = ResourceType::Experiment;
        QString resourceId;
        QString resourceName;
        PermissionLevel level = PermissionLevel::NoPermissions;
        Decision decision = Decision::Undecided;
        QDateTime decidedAt; // UTC
    };

    // `value` is the user name or the experiment id for those scopes.
    ReviewCampaign(Directory* directory, ChangeSet* changeSet, ScopeKind scope, const QString& value,
                   const QString& reviewer, QObject* parent = nullptr);

    QString id() const { return m_id; }
    ScopeKind scope() const { return m_scope; }
    QString scopeValue() const { return m_scopeValue; }
    QString scopeText() const; // "all explicit grants", "user user2", "experiment /user1/experiment1"
    QString reviewer() const { return m_reviewer; }
    QDateTime startedAt() const { return m_started; }
    QDateTime finishedAt() const { return m_finished; }
    bool isFinished() const { return m_finished.isValid(); }

    int count() const { return static_cast<int>(m_items.size()); }
    const Item& item(int index) const { return m_items.at(index); }
    const QList<Item>& items() const { return m_items; }
    int decidedCount() const;
    int revokeCount() const;

    int current() const { return m_current; }
    void setCurrent(int index);
    // Moves to the next (or previous) grant; false at the end (or start).
    bool next();
    bool previous();
    // Marks the current grant and moves on to the next undecided one after it (or stays when none is left).
    bool decide(Decision decision);
    bool decide(int index, Decision decision);

    // Stages a revoke for every grant marked Revoke (undecided ones are kept as they are) and ends the campaign.
    // False when it had ended already or the ChangeSet refuses (an apply is running).
    bool finish();

    QJsonObject toJson() const;
    QByteArray toCsv() const;

    static QString decisionName(Decision decision);

signals:
    void changed();
    void currentChanged(int index);
    void finished();

private:
    void collect();

    QPointer<Directory> m_directory;
    QPointer<ChangeSet> m_changeSet;
    ScopeKind m_scope;
    QString m_scopeValue;
    QString m_reviewer;
    QString m_id;
    QDateTime m_started;
    QDateTime m_finished;
    QList<Item> m_items;
    int m_current = 0;
};

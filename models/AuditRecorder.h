#pragma once

#include "models/AuditTrail.h"
#include "models/ChangeSet.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>

// The one place that turns what an apply sent into audit entries: one entry per planned change, with its calls and
// their answers, written when the apply finishes. The console and every CLI command that changes something use it.
// A failure to record never undoes or hides a change: it is reported through failed() and lastError().
class AuditRecorder : public QObject
{
    Q_OBJECT

public:
    AuditRecorder(const AuditActor& actor, const QString& filePath, QObject* parent = nullptr);

    const AuditActor& actor() const { return m_actor; }
    void setActor(const AuditActor& actor) { m_actor = actor; }
    QString filePath() const { return m_trail.filePath(); }
    void setFilePath(const QString& filePath) { m_trail = AuditTrail(filePath); }

    // Records every apply of `changes` from now on. Observe before connecting to applied() yourself, so the entries
    // are written by the time your slot runs.
    void observe(ChangeSet* changes);

    // Records changes sent without a ChangeSet (one entry each); `origin` overrides the actor's when not empty.
    bool record(const QList<ChangeResult>& results, const QString& origin = QString());
    // Records a finished review campaign (its toJson()).
    bool recordCampaign(const QJsonObject& campaign);

    // The entry a change becomes (without seq, time and hashes).
    QJsonObject entryFor(const ChangeResult& result, const QString& origin = QString()) const;

    QString lastError() const { return m_lastError; }
    int failureCount() const { return m_failures; }

signals:
    void recorded(int entries);
    void failed(const QString& message);

private:
    bool write(const QList<QJsonObject>& entries);
    QJsonObject actorFields(const QString& origin) const;

    AuditActor m_actor;
    AuditTrail m_trail;
    QString m_lastError;
    int m_failures = 0;
};

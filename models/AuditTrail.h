#pragma once

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUrl>

// Who acted, where and through what; the same for every entry of one apply.
struct AuditActor
{
    QString serverUrl;
    QString workspace; // empty: none asked for (MLflow's "default")
    QString localAccount;
    QString mlflowAccount;
    QString origin; // "console", "cli grant", "review campaign <id>"
};

// Which entries `audit list` and the Audit page show. Empty fields match everything.
struct AuditFilter
{
    QString user;     // the MLflow account that acted, or the user the change is about
    QString resource; // a resource id, name or pattern, or a role name
    QDateTime since;  // inclusive
    QDateTime until;  // exclusive

    bool matches(const QJsonObject& entry) const;
};

// The append-only, hash-chained record of the changes sent to one server (and workspace), as JSON Lines: one entry
// per line, each with `seq` (1, 2, ...), `prev_hash` (the previous entry's `hash`, 64 zeros for the first) and
// `hash`, the SHA-256 (lower-case hex) of the entry's canonical form without `hash`: compact JSON, keys sorted,
// UTF-8. Editing, removing or reordering a stored entry breaks the chain at that entry, and verify() names it.
// Owner-only (folder 0700, file 0600); a lock file beside it serialises the console and CLI runs that append to
// the same server at once.
class AuditTrail
{
    Q_DECLARE_TR_FUNCTIONS(AuditTrail)

public:
    explicit AuditTrail(QString filePath);

    QString filePath() const { return m_filePath; }

    // $MLFLOW_ADMIN_AUDIT_DIR, else the shared data folder of the console and the CLI
    // (~/.local/share/mlflow-admin/audit on Linux).
    static QString defaultFolder();
    // The file of one server and workspace in `folder` (default: defaultFolder()): a readable key from the address,
    // plus a short hash of the exact address so that two addresses never share a file.
    static QString filePathFor(const QUrl& serverUrl, const QString& workspace, const QString& folder = QString());
    // The operating-system account running this process.
    static QString localAccount();

    // Appends the entries in order, each completed with seq, time (if absent), prev_hash and hash, under the lock.
    // False with a translated `error` when the file cannot be locked, read or written; then nothing was appended.
    bool append(const QList<QJsonObject>& entries, QString* error = nullptr);

    // Every entry that parses, in file order. A missing file has none. False with `error` when it cannot be read.
    bool read(QList<QJsonObject>* entries, QString* error = nullptr) const;

    struct Verification
    {
        bool ok = true;
        int entries = 0;         // entries checked (all of them when ok)
        int line = 0;            // the first broken entry's line (1-based), 0 when ok
        qint64 sequence = -1;    // its seq as stored, -1 when unreadable
        QString reason;          // why it is broken, translated
        QString lastHash;        // the last entry's hash, when ok
        QString message() const; // one sentence for people
    };
    Verification verify() const;

    // The hash an entry must carry: SHA-256 of canonical(entry without "hash").
    static QString hashOf(const QJsonObject& entry);
    static QByteArray canonical(const QJsonObject& entry);
    static QString genesisHash();

private:
    bool lastEntry(QJsonObject* entry, QString* error) const;

    QString m_filePath;
};

#include "models/AuditTrail.h"

#include "api/PrivateFiles.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLockFile>
#include <QRegularExpression>
#include <QStandardPaths>

#ifdef Q_OS_UNIX
#include <pwd.h>
#include <unistd.h>
#endif

namespace {

const QString seqKey = QStringLiteral("seq");
const QString hashKey = QStringLiteral("hash");
const QString prevHashKey = QStringLiteral("prev_hash");
const QString timeKey = QStringLiteral("time");

// A console apply and a CLI run may append at once; a few seconds covers any append, a stale lock of a crashed
// process is taken over after that.
constexpr int lockWaitMs = 10000;
constexpr int staleLockMs = 30000;

bool fail(QString* error, const QString& message)
{
    if (error)
        *error = message;
    return false;
}

QString subjectField(const QJsonObject& entry, const char* key)
{
    return entry.value(QLatin1String("subject")).toObject().value(QLatin1String(key)).toString();
}

} // namespace

bool AuditFilter::matches(const QJsonObject& entry) const
{
    if (!user.isEmpty() && entry.value(QLatin1String("mlflow_account")).toString() != user &&
        subjectField(entry, "user") != user)
        return false;
    if (!resource.isEmpty() && subjectField(entry, "resource_id") != resource &&
        subjectField(entry, "resource_name") != resource && subjectField(entry, "role") != resource)
        return false;
    if (since.isValid() || until.isValid()) {
        const QDateTime time = QDateTime::fromString(entry.value(timeKey).toString(), Qt::ISODateWithMs);
        if (!time.isValid())
            return false;
        if (since.isValid() && time < since)
            return false;
        if (until.isValid() && time >= until)
            return false;
    }
    return true;
}

AuditTrail::AuditTrail(QString filePath) : m_filePath(std::move(filePath)) {}

QString AuditTrail::defaultFolder()
{
    const QString configured = qEnvironmentVariable("MLFLOW_ADMIN_AUDIT_DIR");
    if (!configured.isEmpty())
        return QDir::cleanPath(configured);
    // Not AppDataLocation: that differs between mlflow-admin and mlflow-admin-cli, which must share one trail.
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QLatin1String("/mlflow-admin/audit");
}

QString AuditTrail::filePathFor(const QUrl& serverUrl, const QString& workspace, const QString& folder)
{
    // MLflow reads a request without a workspace as the "default" workspace: one trail for both.
    const QString space = workspace == QLatin1String("default") ? QString() : workspace;
    const QString exact = serverUrl.adjusted(QUrl::RemoveUserInfo | QUrl::StripTrailingSlash).toString() +
                          (space.isEmpty() ? QString() : QLatin1Char('#') + space);
    QString readable = serverUrl.host() + QLatin1Char('_') + QString::number(serverUrl.port(0)) + serverUrl.path() +
                       (space.isEmpty() ? QString() : QLatin1Char('_') + space);
    readable.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("_"));
    const QString digest =
        QString::fromLatin1(QCryptographicHash::hash(exact.toUtf8(), QCryptographicHash::Sha256).toHex().left(10));
    return (folder.isEmpty() ? defaultFolder() : folder) + QLatin1Char('/') + readable + QLatin1Char('-') + digest +
           QLatin1String(".jsonl");
}

QString AuditTrail::localAccount()
{
#ifdef Q_OS_UNIX
    if (const passwd* entry = getpwuid(geteuid()); entry && entry->pw_name)
        return QString::fromLocal8Bit(entry->pw_name);
#endif
    QString name = qEnvironmentVariable("USER");
    if (name.isEmpty())
        name = qEnvironmentVariable("USERNAME");
    return name;
}

QString AuditTrail::genesisHash()
{
    return QString(64, QLatin1Char('0'));
}

QByteArray AuditTrail::canonical(const QJsonObject& entry)
{
    // QJsonObject keeps its keys sorted, nested objects too, so the compact form is canonical.
    QJsonObject copy = entry;
    copy.remove(hashKey);
    return QJsonDocument(copy).toJson(QJsonDocument::Compact);
}

QString AuditTrail::hashOf(const QJsonObject& entry)
{
    return QString::fromLatin1(QCryptographicHash::hash(canonical(entry), QCryptographicHash::Sha256).toHex());
}

bool AuditTrail::lastEntry(QJsonObject* entry, QString* error) const
{
    *entry = QJsonObject();
    QFile file(m_filePath);
    if (!file.exists())
        return true;
    if (!file.open(QIODevice::ReadOnly))
        return fail(error, tr("The audit trail %1 cannot be read: %2.").arg(m_filePath, file.errorString()));
    // Entries are short: the last one is within the file's tail; read more only when it is not.
    qint64 tail = 64 * 1024;
    while (true) {
        const qint64 start = std::max<qint64>(0, file.size() - tail);
        file.seek(start);
        const QByteArray bytes = file.readAll();
        const QList<QByteArray> lines = bytes.trimmed().split('\n');
        if (lines.size() > 1 || start == 0) {
            const QByteArray last = lines.isEmpty() ? QByteArray() : lines.last().trimmed();
            if (last.isEmpty())
                return true;
            QJsonParseError parseError;
            const QJsonDocument document = QJsonDocument::fromJson(last, &parseError);
            if (!document.isObject())
                return fail(error, tr("The last entry of the audit trail %1 is not valid JSON (%2); run `audit "
                                      "verify`, and move the damaged file aside before recording more.")
                                       .arg(m_filePath, parseError.errorString()));
            *entry = document.object();
            return true;
        }
        tail *= 4;
    }
}

bool AuditTrail::append(const QList<QJsonObject>& entries, QString* error)
{
    if (entries.isEmpty())
        return true;
    QString privacyProblem;
    if (!PrivateFiles::ensureFolder(QFileInfo(m_filePath).absolutePath(), &privacyProblem) ||
        !PrivateFiles::ensureFile(m_filePath, &privacyProblem))
        return fail(error, tr("The audit trail %1 cannot be created owner-only: %2").arg(m_filePath, privacyProblem));
    QLockFile lock(m_filePath + QLatin1String(".lock"));
    lock.setStaleLockTime(staleLockMs);
    if (!lock.tryLock(lockWaitMs))
        return fail(error, tr("The audit trail %1 is locked by another process (%2.lock); wait for it to finish, or "
                              "remove the lock file if no mlflow-admin runs.")
                               .arg(m_filePath, m_filePath));

    QJsonObject last;
    if (!lastEntry(&last, error))
        return false;
    QString previous = last.isEmpty() ? genesisHash() : last.value(hashKey).toString();
    qint64 sequence = last.isEmpty() ? 0 : static_cast<qint64>(last.value(seqKey).toDouble());

    QByteArray bytes;
    const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    for (QJsonObject entry : entries) {
        entry.insert(seqKey, static_cast<double>(++sequence));
        if (!entry.contains(timeKey))
            entry.insert(timeKey, now);
        entry.insert(prevHashKey, previous);
        entry.remove(hashKey);
        previous = hashOf(entry);
        entry.insert(hashKey, previous);
        bytes += QJsonDocument(entry).toJson(QJsonDocument::Compact) + '\n';
    }

    QFile file(m_filePath);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append))
        return fail(error, tr("The audit trail %1 cannot be opened for writing: %2. The changes were sent but are "
                              "not recorded; free space or fix the file's permissions.")
                               .arg(m_filePath, file.errorString()));
    const qint64 before = file.size();
    const bool written = file.write(bytes) == bytes.size() && file.flush();
#ifdef Q_OS_UNIX
    const bool synced = written && ::fsync(file.handle()) == 0;
#else
    const bool synced = written;
#endif
    if (!synced) {
        const QString reason = file.errorString();
        // No half line: the next append must find the chain's true end.
        file.resize(before);
        return fail(error, tr("The audit trail %1 could not be written: %2. The changes were sent but are not "
                              "recorded; free space or fix the file's permissions.")
                               .arg(m_filePath, reason));
    }
    return true;
}

bool AuditTrail::read(QList<QJsonObject>* entries, QString* error) const
{
    entries->clear();
    QFile file(m_filePath);
    if (!file.exists())
        return true;
    if (!file.open(QIODevice::ReadOnly))
        return fail(error, tr("The audit trail %1 cannot be read: %2.").arg(m_filePath, file.errorString()));
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (line.isEmpty())
            continue;
        const QJsonDocument document = QJsonDocument::fromJson(line);
        if (document.isObject())
            entries->append(document.object());
    }
    return true;
}

AuditTrail::Verification AuditTrail::verify() const
{
    Verification result;
    QFile file(m_filePath);
    if (!file.exists())
        return result;
    if (!file.open(QIODevice::ReadOnly)) {
        result.ok = false;
        result.reason = tr("the file cannot be read: %1").arg(file.errorString());
        return result;
    }
    QString previous = genesisHash();
    qint64 expected = 1;
    int lineNumber = 0;
    auto broken = [&result, &lineNumber](qint64 sequence, const QString& reason) {
        result.ok = false;
        result.line = lineNumber;
        result.sequence = sequence;
        result.reason = reason;
        result.lastHash.clear();
        return result;
    };
    while (!file.atEnd()) {
        const QByteArray line = file.readLine();
        ++lineNumber;
        if (line.trimmed().isEmpty())
            return broken(-1, tr("the line is empty"));
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
        if (!document.isObject())
            return broken(-1, tr("the line is not a JSON object (%1)").arg(parseError.errorString()));
        const QJsonObject entry = document.object();
        const QJsonValue seqValue = entry.value(seqKey);
        const qint64 sequence = seqValue.isDouble() ? static_cast<qint64>(seqValue.toDouble()) : -1;
        if (sequence != expected)
            return broken(sequence, sequence < 0 ? tr("it has no sequence number")
                                                 : tr("its sequence number is %1 where %2 was expected (an entry "
                                                      "was removed, added or moved)")
                                                       .arg(sequence)
                                                       .arg(expected));
        if (entry.value(prevHashKey).toString() != previous)
            return broken(sequence, tr("its prev_hash does not match the previous entry's hash (an entry before it "
                                       "was removed or replaced)"));
        const QString stored = entry.value(hashKey).toString();
        if (stored != hashOf(entry))
            return broken(sequence, tr("its hash does not match its content (the entry was edited)"));
        previous = stored;
        ++expected;
        ++result.entries;
    }
    result.lastHash = result.entries > 0 ? previous : QString();
    return result;
}

QString AuditTrail::Verification::message() const
{
    if (ok)
        return entries == 0
                   ? tr("The audit trail is empty.")
                   : tr("The audit trail is intact: %n entries, chained from the first to the last.", nullptr, entries);
    if (line == 0)
        return tr("The audit trail cannot be checked: %1.").arg(reason);
    const QString which = sequence >= 0 ? tr("entry %1 (line %2)").arg(sequence).arg(line) : tr("line %1").arg(line);
    return tr("The audit trail is broken at %1: %2. Every entry before it (%3) is intact; keep the file as evidence "
              "and compare it with a backup.")
        .arg(which, reason)
        .arg(entries);
}

#include "models/AuditLogModel.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace {

QString field(const QJsonObject& object, const char* key)
{
    return object.value(QLatin1String(key)).toString();
}

QString csvField(const QString& text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

} // namespace

AuditLogModel::AuditLogModel(QObject* parent) : QAbstractTableModel(parent) {}

bool AuditLogModel::load(const AuditTrail& trail, QString* error)
{
    QList<QJsonObject> entries;
    const bool ok = trail.read(&entries, error);
    setEntries(entries);
    return ok;
}

void AuditLogModel::setEntries(const QList<QJsonObject>& entries)
{
    beginResetModel();
    m_entries = entries;
    endResetModel();
}

int AuditLogModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int AuditLogModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString AuditLogModel::cellText(const QJsonObject& entry, Column column)
{
    switch (column) {
    case TimeColumn: {
        const QDateTime time = QDateTime::fromString(field(entry, "time"), Qt::ISODateWithMs);
        return time.isValid() ? time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                              : field(entry, "time");
    }
    case ActorColumn: {
        const QString local = field(entry, "local_account");
        return local.isEmpty() ? field(entry, "mlflow_account")
                               : QStringLiteral("%1 (%2)").arg(field(entry, "mlflow_account"), local);
    }
    case ChangeColumn:
        return field(entry, "kind");
    case SubjectColumn: {
        const QJsonObject subject = entry.value(QLatin1String("subject")).toObject();
        QStringList parts;
        if (subject.contains(QLatin1String("user")))
            parts.append(field(subject, "user"));
        if (subject.contains(QLatin1String("role")))
            parts.append(AuditLogModel::tr("role %1").arg(field(subject, "role")));
        if (subject.contains(QLatin1String("resource_type"))) {
            const QString name = field(subject, "resource_name");
            parts.append(field(subject, "resource_type") + QLatin1Char(' ') +
                         (name.isEmpty() ? field(subject, "resource_id") : name));
        }
        if (subject.contains(QLatin1String("campaign")))
            parts.append(AuditLogModel::tr("campaign %1").arg(field(subject, "campaign")));
        return parts.join(QStringLiteral(" · "));
    }
    case BeforeColumn:
        return field(entry, "before");
    case AfterColumn:
        return field(entry, "after");
    case ResultColumn: {
        const QString error = field(entry, "error");
        return error.isEmpty() ? field(entry, "result") : QStringLiteral("%1: %2").arg(field(entry, "result"), error);
    }
    case ColumnCount:
        break;
    }
    return {};
}

QVariant AuditLogModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_entries.size())
        return {};
    const QJsonObject& entry = m_entries.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return cellText(entry, static_cast<Column>(index.column()));
    case Qt::ToolTipRole: {
        QStringList lines{field(entry, "description"), tr("Origin: %1").arg(field(entry, "origin"))};
        for (const QJsonValue& call : entry.value(QLatin1String("calls")).toArray()) {
            const QJsonObject object = call.toObject();
            lines.append(QStringLiteral("%1 → %2")
                             .arg(field(object, "request"))
                             .arg(object.value(QLatin1String("status")).toInt()));
        }
        return lines.join(QLatin1Char('\n'));
    }
    case EntryRole:
        return entry;
    default:
        return {};
    }
}

QVariant AuditLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (static_cast<Column>(section)) {
    case TimeColumn:
        return tr("Time");
    case ActorColumn:
        return tr("Actor");
    case ChangeColumn:
        return tr("Change");
    case SubjectColumn:
        return tr("Subject");
    case BeforeColumn:
        return tr("Before");
    case AfterColumn:
        return tr("After");
    case ResultColumn:
        return tr("Result");
    case ColumnCount:
        break;
    }
    return {};
}

QByteArray AuditLogModel::toCsv(const QList<QJsonObject>& entries)
{
    QStringList lines{QStringLiteral("seq,time,mlflow_account,local_account,kind,subject,before,after,result,error,"
                                     "origin")};
    for (const QJsonObject& entry : entries) {
        const QStringList fields{QString::number(static_cast<qint64>(entry.value(QLatin1String("seq")).toDouble())),
                                 field(entry, "time"),
                                 field(entry, "mlflow_account"),
                                 field(entry, "local_account"),
                                 field(entry, "kind"),
                                 cellText(entry, SubjectColumn),
                                 field(entry, "before"),
                                 field(entry, "after"),
                                 field(entry, "result"),
                                 field(entry, "error"),
                                 field(entry, "origin")};
        QStringList quoted;
        for (const QString& text : fields)
            quoted.append(csvField(text));
        lines.append(quoted.join(QLatin1Char(',')));
    }
    return lines.join(QLatin1Char('\n')).toUtf8() + '\n';
}

QByteArray AuditLogModel::toJson(const QList<QJsonObject>& entries)
{
    QJsonArray array;
    for (const QJsonObject& entry : entries)
        array.append(entry);
    return QJsonDocument(array).toJson(QJsonDocument::Indented);
}

AuditFilterProxy::AuditFilterProxy(QObject* parent) : QSortFilterProxyModel(parent) {}

void AuditFilterProxy::setFilter(const AuditFilter& filter)
{
    m_filter = filter;
    invalidateFilter();
}

QList<QJsonObject> AuditFilterProxy::shownEntries() const
{
    QList<QJsonObject> shown;
    for (int row = 0; row < rowCount(); ++row)
        shown.append(data(index(row, 0), AuditLogModel::EntryRole).toJsonObject());
    return shown;
}

bool AuditFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    const auto* model = qobject_cast<const AuditLogModel*>(sourceModel());
    if (!model || sourceParent.isValid())
        return true;
    return m_filter.matches(model->entryAt(sourceRow));
}

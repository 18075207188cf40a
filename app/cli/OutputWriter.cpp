#include "app/cli/OutputWriter.h"

#include "reports/CsvText.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cstdio>

QJsonArray Table::toJson() const
{
    QJsonArray array;
    for (const QVariantList& row : rows) {
        QJsonObject object;
        for (int i = 0; i < columns.size() && i < row.size(); ++i)
            object.insert(columns.at(i).key, QJsonValue::fromVariant(row.at(i)));
        array.append(object);
    }
    return array;
}

void AlignedColumns::measure(const QStringList& texts)
{
    if (m_widths.size() < texts.size())
        m_widths.resize(texts.size(), 0);
    for (qsizetype i = 0; i < texts.size(); ++i)
        m_widths[i] = std::max(m_widths.at(i), texts.at(i).size());
}

QString AlignedColumns::line(const QStringList& texts) const
{
    QString line;
    for (qsizetype i = 0; i < texts.size(); ++i) {
        if (i > 0)
            line += QLatin1String("  ");
        line += i + 1 < texts.size() ? texts.at(i).leftJustified(m_widths.value(i)) : texts.at(i);
    }
    line += QLatin1Char('\n');
    return line;
}

OutputWriter::OutputWriter(OutputFormat format) : m_format(format), m_out(stdout), m_err(stderr) {}

OutputWriter::~OutputWriter()
{
    flush();
}

void OutputWriter::write(const QByteArray& utf8)
{
    // 256 KiB pieces: few write calls for a listing of hundreds of megabytes, little held at any time.
    constexpr qsizetype piece = 256 * 1024;
    if (m_pending.isEmpty())
        m_pending.reserve(piece + 4096);
    m_pending += utf8;
    if (m_pending.size() >= piece)
        flush();
}

void OutputWriter::flush()
{
    m_out.flush();
    if (!m_pending.isEmpty()) {
        std::fwrite(m_pending.constData(), 1, static_cast<size_t>(m_pending.size()), stdout);
        m_pending.clear();
    }
    std::fflush(stdout);
}

QString OutputWriter::displayText(const QVariant& value)
{
    if (value.typeId() == QMetaType::Bool)
        return value.toBool() ? QCoreApplication::translate("OutputWriter", "yes")
                              : QCoreApplication::translate("OutputWriter", "no");
    const QString text = value.toString();
    return text.isEmpty() ? QStringLiteral("-") : text;
}

void OutputWriter::table(const Table& table, const QString& caption)
{
    flush();
    if (m_format == OutputFormat::Json) {
        json(QJsonObject{{QStringLiteral("rows"), table.toJson()}});
        return;
    }
    if (m_format == OutputFormat::Csv) {
        QStringList header;
        for (const Table::Column& column : table.columns)
            header.append(column.key);
        m_out << CsvText::row(header);
        for (const QVariantList& row : table.rows) {
            QStringList fields;
            for (const QVariant& value : row)
                fields.append(value.typeId() == QMetaType::Bool
                                  ? (value.toBool() ? QStringLiteral("true") : QStringLiteral("false"))
                                  : value.toString());
            m_out << CsvText::row(fields);
        }
        m_out.flush();
        return;
    }
    if (!caption.isEmpty())
        m_out << caption << '\n';
    AlignedColumns columns;
    QStringList titles;
    for (const Table::Column& column : table.columns)
        titles.append(column.title);
    columns.measure(titles);
    QList<QStringList> cells;
    for (const QVariantList& row : table.rows) {
        QStringList texts;
        for (int i = 0; i < table.columns.size(); ++i)
            texts.append(i < row.size() ? displayText(row.at(i)) : QString());
        columns.measure(texts);
        cells.append(texts);
    }
    m_out << columns.line(titles);
    for (const QStringList& texts : std::as_const(cells))
        m_out << columns.line(texts);
    if (table.rows.isEmpty())
        m_out << QCoreApplication::translate("OutputWriter", "(none)") << '\n';
    m_out.flush();
}

void OutputWriter::json(const QJsonObject& object)
{
    flush();
    m_out << QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented));
    m_out.flush();
}

void OutputWriter::line(const QString& text)
{
    if (m_format != OutputFormat::Table)
        return;
    flush();
    m_out << text << '\n';
    m_out.flush();
}

void OutputWriter::note(const QString& text)
{
    flush();
    m_err << text << '\n';
    m_err.flush();
}

void OutputWriter::error(const QString& message, int exitCode, const QString& kind, const QJsonObject& details)
{
    note(message);
    if (m_format == OutputFormat::Json) {
        QJsonObject error = details;
        error.insert(QStringLiteral("message"), message);
        error.insert(QStringLiteral("exit_code"), exitCode);
        if (!kind.isEmpty())
            error.insert(QStringLiteral("kind"), kind);
        json(QJsonObject{{QStringLiteral("error"), error}});
    }
}

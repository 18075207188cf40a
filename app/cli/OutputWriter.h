#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTextStream>
#include <QVariant>

// Rows and columns a command prints: aligned text for people, CSV or JSON for scripts.
struct Table
{
    struct Column
    {
        QString key;   // the JSON key and CSV header, stable for scripts
        QString title; // the translated header people see
    };

    QList<Column> columns;
    QList<QVariantList> rows; // one value per column; bool, qint64 and QString keep their JSON types

    void addColumn(const QString& key, const QString& title) { columns.append({key, title}); }
    void addRow(const QVariantList& row) { rows.append(row); }
    // The rows as a JSON array of objects keyed by Column::key.
    QJsonArray toJson() const;
};

enum class OutputFormat { Table, Csv, Json };

// Columns of text for people: each as wide as its widest entry, two spaces apart, nothing padded after the last.
// OutputWriter::table() uses it; a listing too long to hold measures its rows in one pass and prints them in another.
class AlignedColumns
{
public:
    void measure(const QStringList& texts);
    QString line(const QStringList& texts) const;

private:
    QList<qsizetype> m_widths;
};

// Everything a command prints goes through here, so that --json output stays pure JSON on stdout while notes for
// people go to stderr.
class OutputWriter
{
public:
    explicit OutputWriter(OutputFormat format);
    ~OutputWriter();
    OutputWriter(const OutputWriter&) = delete;
    OutputWriter& operator=(const OutputWriter&) = delete;

    OutputFormat format() const { return m_format; }
    bool isJson() const { return m_format == OutputFormat::Json; }

    // Prints a table as text (with an optional caption line) or CSV. In JSON mode use json() instead.
    void table(const Table& table, const QString& caption = QString());
    // One JSON document on stdout (indented, so it is readable too).
    void json(const QJsonObject& object);
    // A line for people on stdout; dropped in JSON and CSV mode, which must stay machine-readable.
    void line(const QString& text);
    // A note on stderr in every mode (never parsed by scripts).
    void note(const QString& text);
    // An error: the sentence on stderr, and in JSON mode also {"error": ...} on stdout, with `details` merged in.
    void error(const QString& message, int exitCode, const QString& kind = QString(),
               const QJsonObject& details = QJsonObject());

    // For listings written while they are produced (the matrix of a big server): UTF-8 kept here and written in
    // large pieces. Every other call writes what is kept first, so the order on stdout stays.
    void write(const QByteArray& utf8);
    void flush();

    // Text rendering of one value: booleans as yes/no, empty as "-".
    static QString displayText(const QVariant& value);

private:
    OutputFormat m_format;
    QByteArray m_pending;
    QTextStream m_out;
    QTextStream m_err;
};

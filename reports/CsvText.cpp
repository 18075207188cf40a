#include "reports/CsvText.h"

#include <algorithm>

namespace CsvText {

namespace {

bool needsQuotes(QStringView text)
{
    return std::any_of(text.cbegin(), text.cend(), [](QChar c) {
        return c == QLatin1Char(',') || c == QLatin1Char('"') || c == QLatin1Char('\n') || c == QLatin1Char('\r');
    });
}

void appendField(QString& out, QStringView text)
{
    if (!needsQuotes(text)) {
        out += text;
        return;
    }
    out += QLatin1Char('"');
    for (const QChar c : text) {
        if (c == QLatin1Char('"'))
            out += QLatin1Char('"');
        out += c;
    }
    out += QLatin1Char('"');
}

} // namespace

QString field(const QString& text)
{
    if (!needsQuotes(text))
        return text;
    QString quoted;
    appendField(quoted, text);
    return quoted;
}

QString row(const QStringList& fields)
{
    QString out;
    for (qsizetype i = 0; i < fields.size(); ++i) {
        if (i > 0)
            out += QLatin1Char(',');
        appendField(out, fields.at(i));
    }
    out += QLatin1Char('\n');
    return out;
}

void appendRow(QString& out, std::initializer_list<QStringView> fields)
{
    bool first = true;
    for (const QStringView text : fields) {
        if (!first)
            out += QLatin1Char(',');
        appendField(out, text);
        first = false;
    }
    out += QLatin1Char('\n');
}

} // namespace CsvText

#pragma once

#include <QString>
#include <QStringList>
#include <QStringView>

#include <initializer_list>

// RFC 4180 fields and rows: quoted only when a field holds a comma, a quote or a line break. Used by every CSV we
// write (the CLI's tables, the reports, the console's exports), so that all of them read back the same way.
namespace CsvText {

QString field(const QString& text);
// The fields joined by commas, ending in a newline.
QString row(const QStringList& fields);
// The same, appended to `out` without a list or a copy per field: the matrix of a big server writes millions.
void appendRow(QString& out, std::initializer_list<QStringView> fields);

} // namespace CsvText

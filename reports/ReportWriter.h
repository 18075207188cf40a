#pragma once

#include "models/AccessReport.h"

#include <QByteArray>
#include <QString>

#include <optional>

// The formats a report is written in: a PDF for auditors, a self-contained HTML page, a CSV in the columns of
// `matrix --format csv` (so a report can be fed back to `apply`), and JSON for scripts.
enum class ReportFormat { Pdf, Html, Csv, Json };

// Lays out an AccessReport in each format. Writing PDF (and the HTML's chart) needs a QGuiApplication for fonts.
class ReportWriter
{
public:
    // Who produced the report and when: printed on its title page, beside the snapshot's own time.
    struct Producer
    {
        QString mlflowAccount;
        QString localAccount;
        QDateTime producedAt;
    };

    explicit ReportWriter(const AccessReport& report, Producer producer);

    static std::optional<ReportFormat> parseFormat(const QString& name);   // "pdf", "html", "csv", "json"
    static std::optional<ReportFormat> formatForFile(const QString& path); // by the file's suffix
    static QString formatName(ReportFormat format);

    // Writes the file owner-only; false with `error` saying what failed and what to do.
    bool write(ReportFormat format, const QString& path, QString* error) const;

    QByteArray html() const;
    QByteArray csv() const;
    QByteArray json() const;

private:
    enum class Flavour { Browser, TextDocument };
    QString htmlText(Flavour flavour) const;
    bool writePdf(const QString& path, QString* error) const;

    const AccessReport& m_report;
    Producer m_producer;
};

#include "views/ExportReportDialog.h"

#include "views/ErrorLabel.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QVBoxLayout>

namespace {

using Kind = AccessReport::Scope::Kind;

const QList<ReportFormat>& formats()
{
    static const QList<ReportFormat> all{ReportFormat::Pdf, ReportFormat::Html, ReportFormat::Csv, ReportFormat::Json};
    return all;
}

QString formatLabel(ReportFormat format)
{
    switch (format) {
    case ReportFormat::Pdf:
        return ExportReportDialog::tr("PDF document (for people)");
    case ReportFormat::Html:
        return ExportReportDialog::tr("HTML page (self-contained)");
    case ReportFormat::Csv:
        return ExportReportDialog::tr("CSV (the columns of matrix --format csv)");
    case ReportFormat::Json:
        break;
    }
    return ExportReportDialog::tr("JSON (for scripts)");
}

} // namespace

ExportReportDialog::ExportReportDialog(AccessSnapshot snapshot, ReportWriter::Producer producer, QWidget* parent)
    : QDialog(parent), m_snapshot(std::move(snapshot)), m_producer(std::move(producer))
{
    setWindowTitle(tr("Export access report"));
    setObjectName(QStringLiteral("exportReportDialog"));

    auto* intro = new QLabel(tr("A report of who can access what on %1 and why, as the console shows it now: a "
                                "summary, a chart of the permission levels and, per resource, every user's level "
                                "and reason.")
                                 .arg(m_snapshot.serverUrl()),
                             this);
    intro->setWordWrap(true);

    m_scopeKind = new QComboBox(this);
    m_scopeKind->setObjectName(QStringLiteral("scopeKindCombo"));
    m_scopeKind->addItem(tr("Everything"), static_cast<int>(Kind::All));
    m_scopeKind->addItem(tr("One user"), static_cast<int>(Kind::User));
    m_scopeKind->addItem(tr("One experiment"), static_cast<int>(Kind::Experiment));
    m_scopeKind->addItem(tr("One registered model"), static_cast<int>(Kind::Model));
    m_scopeName = new QComboBox(this);
    m_scopeName->setObjectName(QStringLiteral("scopeNameCombo"));
    m_scopeName->setEditable(true);
    m_scopeName->setInsertPolicy(QComboBox::NoInsert);
    m_scopeName->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_scopeName->setMinimumContentsLength(20);
    connect(m_scopeKind, &QComboBox::currentIndexChanged, this, &ExportReportDialog::fillNames);

    m_format = new QComboBox(this);
    m_format->setObjectName(QStringLiteral("formatCombo"));
    for (const ReportFormat format : formats())
        m_format->addItem(formatLabel(format), static_cast<int>(format));
    connect(m_format, &QComboBox::currentIndexChanged, this, &ExportReportDialog::formatChanged);

    m_pathEdit = new QLineEdit(this);
    m_pathEdit->setObjectName(QStringLiteral("pathEdit"));
    // Documents when there is one (a fresh account may have none), else the home folder.
    QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (!QDir(folder).exists())
        folder = QDir::homePath();
    const QString stem = QStringLiteral("access-report-%1-%2")
                             .arg(QUrl(m_snapshot.serverUrl()).host(),
                                  m_snapshot.takenAt().toUTC().toString(QStringLiteral("yyyyMMdd-HHmm")));
    m_pathEdit->setText(QDir::toNativeSeparators(QDir(folder).filePath(stem + QStringLiteral(".pdf"))));
    auto* browse = new QPushButton(tr("&Browse…"), this);
    connect(browse, &QPushButton::clicked, this, &ExportReportDialog::chooseFile);
    auto* fileRow = new QHBoxLayout;
    fileRow->addWidget(m_pathEdit, 1);
    fileRow->addWidget(browse);

    auto* form = new QFormLayout;
    form->addRow(tr("&Covers:"), m_scopeKind);
    form->addRow(tr("&Name:"), m_scopeName);
    form->addRow(tr("&Format:"), m_format);
    form->addRow(tr("F&ile:"), fileRow);

    m_errorLabel = ErrorLabel::create(this);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_exportButton = buttons->addButton(tr("&Export"), QDialogButtonBox::AcceptRole);
    m_exportButton->setObjectName(QStringLiteral("exportButton"));
    m_exportButton->setDefault(true);
    connect(m_exportButton, &QPushButton::clicked, this, &ExportReportDialog::exportReport);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_errorLabel);
    layout->addStretch(1);
    layout->addWidget(buttons);
    fillNames();
    resize(560, sizeHint().height());
}

void ExportReportDialog::fillNames()
{
    const auto kind = static_cast<Kind>(m_scopeKind->currentData().toInt());
    m_scopeName->clear();
    m_scopeName->setEnabled(kind != Kind::All);
    if (kind == Kind::User) {
        for (const AccessSnapshot::UserEntry& user : m_snapshot.users())
            m_scopeName->addItem(user.username);
    } else if (kind == Kind::Experiment || kind == Kind::Model) {
        const ResourceType type = kind == Kind::Experiment ? ResourceType::Experiment : ResourceType::RegisteredModel;
        QStringList names;
        for (const AccessSnapshot::ResourceEntry& resource : m_snapshot.resources()) {
            if (resource.type == type)
                names.append(resource.name);
        }
        names.sort(Qt::CaseInsensitive);
        m_scopeName->addItems(names);
    }
    m_errorLabel->hide();
}

void ExportReportDialog::setScope(const AccessReport::Scope& scope)
{
    m_scopeKind->setCurrentIndex(m_scopeKind->findData(static_cast<int>(scope.kind)));
    if (scope.kind != Kind::All)
        m_scopeName->setCurrentText(scope.name);
}

AccessReport::Scope ExportReportDialog::scope() const
{
    const auto kind = static_cast<Kind>(m_scopeKind->currentData().toInt());
    return {kind, kind == Kind::All ? QString() : m_scopeName->currentText().trimmed()};
}

ReportFormat ExportReportDialog::format() const
{
    return static_cast<ReportFormat>(m_format->currentData().toInt());
}

void ExportReportDialog::setFormat(ReportFormat format)
{
    m_format->setCurrentIndex(m_format->findData(static_cast<int>(format)));
}

QString ExportReportDialog::path() const
{
    return QDir::fromNativeSeparators(m_pathEdit->text().trimmed());
}

void ExportReportDialog::setPath(const QString& path)
{
    m_pathEdit->setText(QDir::toNativeSeparators(path));
}

QString ExportReportDialog::errorText() const
{
    return m_errorLabel->isVisible() ? m_errorLabel->text() : QString();
}

void ExportReportDialog::formatChanged()
{
    // Keep the file name, with the suffix of the chosen format.
    const QFileInfo file(path());
    if (file.fileName().isEmpty())
        return;
    setPath(file.dir().filePath(file.completeBaseName() + QLatin1Char('.') + ReportWriter::formatName(format())));
}

void ExportReportDialog::chooseFile()
{
    auto* dialog = new QFileDialog(this, tr("Export access report"), path(),
                                   tr("%1 (*.%2)").arg(formatLabel(format()), ReportWriter::formatName(format())));
    dialog->setObjectName(QStringLiteral("reportFileDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(ReportWriter::formatName(format()));
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString& chosen) {
        setPath(chosen);
        m_errorLabel->hide();
    });
    dialog->open();
}

void ExportReportDialog::showError(const QString& message)
{
    m_errorLabel->setText(message);
    m_errorLabel->show();
}

bool ExportReportDialog::exportReport()
{
    const QString file = path();
    if (file.isEmpty()) {
        showError(tr("Choose the file to write the report to."));
        return false;
    }
    const AccessReport::Scope chosen = scope();
    if (chosen.kind != Kind::All && chosen.name.isEmpty()) {
        showError(tr("Choose the %1 the report is about, or Everything.")
                      .arg(m_scopeKind->currentText().section(QLatin1Char(' '), 1).toLower()));
        return false;
    }
    QString error;
    const std::optional<AccessReport> report = AccessReport::build(m_snapshot, chosen, &error);
    if (!report) {
        showError(error);
        return false;
    }
    if (!ReportWriter(*report, m_producer).write(format(), file, &error)) {
        showError(error);
        return false;
    }
    emit exported(file);
    accept();
    return true;
}

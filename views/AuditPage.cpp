#include "views/AuditPage.h"

#include "models/AuditLogModel.h"
#include "views/MessageBox.h"

#include <QCheckBox>
#include <QDateEdit>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

AuditPage::AuditPage(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("AuditPage"));
    m_model = new AuditLogModel(this);
    m_proxy = new AuditFilterProxy(this);
    m_proxy->setSourceModel(m_model);

    m_userEdit = new QLineEdit(this);
    m_userEdit->setObjectName(QStringLiteral("auditUserFilter"));
    m_userEdit->setClearButtonEnabled(true);
    m_userEdit->setPlaceholderText(tr("User…"));
    m_userEdit->setAccessibleName(tr("Filter by user (who acted or who was changed)"));
    m_resourceEdit = new QLineEdit(this);
    m_resourceEdit->setObjectName(QStringLiteral("auditResourceFilter"));
    m_resourceEdit->setClearButtonEnabled(true);
    m_resourceEdit->setPlaceholderText(tr("Experiment, model or role…"));
    m_resourceEdit->setAccessibleName(tr("Filter by resource"));
    m_dateRange = new QCheckBox(tr("Fro&m"), this);
    m_dateRange->setObjectName(QStringLiteral("auditDateRange"));
    m_since = new QDateEdit(QDate::currentDate().addDays(-30), this);
    m_since->setObjectName(QStringLiteral("auditSince"));
    m_since->setCalendarPopup(true);
    m_since->setAccessibleName(tr("From date"));
    m_until = new QDateEdit(QDate::currentDate(), this);
    m_until->setObjectName(QStringLiteral("auditUntil"));
    m_until->setCalendarPopup(true);
    m_until->setAccessibleName(tr("To date (inclusive)"));
    for (QDateEdit* edit : {m_since, m_until}) {
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
        edit->setEnabled(false);
    }
    connect(m_userEdit, &QLineEdit::textChanged, this, &AuditPage::applyFilter);
    connect(m_resourceEdit, &QLineEdit::textChanged, this, &AuditPage::applyFilter);
    connect(m_dateRange, &QCheckBox::toggled, this, [this](bool on) {
        m_since->setEnabled(on);
        m_until->setEnabled(on);
        applyFilter();
    });
    connect(m_since, &QDateEdit::dateChanged, this, &AuditPage::applyFilter);
    connect(m_until, &QDateEdit::dateChanged, this, &AuditPage::applyFilter);

    m_verifyButton = new QPushButton(tr("Verif&y"), this);
    m_verifyButton->setObjectName(QStringLiteral("auditVerifyButton"));
    m_verifyButton->setToolTip(tr("Check that no recorded entry was edited, removed or reordered."));
    connect(m_verifyButton, &QPushButton::clicked, this, [this] { verify(); });
    m_exportButton = new QPushButton(tr("E&xport…"), this);
    m_exportButton->setObjectName(QStringLiteral("auditExportButton"));
    m_exportButton->setToolTip(tr("Save the shown entries as CSV or JSON."));
    connect(m_exportButton, &QPushButton::clicked, this, &AuditPage::exportWithDialog);
    m_reviewButton = new QPushButton(tr("&Review access…"), this);
    m_reviewButton->setObjectName(QStringLiteral("auditReviewButton"));
    m_reviewButton->setToolTip(tr("Go through the explicit grants and mark each keep or revoke (recertification)."));
    connect(m_reviewButton, &QPushButton::clicked, this, &AuditPage::reviewRequested);

    // Two rows, so the page still fits a narrow window.
    auto* filters = new QHBoxLayout;
    filters->addWidget(m_userEdit, 1);
    filters->addWidget(m_resourceEdit, 1);
    filters->addWidget(m_dateRange);
    filters->addWidget(m_since);
    filters->addWidget(new QLabel(tr("to"), this));
    filters->addWidget(m_until);

    m_countLabel = new QLabel(this);
    m_countLabel->setObjectName(QStringLiteral("auditCountLabel"));
    m_chainLabel = new QLabel(this);
    m_chainLabel->setObjectName(QStringLiteral("auditChainLabel"));
    m_chainLabel->setWordWrap(true);
    m_chainLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* actions = new QHBoxLayout;
    actions->addWidget(m_countLabel, 1);
    actions->addWidget(m_verifyButton);
    actions->addWidget(m_exportButton);
    actions->addWidget(m_reviewButton);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("auditView"));
    m_view->setAccessibleName(tr("Audit trail"));
    m_view->setModel(m_proxy);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addLayout(actions);
    layout->addWidget(m_chainLabel);
    layout->addWidget(m_view, 1);
}

void AuditPage::setTrailPath(const QString& path)
{
    m_trailPath = path;
    m_chainLabel->clear();
    reload();
}

void AuditPage::reload()
{
    QString error;
    if (!m_model->load(AuditTrail(m_trailPath), &error))
        m_chainLabel->setText(error);
    m_view->resizeColumnsToContents();
    applyFilter();
}

void AuditPage::applyFilter()
{
    AuditFilter filter;
    filter.user = m_userEdit->text().trimmed();
    filter.resource = m_resourceEdit->text().trimmed();
    if (m_dateRange->isChecked()) {
        filter.since = m_since->date().startOfDay();
        filter.until = m_until->date().addDays(1).startOfDay();
    }
    m_proxy->setFilter(filter);
    m_countLabel->setText(m_proxy->rowCount() == m_model->rowCount()
                              ? tr("%n change(s) recorded", nullptr, m_model->rowCount())
                              : tr("%1 of %2 change(s) shown").arg(m_proxy->rowCount()).arg(m_model->rowCount()));
}

AuditTrail::Verification AuditPage::verify()
{
    const AuditTrail::Verification result = AuditTrail(m_trailPath).verify();
    // Text, not colour alone: the sentence says intact or broken.
    m_chainLabel->setText(result.ok ? QStringLiteral("✔ ") + result.message()
                                    : QStringLiteral("✖ ") + result.message());
    return result;
}

bool AuditPage::exportTo(const QString& path, QString* error) const
{
    const QList<QJsonObject> shown = m_proxy->shownEntries();
    const QByteArray bytes = path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive) ? AuditLogModel::toJson(shown)
                                                                                        : AuditLogModel::toCsv(shown);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(bytes) != bytes.size()) {
        if (error)
            *error =
                tr("The export could not be written to %1: %2. Pick another folder.").arg(path, file.errorString());
        return false;
    }
    return true;
}

void AuditPage::exportWithDialog()
{
    auto* dialog = new QFileDialog(this, tr("Export audit entries"), QString(), tr("CSV (*.csv);;JSON (*.json)"));
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, [this, dialog](const QString& chosen) {
        QString path = chosen;
        if (!path.contains(QLatin1Char('.')))
            path += dialog->selectedNameFilter().startsWith(QLatin1String("JSON")) ? QStringLiteral(".json")
                                                                                   : QStringLiteral(".csv");
        QString error;
        if (!exportTo(path, &error))
            MessageBox::warning(this, tr("Export failed"), error);
    });
    dialog->open();
}

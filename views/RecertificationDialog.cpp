#include "views/RecertificationDialog.h"

#include "models/AuditRecorder.h"
#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "views/MessageBox.h"

#include "api/PrivateFiles.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QShortcut>
#include <QStandardPaths>
#include <QTableWidget>
#include <QVBoxLayout>

namespace {

enum Column { UserColumn, ResourceColumn, LevelColumn, DecisionColumn, ColumnCount };

QString decisionText(ReviewCampaign::Decision decision)
{
    switch (decision) {
    case ReviewCampaign::Decision::Keep:
        return RecertificationDialog::tr("✔ Keep");
    case ReviewCampaign::Decision::Revoke:
        return RecertificationDialog::tr("✖ Revoke");
    case ReviewCampaign::Decision::Undecided:
        break;
    }
    return RecertificationDialog::tr("— to decide");
}

} // namespace

RecertificationDialog::RecertificationDialog(Directory* directory, ChangeSet* changeSet, AuditRecorder* audit,
                                             QWidget* parent)
    : QDialog(parent), m_directory(directory), m_changeSet(changeSet), m_audit(audit)
{
    setObjectName(QStringLiteral("RecertificationDialog"));
    setWindowTitle(tr("Review access"));

    m_scopeBox = new QComboBox(this);
    m_scopeBox->setObjectName(QStringLiteral("scopeBox"));
    m_scopeBox->setAccessibleName(tr("Which grants to review"));
    m_scopeBox->addItem(tr("All explicit grants"), static_cast<int>(ReviewCampaign::ScopeKind::All));
    m_scopeBox->addItem(tr("One user's grants"), static_cast<int>(ReviewCampaign::ScopeKind::User));
    m_scopeBox->addItem(tr("One experiment's grants"), static_cast<int>(ReviewCampaign::ScopeKind::Experiment));
    m_subjectBox = new QComboBox(this);
    m_subjectBox->setObjectName(QStringLiteral("subjectBox"));
    m_subjectBox->setAccessibleName(tr("User or experiment to review"));
    m_subjectBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_subjectBox->setMinimumContentsLength(12);
    m_startButton = new QPushButton(tr("&Start"), this);
    m_startButton->setObjectName(QStringLiteral("startReviewButton"));
    connect(m_scopeBox, &QComboBox::currentIndexChanged, this, &RecertificationDialog::fillSubjects);
    connect(m_startButton, &QPushButton::clicked, this, [this] { start(); });

    m_progressLabel = new QLabel(tr("Choose what to review, then Start."), this);
    m_progressLabel->setObjectName(QStringLiteral("reviewProgressLabel"));
    m_progressLabel->setWordWrap(true);
    m_progress = new QProgressBar(this);
    m_progress->setTextVisible(true);

    m_grants = new QTableWidget(0, ColumnCount, this);
    m_grants->setObjectName(QStringLiteral("reviewGrantsView"));
    m_grants->setAccessibleName(tr("Grants under review"));
    m_grants->setHorizontalHeaderLabels({tr("User"), tr("Resource"), tr("Level"), tr("Decision")});
    m_grants->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_grants->setSelectionMode(QAbstractItemView::SingleSelection);
    m_grants->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_grants->verticalHeader()->hide();
    m_grants->horizontalHeader()->setStretchLastSection(true);
    connect(m_grants, &QTableWidget::currentCellChanged, this, [this](int row) {
        if (m_campaign && row >= 0)
            m_campaign->setCurrent(row);
    });

    m_keepButton = new QPushButton(tr("&Keep (K)"), this);
    m_keepButton->setObjectName(QStringLiteral("keepButton"));
    m_revokeButton = new QPushButton(tr("&Revoke (R)"), this);
    m_revokeButton->setObjectName(QStringLiteral("revokeButton"));
    m_previousButton = new QPushButton(tr("&Previous (P)"), this);
    m_nextButton = new QPushButton(tr("&Next (N)"), this);
    m_finishButton = new QPushButton(tr("&Finish"), this);
    m_finishButton->setObjectName(QStringLiteral("finishReviewButton"));
    m_finishButton->setToolTip(tr("Stage the revokes (Review & apply sends them) and record the review."));
    connect(m_keepButton, &QPushButton::clicked, this, &RecertificationDialog::keep);
    connect(m_revokeButton, &QPushButton::clicked, this, &RecertificationDialog::revoke);
    connect(m_previousButton, &QPushButton::clicked, this, &RecertificationDialog::previous);
    connect(m_nextButton, &QPushButton::clicked, this, &RecertificationDialog::next);
    connect(m_finishButton, &QPushButton::clicked, this, [this] { finish(); });
    // Single keys, as the button texts say; they act only while this dialog has the focus.
    const QList<QPair<Qt::Key, void (RecertificationDialog::*)()>> keys = {
        {Qt::Key_K, &RecertificationDialog::keep},
        {Qt::Key_R, &RecertificationDialog::revoke},
        {Qt::Key_N, &RecertificationDialog::next},
        {Qt::Key_P, &RecertificationDialog::previous}};
    for (const auto& [key, slot] : keys) {
        auto* shortcut = new QShortcut(QKeySequence(key), this);
        connect(shortcut, &QShortcut::activated, this, slot);
    }

    auto* scope = new QHBoxLayout;
    scope->addWidget(m_scopeBox);
    scope->addWidget(m_subjectBox, 1);
    scope->addWidget(m_startButton);
    auto* decisions = new QHBoxLayout;
    decisions->addWidget(m_keepButton);
    decisions->addWidget(m_revokeButton);
    decisions->addStretch(1);
    decisions->addWidget(m_previousButton);
    decisions->addWidget(m_nextButton);
    m_exportButton = new QPushButton(tr("E&xport…"), this);
    m_exportButton->setObjectName(QStringLiteral("exportReviewButton"));
    m_exportButton->setToolTip(tr("Save the campaign's decisions so far (who reviewed, when, keep or revoke for "
                                  "each grant) as JSON or CSV for its report."));
    connect(m_exportButton, &QPushButton::clicked, this, &RecertificationDialog::chooseExportFile);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_exportButton, QDialogButtonBox::ActionRole);
    buttons->addButton(m_finishButton, QDialogButtonBox::AcceptRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(scope);
    layout->addWidget(m_progressLabel);
    layout->addWidget(m_progress);
    layout->addWidget(m_grants, 1);
    layout->addLayout(decisions);
    layout->addWidget(buttons);
    resize(720, 480);
    fillSubjects();
    updateState();
}

void RecertificationDialog::fillSubjects()
{
    m_subjectBox->clear();
    const auto kind = static_cast<ReviewCampaign::ScopeKind>(m_scopeBox->currentData().toInt());
    m_subjectBox->setEnabled(kind != ReviewCampaign::ScopeKind::All);
    if (!m_directory)
        return;
    if (kind == ReviewCampaign::ScopeKind::User) {
        for (int row = 0; row < m_directory->userCount(); ++row)
            m_subjectBox->addItem(m_directory->userAt(row).username, m_directory->userAt(row).username);
    } else if (kind == ReviewCampaign::ScopeKind::Experiment) {
        for (int row = 0; row < m_directory->experimentCount(); ++row)
            m_subjectBox->addItem(m_directory->experimentAt(row).name, m_directory->experimentAt(row).id);
    }
}

void RecertificationDialog::start()
{
    start(static_cast<ReviewCampaign::ScopeKind>(m_scopeBox->currentData().toInt()),
          m_subjectBox->currentData().toString());
}

void RecertificationDialog::start(ReviewCampaign::ScopeKind scope, const QString& value)
{
    if (!m_directory || !m_changeSet)
        return;
    delete m_campaign;
    const QString reviewer = m_audit ? m_audit->actor().mlflowAccount : QString();
    m_campaign = new ReviewCampaign(m_directory, m_changeSet, scope, value, reviewer, this);
    connect(m_campaign, &ReviewCampaign::changed, this, &RecertificationDialog::updateState);
    connect(m_campaign, &ReviewCampaign::currentChanged, this, [this](int row) {
        m_grants->setCurrentCell(row, m_grants->currentColumn() < 0 ? 0 : m_grants->currentColumn());
    });
    rebuild();
    m_grants->setFocus();
}

void RecertificationDialog::rebuild()
{
    m_grants->setRowCount(m_campaign ? m_campaign->count() : 0);
    for (int row = 0; m_campaign && row < m_campaign->count(); ++row)
        updateRow(row);
    m_grants->resizeColumnsToContents();
    if (m_campaign && m_campaign->count() > 0)
        m_grants->setCurrentCell(0, 0);
    updateState();
}

void RecertificationDialog::updateRow(int row)
{
    const ReviewCampaign::Item& item = m_campaign->item(row);
    const QStringList texts = {
        item.username,
        (item.type == ResourceType::Experiment ? tr("experiment %1") : tr("model %1")).arg(item.resourceName),
        Permissions::name(item.level), decisionText(item.decision)};
    for (int column = 0; column < ColumnCount; ++column) {
        QTableWidgetItem* cell = m_grants->item(row, column);
        if (!cell) {
            cell = new QTableWidgetItem;
            m_grants->setItem(row, column, cell);
        }
        cell->setText(texts.at(column));
    }
}

void RecertificationDialog::decide(ReviewCampaign::Decision decision)
{
    if (!m_campaign || m_campaign->count() == 0)
        return;
    const int row = m_campaign->current();
    if (m_campaign->decide(decision))
        updateRow(row);
}

void RecertificationDialog::next()
{
    if (m_campaign)
        m_campaign->next();
}

void RecertificationDialog::previous()
{
    if (m_campaign)
        m_campaign->previous();
}

void RecertificationDialog::updateState()
{
    const bool running = m_campaign && !m_campaign->isFinished();
    const bool any = running && m_campaign->count() > 0;
    for (QPushButton* button : {m_keepButton, m_revokeButton, m_previousButton, m_nextButton})
        button->setEnabled(any);
    m_finishButton->setEnabled(running);
    m_exportButton->setEnabled(m_campaign != nullptr);
    if (!m_campaign) {
        m_progress->setRange(0, 1);
        m_progress->setValue(0);
        return;
    }
    const int total = m_campaign->count();
    const int decided = m_campaign->decidedCount();
    m_progress->setRange(0, qMax(total, 1));
    m_progress->setValue(decided);
    m_progress->setFormat(tr("%1 of %2 decided").arg(decided).arg(total));
    m_progressLabel->setText(total == 0 ? tr("There are no explicit grants in %1.").arg(m_campaign->scopeText())
                                        : tr("Reviewing %1: %2 of %3 decided, %4 to revoke. Undecided grants are kept.")
                                              .arg(m_campaign->scopeText())
                                              .arg(decided)
                                              .arg(total)
                                              .arg(m_campaign->revokeCount()));
}

bool RecertificationDialog::finish()
{
    if (!m_campaign || m_campaign->isFinished())
        return false;
    if (!m_campaign->finish()) {
        MessageBox::warning(this, tr("Review access"),
                            tr("The revokes could not be staged because changes are being applied. Wait for the "
                               "apply to end, then Finish again."));
        return false;
    }
    const int revokes = m_campaign->revokeCount();
    if (m_audit && !m_audit->recordCampaign(m_campaign->toJson()))
        MessageBox::warning(
            parentWidget(), tr("Audit trail"),
            tr("The review's revokes are staged, but the review could not be recorded: %1").arg(m_audit->lastError()));
    emit revokesStaged(revokes);
    accept();
    return true;
}

bool RecertificationDialog::exportCampaign(const QString& path, QString* error) const
{
    if (!m_campaign) {
        *error = tr("Start a review first: there is no campaign to export yet.");
        return false;
    }
    // It names users and what they may reach: owner-only from the first byte.
    QString problem;
    if (!PrivateFiles::ensureFile(path, &problem)) {
        *error =
            tr("Cannot create %1: %2. Choose a folder you can write to.").arg(QDir::toNativeSeparators(path), problem);
        return false;
    }
    const QByteArray data = QFileInfo(path).suffix().compare(QLatin1String("csv"), Qt::CaseInsensitive) == 0
                                ? m_campaign->toCsv()
                                : QJsonDocument(m_campaign->toJson()).toJson(QJsonDocument::Indented);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
        *error = tr("Cannot write %1: %2. Check the disk and the folder's permissions.")
                     .arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    return PrivateFiles::ensureFile(path, error);
}

void RecertificationDialog::chooseExportFile()
{
    if (!m_campaign)
        return;
    QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (!QDir(folder).exists())
        folder = QDir::homePath();
    auto* dialog = new QFileDialog(this, tr("Export review campaign"),
                                   QDir(folder).filePath(QStringLiteral("review-%1.json").arg(m_campaign->id())),
                                   tr("JSON (*.json);;CSV (*.csv)"));
    dialog->setObjectName(QStringLiteral("reviewExportFileDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString& path) {
        QString error;
        if (!exportCampaign(path, &error))
            MessageBox::warning(this, tr("Export review campaign"), error);
    });
    // open(), not exec(): no nested event loop while the window may be loading or applying.
    dialog->open();
}

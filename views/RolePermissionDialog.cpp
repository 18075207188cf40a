#include "views/RolePermissionDialog.h"

#include "api/TrackingApi.h"
#include "api/WireTypes.h"
#include "models/Directory.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

namespace {

constexpr int patternRole = Qt::UserRole + 1;
// Enough for picking one; a longer list only means the admin should type more.
constexpr int maxResults = 200;

} // namespace

RolePermissionDialog::RolePermissionDialog(Directory* directory, TrackingApi* tracking, const QString& roleName,
                                           QWidget* parent)
    : QDialog(parent), m_directory(directory), m_tracking(tracking)
{
    setObjectName(QStringLiteral("RolePermissionDialog"));
    setWindowTitle(tr("Permission of role %1").arg(roleName));

    m_type = new QComboBox(this);
    m_type->setObjectName(QStringLiteral("resourceTypeCombo"));
    m_type->addItem(tr("Experiments"), Resources::wireName(ResourceType::Experiment));
    m_type->addItem(tr("Registered models"), Resources::wireName(ResourceType::RegisteredModel));
    m_type->setAccessibleName(tr("Resource type"));

    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("resourceSearchEdit"));
    m_search->setPlaceholderText(tr("Search the server by name…"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Resource search"));

    m_results = new QListWidget(this);
    m_results->setObjectName(QStringLiteral("resourceResults"));
    m_results->setAccessibleName(tr("Resources"));
    m_results->setMinimumHeight(160);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("searchStatus"));
    m_status->setWordWrap(true);

    m_level = new QComboBox(this);
    m_level->setObjectName(QStringLiteral("levelCombo"));
    m_level->setAccessibleName(tr("Permission level"));
    for (const PermissionLevel level :
         {PermissionLevel::Read, PermissionLevel::Use, PermissionLevel::Edit, PermissionLevel::Manage})
        m_level->addItem(Permissions::name(level), static_cast<int>(level));

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Stage"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* form = new QFormLayout;
    form->addRow(tr("&Type:"), m_type);
    form->addRow(tr("&Find:"), m_search);
    form->addRow(tr("&Resource:"), m_results);
    form->addRow(QString(), m_status);
    form->addRow(tr("&Level:"), m_level);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);

    // Searching on every key press would send a request per letter.
    m_searchTimer = new QTimer(this);
    m_searchTimer->setSingleShot(true);
    m_searchTimer->setInterval(250);
    connect(m_searchTimer, &QTimer::timeout, this, &RolePermissionDialog::search);
    connect(m_search, &QLineEdit::textChanged, m_searchTimer, qOverload<>(&QTimer::start));
    connect(m_type, &QComboBox::currentIndexChanged, this, [this] {
        showLoaded();
        m_searchTimer->start();
    });
    connect(m_results, &QListWidget::currentRowChanged, this,
            [buttons, this] { buttons->button(QDialogButtonBox::Ok)->setEnabled(!pattern().isEmpty()); });
    connect(m_results, &QListWidget::itemDoubleClicked, this, &QDialog::accept);
    showLoaded();
    buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
    resize(460, 420);
}

void RolePermissionDialog::setFixedResource(const QString& resourceType, const QString& pattern, const QString& text,
                                            PermissionLevel level)
{
    m_fixedType = resourceType;
    m_fixedPattern = pattern;
    m_type->setEnabled(false);
    m_search->setEnabled(false);
    m_results->clear();
    auto* item = new QListWidgetItem(text, m_results);
    item->setData(patternRole, pattern);
    m_results->setCurrentRow(0);
    m_results->setEnabled(false);
    m_status->clear();
    m_level->setCurrentIndex(qMax(0, m_level->findData(static_cast<int>(level))));
    m_level->setFocus();
}

QString RolePermissionDialog::resourceType() const
{
    return m_fixedType.isEmpty() ? m_type->currentData().toString() : m_fixedType;
}

QString RolePermissionDialog::pattern() const
{
    if (!m_fixedPattern.isEmpty())
        return m_fixedPattern;
    const QListWidgetItem* item = m_results->currentItem();
    return item ? item->data(patternRole).toString() : QString();
}

PermissionLevel RolePermissionDialog::level() const
{
    return static_cast<PermissionLevel>(m_level->currentData().toInt());
}

bool RolePermissionDialog::selectPattern(const QString& pattern)
{
    for (int row = 0; row < m_results->count(); ++row) {
        if (m_results->item(row)->data(patternRole).toString() == pattern) {
            m_results->setCurrentRow(row);
            return true;
        }
    }
    return false;
}

void RolePermissionDialog::addAllItem()
{
    const bool experiments = resourceType() == Resources::wireName(ResourceType::Experiment);
    auto* item =
        new QListWidgetItem(experiments ? tr("* — every experiment") : tr("* — every registered model"), m_results);
    item->setData(patternRole, QString::fromLatin1(RolePermission::allResources));
}

// What the Directory already holds, so the list is useful before (or without) the server's answer.
void RolePermissionDialog::showLoaded()
{
    if (!m_fixedPattern.isEmpty())
        return;
    m_results->clear();
    addAllItem();
    if (!m_directory)
        return;
    const auto type = Resources::parseWireName(resourceType()).value_or(ResourceType::Experiment);
    const QString text = m_search->text();
    int shown = 0;
    for (int row = 0; row < m_directory->resourceCount(type) && shown < maxResults; ++row) {
        const QString name = m_directory->resourceNameAt(type, row);
        if (!text.isEmpty() && !name.contains(text, Qt::CaseInsensitive))
            continue;
        auto* item = new QListWidgetItem(name, m_results);
        item->setData(patternRole, m_directory->resourceIdAt(type, row));
        ++shown;
    }
}

void RolePermissionDialog::search()
{
    if (!m_fixedPattern.isEmpty())
        return;
    showLoaded();
    if (!m_tracking)
        return;
    if (m_pending)
        m_pending->abort();
    const QString text = m_search->text();
    const QString filter = text.isEmpty() ? QString() : TrackingApi::nameContainsFilter(text);
    const bool experiments = resourceType() == Resources::wireName(ResourceType::Experiment);
    m_status->setText(tr("Searching the server…"));
    const QString wantedType = resourceType();
    ApiJob* job = nullptr;
    if (experiments) {
        auto* search = m_tracking->searchExperiments(ViewType::ActiveOnly, filter, maxResults);
        connect(search, &ApiJob::finished, this, [this, search, wantedType] {
            if (m_pending == search)
                m_pending = nullptr;
            if (search->hasError() || resourceType() != wantedType) {
                if (search->hasError() && search->error().kind() != ApiError::Kind::Cancelled)
                    m_status->setText(tr("The search failed: %1 The list shows the loaded experiments.")
                                          .arg(search->error().userMessage()));
                return;
            }
            m_results->clear();
            addAllItem();
            for (const Experiment& experiment : search->value()) {
                auto* item = new QListWidgetItem(experiment.name, m_results);
                item->setData(patternRole, experiment.id);
            }
            m_status->setText(
                tr("%n experiment(s) on the server match.", nullptr, static_cast<int>(search->value().size())));
        });
        job = search;
    } else {
        auto* search = m_tracking->searchRegisteredModels(filter, maxResults);
        connect(search, &ApiJob::finished, this, [this, search, wantedType] {
            if (m_pending == search)
                m_pending = nullptr;
            if (search->hasError() || resourceType() != wantedType) {
                if (search->hasError() && search->error().kind() != ApiError::Kind::Cancelled)
                    m_status->setText(tr("The search failed: %1 The list shows the loaded registered models.")
                                          .arg(search->error().userMessage()));
                return;
            }
            m_results->clear();
            addAllItem();
            for (const RegisteredModel& model : search->value()) {
                auto* item = new QListWidgetItem(model.name, m_results);
                item->setData(patternRole, model.name);
            }
            m_status->setText(
                tr("%n registered model(s) on the server match.", nullptr, static_cast<int>(search->value().size())));
        });
        job = search;
    }
    m_pending = job;
}

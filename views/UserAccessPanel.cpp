#include "views/UserAccessPanel.h"

#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "models/UserAccessModel.h"
#include "views/ElidingHeaderView.h"

#include <QHeaderView>
#include <QLabel>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QVBoxLayout>

namespace {

// Resource names shortened as the matrix headers are: "/team094/…/experiment019994" keeps what tells them apart.
class PathElidingDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        // The style's text margins and the grid line, with room to spare: a text it still finds too wide, it would
        // elide its own way.
        const QStyle* style = option->widget ? option->widget->style() : nullptr;
        const int frame = style ? style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, option->widget) : 2;
        const int margin = 2 * (frame + 1) + 6;
        option->text = ElidingHeaderView::elidedPath(option->text, option->fontMetrics, option->rect.width() - margin);
    }
};

} // namespace

UserAccessPanel::UserAccessPanel(Directory* directory, ChangeSet* changeSet, QWidget* parent)
    : QWidget(parent), m_directory(directory)
{
    setObjectName(QStringLiteral("userAccessPanel"));
    m_model = new UserAccessModel(directory, changeSet, this);

    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("userAccessTitle"));
    m_title->setWordWrap(true);
    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("userAccessNote"));
    m_note->setWordWrap(true);
    m_note->setForegroundRole(QPalette::PlaceholderText);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("userAccessView"));
    m_view->setAccessibleName(tr("What the user can access"));
    m_view->setModel(m_model);
    m_view->setItemDelegateForColumn(UserAccessModel::Resource, new PathElidingDelegate(m_view));
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setTabKeyNavigation(false);
    m_view->setWordWrap(false);
    m_view->setTextElideMode(Qt::ElideMiddle);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setColumnWidth(UserAccessModel::Resource, 125);
    m_view->setColumnWidth(UserAccessModel::Permission, 75);
    m_view->setColumnWidth(UserAccessModel::Why, 100);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_note);

    connect(m_model, &UserAccessModel::reloaded, this, &UserAccessPanel::updateTexts);
    updateTexts();
}

void UserAccessPanel::setUser(const QString& username)
{
    m_model->setUser(username);
    updateTexts();
}

QString UserAccessPanel::user() const
{
    return m_model->user();
}

void UserAccessPanel::updateTexts()
{
    const QString user = m_model->user();
    if (user.isEmpty() || !m_directory) {
        m_title->setText(tr("Select a user to see what they can access."));
        m_note->hide();
        return;
    }
    int experiments = 0;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        if (m_model->accessAt(row).type == ResourceType::Experiment)
            ++experiments;
    }
    const int models = m_model->rowCount() - experiments;
    m_title->setText(
        tr("What %1 can access (experiments: %2, registered models: %3)").arg(user).arg(experiments).arg(models));
    // Without the default permission, a resource without a grant may or may not be readable: say so rather than
    // let the list look complete.
    const bool unknownDefault = !m_directory->defaultPermission() && !m_directory->isAdmin(user);
    m_note->setText(tr("Resources without a grant follow the server's default permission, which is not known. "
                       "Choose the assumed default on the Access matrix page to include them."));
    m_note->setVisible(unknownDefault);
}

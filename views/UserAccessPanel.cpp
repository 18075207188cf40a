#include "views/UserAccessPanel.h"

#include "models/ChangeSet.h"
#include "models/Directory.h"
#include "models/UserAccessModel.h"

#include <QHeaderView>
#include <QLabel>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QVBoxLayout>

namespace {

// The style's text margins and the grid line, with room to spare: a text it still finds too wide, it would elide
// its own way.
int textRoom(const QWidget* widget, int cellWidth)
{
    const QStyle* style = widget ? widget->style() : nullptr;
    const int frame = style ? style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, widget) : 2;
    return cellWidth - (2 * (frame + 1) + 6);
}

// Resource names shortened as the matrix headers are ("/team094/…/experiment019994"), except that names which
// would come out alike keep what tells them apart (DistinctPathElider); the tooltip has the whole name.
class PathElidingDelegate : public QStyledItemDelegate
{
public:
    PathElidingDelegate(const DistinctPathElider* elider, QObject* parent)
        : QStyledItemDelegate(parent), m_elider(elider)
    {}

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        option->text =
            m_elider->elided(option->text, option->fontMetrics, textRoom(option->widget, option->rect.width()));
    }

private:
    const DistinctPathElider* m_elider;
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
    m_view->setItemDelegateForColumn(UserAccessModel::Resource, new PathElidingDelegate(&m_elider, m_view));
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

    connect(m_model, &UserAccessModel::reloaded, this, &UserAccessPanel::updateNames);
    connect(m_model, &UserAccessModel::reloaded, this, &UserAccessPanel::updateTexts);
    updateTexts();
}

void UserAccessPanel::setUser(const QString& username)
{
    m_model->setUser(username);
    updateNames();
    updateTexts();
}

void UserAccessPanel::updateNames()
{
    QStringList names;
    names.reserve(m_model->rowCount());
    for (int row = 0; row < m_model->rowCount(); ++row)
        names.append(m_model->accessAt(row).name);
    m_elider.setNames(names);
    m_view->viewport()->update();
}

QString UserAccessPanel::displayedName(int row) const
{
    const QString name = m_model->accessAt(row).name;
    return m_elider.elided(name, m_view->fontMetrics(),
                           textRoom(m_view, m_view->columnWidth(UserAccessModel::Resource)));
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

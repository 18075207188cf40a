#include "views/WorkspaceSelector.h"

#include "api/Connection.h"
#include "api/WorkspaceApi.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>

WorkspaceSelector::WorkspaceSelector(Connection* connection, QWidget* parent)
    : QWidget(parent), m_connection(connection)
{
    setObjectName(QStringLiteral("workspaceSelector"));
    m_label = new QLabel(tr("&Workspace:"), this);
    m_combo = new QComboBox(this);
    m_combo->setObjectName(QStringLiteral("workspaceCombo"));
    m_combo->setAccessibleName(tr("Workspace"));
    m_combo->setToolTip(tr("The MLflow workspace whose users' access, experiments and models this window shows. "
                           "Every request names it (X-MLFLOW-WORKSPACE)."));
    m_combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_label->setBuddy(m_combo);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 0, 6, 0);
    layout->addWidget(m_label);
    layout->addWidget(m_combo);
    connect(m_combo, &QComboBox::activated, this, [this] {
        if (!m_connection || m_combo->currentText() == current())
            return;
        emit workspaceChosen(m_combo->currentText());
    });
}

QString WorkspaceSelector::current() const
{
    if (!m_connection || m_connection->workspace().isEmpty())
        return QString::fromLatin1(WorkspaceApi::defaultWorkspace);
    return m_connection->workspace();
}

void WorkspaceSelector::revert()
{
    m_combo->setCurrentIndex(m_combo->findText(current()));
}

void WorkspaceSelector::start()
{
    if (!m_connection)
        return;
    auto* api = new WorkspaceApi(m_connection);
    ServerInfoJob* info = api->serverInfo(this);
    connect(info, &ApiJob::finished, this, [this, info, api] {
        if (info->hasError() || !info->value().workspacesEnabled) {
            delete api;
            emit available(false);
            return;
        }
        WorkspaceListJob* list = api->list(this);
        connect(list, &ApiJob::finished, this, [this, list, api] {
            delete api;
            QStringList names;
            if (!list->hasError()) {
                for (const Workspace& workspace : list->value())
                    names.append(workspace.name);
            }
            showList(names);
        });
    });
}

void WorkspaceSelector::showList(const QStringList& names)
{
    QStringList all = names;
    // The one in use is always there, even when the account may not list it (or the list failed).
    if (!all.contains(current()))
        all.prepend(current());
    m_combo->clear();
    m_combo->addItems(all);
    revert();
    emit available(true);
}

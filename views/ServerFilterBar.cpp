#include "views/ServerFilterBar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

ServerFilterBar::ServerFilterBar(ResourceType type, QWidget* parent) : QWidget(parent), m_type(type)
{
    const bool experiments = type == ResourceType::Experiment;
    setObjectName(experiments ? QStringLiteral("experimentServerFilterBar") : QStringLiteral("modelServerFilterBar"));

    // Whole sentences per type rather than a noun patched in, so that translations can agree with it.
    m_edit = new QLineEdit(this);
    m_edit->setObjectName(QStringLiteral("serverFilterEdit"));
    m_edit->setPlaceholderText(experiments ? tr("Load only experiments whose name contains…")
                                           : tr("Load only registered models whose name contains…"));
    m_edit->setAccessibleName(experiments ? tr("Server-side experiment name filter")
                                          : tr("Server-side registered model name filter"));
    m_edit->setToolTip(experiments
                           ? tr("Asks the server for the matching experiments only (case-sensitive; % and _ match any "
                                "characters). Use it when the server has too many experiments to load them all.")
                           : tr("Asks the server for the matching registered models only (case-sensitive; % and _ "
                                "match any characters). Use it when the server has too many models to load them "
                                "all."));
    auto* label = new QLabel(tr("Server f&ilter:"), this);
    label->setBuddy(m_edit);

    m_loadButton = new QPushButton(tr("&Load matching"), this);
    m_loadButton->setObjectName(QStringLiteral("serverFilterLoadButton"));
    m_loadButton->setToolTip(experiments ? tr("Reload, with only the experiments whose name contains the text.")
                                         : tr("Reload, with only the registered models whose name contains the text."));
    m_loadAllButton = new QPushButton(tr("Load &all"), this);
    m_loadAllButton->setObjectName(QStringLiteral("serverFilterLoadAllButton"));
    m_loadAllButton->setToolTip(experiments ? tr("Remove the server filter and reload every experiment.")
                                            : tr("Remove the server filter and reload every registered model."));

    connect(m_edit, &QLineEdit::textChanged, this, &ServerFilterBar::updateButtons);
    connect(m_edit, &QLineEdit::returnPressed, m_loadButton, &QPushButton::click);
    connect(m_loadButton, &QPushButton::clicked, this, [this] {
        if (!m_edit->text().isEmpty())
            emit filterRequested(m_edit->text());
    });
    connect(m_loadAllButton, &QPushButton::clicked, this, [this] {
        m_edit->clear();
        emit filterRequested(QString());
    });

    // Words, not a colour: the one thing an admin must not miss is that the tables are not the whole server.
    m_indicator = new QLabel(this);
    m_indicator->setObjectName(QStringLiteral("serverFilterIndicator"));
    m_indicator->setWordWrap(true);
    m_indicator->setTextFormat(Qt::PlainText);
    m_indicator->setFrameShape(QFrame::StyledPanel);
    m_indicator->setMargin(4);
    m_indicator->hide();

    auto* row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(label);
    row->addWidget(m_edit, 1);
    row->addWidget(m_loadButton);
    row->addWidget(m_loadAllButton);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(row);
    layout->addWidget(m_indicator);
    setFocusProxy(m_edit);
    updateButtons();
}

QString ServerFilterBar::describe(ResourceType type, const QString& text)
{
    return type == ResourceType::Experiment ? tr("experiments: name contains '%1'").arg(text)
                                            : tr("registered models: name contains '%1'").arg(text);
}

void ServerFilterBar::setActiveFilter(const QString& text)
{
    m_active = text;
    m_edit->setText(text);
    m_indicator->setText(indicatorText());
    m_indicator->setVisible(!text.isEmpty());
    updateButtons();
}

QString ServerFilterBar::indicatorText() const
{
    if (m_active.isEmpty())
        return {};
    if (m_type == ResourceType::Experiment)
        return tr("Filtered on the server: only experiments whose name contains '%1' are loaded, here and in the "
                  "access matrix. \"Load all\" loads every experiment.")
            .arg(m_active);
    return tr("Filtered on the server: only registered models whose name contains '%1' are loaded, here and in the "
              "access matrix. \"Load all\" loads every registered model.")
        .arg(m_active);
}

void ServerFilterBar::updateButtons()
{
    m_loadButton->setEnabled(!m_edit->text().isEmpty() && m_edit->text() != m_active);
    m_loadAllButton->setEnabled(!m_active.isEmpty());
}

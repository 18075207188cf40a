#include "views/AboutDialog.h"

#include "api/Connection.h"
#include "views/Session.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

AboutDialog::AboutDialog(const Session* session, QWidget* parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("aboutDialog"));
    setWindowTitle(tr("About mlflow-admin"));
    const QString version = QCoreApplication::applicationVersion().isEmpty() ? tr("(development build)")
                                                                             : QCoreApplication::applicationVersion();
    QStringList lines{tr("mlflow-admin %1").arg(version), tr("Administration console for MLflow basic-auth servers."),
                      QString(),
                      tr("Qt %1 (built with %2)").arg(QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR))};
    if (session) {
        lines.append(tr("Server: %1").arg(session->connection()->baseUrl().toString()));
        lines.append(tr("%1 · %2").arg(session->versionText(), session->generationText()));
        if (session->isDemo())
            lines.append(tr("This is the offline demo: the server runs inside this program."));
    }
    lines.append(QString());
    lines.append(tr("Licensed under the Apache License, Version 2.0 (the LICENSE file beside the program)."));
    m_text = lines.join(QLatin1Char('\n'));

    auto* label = new QLabel(m_text.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")), this);
    label->setObjectName(QStringLiteral("aboutText"));
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    label->setWordWrap(true);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton* copy = buttons->addButton(tr("&Copy"), QDialogButtonBox::ActionRole);
    copy->setToolTip(tr("Copy these lines, for a bug report"));
    connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(m_text); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(label);
    layout->addWidget(buttons);
}

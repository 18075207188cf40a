#include "views/ManualDialog.h"

#include <QDialogButtonBox>
#include <QFile>
#include <QTextBrowser>
#include <QVBoxLayout>

ManualDialog::ManualDialog(QWidget* parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("manualDialog"));
    setWindowTitle(tr("mlflow-admin manual"));
    m_browser = new QTextBrowser(this);
    m_browser->setObjectName(QStringLiteral("manualBrowser"));
    m_browser->setOpenExternalLinks(true);
    QFile manual(QStringLiteral(":/help/manual.html"));
    if (manual.open(QIODevice::ReadOnly))
        m_browser->setHtml(QString::fromUtf8(manual.readAll()));
    else
        m_browser->setPlainText(tr("The manual is missing from this build; see README.md in the source tree."));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_browser);
    layout->addWidget(buttons);
    resize(640, 560);
}

QString ManualDialog::plainText() const
{
    return m_browser->toPlainText();
}

#include "views/ColumnWidthMemory.h"

#include <QAbstractItemModel>
#include <QHeaderView>
#include <QSettings>

ColumnWidthMemory::ColumnWidthMemory(QHeaderView* header, const QString& name, SectionKey key)
    : QObject(header), m_header(header), m_name(name), m_key(std::move(key))
{
    const QVariantMap saved = QSettings().value(settingsKey()).toMap();
    for (auto it = saved.constBegin(); it != saved.constEnd(); ++it) {
        const int width = it.value().toInt();
        if (width > 0)
            m_widths.insert(it.key(), width);
    }
    connect(header, &QHeaderView::sectionResized, this, &ColumnWidthMemory::sectionResized);
    // New sections come at the default size: give them theirs once they exist.
    connect(header, &QHeaderView::sectionCountChanged, this, &ColumnWidthMemory::restore);
    if (header->model())
        connect(header->model(), &QAbstractItemModel::modelReset, this, &ColumnWidthMemory::restore,
                Qt::QueuedConnection);
    restore();
}

QString ColumnWidthMemory::settingsKey() const
{
    return QStringLiteral("columnWidths/") + m_name;
}

QString ColumnWidthMemory::keyOf(int logicalIndex) const
{
    return m_key ? m_key(logicalIndex) : QString::number(logicalIndex);
}

void ColumnWidthMemory::restore()
{
    if (!m_header || m_widths.isEmpty())
        return;
    m_restoring = true;
    const int count = m_header->count();
    const int last = m_header->stretchLastSection() ? m_header->logicalIndex(count - 1) : -1;
    for (int section = 0; section < count; ++section) {
        if (section == last)
            continue;
        const QString key = keyOf(section);
        if (key.isEmpty())
            continue;
        const auto width = m_widths.constFind(key);
        if (width != m_widths.constEnd() && m_header->sectionSize(section) != *width)
            m_header->resizeSection(section, *width);
    }
    m_restoring = false;
}

void ColumnWidthMemory::sectionResized(int logicalIndex, int oldSize, int newSize)
{
    Q_UNUSED(oldSize)
    // Hidden sections report size 0; a stretched last section follows the window.
    if (m_restoring || newSize <= 0 || !m_header ||
        (m_header->stretchLastSection() && logicalIndex == m_header->logicalIndex(m_header->count() - 1)))
        return;
    const QString key = keyOf(logicalIndex);
    if (key.isEmpty())
        return;
    if (!m_widths.contains(key) && m_widths.size() >= maximumRemembered)
        m_widths.erase(m_widths.begin()); // a bounded memory: the settings file must not grow with every resize
    m_widths.insert(key, newSize);
    QVariantMap saved;
    for (auto it = m_widths.constBegin(); it != m_widths.constEnd(); ++it)
        saved.insert(it.key(), it.value());
    QSettings().setValue(settingsKey(), saved);
}

#pragma once

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>

class QHeaderView;

// Remembers the widths the user gives a header's sections, in QSettings under "columnWidths/<name>", and gives
// them back whenever those sections appear (at the next start, after a reload or a switch of the matrix).
// Sections are known by a key (the column number of a fixed table, the resource or user of a matrix column), so a
// width follows its resource when columns move. The stretched last section is left alone: its width is the
// window's, not the user's.
class ColumnWidthMemory : public QObject
{
    Q_OBJECT

public:
    using SectionKey = std::function<QString(int logicalIndex)>;

    // Without `key` a section is known by its number.
    ColumnWidthMemory(QHeaderView* header, const QString& name, SectionKey key = {});

    // Gives the remembered widths back to the sections now present.
    void restore();
    QString settingsKey() const;

    static constexpr int maximumRemembered = 500;

private:
    void sectionResized(int logicalIndex, int oldSize, int newSize);
    QString keyOf(int logicalIndex) const;

    QPointer<QHeaderView> m_header;
    QString m_name;
    SectionKey m_key;
    QHash<QString, int> m_widths;
    bool m_restoring = false;
};

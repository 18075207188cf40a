#pragma once

#include "api/WireTypes.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;

// A resource page's server-side filter: "load only experiments (or registered models) whose name contains …", for
// servers with more than the console should hold. Unlike the page's local filter it changes what is loaded, so while
// one is active the bar says so in words, and the matrix and the counts cover only the matching resources.
class ServerFilterBar : public QWidget
{
    Q_OBJECT

public:
    explicit ServerFilterBar(ResourceType type, QWidget* parent = nullptr);

    // The filter the loaded resources were fetched with (empty: all); shown until the next call.
    void setActiveFilter(const QString& text);
    QString activeFilter() const { return m_active; }
    // The sentence shown while a filter is active, empty otherwise.
    QString indicatorText() const;

    QLineEdit* edit() const { return m_edit; }
    QPushButton* loadButton() const { return m_loadButton; }
    QPushButton* loadAllButton() const { return m_loadAllButton; }

    // "experiments: name contains 'x'", for the status bar.
    static QString describe(ResourceType type, const QString& text);

signals:
    // The user asked to reload with `text` as the filter; empty: load everything.
    void filterRequested(const QString& text);

private:
    void updateButtons();

    ResourceType m_type;
    QLineEdit* m_edit = nullptr;
    QPushButton* m_loadButton = nullptr;
    QPushButton* m_loadAllButton = nullptr;
    QLabel* m_indicator = nullptr;
    QString m_active;
};

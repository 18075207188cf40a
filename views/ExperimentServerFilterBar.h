#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;

// The Experiments page's server-side filter: "load only experiments whose name contains …", for servers with more
// experiments than the console should hold. Unlike the page's local filter it changes what is loaded, so while one
// is active the bar says so in words, and the matrix and the counts cover only the matching experiments.
class ExperimentServerFilterBar : public QWidget
{
    Q_OBJECT

public:
    explicit ExperimentServerFilterBar(QWidget* parent = nullptr);

    // The filter the loaded experiments were fetched with (empty: all); shown until the next call.
    void setActiveFilter(const QString& text);
    QString activeFilter() const { return m_active; }
    // The sentence shown while a filter is active, empty otherwise.
    QString indicatorText() const;

    QLineEdit* edit() const { return m_edit; }
    QPushButton* loadButton() const { return m_loadButton; }
    QPushButton* loadAllButton() const { return m_loadAllButton; }

    // "name contains 'x'", for the status bar.
    static QString describe(const QString& text);

signals:
    // The user asked to reload with `text` as the filter; empty: load everything.
    void filterRequested(const QString& text);

private:
    void updateButtons();

    QLineEdit* m_edit = nullptr;
    QPushButton* m_loadButton = nullptr;
    QPushButton* m_loadAllButton = nullptr;
    QLabel* m_indicator = nullptr;
    QString m_active;
};

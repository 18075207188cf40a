#pragma once

#include "views/DistinctPathElider.h"

#include <QPointer>
#include <QWidget>

class ChangeSet;
class Directory;
class QLabel;
class QTableView;
class UserAccessModel;

// Beside the matrix and the users table: everything the selected user can at least read (experiments and
// registered models) with the level and the reason, the twin of the "who has access" panel of the resource pages.
class UserAccessPanel : public QWidget
{
    Q_OBJECT

public:
    UserAccessPanel(Directory* directory, ChangeSet* changeSet, QWidget* parent = nullptr);

    void setUser(const QString& username);
    QString user() const;
    UserAccessModel* model() const { return m_model; }
    QTableView* view() const { return m_view; }
    QLabel* titleLabel() const { return m_title; }
    // What this list cannot say (the default permission is not known), or empty.
    QLabel* noteLabel() const { return m_note; }
    // The resource name of `row` as the list paints it at the current column width.
    QString displayedName(int row) const;

private:
    void updateTexts();
    void updateNames();

    QPointer<Directory> m_directory;
    UserAccessModel* m_model = nullptr;
    QLabel* m_title = nullptr;
    QLabel* m_note = nullptr;
    QTableView* m_view = nullptr;
    DistinctPathElider m_elider;
};

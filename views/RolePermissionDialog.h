#pragma once

#include "api/PermissionLevel.h"

#include <QDialog>
#include <QPointer>

class Directory;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QTimer;
class TrackingApi;
class ApiJob;

// Picks what a role permission applies to and its level: experiments or registered models, searched on the server
// by name as the admin types (the loaded ones are offered before the first answer), with "*" for all of the type
// on top. For a level change the resource is fixed and only the level can be chosen. Open it with open().
class RolePermissionDialog : public QDialog
{
    Q_OBJECT

public:
    RolePermissionDialog(Directory* directory, TrackingApi* tracking, const QString& roleName,
                         QWidget* parent = nullptr);

    // Fixes the resource (changing an existing permission's level).
    void setFixedResource(const QString& resourceType, const QString& pattern, const QString& text,
                          PermissionLevel level);

    QString resourceType() const; // wire name: experiment or registered_model
    QString pattern() const;      // the experiment id, model name or "*"; empty when nothing is picked
    PermissionLevel level() const;

    QLineEdit* searchEdit() const { return m_search; }
    QListWidget* resultsList() const { return m_results; }
    QComboBox* levelCombo() const { return m_level; }
    QComboBox* typeCombo() const { return m_type; }
    // Selects the result with that pattern; false when it is not listed.
    bool selectPattern(const QString& pattern);
    // The server search answered for the current text (for tests).
    bool isSearching() const { return m_pending != nullptr; }

private:
    void search();
    void showLoaded();
    void addAllItem();

    QPointer<Directory> m_directory;
    QPointer<TrackingApi> m_tracking;
    QComboBox* m_type = nullptr;
    QLineEdit* m_search = nullptr;
    QListWidget* m_results = nullptr;
    QComboBox* m_level = nullptr;
    QLabel* m_status = nullptr;
    QTimer* m_searchTimer = nullptr;
    QPointer<ApiJob> m_pending;
    QString m_fixedType;
    QString m_fixedPattern;
};

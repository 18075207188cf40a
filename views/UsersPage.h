#pragma once

#include "views/UserPasswordDialog.h"

#include <QPointer>
#include <QWidget>

class ChangeSet;
class Directory;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class UserAccessPanel;
class UsersModel;

// The Users page: who exists, who is an admin, how many grants each holds. Every action (new user, reset password,
// make or remove admin, delete) is staged in the ChangeSet like a matrix edit, so one Review & apply shows and sends
// everything, and each step can be undone before that.
class UsersPage : public QWidget
{
    Q_OBJECT

public:
    UsersPage(Directory* directory, ChangeSet* changeSet, UsersModel* model, QWidget* parent = nullptr);

    QLineEdit* filterEdit() const { return m_filterEdit; }
    QTableView* view() const { return m_view; }
    // What the current user can access, beside the table.
    UserAccessPanel* accessPanel() const { return m_accessPanel; }
    QString currentUser() const;
    void selectUser(const QString& username);

    // Each opens its dialog with open() (never blocking), or asks through MessageBox.
    void newUser();
    void resetPassword();
    void toggleAdmin();
    void deleteUser();

    // Servers without users/list: ask the window for its users-source dialog, on the names or the auth database.
    void addExistingUser() { emit addExistingUserRequested(); }
    void connectAuthDatabase() { emit authDatabaseRequested(); }

    // The dialog opened by newUser() / resetPassword() while it is open, for tests.
    UserPasswordDialog* openDialog() const { return m_dialog; }

signals:
    // "Add existing user…": the admin wants to name users the server has but this console does not know.
    void addExistingUserRequested();
    // "Connect to auth database…": the admin wants every user read from the server's auth database.
    void authDatabaseRequested();

private:
    void updateActions();
    void updateSourceNote();
    QStringList userNames() const;

    QPointer<Directory> m_directory;
    QPointer<ChangeSet> m_changeSet;
    UsersModel* m_model = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
    QLineEdit* m_filterEdit = nullptr;
    QLabel* m_sourceNote = nullptr;
    QTableView* m_view = nullptr;
    UserAccessPanel* m_accessPanel = nullptr;
    QPushButton* m_newButton = nullptr;
    QPushButton* m_resetButton = nullptr;
    QPushButton* m_adminButton = nullptr;
    QPushButton* m_deleteButton = nullptr;
    QPushButton* m_addExistingButton = nullptr;
    QPushButton* m_authDatabaseButton = nullptr;
    QPointer<UserPasswordDialog> m_dialog;
};

#pragma once

#include <QPointer>
#include <QWidget>

class Connection;
class QComboBox;
class QLabel;

// The toolbar's workspace choice on an MLflow 3.10+ server with workspaces: asks the server whether it has them
// (server-info) and which the account may see, and says when the person picks another. Switching itself (the
// connection's header, reloading) is the window's business; the selector only offers and reverts.
class WorkspaceSelector : public QWidget
{
    Q_OBJECT

public:
    explicit WorkspaceSelector(Connection* connection, QWidget* parent = nullptr);

    // Reads server-info and, with workspaces on, the list; emits available() once it knows.
    void start();
    QString current() const;
    // Back to the workspace in use (after a refused switch).
    void revert();

signals:
    void available(bool hasWorkspaces);
    void workspaceChosen(const QString& name);

private:
    void showList(const QStringList& names);

    QPointer<Connection> m_connection;
    QLabel* m_label = nullptr;
    QComboBox* m_combo = nullptr;
};

#pragma once

#include <QObject>
#include <QPointer>

class LoginDialog;
class MainWindow;

// The console's top-level sequence: the login dialog, then a MainWindow for the signed-in Session, and after
// "Sign out" the dialog again for the next sign-in, to the same server or another, as often as the admin likes.
// The window deletes itself when it closes, and with it the Session (a demo's embedded server stops there);
// closing it any other way leaves the dialog hidden, so the application ends as before.
class SignInFlow : public QObject
{
    Q_OBJECT

public:
    // `dialog` must outlive the flow.
    explicit SignInFlow(LoginDialog* dialog, QObject* parent = nullptr);
    // Deletes a window still open, which owns its Session and a demo server's data dir.
    ~SignInFlow() override;

    MainWindow* window() const { return m_window; }
    // Whether a new window starts loading at once (the default); the screenshot mode loads on its own.
    void setLoadOnOpen(bool load) { m_loadOnOpen = load; }

signals:
    // A window for a new session was shown; it starts loading right after this when loadOnOpen is set.
    void windowOpened(MainWindow* window);
    // The window is closing after "Sign out" and the dialog is shown again.
    void signedOut();

private:
    void openWindow();
    void signOut();

    LoginDialog* m_dialog = nullptr;
    QPointer<MainWindow> m_window;
    bool m_loadOnOpen = true;
};

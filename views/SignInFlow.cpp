#include "views/SignInFlow.h"

#include "api/Connection.h"
#include "views/LoginDialog.h"
#include "views/MainWindow.h"
#include "views/Session.h"

SignInFlow::SignInFlow(LoginDialog* dialog, QObject* parent) : QObject(parent), m_dialog(dialog)
{
    connect(m_dialog, &LoginDialog::signedIn, this, &SignInFlow::openWindow);
}

SignInFlow::~SignInFlow()
{
    delete m_window;
}

void SignInFlow::openWindow()
{
    auto* window = new MainWindow(m_dialog->takeSession());
    window->setAttribute(Qt::WA_DeleteOnClose);
    m_window = window;
    connect(window, &MainWindow::signOutRequested, this, &SignInFlow::signOut);
    window->show();
    emit windowOpened(window);
    if (m_loadOnOpen)
        window->refresh();
    // Said on the spot, over the new window: a server before MLflow 3.10 cannot list its users.
    window->offerUsersSource();
}

void SignInFlow::signOut()
{
    if (!m_window)
        return;
    const Session* session = m_window->session();
    const QString message = session->isDemo()
                                ? tr("Signed out; the offline demo server has stopped.")
                                : tr("Signed out of %1.").arg(session->connection()->baseUrl().toString());
    // Shown while the window is still closing, so the application never sees its last window go.
    m_dialog->reopen(session->profileName(), message);
    emit signedOut();
}

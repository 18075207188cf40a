#pragma once

#include <QObject>
#include <QString>

class MainWindow;

// `mlflow-admin --screenshot DIR --demo`: once the main window has loaded, shows each page in turn, grabs it with
// QWidget::grab() (works on the offscreen platform) and writes DIR/<page>.png (roles.png on 3.13+), then quits the
// application with exit code 0, or 1 when loading or writing failed.
class ScreenshotWriter : public QObject
{
    Q_OBJECT

public:
    ScreenshotWriter(MainWindow* window, const QString& directory, QObject* parent = nullptr);

    // Adds what the demo scenario lacks for a telling picture (a registered model, made by user1 so that it holds
    // MANAGE on it as on a real server), then loads the window; the pictures follow once it has loaded.
    void start();

private:
    void capture(bool loaded);
    // 3.13+: applies an example role through the Roles page's ChangeSet, then grabs the page and the matrix
    // filtered by it; calls finish() when done.
    void captureRoles(bool ok);
    // The Audit page after two more applied grants, and the review mode half-way through a campaign; then
    // finishWithLogin() again.
    void captureAudit(bool ok);
    // Takes a snapshot, applies two grants, a lower level and a revoke, and grabs the matrix in Compare mode against
    // the snapshot, wide and narrow (access-matrix-compare*.png); then finishWithLogin().
    void finish(bool ok);
    // The first time the Audit pictures (captureAudit), then the login dialog, and quits.
    void finishWithLogin(bool ok);
    bool save(QWidget* widget, const QString& name);

    MainWindow* m_window = nullptr;
    QString m_directory;
    bool m_auditCaptured = false;
};

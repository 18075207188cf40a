#pragma once

#include <QObject>
#include <QString>

class MainWindow;

// `mlflow-admin --screenshot DIR --demo`: once the main window has loaded, shows each page in turn, grabs it with
// QWidget::grab() (works on the offscreen platform) and writes DIR/<page>.png, then quits the application with
// exit code 0, or 1 when loading or writing failed.
class ScreenshotWriter : public QObject
{
    Q_OBJECT

public:
    ScreenshotWriter(MainWindow* window, const QString& directory, QObject* parent = nullptr);

private:
    void capture(bool loaded);
    bool save(QWidget* widget, const QString& name);

    MainWindow* m_window = nullptr;
    QString m_directory;
};

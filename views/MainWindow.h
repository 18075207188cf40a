#pragma once

#include <QMainWindow>

// The console's main window: pages for users, experiments, registered models and the access matrix.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
};

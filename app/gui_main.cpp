#include "views/MainWindow.h"

#include <QApplication>

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("mlflow-admin"));
    QApplication::setOrganizationName(QStringLiteral("mlflow-admin"));
    MainWindow window;
    window.show();
    return app.exec();
}

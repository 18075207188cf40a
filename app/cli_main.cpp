#include "app/cli/ServeCommand.h"

#include <QCoreApplication>
#include <QTextStream>

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("mlflow-admin-cli"));
    QCoreApplication::setOrganizationName(QStringLiteral("mlflow-admin"));
    QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() >= 2 && arguments.at(1) == QLatin1String("serve")) {
        arguments.removeAt(1);
        return ServeCommand::run(arguments);
    }
    QTextStream(stderr) << "Usage: mlflow-admin-cli serve [--host 127.0.0.1] [--port 5000] [--data-dir DIR] "
                           "[--config basic_auth.ini] [--demo]\n";
    return 2;
}

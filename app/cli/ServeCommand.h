#pragma once

#include <QStringList>

// `mlflow-admin-cli serve`: runs the embedded MLflow-compatible server in the foreground until Ctrl-C/SIGTERM.
namespace ServeCommand {
int run(const QStringList& arguments);
}

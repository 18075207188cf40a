#pragma once

#include <QString>

// The workspace of everything without workspaces, and of requests that name none (MLflow's DEFAULT_WORKSPACE_NAME).
inline const QString defaultWorkspace = QStringLiteral("default");

// Which MLflow generation the embedded server speaks, chosen once at start. The generation decides the routes, the
// authorization policy, the auth schema and the error formats; the rest of the server is shared.
//  - Mlflow2: MLflow 2.15.1 (per-resource permission endpoints, default_permission as a fallback).
//  - Mlflow3: MLflow 3.14 (roles, hidden per-user roles, /api/3.0 users/permissions/*, default_permission as a
//    floor), optionally with workspaces (the X-MLFLOW-WORKSPACE header).
struct Dialect
{
    enum class Generation { Mlflow2, Mlflow3 };

    Generation generation = Generation::Mlflow2;
    bool workspaces = false; // only with Mlflow3

    bool isMlflow3() const { return generation == Generation::Mlflow3; }
    // The MLflow release whose wire behaviour this dialect reproduces, for logs and the CLI's banner.
    QString describe() const
    {
        if (!isMlflow3())
            return QStringLiteral("MLflow 2.15.1");
        return workspaces ? QStringLiteral("MLflow 3.14 with workspaces") : QStringLiteral("MLflow 3.14");
    }
};

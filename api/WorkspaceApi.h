#pragma once

#include "api/ApiJob.h"

#include <QCoreApplication>
#include <QList>
#include <QPointer>
#include <QString>

class Connection;

// What GET /api/3.0/mlflow/server-info says. MLflow before 3.10 (and the embedded server) has no such route; the
// server then simply has no workspaces.
struct ServerInfo
{
    bool available = false; // the route answered
    bool workspacesEnabled = false;
    QString storeType;
};

// MLflow 3.10+: one workspace, from GET /api/3.0/mlflow/workspaces.
struct Workspace
{
    QString name;
    QString description;
};

using ServerInfoJob = ValueJob<ServerInfo>;
using WorkspaceListJob = ValueJob<QList<Workspace>>;
using WorkspaceCheckJob = ValueJob<bool>;

// The workspace side of MLflow 3.10+: whether the server has workspaces, which ones, and whether a name exists.
class WorkspaceApi
{
    Q_DECLARE_TR_FUNCTIONS(WorkspaceApi)

public:
    // MLflow reads a missing or empty header as this one.
    static constexpr const char* defaultWorkspace = "default";

    explicit WorkspaceApi(Connection* connection) : m_connection(connection) {}

    // Empty when `name` is a valid workspace name (MLflow's rule: 2-63 characters, lowercase letters, digits and
    // inner single hyphens, not one of its reserved path words); else a sentence saying what is wrong.
    static QString nameProblem(const QString& name);

    // server-info with credentials (MLflow 3.14 demands them); a missing route succeeds with available = false.
    ServerInfoJob* serverInfo(QObject* parent);
    // GET /health with X-MLFLOW-WORKSPACE: `name`, without credentials. MLflow answers 404 JSON for an unknown
    // workspace before authenticating. Succeeds with true when it exists, false when the server says it does not.
    WorkspaceCheckJob* exists(const QString& name, QObject* parent);
    // Every workspace the account may see (admins: all; others: those they hold a role in).
    WorkspaceListJob* list(QObject* parent);

private:
    QPointer<Connection> m_connection;
};

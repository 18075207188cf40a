#pragma once

// Shared by the models tests: a demo embedded server with an admin Connection, the two API objects, and helpers
// that wait (in tests only) for jobs and signals.

#include "Generations.h"
#include "RequestLog.h"
#include "ServerFixture.h"

#include "api/AuthDatabaseReader.h"
#include "api/Connection.h"
#include "api/LegacyAuthApi.h"
#include "api/RbacAuthApi.h"
#include "api/TrackingApi.h"
#include "models/Directory.h"
#include "server/DemoData.h"

#include <QJsonObject>
#include <QLoggingCategory>
#include <QSignalSpy>
#include <QtTest>

#include <algorithm>
#include <memory>

namespace ModelsTest {

// The generations the models tests run against, as data rows: `QFETCH(Dialect, generation)` (Generations.h).
using Generations::addRows;

// Waits for a job without letting it delete itself, so the test can read its result afterwards.
template <typename Job>
bool waitFor(Job* job, int timeoutMs = 20000)
{
    job->setAutoDelete(false);
    return QTest::qWaitFor([job] { return job->isFinished(); }, timeoutMs);
}

// The demo server plus a client session logged in as its admin; `generation` is the MLflow the server speaks
// (2.15.1 by default), and the session uses that generation's API.
struct DemoSession
{
    explicit DemoSession(bool demo = true, const Dialect& generation = Dialect())
        : fixture(demo, QStringLiteral("NO_PERMISSIONS"), QString(), QString(), generation),
          isMlflow3(generation.isMlflow3())
    {
        connection =
            std::make_unique<Connection>(fixture.server().url(), DemoData::adminUsername, DemoData::adminPassword);
        auth = makeAuth(connection.get());
        tracking = std::make_unique<TrackingApi>(connection.get());
    }

    // The AuthApi of this session's generation over `connection`.
    std::unique_ptr<AuthApi> makeAuth(Connection* connection) const
    {
        if (isMlflow3)
            return std::make_unique<RbacAuthApi>(connection);
        return std::make_unique<LegacyAuthApi>(connection);
    }
    RbacAuthApi* rbac() const { return qobject_cast<RbacAuthApi*>(auth.get()); }

    // A separate connection as another user, e.g. to check what that user now sees.
    std::unique_ptr<Connection> connectAs(const QString& username, const QString& password)
    {
        return std::make_unique<Connection>(fixture.server().url(), username, password);
    }

    // Creates each named resource through the admin connection (e.g. "experiments/create"); false on any error.
    bool createNamed(const QString& endpoint, const QStringList& names)
    {
        for (const QString& name : names) {
            ApiReply* reply = connection->post(QStringLiteral("/api/2.0/mlflow/") + endpoint,
                                               QJsonObject{{QStringLiteral("name"), name}});
            if (!waitFor(reply) || reply->hasError()) {
                qWarning() << name << (reply->hasError() ? reply->error().toLogString() : QStringLiteral("timeout"));
                return false;
            }
        }
        return true;
    }

    QString authDatabaseUri() const
    {
        return QStringLiteral("sqlite:///") + fixture.dataDir() + QStringLiteral("/basic_auth.db");
    }

    // Loads `directory` with the user names read straight from the server's auth database (2.15.1 has no
    // users/list; 3.14 lists them itself); the other `options` are passed on.
    bool load(Directory* directory, AuthDatabaseReader* reader, Directory::LoadOptions options = {})
    {
        QString error;
        if (!isMlflow3) {
            if (!reader->isOpen() && !reader->open(authDatabaseUri(), &error)) {
                qWarning() << error;
                return false;
            }
            options.authDatabase = reader;
        }
        QSignalSpy loaded(directory, &Directory::loaded);
        QSignalSpy failed(directory, &Directory::failed);
        directory->load(auth.get(), tracking.get(), options);
        if (!QTest::qWaitFor([&] { return !loaded.isEmpty() || !failed.isEmpty(); }, 20000))
            return false;
        if (!failed.isEmpty())
            qWarning() << failed.first().first().value<ApiError>().toLogString();
        return !loaded.isEmpty();
    }

    // The usual start of a test: the server is up and `directory` holds it (user names from its auth database).
    bool loadDirectory() { return fixture.started() && load(&directory, &reader); }

    ServerFixture fixture;
    bool isMlflow3 = false;
    std::unique_ptr<Connection> connection;
    std::unique_ptr<AuthApi> auth;
    std::unique_ptr<TrackingApi> tracking;
    AuthDatabaseReader reader;
    Directory directory; // after the API objects it may refer to, so it goes first
};

inline QString experimentId(const Directory& directory, const QString& name)
{
    const int row = directory.experimentRowByName(name);
    return row < 0 ? QString() : directory.experimentAt(row).id;
}

} // namespace ModelsTest

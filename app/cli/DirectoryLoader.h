#pragma once

#include "api/ApiError.h"
#include "api/AuthDatabaseReader.h"
#include "api/KnownUsersRegistry.h"
#include "models/Directory.h"

#include <QCoreApplication>
#include <QObject>

#include <functional>
#include <memory>

class CliSession;

// Loads the whole picture of the server (users with grants, experiments, models) into a Directory, taking the
// user names from users/list, the --auth-db database or the known-users registry, exactly as the console does.
class DirectoryLoader : public QObject
{
    Q_OBJECT

public:
    explicit DirectoryLoader(CliSession* session, QObject* parent = nullptr);
    ~DirectoryLoader() override;

    Directory* directory() { return &m_directory; }
    // Starts the load; `done` gets a null error on success. False (and `done` is never called) with a translated
    // `error` when a local source cannot be opened.
    bool load(std::function<void(const ApiError&)> done, QString* error);
    // The users a command names (`access --user U`, the rows of `apply`). When the names come from the known-users
    // registry, load() first looks up each one the registry lacks (users/get) and remembers those the server has,
    // as the console's "add existing users" does, so that naming a user once is enough. Call before load().
    void setNamedUsers(const QStringList& usernames) { m_namedUsers = usernames; }
    // "auth database (sqlite:////...)", "server API", ...
    QString sourceDescription() const;

private:
    void lookUpNamedUsers(KnownUsersRegistry* known, std::function<void()> then);

    CliSession* m_session;
    Directory m_directory;
    std::unique_ptr<AuthDatabaseReader> m_authDatabase;
    QString m_sourceDetail;
    QStringList m_namedUsers;
};

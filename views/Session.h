#pragma once

#include "api/ServerProbe.h"
#include "models/Directory.h"
#include "services/ServerProfile.h"

#include <QObject>
#include <QString>

#include <memory>

class AuthApi;
class AuthDatabaseReader;
class CredentialStore;
class KeptUsersSource;
class KnownUsersRegistry;
class ProfileStore;
class Connection;
class EmbeddedServer;
class QTemporaryDir;
class TrackingApi;

// One signed-in account on one server, as the login dialog hands it to the main window: the connection, what the
// probe found out, the API objects, and (for the offline demo) the embedded server and its data dir, which must
// live exactly as long as the connection that talks to them.
class Session : public QObject
{
    Q_OBJECT

public:
    // Takes ownership of `connection` and `auth`.
    Session(Connection* connection, const ProbeResult& probe, AuthApi* auth, QObject* parent = nullptr);
    ~Session() override;

    Connection* connection() const { return m_connection; }
    AuthApi* auth() const { return m_auth; }
    TrackingApi* tracking() const { return m_tracking; }
    const ProbeResult& probe() const { return m_probe; }

    QString profileName() const { return m_profileName; }
    void setProfileName(const QString& name) { m_profileName = name; }

    bool isDemo() const { return m_server != nullptr; }
    EmbeddedServer* embeddedServer() const { return m_server; }
    void adoptDemoServer(EmbeddedServer* server, std::unique_ptr<QTemporaryDir> dataDir);

    // Where Directory::load() takes user names from when the server cannot list users (MLflow before 3.10): the
    // demo's own auth database, the chosen auth database, or else the known-users registry.
    Directory::LoadOptions loadOptions() const;
    // Opens the user sources for this session as kept for its profile or connection (ProfileStore::usersSource(),
    // with the auth database's password already fetched from the keychain). Problems are not fatal (the load then
    // says what is missing), so they are only returned as a sentence.
    QString openUserSources(const KeptUsersSource& kept);
    KnownUsersRegistry* knownUsers() const { return m_knownUsers.get(); }
    // Switches the user listing to the auth database at `uri` (kept only if it opens); false with a sentence.
    bool useAuthDatabase(const QString& uri, const QString& password, QString* error);
    bool useAuthDatabase(const QString& uri, QString* error) { return useAuthDatabase(uri, QString(), error); }
    QString authDatabaseUri() const { return m_authDatabaseUri; }
    ListingSource userListing() const;
    // Why the auth database kept for this profile or connection did not open at sign-in; empty when it did.
    QString authDatabaseProblem() const { return m_authDatabaseProblem; }

    // The admin's answer to "this server cannot list its users", as kept for this profile or connection.
    UsersSource usersSource() const { return m_usersSource; }
    // True when the sign-in should ask where the users come from: an admin on a server without users/list that
    // has no choice kept yet. Never for the demo: its server is ours and its auth database is opened directly.
    bool needsUsersSourceChoice() const;
    // Keeps the choice in the profile, or for an unsaved connection under its URL and user; false with a sentence.
    bool rememberUsersSource(UsersSource source, bool authDatabasePasswordInKeychain, QString* error);
    // Whose keychain entries and kept choices these are: the profile's name, or ProfileStore::connectionKey().
    QString ownerKey() const;

    // Where the signed-in profile lives, so that the window can update it (e.g. with an auth database).
    ProfileStore* profileStore() const { return m_profileStore; }
    void setProfileStore(ProfileStore* store) { m_profileStore = store; }
    // The keychain, for an auth database's password; null when the console runs without one (tests).
    CredentialStore* credentialStore() const { return m_credentials; }
    void setCredentialStore(CredentialStore* store) { m_credentials = store; }

    // "MLflow 2.15.1", "per-resource API", for the status bar.
    QString versionText() const;
    QString generationText() const;

private:
    Connection* m_connection = nullptr;
    AuthApi* m_auth = nullptr;
    TrackingApi* m_tracking = nullptr;
    ProbeResult m_probe;
    QString m_profileName;
    EmbeddedServer* m_server = nullptr;
    std::unique_ptr<QTemporaryDir> m_demoDir;
    std::unique_ptr<AuthDatabaseReader> m_authDatabase;
    std::unique_ptr<KnownUsersRegistry> m_knownUsers;
    QString m_authDatabaseUri;
    QString m_authDatabaseProblem;
    UsersSource m_usersSource = UsersSource::NotChosen;
    ProfileStore* m_profileStore = nullptr;
    CredentialStore* m_credentials = nullptr;
};

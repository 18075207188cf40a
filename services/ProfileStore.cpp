#include "services/ProfileStore.h"

#include "api/AuthDatabaseReader.h"
#include "api/PrivateFiles.h"

#include <QSettings>

#include <algorithm>
#include <memory>

namespace {

const QString profilesGroup = QStringLiteral("profiles");
const QString keyUrl = QStringLiteral("url");
const QString keyUsername = QStringLiteral("username");
const QString keyCaBundle = QStringLiteral("caBundle");
const QString keyPinnedSha256 = QStringLiteral("pinnedSha256");
const QString keyAuthDatabaseUri = QStringLiteral("authDatabaseUri");
const QString keyDefaultPermission = QStringLiteral("defaultPermission");
const QString keyWorkspace = QStringLiteral("workspace");
const QString keyUsersSource = QStringLiteral("usersSource");
const QString keyAuthDatabasePassword = QStringLiteral("authDatabasePasswordInKeychain");
const QString connectionsGroup = QStringLiteral("connections");

QString usersSourceName(UsersSource source)
{
    switch (source) {
    case UsersSource::AuthDatabase:
        return QStringLiteral("auth-database");
    case UsersSource::KnownUsers:
        return QStringLiteral("known-users");
    case UsersSource::NotChosen:
        break;
    }
    return QString();
}

UsersSource usersSourceFromName(const QString& name, const QString& authDatabaseUri)
{
    if (name == QLatin1String("known-users"))
        return UsersSource::KnownUsers;
    if (name == QLatin1String("auth-database") || !authDatabaseUri.isEmpty())
        return UsersSource::AuthDatabase;
    return UsersSource::NotChosen;
}

// QSettings would read '/' as nesting and escapes other characters its own way: hex keeps one flat group per key.
QString connectionGroup(const QUrl& url, const QString& username)
{
    return connectionsGroup + QLatin1Char('/') +
           QString::fromLatin1(ProfileStore::connectionKey(url, username).toUtf8().toHex());
}

// One QSettings per call: it is cheap, and it re-reads the file so that a CLI run sees the console's latest edits.
// The file is made owner-only before QSettings first writes it (QSaveFile keeps an existing file's mode), and its
// folder too when it is our own default one.
std::unique_ptr<QSettings> openSettings(const QString& iniFilePath)
{
    if (!iniFilePath.isEmpty()) {
        PrivateFiles::ensureFile(iniFilePath);
        return std::make_unique<QSettings>(iniFilePath, QSettings::IniFormat);
    }
    auto settings = std::make_unique<QSettings>(QSettings::IniFormat, QSettings::UserScope,
                                                QStringLiteral("mlflow-admin"), QStringLiteral("profiles"));
    PrivateFiles::ensureSettingsFile(settings->fileName());
    return settings;
}

bool syncOrFail(QSettings& settings, QString* error)
{
    settings.sync();
    if (settings.status() == QSettings::NoError)
        return true;
    if (error) {
        *error = ProfileStore::tr("The profiles file %1 could not be written. Check that its folder exists and is "
                                  "writable.")
                     .arg(settings.fileName());
    }
    return false;
}

} // namespace

ProfileStore::ProfileStore() = default;

ProfileStore::ProfileStore(const QString& iniFilePath) : m_iniFilePath(iniFilePath) {}

QString ProfileStore::fileName() const
{
    return openSettings(m_iniFilePath)->fileName();
}

QList<ServerProfile> ProfileStore::profiles() const
{
    auto settings = openSettings(m_iniFilePath);
    settings->beginGroup(profilesGroup);
    QStringList names = settings->childGroups();
    settings->endGroup();
    std::sort(names.begin(), names.end(),
              [](const QString& a, const QString& b) { return QString::localeAwareCompare(a, b) < 0; });
    QList<ServerProfile> result;
    for (const QString& name : std::as_const(names)) {
        if (const auto found = profile(name))
            result.append(*found);
    }
    return result;
}

std::optional<ServerProfile> ProfileStore::profile(const QString& name) const
{
    if (!isValidName(name))
        return std::nullopt;
    auto settings = openSettings(m_iniFilePath);
    settings->beginGroup(profilesGroup);
    if (!settings->childGroups().contains(name))
        return std::nullopt;
    settings->beginGroup(name);
    ServerProfile profile;
    profile.name = name;
    profile.url = QUrl(settings->value(keyUrl).toString());
    profile.username = settings->value(keyUsername).toString();
    profile.caBundlePath = settings->value(keyCaBundle).toString();
    profile.pinnedSha256 = QByteArray::fromHex(settings->value(keyPinnedSha256).toString().toLatin1());
    profile.authDatabaseUri = settings->value(keyAuthDatabaseUri).toString();
    profile.defaultPermission = Permissions::parse(settings->value(keyDefaultPermission).toString());
    profile.workspace = settings->value(keyWorkspace).toString();
    profile.authDatabasePasswordInKeychain = settings->value(keyAuthDatabasePassword, false).toBool();
    profile.usersSource = usersSourceFromName(settings->value(keyUsersSource).toString(), profile.authDatabaseUri);
    return profile;
}

bool ProfileStore::contains(const QString& name) const
{
    return profile(name).has_value();
}

bool ProfileStore::save(const ServerProfile& profile, QString* error)
{
    if (!isValidName(profile.name, error))
        return false;
    if (!profile.url.isValid() || profile.url.isEmpty() ||
        (profile.url.scheme() != QLatin1String("http") && profile.url.scheme() != QLatin1String("https"))) {
        if (error)
            *error = tr("The profile's server address must be an http:// or https:// URL.");
        return false;
    }
    if (!profile.pinnedSha256.isEmpty() && profile.pinnedSha256.size() != 32) {
        if (error)
            *error = tr("A pinned certificate fingerprint must be a SHA-256 digest (32 bytes, 64 hex digits).");
        return false;
    }
    if (const QString problem = AuthDatabaseLocation::passwordProblem(profile.authDatabaseUri); !problem.isEmpty()) {
        if (error)
            *error = problem;
        return false;
    }
    auto settings = openSettings(m_iniFilePath);
    settings->beginGroup(profilesGroup);
    // Replace, so that fields cleared by the caller do not survive from an older version of the profile.
    settings->remove(profile.name);
    settings->beginGroup(profile.name);
    settings->setValue(keyUrl, profile.url.toString());
    settings->setValue(keyUsername, profile.username);
    settings->setValue(keyCaBundle, profile.caBundlePath);
    settings->setValue(keyPinnedSha256, QString::fromLatin1(profile.pinnedSha256.toHex()));
    settings->setValue(keyAuthDatabaseUri, profile.authDatabaseUri);
    if (profile.defaultPermission)
        settings->setValue(keyDefaultPermission, Permissions::name(*profile.defaultPermission));
    if (!profile.workspace.isEmpty())
        settings->setValue(keyWorkspace, profile.workspace);
    if (profile.usersSource != UsersSource::NotChosen)
        settings->setValue(keyUsersSource, usersSourceName(profile.usersSource));
    if (profile.authDatabasePasswordInKeychain)
        settings->setValue(keyAuthDatabasePassword, true);
    settings->endGroup();
    settings->endGroup();
    return syncOrFail(*settings, error);
}

bool ProfileStore::remove(const QString& name, QString* error)
{
    if (!contains(name)) {
        if (error)
            *error = tr("There is no profile named '%1'. List the profiles with `profiles list`.").arg(name);
        return false;
    }
    auto settings = openSettings(m_iniFilePath);
    settings->beginGroup(profilesGroup);
    settings->remove(name);
    settings->endGroup();
    return syncOrFail(*settings, error);
}

QString ProfileStore::connectionKey(const QUrl& url, const QString& username)
{
    // Not translated: it is a key.
    return username + QStringLiteral(" at ") + url.adjusted(QUrl::StripTrailingSlash).toString();
}

ServerProfile ProfileStore::usersSource(const QString& profileName, const QUrl& url, const QString& username) const
{
    if (!profileName.isEmpty())
        return profile(profileName).value_or(ServerProfile());
    auto settings = openSettings(m_iniFilePath);
    settings->beginGroup(connectionGroup(url, username));
    ServerProfile choice;
    choice.url = url;
    choice.username = username;
    choice.authDatabaseUri = settings->value(keyAuthDatabaseUri).toString();
    choice.authDatabasePasswordInKeychain = settings->value(keyAuthDatabasePassword, false).toBool();
    choice.usersSource = usersSourceFromName(settings->value(keyUsersSource).toString(), choice.authDatabaseUri);
    return choice;
}

bool ProfileStore::saveUsersSource(const QString& profileName, const QUrl& url, const QString& username,
                                   const ServerProfile& choice, QString* error)
{
    if (const QString problem = AuthDatabaseLocation::passwordProblem(choice.authDatabaseUri); !problem.isEmpty()) {
        if (error)
            *error = problem;
        return false;
    }
    if (!profileName.isEmpty()) {
        auto profile = this->profile(profileName);
        if (!profile) {
            if (error)
                *error = tr("There is no profile named '%1' to keep the choice in.").arg(profileName);
            return false;
        }
        profile->usersSource = choice.usersSource;
        profile->authDatabaseUri = choice.authDatabaseUri;
        profile->authDatabasePasswordInKeychain = choice.authDatabasePasswordInKeychain;
        return save(*profile, error);
    }
    auto settings = openSettings(m_iniFilePath);
    const QString group = connectionGroup(url, username);
    settings->remove(group);
    settings->beginGroup(group);
    // The readable key beside the hex group name, so that someone reading the file sees what it is about.
    settings->setValue(QStringLiteral("connection"), connectionKey(url, username));
    settings->setValue(keyUsersSource, usersSourceName(choice.usersSource));
    settings->setValue(keyAuthDatabaseUri, choice.authDatabaseUri);
    if (choice.authDatabasePasswordInKeychain)
        settings->setValue(keyAuthDatabasePassword, true);
    settings->endGroup();
    return syncOrFail(*settings, error);
}

bool ProfileStore::isValidName(const QString& name, QString* error)
{
    const bool valid = !name.trimmed().isEmpty() && name == name.trimmed() && !name.contains(QLatin1Char('/')) &&
                       !name.contains(QLatin1Char('\\'));
    if (!valid && error)
        *error = tr("A profile name must not be empty, start or end with spaces, or contain '/' or '\\'.");
    return valid;
}

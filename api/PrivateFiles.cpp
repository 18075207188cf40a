#include "api/PrivateFiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace {

constexpr QFileDevice::Permissions ownerFile = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
constexpr QFileDevice::Permissions ownerFolder =
    QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner;

bool fail(QString* error, const QString& message)
{
    if (error)
        *error = message;
    return false;
}

// QFile reports the Owner and User bits separately; both describe the owner on Unix.
QFileDevice::Permissions modeBits(QFileDevice::Permissions permissions)
{
    return permissions & ~(QFileDevice::ReadUser | QFileDevice::WriteUser | QFileDevice::ExeUser);
}

bool tighten(const QString& path, QFileDevice::Permissions wanted, QString* error)
{
    if (modeBits(QFile::permissions(path)) == wanted)
        return true;
    if (!QFile::setPermissions(path, wanted))
        return fail(error, QStringLiteral("Cannot make %1 private to its owner; check that you own it, or fix its "
                                          "mode with chmod go-rwx.")
                               .arg(path));
    return true;
}

} // namespace

namespace PrivateFiles {

bool ensureFolder(const QString& path, QString* error)
{
    if (!QDir().mkpath(path))
        return fail(error, QStringLiteral("Cannot create the folder %1; check that its parent is writable.").arg(path));
    return tighten(path, ownerFolder, error);
}

bool ensureFile(const QString& path, QString* error)
{
    if (!QFileInfo::exists(path)) {
        QFile create(path);
        // NewOnly with permissions: created 0600 in one step, and a file that appeared meanwhile is not truncated.
        if (!create.open(QIODevice::WriteOnly | QIODevice::NewOnly, ownerFile) && !QFileInfo::exists(path))
            return fail(error, QStringLiteral("Cannot create %1: %2. Check that its folder is writable.")
                                   .arg(path, create.errorString()));
    }
    return tighten(path, ownerFile, error);
}

bool ensureSettingsFile(const QString& path, QString* error)
{
    return ensureFolder(QFileInfo(path).absolutePath(), error) && ensureFile(path, error);
}

bool ensureSqliteFile(const QString& path, QString* error)
{
    if (!ensureFile(path, error))
        return false;
    for (const char* suffix : {"-wal", "-shm", "-journal"}) {
        const QString sibling = path + QLatin1String(suffix);
        if (QFileInfo::exists(sibling) && !tighten(sibling, ownerFile, error))
            return false;
    }
    return true;
}

} // namespace PrivateFiles

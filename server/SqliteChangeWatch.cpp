#include "server/SqliteChangeWatch.h"

#include <QSqlDriver>
#include <QVariant>

#include <sqlite3.h>

namespace {

// Qt's SQLite driver hands out its connection as a QVariant holding `sqlite3*` (QSqlDriver::handle()).
sqlite3* sqliteHandle(const QSqlDatabase& database)
{
    if (!database.isOpen() || !database.driver())
        return nullptr;
    const QVariant handle = database.driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3* const*>(handle.constData());
}

} // namespace

SqliteChangeWatch::SqliteChangeWatch(const QSqlDatabase& database, QStringList watchedTables)
    : m_handle(sqliteHandle(database))
{
    for (const QString& table : watchedTables)
        m_watchedTables.append(table.toUtf8());
    if (!m_handle)
        return;
    if (sqlite3_prepare_v2(m_handle, "PRAGMA data_version", -1, &m_dataVersion, nullptr) != SQLITE_OK)
        m_dataVersion = nullptr;
    if (!m_watchedTables.isEmpty())
        sqlite3_update_hook(m_handle, &SqliteChangeWatch::rowChanged, this);
}

SqliteChangeWatch::~SqliteChangeWatch()
{
    if (m_handle && !m_watchedTables.isEmpty())
        sqlite3_update_hook(m_handle, nullptr, nullptr);
    sqlite3_finalize(m_dataVersion);
}

bool SqliteChangeWatch::changedElsewhere()
{
    long long version = -1;
    if (m_dataVersion && sqlite3_step(m_dataVersion) == SQLITE_ROW)
        version = sqlite3_column_int64(m_dataVersion, 0);
    if (m_dataVersion)
        sqlite3_reset(m_dataVersion);
    const bool changed = version < 0 || version != m_seenDataVersion;
    m_seenDataVersion = version;
    return changed;
}

void SqliteChangeWatch::rowChanged(void* self, int, const char*, const char* table, long long)
{
    auto* watch = static_cast<SqliteChangeWatch*>(self);
    for (const QByteArray& watched : watch->m_watchedTables) {
        if (qstrcmp(table, watched.constData()) == 0) {
            ++watch->m_localChanges;
            return;
        }
    }
}

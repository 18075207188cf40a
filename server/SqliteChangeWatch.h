#pragma once

#include <QSqlDatabase>
#include <QStringList>

struct sqlite3;
struct sqlite3_stmt;

// Tells an in-memory cache of rows read through one SQLite connection whether they may be stale. Two sources of
// change, two counters:
// - commits by any other connection, another program included (PRAGMA data_version, which ignores this
//   connection's own commits). It runs as a raw prepared statement: through QSqlQuery the same check cost a tenth
//   of a whole cached request.
// - rows this connection inserts, updates or deletes in the watched tables (sqlite3_update_hook), so a cache of
//   experiments survives the metric logging that fills other tables.
// Without a usable SQLite handle (another driver) both answers are "changed", which turns the cache off.
class SqliteChangeWatch
{
public:
    explicit SqliteChangeWatch(const QSqlDatabase& database, QStringList watchedTables = {});
    ~SqliteChangeWatch();
    SqliteChangeWatch(const SqliteChangeWatch&) = delete;
    SqliteChangeWatch& operator=(const SqliteChangeWatch&) = delete;

    // Whether another connection committed since the previous call; true on the first call and when unreadable.
    bool changedElsewhere();
    // Moves whenever this connection changes a row of a watched table; compare two readings.
    quint64 localChanges() const { return m_handle ? m_localChanges : ++m_localChanges; }

private:
    static void rowChanged(void* self, int operation, const char* database, const char* table, long long rowId);

    sqlite3* m_handle = nullptr;
    sqlite3_stmt* m_dataVersion = nullptr;
    long long m_seenDataVersion = -1;
    QList<QByteArray> m_watchedTables;
    mutable quint64 m_localChanges = 0;
};

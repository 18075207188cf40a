#pragma once

// Runs setup statements against a throw-away database server of the tests (PostgresServer, MariaDbServer) over TCP
// on loopback, through the same Qt Sql driver the code under test uses.

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>
#include <QStringList>

struct SqlAccount
{
    QString driver; // QPSQL, QMYSQL
    quint16 port = 0;
    QString database;
    QString user;
    QString password;
};

// Runs `statements` in order; stops at the first failure and returns false with `error` naming it.
inline bool runSqlStatements(const SqlAccount& account, const QStringList& statements, QString* error)
{
    const QString connectionName = QStringLiteral("sql-fixture-") + account.driver;
    bool ok = true;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(account.driver, connectionName);
        db.setHostName(QStringLiteral("127.0.0.1"));
        db.setPort(account.port);
        db.setDatabaseName(account.database);
        db.setUserName(account.user);
        db.setPassword(account.password);
        if (!db.open()) {
            *error = QStringLiteral("Connecting to the test database (%1) failed: %2")
                         .arg(account.driver, db.lastError().text());
            ok = false;
        }
        for (const QString& statement : statements) {
            if (!ok)
                break;
            QSqlQuery query(db);
            if (!query.exec(statement)) {
                *error = statement + QStringLiteral(": ") + query.lastError().text();
                ok = false;
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(connectionName);
    return ok;
}

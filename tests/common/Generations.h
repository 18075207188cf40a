#pragma once

// The MLflow generations the client, models and CLI tests run against, as Qt Test data rows: a test function with
// `void name_data() { Generations::addRows(); }` runs once per row and reads the row with
// `QFETCH(Dialect, generation)`. Rows: "mlflow-2.15.1", "mlflow-3.14" and, where workspaces matter,
// "mlflow-3.14-workspaces". Generations::Fixtures builds the embedded server for a row once and keeps it, so the
// functions of one row share a server the way a single initTestCase() server used to be shared.

#include "ServerFixture.h"

#include "server/Dialect.h"

#include <QMetaType>
#include <QtTest>
#include <map>

#include <memory>

Q_DECLARE_METATYPE(Dialect)

namespace Generations {

inline Dialect mlflow2()
{
    return Dialect();
}

inline Dialect mlflow3(bool workspaces = false)
{
    Dialect dialect;
    dialect.generation = Dialect::Generation::Mlflow3;
    dialect.workspaces = workspaces;
    return dialect;
}

// The row name of a dialect, as addRows() names it.
inline QString rowName(const Dialect& dialect)
{
    if (!dialect.isMlflow3())
        return QStringLiteral("mlflow-2.15.1");
    return dialect.workspaces ? QStringLiteral("mlflow-3.14-workspaces") : QStringLiteral("mlflow-3.14");
}

// Adds the `generation` column (a Dialect) and one row per generation; `withWorkspaces` adds the 3.14 server with
// workspaces on.
inline void addRows(bool withWorkspaces = false)
{
    QTest::addColumn<Dialect>("generation");
    QList<Dialect> dialects{mlflow2(), mlflow3()};
    if (withWorkspaces)
        dialects.append(mlflow3(true));
    for (const Dialect& dialect : dialects)
        QTest::newRow(qPrintable(rowName(dialect))) << dialect;
}

// One started ServerFixture per generation (demo data unless told otherwise, NO_PERMISSIONS), built on the first
// request for that generation and kept while this object lives.
class Fixtures
{
public:
    explicit Fixtures(bool demo = true, const QString& defaultPermission = QStringLiteral("NO_PERMISSIONS"))
        : m_demo(demo), m_defaultPermission(defaultPermission)
    {}

    // The fixture of `dialect`; check started() (and error()) before using its server.
    ServerFixture& of(const Dialect& dialect)
    {
        std::unique_ptr<ServerFixture>& fixture = m_fixtures[rowName(dialect)];
        if (!fixture)
            fixture = std::make_unique<ServerFixture>(m_demo, m_defaultPermission, QString(), QString(), dialect);
        return *fixture;
    }

private:
    bool m_demo;
    QString m_defaultPermission;
    std::map<QString, std::unique_ptr<ServerFixture>> m_fixtures;
};

} // namespace Generations

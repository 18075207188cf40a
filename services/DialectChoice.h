#pragma once

#include "server/Dialect.h"

#include <QList>
#include <QString>

#include <optional>

// How a person names the embedded server's generation: `--api 2|3 [--workspaces]` on both command lines, and the
// settings key under which the console remembers its offline demo's choice. One place, so the CLI, the console and
// their messages agree.
namespace DialectChoice {
// `api` as typed after --api ("2" or "3"); `workspaces` whether --workspaces was given. On a bad combination returns
// nothing and sets `error` to a sentence that names the valid values.
std::optional<Dialect> fromCommandLine(const QString& api, bool workspaces, QString* error);

// Every dialect the embedded server offers, in the order a menu lists them.
QList<Dialect> all();

// A stable name for settings files ("mlflow2", "mlflow3", "mlflow3-workspaces"), and back (nothing if unknown).
QString settingsKey(const Dialect& dialect);
std::optional<Dialect> fromSettingsKey(const QString& key);

inline bool same(const Dialect& a, const Dialect& b)
{
    return a.generation == b.generation && a.workspaces == b.workspaces;
}
} // namespace DialectChoice

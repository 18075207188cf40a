#pragma once

#include <QString>

#include <optional>

// The one parser for resource ids. An experiment id reaches the server as text ("1", "01", "+1", " 1 ", from a
// query string or JSON); the tracking store and every permission lookup must read it as the same number, or an
// explicit grant on "1" is sidestepped by asking for "01". Real MLflow on SQLite has that hole (the grant table
// compares text, the experiments table converts); this server closes it by canonicalizing before every decision.
namespace ResourceIds {

// The experiment number the text names: optional ASCII blanks around an optional '+' and decimal digits (what
// SQLite's integer affinity accepts, so what a real MLflow store finds). Nothing for anything else or below zero.
std::optional<qint64> experimentNumber(const QString& text);
// The canonical spelling ("1" for "01", "+1", " 1"); text that names no experiment is returned unchanged, since it
// can match neither an experiment nor a grant on one.
QString canonicalExperimentId(const QString& text);
// The canonical id of a resource in MLflow 3.x's resource_type terms: experiments as above, a scorer's
// "<experiment_id>/<name>" with its experiment part canonical, anything else (model names, patterns) unchanged.
QString canonicalResourceId(const QString& resourceType, const QString& resourceId);

} // namespace ResourceIds

#pragma once

#include <QJsonValue>

#include <optional>

// MLflow speaks protobuf's JSON mapping: int64 fields may arrive as numbers or decimal strings, and doubles that
// JSON cannot hold (NaN, infinities) travel as the strings "NaN", "Infinity" and "-Infinity". Callers word their
// own errors; these only say whether a value is one.
namespace ProtoJson {
std::optional<qint64> toInt64(const QJsonValue& value);
std::optional<double> toDouble(const QJsonValue& value);
QJsonValue fromDouble(double value);
} // namespace ProtoJson

#include "server/ProtoJson.h"

#include <QString>

#include <cmath>

namespace ProtoJson {

std::optional<qint64> toInt64(const QJsonValue& value)
{
    if (value.isDouble()) {
        const double number = value.toDouble();
        // The exact range of qint64: -2^63 <= n < 2^63.
        if (std::floor(number) == number && number >= -9223372036854775808.0 && number < 9223372036854775808.0)
            return static_cast<qint64>(number);
    } else if (value.isString()) {
        bool ok = false;
        const qint64 number = value.toString().toLongLong(&ok);
        if (ok)
            return number;
    }
    return std::nullopt;
}

std::optional<double> toDouble(const QJsonValue& value)
{
    if (value.isDouble())
        return value.toDouble();
    if (!value.isString())
        return std::nullopt;
    const QString text = value.toString();
    if (text == QLatin1String("NaN"))
        return std::nan("");
    if (text == QLatin1String("Infinity"))
        return HUGE_VAL;
    if (text == QLatin1String("-Infinity"))
        return -HUGE_VAL;
    bool ok = false;
    const double number = text.toDouble(&ok);
    if (ok)
        return number;
    return std::nullopt;
}

QJsonValue fromDouble(double value)
{
    if (std::isnan(value))
        return QStringLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("Infinity") : QStringLiteral("-Infinity");
    return value;
}

} // namespace ProtoJson

#include "server/ResourceIds.h"

#include <limits>

namespace {

bool isBlank(QChar c)
{
    return c == QLatin1Char(' ') || c == QLatin1Char('\t') || c == QLatin1Char('\n') || c == QLatin1Char('\r') ||
           c == QLatin1Char('\f') || c == QLatin1Char('\v');
}

} // namespace

namespace ResourceIds {

std::optional<qint64> experimentNumber(const QString& text)
{
    qsizetype begin = 0;
    qsizetype end = text.size();
    while (begin < end && isBlank(text.at(begin)))
        ++begin;
    while (end > begin && isBlank(text.at(end - 1)))
        --end;
    if (begin < end && text.at(begin) == QLatin1Char('+'))
        ++begin;
    if (begin == end)
        return std::nullopt;
    qint64 value = 0;
    for (qsizetype i = begin; i < end; ++i) {
        const QChar c = text.at(i);
        // Only ASCII digits: QString::toLongLong would also take other scripts' digits and a '-'.
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return std::nullopt;
        if (value > (std::numeric_limits<qint64>::max() - 9) / 10)
            return std::nullopt;
        value = value * 10 + (c.unicode() - '0');
    }
    return value;
}

QString canonicalExperimentId(const QString& text)
{
    const std::optional<qint64> number = experimentNumber(text);
    return number ? QString::number(*number) : text;
}

QString canonicalResourceId(const QString& resourceType, const QString& resourceId)
{
    if (resourceType == QLatin1String("experiment"))
        return canonicalExperimentId(resourceId);
    if (resourceType == QLatin1String("scorer")) {
        const qsizetype slash = resourceId.indexOf(QLatin1Char('/'));
        if (slash > 0)
            return canonicalExperimentId(resourceId.left(slash)) + resourceId.mid(slash);
    }
    return resourceId;
}

} // namespace ResourceIds

#include "views/DistinctPathElider.h"

#include "views/ElidingHeaderView.h"

#include <QFontMetrics>

#include <algorithm>

namespace {

const QString ellipsis = QStringLiteral("…");

int commonPrefix(const QStringList& a, const QStringList& b)
{
    int n = 0;
    while (n < a.size() && n < b.size() && a.at(n) == b.at(n))
        ++n;
    return n;
}

int commonSuffix(const QStringList& a, const QStringList& b)
{
    int n = 0;
    while (n < a.size() && n < b.size() && a.at(a.size() - 1 - n) == b.at(b.size() - 1 - n))
        ++n;
    return n;
}

// The segments marked `shown`, each run of hidden ones replaced by one ellipsis.
QString render(const QStringList& parts, const QList<bool>& shown)
{
    QStringList out;
    bool hiding = false;
    for (int i = 0; i < parts.size(); ++i) {
        if (shown.at(i)) {
            out.append(parts.at(i));
            hiding = false;
        } else if (!hiding) {
            out.append(ellipsis);
            hiding = true;
        }
    }
    return out.join(QLatin1Char('/'));
}

} // namespace

void DistinctPathElider::setNames(const QStringList& names)
{
    m_distinct.clear();
    // Names that end alike are what path shortening makes look alike, for the end is what it keeps longest.
    QHash<QString, QStringList> byLast;
    for (const QString& name : names) {
        if (name.contains(QLatin1Char('/')))
            byLast[name.section(QLatin1Char('/'), -1)].append(name);
    }
    for (auto group = byLast.begin(); group != byLast.end(); ++group) {
        QStringList& members = group.value();
        if (members.size() < 2)
            continue;
        members.sort();
        members.erase(std::unique(members.begin(), members.end()), members.end());
        QList<QStringList> split;
        split.reserve(members.size());
        for (const QString& member : std::as_const(members))
            split.append(member.split(QLatin1Char('/')));
        // Against every other member in a small group; in a big one against its sorted neighbours, which share
        // the longest beginnings with it (the ends are alike by construction).
        const bool everyPair = members.size() <= 64;
        for (int i = 0; i < split.size(); ++i) {
            const QStringList& parts = split.at(i);
            QList<bool> distinct(parts.size(), false);
            bool any = false;
            const auto compare = [&](int j) {
                if (j < 0 || j >= split.size() || j == i)
                    return;
                const QStringList& other = split.at(j);
                if (other.size() == parts.size()) {
                    // Same depth: exactly the segments that differ.
                    for (int k = 0; k < parts.size(); ++k) {
                        if (parts.at(k) != other.at(k)) {
                            distinct[k] = true;
                            any = true;
                        }
                    }
                    return;
                }
                // Another depth: what lies between the shared beginning and the shared end.
                const int from = commonPrefix(parts, other);
                const int to = static_cast<int>(parts.size()) - 1 - commonSuffix(parts, other);
                for (int k = from; k <= to; ++k) {
                    distinct[k] = true;
                    any = true;
                }
            };
            if (everyPair) {
                for (int j = 0; j < split.size(); ++j)
                    compare(j);
            } else {
                compare(i - 1);
                compare(i + 1);
            }
            if (any)
                m_distinct.insert(members.at(i), distinct);
        }
    }
}

QString DistinctPathElider::elided(const QString& name, const QFontMetrics& metrics, int width) const
{
    if (metrics.horizontalAdvance(name) <= width)
        return name;
    const auto found = m_distinct.constFind(name);
    if (found == m_distinct.cend())
        return ElidingHeaderView::elidedPath(name, metrics, width);
    const QStringList parts = name.split(QLatin1Char('/'));
    const QList<bool>& distinct = *found;
    const int last = static_cast<int>(parts.size()) - 1;
    const int firstNamed = parts.size() > 1 && parts.first().isEmpty() ? 1 : 0;
    QList<bool> shown = distinct;
    shown[last] = true;
    if (firstNamed == 1)
        shown[0] = true; // the leading "/" of an absolute name
    // Widest first: the first segment, the distinguishing ones and the last; then without the first.
    QList<bool> withFirst = shown;
    withFirst[firstNamed] = true;
    for (const QList<bool>& candidate : {withFirst, shown}) {
        const QString text = render(parts, candidate);
        if (metrics.horizontalAdvance(text) <= width)
            return text;
    }
    // Narrower still: only the distinguishing segments whole, and as much of the shared end as fits:
    // "…/weekly/…019994", else "…/weekly/…".
    QString head = render(parts, distinct);
    if (!distinct.at(last) && head.endsWith(ellipsis)) {
        head.chop(ellipsis.size());
        const int room = width - metrics.horizontalAdvance(head);
        if (room >= metrics.horizontalAdvance(ellipsis + parts.last().right(3)))
            return head + metrics.elidedText(parts.last(), Qt::ElideLeft, room);
        head += ellipsis;
    }
    return metrics.elidedText(head, Qt::ElideMiddle, width);
}

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
            QList<Segment> segments(parts.size());
            bool any = false;
            const auto mark = [&](int k, int from, int to) {
                Segment& segment = segments[k];
                if (!segment.distinct) {
                    segment = Segment{true, from, to};
                } else {
                    segment.from = qMin(segment.from, from);
                    segment.to = segment.to < 0 || to < 0 ? -1 : qMax(segment.to, to);
                }
                any = true;
            };
            const auto compare = [&](int j) {
                if (j < 0 || j >= split.size() || j == i)
                    return;
                const QStringList& other = split.at(j);
                if (other.size() == parts.size()) {
                    // Same depth: the segments that differ, and in each the characters that do, with two of
                    // context on either side ("team094" against "team095": "094").
                    for (int k = 0; k < parts.size(); ++k) {
                        const QString& mine = parts.at(k);
                        const QString& theirs = other.at(k);
                        if (mine == theirs)
                            continue;
                        int prefix = 0;
                        while (prefix < mine.size() && prefix < theirs.size() && mine.at(prefix) == theirs.at(prefix))
                            ++prefix;
                        int suffix = 0;
                        while (suffix < mine.size() - prefix && suffix < theirs.size() - prefix &&
                               mine.at(mine.size() - 1 - suffix) == theirs.at(theirs.size() - 1 - suffix))
                            ++suffix;
                        const int from = qMax(0, prefix - 2);
                        const int to = suffix <= 2 ? -1 : static_cast<int>(mine.size()) - 1 - suffix + 2;
                        mark(k, from, to);
                    }
                    return;
                }
                // Another depth: what lies between the shared beginning and the shared end, whole.
                const int from = commonPrefix(parts, other);
                const int to = static_cast<int>(parts.size()) - 1 - commonSuffix(parts, other);
                for (int k = from; k <= to; ++k)
                    mark(k, 0, -1);
            };
            if (everyPair) {
                for (int j = 0; j < split.size(); ++j)
                    compare(j);
            } else {
                compare(i - 1);
                compare(i + 1);
            }
            if (any)
                m_distinct.insert(members.at(i), segments);
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
    const QList<Segment>& segments = *found;
    const int last = static_cast<int>(parts.size()) - 1;
    const int firstNamed = parts.size() > 1 && parts.first().isEmpty() ? 1 : 0;
    QList<bool> distinct(parts.size(), false);
    for (int i = 0; i < parts.size(); ++i)
        distinct[i] = segments.at(i).distinct;
    if (firstNamed == 1)
        distinct[0] = true; // the leading "/" of an absolute name
    QList<bool> shown = distinct;
    shown[last] = true;
    // Widest first: the first segment, the distinguishing ones and the last; then without the first.
    QList<bool> withFirst = shown;
    withFirst[firstNamed] = true;
    for (const QList<bool>& candidate : {withFirst, shown}) {
        const QString text = render(parts, candidate);
        if (metrics.horizontalAdvance(text) <= width)
            return text;
    }
    // Narrower: only the distinguishing segments, whole and then cut to the characters that differ, with as much
    // of the shared end as fits: "/team094/…/weekly/…019994", "/…094/…/weekly/…".
    QStringList cut = parts;
    for (int i = 0; i < parts.size(); ++i) {
        const Segment& segment = segments.at(i);
        const QString& part = parts.at(i);
        if (!segment.distinct || (segment.from < 3 && (segment.to < 0 || segment.to >= part.size() - 3)))
            continue;
        const int to = segment.to < 0 ? static_cast<int>(part.size()) - 1 : segment.to;
        cut[i] = (segment.from > 0 ? ellipsis : QString()) + part.mid(segment.from, to - segment.from + 1) +
                 (to < part.size() - 1 ? ellipsis : QString());
    }
    QString narrowest;
    for (const QStringList& pieces : {parts, cut}) {
        QString head = render(pieces, distinct);
        if (!distinct.at(last) && head.endsWith(ellipsis)) {
            head.chop(ellipsis.size());
            const int room = width - metrics.horizontalAdvance(head);
            if (room >= metrics.horizontalAdvance(ellipsis + parts.last().right(3)))
                return head + metrics.elidedText(parts.last(), Qt::ElideLeft, room);
            head += ellipsis;
        }
        if (metrics.horizontalAdvance(head) <= width)
            return head;
        narrowest = head;
    }
    return metrics.elidedText(narrowest, Qt::ElideMiddle, width);
}

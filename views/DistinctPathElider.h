#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

class QFontMetrics;

// Shortens resource names for a narrow column so that names which look alike stay apart. Path-shortening alone
// turns "/team094/nightly/experiment019994" and "/team094/weekly/experiment019994" both into
// "/team094/…/experiment019994" (or "…/experiment019994"); here each name keeps the segments that tell it from the
// others with the same last segment ("/team094/nightly/…", "…/weekly/…019994"), and drops the shared ones first.
// Names that nothing else resembles are shortened as the matrix headers are (ElidingHeaderView::elidedPath).
class DistinctPathElider
{
public:
    // The names shown together (one column); recomputes which segments tell each apart.
    void setNames(const QStringList& names);
    // `name` shortened to `width` pixels of `metrics`.
    QString elided(const QString& name, const QFontMetrics& metrics, int width) const;

private:
    // For each name with look-alikes, per segment of name.split('/'): whether it tells the name apart, and which
    // characters of it do (from, to; the whole segment when a look-alike has another depth).
    struct Segment
    {
        bool distinct = false;
        int from = 0;
        int to = -1; // -1: to the end
    };
    QHash<QString, QList<Segment>> m_distinct;
};

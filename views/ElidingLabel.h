#pragma once

#include <QLabel>

// A one-line label that gives way in a narrow window instead of clipping: it paints its text elided (at the end,
// or in the middle for addresses) and, while elided, its tooltip shows the whole text, so nothing vanishes silently.
// text() stays the whole text, for code, tests and screen readers.
class ElidingLabel : public QLabel
{
    Q_OBJECT

public:
    explicit ElidingLabel(QWidget* parent = nullptr, Qt::TextElideMode mode = Qt::ElideRight);

    // The text as painted at the current width.
    QString displayedText() const;
    bool isElided() const;
    // What hovering shows: the whole text when elided (followed by the label's own tooltip, if any), else the own
    // tooltip.
    QString displayedToolTip() const;

    // A label that must be read whole (who is signed in) keeps its full width; the others give way first.
    void setShrinkable(bool shrinkable);

    QSize minimumSizeHint() const override;

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;

private:
    Qt::TextElideMode m_mode;
    bool m_shrinkable = true;
};

#pragma once

#include <QList>
#include <QWidget>

#include "common/RequestRecord.h"

class QGridLayout;
class QLabel;

namespace sluice {

// A request's attempts, one row each: when it started, on which deployment, what came back, what the router
// decided after it and why, with a waterfall bar placing the attempt and the wait after it in the request's time.
class AttemptTimeline : public QWidget
{
    Q_OBJECT
public:
    enum Column { Number, Start, Deployment, Status, Error, Latency, Waterfall, Decision, Wait, Reason, ColumnCount };

    explicit AttemptTimeline(QWidget *parent = nullptr);

    // totalMs is the request's duration, the waterfall's scale (the attempts' own span when that is longer).
    void setAttempts(const QList<AttemptRecord> &attempts, qint64 totalMs);
    // Shown instead of rows, e.g. while the attempts load.
    void setMessage(const QString &message);
    const QList<AttemptRecord> &attempts() const { return m_attempts; }

    // Tab-separated, a header line then one line per attempt: what Copy puts on the clipboard.
    QString toPlainText() const;
    // "3 attempts · 1 retry · fell back to claude-sonnet"; empty for none.
    static QString summary(const QList<AttemptRecord> &attempts);
    // The cell texts of one attempt (Waterfall is empty); numbers count sent attempts, a skip shows "–".
    static QStringList cells(const QList<AttemptRecord> &attempts, int index);
    static QString columnTitle(Column column);

protected:
    void changeEvent(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    void rebuild();
    void clearRows();
    QLabel *addCell(int row, int column, const QString &text, const QString &objectName);

    QList<AttemptRecord> m_attempts;
    qint64 m_totalMs = 0;
    QString m_message;
    QGridLayout *m_grid;
    QList<QWidget *> m_rowWidgets;
    QList<QWidget *> m_rowStarts; // each attempt's first cell: a separator is drawn above it
};

} // namespace sluice

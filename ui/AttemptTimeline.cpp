#include "AttemptTimeline.h"

#include <algorithm>

#include <QEvent>
#include <QGridLayout>
#include <QLabel>
#include <QLocale>
#include <QPaintEvent>
#include <QPainter>

#include "RecordFormat.h"
#include "store/AttemptSummary.h"

namespace sluice {

namespace {

RecordFormat::Tone attemptTone(const AttemptRecord &attempt)
{
    if (AttemptSummary::isSkipped(attempt))
        return RecordFormat::Tone::Neutral;
    if (attempt.decision == QLatin1String("done") && attempt.errorClass.isEmpty())
        return RecordFormat::Tone::Success;
    if (attempt.errorClass == QLatin1String("rate_limit") || attempt.errorClass == QLatin1String("cancelled"))
        return RecordFormat::Tone::Warning;
    return attempt.errorClass.isEmpty() ? RecordFormat::httpStatusTone(attempt.httpStatus)
                                        : RecordFormat::Tone::Failure;
}

// Places one attempt in the request's time: a solid bar while it ran, a dotted line for the wait after it, a
// hollow marker for a deployment skipped without a request.
class WaterfallBar : public QWidget
{
public:
    WaterfallBar(const AttemptRecord &attempt, qint64 scaleMs, QWidget *parent)
        : QWidget(parent)
        , m_attempt(attempt)
        , m_scaleMs(std::max<qint64>(scaleMs, 1))
    {
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    }

    QSize sizeHint() const override { return {150, fontMetrics().height()}; }
    QSize minimumSizeHint() const override { return {90, fontMetrics().height()}; }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        const QRectF area = QRectF(rect()).adjusted(3, 0, -3, 0);
        const double midY = area.center().y();
        const auto x = [&](qint64 ms) {
            return area.left() + area.width() * double(std::clamp<qint64>(ms, 0, m_scaleMs)) / double(m_scaleMs);
        };

        QColor track = palette().color(QPalette::Mid);
        track.setAlphaF(0.35f);
        p.setPen(Qt::NoPen);
        p.setBrush(track);
        p.drawRoundedRect(QRectF(area.left(), midY - 1.5, area.width(), 3), 1.5, 1.5);

        const QColor tone = RecordFormat::color(attemptTone(m_attempt), palette());
        const double start = x(m_attempt.startedAtMs);
        if (AttemptSummary::isSkipped(m_attempt)) {
            p.setPen(QPen(palette().color(QPalette::PlaceholderText), 1.5));
            p.setBrush(palette().color(QPalette::Base));
            p.drawEllipse(QPointF(start + 4, midY), 3.5, 3.5);
            return;
        }
        const qint64 endMs = m_attempt.startedAtMs + m_attempt.latencyMs;
        const double end = std::max(x(endMs), start + 4);
        const double barHeight = std::max(6.0, area.height() * 0.55);
        p.setPen(Qt::NoPen);
        p.setBrush(tone);
        p.drawRoundedRect(QRectF(start, midY - barHeight / 2, end - start, barHeight), 2.5, 2.5);
        if (m_attempt.waitBeforeNextMs > 0) {
            QPen dotted(tone, 2, Qt::DotLine, Qt::RoundCap);
            p.setPen(dotted);
            p.drawLine(QPointF(end + 2, midY), QPointF(std::max(x(endMs + m_attempt.waitBeforeNextMs), end + 6), midY));
        }
    }

private:
    AttemptRecord m_attempt;
    qint64 m_scaleMs;
};

int gridRow(int attemptIndex)
{
    return attemptIndex + 1; // row 0 holds the column titles
}

} // namespace

AttemptTimeline::AttemptTimeline(QWidget *parent)
    : QWidget(parent)
    , m_grid(new QGridLayout(this))
{
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setHorizontalSpacing(14);
    m_grid->setVerticalSpacing(9);
    m_grid->setColumnStretch(Reason, 1);
    m_grid->setColumnMinimumWidth(Reason, 220);
}

QString AttemptTimeline::columnTitle(Column column)
{
    switch (column) {
    case Number:
        return tr("#");
    case Start:
        return tr("Start");
    case Deployment:
        return tr("Deployment");
    case Status:
        return tr("Status");
    case Error:
        return tr("Error");
    case Latency:
        return tr("Latency");
    case Waterfall:
        return tr("Timeline");
    case Decision:
        return tr("Decision");
    case Wait:
        return tr("Wait");
    case Reason:
        return tr("Reason");
    case ColumnCount:
        break;
    }
    return {};
}

QStringList AttemptTimeline::cells(const QList<AttemptRecord> &attempts, int index)
{
    const AttemptRecord &a = attempts.at(index);
    const bool skipped = AttemptSummary::isSkipped(a);
    int number = 0;
    for (int i = 0; i <= index; ++i)
        number += AttemptSummary::isSkipped(attempts.at(i)) ? 0 : 1;

    QStringList cells;
    cells.reserve(ColumnCount);
    cells << (skipped ? QStringLiteral("–") : QString::number(number));
    cells << QLatin1Char('+') + RecordFormat::milliseconds(a.startedAtMs);
    cells << (a.deployment.isEmpty() ? a.provider + QLatin1Char('/') + a.upstreamModel : a.deployment);
    cells << (skipped ? QString() : a.httpStatus > 0 ? QString::number(a.httpStatus) : RecordFormat::unknown());
    cells << RecordFormat::failureClassLabel(a.errorClass);
    cells << (skipped ? QString() : RecordFormat::milliseconds(a.latencyMs));
    cells << QString();
    cells << RecordFormat::decisionLabel(a.decision);
    cells << (a.waitBeforeNextMs > 0 ? RecordFormat::milliseconds(a.waitBeforeNextMs) : QString());
    QString reason = a.reason;
    if (a.inputTokens >= 0 || a.outputTokens >= 0) {
        reason += (reason.isEmpty() ? QString() : QStringLiteral(". "))
            + tr("Billed by the provider and counted in the cost: %1 input, %2 output tokens")
                  .arg(a.inputTokens < 0 ? RecordFormat::unknown() : QLocale().toString(a.inputTokens),
                       a.outputTokens < 0 ? RecordFormat::unknown() : QLocale().toString(a.outputTokens));
    }
    cells << reason;
    return cells;
}

QString AttemptTimeline::summary(const QList<AttemptRecord> &attempts)
{
    if (attempts.isEmpty())
        return {};
    const int sent = AttemptSummary::sentCount(attempts);
    QStringList parts {RecordFormat::count(sent, tr("attempt"), tr("attempts"))};
    const auto count = [&](const char *decision) {
        return std::count_if(attempts.cbegin(), attempts.cend(),
                             [decision](const AttemptRecord &a) { return a.decision == QLatin1String(decision); });
    };
    if (const qint64 retries = count("retry"))
        parts << RecordFormat::count(retries, tr("retry"), tr("retries"));
    if (const qint64 moves = count("next"))
        parts << RecordFormat::count(moves, tr("move to another deployment"), tr("moves to other deployments"));
    QStringList fallbackModels;
    for (qsizetype i = 0; i + 1 < attempts.size(); ++i) {
        if (attempts.at(i).decision == QLatin1String("fallback")) {
            for (qsizetype j = i + 1; j < attempts.size(); ++j) {
                if (attempts.at(j).model != attempts.at(i).model) {
                    fallbackModels << attempts.at(j).model;
                    break;
                }
            }
        }
    }
    if (!fallbackModels.isEmpty())
        parts << tr("fell back to %1").arg(fallbackModels.join(QStringLiteral(", then ")));
    if (const qint64 skipped = count("skipped"))
        parts << tr("%1 skipped (circuit open)").arg(RecordFormat::count(skipped, tr("deployment"), tr("deployments")));
    if (attempts.last().decision == QLatin1String("give_up"))
        parts << tr("gave up");
    return parts.join(QStringLiteral(" · "));
}

void AttemptTimeline::setAttempts(const QList<AttemptRecord> &attempts, qint64 totalMs)
{
    m_attempts = attempts;
    m_totalMs = totalMs;
    m_message.clear();
    rebuild();
}

void AttemptTimeline::setMessage(const QString &message)
{
    m_attempts.clear();
    m_message = message;
    rebuild();
}

QString AttemptTimeline::toPlainText() const
{
    QStringList titles;
    for (int column = 0; column < ColumnCount; ++column) {
        if (column != Waterfall)
            titles << columnTitle(Column(column));
    }
    QStringList lines {titles.join(QLatin1Char('\t'))};
    for (int i = 0; i < m_attempts.size(); ++i) {
        QStringList row = cells(m_attempts, i);
        row.removeAt(Waterfall);
        lines << row.join(QLatin1Char('\t'));
    }
    return lines.join(QLatin1Char('\n'));
}

void AttemptTimeline::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        rebuild();
}

void AttemptTimeline::clearRows()
{
    for (QWidget *widget : std::as_const(m_rowWidgets)) {
        m_grid->removeWidget(widget);
        delete widget;
    }
    m_rowWidgets.clear();
    m_rowStarts.clear();
}

QLabel *AttemptTimeline::addCell(int row, int column, const QString &text, const QString &objectName)
{
    auto *label = new QLabel(text, this);
    label->setObjectName(objectName);
    label->setTextFormat(Qt::PlainText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // The reason fills its column so it wraps at the column's width; the other cells keep their natural size.
    if (column == Reason) {
        label->setWordWrap(true);
        m_grid->addWidget(label, row, column);
    } else {
        m_grid->addWidget(label, row, column, Qt::AlignTop | Qt::AlignLeft);
    }
    // Shown now, not when the layout gets to it, so the height the pane reserves counts the new rows.
    label->show();
    m_rowWidgets.append(label);
    return label;
}

void AttemptTimeline::paintEvent(QPaintEvent *)
{
    if (m_attempts.isEmpty())
        return;
    QPainter p(this);
    QColor line = palette().color(QPalette::Mid);
    line.setAlphaF(0.45f);
    p.setPen(QPen(line, 1));
    const int gap = m_grid->verticalSpacing();
    for (const QWidget *first : std::as_const(m_rowStarts)) {
        const int y = first->geometry().top() - (gap + 1) / 2;
        p.drawLine(0, y, width(), y);
    }
}

void AttemptTimeline::rebuild()
{
    setUpdatesEnabled(false);
    clearRows();
    const QPalette pal = palette();
    const QColor muted = pal.color(QPalette::PlaceholderText);

    if (!m_message.isEmpty() || m_attempts.isEmpty()) {
        auto *note = new QLabel(m_message, this);
        note->setObjectName(QStringLiteral("attemptsMessage"));
        note->setTextFormat(Qt::PlainText);
        note->setTextInteractionFlags(Qt::TextSelectableByMouse);
        note->setForegroundRole(QPalette::PlaceholderText);
        note->setWordWrap(true);
        m_grid->addWidget(note, 0, 0, 1, ColumnCount);
        note->show();
        m_rowWidgets.append(note);
        setUpdatesEnabled(true);
        return;
    }

    static const char *const names[ColumnCount]
        = {"Number", "Start", "Deployment", "Status", "Error", "Latency", "Waterfall", "Decision", "Wait", "Reason"};
    QFont titleFont = font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 0.9);
    for (int column = 0; column < ColumnCount; ++column) {
        QLabel *title = addCell(0, column, columnTitle(Column(column)),
                                QStringLiteral("attemptsTitle") + QLatin1String(names[column]));
        title->setFont(titleFont);
        title->setForegroundRole(QPalette::PlaceholderText);
    }

    qint64 scaleMs = std::max<qint64>(m_totalMs, 1);
    for (const AttemptRecord &a : std::as_const(m_attempts))
        scaleMs = std::max(scaleMs, a.startedAtMs + a.latencyMs + a.waitBeforeNextMs);

    qsizetype answering = -1;
    for (qsizetype i = m_attempts.size() - 1; i >= 0 && answering < 0; --i) {
        if (!AttemptSummary::isSkipped(m_attempts.at(i)))
            answering = i;
    }

    for (int i = 0; i < m_attempts.size(); ++i) {
        const AttemptRecord &a = m_attempts.at(i);
        const QStringList texts = cells(m_attempts, i);
        const int row = gridRow(i);
        const QString prefix = QStringLiteral("attempt%1").arg(i + 1);
        const bool skipped = AttemptSummary::isSkipped(a);
        QList<QLabel *> labels(ColumnCount, nullptr);
        for (int column = 0; column < ColumnCount; ++column) {
            if (column == Waterfall) {
                auto *bar = new WaterfallBar(a, scaleMs, this);
                bar->setObjectName(prefix + QLatin1String(names[column]));
                bar->setToolTip(
                    tr("Started %1 after the request arrived, ran %2%3")
                        .arg(RecordFormat::milliseconds(a.startedAtMs), RecordFormat::milliseconds(a.latencyMs),
                             a.waitBeforeNextMs > 0
                                 ? tr(", then waited %1").arg(RecordFormat::milliseconds(a.waitBeforeNextMs))
                                 : QString()));
                m_grid->addWidget(bar, row, column, Qt::AlignTop);
                bar->show();
                m_rowWidgets.append(bar);
                continue;
            }
            labels[column] = addCell(row, column, texts.at(column), prefix + QLatin1String(names[column]));
        }
        for (const int column : {Number, Start, Latency, Wait})
            labels[column]->setForegroundRole(QPalette::PlaceholderText);
        labels[Number]->setAlignment(Qt::AlignRight | Qt::AlignTop);
        m_rowStarts.append(labels[Number]);

        QLabel *deployment = labels[Deployment];
        if (i == answering && a.decision == QLatin1String("done")) {
            QFont bold = deployment->font();
            bold.setBold(true);
            deployment->setFont(bold);
        }
        if (skipped)
            deployment->setForegroundRole(QPalette::PlaceholderText);
        deployment->setToolTip(tr("Model %1 on provider %2 as %3%4")
                                   .arg(a.model, a.provider, a.upstreamModel,
                                        a.keyRef.isEmpty() ? QString() : tr(", key %1").arg(a.keyRef)));

        const QColor statusColor = RecordFormat::color(RecordFormat::httpStatusTone(a.httpStatus), pal);
        labels[Status]->setStyleSheet(QStringLiteral("QLabel { color: %1; }").arg(statusColor.name()));
        if (a.httpStatus <= 0 && !skipped)
            labels[Status]->setToolTip(tr("No HTTP answer arrived"));
        if (!a.errorClass.isEmpty()) {
            labels[Error]->setStyleSheet(
                QStringLiteral("QLabel { color: %1; }").arg(RecordFormat::color(attemptTone(a), pal).name()));
            labels[Error]->setToolTip(tr("Failure class %1 (the name fallback_on uses)").arg(a.errorClass));
        }

        const QColor decisionColor = skipped ? muted : RecordFormat::color(RecordFormat::decisionTone(a.decision), pal);
        labels[Decision]->setStyleSheet(
            QStringLiteral("QLabel { color: %1; border: 1px solid %1; border-radius: 4px; padding: 0px 5px; }")
                .arg(decisionColor.name()));

        labels[Reason]->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    }
    setUpdatesEnabled(true);
    update();
}

} // namespace sluice

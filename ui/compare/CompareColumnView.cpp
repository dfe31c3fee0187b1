#include "CompareColumnView.h"

#include <QJsonDocument>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QVBoxLayout>

#include "ui/RecordFormat.h"

namespace sluice {

namespace {

QString tokensText(qint64 count)
{
    return count < 0 ? QStringLiteral("–") : RecordFormat::tokens(count);
}

QString msText(qint64 ms)
{
    return ms < 0 ? QStringLiteral("–") : RecordFormat::milliseconds(ms);
}

QString prettyArguments(const QString &arguments)
{
    const QJsonDocument document = QJsonDocument::fromJson(arguments.toUtf8());
    return document.isNull() ? arguments : QString::fromUtf8(document.toJson(QJsonDocument::Indented)).trimmed();
}

} // namespace

CompareColumnView::CompareColumnView(QWidget *parent)
    : QFrame(parent)
    , m_title(new QLabel(this))
    , m_state(new QLabel(this))
    , m_figures(new QLabel(this))
    , m_toolCalls(new QLabel(this))
    , m_output(new QPlainTextEdit(this))
{
    setFrameShape(QFrame::StyledPanel);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->setSpacing(4);
    QFont bold = m_title->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.1);
    m_title->setFont(bold);
    m_title->setObjectName(QStringLiteral("columnTitle"));
    m_state->setObjectName(QStringLiteral("columnState"));
    m_figures->setObjectName(QStringLiteral("columnFigures"));
    m_figures->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_figures->setWordWrap(true);
    m_toolCalls->setObjectName(QStringLiteral("columnToolCalls"));
    m_toolCalls->setTextFormat(Qt::PlainText);
    m_toolCalls->setWordWrap(true);
    m_toolCalls->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_toolCalls->hide();
    m_output->setObjectName(QStringLiteral("columnOutput"));
    m_output->setReadOnly(true);
    m_output->setPlaceholderText(tr("Waiting for the answer…"));
    layout->addWidget(m_title);
    layout->addWidget(m_state);
    layout->addWidget(m_figures);
    layout->addWidget(m_toolCalls);
    layout->addWidget(m_output, 1);
}

void CompareColumnView::show(const CompareColumn &column)
{
    m_title->setText(column.model.model);
    if (!column.model.overrides.isEmpty())
        m_title->setToolTip(QString::fromUtf8(QJsonDocument(column.model.overrides).toJson(QJsonDocument::Compact)));
    QString state;
    RecordFormat::Tone tone = RecordFormat::Tone::Neutral;
    switch (column.state) {
    case CompareColumn::State::Waiting:
    case CompareColumn::State::Running:
        state = column.ttftMs < 0 ? tr("Waiting for the first token…") : tr("Streaming…");
        break;
    case CompareColumn::State::Done:
        state = tr("Done") + (column.finishReason.isEmpty() ? QString() : QStringLiteral(" · ") + column.finishReason);
        if (!column.servedModel.isEmpty())
            state += QStringLiteral(" · ") + column.provider + QLatin1Char('/') + column.servedModel;
        tone = RecordFormat::Tone::Success;
        break;
    case CompareColumn::State::Failed:
        state = (column.httpStatus > 0 ? QStringLiteral("HTTP %1: ").arg(column.httpStatus) : QString()) + column.error;
        tone = RecordFormat::Tone::Failure;
        break;
    case CompareColumn::State::Cancelled:
        state = tr("Cancelled");
        tone = RecordFormat::Tone::Warning;
        break;
    }
    m_state->setText(state);
    m_state->setWordWrap(true);
    QPalette statePalette = palette();
    if (tone != RecordFormat::Tone::Neutral)
        statePalette.setColor(QPalette::WindowText, RecordFormat::color(tone, palette()));
    m_state->setPalette(statePalette);

    QString cost = column.costUsd < 0
        ? (column.costStatus == QLatin1String("unpriced") ? tr("unpriced") : QStringLiteral("–"))
        : RecordFormat::usd(column.costUsd);
    if (column.costStatus == QLatin1String("estimated"))
        cost = QStringLiteral("~") + cost;
    m_figures->setText(tr("TTFT %1 · latency %2 · cost %3\ntokens in %4 (cached %5) · out %6 (reasoning %7)")
                           .arg(msText(column.ttftMs), msText(column.latencyMs), cost, tokensText(column.inputTokens),
                                tokensText(column.cachedTokens), tokensText(column.outputTokens),
                                tokensText(column.reasoningTokens)));
    QStringList calls;
    for (const CompareToolCall &call : column.toolCalls)
        calls.append(QStringLiteral("⚙ %1(%2)").arg(call.name, prettyArguments(call.arguments)));
    m_toolCalls->setText(calls.join(QLatin1Char('\n')));
    m_toolCalls->setVisible(!calls.isEmpty());
    if (m_output->toPlainText() != column.text) {
        QScrollBar *scroll = m_output->verticalScrollBar();
        const bool atEnd = scroll->value() == scroll->maximum();
        const int position = scroll->value();
        m_output->setPlainText(column.text);
        // Follow the stream while it comes (unless scrolled up to read); a finished answer is read from its start.
        if (column.finished())
            m_output->moveCursor(QTextCursor::Start);
        else if (atEnd)
            m_output->moveCursor(QTextCursor::End);
        else
            scroll->setValue(position);
    }
}

QString CompareColumnView::figuresText() const
{
    return m_figures->text();
}

QString CompareColumnView::outputText() const
{
    return m_output->toPlainText();
}

QString CompareColumnView::toolCallsText() const
{
    return m_toolCalls->text();
}

} // namespace sluice

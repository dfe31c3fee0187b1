#include "RequestDetailPane.h"

#include <QClipboard>
#include <QEvent>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include "AttemptTimeline.h"
#include "BodyFormatter.h"
#include "Icons.h"
#include "RecordFormat.h"
#include "compare/CompareSource.h"
#include "store/AttemptSummary.h"

namespace sluice {

namespace {

QLabel *makeCaption(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

QLabel *makeSubCaption(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
}

QLabel *makeNote(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setForegroundRole(QPalette::PlaceholderText);
    label->setWordWrap(true);
    label->hide();
    return label;
}

QWidget *column(QWidget *parent, std::initializer_list<QWidget *> widgets, QWidget *stretching)
{
    auto *box = new QWidget(parent);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    for (QWidget *widget : widgets)
        layout->addWidget(widget, widget == stretching ? 1 : 0);
    return box;
}

} // namespace

RequestDetailPane::RequestDetailPane(QWidget *parent)
    : QWidget(parent)
    , m_stack(new QStackedWidget(this))
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(m_stack);

    auto *placeholder = new QLabel(tr("Select a request to see its details."), m_stack);
    placeholder->setObjectName(QStringLiteral("placeholder"));
    placeholder->setAlignment(Qt::AlignCenter);
    placeholder->setForegroundRole(QPalette::PlaceholderText);
    m_stack->addWidget(placeholder);

    auto *content = new QWidget(m_stack);
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(12, 10, 12, 10);
    layout->setSpacing(8);

    auto *header = new QHBoxLayout;
    header->setSpacing(10);
    m_title = new QLabel(content);
    m_title->setObjectName(QStringLiteral("title"));
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    m_title->setFont(titleFont);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_statusChip = new QLabel(content);
    m_statusChip->setObjectName(QStringLiteral("statusChip"));
    m_subtitle = new QLabel(content);
    m_subtitle->setForegroundRole(QPalette::PlaceholderText);
    m_subtitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    header->addWidget(m_title);
    header->addWidget(m_statusChip);
    header->addSpacing(4);
    header->addWidget(m_subtitle, 1);
    m_replay = new QPushButton(tr("Replay on other models…"), content);
    m_replay->setObjectName(QStringLiteral("replayButton"));
    m_replay->setToolTip(tr("Open this request, with its exact body, on the Compare page"));
    connect(m_replay, &QPushButton::clicked, this, [this] { Q_EMIT replayRequested(m_record); });
    header->addWidget(m_replay);
    layout->addLayout(header);

    m_attemptsSection = new QWidget(content);
    m_attemptsSection->setObjectName(QStringLiteral("attemptsSection"));
    auto *attemptsLayout = new QVBoxLayout(m_attemptsSection);
    attemptsLayout->setContentsMargins(0, 2, 0, 4);
    attemptsLayout->setSpacing(6);
    auto *attemptsHeader = new QHBoxLayout;
    attemptsHeader->setSpacing(8);
    m_attemptsSummary = new QLabel(m_attemptsSection);
    m_attemptsSummary->setObjectName(QStringLiteral("attemptsSummary"));
    m_attemptsSummary->setForegroundRole(QPalette::PlaceholderText);
    m_attemptsSummary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_copyAttempts = new QToolButton(m_attemptsSection);
    m_copyAttempts->setObjectName(QStringLiteral("copyAttempts"));
    m_copyAttempts->setAutoRaise(true);
    m_copyAttempts->setIconSize(QSize(14, 14));
    m_copyAttempts->setToolTip(tr("Copy the attempt timeline (tab-separated, for a spreadsheet or a bug report)"));
    connect(m_copyAttempts, &QToolButton::clicked, this, &RequestDetailPane::copyAttempts);
    attemptsHeader->addWidget(makeCaption(tr("Attempts"), m_attemptsSection));
    attemptsHeader->addWidget(m_attemptsSummary, 1);
    attemptsHeader->addWidget(m_copyAttempts);
    attemptsLayout->addLayout(attemptsHeader);
    m_timeline = new AttemptTimeline;
    m_timeline->setObjectName(QStringLiteral("attemptTimeline"));
    m_timelineScroll = new QScrollArea(m_attemptsSection);
    m_timelineScroll->setWidget(m_timeline);
    m_timelineScroll->setWidgetResizable(true);
    m_timelineScroll->setFrameShape(QFrame::NoFrame);
    m_timelineScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    attemptsLayout->addWidget(m_timelineScroll);
    auto *attemptsRule = new QFrame(m_attemptsSection);
    attemptsRule->setFrameShape(QFrame::HLine);
    attemptsRule->setFrameShadow(QFrame::Plain);
    attemptsRule->setForegroundRole(QPalette::Mid);
    attemptsLayout->addWidget(attemptsRule);
    m_attemptsSection->hide();
    layout->addWidget(m_attemptsSection);

    auto *splitter = new QSplitter(Qt::Horizontal, content);
    splitter->setChildrenCollapsible(false);
    layout->addWidget(splitter, 1);

    auto *summary = new QWidget;
    m_form = new QFormLayout(summary);
    m_form->setContentsMargins(0, 0, 8, 0);
    m_form->setLabelAlignment(Qt::AlignRight | Qt::AlignTop);
    m_form->setHorizontalSpacing(10);
    m_form->setVerticalSpacing(5);
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_id = addSummaryRow(tr("ID"));
    m_time = addSummaryRow(tr("Time"));
    m_endpoint = addSummaryRow(tr("Endpoint"));
    m_token = addSummaryRow(tr("Token"));
    m_model = addSummaryRow(tr("Model"));
    m_status = addSummaryRow(tr("Status"));
    m_error = addSummaryRow(tr("Error"));
    m_guardrails = addSummaryRow(tr("Guardrails"));
    m_guardrails->setObjectName(QStringLiteral("summaryGuardrails"));
    m_stream = addSummaryRow(tr("Stream"));
    m_latency = addSummaryRow(tr("Latency"));
    m_ttft = addSummaryRow(tr("First token"));
    m_tokens = addSummaryRow(tr("Tokens"));
    m_cost = addSummaryRow(tr("Cost"));
    m_id->setObjectName(QStringLiteral("summaryId"));
    m_model->setObjectName(QStringLiteral("summaryModel"));
    m_status->setObjectName(QStringLiteral("summaryStatus"));
    m_tokens->setObjectName(QStringLiteral("summaryTokens"));
    m_cost->setObjectName(QStringLiteral("summaryCost"));
    auto *summaryScroll = new QScrollArea(splitter);
    summaryScroll->setWidget(summary);
    summaryScroll->setWidgetResizable(true);
    summaryScroll->setFrameShape(QFrame::NoFrame);
    summaryScroll->setMinimumWidth(240);
    splitter->addWidget(summaryScroll);

    m_requestNote = makeNote(content);
    m_requestNote->setObjectName(QStringLiteral("requestNote"));
    m_requestBody = makeBodyView(QStringLiteral("requestBody"));
    m_requestBody->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    splitter->addWidget(
        column(splitter, {makeCaption(tr("Request body"), content), m_requestNote, m_requestBody}, m_requestBody));

    m_responseNote = makeNote(content);
    m_responseNote->setObjectName(QStringLiteral("responseNote"));
    m_responseCaption = makeCaption(tr("Response body"), content);
    m_assembledText = new QPlainTextEdit(content);
    m_assembledText->setObjectName(QStringLiteral("assembledText"));
    m_assembledText->setReadOnly(true);
    m_assembledText->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_assembledBox = column(content, {makeSubCaption(tr("Assembled text"), content), m_assembledText}, m_assembledText);
    m_responseBody = makeBodyView(QStringLiteral("responseBody"));
    m_eventsCaption = makeSubCaption(tr("Events"), content);
    m_responseSplitter = new QSplitter(Qt::Vertical, content);
    m_responseSplitter->setChildrenCollapsible(false);
    m_responseSplitter->addWidget(m_assembledBox);
    m_responseSplitter->addWidget(column(content, {m_eventsCaption, m_responseBody}, m_responseBody));
    m_responseSplitter->setStretchFactor(0, 2);
    m_responseSplitter->setStretchFactor(1, 3);
    splitter->addWidget(column(splitter, {m_responseCaption, m_responseNote, m_responseSplitter}, m_responseSplitter));

    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setStretchFactor(2, 1);
    splitter->setSizes({380, 500, 500});

    m_stack->addWidget(content);
    m_stack->setCurrentIndex(0);
    m_copyAttempts->setIcon(Icons::action(Icons::Action::Copy, palette()));
}

QLabel *RequestDetailPane::addSummaryRow(const QString &label)
{
    auto *name = new QLabel(label);
    name->setForegroundRole(QPalette::PlaceholderText);
    auto *value = new QLabel;
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    value->setWordWrap(true);
    value->setTextFormat(Qt::PlainText);
    m_form->addRow(name, value);
    return value;
}

QPlainTextEdit *RequestDetailPane::makeBodyView(const QString &objectName)
{
    auto *view = new QPlainTextEdit(this);
    view->setObjectName(objectName);
    view->setReadOnly(true);
    view->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    view->setLineWrapMode(QPlainTextEdit::NoWrap);
    view->setTabChangesFocus(true);
    return view;
}

void RequestDetailPane::showRecord(const RequestRecord &record)
{
    m_record = record;
    m_bodies = Bodies::Shown;
    m_bodiesMessage.clear();
    render();
}

void RequestDetailPane::showRecordLoadingBodies(const RequestRecord &record)
{
    m_record = record;
    m_bodies = Bodies::Loading;
    m_bodiesMessage.clear();
    render();
}

void RequestDetailPane::showBodiesUnavailable(const QString &message)
{
    m_bodies = Bodies::Unavailable;
    m_bodiesMessage = message;
    renderAttempts();
    renderBodies();
}

void RequestDetailPane::clear()
{
    m_record = RequestRecord();
    m_bodies = Bodies::Shown;
    m_stack->setCurrentIndex(0);
}

void RequestDetailPane::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        m_copyAttempts->setIcon(Icons::action(Icons::Action::Copy, palette()));
        if (!m_record.id.isEmpty())
            renderSummary();
    }
}

void RequestDetailPane::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    updateTimelineHeight();
}

void RequestDetailPane::render()
{
    m_stack->setCurrentIndex(1);
    const Result<CompareRequest> replay = CompareSource::fromRecord(m_record);
    m_replay->setEnabled(m_bodies == Bodies::Shown && replay.ok());
    m_replay->setToolTip(m_bodies != Bodies::Shown ? tr("Loading the request's body…")
                             : replay.ok()         ? tr("Open this request, with its exact body, on the Compare page")
                                                   : replay.errorMessage());
    renderSummary();
    renderAttempts();
    renderBodies();
}

void RequestDetailPane::renderAttempts()
{
    const RequestRecord &r = m_record;
    if (!r.attempts.isEmpty()) {
        m_timeline->setAttempts(r.attempts, r.latencyUs / 1000);
        m_attemptsSummary->setText(AttemptTimeline::summary(r.attempts));
    } else if (r.attemptCount > 0 && m_bodies != Bodies::Shown) {
        m_timeline->setMessage(m_bodies == Bodies::Loading ? tr("Loading…")
                                                           : tr("Attempts unavailable: %1").arg(m_bodiesMessage));
        m_attemptsSummary->setText(RecordFormat::count(r.attemptCount, tr("attempt"), tr("attempts")));
    } else {
        // Refused before routing, or logged before attempts were recorded: nothing to show.
        m_timeline->setAttempts({}, 0);
        m_attemptsSection->hide();
        return;
    }
    m_copyAttempts->setVisible(!r.attempts.isEmpty());
    m_attemptsSection->show();
    updateTimelineHeight();
}

void RequestDetailPane::updateTimelineHeight()
{
    if (m_attemptsSection->isHidden())
        return;
    // The timeline takes the height its rows need, up to about half the pane; beyond that it scrolls.
    const int width = std::max(200, contentsRect().width() - 24);
    const int wanted
        = m_timeline->hasHeightForWidth() ? m_timeline->heightForWidth(width) : m_timeline->sizeHint().height();
    const int cap = std::max(3 * fontMetrics().height(), height() * 45 / 100);
    m_timelineScroll->setFixedHeight(std::min(wanted, cap) + 2);
}

void RequestDetailPane::copyAttempts()
{
    QGuiApplication::clipboard()->setText(m_timeline->toPlainText());
}

void RequestDetailPane::renderSummary()
{
    const RequestRecord &r = m_record;
    const QString provider
        = r.provider.isEmpty() ? tr("not routed") : r.provider + QStringLiteral(" / ") + r.upstreamModel;
    m_title->setText(r.requestedModel.isEmpty() ? tr("(no model)") : r.requestedModel);
    QStringList subtitle {QStringLiteral("→ ") + provider, r.endpoint, RecordFormat::localDateTime(r.startedAt)};
    const int attempts = r.attempts.isEmpty() ? r.attemptCount : AttemptSummary::sentCount(r.attempts);
    if (attempts > 1)
        subtitle << RecordFormat::count(attempts, tr("attempt"), tr("attempts"));
    if (!r.costStatus.isEmpty())
        subtitle << RecordFormat::cost(r);
    m_subtitle->setText(subtitle.join(QStringLiteral("  ·  ")));

    const QColor tone = RecordFormat::color(RecordFormat::tone(r), palette());
    m_statusChip->setText(RecordFormat::status(r));
    m_statusChip->setStyleSheet(
        QStringLiteral("QLabel { color: %1; border: 1px solid %1; border-radius: 4px; padding: 1px 6px; }")
            .arg(tone.name()));

    m_id->setText(r.id);
    m_time->setText(RecordFormat::localDateTime(r.startedAt));
    m_endpoint->setText(r.endpoint.isEmpty() ? RecordFormat::unknown() : r.endpoint);
    m_token->setText(r.tokenName.isEmpty() ? RecordFormat::unknown() : r.tokenName);
    m_model->setText(QStringLiteral("%1 → %2").arg(r.requestedModel, provider));
    m_status->setText(RecordFormat::status(r));
    QPalette statusPalette = m_status->palette();
    statusPalette.setColor(QPalette::WindowText, tone);
    m_status->setPalette(statusPalette);
    const bool hasError = !r.errorMessage.isEmpty();
    m_error->setText(r.errorMessage);
    m_form->setRowVisible(m_error, hasError);
    m_stream->setText(r.stream ? tr("Yes (server-sent events)") : tr("No"));
    m_latency->setText(RecordFormat::duration(r.latencyUs));
    m_ttft->setText(RecordFormat::duration(r.timeToFirstTokenUs));
    QString tokens = tr("%1 in · %2 out · %3 cached · %4 reasoning")
                         .arg(RecordFormat::tokens(r.inputTokens), RecordFormat::tokens(r.outputTokens),
                              RecordFormat::tokens(r.cachedTokens), RecordFormat::tokens(r.reasoningTokens));
    if (r.cacheWriteTokens >= 0)
        tokens += tr(" · %1 cache write").arg(RecordFormat::tokens(r.cacheWriteTokens));
    m_tokens->setText(tokens);
    m_cost->setText(RecordFormat::costDetail(r));
    QPalette costPalette = m_cost->palette();
    costPalette.setColor(QPalette::WindowText, RecordFormat::color(RecordFormat::costTone(r), palette()));
    m_cost->setPalette(costPalette);
    // Which rules fired; the bodies below are stored masked, so they show placeholders, never the values.
    m_guardrails->setText(RecordFormat::guardrailHits(r));
    m_form->setRowVisible(m_guardrails, !r.guardrailHits.isEmpty());
}

void RequestDetailPane::renderBodies()
{
    const RequestRecord &r = m_record;
    if (m_bodies != Bodies::Shown) {
        const QString note
            = m_bodies == Bodies::Loading ? tr("Loading…") : tr("Bodies unavailable: %1").arg(m_bodiesMessage);
        for (QLabel *label : {m_requestNote, m_responseNote}) {
            label->setText(note);
            label->show();
        }
        m_requestBody->clear();
        m_responseBody->clear();
        m_assembledBox->hide();
        m_eventsCaption->hide();
        m_responseCaption->setText(tr("Response body"));
        return;
    }

    const QString truncated = tr("The log cut this request's bodies at its size limit: the end may be missing.");
    const QString notStored = tr("Not stored: body logging was off or the body was empty.");
    m_requestNote->setText(r.requestBody.isEmpty() ? notStored : truncated);
    m_requestNote->setVisible(r.requestBody.isEmpty() || r.bodiesTruncated);
    m_requestBody->setPlainText(BodyFormatter::readable(r.requestBody));

    m_responseNote->setText(r.responseBody.isEmpty() ? notStored : truncated);
    m_responseNote->setVisible(r.responseBody.isEmpty() || r.bodiesTruncated);
    if (BodyFormatter::isEventStream(r.responseBody)) {
        const QList<SseEvent> events = BodyFormatter::events(r.responseBody);
        const QString text = BodyFormatter::assembledText(events);
        m_assembledText->setPlainText(text.isEmpty() ? tr("(no text content in this stream)") : text);
        m_assembledBox->show();
        m_eventsCaption->show();
        m_responseCaption->setText(
            tr("Response stream · %1").arg(RecordFormat::count(events.size(), tr("event"), tr("events"))));
        m_responseBody->setLineWrapMode(QPlainTextEdit::NoWrap);
        m_responseBody->setPlainText(BodyFormatter::eventLines(events));
    } else {
        m_assembledBox->hide();
        m_eventsCaption->hide();
        m_responseCaption->setText(tr("Response body"));
        m_responseBody->setLineWrapMode(QPlainTextEdit::WidgetWidth);
        m_responseBody->setPlainText(BodyFormatter::readable(r.responseBody));
    }
}

} // namespace sluice

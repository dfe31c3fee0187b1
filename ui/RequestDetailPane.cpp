#include "RequestDetailPane.h"

#include <QEvent>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QSplitter>
#include <QStackedWidget>
#include <QVBoxLayout>

#include "BodyFormatter.h"
#include "RecordFormat.h"

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
    layout->addLayout(header);

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
    m_stream = addSummaryRow(tr("Stream"));
    m_latency = addSummaryRow(tr("Latency"));
    m_ttft = addSummaryRow(tr("First token"));
    m_tokens = addSummaryRow(tr("Tokens"));
    m_id->setObjectName(QStringLiteral("summaryId"));
    m_model->setObjectName(QStringLiteral("summaryModel"));
    m_status->setObjectName(QStringLiteral("summaryStatus"));
    m_tokens->setObjectName(QStringLiteral("summaryTokens"));
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
    if (event->type() == QEvent::PaletteChange && !m_record.id.isEmpty())
        renderSummary();
}

void RequestDetailPane::render()
{
    m_stack->setCurrentIndex(1);
    renderSummary();
    renderBodies();
}

void RequestDetailPane::renderSummary()
{
    const RequestRecord &r = m_record;
    const QString provider
        = r.provider.isEmpty() ? tr("not routed") : r.provider + QStringLiteral(" / ") + r.upstreamModel;
    m_title->setText(r.requestedModel.isEmpty() ? tr("(no model)") : r.requestedModel);
    m_subtitle->setText(
        QStringLiteral("→ %1  ·  %2  ·  %3").arg(provider, r.endpoint, RecordFormat::localDateTime(r.startedAt)));

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
    m_tokens->setText(tr("%1 in · %2 out · %3 cached · %4 reasoning")
                          .arg(RecordFormat::tokens(r.inputTokens), RecordFormat::tokens(r.outputTokens),
                               RecordFormat::tokens(r.cachedTokens), RecordFormat::tokens(r.reasoningTokens)));
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

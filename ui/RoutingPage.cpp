#include "RoutingPage.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QTimerEvent>
#include <QVBoxLayout>

#include "BreakerStateModel.h"
#include "RecordFormat.h"

namespace sluice {

RoutingPage::RoutingPage(QWidget *parent)
    : QWidget(parent)
    , m_model(new BreakerStateModel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    auto *header = new QVBoxLayout;
    header->setContentsMargins(12, 10, 12, 8);
    header->setSpacing(4);
    auto *title = new QLabel(tr("Circuit breakers"), this);
    QFont titleFont = title->font();
    titleFont.setBold(true);
    title->setFont(titleFont);
    auto *explanation = new QLabel(tr("A deployment that keeps failing is skipped for a cool-down, so requests go "
                                      "straight to the next deployment or fallback model. Then one probe request "
                                      "decides whether it has recovered. Settings: routing.breaker in the config."),
                                   this);
    explanation->setWordWrap(true);
    explanation->setForegroundRole(QPalette::PlaceholderText);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("routingSummary"));
    header->addWidget(title);
    header->addWidget(explanation);
    header->addWidget(m_summary);
    layout->addLayout(header);

    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("breakerTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->setFrameShape(QFrame::NoFrame);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 10);
    QHeaderView *columns = m_table->horizontalHeader();
    columns->setHighlightSections(false);
    columns->setSectionResizeMode(QHeaderView::ResizeToContents);
    columns->setSectionResizeMode(BreakerStateModel::Deployment, QHeaderView::Stretch);
    layout->addWidget(m_table, 1);

    m_emptyState = new QLabel(m_table->viewport());
    m_emptyState->setObjectName(QStringLiteral("routingEmptyState"));
    m_emptyState->setAlignment(Qt::AlignCenter);
    m_emptyState->setWordWrap(true);
    m_emptyState->setForegroundRole(QPalette::PlaceholderText);
    auto *viewportLayout = new QVBoxLayout(m_table->viewport());
    viewportLayout->addWidget(m_emptyState);
    updateSummary();
}

void RoutingPage::setBreakers(const QList<BreakerSnapshot> &breakers)
{
    m_unavailable.clear();
    m_model->setSnapshot(breakers);
    updateSummary();
}

void RoutingPage::setUnavailable(const QString &reason)
{
    m_unavailable = reason;
    m_model->setSnapshot({});
    updateSummary();
}

void RoutingPage::updateSummary()
{
    const int total = m_model->rowCount();
    const int tripped = m_model->trippedCount();
    RecordFormat::Tone tone = RecordFormat::Tone::Success;
    QString text;
    if (total == 0) {
        tone = RecordFormat::Tone::Neutral;
        text = m_unavailable.isEmpty() ? tr("No deployments") : m_unavailable;
    } else if (tripped == 0) {
        text = tr("Every deployment is taking requests (%1).")
                   .arg(RecordFormat::count(total, tr("deployment"), tr("deployments")));
    } else {
        tone = RecordFormat::Tone::Failure;
        text = tr("%1 of %2 deployments skipped or being probed: their requests go to other deployments or "
                  "fallback models.")
                   .arg(tripped)
                   .arg(total);
    }
    m_summary->setText(QStringLiteral("<span style=\"color:%1\">●</span> %2")
                           .arg(RecordFormat::color(tone, palette()).name(), text.toHtmlEscaped()));
    m_emptyState->setText(m_unavailable.isEmpty()
                              ? tr("No deployments are configured.\nAdd models under models: in the config file.")
                              : m_unavailable);
    m_emptyState->setVisible(total == 0);
}

void RoutingPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!m_timer)
        m_timer = startTimer(1000);
    Q_EMIT refreshWanted();
}

void RoutingPage::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    if (m_timer) {
        killTimer(m_timer);
        m_timer = 0;
    }
}

void RoutingPage::timerEvent(QTimerEvent *event)
{
    if (event->timerId() == m_timer)
        Q_EMIT refreshWanted();
    else
        QWidget::timerEvent(event);
}

} // namespace sluice

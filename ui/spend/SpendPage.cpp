#include "SpendPage.h"

#include <algorithm>

#include <QComboBox>
#include <QDateEdit>
#include <QEvent>
#include <QFileDialog>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QSaveFile>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QThread>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include "SpendBreakdownModel.h"
#include "SpendQuery.h"
#include "WhatIfPanel.h"
#include "cost/ModelPrice.h"
#include "cost/SpendExport.h"
#include "ui/charts/StackedBarChart.h"

namespace sluice {

namespace {

constexpr int ChartStacks = 7; // the most expensive values get a colour each; the rest are "Other"
constexpr qint64 HourMs = 3600000;
constexpr qint64 DayMs = 24 * HourMs;

const SpendDimension GroupChoices[] = {SpendDimension::Model, SpendDimension::Provider, SpendDimension::Client,
                                       SpendDimension::Token, SpendDimension::Tag,      SpendDimension::Project};

QString titleOf(SpendDimension by)
{
    switch (by) {
    case SpendDimension::Model:
        return QObject::tr("Model");
    case SpendDimension::Provider:
        return QObject::tr("Provider");
    case SpendDimension::Client:
        return QObject::tr("Client");
    case SpendDimension::Token:
        return QObject::tr("Gateway token");
    case SpendDimension::Tag:
        return QObject::tr("Tag");
    case SpendDimension::Project:
        return QObject::tr("Project");
    case SpendDimension::Day:
        return QObject::tr("Day");
    case SpendDimension::Hour:
        return QObject::tr("Hour");
    }
    return {};
}

QString durationText(qint64 ms)
{
    const qint64 hours = ms / HourMs;
    if (hours >= 48)
        return QObject::tr("%1 days").arg(hours / 24);
    if (hours >= 1)
        return QObject::tr("%1 h").arg(hours);
    return QObject::tr("%1 min").arg(std::max<qint64>(1, ms / 60000));
}

// "362.1M", "12.3k": token counts where a card has little room.
QString compact(qint64 count)
{
    if (count >= 1000000000)
        return QString::number(double(count) / 1e9, 'f', 1) + QLatin1Char('B');
    if (count >= 1000000)
        return QString::number(double(count) / 1e6, 'f', 1) + QLatin1Char('M');
    if (count >= 10000)
        return QString::number(double(count) / 1e3, 'f', 1) + QLatin1Char('k');
    return formatCount(count);
}

} // namespace

SpendPage::SpendPage(QWidget *parent)
    : QWidget(parent)
    , m_clock([] { return QDateTime::currentDateTimeUtc(); })
    , m_renderTimer(new QTimer(this))
    , m_model(new SpendBreakdownModel(this))
{
    qRegisterMetaType<SpendRequest>();
    qRegisterMetaType<SpendSnapshot>();
    qRegisterMetaType<SpendDimension>();
    m_renderTimer->setSingleShot(true);
    m_renderTimer->setInterval(250); // live records are drawn at most four times a second
    connect(m_renderTimer, &QTimer::timeout, this, &SpendPage::render);
    // Periods are relative to today (UTC): when the day changes, "today" and "this month" move with it.
    auto *dayWatch = new QTimer(this);
    dayWatch->setInterval(60 * 1000);
    connect(dayWatch, &QTimer::timeout, this, [this] {
        const QDate today = m_clock().toUTC().date();
        if (m_loaded && today != m_snapshot.request.now.toUTC().date())
            refresh();
    });
    dayWatch->start();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 12, 16, 12);
    layout->setSpacing(10);

    auto *bar = new QHBoxLayout;
    auto *title = new QLabel(tr("Spend"), this);
    QFont titleFont = title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.4);
    title->setFont(titleFont);
    bar->addWidget(title);
    bar->addSpacing(16);
    m_period = new QComboBox(this);
    m_period->setObjectName(QStringLiteral("spendPeriod"));
    m_period->addItem(tr("Today"), int(Period::Today));
    m_period->addItem(tr("Last 7 days"), int(Period::Last7Days));
    m_period->addItem(tr("Last 30 days"), int(Period::Last30Days));
    m_period->addItem(tr("This month"), int(Period::ThisMonth));
    m_period->addItem(tr("Custom"), int(Period::Custom));
    m_period->setCurrentIndex(3);
    bar->addWidget(m_period);
    m_customFrom = new QDateEdit(this);
    m_customTo = new QDateEdit(this);
    for (QDateEdit *edit : {m_customFrom, m_customTo}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
        edit->setVisible(false);
    }
    m_customFrom->setObjectName(QStringLiteral("spendFrom"));
    m_customTo->setObjectName(QStringLiteral("spendTo"));
    bar->addWidget(m_customFrom);
    bar->addWidget(m_customTo);
    bar->addSpacing(12);
    bar->addWidget(new QLabel(tr("Group by"), this));
    m_groupBy = new QComboBox(this);
    m_groupBy->setObjectName(QStringLiteral("spendGroupBy"));
    for (const SpendDimension by : GroupChoices)
        m_groupBy->addItem(titleOf(by), int(by));
    bar->addWidget(m_groupBy);
    bar->addStretch(1);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("spendStatus"));
    m_status->setForegroundRole(QPalette::PlaceholderText);
    m_status->setMinimumWidth(m_status->fontMetrics().horizontalAdvance(QStringLiteral("Read in 000 ms")));
    bar->addWidget(m_status);
    m_export = new QToolButton(this);
    m_export->setObjectName(QStringLiteral("spendExport"));
    m_export->setText(tr("Export"));
    m_export->setPopupMode(QToolButton::InstantPopup);
    auto *menu = new QMenu(m_export);
    menu->addAction(tr("Breakdown as CSV…"), this,
                    [this] { exportWith(QStringLiteral("breakdown"), QStringLiteral("csv")); });
    menu->addAction(tr("Breakdown as JSON…"), this,
                    [this] { exportWith(QStringLiteral("breakdown"), QStringLiteral("json")); });
    menu->addSeparator();
    menu->addAction(tr("Requests of the selected row as CSV…"), this,
                    [this] { exportWith(QStringLiteral("requests"), QStringLiteral("csv")); });
    menu->addAction(tr("Requests of the selected row as JSON…"), this,
                    [this] { exportWith(QStringLiteral("requests"), QStringLiteral("json")); });
    m_export->setMenu(menu);
    bar->addWidget(m_export);
    layout->addLayout(bar);

    auto *cards = new QHBoxLayout;
    cards->setSpacing(10);
    cards->addWidget(card(QStringLiteral("spendTotal"), &m_spendValue, &m_spendDetail), 1);
    cards->addWidget(card(QStringLiteral("spendRequests"), &m_requestsValue, &m_requestsDetail), 1);
    cards->addWidget(card(QStringLiteral("spendTokens"), &m_tokensValue, &m_tokensDetail), 1);
    cards->addWidget(card(QStringLiteral("spendSaved"), &m_savedValue, &m_savedDetail), 1);
    cards->addWidget(card(QStringLiteral("spendUnpriced"), &m_unpricedValue, &m_unpricedDetail), 1);
    cards->addWidget(card(QStringLiteral("spendForecast"), &m_forecastValue, &m_forecastDetail), 1);
    layout->addLayout(cards);

    m_chart = new StackedBarChart(this);
    m_chart->setObjectName(QStringLiteral("spendChart"));
    m_chart->setValueAxisTitle(tr("USD"));
    m_chart->setMinimumHeight(240);
    connect(m_chart, &StackedBarChart::segmentClicked, this, &SpendPage::onSegmentClicked);

    auto *bottom = new QSplitter(Qt::Horizontal, this);
    m_table = new QTableView(bottom);
    m_table->setObjectName(QStringLiteral("spendBreakdown"));
    auto *sorted = new QSortFilterProxyModel(this);
    sorted->setSourceModel(m_model);
    sorted->setSortRole(SpendBreakdownModel::SortRole);
    m_table->setModel(sorted);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(SpendBreakdownModel::Cost, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->setVisible(false);
    m_table->setShowGrid(false);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setToolTip(tr("Double-click a row to see its requests in Live requests"));
    connect(m_table, &QTableView::activated, this, &SpendPage::onRowActivated);

    m_budgetsPanel = new QFrame(bottom);
    m_budgetsPanel->setObjectName(QStringLiteral("spendBudgets"));
    m_budgetsLayout = new QVBoxLayout(m_budgetsPanel);
    m_budgetsLayout->setContentsMargins(12, 0, 0, 0);
    // The breakdown and, beside it, what the same requests would have cost on another model.
    auto *tabs = new QTabWidget(bottom);
    tabs->setObjectName(QStringLiteral("spendTabs"));
    tabs->setDocumentMode(true);
    tabs->addTab(m_table, tr("Breakdown"));
    m_whatIf = new WhatIfPanel(tabs);
    m_whatIf->setObjectName(QStringLiteral("spendWhatIf"));
    tabs->addTab(m_whatIf, tr("What-if cost"));
    bottom->addWidget(tabs);
    bottom->addWidget(m_budgetsPanel);
    bottom->setStretchFactor(0, 2);
    bottom->setStretchFactor(1, 1);

    auto *vertical = new QSplitter(Qt::Vertical, this);
    vertical->addWidget(m_chart);
    vertical->addWidget(bottom);
    vertical->setStretchFactor(0, 3);
    vertical->setStretchFactor(1, 2);
    vertical->setChildrenCollapsible(false);
    layout->addWidget(vertical, 1);

    m_emptyState = new QLabel(this);
    m_emptyState->setObjectName(QStringLiteral("spendEmptyState"));
    m_emptyState->setAlignment(Qt::AlignCenter);
    m_emptyState->setWordWrap(true);
    m_emptyState->setForegroundRole(QPalette::PlaceholderText);
    m_emptyState->setText(tr("The request log is not open yet."));
    layout->addWidget(m_emptyState);

    resetCustomDates();
    connect(m_period, &QComboBox::currentIndexChanged, this, [this] {
        const bool custom = Period(m_period->currentData().toInt()) == Period::Custom;
        m_customFrom->setVisible(custom);
        m_customTo->setVisible(custom);
        refresh();
    });
    connect(m_customFrom, &QDateEdit::dateChanged, this, &SpendPage::refresh);
    connect(m_customTo, &QDateEdit::dateChanged, this, &SpendPage::refresh);
    connect(m_groupBy, &QComboBox::currentIndexChanged, this, &SpendPage::refresh);
    renderBudgets();
    applyPalette();
}

SpendPage::~SpendPage()
{
    if (m_thread) {
        m_thread->quit();
        m_thread->wait();
    }
}

QWidget *SpendPage::card(const QString &objectName, QLabel **value, QLabel **detail)
{
    auto *frame = new QFrame(this);
    frame->setObjectName(objectName);
    frame->setFrameShape(QFrame::StyledPanel);
    frame->setAutoFillBackground(true);
    frame->setBackgroundRole(QPalette::Base);
    auto *layout = new QVBoxLayout(frame);
    layout->setContentsMargins(12, 8, 12, 8);
    layout->setSpacing(2);
    auto *caption = new QLabel(frame);
    caption->setForegroundRole(QPalette::PlaceholderText);
    static const QHash<QString, QString> captions {
        {QStringLiteral("spendTotal"), tr("Spend")},       {QStringLiteral("spendRequests"), tr("Requests")},
        {QStringLiteral("spendTokens"), tr("Tokens")},     {QStringLiteral("spendSaved"), tr("Saved by the cache")},
        {QStringLiteral("spendUnpriced"), tr("Unpriced")}, {QStringLiteral("spendForecast"), tr("Month-end forecast")},
    };
    caption->setText(captions.value(objectName));
    *value = new QLabel(QStringLiteral("–"), frame);
    (*value)->setObjectName(objectName + QStringLiteral("Value"));
    QFont big = (*value)->font();
    big.setPointSizeF(big.pointSizeF() * 1.6);
    big.setBold(true);
    (*value)->setFont(big);
    *detail = new QLabel(frame);
    (*detail)->setObjectName(objectName + QStringLiteral("Detail"));
    (*detail)->setWordWrap(true);
    QFont small = (*detail)->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    (*detail)->setFont(small);
    (*detail)->setMinimumHeight((*detail)->fontMetrics().lineSpacing() * 2);
    (*detail)->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    layout->addWidget(caption);
    layout->addWidget(*value);
    layout->addWidget(*detail, 1);
    frame->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    frame->setFixedHeight(caption->sizeHint().height() + (*value)->sizeHint().height()
                          + (*detail)->fontMetrics().lineSpacing() * 2 + 24);
    return frame;
}

void SpendPage::setDatabasePath(const StoreLocation &store)
{
    if (m_thread) {
        m_thread->quit();
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    }
    m_store = store;
    m_whatIf->setDatabasePath(store);
    m_emptyState->setText(tr("Loading spend…"));
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("spend-query"));
    m_query = new SpendQuery(store);
    m_query->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_query, &QObject::deleteLater);
    connect(this, &SpendPage::loadRequested, m_query, &SpendQuery::load);
    connect(this, &SpendPage::requestsExportRequested, m_query, &SpendQuery::exportRequests);
    connect(m_query, &SpendQuery::loaded, this, &SpendPage::onLoaded);
    connect(m_query, &SpendQuery::failed, this, &SpendPage::onFailed);
    connect(m_query, &SpendQuery::exported, this, [this](const QString &file, qint64 rows) {
        m_status->setText(tr("Exported %1 requests to %2").arg(formatCount(rows), file));
    });
    connect(m_query, &SpendQuery::exportFailed, this,
            [this](const QString &message) { QMessageBox::warning(this, tr("Export failed"), message); });
    m_thread->start();
    refresh();
}

void SpendPage::setBudgets(const QList<BudgetLimit> &limits, double defaultSoftFraction)
{
    m_budgets = limits;
    m_softFraction = defaultSoftFraction;
    refresh();
}

void SpendPage::setClock(std::function<QDateTime()> clock)
{
    m_clock = std::move(clock);
    resetCustomDates();
    refresh();
}

void SpendPage::resetCustomDates()
{
    // Custom starts as this month so far.
    const QSignalBlocker blockFrom(m_customFrom);
    const QSignalBlocker blockTo(m_customTo);
    const QDate today = m_clock().toUTC().date();
    m_customFrom->setDate(QDate(today.year(), today.month(), 1));
    m_customTo->setDate(today);
}

void SpendPage::setPeriod(Period period, const QDate &customFrom, const QDate &customTo)
{
    const QSignalBlocker blockFrom(m_customFrom);
    const QSignalBlocker blockTo(m_customTo);
    if (customFrom.isValid())
        m_customFrom->setDate(customFrom);
    if (customTo.isValid())
        m_customTo->setDate(customTo);
    const int index = m_period->findData(int(period));
    if (index == m_period->currentIndex())
        refresh();
    else
        m_period->setCurrentIndex(index);
}

void SpendPage::setGroupBy(SpendDimension by)
{
    const int index = m_groupBy->findData(int(by));
    if (index >= 0)
        m_groupBy->setCurrentIndex(index);
}

void SpendPage::periodBounds(QDateTime *from, QDateTime *to, SpendDimension *bucket) const
{
    const QDate today = m_clock().toUTC().date();
    const auto day = [](const QDate &date) {
        return QDateTime(date, QTime(0, 0), Qt::UTC);
    };
    *bucket = SpendDimension::Day;
    switch (Period(m_period->currentData().toInt())) {
    case Period::Today:
        *from = day(today);
        *to = day(today.addDays(1));
        *bucket = SpendDimension::Hour;
        break;
    case Period::Last7Days:
        *from = day(today.addDays(-6));
        *to = day(today.addDays(1));
        break;
    case Period::Last30Days:
        *from = day(today.addDays(-29));
        *to = day(today.addDays(1));
        break;
    case Period::ThisMonth:
        *from = day(QDate(today.year(), today.month(), 1));
        *to = from->addMonths(1);
        break;
    case Period::Custom: {
        const QDate first = std::min(m_customFrom->date(), m_customTo->date());
        const QDate last = std::max(m_customFrom->date(), m_customTo->date());
        *from = day(first);
        *to = day(last.addDays(1));
        if (first.daysTo(last) < 2)
            *bucket = SpendDimension::Hour;
        break;
    }
    }
}

void SpendPage::refresh()
{
    if (!m_query)
        return;
    SpendRequest request;
    request.generation = ++m_generation;
    periodBounds(&request.from, &request.to, &request.bucket);
    request.by = SpendDimension(m_groupBy->currentData().toInt());
    request.budgets = m_budgets;
    request.defaultSoftFraction = m_softFraction;
    request.now = m_clock();
    m_whatIf->setClock(m_clock);
    m_whatIf->setPeriod(request.from, request.to);
    if (request.by == SpendDimension::Model || request.by == SpendDimension::Client
        || request.by == SpendDimension::Tag)
        m_whatIf->setGrouping(request.by == SpendDimension::Model        ? WhatIfGrouping::Model
                                  : request.by == SpendDimension::Client ? WhatIfGrouping::Client
                                                                         : WhatIfGrouping::Tag);
    m_status->setText(tr("Loading…"));
    Q_EMIT loadRequested(request);
}

void SpendPage::onLoaded(const SpendSnapshot &snapshot)
{
    if (snapshot.request.generation != m_generation)
        return; // the user asked for something else meanwhile
    const bool first = !m_loaded;
    m_snapshot = snapshot;
    m_loaded = true;
    m_status->setText(tr("Read in %1 ms").arg(snapshot.elapsedMs));
    checkBudgets(!first);
    render();
    Q_EMIT loaded();
}

void SpendPage::onFailed(int generation, const QString &message)
{
    if (generation != m_generation)
        return;
    m_status->clear();
    m_emptyState->setText(message);
    m_emptyState->setVisible(true);
}

void SpendPage::appendRecords(const RequestRecords &records)
{
    if (!m_loaded)
        return;
    bool changed = false;
    for (const RequestRecord &record : records)
        changed = m_snapshot.add(record) || changed;
    if (changed) {
        checkBudgets(true);
        if (!m_renderTimer->isActive())
            m_renderTimer->start();
    }
}

void SpendPage::render()
{
    const SpendSnapshot &s = m_snapshot;
    m_emptyState->setVisible(s.total.requests == 0);
    if (s.total.requests == 0)
        m_emptyState->setText(tr("No requests in this period. Point a tool at Sluice's endpoint and its spend shows "
                                 "up here as it is logged."));
    renderTotals();
    renderChart();
    m_model->setLines(s.request.by, s.breakdown, s.total.costUsd);
    renderBudgets();
}

void SpendPage::renderTotals()
{
    const SpendSnapshot &s = m_snapshot;
    const SpendLine &total = s.total;
    m_spendValue->setText((total.estimated > 0 ? QStringLiteral("~") : QString())
                          + SpendBreakdownModel::money(total.costUsd));
    const double before = s.previousTotal.costUsd;
    QString change;
    if (before > 0) {
        const double percent = (total.costUsd - before) / before * 100;
        change = tr("%1 %2% vs previous period (%3)")
                     .arg(percent >= 0 ? QStringLiteral("▲") : QStringLiteral("▼"))
                     .arg(qAbs(percent), 0, 'f', percent > -10 && percent < 10 ? 1 : 0)
                     .arg(SpendBreakdownModel::money(before));
    } else {
        change = tr("nothing in the previous period");
    }
    m_spendDetail->setText(change);
    // This UTC month at its burn rate so far, whatever period is shown.
    const QDateTime now = m_clock();
    if (s.monthStart.isValid()) {
        const double elapsedDays = std::max(double(s.monthStart.msecsTo(std::min(now, s.monthEnd))) / DayMs, 1.0 / 24);
        const double burn = s.monthToDate.costUsd / elapsedDays;
        const double forecast = burn * double(s.monthStart.msecsTo(s.monthEnd)) / DayMs;
        m_forecastValue->setText(QStringLiteral("~") + SpendBreakdownModel::money(forecast));
        m_forecastDetail->setText(
            tr("burn %1/day\n%2 so far this month")
                .arg(SpendBreakdownModel::money(burn), SpendBreakdownModel::money(s.monthToDate.costUsd)));
    }
    m_requestsValue->setText(formatCount(total.requests));
    m_requestsDetail->setText(s.previousTotal.requests > 0
                                  ? tr("%1 in the previous period").arg(formatCount(s.previousTotal.requests))
                                  : tr("none in the previous period"));
    m_tokensValue->setText(formatCount(total.inputTokens + total.outputTokens));
    m_tokensDetail->setText(tr("in %1 (%2 cached)\nout %3 (%4 reasoning)")
                                .arg(compact(total.inputTokens), compact(total.cachedTokens),
                                     compact(total.outputTokens), compact(total.reasoningTokens)));
    m_savedValue->setText(SpendBreakdownModel::money(total.savedUsd));
    m_savedDetail->setText(total.cacheHits == 1 ? tr("1 cache hit")
                                                : tr("%1 cache hits").arg(formatCount(total.cacheHits)));
    m_unpricedValue->setText(formatCount(total.unpriced));
    m_unpricedDetail->setText(total.unpriced > 0 ? tr("not in the totals: no price known")
                                                 : tr("every request has a price"));
}

void SpendPage::renderChart()
{
    const SpendSnapshot &s = m_snapshot;
    const qint64 step = s.request.bucket == SpendDimension::Hour ? HourMs : DayMs;
    m_bucketStarts.clear();
    QStringList categories;
    const qint64 fromMs = s.request.from.toMSecsSinceEpoch();
    const qint64 toMs = s.request.to.toMSecsSinceEpoch();
    const qint64 buckets = (toMs - fromMs + step - 1) / step;
    for (qint64 at = fromMs - fromMs % step; at < toMs; at += step) {
        m_bucketStarts.append(at);
        const QDateTime time = QDateTime::fromMSecsSinceEpoch(at, Qt::UTC);
        categories.append(step == HourMs      ? time.toString(QStringLiteral("HH"))
                              : buckets <= 14 ? time.toString(QStringLiteral("d MMM"))
                                              : time.toString(QStringLiteral("d")));
    }
    // The most expensive values get their own colour, the rest one "Other" stack.
    m_chartValues.clear();
    for (const SpendLine &line : s.breakdown) {
        if (m_chartValues.size() >= ChartStacks)
            break;
        if (line.costUsd > 0)
            m_chartValues.append(line.name);
    }
    const bool other = std::any_of(s.breakdown.cbegin(), s.breakdown.cend(), [this](const SpendLine &line) {
        return line.costUsd > 0 && !m_chartValues.contains(line.name);
    });
    QList<StackedBarChart::Stack> stacks;
    for (const QString &value : std::as_const(m_chartValues))
        stacks.append({SpendExport::displayName(s.request.by, value), QList<double>(categories.size(), 0.0)});
    if (other)
        stacks.append({tr("Other"), QList<double>(categories.size(), 0.0)});
    for (const SpendPoint &point : s.series) {
        const qsizetype bucket = m_bucketStarts.indexOf(point.startMs);
        if (bucket < 0)
            continue;
        qsizetype stack = m_chartValues.indexOf(point.value);
        if (stack < 0)
            stack = other ? stacks.size() - 1 : -1;
        if (stack >= 0)
            stacks[stack].values[bucket] += point.line.costUsd;
    }
    const QString range = step == HourMs
        ? s.request.from.toString(QStringLiteral("d MMM yyyy")) + tr(", by hour (UTC)")
        : QString(s.request.from.toString(QStringLiteral("d MMM")) + QStringLiteral(" – ")
                  + s.request.to.addMSecs(-1).toString(QStringLiteral("d MMM yyyy")) + tr(", by day (UTC)"));
    m_chart->setTitle(tr("Spend by %1, %2").arg(titleOf(s.request.by).toLower(), range));
    m_chart->setData(categories, stacks);
}

void SpendPage::renderBudgets()
{
    while (QLayoutItem *item = m_budgetsLayout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    auto *heading = new QLabel(tr("Budgets"), m_budgetsPanel);
    QFont bold = heading->font();
    bold.setBold(true);
    heading->setFont(bold);
    m_budgetsLayout->addWidget(heading);
    if (m_snapshot.budgets.isEmpty()) {
        auto *none = new QLabel(tr("No budgets. Set them under budgets: in the config, or per gateway token with "
                                   "`sluice token create NAME --budget monthly:50`."),
                                m_budgetsPanel);
        none->setWordWrap(true);
        none->setForegroundRole(QPalette::PlaceholderText);
        m_budgetsLayout->addWidget(none);
    }
    const QDateTime now = m_clock();
    for (const BudgetStatus &budget : std::as_const(m_snapshot.budgets)) {
        QString name = budget.title;
        if (!name.isEmpty())
            name[0] = name.at(0).toUpper();
        auto *title = new QLabel(name, m_budgetsPanel);
        title->setWordWrap(true);
        auto *gauge = new QProgressBar(m_budgetsPanel);
        gauge->setObjectName(QStringLiteral("budgetGauge"));
        gauge->setRange(0, 1000);
        const double fraction = budget.limit.limitUsd > 0 ? budget.spentUsd / budget.limit.limitUsd : 0;
        gauge->setValue(int(std::clamp(fraction, 0.0, 1.0) * 1000));
        gauge->setFormat(
            QStringLiteral("%1 of %2 (%3%)")
                .arg(SpendBreakdownModel::money(budget.spentUsd), SpendBreakdownModel::money(budget.limit.limitUsd))
                .arg(fraction * 100, 0, 'f', 0));
        QPalette p = gauge->palette();
        const QColor tone = budget.spentUsd >= budget.limit.limitUsd ? QColor(0xd6, 0x3a, 0x3a)
            : budget.spentUsd >= budget.softUsd                      ? QColor(0xe0, 0x8a, 0x1e)
                                                                     : QColor(0x3a, 0x9a, 0x4f);
        p.setColor(QPalette::Highlight, tone);
        gauge->setPalette(p);
        auto *detail = new QLabel(m_budgetsPanel);
        detail->setObjectName(QStringLiteral("budgetDetail"));
        detail->setForegroundRole(QPalette::PlaceholderText);
        detail->setWordWrap(true);
        detail->setText(tr("soft threshold %1 · resets in %2\nburn %3/day · forecast %4 by the reset%5")
                            .arg(SpendBreakdownModel::money(budget.softUsd), durationText(now.msecsTo(budget.resetsAt)),
                                 SpendBreakdownModel::money(budget.burnUsdPerDay),
                                 SpendBreakdownModel::money(budget.forecastUsd),
                                 budget.forecastUsd > budget.limit.limitUsd ? tr(" (over the limit)") : QString()));
        m_budgetsLayout->addWidget(title);
        m_budgetsLayout->addWidget(gauge);
        m_budgetsLayout->addWidget(detail);
        m_budgetsLayout->addSpacing(6);
    }
    m_budgetsLayout->addStretch(1);
    // Widgets added to a shown parent stay hidden until shown.
    const QList<QWidget *> added = m_budgetsPanel->findChildren<QWidget *>(QString(), Qt::FindDirectChildrenOnly);
    for (QWidget *widget : added)
        widget->show();
}

void SpendPage::checkBudgets(bool notify)
{
    for (const BudgetStatus &budget : std::as_const(m_snapshot.budgets)) {
        const QString key = budget.title + QLatin1Char('@') + budget.periodStart.toString(Qt::ISODate);
        const int state = budget.spentUsd >= budget.limit.limitUsd ? 2 : budget.spentUsd >= budget.softUsd ? 1 : 0;
        const int before = m_budgetStates.value(key, notify ? 0 : state);
        m_budgetStates.insert(key, std::max(state, before));
        if (!notify || state <= before)
            continue;
        // The gateway itself announces the soft threshold as it books a request; the page adds the limit.
        if (state == 2) {
            Q_EMIT budgetNotice(tr("Sluice budget"),
                                tr("%1 is used up: %2 spent. Requests under it are refused until %3 UTC.")
                                    .arg(budget.title, SpendBreakdownModel::money(budget.spentUsd),
                                         budget.resetsAt.toString(QStringLiteral("yyyy-MM-dd HH:mm"))));
        }
    }
}

void SpendPage::onSegmentClicked(const QString &stack, int category)
{
    if (category < 0 || category >= m_bucketStarts.size())
        return;
    const qint64 step = m_snapshot.request.bucket == SpendDimension::Hour ? HourMs : DayMs;
    const QDateTime from = QDateTime::fromMSecsSinceEpoch(m_bucketStarts.at(category), Qt::UTC);
    const qsizetype index = m_chart->stackNames().indexOf(stack);
    if (index < 0 || index >= m_chartValues.size())
        return; // "Other" is several values: nothing to filter by
    Q_EMIT filterRequested(m_snapshot.request.by, m_chartValues.at(index), from, from.addMSecs(step));
}

void SpendPage::onRowActivated(const QModelIndex &index)
{
    const QString value = index.data(SpendBreakdownModel::ValueRole).toString();
    Q_EMIT filterRequested(m_snapshot.request.by, value, m_snapshot.request.from, m_snapshot.request.to);
}

bool SpendPage::exportBreakdown(const QString &path, const QString &format, QString *error) const
{
    const QByteArray bytes = format == QLatin1String("json")
        ? SpendExport::json(m_snapshot.request.by, m_snapshot.request.from, m_snapshot.request.to, m_snapshot.breakdown,
                            m_snapshot.total)
        : SpendExport::csv(m_snapshot.request.by, m_snapshot.breakdown);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error)
            *error = tr("Could not write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

void SpendPage::exportWith(const QString &what, const QString &format)
{
    const QString suffix = QLatin1Char('.') + format;
    const QString name = QStringLiteral("sluice-spend-%1-%2%3")
                             .arg(SpendBreakdown::nameOf(m_snapshot.request.by),
                                  m_snapshot.request.from.toString(QStringLiteral("yyyy-MM-dd")), suffix);
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export"), name, format == QLatin1String("json") ? tr("JSON (*.json)") : tr("CSV (*.csv)"));
    if (path.isEmpty())
        return;
    if (what == QLatin1String("breakdown")) {
        QString error;
        if (!exportBreakdown(path, format, &error))
            QMessageBox::warning(this, tr("Export failed"), error);
        else
            m_status->setText(tr("Exported the breakdown to %1").arg(path));
        return;
    }
    const QModelIndexList selected = m_table->selectionModel()->selectedRows();
    const bool filtered = !selected.isEmpty();
    const QString value = filtered ? selected.first().data(SpendBreakdownModel::ValueRole).toString() : QString();
    m_status->setText(tr("Exporting…"));
    Q_EMIT requestsExportRequested(m_snapshot.request.from, m_snapshot.request.to, m_snapshot.request.by, value,
                                   filtered, path, format);
}

void SpendPage::applyPalette()
{
    const QList<QFrame *> frames = findChildren<QFrame *>();
    for (QFrame *frame : frames) {
        if (frame->objectName().startsWith(QLatin1String("spend"))
            && frame->objectName() != QLatin1String("spendBudgets"))
            frame->setBackgroundRole(QPalette::Base);
    }
}

void SpendPage::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
}

} // namespace sluice

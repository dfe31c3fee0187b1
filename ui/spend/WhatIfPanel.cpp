#include "WhatIfPanel.h"

#include <QComboBox>
#include <QCompleter>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QVBoxLayout>

#include "WhatIfModel.h"
#include "cost/ModelPrice.h"
#include "cost/PriceCatalog.h"
#include "cost/SpendExport.h"
#include "cost/WhatIfExport.h"
#include "ui/Background.h"

namespace sluice {

namespace {

QString signedMoney(double usd)
{
    if (usd > 0)
        return QLatin1Char('+') + SpendExport::money(usd);
    if (usd < 0)
        return QChar(0x2212) + SpendExport::money(-usd);
    return SpendExport::money(0);
}

} // namespace

WhatIfPanel::WhatIfPanel(QWidget *parent)
    : QWidget(parent)
    , m_clock([] { return QDateTime::currentDateTimeUtc(); })
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 6, 0, 0);

    auto *bar = new QHBoxLayout;
    auto *title = new QLabel(tr("What-if cost"), this);
    QFont bold = title->font();
    bold.setBold(true);
    title->setFont(bold);
    bar->addWidget(title);
    auto *estimate = new QLabel(tr("(an estimate)"), this);
    estimate->setObjectName(QStringLiteral("whatIfEstimateMark"));
    estimate->setForegroundRole(QPalette::PlaceholderText);
    bar->addWidget(estimate);
    bar->addSpacing(12);
    bar->addWidget(new QLabel(tr("Reprice on"), this));
    m_target = new QComboBox(this);
    m_target->setObjectName(QStringLiteral("whatIfTarget"));
    m_target->setEditable(true);
    m_target->setInsertPolicy(QComboBox::NoInsert);
    m_target->setMinimumContentsLength(22);
    m_target->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_target->lineEdit()->setPlaceholderText(tr("a model…"));
    m_target->completer()->setFilterMode(Qt::MatchContains);
    m_target->completer()->setCompletionMode(QCompleter::PopupCompletion);
    m_target->setToolTip(tr("A model of your config (priced as its first deployment) or of the price catalog"));
    bar->addWidget(m_target);
    bar->addWidget(new QLabel(tr("by"), this));
    m_by = new QComboBox(this);
    m_by->setObjectName(QStringLiteral("whatIfBy"));
    m_by->addItem(tr("Model"), int(WhatIfGrouping::Model));
    m_by->addItem(tr("Client"), int(WhatIfGrouping::Client));
    m_by->addItem(tr("Tag"), int(WhatIfGrouping::Tag));
    bar->addWidget(m_by);
    bar->addStretch(1);
    layout->addLayout(bar);

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("whatIfSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText);
    layout->addWidget(m_summary);

    m_model = new WhatIfModel(this);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("whatIfTable"));
    auto *sorted = new WhatIfSortModel(this);
    sorted->setSourceModel(m_model);
    sorted->setSortRole(WhatIfModel::SortRole);
    m_table->setModel(sorted);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(WhatIfModel::Actual, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->setVisible(false);
    m_table->setShowGrid(false);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(WhatIfModel::Name, QHeaderView::Stretch);
    layout->addWidget(m_table, 1);

    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("whatIfNote"));
    m_note->setWordWrap(true);
    m_note->setTextFormat(Qt::PlainText);
    m_note->setForegroundRole(QPalette::PlaceholderText);
    QFont small = m_note->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_note->setFont(small);
    layout->addWidget(m_note);

    showMessage(tr("Pick a model to see what this period's requests would have cost on it."));
    connect(m_target, &QComboBox::activated, this, &WhatIfPanel::refresh);
    connect(m_target->lineEdit(), &QLineEdit::returnPressed, this, &WhatIfPanel::refresh);
    connect(m_by, &QComboBox::currentIndexChanged, this, &WhatIfPanel::refresh);
}

void WhatIfPanel::setDatabasePath(const StoreLocation &store)
{
    m_store = store;
    refresh();
}

void WhatIfPanel::setPriceSources(const Config &config, std::shared_ptr<const PriceCatalog> catalog)
{
    m_config = config;
    m_catalog = std::move(catalog);
    const QString current = m_target->currentText();
    const QSignalBlocker blocker(m_target);
    m_target->clear();
    m_target->addItems(WhatIfTarget::choices(m_config, m_catalog ? *m_catalog : PriceCatalog()));
    m_target->setCurrentIndex(-1);
    m_target->setEditText(current);
}

void WhatIfPanel::setPeriod(const QDateTime &from, const QDateTime &to)
{
    if (from == m_from && to == m_to)
        return;
    m_from = from;
    m_to = to;
    refresh();
}

void WhatIfPanel::setGrouping(WhatIfGrouping by)
{
    const int index = m_by->findData(int(by));
    if (index >= 0)
        m_by->setCurrentIndex(index); // refreshes when it changes
}

void WhatIfPanel::setFilter(const WhatIfFilter &filter)
{
    m_filter = filter;
    refresh();
}

void WhatIfPanel::setTarget(const QString &model)
{
    const QSignalBlocker blocker(m_target);
    const int index = m_target->findText(model);
    m_target->setCurrentIndex(index);
    m_target->setEditText(model);
    refresh();
}

void WhatIfPanel::setClock(std::function<QDateTime()> clock)
{
    m_clock = std::move(clock);
}

QString WhatIfPanel::target() const
{
    return m_target->currentText().trimmed();
}

WhatIfGrouping WhatIfPanel::grouping() const
{
    return WhatIfGrouping(m_by->currentData().toInt());
}

void WhatIfPanel::refresh()
{
    const QString model = target();
    const int generation = ++m_generation;
    if (model.isEmpty() || m_store.isNull() || !m_from.isValid() || !m_to.isValid()) {
        m_loaded = false;
        m_model->clear();
        showMessage(model.isEmpty() ? tr("Pick a model to see what this period's requests would have cost on it.")
                                    : tr("The request log is not open yet."));
        return;
    }
    m_summary->setText(tr("Repricing on %1…").arg(model));
    const StoreLocation database = m_store;
    const Config config = m_config;
    const std::shared_ptr<const PriceCatalog> catalog = m_catalog;
    const WhatIfGrouping by = grouping();
    const QDateTime from = m_from;
    const QDateTime to = m_to;
    const WhatIfFilter filter = m_filter;
    const QDateTime now = m_clock();
    runInBackground<Result<WhatIfReport>>(
        this,
        [=]() -> Result<WhatIfReport> {
            // Without a catalog from the app (tests, an embedding page), the one built into the binary.
            std::shared_ptr<const PriceCatalog> prices = catalog;
            if (!prices) {
                Result<PriceCatalog> builtIn = PriceCatalog::builtIn();
                if (!builtIn)
                    return builtIn.error();
                prices = std::make_shared<const PriceCatalog>(std::move(builtIn).value());
            }
            const Result<WhatIfTarget> target = WhatIfTarget::resolve(config, *prices, model, now);
            if (!target)
                return target.error();
            WhatIfCost whatIf(database);
            return whatIf.compute(*target, by, from, to, filter, prices.get());
        },
        [this, generation](const Result<WhatIfReport> &result) { onResult(generation, result); });
}

void WhatIfPanel::onResult(int generation, const Result<WhatIfReport> &result)
{
    if (generation != m_generation)
        return; // the user asked for something else meanwhile
    if (!result) {
        m_loaded = false;
        m_model->clear();
        showMessage(result.errorMessage());
        Q_EMIT failed(result.errorMessage());
        return;
    }
    m_report = *result;
    m_loaded = true;
    m_model->setReport(m_report);
    const WhatIfLine &total = m_report.total;
    if (total.requests == 0) {
        m_summary->setText(tr("No requests in this period."));
    } else {
        const std::optional<double> ratio = total.ratio();
        m_summary->setText(tr("%1 requests cost %2; on %3 they would have cost ~%4 (%5%6).")
                               .arg(formatCount(total.compared), SpendExport::money(total.actualUsd),
                                    m_report.target.model, SpendExport::money(total.whatIfUsd),
                                    signedMoney(total.differenceUsd()),
                                    ratio ? QStringLiteral(", ") + WhatIfExport::ratioText(total) : QString()));
    }
    QStringList notes;
    notes.append(tr("Priced as %1.").arg(m_report.target.label));
    if (total.unpricedActual > 0)
        notes.append(tr("%1 requests had no logged price (not compared; ~%2 on %3).")
                         .arg(formatCount(total.unpricedActual), SpendExport::money(total.unpricedActualWhatIfUsd),
                              m_report.target.model));
    if (total.notRepriced() > 0)
        notes.append(tr("%1 requests cannot be repriced (no token counts, or tokens %2 has no price for).")
                         .arg(formatCount(total.notRepriced()))
                         .arg(m_report.target.model));
    if (total.cacheHits > 0)
        notes.append(tr("%1 cache hits cost $0 either way.").arg(formatCount(total.cacheHits)));
    notes.append(m_report.tokenizerNote());
    m_note->setText(notes.join(QLatin1Char(' ')));
    Q_EMIT loaded();
}

void WhatIfPanel::showMessage(const QString &text)
{
    m_summary->setText(text);
    m_note->setText(tr("What-if costs are estimates from the logged token counts; other model families' tokenizers "
                       "count the same text differently."));
}

} // namespace sluice

#pragma once

#include <functional>

#include <QHash>
#include <QWidget>

#include "SpendSnapshot.h"
#include "store/StoreLocation.h"

class QComboBox;
class QDateEdit;
class QGridLayout;
class QLabel;
class QTableView;
class QThread;
class QTimer;
class QToolButton;
class QVBoxLayout;

namespace sluice {

class SpendBreakdownModel;
class SpendQuery;
class StackedBarChart;
class WhatIfPanel;

// The Spend page: a period (UTC) with its totals against the previous period, spend over time stacked by a
// dimension, the breakdown table, cache savings, unpriced requests apart, budgets with burn rate and forecast,
// and exports. The log is read off the GUI thread; records logged meanwhile are added in memory.
class SpendPage : public QWidget
{
    Q_OBJECT
public:
    enum class Period { Today, Last7Days, Last30Days, ThisMonth, Custom };
    Q_ENUM(Period)

    explicit SpendPage(QWidget *parent = nullptr);
    ~SpendPage() override;

    // Opens the request log (this machine's SQLite log, or a team's PostgreSQL database) read-only on a background
    // thread and loads the page.
    void setDatabasePath(const StoreLocation &store);
    void setBudgets(const QList<BudgetLimit> &limits, double defaultSoftFraction);
    // The clock the periods are computed from (tests pin it).
    void setClock(std::function<QDateTime()> clock);
    void setPeriod(Period period, const QDate &customFrom = {}, const QDate &customTo = {});
    void setGroupBy(SpendDimension by);

    // The data shown (for tests and exports); valid once loaded() was emitted.
    const SpendSnapshot &snapshot() const { return m_snapshot; }
    bool isLoaded() const { return m_loaded; }
    StackedBarChart *chart() const { return m_chart; }
    SpendBreakdownModel *breakdownModel() const { return m_model; }
    // What the period's requests would have cost on another model (the "What-if cost" tab).
    WhatIfPanel *whatIfPanel() const { return m_whatIf; }

    // Writes the shown breakdown (csv or json) to path; false with a message on failure.
    bool exportBreakdown(const QString &path, const QString &format, QString *error = nullptr) const;

public Q_SLOTS:
    // Re-reads the period from the log.
    void refresh();
    // Connect RequestLogWriter::batchCommitted here (queued): added to what is shown without a query.
    void appendRecords(const sluice::RequestRecords &records);

Q_SIGNALS:
    void loaded();
    // The user clicked a bar or a row: show the requests of [from, to) counted under value of by.
    void filterRequested(sluice::SpendDimension by, const QString &value, const QDateTime &from, const QDateTime &to);
    // A budget reached its limit (once per budget and period): for the tray.
    void budgetNotice(const QString &title, const QString &message);
    void loadRequested(const sluice::SpendRequest &request);
    void requestsExportRequested(const QDateTime &from, const QDateTime &to, sluice::SpendDimension by,
                                 const QString &value, bool filtered, const QString &path, const QString &format);

protected:
    void changeEvent(QEvent *event) override;

private:
    void onLoaded(const sluice::SpendSnapshot &snapshot);
    void onFailed(int generation, const QString &message);
    void render();
    void renderTotals();
    void renderChart();
    void renderBudgets();
    void checkBudgets(bool notify);
    void periodBounds(QDateTime *from, QDateTime *to, SpendDimension *bucket) const;
    void onSegmentClicked(const QString &stack, int category);
    void onRowActivated(const QModelIndex &index);
    void exportWith(const QString &what, const QString &format);
    void applyPalette();
    void resetCustomDates();
    QWidget *card(const QString &objectName, QLabel **value, QLabel **detail);

    std::function<QDateTime()> m_clock;
    StoreLocation m_store;
    QList<BudgetLimit> m_budgets;
    double m_softFraction = 0.8;
    int m_generation = 0;
    bool m_loaded = false;
    SpendSnapshot m_snapshot;
    QStringList m_chartValues; // the values behind the chart's stacks ("" for the grouped rest)
    QList<qint64> m_bucketStarts; // the chart's categories
    QHash<QString, int> m_budgetStates; // budget and period -> 0 below soft, 1 soft, 2 limit

    QThread *m_thread = nullptr;
    SpendQuery *m_query = nullptr;
    QTimer *m_renderTimer;

    QComboBox *m_period;
    QDateEdit *m_customFrom;
    QDateEdit *m_customTo;
    QComboBox *m_groupBy;
    QToolButton *m_export;
    QLabel *m_status;
    QLabel *m_spendValue = nullptr;
    QLabel *m_spendDetail = nullptr;
    QLabel *m_requestsValue = nullptr;
    QLabel *m_requestsDetail = nullptr;
    QLabel *m_tokensValue = nullptr;
    QLabel *m_tokensDetail = nullptr;
    QLabel *m_savedValue = nullptr;
    QLabel *m_savedDetail = nullptr;
    QLabel *m_unpricedValue = nullptr;
    QLabel *m_unpricedDetail = nullptr;
    QLabel *m_forecastValue = nullptr;
    QLabel *m_forecastDetail = nullptr;
    StackedBarChart *m_chart;
    SpendBreakdownModel *m_model;
    QTableView *m_table;
    WhatIfPanel *m_whatIf;
    QWidget *m_budgetsPanel;
    QVBoxLayout *m_budgetsLayout;
    QLabel *m_emptyState;
};

} // namespace sluice

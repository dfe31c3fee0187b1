#pragma once

#include <QWidget>

#include "routing/CircuitBreaker.h"

class QLabel;
class QTableView;

namespace sluice {

class BreakerStateModel;

// The Routing page: each deployment's circuit breaker (closed, open with the time to its next probe,
// half-open), its recent failures and its latest failure, refreshed while the page is shown.
class RoutingPage : public QWidget
{
    Q_OBJECT
public:
    explicit RoutingPage(QWidget *parent = nullptr);

    void setBreakers(const QList<BreakerSnapshot> &breakers);
    // Shown instead of the table when the gateway is not running.
    void setUnavailable(const QString &reason);
    BreakerStateModel *model() const { return m_model; }

Q_SIGNALS:
    // Emitted every second while the page is visible: whoever owns the gateway answers with setBreakers().
    void refreshWanted();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;
    void timerEvent(QTimerEvent *event) override;

private:
    void updateSummary();

    BreakerStateModel *m_model;
    QLabel *m_summary = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_emptyState = nullptr;
    QString m_unavailable;
    int m_timer = 0;
};

} // namespace sluice

#pragma once

#include <QAbstractTableModel>
#include <QList>

#include "routing/CircuitBreaker.h"

namespace sluice {

// The circuit breaker of every configured deployment, one row each, as the gateway last reported them.
class BreakerStateModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Deployment, State, Failures, NextProbe, LastFailure, ColumnCount };

    explicit BreakerStateModel(QObject *parent = nullptr);

    // Replaces the rows; rows of deployments still present keep their place (no reset, selection survives).
    void setSnapshot(const QList<BreakerSnapshot> &breakers);
    const QList<BreakerSnapshot> &snapshot() const { return m_breakers; }
    // Deployments whose breaker is open or half-open.
    int trippedCount() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // "Closed", "Open", "Half-open (probing)" ...
    static QString stateLabel(const BreakerSnapshot &breaker);

private:
    QList<BreakerSnapshot> m_breakers;
};

} // namespace sluice

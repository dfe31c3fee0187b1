#pragma once

#include <QAbstractTableModel>
#include <QList>

#include "cost/SpendBreakdown.h"

namespace sluice {

// The Spend page's breakdown table: one row per value of a dimension with its requests, tokens (input, cached,
// output, reasoning), cost, cache savings and share of the period's known cost. Unpriced requests show as such,
// never as $0.
class SpendBreakdownModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Requests, Input, Cached, Output, Reasoning, Cost, Share, Saved, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr int ValueRole = Qt::UserRole + 2; // the raw value ('' for none)

    explicit SpendBreakdownModel(QObject *parent = nullptr);

    void setLines(SpendDimension by, const QList<SpendLine> &lines, double totalUsd);
    const QList<SpendLine> &lines() const { return m_lines; }
    SpendDimension dimension() const { return m_by; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    // "$1,234.56" from a dollar up, "$0.0123" below: money with the precision it needs.
    static QString money(double usd);
    // The cost of a line: "$1.20", "~$1.20" (partly estimated), "$1.20 + 3 unpriced", "unpriced", "free".
    static QString costText(const SpendLine &line);

private:
    SpendDimension m_by = SpendDimension::Model;
    QList<SpendLine> m_lines;
    double m_totalUsd = 0;
};

} // namespace sluice

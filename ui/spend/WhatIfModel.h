#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <QSortFilterProxyModel>

#include "cost/WhatIfCost.h"

namespace sluice {

// The what-if table: per group, the requests, what the compared ones cost, what they would cost on the target,
// the difference, the ratio and the requests not compared. Money as money; no ratio where nothing was paid.
class WhatIfModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Requests, Actual, WhatIf, Difference, Ratio, NotCompared, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr int ValueRole = Qt::UserRole + 2; // the raw group value ('' for none)
    static constexpr int TotalRole = Qt::UserRole + 3; // true on the total row

    explicit WhatIfModel(QObject *parent = nullptr);

    // The report's lines, and its total as the last row.
    void setReport(const WhatIfReport &report);
    void clear();
    const QList<WhatIfLine> &lines() const { return m_lines; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    WhatIfGrouping m_by = WhatIfGrouping::Model;
    QList<WhatIfLine> m_lines; // the groups, then the total
};

// Sorts the what-if table by any column and keeps the total row last, whichever the order.
class WhatIfSortModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

protected:
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;
};

} // namespace sluice

#pragma once

#include <optional>

#include <QDateTime>
#include <QSortFilterProxyModel>
#include <QStringList>

#include "cost/SpendBreakdown.h"

namespace sluice {

// Sorts the live table by raw values and keeps the rows whose model, provider, token or status text contain
// every word typed in the search box.
class LiveRequestsFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit LiveRequestsFilterModel(QObject *parent = nullptr);

    QString searchText() const { return m_searchText; }

    // Keeps only the requests of [from, to) counted under value of by (the Spend page's click), until cleared.
    struct SpendFilter
    {
        SpendDimension by = SpendDimension::Model;
        QString value;
        QDateTime from;
        QDateTime to;
    };
    void setSpendFilter(const SpendFilter &filter);
    void clearSpendFilter();
    const std::optional<SpendFilter> &spendFilter() const { return m_spendFilter; }

public Q_SLOTS:
    void setSearchText(const QString &text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_searchText;
    QStringList m_words;
    std::optional<SpendFilter> m_spendFilter;
};

} // namespace sluice

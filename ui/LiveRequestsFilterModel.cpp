#include "LiveRequestsFilterModel.h"

#include "LiveRequestsModel.h"
#include "spend/SpendSnapshot.h"

namespace sluice {

LiveRequestsFilterModel::LiveRequestsFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(LiveRequestsModel::SortRole);
    setDynamicSortFilter(true);
}

void LiveRequestsFilterModel::setSearchText(const QString &text)
{
    if (text == m_searchText)
        return;
    m_searchText = text;
    m_words = text.toLower().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    invalidateRowsFilter();
}

void LiveRequestsFilterModel::setSpendFilter(const SpendFilter &filter)
{
    m_spendFilter = filter;
    invalidateRowsFilter();
}

void LiveRequestsFilterModel::clearSpendFilter()
{
    if (!m_spendFilter)
        return;
    m_spendFilter.reset();
    invalidateRowsFilter();
}

bool LiveRequestsFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_spendFilter) {
        const auto *live = qobject_cast<const LiveRequestsModel *>(sourceModel());
        if (live && sourceRow < live->rowCount()) {
            const RequestRecord &record = live->record(sourceRow);
            if (record.startedAt < m_spendFilter->from || record.startedAt >= m_spendFilter->to
                || !SpendSnapshot::valuesOf(record, m_spendFilter->by).contains(m_spendFilter->value))
                return false;
        }
    }
    if (m_words.isEmpty())
        return true;
    const QString haystack
        = sourceModel()->index(sourceRow, 0, sourceParent).data(LiveRequestsModel::FilterTextRole).toString();
    for (const QString &word : m_words) {
        if (!haystack.contains(word))
            return false;
    }
    return true;
}

} // namespace sluice

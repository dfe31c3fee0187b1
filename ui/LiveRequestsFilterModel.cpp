#include "LiveRequestsFilterModel.h"

#include "LiveRequestsModel.h"

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

bool LiveRequestsFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
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

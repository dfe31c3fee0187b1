#include "SpendBreakdownModel.h"

#include <QLocale>

#include "cost/ModelPrice.h"
#include "cost/SpendExport.h"

namespace sluice {

SpendBreakdownModel::SpendBreakdownModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void SpendBreakdownModel::setLines(SpendDimension by, const QList<SpendLine> &lines, double totalUsd)
{
    if (by == m_by && lines.size() == m_lines.size()) {
        m_lines = lines;
        m_totalUsd = totalUsd;
        if (!m_lines.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(int(m_lines.size()) - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_by = by;
    m_lines = lines;
    m_totalUsd = totalUsd;
    endResetModel();
}

int SpendBreakdownModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_lines.size());
}

int SpendBreakdownModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString SpendBreakdownModel::money(double usd)
{
    return SpendExport::money(usd);
}

QString SpendBreakdownModel::costText(const SpendLine &line)
{
    return SpendExport::costText(line);
}

QVariant SpendBreakdownModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_lines.size())
        return {};
    const SpendLine &line = m_lines.at(index.row());
    const double share = m_totalUsd > 0 ? line.costUsd / m_totalUsd : 0;
    if (role == ValueRole)
        return line.name;
    if (role == SortRole) {
        switch (index.column()) {
        case Name:
            return line.name;
        case Requests:
            return line.requests;
        case Input:
            return line.inputTokens;
        case Cached:
            return line.cachedTokens;
        case Output:
            return line.outputTokens;
        case Reasoning:
            return line.reasoningTokens;
        case Cost:
        case Share:
            return line.costUsd;
        case Saved:
            return line.savedUsd;
        }
        return {};
    }
    if (role == Qt::TextAlignmentRole)
        return index.column() == Name ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                      : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && index.column() == Cost) {
        QStringList parts;
        if (line.estimated > 0)
            parts.append(tr("%1 estimated for %2 requests whose provider reported no final usage")
                             .arg(money(line.estimatedUsd), formatCount(line.estimated)));
        if (line.unpriced > 0)
            parts.append(tr("%1 requests have no price and are not in the cost").arg(formatCount(line.unpriced)));
        return parts.isEmpty() ? QVariant() : QVariant(parts.join(QLatin1Char('\n')));
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Name:
        return SpendExport::displayName(m_by, line.name);
    case Requests:
        return formatCount(line.requests);
    case Input:
        return formatCount(line.inputTokens);
    case Cached:
        return formatCount(line.cachedTokens);
    case Output:
        return formatCount(line.outputTokens);
    case Reasoning:
        return formatCount(line.reasoningTokens);
    case Cost:
        return costText(line);
    case Share:
        return m_totalUsd > 0 ? QStringLiteral("%1%").arg(share * 100, 0, 'f', 1) : QStringLiteral("–");
    case Saved:
        return line.cacheHits > 0 ? money(line.savedUsd) : QStringLiteral("–");
    }
    return {};
}

QVariant SpendBreakdownModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::TextAlignmentRole)
        return section == Name ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                               : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name: {
        QString name = SpendBreakdown::nameOf(m_by);
        name[0] = name.at(0).toUpper();
        return name;
    }
    case Requests:
        return tr("Requests");
    case Input:
        return tr("Input");
    case Cached:
        return tr("Cached");
    case Output:
        return tr("Output");
    case Reasoning:
        return tr("Reasoning");
    case Cost:
        return tr("Cost");
    case Share:
        return tr("Share");
    case Saved:
        return tr("Cache saved");
    }
    return {};
}

} // namespace sluice

#include "WhatIfModel.h"

#include <QFont>

#include "cost/ModelPrice.h"
#include "cost/SpendExport.h"
#include "cost/WhatIfExport.h"

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

WhatIfModel::WhatIfModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void WhatIfModel::setReport(const WhatIfReport &report)
{
    beginResetModel();
    m_by = report.by;
    m_lines = report.lines;
    m_lines.append(report.total);
    endResetModel();
}

void WhatIfModel::clear()
{
    beginResetModel();
    m_lines.clear();
    endResetModel();
}

int WhatIfModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_lines.size());
}

int WhatIfModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant WhatIfModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_lines.size())
        return {};
    const WhatIfLine &line = m_lines.at(index.row());
    const bool total = index.row() == m_lines.size() - 1;
    const qint64 notCompared = line.requests - line.compared;
    if (role == Qt::DisplayRole) {
        // Nothing priced both ways: no money to show, rather than $0 against $0.
        if (line.compared == 0
            && (index.column() == Actual || index.column() == WhatIf || index.column() == Difference))
            return QStringLiteral("–");
        switch (index.column()) {
        case Name:
            return total ? tr("Total") : WhatIfExport::displayName(m_by, line.name);
        case Requests:
            return formatCount(line.requests);
        case Actual:
            return QString((line.estimated > 0 ? QStringLiteral("~") : QString()) + SpendExport::money(line.actualUsd));
        case WhatIf:
            return QString(QLatin1Char('~') + SpendExport::money(line.whatIfUsd));
        case Difference:
            return signedMoney(line.differenceUsd());
        case Ratio:
            return WhatIfExport::ratioText(line);
        case NotCompared:
            return notCompared > 0 ? formatCount(notCompared) : QStringLiteral("–");
        default:
            return {};
        }
    }
    if (role == SortRole) {
        switch (index.column()) {
        case Name:
            return line.name;
        case Requests:
            return line.requests;
        case Actual:
            return line.actualUsd;
        case WhatIf:
            return line.whatIfUsd;
        case Difference:
            return line.differenceUsd();
        case Ratio:
            return line.ratio().value_or(-1);
        case NotCompared:
            return notCompared;
        default:
            return {};
        }
    }
    if (role == ValueRole)
        return line.name;
    if (role == TotalRole)
        return total;
    if (role == Qt::TextAlignmentRole)
        return index.column() == Name ? int(Qt::AlignLeft | Qt::AlignVCenter) : int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::FontRole && total) {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    if (role == Qt::ToolTipRole) {
        QStringList parts;
        parts.append(
            tr("%1 of %2 requests priced both ways").arg(formatCount(line.compared), formatCount(line.requests)));
        if (line.unpricedActual > 0)
            parts.append(tr("%1 with no logged price (~%2 on the target)")
                             .arg(formatCount(line.unpricedActual), SpendExport::money(line.unpricedActualWhatIfUsd)));
        if (line.noTokenCounts > 0)
            parts.append(tr("%1 without token counts").arg(formatCount(line.noTokenCounts)));
        if (line.missingTargetPrice > 0)
            parts.append(tr("%1 with tokens the target has no price for").arg(formatCount(line.missingTargetPrice)));
        if (line.cacheHits > 0)
            parts.append(tr("%1 cache hits ($0 either way)").arg(formatCount(line.cacheHits)));
        if (line.sameTokenizerFamily == false)
            parts.append(tr("another model family: its tokenizer counts differently"));
        return parts.join(QLatin1Char('\n'));
    }
    return {};
}

QVariant WhatIfModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Name:
        switch (m_by) {
        case WhatIfGrouping::Client:
            return tr("Client");
        case WhatIfGrouping::Tag:
            return tr("Tag");
        case WhatIfGrouping::Model:
        case WhatIfGrouping::None:
            break;
        }
        return tr("Model");
    case Requests:
        return tr("Requests");
    case Actual:
        return tr("Actual");
    case WhatIf:
        return tr("What-if (estimate)");
    case Difference:
        return tr("Difference");
    case Ratio:
        return tr("Ratio");
    case NotCompared:
        return tr("Not compared");
    default:
        return {};
    }
}

bool WhatIfSortModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const bool leftTotal = left.data(WhatIfModel::TotalRole).toBool();
    const bool rightTotal = right.data(WhatIfModel::TotalRole).toBool();
    if (leftTotal != rightTotal)
        return sortOrder() == Qt::AscendingOrder ? rightTotal : leftTotal;
    return QSortFilterProxyModel::lessThan(left, right);
}

} // namespace sluice

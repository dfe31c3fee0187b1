#include "BreakerStateModel.h"

#include <QApplication>
#include <QPalette>

#include "RecordFormat.h"

namespace sluice {

namespace {
RecordFormat::Tone toneOf(const BreakerSnapshot &breaker)
{
    if (breaker.state == QLatin1String("open"))
        return RecordFormat::Tone::Failure;
    if (breaker.state == QLatin1String("half_open") || breaker.recentFailures > 0)
        return RecordFormat::Tone::Warning;
    return RecordFormat::Tone::Success;
}

// "12 s", "4 min", "3 h": how long ago, at the precision a glance needs.
QString ago(qint64 ms)
{
    if (ms < 120'000)
        return RecordFormat::milliseconds(ms);
    if (ms < 2 * 3'600'000)
        return BreakerStateModel::tr("%1 min").arg(ms / 60'000);
    return BreakerStateModel::tr("%1 h").arg(ms / 3'600'000);
}

bool sameRows(const QList<BreakerSnapshot> &a, const QList<BreakerSnapshot> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a.at(i).deployment != b.at(i).deployment)
            return false;
    }
    return true;
}
} // namespace

BreakerStateModel::BreakerStateModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void BreakerStateModel::setSnapshot(const QList<BreakerSnapshot> &breakers)
{
    if (sameRows(m_breakers, breakers)) {
        m_breakers = breakers;
        if (!m_breakers.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_breakers = breakers;
    endResetModel();
}

int BreakerStateModel::trippedCount() const
{
    int count = 0;
    for (const BreakerSnapshot &breaker : m_breakers)
        count += breaker.state != QLatin1String("closed") ? 1 : 0;
    return count;
}

int BreakerStateModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_breakers.size());
}

int BreakerStateModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString BreakerStateModel::stateLabel(const BreakerSnapshot &breaker)
{
    if (breaker.failureThreshold <= 0)
        return tr("Off");
    if (breaker.state == QLatin1String("open"))
        return tr("Open");
    if (breaker.state == QLatin1String("half_open"))
        return breaker.probeInFlight ? tr("Half-open (probing)") : tr("Half-open");
    return tr("Closed");
}

QVariant BreakerStateModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_breakers.size())
        return {};
    const BreakerSnapshot &b = m_breakers.at(index.row());
    if (role == Qt::ForegroundRole && index.column() == State)
        return RecordFormat::color(toneOf(b), QApplication::palette());
    if (role == Qt::ToolTipRole && index.column() == State) {
        if (b.state == QLatin1String("open"))
            return tr("Requests skip this deployment until the cool-down ends; then one probe request decides.");
        if (b.state == QLatin1String("half_open"))
            return tr("One probe request is let through: success closes the breaker, failure opens it again.");
        return tr("Requests pass; %1 failures within the window open it.").arg(b.failureThreshold);
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Deployment:
        return b.deployment;
    case State:
        return QString(QStringLiteral("● ") + stateLabel(b));
    case Failures:
        // Opening clears the count: say what opened it rather than "0 of N".
        if (b.state != QLatin1String("closed") && b.failureThreshold > 0)
            return tr("reached %1").arg(b.failureThreshold);
        return b.failureThreshold > 0 ? tr("%1 of %2").arg(b.recentFailures).arg(b.failureThreshold)
                                      : QString::number(b.recentFailures);
    case NextProbe:
        if (b.state == QLatin1String("open"))
            return tr("in %1").arg(ago(b.probeInMs));
        if (b.state == QLatin1String("half_open"))
            return b.probeInFlight ? tr("under way") : tr("next request");
        return RecordFormat::unknown();
    case LastFailure:
        if (b.lastFailureAgoMs < 0)
            return tr("none");
        return tr("%1, %2 ago").arg(RecordFormat::failureClassLabel(b.lastFailure), ago(b.lastFailureAgoMs));
    }
    return {};
}

QVariant BreakerStateModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Deployment:
        return tr("Deployment");
    case State:
        return tr("Circuit breaker");
    case Failures:
        return tr("Recent failures");
    case NextProbe:
        return tr("Next probe");
    case LastFailure:
        return tr("Latest failure");
    }
    return {};
}

} // namespace sluice

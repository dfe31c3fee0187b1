#include "LiveRequestsModel.h"

#include <algorithm>

#include <QFont>
#include <QGuiApplication>
#include <QPalette>

#include "Icons.h"
#include "RecordFormat.h"
#include "store/AttemptSummary.h"

namespace sluice {

namespace {
// The search box finds guarded requests by "guardrail" and by their rules' names.
QString guardrailFilterText(const RequestRecord &record)
{
    if (record.guardrailHits.isEmpty())
        return {};
    QString text = QStringLiteral("\nguardrail");
    for (const GuardrailHit &hit : record.guardrailHits)
        text += QLatin1Char('\n') + hit.rule.toLower();
    return text;
}

// Drawn once per text colour, not per painted cell.
QIcon guardIcon()
{
    static QRgb drawnFor = 0;
    static QIcon icon;
    const QPalette palette = QGuiApplication::palette();
    const QRgb color = palette.color(QPalette::WindowText).rgba();
    if (icon.isNull() || drawnFor != color) {
        icon = Icons::action(Icons::Action::Guardrails, palette);
        drawnFor = color;
    }
    return icon;
}
} // namespace

LiveRequestsModel::LiveRequestsModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

int LiveRequestsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int LiveRequestsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LiveRequestsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RequestRecord &r = m_rows.at(index.row()).record;
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return displayData(r, column);
    case SortRole:
        return sortData(r, column);
    case IdRole:
        return r.id;
    case FilterTextRole:
        return QString((QStringList {r.requestedModel, r.upstreamModel, r.provider, r.deployment, r.tokenName,
                                     RecordFormat::status(r), r.errorClass, r.costStatus}
                        + QStringList {r.client, r.project} + r.tags)
                           .join(QLatin1Char('\n'))
                           .toLower()
                       + guardrailFilterText(r));
    case Qt::TextAlignmentRole:
        return QVariant::fromValue(alignment(column) | Qt::AlignVCenter);
    case Qt::ForegroundRole: {
        const QPalette palette = QGuiApplication::palette();
        if (column == Status)
            return RecordFormat::color(RecordFormat::tone(r), palette);
        if (column == Attempts && r.attemptCount > 1)
            return RecordFormat::color(RecordFormat::Tone::Warning, palette);
        if (column == Cost && r.costStatus == QLatin1String(CostStatus::Unpriced))
            return RecordFormat::color(RecordFormat::costTone(r), palette);
        if (column == Cost
            && (r.costStatus == QLatin1String(CostStatus::Free) || r.costStatus == QLatin1String(CostStatus::Cached)))
            return palette.color(QPalette::PlaceholderText);
        if (isUnknown(r, column))
            return palette.color(QPalette::PlaceholderText);
        return {};
    }
    case Qt::FontRole:
        if (column == Attempts && r.attemptCount > 1) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::DecorationRole:
        // Requests a guardrail rule fired on carry a shield by their status.
        if (column == Status && !r.guardrailHits.isEmpty())
            return guardIcon();
        return {};
    case Qt::ToolTipRole:
        if (column == Status && !r.guardrailHits.isEmpty()) {
            const QString error = r.errorMessage.isEmpty() ? QString() : r.errorMessage + QStringLiteral("\n");
            return QString(error + tr("Guardrails: %1").arg(RecordFormat::guardrailHits(r)));
        }
        return toolTip(r, column);
    default:
        return {};
    }
}

Qt::Alignment LiveRequestsModel::alignment(int column)
{
    if (column == Attempts)
        return Qt::AlignHCenter;
    return column >= Latency ? Qt::AlignRight : Qt::AlignLeft;
}

QVariant LiveRequestsModel::toolTip(const RequestRecord &r, int column) const
{
    switch (column) {
    case Model:
        if (r.provider.isEmpty())
            return tr("Not routed to a provider");
        return tr("%1 / %2").arg(r.provider, r.upstreamModel.isEmpty() ? r.requestedModel : r.upstreamModel);
    case Status:
        return r.errorMessage.isEmpty() ? QVariant() : QVariant(r.errorMessage);
    case Attempts:
        if (r.attemptCount < 0)
            return tr("Not recorded: this request was logged before Sluice recorded attempts");
        if (r.attemptCount == 0)
            return tr("No upstream was tried");
        if (r.attemptCount == 1)
            return tr("One attempt, on %1").arg(r.deployment);
        return tr("%1 attempts (retries or fallbacks); the answer came from %2. Select the request to see why, "
                  "in its attempt timeline.")
            .arg(r.attemptCount)
            .arg(r.deployment);
    case Cost:
        return RecordFormat::costDetail(r);
    default:
        return {};
    }
}

bool LiveRequestsModel::isUnknown(const RequestRecord &r, int column)
{
    switch (column) {
    case Time:
        return !r.startedAt.isValid();
    case Token:
        return r.tokenName.isEmpty();
    case Model:
        return r.requestedModel.isEmpty();
    case Provider:
        return r.provider.isEmpty();
    case Status:
        return r.httpStatus <= 0 && r.errorClass.isEmpty();
    case Latency:
        return r.latencyUs < 0;
    case TimeToFirstToken:
        return r.timeToFirstTokenUs < 0;
    case InputTokens:
        return r.inputTokens < 0;
    case OutputTokens:
        return r.outputTokens < 0;
    case CachedTokens:
        return r.cachedTokens < 0;
    case ReasoningTokens:
        return r.reasoningTokens < 0;
    case Attempts:
        return r.attemptCount <= 0;
    case Cost:
        return r.costStatus.isEmpty();
    default:
        return false;
    }
}

QVariant LiveRequestsModel::displayData(const RequestRecord &r, int column) const
{
    switch (column) {
    case Time:
        return RecordFormat::localTime(r.startedAt);
    case Token:
        return r.tokenName.isEmpty() ? RecordFormat::unknown() : r.tokenName;
    case Model:
        return r.requestedModel.isEmpty() ? RecordFormat::unknown() : r.requestedModel;
    case Provider:
        return r.provider.isEmpty() ? RecordFormat::unknown() : r.provider;
    case Status:
        return RecordFormat::status(r);
    case Stream:
        return r.stream ? tr("Yes") : tr("No");
    case Latency:
        return RecordFormat::duration(r.latencyUs);
    case TimeToFirstToken:
        return RecordFormat::duration(r.timeToFirstTokenUs);
    case InputTokens:
        return RecordFormat::tokens(r.inputTokens);
    case OutputTokens:
        return RecordFormat::tokens(r.outputTokens);
    case CachedTokens:
        return RecordFormat::tokens(r.cachedTokens);
    case ReasoningTokens:
        return RecordFormat::tokens(r.reasoningTokens);
    case Attempts:
        return RecordFormat::attempts(r);
    case Cost:
        return RecordFormat::cost(r);
    default:
        return {};
    }
}

QVariant LiveRequestsModel::sortData(const RequestRecord &r, int column) const
{
    switch (column) {
    case Time:
        return r.startedAt;
    case Token:
        return r.tokenName;
    case Model:
        return r.requestedModel;
    case Provider:
        return r.provider;
    case Status:
        return r.httpStatus;
    case Stream:
        return r.stream;
    case Latency:
        return r.latencyUs;
    case TimeToFirstToken:
        return r.timeToFirstTokenUs;
    case InputTokens:
        return r.inputTokens;
    case OutputTokens:
        return r.outputTokens;
    case CachedTokens:
        return r.cachedTokens;
    case ReasoningTokens:
        return r.reasoningTokens;
    case Attempts:
        return r.attemptCount;
    case Cost:
        // Unpriced and unknown costs sort below every priced one, free ones with $0.
        if (r.costStatus == QLatin1String(CostStatus::Free))
            return 0.0;
        if (r.costStatus.isEmpty() || r.costStatus == QLatin1String(CostStatus::Unpriced))
            return -1.0;
        return r.costUsd;
    default:
        return {};
    }
}

QVariant LiveRequestsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        static const char *const titles[ColumnCount] = {
            QT_TR_NOOP("Time"),      QT_TR_NOOP("Token"),    QT_TR_NOOP("Model"),  QT_TR_NOOP("Provider"),
            QT_TR_NOOP("Status"),    QT_TR_NOOP("Attempts"), QT_TR_NOOP("Stream"), QT_TR_NOOP("Latency"),
            QT_TR_NOOP("TTFT"),      QT_TR_NOOP("Input"),    QT_TR_NOOP("Output"), QT_TR_NOOP("Cached"),
            QT_TR_NOOP("Reasoning"), QT_TR_NOOP("Cost"),
        };
        return tr(titles[section]);
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case Token:
            return tr("Gateway token the client used");
        case Model:
            return tr("Model the client asked for");
        case Latency:
            return tr("From the request's arrival to the last byte sent");
        case TimeToFirstToken:
            return tr("Time to first token: from arrival to the first content byte of a stream");
        case InputTokens:
            return tr("Input (prompt) tokens");
        case OutputTokens:
            return tr("Output (completion) tokens");
        case CachedTokens:
            return tr("Input tokens read from the provider's prompt cache");
        case ReasoningTokens:
            return tr("Output tokens spent on reasoning");
        case Attempts:
            return tr("Upstream attempts: more than one means a retry or a fallback");
        case Cost:
            return tr("Cost in US dollars: ≈ marks an estimate; unpriced means no price is known for the model");
        default:
            return {};
        }
    }
    if (role == Qt::TextAlignmentRole)
        return QVariant::fromValue(alignment(section) | Qt::AlignVCenter);
    return {};
}

void LiveRequestsModel::setMaxRows(int rows)
{
    m_maxRows = std::max(1, rows);
    trimToMaxRows();
}

void LiveRequestsModel::setBodyRows(int rows)
{
    m_bodyRows = std::max(0, rows);
    dropBodiesFrom(m_bodyRows, int(m_rows.size()) - 1);
}

void LiveRequestsModel::clear()
{
    if (m_rows.isEmpty())
        return;
    beginResetModel();
    m_rows.clear();
    m_ids.clear();
    endResetModel();
}

QList<LiveRequestsModel::Row> LiveRequestsModel::takeNew(const RequestRecords &records, bool withBodies) const
{
    QList<Row> rows;
    rows.reserve(records.size());
    QSet<QString> seen;
    for (const RequestRecord &record : records) {
        if (m_ids.contains(record.id) || seen.contains(record.id))
            continue;
        seen.insert(record.id);
        rows.append(Row {record, withBodies});
        AttemptSummary::fill(rows.last().record);
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const Row &a, const Row &b) { return a.record.startedAt > b.record.startedAt; });
    return rows;
}

void LiveRequestsModel::appendRecords(const RequestRecords &records)
{
    prependRecords(records, true);
}

void LiveRequestsModel::appendNewerRecords(const RequestRecords &records)
{
    prependRecords(records, false);
}

void LiveRequestsModel::prependRecords(const RequestRecords &records, bool withBodies)
{
    QList<Row> rows = takeNew(records, withBodies);
    if (rows.isEmpty())
        return;
    if (rows.size() > m_maxRows)
        rows.resize(m_maxRows);
    const int count = int(rows.size());
    beginInsertRows({}, 0, count - 1);
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
        m_ids.insert(it->record.id);
        m_rows.prepend(std::move(*it));
    }
    endInsertRows();
    trimToMaxRows();
    dropBodiesFrom(m_bodyRows, std::min(m_bodyRows + count, int(m_rows.size())) - 1);
}

void LiveRequestsModel::appendOlderRecords(const RequestRecords &records)
{
    QList<Row> rows = takeNew(records, false);
    const qsizetype room = m_maxRows - m_rows.size();
    if (rows.size() > room)
        rows.resize(std::max<qsizetype>(0, room));
    if (rows.isEmpty())
        return;
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(rows.size()) - 1);
    for (Row &row : rows) {
        m_ids.insert(row.record.id);
        m_rows.append(std::move(row));
    }
    endInsertRows();
}

void LiveRequestsModel::trimToMaxRows()
{
    if (m_rows.size() <= m_maxRows)
        return;
    beginRemoveRows({}, m_maxRows, int(m_rows.size()) - 1);
    for (qsizetype i = m_maxRows; i < m_rows.size(); ++i)
        m_ids.remove(m_rows.at(i).record.id);
    m_rows.resize(m_maxRows);
    endRemoveRows();
}

void LiveRequestsModel::dropBodiesFrom(int firstRow, int lastRow)
{
    for (int row = std::max(0, firstRow); row <= lastRow && row < m_rows.size(); ++row) {
        Row &r = m_rows[row];
        if (!r.hasBodies)
            continue;
        r.record.requestBody = QByteArray();
        r.record.responseBody = QByteArray();
        r.hasBodies = false;
    }
}

} // namespace sluice

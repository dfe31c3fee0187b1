#include "SpendQuery.h"

#include <atomic>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QSqlError>
#include <QSqlQuery>

#include "cost/BudgetLedger.h"
#include "cost/SpendBreakdown.h"
#include "cost/SpendExport.h"
#include "store/RecordColumns.h"
#include "store/StoreConnection.h"

namespace sluice {

SpendQuery::SpendQuery(const StoreLocation &store, QObject *parent)
    : QObject(parent)
    , m_store(store)
{ }

SpendQuery::~SpendQuery() = default;

Result<SpendSnapshot> SpendQuery::read(const SpendRequest &request)
{
    QElapsedTimer clock;
    clock.start();
    if (!m_breakdown)
        m_breakdown = std::make_unique<SpendBreakdown>(m_store);
    SpendSnapshot snapshot;
    snapshot.request = request;
    const qint64 length = request.from.msecsTo(request.to);
    snapshot.previousFrom = request.from.addMSecs(-length);
    snapshot.previousTo = request.from;
    Result<SpendLine> total = m_breakdown->total(request.from, request.to);
    if (!total)
        return total.error();
    snapshot.total = *total;
    Result<SpendLine> previous = m_breakdown->total(snapshot.previousFrom, snapshot.previousTo);
    if (!previous)
        return previous.error();
    snapshot.previousTotal = *previous;
    Result<QList<SpendPoint>> series = m_breakdown->series(request.bucket, request.by, request.from, request.to);
    if (!series)
        return series.error();
    snapshot.series = *series;
    Result<QList<SpendLine>> lines = m_breakdown->breakdown(request.by, request.from, request.to);
    if (!lines)
        return lines.error();
    snapshot.breakdown = *lines;
    const QDate today = request.now.toUTC().date();
    snapshot.monthStart = QDateTime(QDate(today.year(), today.month(), 1), QTime(0, 0), Qt::UTC);
    snapshot.monthEnd = snapshot.monthStart.addMonths(1);
    Result<SpendLine> month = m_breakdown->total(snapshot.monthStart, snapshot.monthEnd);
    if (!month)
        return month.error();
    snapshot.monthToDate = *month;
    for (const BudgetLimit &limit : request.budgets) {
        BudgetStatus status;
        status.limit = limit;
        status.title = BudgetLedger::describe(limit);
        status.periodStart = BudgetLedger::periodStart(limit.period, request.now);
        status.resetsAt = BudgetLedger::periodEnd(limit.period, request.now);
        status.softUsd = limit.limitUsd * (limit.softFraction >= 0 ? limit.softFraction : request.defaultSoftFraction);
        Result<double> spent = m_breakdown->budgetSpend(limit, status.periodStart, status.resetsAt);
        if (!spent)
            return spent.error();
        status.spentUsd = *spent;
        SpendSnapshot::project(status, request.now);
        snapshot.budgets.append(status);
    }
    snapshot.elapsedMs = clock.elapsed();
    return snapshot;
}

void SpendQuery::load(const SpendRequest &request)
{
    Result<SpendSnapshot> snapshot = read(request);
    if (!snapshot) {
        Q_EMIT failed(request.generation, snapshot.errorMessage());
        return;
    }
    Q_EMIT loaded(*snapshot);
}

void SpendQuery::exportRequests(const QDateTime &from, const QDateTime &to, SpendDimension by, const QString &value,
                                bool filtered, const QString &path, const QString &format)
{
    StoreConnection connection;
    static std::atomic<int> counter {0};
    if (Result<void> opened = connection.open(m_store, QStringLiteral("sluice-spend-export-%1").arg(++counter),
                                              StoreConnection::Mode::ReadOnly);
        !opened) {
        Q_EMIT exportFailed(opened.errorMessage());
        return;
    }
    QSqlQuery query(connection.database());
    query.setForwardOnly(true);
    if (!query.prepare(RecordColumns::selectSql(false)
                       + QStringLiteral(" WHERE r.started_at >= ? AND r.started_at < ? ORDER BY r.started_at"))) {
        Q_EMIT exportFailed(query.lastError().text());
        return;
    }
    query.addBindValue(from.toMSecsSinceEpoch());
    query.addBindValue(to.toMSecsSinceEpoch());
    if (!query.exec()) {
        Q_EMIT exportFailed(query.lastError().text());
        return;
    }
    const bool json = format == QLatin1String("json");
    // Written row by row: a month can hold a million requests.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        Q_EMIT exportFailed(tr("Could not write %1: %2").arg(path, file.errorString()));
        return;
    }
    QByteArray out;
    if (json) {
        out = "[";
    } else {
        out = "id,started_at,token,project,client,tags,endpoint,requested_model,provider,upstream_model,http_status,"
              "error_class,input_tokens,cached_tokens,cache_write_tokens,output_tokens,reasoning_tokens,cost_usd,"
              "cost_status,saved_usd\n";
    }
    qint64 count = 0;
    const auto number = [](qint64 tokens) {
        return tokens < 0 ? QString() : QString::number(tokens);
    };
    while (query.next()) {
        const RequestRecord record = RecordColumns::read(query, false);
        if (filtered && !SpendBreakdown::isTime(by) && !SpendSnapshot::valuesOf(record, by).contains(value))
            continue;
        if (out.size() > 1 << 20) {
            file.write(out);
            out.clear();
        }
        const QString started = record.startedAt.toUTC().toString(Qt::ISODateWithMs);
        if (json) {
            const auto known = [](qint64 v) {
                return v < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(v);
            };
            const QJsonObject row {
                {QStringLiteral("id"), record.id},
                {QStringLiteral("started_at"), started},
                {QStringLiteral("token"), record.tokenName},
                {QStringLiteral("project"), record.project},
                {QStringLiteral("client"), record.client},
                {QStringLiteral("tags"), QJsonArray::fromStringList(record.tags)},
                {QStringLiteral("endpoint"), record.endpoint},
                {QStringLiteral("requested_model"), record.requestedModel},
                {QStringLiteral("provider"), record.provider},
                {QStringLiteral("upstream_model"), record.upstreamModel},
                {QStringLiteral("http_status"), record.httpStatus},
                {QStringLiteral("error_class"), record.errorClass},
                {QStringLiteral("input_tokens"), known(record.inputTokens)},
                {QStringLiteral("cached_tokens"), known(record.cachedTokens)},
                {QStringLiteral("cache_write_tokens"), known(record.cacheWriteTokens)},
                {QStringLiteral("output_tokens"), known(record.outputTokens)},
                {QStringLiteral("reasoning_tokens"), known(record.reasoningTokens)},
                {QStringLiteral("cost_usd"),
                 record.costUsd < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(record.costUsd)},
                {QStringLiteral("cost_status"), record.costStatus},
                {QStringLiteral("saved_usd"),
                 record.savedUsd < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(record.savedUsd)},
            };
            out += (count == 0 ? "\n" : ",\n") + QJsonDocument(row).toJson(QJsonDocument::Compact);
        } else {
            const QStringList cells {
                record.id,
                started,
                SpendExport::csvField(record.tokenName),
                SpendExport::csvField(record.project),
                SpendExport::csvField(record.client),
                SpendExport::csvField(record.tags.join(QLatin1Char(';'))),
                SpendExport::csvField(record.endpoint),
                SpendExport::csvField(record.requestedModel),
                SpendExport::csvField(record.provider),
                SpendExport::csvField(record.upstreamModel),
                QString::number(record.httpStatus),
                record.errorClass,
                number(record.inputTokens),
                number(record.cachedTokens),
                number(record.cacheWriteTokens),
                number(record.outputTokens),
                number(record.reasoningTokens),
                record.costUsd < 0 ? QString() : QString::number(record.costUsd, 'g', 15),
                record.costStatus,
                record.savedUsd < 0 ? QString() : QString::number(record.savedUsd, 'g', 15),
            };
            out += cells.join(QLatin1Char(',')).toUtf8() + '\n';
        }
        ++count;
    }
    if (json)
        out += "\n]\n";
    if (file.write(out) != out.size() || !file.commit()) {
        Q_EMIT exportFailed(tr("Could not write %1: %2").arg(path, file.errorString()));
        return;
    }
    Q_EMIT exported(path, count);
}

} // namespace sluice

#include "RecordColumns.h"

#include <QVariant>

namespace sluice {

namespace {

// QSQLITE binds a null QString as NULL; NOT NULL text columns get an empty string instead.
QVariant text(const QString &value)
{
    return value.isNull() ? QVariant(QString(QLatin1String(""))) : QVariant(value);
}

QVariant textOrNull(const QString &value)
{
    return value.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(value);
}

QVariant knownOrNull(qint64 value)
{
    return value < 0 ? QVariant(QMetaType::fromType<qint64>()) : QVariant(value);
}

QVariant blobOrNull(const QByteArray &value)
{
    return value.isEmpty() ? QVariant(QMetaType::fromType<QByteArray>()) : QVariant(value);
}

qint64 knownOrMinusOne(const QVariant &value)
{
    return value.isNull() ? -1 : value.toLongLong();
}

} // namespace

QString RecordColumns::insertRequestSql()
{
    return QStringLiteral(
        "INSERT INTO requests (id, started_at, token_name, endpoint, requested_model, provider, upstream_model, "
        "stream, http_status, error_class, error_message, latency_us, time_to_first_token_us, input_tokens, "
        "output_tokens, cached_tokens, reasoning_tokens, bodies_truncated, cache_write_tokens, cost_usd, "
        "cost_status) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING");
}

QString RecordColumns::insertBodiesSql()
{
    return QStringLiteral("INSERT INTO request_bodies (request_seq, encoding, request_body, response_body) "
                          "VALUES (last_insert_rowid(), ?, ?, ?)");
}

void RecordColumns::bindRequest(QSqlQuery &query, const RequestRecord &record)
{
    const QDateTime startedAt = record.startedAt.isValid() ? record.startedAt : QDateTime::currentDateTimeUtc();
    query.bindValue(0, text(record.id));
    query.bindValue(1, startedAt.toMSecsSinceEpoch());
    query.bindValue(2, text(record.tokenName));
    query.bindValue(3, text(record.endpoint));
    query.bindValue(4, text(record.requestedModel));
    query.bindValue(5, text(record.provider));
    query.bindValue(6, text(record.upstreamModel));
    query.bindValue(7, int(record.stream));
    query.bindValue(8, record.httpStatus);
    query.bindValue(9, textOrNull(record.errorClass));
    query.bindValue(10, textOrNull(record.errorMessage));
    query.bindValue(11, record.latencyUs);
    query.bindValue(12, knownOrNull(record.timeToFirstTokenUs));
    query.bindValue(13, knownOrNull(record.inputTokens));
    query.bindValue(14, knownOrNull(record.outputTokens));
    query.bindValue(15, knownOrNull(record.cachedTokens));
    query.bindValue(16, knownOrNull(record.reasoningTokens));
    query.bindValue(17, int(record.bodiesTruncated));
    query.bindValue(18, knownOrNull(record.cacheWriteTokens));
    query.bindValue(19, record.costUsd < 0 ? QVariant(QMetaType::fromType<double>()) : QVariant(record.costUsd));
    query.bindValue(20, textOrNull(record.costStatus));
}

void RecordColumns::bindBodies(QSqlQuery &query, const RequestRecord &record)
{
    QByteArray request = record.requestBody;
    QByteArray response = record.responseBody;
    int encoding = RawEncoding;
    const qsizetype rawSize = request.size() + response.size();
    if (rawSize >= MinCompressedSize) {
        const auto compress = [](const QByteArray &body) {
            return body.isEmpty() ? body : qCompress(body, CompressionLevel);
        };
        QByteArray compressedRequest = compress(request);
        QByteArray compressedResponse = compress(response);
        if (compressedRequest.size() + compressedResponse.size() < rawSize) {
            request = std::move(compressedRequest);
            response = std::move(compressedResponse);
            encoding = ZlibEncoding;
        }
    }
    query.bindValue(0, encoding);
    query.bindValue(1, blobOrNull(request));
    query.bindValue(2, blobOrNull(response));
}

bool RecordColumns::hasBodies(const RequestRecord &record)
{
    return !record.requestBody.isEmpty() || !record.responseBody.isEmpty();
}

QString RecordColumns::selectSql(bool withBodies)
{
    static const QString columns = QStringLiteral(
        "SELECT r.id, r.started_at, r.token_name, r.endpoint, r.requested_model, r.provider, r.upstream_model, "
        "r.stream, r.http_status, r.error_class, r.error_message, r.latency_us, r.time_to_first_token_us, "
        "r.input_tokens, r.output_tokens, r.cached_tokens, r.reasoning_tokens, r.bodies_truncated, "
        "r.cache_write_tokens, r.cost_usd, r.cost_status");
    if (withBodies) {
        return columns
            + QStringLiteral(", b.encoding, b.request_body, b.response_body FROM requests r "
                             "LEFT JOIN request_bodies b ON b.request_seq = r.seq");
    }
    return columns + QStringLiteral(" FROM requests r");
}

RequestRecord RecordColumns::read(const QSqlQuery &query, bool withBodies)
{
    RequestRecord record;
    record.id = query.value(0).toString();
    record.startedAt = QDateTime::fromMSecsSinceEpoch(query.value(1).toLongLong(), Qt::UTC);
    record.tokenName = query.value(2).toString();
    record.endpoint = query.value(3).toString();
    record.requestedModel = query.value(4).toString();
    record.provider = query.value(5).toString();
    record.upstreamModel = query.value(6).toString();
    record.stream = query.value(7).toInt() != 0;
    record.httpStatus = query.value(8).toInt();
    record.errorClass = query.value(9).toString();
    record.errorMessage = query.value(10).toString();
    record.latencyUs = query.value(11).toLongLong();
    record.timeToFirstTokenUs = knownOrMinusOne(query.value(12));
    record.inputTokens = knownOrMinusOne(query.value(13));
    record.outputTokens = knownOrMinusOne(query.value(14));
    record.cachedTokens = knownOrMinusOne(query.value(15));
    record.reasoningTokens = knownOrMinusOne(query.value(16));
    record.bodiesTruncated = query.value(17).toInt() != 0;
    record.cacheWriteTokens = knownOrMinusOne(query.value(18));
    record.costUsd = query.value(19).isNull() ? -1 : query.value(19).toDouble();
    record.costStatus = query.value(20).toString();
    if (withBodies) {
        const bool compressed = query.value(21).toInt() == ZlibEncoding;
        const auto decode = [compressed](const QVariant &value) {
            const QByteArray stored = value.toByteArray();
            return compressed && !stored.isEmpty() ? qUncompress(stored) : stored;
        };
        record.requestBody = decode(query.value(22));
        record.responseBody = decode(query.value(23));
    }
    return record;
}

} // namespace sluice

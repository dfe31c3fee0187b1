#include "RecordColumns.h"

#include <algorithm>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QVariant>

#include "AttemptSummary.h"
#include "StoreLogging.h"

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

QVariant nonZeroOrNull(int value)
{
    return value == 0 ? QVariant(QMetaType::fromType<int>()) : QVariant(value);
}

qint64 knownOrMinusOne(const QVariant &value)
{
    return value.isNull() ? -1 : value.toLongLong();
}

bool isKeyNameChar(QChar c)
{
    return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('A') && c <= QLatin1Char('Z'))
        || (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('-') || c == QLatin1Char('_')
        || c == QLatin1Char('.');
}

constexpr qsizetype MaxKeyNameLength = 128;

QString guardrailHitsJson(const QList<GuardrailHit> &hits)
{
    if (hits.isEmpty())
        return {};
    QJsonArray array;
    for (const GuardrailHit &hit : hits)
        array.append(QJsonObject {{QStringLiteral("rule"), hit.rule},
                                  {QStringLiteral("action"), hit.action},
                                  {QStringLiteral("side"), hit.side},
                                  {QStringLiteral("count"), hit.count}});
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

QList<GuardrailHit> guardrailHitsFromJson(const QString &json)
{
    QList<GuardrailHit> hits;
    if (json.isEmpty())
        return hits;
    const QJsonArray array = QJsonDocument::fromJson(json.toUtf8()).array();
    for (const QJsonValue &value : array) {
        const QJsonObject hit = value.toObject();
        hits.append(
            GuardrailHit {hit.value(QLatin1String("rule")).toString(), hit.value(QLatin1String("action")).toString(),
                          hit.value(QLatin1String("side")).toString(), hit.value(QLatin1String("count")).toInt()});
    }
    return hits;
}

} // namespace

QString RecordColumns::insertRequestSql()
{
    return QStringLiteral(
        "INSERT INTO requests (id, started_at, token_name, endpoint, requested_model, provider, upstream_model, "
        "stream, http_status, error_class, error_message, latency_us, time_to_first_token_us, input_tokens, "
        "output_tokens, cached_tokens, reasoning_tokens, bodies_truncated, cache_write_tokens, cost_usd, "
        "cost_status, attempt_count, deployment, saved_usd, served_model, client, tags, project, guardrails, "
        "prompt_name, prompt_version, observed_prompt, compare_run) "
        "VALUES (:id, :started_at, :token_name, :endpoint, :requested_model, :provider, :upstream_model, :stream, "
        ":http_status, :error_class, :error_message, :latency_us, :time_to_first_token_us, :input_tokens, "
        ":output_tokens, :cached_tokens, :reasoning_tokens, :bodies_truncated, :cache_write_tokens, :cost_usd, "
        ":cost_status, :attempt_count, :deployment, :saved_usd, :served_model, :client, :tags, :project, :guardrails, "
        ":prompt_name, :prompt_version, :observed_prompt, :compare_run) "
        "ON CONFLICT(id) DO NOTHING");
}

QString RecordColumns::insertBodiesSql()
{
    return QStringLiteral("INSERT INTO request_bodies (request_seq, encoding, request_body, response_body) "
                          "VALUES (:request_seq, :encoding, :request_body, :response_body)");
}

QString RecordColumns::rollUpSpendSql()
{
    // The same sums as the backfill in 0006_spend_rollup.sql.
    return QStringLiteral(
        "INSERT INTO spend_hourly SELECT started_at - started_at % 3600000, "
        "COALESCE(NULLIF(upstream_model, ''), requested_model), provider, token_name, COUNT(*), TOTAL(input_tokens), "
        "TOTAL(cached_tokens), TOTAL(cache_write_tokens), TOTAL(output_tokens), TOTAL(reasoning_tokens), "
        "TOTAL(cost_usd), TOTAL(CASE WHEN cost_status = 'estimated' THEN cost_usd END), "
        "TOTAL(cost_status = 'estimated' AND cost_usd IS NOT NULL), TOTAL(cost_usd IS NULL), "
        "TOTAL(cost_status = 'free') FROM requests WHERE seq BETWEEN :first_seq AND :last_seq GROUP BY 1, 2, 3, 4 "
        "ON CONFLICT (hour, model, provider, token_name) DO UPDATE SET requests = requests + excluded.requests, "
        "input_tokens = input_tokens + excluded.input_tokens, cached_tokens = cached_tokens + excluded.cached_tokens, "
        "cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, "
        "output_tokens = output_tokens + excluded.output_tokens, "
        "reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, cost_usd = cost_usd + excluded.cost_usd, "
        "estimated_usd = estimated_usd + excluded.estimated_usd, estimated = estimated + excluded.estimated, "
        "unpriced = unpriced + excluded.unpriced, free = free + excluded.free");
}

const QStringList &RecordColumns::requestColumns()
{
    static const QStringList columns = {QStringLiteral("id"),
                                        QStringLiteral("started_at"),
                                        QStringLiteral("token_name"),
                                        QStringLiteral("endpoint"),
                                        QStringLiteral("requested_model"),
                                        QStringLiteral("provider"),
                                        QStringLiteral("upstream_model"),
                                        QStringLiteral("stream"),
                                        QStringLiteral("http_status"),
                                        QStringLiteral("error_class"),
                                        QStringLiteral("error_message"),
                                        QStringLiteral("latency_us"),
                                        QStringLiteral("time_to_first_token_us"),
                                        QStringLiteral("input_tokens"),
                                        QStringLiteral("output_tokens"),
                                        QStringLiteral("cached_tokens"),
                                        QStringLiteral("reasoning_tokens"),
                                        QStringLiteral("bodies_truncated"),
                                        QStringLiteral("cache_write_tokens"),
                                        QStringLiteral("cost_usd"),
                                        QStringLiteral("cost_status"),
                                        QStringLiteral("attempt_count"),
                                        QStringLiteral("deployment"),
                                        QStringLiteral("saved_usd"),
                                        QStringLiteral("served_model"),
                                        QStringLiteral("client"),
                                        QStringLiteral("tags"),
                                        QStringLiteral("project"),
                                        QStringLiteral("guardrails"),
                                        QStringLiteral("prompt_name"),
                                        QStringLiteral("prompt_version"),
                                        QStringLiteral("observed_prompt"),
                                        QStringLiteral("compare_run")};
    return columns;
}

QVariantList RecordColumns::requestValues(const RequestRecord &record)
{
    const QDateTime startedAt = record.startedAt.isValid() ? record.startedAt : QDateTime::currentDateTimeUtc();
    // The attempts themselves, when the record carries them, are the truth the summary is derived from.
    const bool withAttempts = !record.attempts.isEmpty();
    return {text(record.id),
            startedAt.toMSecsSinceEpoch(),
            text(record.tokenName),
            text(record.endpoint),
            text(record.requestedModel),
            text(record.provider),
            text(record.upstreamModel),
            int(record.stream),
            record.httpStatus,
            textOrNull(record.errorClass),
            textOrNull(record.errorMessage),
            record.latencyUs,
            knownOrNull(record.timeToFirstTokenUs),
            knownOrNull(record.inputTokens),
            knownOrNull(record.outputTokens),
            knownOrNull(record.cachedTokens),
            knownOrNull(record.reasoningTokens),
            int(record.bodiesTruncated),
            knownOrNull(record.cacheWriteTokens),
            record.costUsd < 0 ? QVariant(QMetaType::fromType<double>()) : QVariant(record.costUsd),
            textOrNull(record.costStatus),
            withAttempts ? QVariant(AttemptSummary::sentCount(record.attempts)) : knownOrNull(record.attemptCount),
            textOrNull(withAttempts ? AttemptSummary::answeringDeployment(record.attempts) : record.deployment),
            record.savedUsd < 0 ? QVariant(QMetaType::fromType<double>()) : QVariant(record.savedUsd),
            textOrNull(record.servedModel),
            textOrNull(record.client),
            record.tags.isEmpty()
                ? QVariant(QMetaType::fromType<QString>())
                : QVariant(QString::fromUtf8(
                    QJsonDocument(QJsonArray::fromStringList(record.tags)).toJson(QJsonDocument::Compact))),
            textOrNull(record.project.isEmpty() ? record.tokenName : record.project),
            textOrNull(guardrailHitsJson(record.guardrailHits)),
            textOrNull(record.promptName),
            nonZeroOrNull(record.promptVersion),
            textOrNull(record.observedPrompt),
            textOrNull(record.compareRun)};
}

// Values are bound by name: QSqlQuery's positional binding formats a placeholder name for every value, which was
// the writer's largest cost; a name is only looked up.
void RecordColumns::bindRequest(QSqlQuery &query, const RequestRecord &record)
{
    static const QStringList placeholders = [] {
        QStringList names;
        for (const QString &column : requestColumns())
            names.append(QLatin1Char(':') + column);
        return names;
    }();
    const QVariantList values = requestValues(record);
    for (qsizetype i = 0; i < values.size(); ++i)
        query.bindValue(placeholders.at(i), values.at(i));
}

QString RecordColumns::insertAttemptSql()
{
    return QStringLiteral(
        "INSERT INTO request_attempts (request_seq, attempt, model, deployment, provider, upstream_model, key_ref, "
        "started_at_ms, latency_ms, http_status, error_class, decision, wait_before_next_ms, reason, input_tokens, "
        "output_tokens, cached_tokens, reasoning_tokens, cache_write_tokens) "
        "VALUES (:request_seq, :attempt, :model, :deployment, :provider, :upstream_model, :key_ref, :started_at_ms, "
        ":latency_ms, :http_status, :error_class, :decision, :wait_before_next_ms, :reason, :input_tokens, "
        ":output_tokens, :cached_tokens, :reasoning_tokens, :cache_write_tokens)");
}

const QStringList &RecordColumns::attemptColumns()
{
    static const QStringList columns = {QStringLiteral("attempt"),          QStringLiteral("model"),
                                        QStringLiteral("deployment"),       QStringLiteral("provider"),
                                        QStringLiteral("upstream_model"),   QStringLiteral("key_ref"),
                                        QStringLiteral("started_at_ms"),    QStringLiteral("latency_ms"),
                                        QStringLiteral("http_status"),      QStringLiteral("error_class"),
                                        QStringLiteral("decision"),         QStringLiteral("wait_before_next_ms"),
                                        QStringLiteral("reason"),           QStringLiteral("input_tokens"),
                                        QStringLiteral("output_tokens"),    QStringLiteral("cached_tokens"),
                                        QStringLiteral("reasoning_tokens"), QStringLiteral("cache_write_tokens")};
    return columns;
}

QVariantList RecordColumns::attemptValues(int position, const AttemptRecord &attempt)
{
    QString keyRef = attempt.keyRef;
    if (!keyRef.isEmpty() && !isKeyReference(keyRef)) {
        qCWarning(lcStore) << "attempt" << position << "on" << attempt.deployment
                           << "names its key by something that is not a key reference; it was not logged";
        keyRef.clear();
    }
    return {position,
            text(attempt.model),
            text(attempt.deployment),
            text(attempt.provider),
            text(attempt.upstreamModel),
            textOrNull(keyRef),
            attempt.startedAtMs,
            attempt.latencyMs,
            nonZeroOrNull(attempt.httpStatus),
            textOrNull(attempt.errorClass),
            text(attempt.decision),
            attempt.waitBeforeNextMs,
            textOrNull(attempt.reason),
            knownOrNull(attempt.inputTokens),
            knownOrNull(attempt.outputTokens),
            knownOrNull(attempt.cachedTokens),
            knownOrNull(attempt.reasoningTokens),
            knownOrNull(attempt.cacheWriteTokens)};
}

void RecordColumns::bindAttempt(QSqlQuery &query, qint64 requestSeq, int position, const AttemptRecord &attempt)
{
    static const QStringList placeholders = [] {
        QStringList names;
        for (const QString &column : attemptColumns())
            names.append(QLatin1Char(':') + column);
        return names;
    }();
    query.bindValue(QStringLiteral(":request_seq"), requestSeq);
    const QVariantList values = attemptValues(position, attempt);
    for (qsizetype i = 0; i < values.size(); ++i)
        query.bindValue(placeholders.at(i), values.at(i));
}

QString RecordColumns::rollUpAttributionSql()
{
    // The same sums as the backfill in 0008_attribution.sql.
    return QStringLiteral(
        "WITH batch AS (SELECT started_at - started_at % 3600000 AS hour, "
        "COALESCE(NULLIF(upstream_model, ''), requested_model) AS model, requested_model, provider, token_name, "
        "COALESCE(client, '') AS client, COALESCE(project, token_name) AS project, tags, input_tokens, cached_tokens, "
        "cache_write_tokens, output_tokens, reasoning_tokens, cost_usd, cost_status, saved_usd FROM requests "
        "WHERE seq BETWEEN :first_seq AND :last_seq) "
        "INSERT INTO spend_hourly_by SELECT dimension, hour, value, COUNT(*), TOTAL(input_tokens), "
        "TOTAL(cached_tokens), TOTAL(cache_write_tokens), TOTAL(output_tokens), TOTAL(reasoning_tokens), "
        "TOTAL(cost_usd), TOTAL(CASE WHEN cost_status = 'estimated' THEN cost_usd END), "
        "TOTAL(cost_status = 'estimated' AND cost_usd IS NOT NULL), TOTAL(cost_usd IS NULL), "
        "TOTAL(cost_status = 'free'), TOTAL(cost_status = 'cached'), TOTAL(saved_usd) "
        "FROM (SELECT 'model' AS dimension, model AS value, * FROM batch "
        "UNION ALL SELECT 'provider', provider, * FROM batch UNION ALL SELECT 'token', token_name, * FROM batch "
        "UNION ALL SELECT 'client', client, * FROM batch UNION ALL SELECT 'project', project, * FROM batch "
        "UNION ALL SELECT 'requested_model', requested_model, * FROM batch "
        "UNION ALL SELECT 'tag', COALESCE(t.value, ''), b.* FROM batch b "
        "LEFT JOIN json_each(CASE WHEN json_valid(b.tags) THEN b.tags END) t) GROUP BY 1, 2, 3 "
        "ON CONFLICT (dimension, hour, value) DO UPDATE SET requests = requests + excluded.requests, "
        "input_tokens = input_tokens + excluded.input_tokens, cached_tokens = cached_tokens + excluded.cached_tokens, "
        "cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, "
        "output_tokens = output_tokens + excluded.output_tokens, "
        "reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, cost_usd = cost_usd + excluded.cost_usd, "
        "estimated_usd = estimated_usd + excluded.estimated_usd, estimated = estimated + excluded.estimated, "
        "unpriced = unpriced + excluded.unpriced, free = free + excluded.free, "
        "cache_hits = cache_hits + excluded.cache_hits, saved_usd = saved_usd + excluded.saved_usd");
}

QString RecordColumns::insertObservedPromptSql()
{
    return QStringLiteral("INSERT INTO observed_prompt_versions (fingerprint, prompt_key, client, system_text, tools, "
                          "first_seen) VALUES (:fingerprint, :prompt_key, :client, :system_text, :tools, :first_seen) "
                          "ON CONFLICT (fingerprint) DO NOTHING");
}

std::optional<QVariantList> RecordColumns::observedPromptValues(const RequestRecord &record)
{
    if (record.observedPrompt.isEmpty() || record.observedPromptSample.isEmpty())
        return std::nullopt;
    const QJsonObject sample = QJsonDocument::fromJson(record.observedPromptSample).object();
    if (sample.isEmpty())
        return std::nullopt;
    const QDateTime seen = record.startedAt.isValid() ? record.startedAt : QDateTime::currentDateTimeUtc();
    return QVariantList {
        record.observedPrompt,
        sample.value(QLatin1String("prompt_key")).toString(),
        sample.value(QLatin1String("client")).toString(),
        sample.value(QLatin1String("system_text")).toString(),
        QString::fromUtf8(QJsonDocument(sample.value(QLatin1String("tools")).toArray()).toJson(QJsonDocument::Compact)),
        seen.toMSecsSinceEpoch()};
}

bool RecordColumns::bindObservedPrompt(QSqlQuery &query, const RequestRecord &record)
{
    const std::optional<QVariantList> values = observedPromptValues(record);
    if (!values)
        return false;
    static const QString placeholders[]
        = {QStringLiteral(":fingerprint"), QStringLiteral(":prompt_key"), QStringLiteral(":client"),
           QStringLiteral(":system_text"), QStringLiteral(":tools"),      QStringLiteral(":first_seen")};
    for (qsizetype i = 0; i < values->size(); ++i)
        query.bindValue(placeholders[i], values->at(i));
    return true;
}

bool RecordColumns::isKeyReference(const QString &keyRef)
{
    static const QLatin1String prefixes[] = {QLatin1String("keychain:"), QLatin1String("env:")};
    for (const QLatin1String &prefix : prefixes) {
        if (!keyRef.startsWith(prefix)) {
            continue;
        }
        const QStringView name = QStringView(keyRef).mid(prefix.size());
        return !name.isEmpty() && name.size() <= MaxKeyNameLength
            && std::all_of(name.begin(), name.end(), isKeyNameChar);
    }
    return false;
}

QVariantList RecordColumns::bodyValues(const RequestRecord &record)
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
    return {encoding, blobOrNull(request), blobOrNull(response)};
}

void RecordColumns::bindBodies(QSqlQuery &query, qint64 requestSeq, const RequestRecord &record)
{
    const QVariantList values = bodyValues(record);
    query.bindValue(QStringLiteral(":request_seq"), requestSeq);
    query.bindValue(QStringLiteral(":encoding"), values.at(0));
    query.bindValue(QStringLiteral(":request_body"), values.at(1));
    query.bindValue(QStringLiteral(":response_body"), values.at(2));
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
        "r.cache_write_tokens, r.cost_usd, r.cost_status, r.attempt_count, r.deployment, r.saved_usd, "
        "r.served_model, r.client, r.tags, r.project, "
        "r.prompt_name, r.prompt_version, r.observed_prompt");
    if (withBodies) {
        return columns
            + QStringLiteral(
                   ", b.encoding, b.request_body, b.response_body, r.guardrails, r.compare_run FROM requests r "
                   "LEFT JOIN request_bodies b ON b.request_seq = r.seq");
    }
    return columns + QStringLiteral(", r.guardrails, r.compare_run FROM requests r");
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
    record.attemptCount = query.value(21).isNull() ? -1 : query.value(21).toInt();
    record.deployment = query.value(22).toString();
    record.savedUsd = query.value(23).isNull() ? -1 : query.value(23).toDouble();
    record.servedModel = query.value(24).toString();
    record.client = query.value(25).toString();
    const QJsonArray tags = QJsonDocument::fromJson(query.value(26).toString().toUtf8()).array();
    for (const QJsonValue &tag : tags)
        record.tags.append(tag.toString());
    record.project = query.value(27).isNull() ? record.tokenName : query.value(27).toString();
    record.promptName = query.value(28).toString();
    record.promptVersion = query.value(29).toInt();
    record.observedPrompt = query.value(30).toString();
    record.cacheHit = record.costStatus == QLatin1String(CostStatus::Cached);
    record.guardrailHits = guardrailHitsFromJson(query.value(QStringLiteral("guardrails")).toString());
    record.compareRun = query.value(QStringLiteral("compare_run")).toString();
    if (withBodies) {
        const bool compressed = query.value(31).toInt() == ZlibEncoding;
        const auto decode = [compressed](const QVariant &value) {
            const QByteArray stored = value.toByteArray();
            return compressed && !stored.isEmpty() ? qUncompress(stored) : stored;
        };
        record.requestBody = decode(query.value(32));
        record.responseBody = decode(query.value(33));
    }
    return record;
}

QString RecordColumns::selectAttemptsSql()
{
    return QStringLiteral("SELECT a.model, a.deployment, a.provider, a.upstream_model, a.key_ref, a.started_at_ms, "
                          "a.latency_ms, a.http_status, a.error_class, a.decision, a.wait_before_next_ms, a.reason, "
                          "a.input_tokens, a.output_tokens, a.cached_tokens, a.reasoning_tokens, a.cache_write_tokens "
                          "FROM request_attempts a WHERE a.request_seq = (SELECT seq FROM requests WHERE id = ?) "
                          "ORDER BY a.attempt");
}

AttemptRecord RecordColumns::readAttempt(const QSqlQuery &query)
{
    AttemptRecord attempt;
    attempt.model = query.value(0).toString();
    attempt.deployment = query.value(1).toString();
    attempt.provider = query.value(2).toString();
    attempt.upstreamModel = query.value(3).toString();
    attempt.keyRef = query.value(4).toString();
    attempt.startedAtMs = query.value(5).toLongLong();
    attempt.latencyMs = query.value(6).toLongLong();
    attempt.httpStatus = query.value(7).toInt();
    attempt.errorClass = query.value(8).toString();
    attempt.decision = query.value(9).toString();
    attempt.waitBeforeNextMs = query.value(10).toLongLong();
    attempt.reason = query.value(11).toString();
    attempt.inputTokens = knownOrMinusOne(query.value(12));
    attempt.outputTokens = knownOrMinusOne(query.value(13));
    attempt.cachedTokens = knownOrMinusOne(query.value(14));
    attempt.reasoningTokens = knownOrMinusOne(query.value(15));
    attempt.cacheWriteTokens = knownOrMinusOne(query.value(16));
    return attempt;
}

} // namespace sluice

#include "RequestCost.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QSet>

#include "config/Config.h"
#include "cost/CostLogging.h"
#include "cost/PriceCatalog.h"

namespace sluice {

namespace {

bool isOneOf(const QString &errorClass, std::initializer_list<const char *> classes)
{
    for (const char *candidate : classes) {
        if (errorClass == QLatin1String(candidate))
            return true;
    }
    return false;
}

// Failures after which the provider may have billed the request although it reported no (final) usage.
bool mayHaveBeenBilled(const RequestRecord &record)
{
    if (record.timeToFirstTokenUs >= 0 || record.relayedTextChars > 0)
        return true;
    return isOneOf(
        record.errorClass,
        {ErrorClass::None, ErrorClass::ClientDisconnected, ErrorClass::UpstreamTimeout, ErrorClass::UpstreamProtocol});
}

// A stream that ended this way may have stopped before the provider's final usage (Anthropic counts output
// tokens only at the end).
bool wasCut(const RequestRecord &record)
{
    return record.stream
        && isOneOf(record.errorClass,
                   {ErrorClass::ClientDisconnected, ErrorClass::UpstreamTimeout, ErrorClass::UpstreamConnection,
                    ErrorClass::UpstreamProtocol, ErrorClass::Internal});
}

qint64 tokensFor(qint64 chars)
{
    return chars <= 0 ? 0 : (chars + EstimatedCharsPerToken - 1) / EstimatedCharsPerToken;
}

bool isGeneratedKey(const QString &key)
{
    static const QSet<QString> keys = {
        QStringLiteral("content"),
        QStringLiteral("text"),
        QStringLiteral("thinking"),
        QStringLiteral("reasoning"),
        QStringLiteral("reasoning_content"),
        QStringLiteral("refusal"),
        QStringLiteral("arguments"),
        QStringLiteral("partial_json"),
        QStringLiteral("delta"),
    };
    return keys.contains(key);
}

qint64 textCharsIn(const QJsonValue &value, int depth = 0)
{
    if (depth > 32)
        return 0;
    qint64 total = 0;
    if (value.isArray()) {
        for (const QJsonValue &item : value.toArray())
            total += textCharsIn(item, depth + 1);
    } else if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            if (it.value().isString())
                total += isGeneratedKey(it.key()) ? it.value().toString().size() : 0;
            else
                total += textCharsIn(it.value(), depth + 1);
        }
    }
    return total;
}

void warnOnceUnpriced(const QString &provider, const QString &model)
{
    static QMutex mutex;
    static QSet<QString> warned;
    const QString key = provider + QLatin1Char('/') + model;
    QMutexLocker lock(&mutex);
    if (warned.contains(key))
        return;
    warned.insert(key);
    qCWarning(lcCost).noquote() << QStringLiteral("No price for model '%1' (provider '%2'): its requests are logged as "
                                                  "unpriced. Add a price under prices.overrides in the config.")
                                       .arg(model, provider);
}

qint64 requestSize(const RequestRecord &record)
{
    return record.requestBytes >= 0 ? record.requestBytes : record.requestBody.size();
}

qint64 relayedChars(const RequestRecord &record)
{
    return record.relayedTextChars >= 0 ? record.relayedTextChars : generatedTextChars(record.responseBody);
}

} // namespace

qint64 generatedTextChars(const QByteArray &responseBody)
{
    qint64 total = 0;
    bool sawEvents = false;
    for (const QByteArray &rawLine : responseBody.split('\n')) {
        const QByteArray line = rawLine.trimmed();
        if (!line.startsWith("data:"))
            continue;
        sawEvents = true;
        const QByteArray payload = line.mid(5).trimmed();
        if (payload.isEmpty() || payload == "[DONE]")
            continue;
        const QJsonObject event = QJsonDocument::fromJson(payload).object();
        // OpenAI's Responses API repeats the text of its deltas in .done events and in response.completed.
        const QString type = event.value(QLatin1String("type")).toString();
        if (type.startsWith(QLatin1String("response."))
            && (type.endsWith(QLatin1String(".done")) || type == QLatin1String("response.completed")
                || type == QLatin1String("response.incomplete") || type == QLatin1String("response.failed")))
            continue;
        total += textCharsIn(event);
    }
    if (!sawEvents) {
        const QJsonDocument document = QJsonDocument::fromJson(responseBody);
        total = textCharsIn(document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object()));
    }
    return total;
}

TokenUsage estimateUsage(const RequestRecord &record)
{
    TokenUsage usage;
    usage.input = tokensFor(requestSize(record));
    usage.output = tokensFor(relayedChars(record));
    return usage;
}

namespace {

// The token counts a request record or one of its attempts carries (the two share the field names).
template<typename Counted>
TokenUsage reportedUsage(const Counted &counted)
{
    TokenUsage usage;
    usage.input = counted.inputTokens;
    usage.output = counted.outputTokens;
    usage.cached = counted.cachedTokens;
    usage.reasoning = counted.reasoningTokens;
    usage.cacheWrite = counted.cacheWriteTokens;
    return usage;
}

// The cost of the answer the client got (or of the last attempt, when none answered).
Cost costOfAnswer(const RequestRecord &record, const PriceCatalog &catalog, const Config &config,
                  CostCalculator::Detail detail)
{
    const ProviderConfig *provider = config.provider(record.provider);
    if (provider && provider->free)
        return CostCalculator::free(QStringLiteral("provider '%1' is configured as free").arg(record.provider));
    if (record.provider.isEmpty()) {
        return CostCalculator::nothingBilled(
            QStringLiteral("not sent to a provider (%1)")
                .arg(record.errorClass.isEmpty() ? QStringLiteral("no route") : record.errorClass));
    }

    TokenUsage usage = reportedUsage(record);
    QString estimateNote;
    if (!usage.reported()) {
        if (!mayHaveBeenBilled(record)) {
            return CostCalculator::nothingBilled(
                QStringLiteral("no usage billed: the request failed (%1) before the provider generated anything")
                    .arg(record.errorClass));
        }
        usage = estimateUsage(record);
        estimateNote = QStringLiteral("estimated (the provider reported no usage) from %1 request bytes and %2 "
                                      "generated characters at %3 characters per token: ")
                           .arg(formatCount(requestSize(record)), formatCount(relayedChars(record)))
                           .arg(EstimatedCharsPerToken);
    } else if (usage.input < 0 || usage.output < 0 || wasCut(record)) {
        const TokenUsage estimate = estimateUsage(record);
        if (usage.input < 0)
            usage.input = estimate.input;
        usage.output = qMax(usage.output, estimate.output);
        estimateNote = QStringLiteral("estimated (the stream ended early, so the reported usage may not be final; "
                                      "output is the larger of the reported count and the relayed text at %1 "
                                      "characters per token): ")
                           .arg(EstimatedCharsPerToken);
    }

    const QString sent = record.upstreamModel.isEmpty() ? record.requestedModel : record.upstreamModel;
    const QDateTime when = record.startedAt.isValid() ? record.startedAt : QDateTime::currentDateTimeUtc();
    std::optional<PriceMatch> match = catalog.find(config, record.provider, sent, when);
    QString model = sent;
    if (!match && !record.servedModel.isEmpty()) {
        // An Azure deployment or a router alias has no price of its own: the model the provider says it served has.
        model = record.servedModel;
        match = catalog.find(config, record.provider, model, when);
    }
    if (!match) {
        warnOnceUnpriced(record.provider, model);
        const QString named = record.servedModel.isEmpty()
            ? QStringLiteral("'%1'").arg(sent)
            : QStringLiteral("'%1' (served as '%2')").arg(sent, record.servedModel);
        return CostCalculator::unpriced(
            QStringLiteral("no price for model %1 (provider '%2') in the price catalog %3 or the config's "
                           "prices.overrides")
                .arg(named, record.provider, catalog.version()));
    }
    Cost cost = CostCalculator::compute(match->price, usage, detail);
    if (cost.status == QLatin1String(CostStatus::Unpriced)) {
        warnOnceUnpriced(record.provider, model);
        return cost;
    }
    if (!estimateNote.isEmpty())
        cost.status = QString::fromLatin1(CostStatus::Estimated);
    if (detail == CostCalculator::Detail::None)
        return cost;
    cost.detail = QStringLiteral("%1 (%2, %3): ")
                      .arg(match->modelId, match->providerId.isEmpty() ? QStringLiteral("override") : match->providerId,
                           match->origin)
        + estimateNote + cost.detail;
    return cost;
}

// What the provider of a failed attempt billed for the usage it reported.
Cost costOfFailedAttempt(const AttemptRecord &attempt, const QDateTime &when, const PriceCatalog &catalog,
                         const Config &config, CostCalculator::Detail detail)
{
    const ProviderConfig *provider = config.provider(attempt.provider);
    if (provider && provider->free)
        return CostCalculator::free(QStringLiteral("provider '%1' is configured as free").arg(attempt.provider));
    const std::optional<PriceMatch> match = catalog.find(config, attempt.provider, attempt.upstreamModel, when);
    if (!match) {
        warnOnceUnpriced(attempt.provider, attempt.upstreamModel);
        return CostCalculator::unpriced(
            QStringLiteral("no price for model '%1' (provider '%2')").arg(attempt.upstreamModel, attempt.provider));
    }
    return CostCalculator::compute(match->price, reportedUsage(attempt), detail);
}

Cost costWith(const RequestRecord &record, const PriceCatalog &catalog, const Config &config,
              CostCalculator::Detail detail)
{
    Cost cost = costOfAnswer(record, catalog, config, detail);
    const QDateTime when = record.startedAt.isValid() ? record.startedAt : QDateTime::currentDateTimeUtc();
    // Failed attempts the provider billed (it reported usage before failing) count too: the user pays for them.
    for (qsizetype i = 0; i < record.attempts.size(); ++i) {
        const AttemptRecord &attempt = record.attempts.at(i);
        if (attempt.inputTokens < 0 && attempt.outputTokens < 0)
            continue;
        const Cost part = costOfFailedAttempt(attempt, when, catalog, config, detail);
        const QString label = QStringLiteral("failed attempt %1 (%2)").arg(i + 1).arg(attempt.deployment);
        if (part.status == QLatin1String(CostStatus::Unpriced) || cost.usd < 0) {
            cost.usd = -1;
            cost.status = QString::fromLatin1(CostStatus::Unpriced);
            cost.detail += QStringLiteral("; plus %1, %2").arg(label, part.detail);
            continue;
        }
        cost.usd += part.usd;
        if (cost.status == QLatin1String(CostStatus::Free))
            cost.status = part.status;
        cost.detail += QStringLiteral("; plus %1 billed: %2").arg(label, part.detail);
    }
    return cost;
}

} // namespace

Cost costOfRecord(const RequestRecord &record, const PriceCatalog &catalog, const Config &config)
{
    return costWith(record, catalog, config, CostCalculator::Detail::Explained);
}

void priceRecord(RequestRecord &record, const PriceCatalog &catalog, const Config &config)
{
    const Cost cost = costWith(record, catalog, config, CostCalculator::Detail::None);
    if (record.cacheHit) {
        // Nothing was bought: what the cached answer's usage would cost now is what the hit saved.
        record.savedUsd = cost.usd;
        record.costUsd = 0;
        record.costStatus = QString::fromLatin1(CostStatus::Cached);
        return;
    }
    record.costUsd = cost.usd;
    record.costStatus = cost.status;
}

} // namespace sluice

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "api/TokenUsage.h"
#include "config/Config.h"
#include "cost/PriceCatalog.h"
#include "cost/RequestCost.h"

using namespace sluice;

namespace {

enum class Format { OpenAi, Anthropic, Gemini };

// What a recorded exchange was billed, worked out by hand from the built-in catalog (USD per million tokens).
struct Expected
{
    const char *file; // relative to the recordings folder
    const char *provider; // a provider of the test config below
    Format format;
    double usd; // 0 with an error recording: the provider bills nothing for an error answer
};

// Requests are dated 2026-01-15 10:00 UTC: DeepSeek's standard (not off-peak) prices apply.
const Expected Recordings[] = {
    // gpt-4.1-nano ($0.10 in, $0.40 out): 16 x 0.1 + 363 x 0.4 = 146.8
    {"openai/openai-text.json", "openai", Format::OpenAi, 0.0001468},
    // 16 x 0.1 + 300 x 0.4 = 121.6
    {"openai/openai-text.chunks.txt", "openai", Format::OpenAi, 0.0001216},
    // gpt-3.5-turbo-instruct ($1.50 in, $2 out): 14 x 1.5 + 16 x 2 = 53
    {"openai/openai-completion-text.json", "openai", Format::OpenAi, 0.000053},
    {"openai/openai-completion-text.chunks.txt", "openai", Format::OpenAi, 0.000053},
    // Azure falls back to OpenAI's gpt-5-nano ($0.05 in, $0.40 out); the 64 reasoning tokens are inside the 78:
    // 15 x 0.05 + 78 x 0.4 = 31.95
    {"openai/azure-model-router.1.chunks.txt", "azure", Format::OpenAi, 0.00003195},
    {"openai/reasoning-model-legacy-parameter-error.json", "openai", Format::OpenAi, 0},
    // claude-sonnet-4-5 ($3 in, $15 out): 69 x 3 + 33 x 15 = 702
    {"anthropic/anthropic-clear-thinking.1.json", "anthropic", Format::Anthropic, 0.000702},
    // message_delta's final count: 69 x 3 + 53 x 15 = 1,002
    {"anthropic/anthropic-clear-thinking.1.chunks.txt", "anthropic", Format::Anthropic, 0.001002},
    // claude-haiku-4-5 ($1 in, $5 out): 1,151 x 1 + 87 x 5 = 1,586
    {"anthropic/anthropic-json-tool.1.json", "anthropic", Format::Anthropic, 0.001586},
    // 849 x 1 + 47 x 5 = 1,084
    {"anthropic/anthropic-json-tool.1.chunks.txt", "anthropic", Format::Anthropic, 0.001084},
    // claude-opus-4-5 ($5 in, $25 out); message_delta revises the input to 61: 61 x 5 + 2 x 25 = 355
    {"anthropic/anthropic-message-delta-input-tokens.chunks.txt", "anthropic", Format::Anthropic, 0.000355},
    // claude-fable-5 ($10 in, $50 out): 18 x 10 + 5 x 50 = 430
    {"anthropic/anthropic-refusal.json", "anthropic", Format::Anthropic, 0.00043},
    {"anthropic/anthropic-refusal.chunks.txt", "anthropic", Format::Anthropic, 0.00043},
    // claude-sonnet-4-5: 12 x 3 + 29 x 15 = 471
    {"anthropic/anthropic-text.json", "anthropic", Format::Anthropic, 0.000471},
    // 12 x 3 + 30 x 15 = 486
    {"anthropic/anthropic-text.chunks.txt", "anthropic", Format::Anthropic, 0.000486},
    // claude-3-opus-20240229 is claude-3-opus-latest ($15 in, $75 out): 602 x 15 + 93 x 75 = 16,005
    {"anthropic/anthropic-tool-no-args.json", "anthropic", Format::Anthropic, 0.016005},
    // claude-sonnet-4-5: 565 x 3 + 48 x 15 = 2,415
    {"anthropic/anthropic-tool-no-args.chunks.txt", "anthropic", Format::Anthropic, 0.002415},
    // deepseek-chat, 00:30-16:30 UTC ($0.27 in, $1.10 out): 13 x 0.27 + 300 x 1.1 = 333.51
    {"deepseek/deepseek-text.json", "deepseek", Format::OpenAi, 0.00033351},
    // 13 x 0.27 + 400 x 1.1 = 443.51
    {"deepseek/deepseek-text.chunks.txt", "deepseek", Format::OpenAi, 0.00044351},
    // deepseek-reasoner ($0.55 in, $2.19 out), reasoning inside completion_tokens: 18 x 0.55 + 345 x 2.19 = 765.45
    {"deepseek/deepseek-reasoning.json", "deepseek", Format::OpenAi, 0.00076545},
    // 18 x 0.55 + 219 x 2.19 = 489.51
    {"deepseek/deepseek-reasoning.chunks.txt", "deepseek", Format::OpenAi, 0.00048951},
    // gemini-3-pro-preview ($2 in, $12 out), output = candidates + thoughts: 9 x 2 + (28 + 244) x 12 = 3,282
    {"google/google-text.json", "google", Format::Gemini, 0.003282},
    // last usageMetadata: 9 x 2 + (23 + 185) x 12 = 2,514
    {"google/google-text.chunks.txt", "google", Format::Gemini, 0.002514},
    // 9 x 2 + (29 + 282) x 12 = 3,750
    {"google/google-reasoning.json", "google", Format::Gemini, 0.00375},
    // 9 x 2 + (29 + 256) x 12 = 3,438
    {"google/google-reasoning.chunks.txt", "google", Format::Gemini, 0.003438},
    // 29 x 2 + (15 + 893) x 12 = 10,954
    {"google/google-tool-call.json", "google", Format::Gemini, 0.010954},
    // 29 x 2 + (15 + 45) x 12 = 778
    {"google/google-tool-call.chunks.txt", "google", Format::Gemini, 0.000778},
    {"google/google-429-retry-info.json", "google", Format::Gemini, 0},
    // llama-3.3-70b-versatile ($0.59 in, $0.79 out): 45 x 0.59 + 607 x 0.79 = 506.08
    {"groq/groq-text.json", "groq", Format::OpenAi, 0.00050608},
    // 45 x 0.59 + 662 x 0.79 = 549.53
    {"groq/groq-text.chunks.txt", "groq", Format::OpenAi, 0.00054953},
    // 218 x 0.59 + 15 x 0.79 = 140.47
    {"groq/groq-tool-call.json", "groq", Format::OpenAi, 0.00014047},
    // 210 x 0.59 + 15 x 0.79 = 135.75
    {"groq/groq-tool-call.chunks.txt", "groq", Format::OpenAi, 0.00013575},
    // mistral-small-latest ($0.10 in, $0.30 out): 13 x 0.1 + 434 x 0.3 = 131.5
    {"mistral/mistral-text.json", "mistral", Format::OpenAi, 0.0001315},
    // 13 x 0.1 + 8 x 0.3 = 3.7
    {"mistral/mistral-text.chunks.txt", "mistral", Format::OpenAi, 0.0000037},
    // 124 x 0.1 + 22 x 0.3 = 19
    {"mistral/mistral-tool-call.json", "mistral", Format::OpenAi, 0.000019},
    {"mistral/mistral-tool-call.chunks.txt", "mistral", Format::OpenAi, 0.000019},
    // grok-3-mini ($0.30 in, $0.075 cache read, $0.50 out); xAI leaves the 320 reasoning tokens out of
    // completion_tokens: (12 - 2) x 0.3 + 2 x 0.075 + (2 + 320) x 0.5 = 164.15, as xAI's own cost_in_usd_ticks
    {"openai-compatible/xai-text.json", "xai", Format::OpenAi, 0.00016415},
    // (12 - 11) x 0.3 + 11 x 0.075 + (2 + 340) x 0.5 = 172.125
    {"openai-compatible/xai-text.chunks.txt", "xai", Format::OpenAi, 0.000172125},
};

struct Recorded
{
    QString model;
    TokenUsage usage;
    QJsonObject lastUsageObject;
};

QJsonObject usageObject(const QJsonObject &event, Format format)
{
    switch (format) {
    case Format::OpenAi:
        return event.value(QLatin1String("usage")).toObject();
    case Format::Anthropic:
        if (event.contains(QLatin1String("message")))
            return event.value(QLatin1String("message")).toObject().value(QLatin1String("usage")).toObject();
        return event.value(QLatin1String("usage")).toObject();
    case Format::Gemini:
        return event.value(QLatin1String("usageMetadata")).toObject();
    }
    return {};
}

TokenUsage parseUsage(const QJsonObject &usage, Format format)
{
    switch (format) {
    case Format::OpenAi:
        return TokenUsage::fromOpenAiChat(usage);
    case Format::Anthropic:
        return TokenUsage::fromAnthropic(usage);
    case Format::Gemini:
        return TokenUsage::fromGemini(usage);
    }
    return {};
}

// The usage a gateway sees: the body's, or the stream's events merged in order (later counts win).
Recorded read(const QString &path, Format format)
{
    Recorded recorded;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return recorded;
    const QByteArray bytes = file.readAll();
    QList<QJsonObject> events;
    if (path.endsWith(QLatin1String(".chunks.txt"))) {
        for (const QByteArray &line : bytes.split('\n')) {
            if (!line.trimmed().isEmpty())
                events.append(QJsonDocument::fromJson(line).object());
        }
    } else {
        events.append(QJsonDocument::fromJson(bytes).object());
    }
    for (const QJsonObject &event : std::as_const(events)) {
        if (recorded.model.isEmpty()) {
            for (const QJsonValue &model :
                 {event.value(QLatin1String("model")), event.value(QLatin1String("modelVersion")),
                  event.value(QLatin1String("message")).toObject().value(QLatin1String("model"))}) {
                if (model.isString() && recorded.model.isEmpty())
                    recorded.model = model.toString();
            }
        }
        const QJsonObject usage = usageObject(event, format);
        if (!usage.isEmpty()) {
            recorded.usage.mergeFrom(parseUsage(usage, format));
            recorded.lastUsageObject = usage;
        }
    }
    return recorded;
}

ProviderConfig provider(const char *name, const char *baseUrl)
{
    ProviderConfig config;
    config.name = QString::fromLatin1(name);
    config.type = QStringLiteral("openai");
    config.baseUrl = QUrl(QString::fromLatin1(baseUrl));
    return config;
}

} // namespace

// The cost of every recorded provider answer, through the same path as a logged request (priceRecord), against
// figures worked out by hand above.
class TestRecordingCosts : public QObject
{
    Q_OBJECT

private:
    QString m_dir;
    PriceCatalog m_catalog;
    Config m_config;

private Q_SLOTS:
    void initTestCase()
    {
        m_dir = qEnvironmentVariable("SLUICE_RECORDINGS_DIR");
        QVERIFY2(QDir(m_dir).exists(), "SLUICE_RECORDINGS_DIR must name the provider-recordings folder");
        Result<PriceCatalog> catalog = PriceCatalog::builtIn();
        QVERIFY2(catalog.ok(), qPrintable(catalog.errorMessage()));
        m_catalog = std::move(catalog).value();
        m_config.providers = {
            provider("openai", "https://api.openai.com/v1"),
            provider("azure", "https://my-resource.openai.azure.com/openai"),
            provider("anthropic", "https://api.anthropic.com/v1"),
            provider("deepseek", "https://api.deepseek.com"),
            provider("google", "https://generativelanguage.googleapis.com/v1beta"),
            provider("groq", "https://api.groq.com/openai/v1"),
            provider("mistral", "https://api.mistral.ai/v1"),
            provider("xai", "https://api.x.ai/v1"),
        };
    }

    void everyRecordingHasAHandCheckedFigure()
    {
        QStringList covered;
        for (const Expected &expected : Recordings)
            covered.append(QString::fromLatin1(expected.file));
        QDirIterator it(m_dir, {QStringLiteral("*.json"), QStringLiteral("*.chunks.txt")}, QDir::Files,
                        QDirIterator::Subdirectories);
        int files = 0;
        while (it.hasNext()) {
            const QString relative = QDir(m_dir).relativeFilePath(it.next());
            QVERIFY2(covered.contains(relative), qPrintable(relative + QStringLiteral(" has no expected cost here")));
            ++files;
        }
        QCOMPARE(files, int(std::size(Recordings)));
    }

    void recordedUsageCostsWhatWasWorkedOutByHand_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("provider");
        QTest::addColumn<int>("format");
        QTest::addColumn<double>("usd");
        for (const Expected &expected : Recordings) {
            QTest::newRow(expected.file) << QString::fromLatin1(expected.file) << QString::fromLatin1(expected.provider)
                                         << int(expected.format) << expected.usd;
        }
    }

    void recordedUsageCostsWhatWasWorkedOutByHand()
    {
        QFETCH(QString, file);
        QFETCH(QString, provider);
        QFETCH(int, format);
        QFETCH(double, usd);
        const Recorded recorded = read(QDir(m_dir).filePath(file), Format(format));

        RequestRecord record;
        record.startedAt = QDateTime(QDate(2026, 1, 15), QTime(10, 0), Qt::UTC);
        record.provider = provider;
        record.upstreamModel = recorded.model.isEmpty() ? QStringLiteral("gemini-3-pro-preview") : recorded.model;
        record.requestedModel = record.upstreamModel;
        record.stream = file.endsWith(QLatin1String(".chunks.txt"));
        record.httpStatus = 200;
        record.inputTokens = recorded.usage.input;
        record.outputTokens = recorded.usage.output;
        record.cachedTokens = recorded.usage.cached;
        record.reasoningTokens = recorded.usage.reasoning;
        record.cacheWriteTokens = recorded.usage.cacheWrite;
        if (!recorded.usage.reported()) {
            // An error answer (quota, bad parameter): the gateway logs the provider's error status.
            QVERIFY2(file.contains(QLatin1String("error")) || file.contains(QLatin1String("429")), qPrintable(file));
            record.httpStatus = 400;
            record.errorClass = QLatin1String(ErrorClass::UpstreamError);
        }

        const Cost cost = costOfRecord(record, m_catalog, m_config);
        priceRecord(record, m_catalog, m_config);
        QCOMPARE(record.costStatus, QString::fromLatin1(CostStatus::Exact));
        QCOMPARE(record.costStatus, cost.status);
        QVERIFY2(qAbs(record.costUsd - usd) < 1e-12,
                 qPrintable(QStringLiteral("%1: %2 instead of %3 (%4)")
                                .arg(file)
                                .arg(record.costUsd, 0, 'g', 15)
                                .arg(usd, 0, 'g', 15)
                                .arg(cost.detail)));

        // xAI reports its own charge in units of 1e-10 USD: Sluice's figure agrees.
        const QJsonValue ticks = recorded.lastUsageObject.value(QLatin1String("cost_in_usd_ticks"));
        if (ticks.isDouble())
            QVERIFY(qAbs(record.costUsd - ticks.toDouble() * 1e-10) < 1e-12);
    }
};

QTEST_GUILESS_MAIN(TestRecordingCosts)
#include "tst_recordingcosts.moc"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include "config/Config.h"
#include "cost/PriceCatalog.h"

using namespace sluice;

namespace {

QDateTime utc(const QString &iso)
{
    return QDateTime::fromString(iso, Qt::ISODate).toUTC();
}

const QDateTime Now = utc(QStringLiteral("2026-09-15T10:00:00Z"));

// JSON written with ' for ", to keep the test data readable.
QByteArray q(const char *json)
{
    return QByteArray(json).replace('\'', '"');
}

// A small catalog in genai-prices' shape: one provider, two models.
const QByteArray TinyCatalog
    = q("[{'id': 'acme', 'name': 'Acme AI', 'api_pattern': 'https://api\\\\.acme\\\\.test',"
        "'model_match': {'starts_with': 'acme-'}, 'models': ["
        "{'id': 'acme-small', 'match': {'equals': 'acme-small'}, 'prices': {'input_mtok': 1, 'output_mtok': 2}},"
        "{'id': 'acme-large', 'match': {'starts_with': 'acme-large'},"
        "'prices': {'input_mtok': 10, 'output_mtok': 20}}]}]");

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

} // namespace

class TestPriceCatalog : public QObject
{
    Q_OBJECT

private:
    PriceCatalog m_catalog;

    QString providerFor(const QString &name, const QString &url) const
    {
        const CatalogProvider *provider = m_catalog.providerFor(name, QUrl(url));
        return provider ? provider->id : QString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        Result<PriceCatalog> catalog = PriceCatalog::builtIn();
        QVERIFY2(catalog.ok(), qPrintable(catalog.errorMessage()));
        m_catalog = std::move(catalog).value();
    }

    void builtInCatalogShowsItsDate()
    {
        QCOMPARE(m_catalog.date(), QDate(2026, 8, 21));
        QVERIFY2(m_catalog.version().startsWith(QLatin1String("2026-08-21 genai-prices")),
                 qPrintable(m_catalog.version()));
        QCOMPARE(m_catalog.origin(), QStringLiteral("built in"));
        QVERIFY(m_catalog.providers().size() >= 30);
        QVERIFY(m_catalog.modelCount() >= 1000);
        // The MIT notice ships with the data.
        QFile license(QStringLiteral(":/prices/LICENSE"));
        QVERIFY(license.open(QIODevice::ReadOnly));
        QVERIFY(license.readAll().contains("Pydantic Services Inc."));
    }

    void providerIsFoundByBaseUrlThenByName()
    {
        QCOMPARE(providerFor(QString(), QStringLiteral("https://api.openai.com/v1")), QStringLiteral("openai"));
        QCOMPARE(providerFor(QStringLiteral("work"), QStringLiteral("https://api.anthropic.com/v1")),
                 QStringLiteral("anthropic"));
        QCOMPARE(providerFor(QString(), QStringLiteral("https://my-res.openai.azure.com/openai")),
                 QStringLiteral("azure"));
        QCOMPARE(providerFor(QString(), QStringLiteral("https://api.groq.com/openai/v1")), QStringLiteral("groq"));
        // The URL wins over the name.
        QCOMPARE(providerFor(QStringLiteral("openai"), QStringLiteral("https://api.x.ai/v1")), QStringLiteral("x-ai"));
        // No URL pattern: the name decides, by id or by the provider_match rule, case-insensitively.
        QCOMPARE(providerFor(QStringLiteral("OpenAI"), QStringLiteral("http://127.0.0.1:9000/v1")),
                 QStringLiteral("openai"));
        QCOMPARE(providerFor(QStringLiteral("my-anthropic-account"), QString()), QStringLiteral("anthropic"));
        QCOMPARE(providerFor(QStringLiteral("bedrock-east"), QString()), QStringLiteral("aws"));
        QCOMPARE(providerFor(QStringLiteral("xai"), QString()), QStringLiteral("x-ai"));
        QCOMPARE(providerFor(QStringLiteral("ollama"), QStringLiteral("http://127.0.0.1:11434/v1")), QString());
        // Then the adapter type, except the generic OpenAI-compatible one.
        const CatalogProvider *byType = m_catalog.providerFor(
            QStringLiteral("work"), QUrl(QStringLiteral("http://10.0.0.5/v1")), QStringLiteral("anthropic"));
        QVERIFY(byType);
        QCOMPARE(byType->id, QStringLiteral("anthropic"));
        QVERIFY(!m_catalog.providerFor(QStringLiteral("work"), QUrl(QStringLiteral("http://10.0.0.5/v1")),
                                       QStringLiteral("openai")));
    }

    void modelsMatchCaseInsensitivelyIncludingDatedNames()
    {
        const auto mini = m_catalog.find(QStringLiteral("openai"), QUrl(), QStringLiteral("GPT-4o-Mini"), Now);
        QVERIFY(mini);
        QCOMPARE(mini->providerId, QStringLiteral("openai"));
        QCOMPARE(mini->modelId, QStringLiteral("gpt-4o-mini"));
        QCOMPARE(mini->price.input.base, 0.15);
        QCOMPARE(mini->price.cacheRead.base, 0.075);
        QCOMPARE(mini->price.output.base, 0.6);
        QVERIFY(!mini->price.cacheWrite.isSet());
        QVERIFY(mini->origin.contains(QLatin1String("2026-08-21")));

        const auto sonnet = m_catalog.find(QString(), QUrl(QStringLiteral("https://api.anthropic.com/v1")),
                                           QStringLiteral("claude-sonnet-4-5-20250929"), Now);
        QVERIFY(sonnet);
        QCOMPARE(sonnet->modelId, QStringLiteral("claude-sonnet-4-5"));
        QCOMPARE(sonnet->price.cacheWrite.base, 3.75);
    }

    void modelNameAloneFindsTheProviderThatMakesIt()
    {
        // No URL pattern and no known name: the providers' model_match rules (a regex for Mistral) decide.
        const auto codestral
            = m_catalog.find(QStringLiteral("work-proxy"), QUrl(), QStringLiteral("codestral-latest"), Now);
        QVERIFY(codestral);
        QCOMPARE(codestral->providerId, QStringLiteral("mistral"));
        QCOMPARE(codestral->price.input.base, 0.3);
        const auto gpt = m_catalog.find(QString(), QUrl(), QStringLiteral("gpt-4o"), Now);
        QVERIFY(gpt);
        QCOMPARE(gpt->providerId, QStringLiteral("openai"));
        // A provider known by name only that lacks the model: the model's maker prices it.
        const auto byName = m_catalog.find(QStringLiteral("my-anthropic-proxy"), QUrl(), QStringLiteral("gpt-4o"), Now);
        QVERIFY(byName);
        QCOMPARE(byName->providerId, QStringLiteral("openai"));
    }

    void baseUrlDecidesWhoBills()
    {
        // Anthropic's API does not sell gpt-4o: another provider's price would be a guess, so it is unpriced.
        QVERIFY(!m_catalog.find(QString(), QUrl(QStringLiteral("https://api.anthropic.com/v1")),
                                QStringLiteral("gpt-4o"), Now));
        // Azure lists few models itself and falls back to OpenAI's prices.
        const auto azure = m_catalog.find(QString(), QUrl(QStringLiteral("https://my-res.openai.azure.com/openai")),
                                          QStringLiteral("gpt-4o-mini"), Now);
        QVERIFY(azure);
        QCOMPARE(azure->providerId, QStringLiteral("openai"));
        QCOMPARE(azure->price.output.base, 0.6);
    }

    // The gateway prices every request, so lookups are remembered: each answer must stay that of its own
    // provider, address and model, asked in any order, and a copied catalog must answer the same.
    void repeatedLookupsKeepEachProviderAndAddressApart()
    {
        const QUrl anthropic(QStringLiteral("https://api.anthropic.com/v1"));
        for (int round = 0; round < 3; ++round) {
            QVERIFY(!m_catalog.find(QString(), anthropic, QStringLiteral("gpt-4o"), Now));
            const auto openai = m_catalog.find(QString(), QUrl(), QStringLiteral("gpt-4o"), Now);
            QVERIFY(openai);
            QCOMPARE(openai->providerId, QStringLiteral("openai"));
            QVERIFY(!m_catalog.find(QStringLiteral("openai"), QUrl(), QStringLiteral("my-finetune-xyz"), Now));
            const auto sonnet
                = m_catalog.find(QStringLiteral("anthropic"), QUrl(), QStringLiteral("claude-sonnet-4-5"), Now);
            QVERIFY(sonnet);
            QCOMPARE(sonnet->providerId, QStringLiteral("anthropic"));
        }
        const PriceCatalog copy = m_catalog;
        const auto copied = copy.find(QString(), QUrl(), QStringLiteral("gpt-4o"), Now);
        QVERIFY(copied);
        QCOMPARE(copied->price.input.base,
                 m_catalog.find(QString(), QUrl(), QStringLiteral("gpt-4o"), Now)->price.input.base);
        QVERIFY(!copy.find(QString(), anthropic, QStringLiteral("gpt-4o"), Now));
    }

    void unknownModelsAreUnpriced()
    {
        QVERIFY(!m_catalog.find(QStringLiteral("openai"), QUrl(), QStringLiteral("my-finetune-xyz"), Now));
        QVERIFY(!m_catalog.find(QStringLiteral("ollama"), QUrl(QStringLiteral("http://127.0.0.1:11434/v1")),
                                QStringLiteral("llama3.1:8b"), Now));
        QVERIFY(!m_catalog.find(QString(), QUrl(), QString(), Now));
    }

    void pricesByDateApplyFromTheirStartDate()
    {
        const auto before = m_catalog.find(QStringLiteral("openai"), QUrl(), QStringLiteral("o3"),
                                           utc(QStringLiteral("2025-06-09T23:59:59Z")));
        const auto after = m_catalog.find(QStringLiteral("openai"), QUrl(), QStringLiteral("o3"),
                                          utc(QStringLiteral("2025-06-10T00:00:00Z")));
        QVERIFY(before && after);
        QCOMPARE(before->price.input.base, 10.0);
        QCOMPARE(before->price.output.base, 40.0);
        QCOMPARE(after->price.input.base, 2.0);
        QCOMPARE(after->price.output.base, 8.0);
        QCOMPARE(after->schedule.size(), 2);
    }

    void pricesByTimeOfDayFollowTheUtcClock()
    {
        // DeepSeek: standard price 00:30-16:30 UTC, the first (off-peak) price otherwise.
        const auto at = [this](const QString &time) {
            return m_catalog
                .find(QStringLiteral("deepseek"), QUrl(), QStringLiteral("deepseek-chat"),
                      utc(QStringLiteral("2026-01-15T") + time + QLatin1Char('Z')))
                ->price.input.base;
        };
        QCOMPARE(at(QStringLiteral("10:00:00")), 0.27);
        QCOMPARE(at(QStringLiteral("00:30:00")), 0.27);
        QCOMPARE(at(QStringLiteral("16:29:59")), 0.27);
        QCOMPARE(at(QStringLiteral("16:30:00")), 0.135);
        QCOMPARE(at(QStringLiteral("20:00:00")), 0.135);
        QCOMPARE(at(QStringLiteral("00:29:59")), 0.135);
        // The same instant in another time zone is the same price.
        const QDateTime tokyo = QDateTime(QDate(2026, 1, 15), QTime(19, 0), QTimeZone("Asia/Tokyo"));
        QCOMPARE(m_catalog.find(QStringLiteral("deepseek"), QUrl(), QStringLiteral("deepseek-chat"), tokyo)
                     ->price.input.base,
                 0.27);
    }

    void tiersAreParsed()
    {
        const auto sonnet
            = m_catalog.find(QStringLiteral("anthropic"), QUrl(), QStringLiteral("claude-sonnet-4-5"), Now);
        QVERIFY(sonnet);
        QVERIFY(sonnet->price.input.isTiered());
        QCOMPARE(sonnet->price.input.rateFor(200'000), 3.0);
        QCOMPARE(sonnet->price.input.rateFor(200'001), 6.0);
        QCOMPARE(sonnet->price.output.rateFor(200'001), 22.5);
        QCOMPARE(sonnet->price.cacheRead.rateFor(0), 0.3);
        QVERIFY(sonnet->price.describe().contains(QStringLiteral("input: $3/M, $6/M above 200,000 input tokens")));
    }

    void configOverridesWin()
    {
        Config config;
        ProviderConfig openai;
        openai.name = QStringLiteral("openai");
        openai.baseUrl = QUrl(QStringLiteral("https://api.openai.com/v1"));
        ProviderConfig local;
        local.name = QStringLiteral("local");
        local.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:8080/v1"));
        config.providers = {openai, local};
        config.sourcePath = QStringLiteral("/somewhere/sluice.yaml");
        PriceOverride mini;
        mini.model = QStringLiteral("gpt-4o-mini");
        mini.provider = QStringLiteral("openai");
        mini.inputMtok = 0.2;
        mini.outputMtok = 0.8;
        mini.configLine = 42;
        PriceOverride finetunes;
        finetunes.model = QStringLiteral("ft:my-*");
        finetunes.inputMtok = 3;
        finetunes.outputMtok = 6;
        finetunes.cacheReadMtok = 1.5;
        PriceOverride shadowed = finetunes;
        shadowed.inputMtok = 99;
        config.prices.overrides = {mini, finetunes, shadowed};

        const auto overridden = m_catalog.find(config, QStringLiteral("openai"), QStringLiteral("GPT-4o-mini"), Now);
        QVERIFY(overridden);
        QCOMPARE(overridden->price.input.base, 0.2);
        QCOMPARE(overridden->price.output.base, 0.8);
        QVERIFY(!overridden->price.cacheRead.isSet());
        QVERIFY(overridden->providerId.isEmpty());
        QCOMPARE(overridden->origin, QStringLiteral("sluice.yaml:42 (prices.overrides)"));
        // Only for the provider it names: elsewhere the catalog prices the model.
        const auto other = m_catalog.find(config, QStringLiteral("local"), QStringLiteral("gpt-4o-mini"), Now);
        QVERIFY(other);
        QCOMPARE(other->providerId, QStringLiteral("openai"));
        QCOMPARE(other->price.input.base, 0.15);
        // A trailing * matches by prefix; the first matching override wins.
        const auto tuned = m_catalog.find(config, QStringLiteral("local"), QStringLiteral("ft:my-model-7"), Now);
        QVERIFY(tuned);
        QCOMPARE(tuned->price.input.base, 3.0);
        QCOMPARE(tuned->price.cacheRead.base, 1.5);
        QVERIFY(!m_catalog.find(config, QStringLiteral("local"), QStringLiteral("ft:other"), Now));
        // Without an override, a provider the catalog cannot place (a local proxy) is billed as the model's maker.
        const auto proxied = m_catalog.find(config, QStringLiteral("local"), QStringLiteral("claude-3-opus"), Now);
        QVERIFY(proxied);
        QCOMPARE(proxied->providerId, QStringLiteral("anthropic"));
    }

    void invalidDataIsRejectedWithAClearMessage_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("message");
        const QByteArray model = q("{'id': 'm', 'match': {'equals': 'm'}, 'prices': {'input_mtok': 1}}");
        const auto provider = [](const QByteArray &fields, const QByteArray &models) -> QByteArray {
            return "[{\"id\": \"p\", \"name\": \"P\", \"api_pattern\": \"https://p\\\\.test\"" + fields
                + ", \"models\": [" + models + "]}]";
        };
        QTest::newRow("not json") << QByteArray("[{") << QStringLiteral("test.json is not valid JSON");
        QTest::newRow("not a list") << QByteArray("{}") << QStringLiteral("expected a list of providers");
        QTest::newRow("no id") << QByteArray(q("[{'name': 'P', 'api_pattern': 'x', 'models': []}]"))
                               << QStringLiteral("test.json: providers[0].id: expected non-empty text");
        QTest::newRow("bad api pattern")
            << QByteArray("[{\"id\": \"p\", \"api_pattern\": \"https://(\", \"models\": []}]")
            << QStringLiteral("providers[0] (p).api_pattern: 'https://(' is not a valid regular expression");
        QTest::newRow("unknown clause")
            << provider("", q("{'id': 'm', 'match': {'begins_with': 'm'}, 'prices': {'input_mtok': 1}}"))
            << QStringLiteral("providers[0] (p).models[0].match: unknown match clause 'begins_with'; use one of "
                              "starts_with");
        QTest::newRow("bad regex") << provider("", q("{'id': 'm', 'match': {'or': [{'regex': '[a-'}]}, 'prices': {}}"))
                                   << QStringLiteral("models[0].match.or[0].regex: '[a-' is not a valid regular "
                                                     "expression");
        QTest::newRow("price not a number")
            << provider("", q("{'id': 'm', 'match': {'equals': 'm'}, 'prices': {'input_mtok': 'cheap'}}"))
            << QStringLiteral("models[0].prices.input_mtok: expected a price in USD per million tokens");
        QTest::newRow("negative price") << provider(
            "", q("{'id': 'm', 'match': {'equals': 'm'}, 'prices': {'output_mtok': -1}}"))
                                        << QStringLiteral("models[0].prices.output_mtok: expected a price");
        QTest::newRow("bad tier") << provider(
            "",
            q("{'id': 'm', 'match': {'equals': 'm'}, "
              "'prices': {'input_mtok': {'base': 1, 'tiers': [{'start': 'big', 'price': 2}]}}}"))
                                  << QStringLiteral("models[0].prices.input_mtok.tiers[0]: expected {\"start\"");
        QTest::newRow("bad start date") << provider(
            "",
            q("{'id': 'm', 'match': {'equals': 'm'}, "
              "'prices': [{'constraint': {'start_date': 'soon'}, 'prices': {'input_mtok': 1}}]}"))
                                        << QStringLiteral("models[0].prices[0].constraint.start_date: expected a date");
        QTest::newRow("no prices") << provider("", q("{'id': 'm', 'match': {'equals': 'm'}}"))
                                   << QStringLiteral("expected prices as an object or a non-empty list");
        QTest::newRow("duplicate id") << QByteArray("[" + provider("", model).mid(1).chopped(1) + ", "
                                                    + provider("", model).mid(1).chopped(1) + "]")
                                      << QStringLiteral("providers[1]: the id 'p' is already used by providers[0]");
        QTest::newRow("unknown fallback") << provider(q(", 'fallback_model_providers': ['nope']"), model)
                                          << QStringLiteral("provider 'p' falls back to 'nope', which is not in the "
                                                            "file");
        QTest::newRow("no models") << provider("", "") << QStringLiteral("test.json lists no models with prices");
    }

    void invalidDataIsRejectedWithAClearMessage()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, message);
        const Result<PriceCatalog> catalog = PriceCatalog::fromJson(json, QStringLiteral("test.json"));
        QVERIFY(!catalog.ok());
        QVERIFY2(catalog.errorMessage().contains(message), qPrintable(catalog.errorMessage()));
    }

    void installedCatalogIsUsedFromTheNextLoad()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString dataDir = dir.filePath(QStringLiteral("data"));
        // Nothing installed: the built-in catalog.
        QString warning;
        QCOMPARE(PriceCatalog::load(dataDir, &warning).origin(), QStringLiteral("built in"));
        QVERIFY(warning.isEmpty());

        const QString newer = dir.filePath(QStringLiteral("data-new.json"));
        QVERIFY(writeFile(newer, TinyCatalog));
        const Result<PriceCatalog> installed = PriceCatalog::install(newer, dataDir, QDate(2026, 9, 30));
        QVERIFY2(installed.ok(), qPrintable(installed.errorMessage()));
        QCOMPARE(installed->date(), QDate(2026, 9, 30));
        QVERIFY2(installed->version().startsWith(QLatin1String("2026-09-30 installed from data-new.json (sha256 ")),
                 qPrintable(installed->version()));

        const PriceCatalog loaded = PriceCatalog::load(dataDir, &warning);
        QVERIFY(warning.isEmpty());
        QCOMPARE(loaded.origin(), QDir::toNativeSeparators(PriceCatalog::installedPath(dataDir)));
        QCOMPARE(loaded.date(), QDate(2026, 9, 30));
        QCOMPARE(loaded.modelCount(), 2);
        const auto large = loaded.find(QString(), QUrl(QStringLiteral("https://api.acme.test/v1")),
                                       QStringLiteral("acme-large-2"), Now);
        QVERIFY(large);
        QCOMPARE(large->price.output.base, 20.0);

        // An invalid file is refused and leaves the installed catalog as it was.
        const QString broken = dir.filePath(QStringLiteral("broken.json"));
        QVERIFY(writeFile(broken, q("[{'id': 'acme', 'api_pattern': 'x', 'models': [{'id': 'm'}]}]")));
        const Result<PriceCatalog> refused = PriceCatalog::install(broken, dataDir, QDate(2026, 10, 1));
        QVERIFY(!refused.ok());
        QVERIFY2(refused.errorMessage().contains(QLatin1String("'match' is missing")),
                 qPrintable(refused.errorMessage()));
        QCOMPARE(PriceCatalog::load(dataDir).date(), QDate(2026, 9, 30));
        QVERIFY(!PriceCatalog::install(dir.filePath(QStringLiteral("missing.json")), dataDir).ok());

        // A damaged installed file does not stop Sluice: the built-in catalog is used and the problem reported.
        QVERIFY(writeFile(PriceCatalog::installedPath(dataDir), "[{\"id\": "));
        const PriceCatalog fallback = PriceCatalog::load(dataDir, &warning);
        QCOMPARE(fallback.origin(), QStringLiteral("built in"));
        QVERIFY2(warning.contains(QLatin1String("installed price catalog is not usable")), qPrintable(warning));
        QVERIFY(warning.contains(QLatin1String("sluice prices update")));
    }
};

QTEST_GUILESS_MAIN(TestPriceCatalog)
#include "tst_pricecatalog.moc"

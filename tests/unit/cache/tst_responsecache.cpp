#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include "api/ResponseAssembler.h"
#include "cache/CacheKey.h"
#include "cache/CachePolicy.h"
#include "cache/ResponseCache.h"
#include "config/ConfigLoader.h"
#include "store/Migrations.h"
#include "store/SqliteConnection.h"

using namespace sluice;

namespace {

CanonicalResponse sampleAnswer(const QString &text = QStringLiteral("Hello there"))
{
    CanonicalResponse response;
    response.id = QStringLiteral("resp-1");
    response.model = QStringLiteral("gpt-4.1-2025");
    response.created = 1'700'000'000;
    ContentPart thinking = ContentPart::makeThinking(QStringLiteral("Let me think"), QStringLiteral("sig=="));
    response.content = {thinking, ContentPart::makeText(text),
                        ContentPart::makeToolCall(QStringLiteral("call_1"), QStringLiteral("get_weather"),
                                                  QStringLiteral("{\"city\":\"Oslo\"}"))};
    response.finishReason = FinishReason::ToolCalls;
    response.usage.input = 120;
    response.usage.output = 45;
    response.usage.cached = 100;
    response.usage.reasoning = 10;
    return response;
}

CachedAnswer cachedAnswer(const QString &text = QStringLiteral("Hello there"))
{
    CachedAnswer answer;
    answer.response = sampleAnswer(text);
    answer.provider = QStringLiteral("openai");
    answer.upstreamModel = QStringLiteral("gpt-4.1");
    answer.deployment = QStringLiteral("openai/gpt-4.1");
    return answer;
}

QByteArray key(int n)
{
    return CacheKey::compute(ApiFormat::OpenAiChat, QStringLiteral("editor"),
                             QByteArrayLiteral("{\"model\":\"m\",\"n\":") + QByteArray::number(n) + '}');
}

} // namespace

class TestResponseCache : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void keyIgnoresTransportFieldsAndKeyOrder();
    void keySeparatesFormatsTokensAndContent();
    void policyFollowsConfigAndHeaders();
    void configReadsCacheSettings();
    void configRejectsBadTtl();
    void answerSurvivesJson();
    void assemblerRebuildsStreamedAnswer();
    void storedAnswerIsFoundUntilItExpires();
    void oldestEntriesAreEvictedPastTheBounds();
    void storingAgainReplacesTheEntry();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_database;
    qint64 m_now = 1'800'000'000'000;

    std::unique_ptr<ResponseCache> openCache(const CacheSettings &settings = {})
    {
        auto cache = std::make_unique<ResponseCache>(settings);
        cache->setClock([this] { return m_now; });
        const Result<void> opened = cache->open(m_database);
        if (!opened)
            qWarning() << opened.errorMessage();
        return opened ? std::move(cache) : nullptr;
    }
};

void TestResponseCache::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_database = m_dir->filePath(QStringLiteral("sluice.db"));
    SqliteConnection connection;
    QVERIFY(connection.open(m_database, QStringLiteral("migrate"), SqliteConnection::Mode::ReadWrite).ok());
    QSqlDatabase db = connection.database();
    const Result<void> migrated = Migrations::apply(db, m_database);
    QVERIFY2(migrated.ok(), qPrintable(migrated.ok() ? QString() : migrated.errorMessage()));
}

void TestResponseCache::cleanup()
{
    m_dir.reset();
}

void TestResponseCache::keyIgnoresTransportFieldsAndKeyOrder()
{
    const QByteArray plain = R"({"model":"gpt","messages":[{"role":"user","content":"Hi"}],"temperature":0})";
    const QByteArray streamed = R"({"stream":true,"stream_options":{"include_usage":true},"temperature":0,)"
                                R"("user":"alice","metadata":{"run":"7"},"messages":[{"role":"user","content":"Hi"}],)"
                                R"("model":"gpt"})";
    QCOMPARE(CacheKey::compute(ApiFormat::OpenAiChat, QStringLiteral("editor"), plain),
             CacheKey::compute(ApiFormat::OpenAiChat, QStringLiteral("editor"), streamed));
    QCOMPARE(CacheKey::compute(ApiFormat::OpenAiChat, QStringLiteral("editor"), plain).size(), 32);
}

void TestResponseCache::keySeparatesFormatsTokensAndContent()
{
    const QByteArray body = R"({"model":"gpt","messages":[{"role":"user","content":"Hi"}]})";
    const QByteArray base = CacheKey::compute(ApiFormat::OpenAiChat, QStringLiteral("editor"), body);
    QVERIFY(base != CacheKey::compute(ApiFormat::AnthropicMessages, QStringLiteral("editor"), body));
    QVERIFY(base != CacheKey::compute(ApiFormat::OpenAiChat, QStringLiteral("ci"), body));
    QVERIFY(base
            != CacheKey::compute(ApiFormat::OpenAiChat, QStringLiteral("editor"),
                                 R"({"model":"gpt","messages":[{"role":"user","content":"Hi!"}]})"));
    QVERIFY(base
            != CacheKey::compute(ApiFormat::OpenAiChat, QStringLiteral("editor"),
                                 R"({"model":"gpt","messages":[{"role":"user","content":"Hi"}],"temperature":1})"));
    QVERIFY(base
            != CacheKey::compute(ApiFormat::OpenAiChat, QStringLiteral("editor"),
                                 R"({"model":"gpt-mini","messages":[{"role":"user","content":"Hi"}]})"));
}

void TestResponseCache::policyFollowsConfigAndHeaders()
{
    CacheSettings global;
    global.enabled = false;
    global.ttlMs = 60'000;
    ModelRoute plain;
    ModelRoute cached;
    cached.cache = RouteCacheSettings {true, 3'600'000};
    ModelRoute optedOut;
    optedOut.cache = RouteCacheSettings {false, 0};
    const HttpHeaders none;

    QVERIFY(!CachePolicy::decide(global, &plain, none).applies());
    const CachePolicy routed = CachePolicy::decide(global, &cached, none);
    QVERIFY(routed.read && routed.write);
    QCOMPARE(routed.ttlMs, 3'600'000);
    QVERIFY(!CachePolicy::decide(global, nullptr, {{"x-sluice-cache", "on"}}).applies());

    // The explicit per-request switch beats the config, both ways.
    const CachePolicy optedIn = CachePolicy::decide(global, &plain, {{"X-Sluice-Cache", "on"}});
    QVERIFY(optedIn.read && optedIn.write);
    QCOMPARE(optedIn.ttlMs, 60'000);
    QVERIFY(!CachePolicy::decide(global, &cached, {{"x-sluice-cache", "off"}}).applies());

    global.enabled = true;
    QVERIFY(CachePolicy::decide(global, &plain, none).applies());
    QVERIFY(!CachePolicy::decide(global, &optedOut, none).applies());

    const CachePolicy noCache = CachePolicy::decide(global, &plain, {{"Cache-Control", "no-cache"}});
    QVERIFY(!noCache.read);
    QVERIFY(noCache.write);
    const CachePolicy noStore = CachePolicy::decide(global, &plain, {{"cache-control", "max-age=0, No-Store"}});
    QVERIFY(noStore.read);
    QVERIFY(!noStore.write);
    QVERIFY(!CachePolicy::decide(global, &plain, {{"cache-control", "no-store, no-cache"}}).applies());

    // An entry holds one answer: several choices are not cached.
    QVERIFY(CachePolicy::isCacheable(R"({"model":"m","messages":[]})"));
    QVERIFY(CachePolicy::isCacheable(R"({"model":"m","messages":[],"n":1})"));
    QVERIFY(!CachePolicy::isCacheable(R"({"model":"m","messages":[],"n":3})"));
}

void TestResponseCache::configReadsCacheSettings()
{
    const Result<Config> config = ConfigLoader::loadString("providers:\n"
                                                           "  - {name: openai, type: openai}\n"
                                                           "models:\n"
                                                           "  - {name: a, provider: openai, cache: {ttl: 10m}}\n"
                                                           "  - {name: b, provider: openai, cache: false}\n"
                                                           "  - {name: c, provider: openai}\n"
                                                           "cache:\n"
                                                           "  enabled: true\n"
                                                           "  ttl: 2h\n"
                                                           "  max_entries: 500\n"
                                                           "  max_size_mb: 16\n",
                                                           QStringLiteral("cache.yaml"));
    QVERIFY2(config.ok(), qPrintable(config.ok() ? QString() : config.errorMessage()));
    QVERIFY(config->cache.enabled);
    QCOMPARE(config->cache.ttlMs, 2 * 3'600'000);
    QCOMPARE(config->cache.maxEntries, 500);
    QCOMPARE(config->cache.maxBytes, 16 * 1024 * 1024);
    QVERIFY(config->model(QStringLiteral("a"))->cache->enabled);
    QCOMPARE(config->model(QStringLiteral("a"))->cache->ttlMs, 600'000);
    QVERIFY(!config->model(QStringLiteral("b"))->cache->enabled);
    QVERIFY(!config->model(QStringLiteral("c"))->cache.has_value());
}

void TestResponseCache::configRejectsBadTtl()
{
    const Result<Config> config = ConfigLoader::loadString("providers:\n"
                                                           "  - {name: openai, type: openai}\n"
                                                           "models:\n"
                                                           "  - {name: a, provider: openai, cache: {ttl: soon}}\n",
                                                           QStringLiteral("cache.yaml"));
    QVERIFY(!config.ok());
    QVERIFY2(config.errorMessage().contains(QLatin1String("cache.yaml:4")), qPrintable(config.errorMessage()));
    QVERIFY2(config.errorMessage().contains(QLatin1String("30s, 10m, 1h or 7d")), qPrintable(config.errorMessage()));
}

void TestResponseCache::answerSurvivesJson()
{
    CachedAnswer answer = cachedAnswer();
    answer.createdAtMs = 42;
    const Result<CachedAnswer> back = CachedAnswer::fromJson(answer.toJson());
    QVERIFY(back.ok());
    QCOMPARE(back->toJson(), answer.toJson());
    QCOMPARE(back->response.content.size(), 3);
    QCOMPARE(back->response.content.at(0).signature, QStringLiteral("sig=="));
    QCOMPARE(back->response.content.at(2).arguments, QStringLiteral("{\"city\":\"Oslo\"}"));
    QCOMPARE(back->response.finishReason, FinishReason::ToolCalls);
    QCOMPARE(back->response.usage.cached, 100);
    QCOMPARE(back->provider, QStringLiteral("openai"));
    QVERIFY(!CachedAnswer::fromJson("{\"v\":99}").ok());
}

void TestResponseCache::assemblerRebuildsStreamedAnswer()
{
    const CanonicalResponse original = sampleAnswer();
    ResponseAssembler assembler;
    // Split the text in pieces as a stream would.
    CanonicalEvents events = ResponseAssembler::toEvents(original);
    const CanonicalEvent text = events.at(2);
    QCOMPARE(text.type, CanonicalEvent::Type::TextDelta);
    events.replace(2, CanonicalEvent::textDelta(QStringLiteral("Hello ")));
    events.insert(3, CanonicalEvent::textDelta(QStringLiteral("there")));
    assembler.feed(events.first(events.size() - 1));
    QVERIFY(!assembler.isComplete());
    assembler.feed(events.last());
    QVERIFY(assembler.isComplete());
    CachedAnswer rebuilt;
    rebuilt.response = assembler.response();
    CachedAnswer expected;
    expected.response = original;
    QCOMPARE(rebuilt.toJson(), expected.toJson());

    ResponseAssembler failed;
    failed.feed(CanonicalEvent::start(QStringLiteral("x"), QStringLiteral("m")));
    failed.feed(CanonicalEvent::textDelta(QStringLiteral("partial")));
    failed.feed(CanonicalEvent::failure(CanonicalError::make(502, QStringLiteral("cut"))));
    QVERIFY(!failed.isComplete());

    CanonicalResponse refusal = original;
    refusal.refusal = QStringLiteral("I can't help with that.");
    QVERIFY(ResponseAssembler::isReplayable(original));
    QVERIFY(!ResponseAssembler::isReplayable(refusal));
}

void TestResponseCache::storedAnswerIsFoundUntilItExpires()
{
    auto cache = openCache();
    QVERIFY(cache);
    QVERIFY(!cache->lookup(key(1)));
    QVERIFY(cache->store(key(1), QStringLiteral("m"), cachedAnswer(), 60'000).ok());
    QCOMPARE(cache->entryCount(), 1);

    m_now += 59'999;
    std::optional<CachedAnswer> hit = cache->lookup(key(1));
    QVERIFY(hit);
    QCOMPARE(hit->response.text(), QStringLiteral("Hello there"));
    QCOMPARE(hit->upstreamModel, QStringLiteral("gpt-4.1"));
    QCOMPARE(hit->createdAtMs, m_now - 59'999);
    QVERIFY(!cache->lookup(key(2)));

    m_now += 1;
    QVERIFY(!cache->lookup(key(1)));
    QCOMPARE(cache->entryCount(), 0);

    // A cache opened later finds the stored entries and drops the expired ones.
    QVERIFY(cache->store(key(3), QStringLiteral("m"), cachedAnswer(), 1'000).ok());
    QVERIFY(cache->store(key(4), QStringLiteral("m"), cachedAnswer(), 100'000).ok());
    cache.reset();
    m_now += 5'000;
    auto reopened = openCache();
    QVERIFY(reopened);
    QCOMPARE(reopened->entryCount(), 1);
    QVERIFY(reopened->lookup(key(4)));
}

void TestResponseCache::oldestEntriesAreEvictedPastTheBounds()
{
    CacheSettings settings;
    settings.maxEntries = 3;
    auto cache = openCache(settings);
    QVERIFY(cache);
    for (int n = 1; n <= 5; ++n) {
        m_now += 1000;
        QVERIFY(cache->store(key(n), QStringLiteral("m"), cachedAnswer(QStringLiteral("answer %1").arg(n)), 3'600'000)
                    .ok());
    }
    QCOMPARE(cache->entryCount(), 3);
    QVERIFY(!cache->lookup(key(1)));
    QVERIFY(!cache->lookup(key(2)));
    QCOMPARE(cache->lookup(key(5))->response.text(), QStringLiteral("answer 5"));
    QVERIFY(cache->lookup(key(3)));

    // The byte bound: room for about two entries.
    const qint64 oneEntry = cache->byteCount() / 3;
    cache.reset();
    settings.maxEntries = 100;
    settings.maxBytes = oneEntry * 2 + oneEntry / 2;
    cache = openCache(settings);
    QVERIFY(cache);
    QCOMPARE(cache->entryCount(), 2);
    QVERIFY(cache->byteCount() <= settings.maxBytes);
    QVERIFY(!cache->lookup(key(3)));
    QVERIFY(cache->lookup(key(4)));
    QVERIFY(cache->lookup(key(5)));
}

void TestResponseCache::storingAgainReplacesTheEntry()
{
    auto cache = openCache();
    QVERIFY(cache);
    QVERIFY(cache->store(key(1), QStringLiteral("m"), cachedAnswer(QStringLiteral("old")), 60'000).ok());
    QVERIFY(cache->store(key(1), QStringLiteral("m"), cachedAnswer(QStringLiteral("new")), 60'000).ok());
    QCOMPARE(cache->entryCount(), 1);
    QCOMPARE(cache->lookup(key(1))->response.text(), QStringLiteral("new"));
    SqliteConnection check;
    QVERIFY(check.open(m_database, QStringLiteral("check"), SqliteConnection::Mode::ReadOnly).ok());
    QSqlQuery count(check.database());
    QVERIFY(count.exec(QStringLiteral("SELECT COUNT(*), SUM(size) FROM response_cache")) && count.next());
    QCOMPARE(count.value(0).toLongLong(), 1);
    QCOMPARE(count.value(1).toLongLong(), cache->byteCount());
}

QTEST_GUILESS_MAIN(TestResponseCache)
#include "tst_responsecache.moc"

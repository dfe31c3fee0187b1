#include "GuiTestRecords.h"

#include "support/RecordingLibrary.h"
#include "ui/ThemeSetting.h"

namespace sluice::test {

namespace {

const RecordingLibrary &library()
{
    static const RecordingLibrary lib = [] {
        Result<RecordingLibrary> loaded = RecordingLibrary::load(RecordingLibrary::defaultDirectory());
        if (!loaded)
            qFatal("Recorded provider traffic is missing: %s", qPrintable(loaded.errorMessage()));
        return *loaded;
    }();
    return lib;
}

} // namespace

QDateTime GuiTestRecords::baseTime()
{
    return QDateTime(QDate(2025, 6, 12), QTime(14, 2, 5), Qt::UTC);
}

QByteArray GuiTestRecords::chatRequest(const QString &model, bool stream)
{
    QByteArray body = QByteArrayLiteral("{\"model\":\"") + model.toUtf8()
        + QByteArrayLiteral("\",\"messages\":[{\"role\":\"system\",\"content\":\"You are a concise assistant.\"},"
                            "{\"role\":\"user\",\"content\":\"Invent a new holiday and describe its traditions.\"}],"
                            "\"temperature\":0.7");
    if (stream)
        body += QByteArrayLiteral(",\"stream\":true,\"stream_options\":{\"include_usage\":true}");
    return body + '}';
}

QByteArray GuiTestRecords::stream(const QString &recording)
{
    const RecordingLibrary::Recording *rec = library().find(recording);
    if (!rec || !rec->hasEvents)
        qFatal("No streamed recording named %s", qPrintable(recording));
    QByteArray out;
    for (const QByteArray &payload : rec->events)
        out += RecordingLibrary::frameEvent(rec->family, payload);
    if (rec->family == RecordingLibrary::Family::OpenAi)
        out += QByteArrayLiteral("data: [DONE]\n\n");
    return out;
}

QByteArray GuiTestRecords::body(const QString &recording)
{
    const RecordingLibrary::Recording *rec = library().find(recording);
    if (!rec || !rec->hasBody)
        qFatal("No recorded body named %s", qPrintable(recording));
    return rec->body;
}

RequestRecord GuiTestRecords::record(const QString &id, const QDateTime &startedAt)
{
    RequestRecord r;
    r.id = id;
    r.startedAt = startedAt;
    r.tokenName = QStringLiteral("cursor");
    r.endpoint = QStringLiteral("/v1/chat/completions");
    r.requestedModel = QStringLiteral("gpt-4.1-mini");
    r.provider = QStringLiteral("openai");
    r.upstreamModel = QStringLiteral("gpt-4.1-mini-2025-04-14");
    r.httpStatus = 200;
    r.latencyUs = 850'000;
    r.inputTokens = 120;
    r.outputTokens = 48;
    r.cachedTokens = 0;
    r.reasoningTokens = 0;
    return r;
}

AttemptRecord GuiTestRecords::answered(const RequestRecord &record)
{
    AttemptRecord a;
    a.model = record.requestedModel;
    a.provider = record.provider;
    a.upstreamModel = record.upstreamModel;
    a.deployment = record.provider + QLatin1Char('/') + record.upstreamModel;
    a.keyRef = QStringLiteral("keychain:") + record.provider;
    a.startedAtMs = 1;
    a.latencyMs = std::max<qint64>(1, record.latencyUs / 1000 - 2);
    a.httpStatus = 200;
    a.decision = QStringLiteral("done");
    a.reason = QStringLiteral("HTTP 200: answered");
    return a;
}

RequestRecord GuiTestRecords::fallback()
{
    RequestRecord r;
    r.id = QStringLiteral("0197a1c2-4d3e-7f10-8a2b-fa11bac4d001");
    r.startedAt = baseTime().addSecs(3600);
    r.tokenName = QStringLiteral("claude-code");
    r.endpoint = QStringLiteral("/v1/chat/completions");
    r.requestedModel = QStringLiteral("gpt-4.1-mini");
    r.provider = QStringLiteral("anthropic");
    r.upstreamModel = QStringLiteral("claude-sonnet-4-20250514");
    r.httpStatus = 200;
    r.latencyUs = 6'571'300;
    r.inputTokens = 1'480;
    r.outputTokens = 356;
    r.cachedTokens = 0;
    r.cacheWriteTokens = 0;
    r.costUsd = 0.00978; // 1,480 × $3/M + 356 × $15/M
    r.costStatus = QLatin1String(CostStatus::Exact);

    AttemptRecord limited;
    limited.model = QStringLiteral("gpt-4.1-mini");
    limited.deployment = QStringLiteral("openai/gpt-4.1-mini");
    limited.provider = QStringLiteral("openai");
    limited.upstreamModel = QStringLiteral("gpt-4.1-mini");
    limited.keyRef = QStringLiteral("keychain:openai");
    limited.latencyMs = 212;
    limited.httpStatus = 429;
    limited.errorClass = QStringLiteral("rate_limit");
    limited.decision = QStringLiteral("retry");
    limited.waitBeforeNextMs = 1200;
    limited.reason = QStringLiteral("HTTP 429: rate limited; retry 1 of 1 after 1.2 s (the provider asked to wait)");

    AttemptRecord failed = limited;
    failed.startedAtMs = 1'412;
    failed.latencyMs = 2'310;
    failed.httpStatus = 500;
    failed.errorClass = QStringLiteral("server_error");
    failed.decision = QStringLiteral("fallback");
    failed.waitBeforeNextMs = 0;
    failed.reason = QStringLiteral("HTTP 500: server error; no retries left (attempts: 2); falling back to model "
                                   "'claude-sonnet-4'");

    AttemptRecord done;
    done.model = QStringLiteral("claude-sonnet-4");
    done.deployment = QStringLiteral("anthropic/claude-sonnet-4-20250514");
    done.provider = QStringLiteral("anthropic");
    done.upstreamModel = QStringLiteral("claude-sonnet-4-20250514");
    done.keyRef = QStringLiteral("keychain:anthropic");
    done.startedAtMs = 3'722;
    done.latencyMs = 2'841;
    done.httpStatus = 200;
    done.decision = QStringLiteral("done");
    done.reason = QStringLiteral("HTTP 200: answered");
    r.attempts = {limited, failed, done};

    r.requestBody = chatRequest(r.requestedModel, false);
    r.responseBody = QByteArrayLiteral(
        "{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\",\"object\":\"chat.completion\",\"created\":1749736925,"
        "\"model\":\"claude-sonnet-4-20250514\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
        "\"content\":\"**Lantern Tide** falls on the first new moon of autumn. Neighbours float paper lanterns "
        "down the nearest river, each carrying a promise for the year ahead.\"},\"finish_reason\":\"stop\"}],"
        "\"usage\":{\"prompt_tokens\":1480,\"completion_tokens\":356,\"total_tokens\":1836}}");
    return r;
}

RequestRecords GuiTestRecords::sample()
{
    struct Spec
    {
        const char *token;
        const char *model;
        const char *provider;
        const char *upstream;
        const char *recording; // body recording; empty for errors
        bool stream;
        qint64 latencyUs;
        qint64 ttftUs;
        qint64 input, output, cached, reasoning;
        double inputPrice, outputPrice, cachedPrice; // USD per million tokens; a negative input price: unpriced
    };
    static const Spec specs[] = {
        {"cursor", "gpt-4.1-mini", "openai", "gpt-4.1-mini-2025-04-14", "openai-text", false, 2'412'300, -1, 32, 412, 0,
         0, 0.4, 1.6, 0.1},
        {"cursor", "gpt-4.1-nano", "openai", "gpt-4.1-nano-2025-04-14", "openai-text", true, 3'118'900, 402'100, 32,
         389, 0, 0, 0.1, 0.4, 0.025},
        {"claude-code", "llama-3.3-70b", "groq", "llama-3.3-70b-versatile", "groq-text", true, 612'400, 88'700, 48, 126,
         -1, -1, 0.59, 0.79, 0.59},
        {"aider", "deepseek-chat", "deepseek", "deepseek-chat", "deepseek-text", false, 5'240'000, -1, 1'870, 512,
         1'536, -1, 0.27, 1.1, 0.07},
        {"cursor", "gpt-4.1-mini", "openai", "gpt-4.1-mini-2025-04-14", "openai-text", true, 2'990'700, 351'200, 1'204,
         402, 1'024, 0, 0.4, 1.6, 0.1},
        {"scripts", "mistral-small", "mistral", "mistral-small-latest", "mistral-text", false, 1'804'500, -1, 27, 301,
         -1, -1, 0.1, 0.3, 0.1},
        {"aider", "deepseek-reasoner", "deepseek", "deepseek-reasoner", "deepseek-reasoning", true, 9'870'200,
         6'102'800, 22, 933, 0, 684, 0.55, 2.19, 0.14},
        {"cursor", "gpt-4.1-nano", "openai", "gpt-4.1-nano-2025-04-14", "openai-text", false, 1'210'000, -1, 32, 377, 0,
         0, 0.1, 0.4, 0.025},
        {"claude-code", "llama-3.3-70b", "groq", "llama-3.3-70b-versatile", "groq-text", false, 498'300, -1, 48, 131,
         -1, -1, 0.59, 0.79, 0.59},
        {"scripts", "grok-3-mini", "xai", "grok-3-mini", "xai-text", true, 4'402'600, 702'300, 14, 245, 0, 188, -1, -1,
         -1},
        {"cursor", "gpt-4.1-mini", "openai", "gpt-4.1-mini-2025-04-14", "openai-text", true, 2'650'100, 298'000, 2'310,
         415, 2'048, 0, 0.4, 1.6, 0.1},
        {"aider", "deepseek-chat", "deepseek", "deepseek-chat", "deepseek-text", true, 3'905'400, 812'500, 1'902, 488,
         1'792, -1, 0.27, 1.1, 0.07},
        {"scripts", "mistral-small", "mistral", "mistral-small-latest", "mistral-text", true, 1'502'900, 190'400, 27,
         288, -1, -1, 0.1, 0.3, 0.1},
        {"cursor", "gpt-4.1-mini", "openai", "gpt-4.1-mini-2025-04-14", "openai-text", false, 2'201'800, -1, 980, 397,
         768, 0, 0.4, 1.6, 0.1},
        {"claude-code", "llama-3.3-70b", "groq", "llama-3.3-70b-versatile", "groq-text", true, 705'600, 95'100, 52, 140,
         -1, -1, 0.59, 0.79, 0.59},
        {"cursor", "gpt-4.1-nano", "openai", "gpt-4.1-nano-2025-04-14", "openai-text", true, 1'850'200, 230'700, 32,
         366, 0, 0, 0.1, 0.4, 0.025},
        {"aider", "deepseek-chat", "deepseek", "deepseek-chat", "deepseek-text", false, 4'980'000, -1, 2'044, 530,
         1'920, -1, 0.27, 1.1, 0.07},
        {"cursor", "gpt-4.1-mini", "openai", "gpt-4.1-mini-2025-04-14", "openai-text", true, 2'480'300, 312'900, 1'180,
         405, 1'024, 0, 0.4, 1.6, 0.1},
    };

    RequestRecords records;
    int second = 0;
    const auto add = [&](RequestRecord r) {
        r.id = QStringLiteral("0197a1c2-4d3e-7f10-8a2b-%1").arg(records.size() + 1, 12, 10, QLatin1Char('0'));
        r.startedAt = baseTime().addSecs(second);
        second += 7 + (records.size() * 5) % 11;
        records.append(std::move(r));
    };
    for (const Spec &s : specs) {
        RequestRecord r;
        r.tokenName = QLatin1String(s.token);
        r.endpoint = QStringLiteral("/v1/chat/completions");
        r.requestedModel = QLatin1String(s.model);
        r.provider = QLatin1String(s.provider);
        r.upstreamModel = QLatin1String(s.upstream);
        r.stream = s.stream;
        r.httpStatus = 200;
        r.latencyUs = s.latencyUs;
        r.timeToFirstTokenUs = s.ttftUs;
        r.inputTokens = s.input;
        r.outputTokens = s.output;
        r.cachedTokens = s.cached;
        r.reasoningTokens = s.reasoning;
        r.requestBody = chatRequest(r.requestedModel, s.stream);
        r.responseBody = s.stream ? stream(QLatin1String(s.recording)) : body(QLatin1String(s.recording));
        r.attempts = {answered(r)};
        if (s.inputPrice < 0) {
            r.costStatus = QLatin1String(CostStatus::Unpriced);
        } else {
            const qint64 cached = std::max<qint64>(0, s.cached);
            r.costUsd = ((s.input - cached) * s.inputPrice + cached * s.cachedPrice + s.output * s.outputPrice) / 1e6;
            r.costStatus = QLatin1String(CostStatus::Exact);
        }
        if (records.size() == 12) {
            // The client went away before the stream's usage arrived: the cost is an estimate.
            r.errorClass = QLatin1String(ErrorClass::ClientDisconnected);
            r.errorMessage = QStringLiteral("The client closed the connection before the answer was complete.");
            r.costStatus = QLatin1String(CostStatus::Estimated);
        }
        if (records.size() == 15) {
            add(fallback());
            continue;
        }
        add(std::move(r));
        if (records.size() == 6) {
            RequestRecord failed;
            failed.tokenName = QStringLiteral("cursor");
            failed.endpoint = QStringLiteral("/v1/chat/completions");
            failed.requestedModel = QStringLiteral("gpt-4.1-mini");
            failed.provider = QStringLiteral("openai");
            failed.upstreamModel = QStringLiteral("gpt-4.1-mini-2025-04-14");
            failed.stream = true;
            failed.httpStatus = 502;
            failed.errorClass = QLatin1String(ErrorClass::UpstreamError);
            failed.errorMessage = QStringLiteral("openai answered 502 Bad Gateway before the first token; no fallback "
                                                 "is configured for gpt-4.1-mini.");
            failed.latencyUs = 30'412'700;
            AttemptRecord tried = answered(failed);
            tried.deployment = QStringLiteral("openai/gpt-4.1-mini");
            tried.upstreamModel = QStringLiteral("gpt-4.1-mini");
            tried.latencyMs = 14'820;
            tried.httpStatus = 500;
            tried.errorClass = QStringLiteral("server_error");
            tried.decision = QStringLiteral("retry");
            tried.waitBeforeNextMs = 480;
            tried.reason = QStringLiteral("HTTP 500: server error; retry 1 of 1 after 480 ms (backoff)");
            AttemptRecord retried = tried;
            retried.startedAtMs = 15'301;
            retried.latencyMs = 15'104;
            retried.httpStatus = 502;
            retried.decision = QStringLiteral("give_up");
            retried.waitBeforeNextMs = 0;
            retried.reason = QStringLiteral("HTTP 502: server error; no retries left (attempts: 2); no other "
                                            "deployment or fallback model is configured for 'gpt-4.1-mini'");
            failed.attempts = {tried, retried};
            failed.costUsd = 0; // providers do not bill an error answer
            failed.costStatus = QLatin1String(CostStatus::Exact);
            failed.requestBody = chatRequest(failed.requestedModel, true);
            failed.responseBody = QByteArrayLiteral(
                "{\"error\":{\"message\":\"openai answered 502 Bad Gateway before the first token; no fallback is "
                "configured for gpt-4.1-mini.\",\"type\":\"upstream_error\",\"code\":\"bad_gateway\"}}");
            add(std::move(failed));
        }
        if (records.size() == 13) {
            RequestRecord denied;
            denied.endpoint = QStringLiteral("/v1/chat/completions");
            denied.requestedModel = QStringLiteral("gpt-4o");
            denied.httpStatus = 401;
            denied.errorClass = QLatin1String(ErrorClass::Authentication);
            denied.errorMessage = QStringLiteral("Unknown gateway token: send a token listed under Clients as "
                                                 "Authorization: Bearer <token>.");
            denied.latencyUs = 310;
            denied.costUsd = 0; // refused before any provider was asked
            denied.costStatus = QLatin1String(CostStatus::Exact);
            denied.requestBody = chatRequest(denied.requestedModel, false);
            denied.responseBody = QByteArrayLiteral(
                "{\"error\":{\"message\":\"Unknown gateway token: send a token listed under Clients as "
                "Authorization: Bearer <token>.\",\"type\":\"authentication_error\",\"code\":\"invalid_api_key\"}}");
            add(std::move(denied));
        }
    }
    return records;
}

QPalette GuiTestRecords::darkPalette()
{
    return ThemeSetting::darkPalette(); // the window's own dark theme (Settings: Theme)
}

} // namespace sluice::test

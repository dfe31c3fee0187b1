// Measures the guardrails' scan of request bodies with the rules docs/guardrails.md starts with (secrets masked,
// personal data logged, on requests), printed as key=value lines:
//   ordinary_check_us   checkRequest on an ordinary chat request (a few hundred bytes), median per call
//   prompt_1mb_ms       checkRequest on a 1 MB chat request of code and prose with a few planted values, median
//   hostile_1mb_ms      the same on 1 MB built of near misses (long local parts, digit runs, key prefixes)
//   findings_1mb        values found in the 1 MB prompt (a check that the scan did its work)
//   stream_log_raw_ms   masking the log copy of a streamed answer of 1,000 events, event by event (maskForLog)
//   stream_log_joined_ms the same answer's texts joined and scanned (maskStreamForLog), for values split across
//                       events; both run once the stream has ended

#include <algorithm>
#include <cstdio>
#include <vector>

#include <QByteArray>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

#include "guardrails/Guardrails.h"

using namespace sluice;

namespace {
GuardrailSettings defaultRules()
{
    GuardrailRule keys;
    keys.name = QStringLiteral("no-keys");
    keys.detect = QStringLiteral("secrets");
    keys.action = GuardrailRule::Action::Mask;
    keys.on = GuardrailRule::Side::Request;
    GuardrailRule pii;
    pii.name = QStringLiteral("personal-data");
    pii.detect = QStringLiteral("pii");
    pii.action = GuardrailRule::Action::Log;
    pii.on = GuardrailRule::Side::Request;
    return GuardrailSettings {{keys, pii}};
}

QByteArray chatBody(const QString &content)
{
    const QJsonObject body {
        {QStringLiteral("model"), QStringLiteral("bench-json")},
        {QStringLiteral("messages"),
         QJsonArray {
             QJsonObject {{QStringLiteral("role"), QStringLiteral("system")},
                          {QStringLiteral("content"), QStringLiteral("You are a careful coding agent.")}},
             QJsonObject {{QStringLiteral("role"), QStringLiteral("user")}, {QStringLiteral("content"), content}}}}};
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

// What an agent sends: source files and prose, here and there a value a rule finds.
QString agentPrompt(qsizetype bytes)
{
    static const QStringList lines {
        QStringLiteral("int main(int argc, char **argv) { return run(parse(argc, argv)); }"),
        QStringLiteral("const password = getPassword(user); // read from the vault"),
        QStringLiteral("def handler(event, context):\n    token = os.environ['API_TOKEN']\n    return ok(event)"),
        QStringLiteral("The gateway relays every request and logs it; budgets stop runaway agents."),
        QStringLiteral("commit 3f786850e387550fdab836ed7e6dc881de23001b fixed the retry loop (2024-01-15)."),
        QStringLiteral("<img src=\"icon@2x.png\"> npm i lodash@4.17.21 @types/node --save-dev"),
        QStringLiteral("SELECT id, created_at FROM orders WHERE total > 1000 AND status = 'paid';"),
        QStringLiteral("    for (qsizetype i = 0; i < items.size(); ++i) sum += items.at(i).price * 1.19;"),
    };
    QString text;
    int line = 0;
    while (text.size() < bytes) {
        text += lines.at(line % lines.size()) + QLatin1Char('\n');
        if (++line % 2000 == 0)
            text += QStringLiteral("aws_access_key_id = AKIAIOSFODNN7EXAMPLE\ncontact: jane.doe@example.org\n");
    }
    return text;
}

QString hostilePrompt(qsizetype bytes)
{
    QString text;
    while (text.size() < bytes)
        text += QStringLiteral(
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@aaaaaaaaaaaaaaaaaaaaaaaa.a1 4111 1111 1111 111 "
            "AKIAAAAAAAAA password= sk-ant-short ghp_x eyJhbGciOi.eyJ -----BEGIN X ");
    return text;
}

// An OpenAI chat stream of `events` text deltas, as the log stores it.
QByteArray chatStream(int events)
{
    QByteArray stream;
    for (int i = 0; i < events; ++i) {
        const QJsonObject chunk {
            {QStringLiteral("id"), QStringLiteral("chatcmpl-bench")},
            {QStringLiteral("object"), QStringLiteral("chat.completion.chunk")},
            {QStringLiteral("created"), 1700000000},
            {QStringLiteral("model"), QStringLiteral("bench-sse")},
            {QStringLiteral("choices"),
             QJsonArray {QJsonObject {{QStringLiteral("index"), 0},
                                      {QStringLiteral("delta"),
                                       QJsonObject {{QStringLiteral("content"), QStringLiteral("token%1 ").arg(i)}}},
                                      {QStringLiteral("finish_reason"), QJsonValue()}}}}};
        stream += "data: " + QJsonDocument(chunk).toJson(QJsonDocument::Compact) + "\n\n";
    }
    stream += "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
              "\"model\":\"bench-sse\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
              "data: [DONE]\n\n";
    return stream;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? 0 : values.at(values.size() / 2);
}

std::vector<double> timeChecks(const Guardrails &guardrails, const QByteArray &body, int repeats, int perRepeat,
                               qsizetype *findings = nullptr)
{
    std::vector<double> times;
    for (int repeat = 0; repeat < repeats; ++repeat) {
        QElapsedTimer timer;
        timer.start();
        GuardrailCheck check;
        for (int i = 0; i < perRepeat; ++i)
            check = guardrails.checkRequest(body, {});
        times.push_back(double(timer.nsecsElapsed()) / perRepeat);
        if (findings && check.session) {
            *findings = 0;
            for (const GuardrailHit &hit : check.session->hits())
                *findings += hit.count;
        }
    }
    return times;
}
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int repeats = 15;
    const QStringList args = app.arguments();
    const qsizetype at = args.indexOf(QStringLiteral("--repeats"));
    if (at >= 0 && at + 1 < args.size())
        repeats = qMax(1, args.at(at + 1).toInt());

    // --detect NAME: one mask rule of that detector instead of the default rules (to see what costs what).
    GuardrailSettings settings = defaultRules();
    const qsizetype detect = args.indexOf(QStringLiteral("--detect"));
    if (detect >= 0 && detect + 1 < args.size()) {
        GuardrailRule only;
        only.name = QStringLiteral("only");
        only.detect = args.at(detect + 1);
        settings.rules = {only};
    }
    const Guardrails guardrails(settings);
    const QByteArray ordinary
        = chatBody(QStringLiteral("Invent a new holiday and describe its traditions, the food and the songs."));
    const QByteArray prompt = chatBody(agentPrompt(1024 * 1024));
    const QByteArray hostile = chatBody(hostilePrompt(1024 * 1024));
    guardrails.checkRequest(ordinary, {}); // builds and caches the matcher, as the first request does

    qsizetype findings = 0;
    const double ordinaryNs = median(timeChecks(guardrails, ordinary, repeats, 2000));
    const double promptNs = median(timeChecks(guardrails, prompt, repeats, 1, &findings));
    const double hostileNs = median(timeChecks(guardrails, hostile, repeats, 1));
    std::printf("ordinary_bytes=%lld\n", static_cast<long long>(ordinary.size()));
    std::printf("ordinary_check_us=%.2f\n", ordinaryNs / 1000.0);
    std::printf("prompt_bytes=%lld\n", static_cast<long long>(prompt.size()));
    std::printf("prompt_1mb_ms=%.2f\n", promptNs / 1e6);
    std::printf("findings_1mb=%lld\n", static_cast<long long>(findings));
    std::printf("hostile_1mb_ms=%.2f\n", hostileNs / 1e6);
    const QByteArray stream = chatStream(1000);
    std::vector<double> rawTimes;
    std::vector<double> joinedTimes;
    for (int repeat = 0; repeat < repeats; ++repeat) {
        QElapsedTimer timer;
        timer.start();
        const QByteArray raw = guardrails.maskForLog(stream, {}, nullptr);
        rawTimes.push_back(double(timer.nsecsElapsed()));
        timer.restart();
        const QByteArray joined = guardrails.maskStreamForLog(raw, ApiFormat::OpenAiChat, {}, nullptr);
        joinedTimes.push_back(double(timer.nsecsElapsed()));
        if (joined != stream)
            return 1; // nothing to mask in it: the log copy must stay as it was
    }
    std::printf("stream_bytes=%lld\n", static_cast<long long>(stream.size()));
    std::printf("stream_log_raw_ms=%.2f\n", median(rawTimes) / 1e6);
    std::printf("stream_log_joined_ms=%.2f\n", median(joinedTimes) / 1e6);
    std::printf("repeats=%d\n", repeats);
    return findings > 0 || detect >= 0 ? 0 : 1;
}

// Measures, on one thread, what prompts add to a request against what every OpenAI chat request already costs
// (OpenAiChatRequest::parse, the same-format path's scan of the body): reading an agent-sized body's system prompt
// and tool names, fingerprinting it when seen before (a hash) and the first time (normalise + SHA-256), and
// rendering a registry prompt into a request. Prints medians and the ratios; asserts nothing.

#include <algorithm>
#include <cstdio>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "api/OpenAiChatRequest.h"
#include "prompts/ObservedPrompts.h"
#include "prompts/PromptRequestBuilder.h"
#include "prompts/PromptTemplate.h"

using namespace sluice;

namespace {

// A coding agent's request: a ~30 KB system prompt with the per-call noise agents paste in, 40 tools with
// schemas, and a conversation of 80 messages (about 250 KB in all).
QByteArray agentBody(int call)
{
    QString system = QStringLiteral("You are an agent that helps with software engineering tasks.\n");
    for (int i = 0; i < 300; ++i)
        system += QStringLiteral("Rule %1: keep changes small, run the tests, explain what you did and why.\n").arg(i);
    system += QStringLiteral("<env>\nWorking directory: /home/user/src/project-%1\nToday's date: 2026-12-%2\n</env>")
                  .arg(call % 7)
                  .arg(1 + call % 28, 2, 10, QLatin1Char('0'));
    QJsonArray messages {
        QJsonObject {{QStringLiteral("role"), QStringLiteral("system")}, {QStringLiteral("content"), system}}};
    for (int i = 0; i < 80; ++i)
        messages.append(
            QJsonObject {{QStringLiteral("role"), i % 2 ? QStringLiteral("assistant") : QStringLiteral("user")},
                         {QStringLiteral("content"),
                          QString(QStringLiteral("Step %1: ").arg(i) + QString(2400, QLatin1Char('x')))}});
    QJsonArray tools;
    for (int i = 0; i < 40; ++i) {
        QJsonObject parameters {
            {QStringLiteral("type"), QStringLiteral("object")},
            {QStringLiteral("properties"),
             QJsonObject {
                 {QStringLiteral("path"), QJsonObject {{QStringLiteral("type"), QStringLiteral("string")}}},
                 {QStringLiteral("content"), QJsonObject {{QStringLiteral("type"), QStringLiteral("string")}}}}}};
        tools.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("function")},
                                  {QStringLiteral("function"),
                                   QJsonObject {{QStringLiteral("name"), QStringLiteral("tool_%1").arg(i)},
                                                {QStringLiteral("description"), QString(300, QLatin1Char('d'))},
                                                {QStringLiteral("parameters"), parameters}}}});
    }
    const QJsonObject body {{QStringLiteral("model"), QStringLiteral("gpt-4.1")},
                            {QStringLiteral("stream"), true},
                            {QStringLiteral("messages"), messages},
                            {QStringLiteral("tools"), tools}};
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

template<typename Work>
double medianUs(int iterations, Work work)
{
    QList<double> samples;
    samples.reserve(iterations);
    QElapsedTimer timer;
    for (int i = 0; i < iterations; ++i) {
        timer.start();
        work(i);
        samples.append(double(timer.nsecsElapsed()) / 1000.0);
    }
    std::sort(samples.begin(), samples.end());
    return samples.at(samples.size() / 2);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption iterationsOption(QStringLiteral("iterations"), QStringLiteral("Samples per measure."),
                                              QStringLiteral("N"), QStringLiteral("500"));
    parser.addOption(iterationsOption);
    parser.process(app);
    const int iterations = qMax(5, parser.value(iterationsOption).toInt());

    QList<QByteArray> bodies;
    for (int i = 0; i < 8; ++i)
        bodies.append(agentBody(i));
    volatile qsizetype sink = 0;

    const double parse = medianUs(iterations, [&](int i) {
        const Result<OpenAiChatRequest> parsed = OpenAiChatRequest::parse(bodies.at(i % bodies.size()));
        sink = sink + (parsed ? parsed->model().size() : 0);
    });
    ObservedPrompts warm;
    const double seen = medianUs(iterations, [&](int i) {
        sink = sink + warm.observeOpenAiChat(QStringLiteral("agent"), bodies.at(i % bodies.size())).fingerprint.size();
    });
    const double firstSighting = medianUs(iterations, [&](int i) {
        ObservedPrompts cold; // nothing remembered: normalise and hash every time
        sink = sink + cold.observeOpenAiChat(QStringLiteral("agent"), bodies.at(i % bodies.size())).fingerprint.size();
    });

    PromptContent prompt;
    prompt.messages = {{QStringLiteral("system"),
                        QStringLiteral("You are a support agent for {{product}}. Answer in "
                                       "{{language=English}}.\n{{> footer}}")},
                       {QStringLiteral("user"), QStringLiteral("Hi, I am {{name}}. {{question}}")}};
    prompt.config
        = QJsonObject {{QStringLiteral("model"), QStringLiteral("gpt-4.1-mini")}, {QStringLiteral("temperature"), 0.2}};
    PromptContent footer;
    footer.type = QStringLiteral("text");
    footer.text = QStringLiteral("-- The {{product}} team");
    const QJsonObject variables {{QStringLiteral("product"), QStringLiteral("Sluice")},
                                 {QStringLiteral("name"), QStringLiteral("Ada")},
                                 {QStringLiteral("question"), QStringLiteral("Where are my logs?")}};
    const QJsonObject client = QJsonDocument::fromJson(R"({"model":"prompt:greeting@production","prompt_variables":{},
        "messages":[{"role":"user","content":"And is there a dark mode?"}]})")
                                   .object();
    const double render = medianUs(iterations, [&](int) {
        const Result<PromptContent> rendered = PromptTemplate::render(
            prompt, variables, [&](const QString &) -> Result<PromptContent> { return footer; });
        const Result<QByteArray> built = PromptRequestBuilder::build(ApiFormat::OpenAiChat, client, rendered.value(),
                                                                     QStringLiteral("gpt-4.1-mini"));
        sink = sink + built->size();
    });

    std::printf("agent-sized OpenAI chat body: %lld bytes, %d samples each (medians)\n",
                static_cast<long long>(bodies.first().size()), iterations);
    std::printf("%-58s %10.1f us\n", "OpenAiChatRequest::parse (every request, baseline)", parse);
    std::printf("%-58s %10.1f us  (%.2fx baseline)\n", "observed prompt, seen before (read + hash)", seen,
                seen / parse);
    std::printf("%-58s %10.1f us  (%.2fx baseline)\n", "observed prompt, first sighting (read + normalise + SHA)",
                firstSighting, firstSighting / parse);
    std::printf("%-58s %10.1f us\n", "registry prompt: render (with a partial) + build request", render);
    return sink < 0 ? 1 : 0;
}

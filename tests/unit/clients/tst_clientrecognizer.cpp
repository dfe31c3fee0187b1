#include <QTest>

#include "clients/ClientRecognizer.h"

using namespace sluice;

namespace {

using Headers = QList<QPair<QByteArray, QByteArray>>;

HttpHeaders headersOf(const Headers &fields)
{
    HttpHeaders headers;
    for (const auto &[name, value] : fields)
        headers.append(name, value);
    return headers;
}

} // namespace

class TestClientRecognizer : public QObject
{
    Q_OBJECT

private slots:
    void recognize_data();
    void recognize();
    void headersGiveTagsAndProject();
    void tagsAreCleaned();
    void metadataTags_data();
    void metadataTags();
    void mergeKeepsOrderAndLimit();
};

void TestClientRecognizer::recognize_data()
{
    QTest::addColumn<Headers>("headers");
    QTest::addColumn<QString>("client");

    // Sent by the clients pinned in tests/e2e/package.json, captured from their requests (the agents run by
    // tst_e2e_agents, the SDKs by tst_e2e_sdks) with the headers that identify them.
    QTest::newRow("claude-code 2.1.197") << Headers {{"User-Agent", "claude-cli/2.1.197 (external, sdk-cli)"},
                                                     {"x-app", "cli"},
                                                     {"x-stainless-lang", "js"},
                                                     {"anthropic-version", "2023-06-01"}}
                                         << QStringLiteral("Claude Code");
    QTest::newRow("codex 0.171.0 exec")
        << Headers {{"originator", "codex_exec"},
                    {"User-Agent", "codex_exec/0.171.0 (Debian 12.0.0; x86_64) xterm (codex_exec; 0.171.0)"}}
        << QStringLiteral("Codex CLI");
    QTest::newRow("gemini-cli 0.61.0")
        << Headers {{"User-Agent",
                     "GeminiCLI-tui/0.61.0/m (linux; x64; terminal) google-genai-sdk/1.30.0 gl-node/v20.20.2"}}
        << QStringLiteral("Gemini CLI");
    QTest::newRow("opencode 1.18.33") << Headers {{"User-Agent",
                                                   "opencode/1.18.33 ai-sdk/provider-utils/4.0.23 runtime/bun/1.3.14"}}
                                      << QStringLiteral("opencode");
    QTest::newRow("openai-node 7.57.0") << Headers {{"User-Agent", "OpenAI/JS 7.57.0"},
                                                    {"x-stainless-lang", "js"},
                                                    {"x-stainless-package-version", "7.57.0"}}
                                        << QStringLiteral("OpenAI SDK (JavaScript)");
    QTest::newRow("anthropic-sdk-typescript 1.12.0") << Headers {{"User-Agent", "Anthropic/JS 1.12.0"},
                                                                 {"x-stainless-lang", "js"},
                                                                 {"anthropic-version", "2026-10-21"}}
                                                     << QStringLiteral("Anthropic SDK (JavaScript)");
    QTest::newRow("curl 7.88.1") << Headers {{"User-Agent", "curl/7.88.1"}} << QStringLiteral("curl");

    // As the clients' sources build them.
    QTest::newRow("codex cli originator only")
        << Headers {{"originator", "codex_cli_rs"}} << QStringLiteral("Codex CLI");
    QTest::newRow("codex cli rs") << Headers {{"User-Agent",
                                               "codex_cli_rs/0.30.0 (Ubuntu 24.4.0; x86_64) vscode/1.101.2"}}
                                  << QStringLiteral("Codex CLI");
    QTest::newRow("openai-python") << Headers {{"User-Agent", "OpenAI/Python 1.99.9"}, {"X-Stainless-Lang", "python"}}
                                   << QStringLiteral("OpenAI SDK (Python)");
    QTest::newRow("anthropic-python") << Headers {{"User-Agent", "Anthropic/Python 0.64.0"}}
                                      << QStringLiteral("Anthropic SDK (Python)");
    QTest::newRow("openai-go") << Headers {{"User-Agent", "OpenAI/Go 1.12.0"}} << QStringLiteral("OpenAI SDK (Go)");
    QTest::newRow("openai-java") << Headers {{"User-Agent", "OpenAI/Java 3.1.0"}}
                                 << QStringLiteral("OpenAI SDK (Java)");
    QTest::newRow("google-genai python") << Headers {{"User-Agent", "google-genai-sdk/1.31.0 gl-python/3.11.2"},
                                                     {"x-goog-api-client", "google-genai-sdk/1.31.0 gl-python/3.11.2"}}
                                         << QStringLiteral("Google GenAI SDK (Python)");
    QTest::newRow("google-genai js in x-goog-api-client")
        << Headers {{"User-Agent", "node"}, {"x-goog-api-client", "google-genai-sdk/1.30.0 gl-node/v20.20.2"}}
        << QStringLiteral("Google GenAI SDK (JavaScript)");
    QTest::newRow("zed") << Headers {{"User-Agent", "Zed/0.190.5 (linux; x86_64)"}} << QStringLiteral("Zed");
    QTest::newRow("cline on the openai sdk")
        << Headers {{"User-Agent", "OpenAI/JS 4.96.0"}, {"HTTP-Referer", "https://cline.bot"}, {"X-Title", "Cline"}}
        << QStringLiteral("Cline");
    QTest::newRow("aider through litellm") << Headers {{"User-Agent", "OpenAI/Python 1.75.0"},
                                                       {"HTTP-Referer", "https://aider.chat"},
                                                       {"X-Title", "Aider"}}
                                           << QStringLiteral("Aider");
    QTest::newRow("continue by referer") << Headers {{"User-Agent", "node-fetch"},
                                                     {"HTTP-Referer", "https://www.continue.dev/"}}
                                         << QStringLiteral("Continue");
    QTest::newRow("cursor") << Headers {{"User-Agent", "Cursor/1.4.2"}} << QStringLiteral("Cursor");
    QTest::newRow("claude code by x-app")
        << Headers {{"User-Agent", "Anthropic/JS 0.94.0"}, {"x-app", "cli"}, {"anthropic-version", "2023-06-01"}}
        << QStringLiteral("Claude Code");
    QTest::newRow("vercel ai sdk") << Headers {{"User-Agent", "ai-sdk/provider-utils/3.0.1 runtime/node.js/22"}}
                                   << QStringLiteral("Vercel AI SDK");

    // Anything else by its first product token; nothing when nothing is said.
    QTest::newRow("python-requests") << Headers {{"User-Agent", "python-requests/2.31.0"}}
                                     << QStringLiteral("python-requests");
    QTest::newRow("own tool") << Headers {{"User-Agent", "my-batch-job/3 (+https://example.com)"}}
                              << QStringLiteral("my-batch-job");
    QTest::newRow("no version") << Headers {{"User-Agent", "  Bun  "}} << QStringLiteral("Bun");
    QTest::newRow("control characters") << Headers {{"User-Agent", "evil\x01tool/1"}} << QStringLiteral("eviltool");
    QTest::newRow("nothing") << Headers {} << QString();
    QTest::newRow("only a comment") << Headers {{"User-Agent", "(compatible)"}} << QString();
}

void TestClientRecognizer::recognize()
{
    QFETCH(Headers, headers);
    QFETCH(QString, client);
    QCOMPARE(ClientRecognizer::recognize(headersOf(headers)), client);
}

void TestClientRecognizer::headersGiveTagsAndProject()
{
    const RequestAttribution attribution
        = ClientRecognizer::fromHeaders(headersOf({{"User-Agent", "curl/8.5.0"},
                                                   {"X-Sluice-Tags", "refactor, ci,refactor"},
                                                   {"x-sluice-project", " billing-service "}}));
    QCOMPARE(attribution.client, QStringLiteral("curl"));
    QCOMPARE(attribution.tags, (QStringList {QStringLiteral("refactor"), QStringLiteral("ci")}));
    QCOMPARE(attribution.project, QStringLiteral("billing-service"));

    const RequestAttribution none = ClientRecognizer::fromHeaders(headersOf({}));
    QVERIFY(none.tags.isEmpty());
    QVERIFY(none.project.isEmpty());
}

void TestClientRecognizer::tagsAreCleaned()
{
    QCOMPARE(ClientRecognizer::parseTags(QStringLiteral(" ,a,,  b ,\tc\n,a")),
             (QStringList {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}));
    QStringList many;
    for (int i = 0; i < 40; ++i)
        many.append(QStringLiteral("t%1").arg(i));
    QCOMPARE(ClientRecognizer::parseTags(many.join(QLatin1Char(','))).size(), ClientRecognizer::MaxTags);
    const QString longTag(200, QLatin1Char('x'));
    QCOMPARE(ClientRecognizer::parseTags(longTag).constFirst().size(), ClientRecognizer::MaxTagLength);
    QVERIFY(ClientRecognizer::parseTags(QString()).isEmpty());
}

void TestClientRecognizer::metadataTags_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QStringList>("tags");
    QTest::newRow("array") << QByteArray(R"({"model":"m","metadata":{"tags":["review","nightly"]}})")
                           << QStringList {QStringLiteral("review"), QStringLiteral("nightly")};
    QTest::newRow("string") << QByteArray(R"({"metadata":{"tags":"a, b"},"model":"m"})")
                            << QStringList {QStringLiteral("a"), QStringLiteral("b")};
    QTest::newRow("commas inside array items") << QByteArray(R"({"metadata":{"tags":["x,y", 3, "z"]}})")
                                               << QStringList {QStringLiteral("xy"), QStringLiteral("z")};
    QTest::newRow("tags outside metadata") << QByteArray(R"({"tags":["no"],"metadata":{}})") << QStringList();
    QTest::newRow("no metadata") << QByteArray(R"({"model":"m"})") << QStringList();
    QTest::newRow("not json") << QByteArray("\"tags\" {") << QStringList();
}

void TestClientRecognizer::metadataTags()
{
    QFETCH(QByteArray, body);
    QFETCH(QStringList, tags);
    QCOMPARE(ClientRecognizer::metadataTags(body), tags);
}

void TestClientRecognizer::mergeKeepsOrderAndLimit()
{
    QCOMPARE(ClientRecognizer::mergeTags({QStringLiteral("a"), QStringLiteral("b")},
                                         {QStringLiteral("b"), QStringLiteral("c")}),
             (QStringList {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}));
    QStringList full;
    for (int i = 0; i < ClientRecognizer::MaxTags; ++i)
        full.append(QString::number(i));
    QCOMPARE(ClientRecognizer::mergeTags(full, {QStringLiteral("more")}).size(), ClientRecognizer::MaxTags);
}

QTEST_GUILESS_MAIN(TestClientRecognizer)
#include "tst_clientrecognizer.moc"

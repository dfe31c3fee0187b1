#pragma once

#include <algorithm>

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QString>

#include "SluiceProcess.h"
#include "store/RequestLogReader.h"

// Helpers shared by the end-to-end tests: config files, the node SDK scripts' JSON reports, the headless gateway,
// other programs (the coding agents) and the request log. SLUICE_E2E_DIR and SLUICE_BINARY come from
// tests/e2e/CMakeLists.txt.
namespace sluice::test {

// The recordings the mock replays (named by the upstream model): the plain and the streamed recording of each
// differ; these are the texts' starts and lengths (in UTF-16 units, as in JavaScript).
namespace recorded {
inline const QLatin1String AnthropicPlainText("Hello! I'm doing well, thanks for asking.");
inline const QLatin1String AnthropicStreamText("Hello! I'm doing well, thank you for asking.");
inline const QLatin1String OpenAiPlainText("**Holiday Name:** Galaxy Day");
inline const QLatin1String OpenAiStreamText("**Holiday Name:** Harmony Day");
inline const QLatin1String GoogleStreamText("There are **3** \"r\"s in strawberry.");
constexpr int AnthropicPlainLength = 105;
constexpr int AnthropicStreamLength = 108;
constexpr int OpenAiPlainLength = 1842;
constexpr int OpenAiStreamLength = 1724;
constexpr int GoogleStreamLength = 55;
} // namespace recorded

inline bool writeFile(const QString &path, const QByteArray &contents)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(contents) == contents.size();
}

// The object at a dotted path ("anthropic.plain"); empty if any step is missing.
inline QJsonObject objectAt(const QJsonObject &root, const QString &path)
{
    QJsonObject object = root;
    for (const QString &key : path.split(QLatin1Char('.')))
        object = object.value(key).toObject();
    return object;
}

inline int intAt(const QJsonObject &object, const char *key)
{
    return object.value(QLatin1String(key)).toInt(-1);
}

inline QString stringAt(const QJsonObject &object, const char *key)
{
    return object.value(QLatin1String(key)).toString();
}

// The answer's text starts as recorded and has its full length (UTF-16 units): nothing lost or doubled.
inline bool isRecordedText(const QString &text, QLatin1String start, int length)
{
    if (text.startsWith(start) && text.size() == length)
        return true;
    qWarning("unexpected text (%lld characters, expected %d starting with \"%s\"): %s", qlonglong(text.size()), length,
             start.data(), qPrintable(text.left(120)));
    return false;
}

// Runs `node script` in tests/e2e with the system environment plus extra; returns the JSON object it printed,
// or an empty object (with a warning saying why) if it failed, timed out or printed no JSON object.
inline QJsonObject runNode(const QString &script, const QProcessEnvironment &extra)
{
    QProcess node;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(extra);
    node.setProcessEnvironment(env);
    node.setWorkingDirectory(QStringLiteral(SLUICE_E2E_DIR));
    node.start(QStringLiteral("node"), {script});
    if (!node.waitForFinished(60000)) {
        node.kill();
        node.waitForFinished();
        qWarning("node %s did not finish in 60 s", qPrintable(script));
        return {};
    }
    const QByteArray err = node.readAllStandardError();
    const QByteArray out = node.readAllStandardOutput();
    if (node.exitStatus() != QProcess::NormalExit || node.exitCode() != 0) {
        qWarning("node %s failed (exit %d):\n%s\n%s", qPrintable(script), node.exitCode(), out.constData(),
                 err.constData());
        return {};
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(out, &parseError);
    if (!doc.isObject())
        qWarning("node %s printed no JSON object (%s):\n%s", qPrintable(script), qPrintable(parseError.errorString()),
                 out.constData());
    return doc.object();
}

// The system environment plus the gateway token and provider key that the tests' configs reference as
// env:SLUICE_E2E_GATEWAY_TOKEN and env:SLUICE_E2E_PROVIDER_KEY.
inline QProcessEnvironment e2eEnvironment(const char *gatewayToken, const char *providerKey)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SLUICE_E2E_GATEWAY_TOKEN"), QString::fromLatin1(gatewayToken));
    env.insert(QStringLiteral("SLUICE_E2E_PROVIDER_KEY"), QString::fromLatin1(providerKey));
    return env;
}

// One item of a config's providers: list, "recorded-TYPE", at the mock upstream (the OpenAI-style types under its
// /v1), with its key from env:SLUICE_E2E_PROVIDER_KEY.
inline QByteArray recordedProvider(const QByteArray &type, const QByteArray &upstream)
{
    const bool openAiStyle = type != "anthropic" && type != "gemini";
    return "  - name: recorded-" + type + "\n    type: " + type + "\n    base_url: " + upstream
        + (openAiStyle ? "/v1" : "") + "\n    api_key: env:SLUICE_E2E_PROVIDER_KEY\n";
}

// A config with one recordedProvider() of `type`, the given models ("  - name: ..." entries) and one gateway token
// "e2e" (env:SLUICE_E2E_GATEWAY_TOKEN); gateway settings first.
inline QByteArray oneProviderConfig(const QByteArray &type, const QByteArray &upstream, const QByteArray &models,
                                    const QByteArray &gateway = {})
{
    return (gateway.isEmpty() ? QByteArray() : "gateway:\n" + gateway) + "providers:\n"
        + recordedProvider(type, upstream) + "models:\n" + models
        + "tokens:\n  - name: e2e\n    secret: env:SLUICE_E2E_GATEWAY_TOKEN\n";
}

// Starts `sluice --headless` on a free port with this config and data folder; see ListeningProcess::start.
inline QUrl startHeadlessSluice(ListeningProcess &sluice, const QString &configPath, const QString &dataDir,
                                const QProcessEnvironment &env)
{
    return sluice.start(QStringLiteral(SLUICE_BINARY),
                        {QStringLiteral("--headless"), QStringLiteral("--config"), configPath,
                         QStringLiteral("--data-dir"), dataDir, QStringLiteral("--port"), QStringLiteral("0")},
                        env);
}

// A program run to its end: exit code (-1 if it crashed or was stopped), output, and how long it took.
struct ProgramRun
{
    int exitCode = -1;
    bool timedOut = false;
    QByteArray out;
    QByteArray err;
    qint64 elapsedMs = 0;
};

// Runs program under `timeout` (SIGTERM after timeoutS seconds, SIGKILL 5 s later) in workDir with exactly env
// (nothing inherited) and stdin from /dev/null.
inline ProgramRun runProgram(const QString &program, const QStringList &arguments, const QProcessEnvironment &env,
                             const QString &workDir, int timeoutS)
{
    ProgramRun run;
    QProcess process;
    process.setProcessEnvironment(env);
    process.setWorkingDirectory(workDir);
    process.setStandardInputFile(QProcess::nullDevice());
    QElapsedTimer clock;
    clock.start();
    process.start(QStringLiteral("timeout"),
                  QStringList {QStringLiteral("-k"), QStringLiteral("5"), QString::number(timeoutS), program}
                      + arguments);
    if (!process.waitForFinished((timeoutS + 10) * 1000)) {
        process.kill();
        process.waitForFinished();
    }
    run.elapsedMs = clock.elapsed();
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    if (process.exitStatus() == QProcess::NormalExit)
        run.exitCode = process.exitCode();
    run.timedOut = run.exitCode == 124 || run.exitCode == 137;
    return run;
}

// The logged requests for one requested model, oldest first and whole (bodies and attempts), once at least
// atLeast of them are in the log (the writer commits in batches) or timeoutMs passed; an empty list if the log
// cannot be read.
inline RequestRecords loggedRequests(RequestLogReader &reader, const QString &requestedModel, int atLeast,
                                     int timeoutMs = 5000)
{
    RequestRecords found;
    QElapsedTimer clock;
    clock.start();
    do {
        found.clear();
        const Result<RequestRecords> recent = reader.recent(1000);
        if (!recent.ok()) {
            qWarning("cannot read the request log: %s", qPrintable(recent.errorMessage()));
            return {};
        }
        for (const RequestRecord &brief : recent.value()) {
            if (brief.requestedModel != requestedModel)
                continue;
            const Result<RequestRecord> whole = reader.byId(brief.id);
            found.append(whole.ok() ? whole.value() : brief);
        }
        if (found.size() >= atLeast)
            break;
        QTest::qWait(50);
    } while (clock.elapsed() < timeoutMs);
    std::sort(found.begin(), found.end(), [](const RequestRecord &a, const RequestRecord &b) {
        return a.startedAt < b.startedAt || (a.startedAt == b.startedAt && a.id < b.id);
    });
    return found;
}

} // namespace sluice::test

#include "CompareCommand.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QLoggingCategory>
#include <QTextStream>

#include "AppOptions.h"
#include "CommandLine.h"
#include "ConfigArguments.h"
#include "Startup.h"
#include "UnixSignalWatcher.h"
#include "compare/CompareExport.h"
#include "compare/CompareLog.h"
#include "compare/CompareRunStore.h"
#include "compare/CompareRunner.h"
#include "compare/CompareSource.h"
#include "gateway/GatewayService.h"
#include "store/PromptStore.h"
#include "store/RequestLogReader.h"
#include "store/RequestLogWriter.h"
#include "telemetry/Telemetry.h"

namespace sluice {

namespace {

constexpr QLatin1String Command {"compare"};

QString usage()
{
    return QStringLiteral(
        "Usage:\n"
        "  sluice compare --models A,B[,...] (--prompt-file F | --request ID | --prompt NAME[@LABEL] --var K=V ...)\n"
        "                 [--set MODEL:KEY=VALUE ...] [--request-format FORMAT] [--config FILE] [--data-dir DIR]\n"
        "                 [--format table|json]\n"
        "\n"
        "Sends one request to 2 to 6 models at once through Sluice's own gateway (started here on a free\n"
        "127.0.0.1 port), and prints each model's output, tool calls, status, time to first token, latency,\n"
        "tokens and cost. Each call is logged like any request, marked with the comparison's run id, and the\n"
        "run is saved for the window's Compare page.\n"
        "\n"
        "--models A,B,...      2 to 6 configured model names\n"
        "--prompt-file F       a request body (JSON, in any client format) or plain text (one user message)\n"
        "--request ID          replay a logged request's exact body, in its own client format\n"
        "--prompt NAME[@LABEL] a registry prompt version (NAME, NAME@LABEL, NAME@vN), with --var K=V values\n"
        "--set MODEL:KEY=VALUE override one parameter for one model (VALUE is JSON, else text), e.g.\n"
        "                      --set gpt-4.1:temperature=0\n"
        "--request-format F    the format of --prompt-file's body when it is ambiguous: openai-chat, responses,\n"
        "                      anthropic or gemini (default: recognised from the body)\n"
        "--format F            table (default) or json\n"
        "--config FILE         config file (default: the platform config location)\n"
        "--data-dir DIR        the data folder (request log) (default: ~/.local/share/sluice)\n");
}

int badUsage(QTextStream &err, const QString &problem)
{
    return CommandLine::badUsage(err, Command, problem, usage());
}

QString figure(qint64 value)
{
    return value < 0 ? QStringLiteral("-") : QLocale::system().toString(value);
}

QString costText(const CompareColumn &column)
{
    if (column.costUsd < 0)
        return column.costStatus == QLatin1String("unpriced") ? QStringLiteral("unpriced") : QStringLiteral("-");
    const QString usd = QStringLiteral("$") + QString::number(column.costUsd, 'f', column.costUsd < 0.01 ? 6 : 4);
    return column.costStatus == QLatin1String("estimated") ? QStringLiteral("~") + usd : usd;
}

void printTable(QTextStream &out, const CompareRunResult &run)
{
    out << "Comparison " << run.id << ": " << run.request.title << '\n';
    for (const CompareColumn &column : run.columns) {
        out << '\n' << "== " << column.model.model;
        if (!column.model.overrides.isEmpty())
            out << ' ' << QString::fromUtf8(QJsonDocument(column.model.overrides).toJson(QJsonDocument::Compact));
        out << " ==\n";
        out << "status: " << CompareColumn::stateName(column.state);
        if (column.httpStatus > 0)
            out << " (HTTP " << column.httpStatus << ')';
        if (!column.finishReason.isEmpty())
            out << ", finish: " << column.finishReason;
        out << '\n';
        if (!column.error.isEmpty())
            out << "error: " << column.error << '\n';
        out << "ttft_ms: " << figure(column.ttftMs) << "  latency_ms: " << figure(column.latencyMs) << '\n';
        out << "tokens: input " << figure(column.inputTokens) << ", cached " << figure(column.cachedTokens)
            << ", output " << figure(column.outputTokens) << ", reasoning " << figure(column.reasoningTokens) << '\n';
        out << "cost_usd: " << costText(column) << '\n';
        for (const CompareToolCall &call : column.toolCalls)
            out << "tool call: " << call.name << ' ' << call.arguments << '\n';
        if (!column.text.isEmpty())
            out << "output:\n" << column.text << '\n';
    }
    out.flush();
}

// "MODEL:KEY=VALUE" into overrides[MODEL][KEY]; VALUE is JSON when it parses, else a string.
Result<void> addOverride(QHash<QString, QJsonObject> &overrides, const QString &text)
{
    const qsizetype colon = text.indexOf(QLatin1Char(':'));
    const qsizetype equals = text.indexOf(QLatin1Char('='), colon + 1);
    if (colon <= 0 || equals <= colon + 1)
        return makeError(QStringLiteral("--set takes MODEL:KEY=VALUE, e.g. gpt-4.1:temperature=0; got '%1'").arg(text));
    const QString valueText = text.mid(equals + 1);
    const QJsonDocument parsed = QJsonDocument::fromJson(QByteArrayLiteral("[") + valueText.toUtf8() + "]");
    const QJsonValue value
        = parsed.isArray() && parsed.array().size() == 1 ? parsed.array().at(0) : QJsonValue(valueText);
    overrides[text.left(colon)].insert(text.mid(colon + 1, equals - colon - 1), value);
    return {};
}

} // namespace

int runCompareCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    if (args.contains(QLatin1String("help")) || args.contains(QLatin1String("--help"))) {
        out << usage();
        return 0;
    }
    const ConfigArguments parsed = ConfigArguments::parse(
        args,
        {QStringLiteral("models"), QStringLiteral("prompt-file"), QStringLiteral("request"), QStringLiteral("prompt"),
         QStringLiteral("var"), QStringLiteral("set"), QStringLiteral("request-format"), QStringLiteral("config"),
         QStringLiteral("data-dir"), QStringLiteral("format")},
        {});
    if (!parsed.problem.isEmpty())
        return badUsage(err, parsed.problem);
    if (!parsed.positional.isEmpty())
        return badUsage(err, QStringLiteral("unexpected argument '%1'").arg(parsed.positional.first()));
    const QString format = parsed.value(QStringLiteral("format")).isEmpty() ? QStringLiteral("table")
                                                                            : parsed.value(QStringLiteral("format"));
    if (format != QLatin1String("table") && format != QLatin1String("json"))
        return badUsage(err, QStringLiteral("--format is table or json, not '%1'").arg(format));
    if (!parsed.values.contains(QStringLiteral("models")))
        return badUsage(err, QStringLiteral("--models A,B[,...] is needed (or --reprice MODEL for the what-if cost)"));
    QStringList models;
    for (const QString &model : parsed.value(QStringLiteral("models")).split(QLatin1Char(','), Qt::SkipEmptyParts))
        models.append(model.trimmed());
    if (models.size() < CompareRequest::MinModels || models.size() > CompareRequest::MaxModels)
        return badUsage(err,
                        QStringLiteral("--models takes %1 to %2 model names separated by commas")
                            .arg(CompareRequest::MinModels)
                            .arg(CompareRequest::MaxModels));
    const int sources = int(parsed.values.contains(QStringLiteral("prompt-file")))
        + int(parsed.values.contains(QStringLiteral("request")))
        + int(parsed.values.contains(QStringLiteral("prompt")));
    if (sources != 1)
        return badUsage(err, QStringLiteral("give exactly one of --prompt-file, --request and --prompt"));
    if (parsed.values.contains(QStringLiteral("var")) && !parsed.values.contains(QStringLiteral("prompt")))
        return badUsage(err, QStringLiteral("--var goes with --prompt"));
    QJsonObject variables;
    for (const QString &var : parsed.values.value(QStringLiteral("var"))) {
        const qsizetype equals = var.indexOf(QLatin1Char('='));
        if (equals <= 0)
            return badUsage(err, QStringLiteral("--var takes KEY=VALUE, got '%1'").arg(var));
        variables.insert(var.left(equals), var.mid(equals + 1));
    }
    QHash<QString, QJsonObject> overrides;
    for (const QString &set : parsed.values.value(QStringLiteral("set"))) {
        if (Result<void> added = addOverride(overrides, set); !added)
            return badUsage(err, added.errorMessage());
    }
    for (auto it = overrides.cbegin(); it != overrides.cend(); ++it) {
        if (!models.contains(it.key()))
            return badUsage(err, QStringLiteral("--set names %1, which is not in --models").arg(it.key()));
    }

    // The run's figures are the answer: the in-process gateway's start and stop lines stay out of it.
    QLoggingCategory::setFilterRules(QStringLiteral("sluice.*.debug=false\nsluice.*.info=false"));
    AppOptions options;
    options.configPath = parsed.value(QStringLiteral("config"));
    options.dataDir = parsed.value(QStringLiteral("data-dir"));
    options.port = 0;
    Result<Startup> startup = Startup::prepare(options);
    if (!startup)
        return CommandLine::fail(err, Command, startup.errorMessage());
    if (!startup->pricesWarning.isEmpty())
        err << "sluice compare: " << startup->pricesWarning << Qt::endl;
    RequestLogWriter writer;
    writer.setSecretScrubber(std::make_shared<const SecretScrubber>(startup->secrets.scrubber()));
    if (Result<void> opened = writer.open(startup->databasePath); !opened)
        return CommandLine::fail(err, Command, opened.errorMessage());

    // The request, read before the gateway starts: a logged request or a registry prompt come from the database.
    Result<CompareRequest> request = makeError(QString());
    if (parsed.values.contains(QStringLiteral("prompt-file"))) {
        request = CompareSource::fromFile(parsed.value(QStringLiteral("prompt-file")),
                                          parsed.value(QStringLiteral("request-format")));
    } else if (parsed.values.contains(QStringLiteral("request"))) {
        RequestLogReader reader(startup->databasePath);
        const Result<RequestRecord> record = reader.byId(parsed.value(QStringLiteral("request")).trimmed());
        request = record ? CompareSource::fromRecord(record.value()) : Result<CompareRequest>(record.error());
    } else {
        PromptStore prompts;
        const Result<void> opened = prompts.open(startup->databasePath, SqliteConnection::Mode::ReadOnly);
        request = opened ? CompareSource::fromPrompt(prompts, parsed.value(QStringLiteral("prompt")), variables)
                         : Result<CompareRequest>(opened.error());
    }
    if (!request) {
        writer.stop();
        return CommandLine::fail(err, Command, request.errorMessage());
    }
    for (const QString &model : std::as_const(models))
        request.value().models.append({model, overrides.value(model)});

    // A private gateway for this command: on the loopback only, whatever address the config serves on.
    startup.value().config.gateway.listenAddress = QHostAddress::LocalHost;
    GatewayService service(startup->config, startup->secrets);
    const std::unique_ptr<Telemetry> telemetry = startup->startTelemetry(writer);
    service.setMetrics(telemetry->metrics());
    service.setRecordSink(startup->logSink(writer, *telemetry));
    service.setDatabasePath(startup->databasePath);
    service.setPriceCatalog(startup->prices);
    QObject::connect(&service, &GatewayService::budgetWarning, &service,
                     [&err](const QString &message) { err << "sluice compare: budget: " << message << Qt::endl; });
    const Result<QUrl> url = service.start(0);
    if (!url) {
        writer.stop();
        return CommandLine::fail(err, Command, url.errorMessage());
    }

    CompareRunner runner;
    runner.setGateway(url.value());
    QObject::connect(&runner, &CompareRunner::finished, qApp, &QCoreApplication::quit, Qt::QueuedConnection);
    UnixSignalWatcher signalWatcher;
    QObject::connect(&signalWatcher, &UnixSignalWatcher::terminationRequested, &runner, &CompareRunner::cancel);
    if (Result<void> started = runner.start(request.value()); !started) {
        service.stop();
        writer.stop();
        return CommandLine::fail(err, Command, started.errorMessage());
    }
    if (runner.isRunning())
        QCoreApplication::exec();

    // Every row is handed to the writer before its answer's last byte leaves; stopping the writer commits them.
    service.stop();
    telemetry->shutdown(startup->config.gateway.shutdownTimeoutMs);
    writer.stop();
    CompareRunResult run = runner.result();
    RequestLogReader reader(startup->databasePath);
    CompareLog::complete(reader, run, 0);
    CompareRunStore store;
    Result<void> saved = store.open(startup->databasePath, true);
    if (saved)
        saved = store.save(run);
    if (!saved)
        err << "sluice compare: the run was not saved: " << saved.errorMessage() << Qt::endl;

    if (format == QLatin1String("json")) {
        out << CompareExport::toJson(run);
        out.flush();
    } else {
        printTable(out, run);
    }
    for (const CompareColumn &column : std::as_const(run.columns)) {
        if (column.state == CompareColumn::State::Done)
            return 0;
    }
    return CommandLine::ExitFailed;
}

} // namespace sluice

#include "CompareExport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

namespace sluice {

namespace {

QJsonValue knownOrNull(qint64 value)
{
    return value < 0 ? QJsonValue() : QJsonValue(value);
}

qint64 knownOrMinusOne(const QJsonValue &value)
{
    return value.isDouble() ? qint64(value.toDouble()) : -1;
}

QString stateNameOf(CompareColumn::State state)
{
    return CompareColumn::stateName(state);
}

CompareColumn::State stateFromName(const QString &name)
{
    for (CompareColumn::State state :
         {CompareColumn::State::Waiting, CompareColumn::State::Running, CompareColumn::State::Done,
          CompareColumn::State::Failed, CompareColumn::State::Cancelled}) {
        if (CompareColumn::stateName(state) == name)
            return state;
    }
    return CompareColumn::State::Failed;
}

QString figure(qint64 value)
{
    return value < 0 ? QStringLiteral("–") : QLocale::c().toString(value);
}

QString money(double usd)
{
    return usd < 0 ? QStringLiteral("–") : QStringLiteral("$") + QString::number(usd, 'f', usd < 0.01 ? 6 : 4);
}

QString cell(QString text)
{
    return text.replace(QLatin1Char('|'), QLatin1String("\\|")).replace(QLatin1Char('\n'), QLatin1Char(' '));
}

} // namespace

QJsonObject CompareExport::columnJson(const CompareColumn &column)
{
    QJsonArray toolCalls;
    for (const CompareToolCall &call : column.toolCalls)
        toolCalls.append(QJsonObject {{QStringLiteral("id"), call.id},
                                      {QStringLiteral("name"), call.name},
                                      {QStringLiteral("arguments"), call.arguments}});
    return QJsonObject {
        {QStringLiteral("model"), column.model.model},
        {QStringLiteral("overrides"), column.model.overrides},
        {QStringLiteral("status"), stateNameOf(column.state)},
        {QStringLiteral("http_status"), column.httpStatus},
        {QStringLiteral("error"), column.error.isEmpty() ? QJsonValue() : QJsonValue(column.error)},
        {QStringLiteral("request_id"), column.requestId.isEmpty() ? QJsonValue() : QJsonValue(column.requestId)},
        {QStringLiteral("provider"), column.provider.isEmpty() ? QJsonValue() : QJsonValue(column.provider)},
        {QStringLiteral("served_model"), column.servedModel.isEmpty() ? QJsonValue() : QJsonValue(column.servedModel)},
        {QStringLiteral("output"), column.text},
        {QStringLiteral("thinking"), column.thinking.isEmpty() ? QJsonValue() : QJsonValue(column.thinking)},
        {QStringLiteral("tool_calls"), toolCalls},
        {QStringLiteral("finish_reason"),
         column.finishReason.isEmpty() ? QJsonValue() : QJsonValue(column.finishReason)},
        {QStringLiteral("ttft_ms"), knownOrNull(column.ttftMs)},
        {QStringLiteral("latency_ms"), knownOrNull(column.latencyMs)},
        {QStringLiteral("tokens"),
         QJsonObject {{QStringLiteral("input"), knownOrNull(column.inputTokens)},
                      {QStringLiteral("cached"), knownOrNull(column.cachedTokens)},
                      {QStringLiteral("output"), knownOrNull(column.outputTokens)},
                      {QStringLiteral("reasoning"), knownOrNull(column.reasoningTokens)}}},
        {QStringLiteral("cost_usd"), column.costUsd < 0 ? QJsonValue() : QJsonValue(column.costUsd)},
        {QStringLiteral("cost_status"), column.costStatus.isEmpty() ? QJsonValue() : QJsonValue(column.costStatus)},
    };
}

CompareColumn CompareExport::columnFromJson(const QJsonObject &object)
{
    CompareColumn column;
    column.model.model = object.value(QLatin1String("model")).toString();
    column.model.overrides = object.value(QLatin1String("overrides")).toObject();
    column.state = stateFromName(object.value(QLatin1String("status")).toString());
    column.httpStatus = object.value(QLatin1String("http_status")).toInt();
    column.error = object.value(QLatin1String("error")).toString();
    column.requestId = object.value(QLatin1String("request_id")).toString();
    column.provider = object.value(QLatin1String("provider")).toString();
    column.servedModel = object.value(QLatin1String("served_model")).toString();
    column.text = object.value(QLatin1String("output")).toString();
    column.thinking = object.value(QLatin1String("thinking")).toString();
    for (const QJsonValue &value : object.value(QLatin1String("tool_calls")).toArray()) {
        const QJsonObject call = value.toObject();
        column.toolCalls.append({call.value(QLatin1String("id")).toString(),
                                 call.value(QLatin1String("name")).toString(),
                                 call.value(QLatin1String("arguments")).toString()});
    }
    column.finishReason = object.value(QLatin1String("finish_reason")).toString();
    column.ttftMs = knownOrMinusOne(object.value(QLatin1String("ttft_ms")));
    column.latencyMs = knownOrMinusOne(object.value(QLatin1String("latency_ms")));
    const QJsonObject tokens = object.value(QLatin1String("tokens")).toObject();
    column.inputTokens = knownOrMinusOne(tokens.value(QLatin1String("input")));
    column.cachedTokens = knownOrMinusOne(tokens.value(QLatin1String("cached")));
    column.outputTokens = knownOrMinusOne(tokens.value(QLatin1String("output")));
    column.reasoningTokens = knownOrMinusOne(tokens.value(QLatin1String("reasoning")));
    const QJsonValue cost = object.value(QLatin1String("cost_usd"));
    column.costUsd = cost.isDouble() ? cost.toDouble() : -1;
    column.costStatus = object.value(QLatin1String("cost_status")).toString();
    return column;
}

QJsonObject CompareExport::runJson(const CompareRunResult &run)
{
    QJsonArray columns;
    for (const CompareColumn &column : run.columns)
        columns.append(columnJson(column));
    const QJsonObject body = QJsonDocument::fromJson(run.request.body).object();
    return QJsonObject {
        {QStringLiteral("run_id"), run.id},
        {QStringLiteral("created_at"), run.createdAt.toUTC().toString(Qt::ISODateWithMs)},
        {QStringLiteral("title"), run.request.title},
        {QStringLiteral("source"), run.request.source},
        {QStringLiteral("format"), compareFormatName(run.request.format)},
        {QStringLiteral("request"), body},
        {QStringLiteral("models"), columns},
    };
}

Result<CompareRunResult> CompareExport::runFromJson(const QJsonObject &object)
{
    CompareRunResult run;
    run.id = object.value(QLatin1String("run_id")).toString();
    run.createdAt = QDateTime::fromString(object.value(QLatin1String("created_at")).toString(), Qt::ISODateWithMs);
    run.request.title = object.value(QLatin1String("title")).toString();
    run.request.source = object.value(QLatin1String("source")).toString();
    const Result<ApiFormat> format = compareFormatFromName(object.value(QLatin1String("format")).toString());
    if (!format)
        return format.error();
    run.request.format = *format;
    run.request.body = QJsonDocument(object.value(QLatin1String("request")).toObject()).toJson(QJsonDocument::Compact);
    for (const QJsonValue &value : object.value(QLatin1String("models")).toArray()) {
        CompareColumn column = columnFromJson(value.toObject());
        run.request.models.append(column.model);
        run.columns.append(column);
    }
    if (run.id.isEmpty())
        return makeError(QStringLiteral("The comparison run has no run_id."));
    return run;
}

QByteArray CompareExport::toJson(const CompareRunResult &run)
{
    return QJsonDocument(runJson(run)).toJson(QJsonDocument::Indented);
}

QString CompareExport::toMarkdown(const CompareRunResult &run)
{
    QString text;
    text += QStringLiteral("# Comparison: %1\n\n").arg(run.request.title.isEmpty() ? run.id : run.request.title);
    text += QStringLiteral("Run `%1`, %2, %3 request.\n\n")
                .arg(run.id, run.createdAt.toUTC().toString(Qt::ISODate), compareFormatName(run.request.format));
    text += QStringLiteral("| model | status | finish | ttft | latency | input | cached | output | reasoning | cost "
                           "|\n| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (const CompareColumn &column : run.columns) {
        text += QStringLiteral("| %1 | %2 | %3 | %4 | %5 | %6 | %7 | %8 | %9 | %10 |\n")
                    .arg(cell(column.model.model), CompareColumn::stateName(column.state),
                         column.finishReason.isEmpty() ? QStringLiteral("–") : column.finishReason,
                         column.ttftMs < 0 ? QStringLiteral("–") : figure(column.ttftMs) + QStringLiteral(" ms"),
                         column.latencyMs < 0 ? QStringLiteral("–") : figure(column.latencyMs) + QStringLiteral(" ms"),
                         figure(column.inputTokens), figure(column.cachedTokens), figure(column.outputTokens),
                         figure(column.reasoningTokens))
                    .arg(money(column.costUsd));
    }
    for (const CompareColumn &column : run.columns) {
        text += QStringLiteral("\n## %1\n\n").arg(column.model.model);
        if (!column.model.overrides.isEmpty())
            text += QStringLiteral("Overrides: `%1`\n\n")
                        .arg(QString::fromUtf8(QJsonDocument(column.model.overrides).toJson(QJsonDocument::Compact)));
        if (!column.error.isEmpty())
            text += QStringLiteral("**Error:** %1\n\n").arg(column.error);
        if (!column.text.isEmpty())
            text += QStringLiteral("```text\n%1\n```\n").arg(column.text);
        for (const CompareToolCall &call : column.toolCalls)
            text += QStringLiteral("\nTool call `%1`:\n\n```json\n%2\n```\n").arg(call.name, call.arguments);
    }
    return text;
}

} // namespace sluice

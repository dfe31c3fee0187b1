#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include "api/ApiFormat.h"
#include "common/Result.h"

namespace sluice {

// One model of a comparison and the parameters it overrides (docs/compare.md).
struct CompareModel
{
    QString model; // a configured model name, as a client would ask for it
    QJsonObject overrides; // e.g. {"temperature": 0.2, "max_tokens": 300}; a null value removes the member
};

// What a comparison sends: one request body in a client format, to 2 to 6 models.
struct CompareRequest
{
    static constexpr int MinModels = 2;
    static constexpr int MaxModels = 6;

    ApiFormat format = ApiFormat::OpenAiChat;
    QByteArray body; // a JSON object in `format`; its model member (if any) is replaced per model
    QString source; // "typed", "file", "prompt" or "request"
    QString title; // what a person recognises the run by: the prompt's first words, NAME@LABEL, "request ID"
    QList<CompareModel> models;

    // A clear message when the request cannot run (model count, body not an object, a format not comparable).
    Result<void> validate() const;
};

// A tool call a model asked for, arguments as the JSON text it produced.
struct CompareToolCall
{
    QString id;
    QString name;
    QString arguments;
    bool operator==(const CompareToolCall &other) const = default;
};

// What one model answered, filled in as its stream arrives and completed from its logged row.
struct CompareColumn
{
    enum class State { Waiting, Running, Done, Failed, Cancelled };

    CompareModel model;
    State state = State::Waiting;
    int httpStatus = 0; // 0: no answer (not sent, connection failed, cancelled)
    QString error; // why it failed, as the gateway said it
    QString requestId; // the logged row (x-sluice-request-id)
    QString text;
    QString thinking;
    QList<CompareToolCall> toolCalls;
    QString finishReason; // "stop", "length", "tool_calls", ...; empty: not known
    qint64 ttftMs = -1; // send to the first content (text, thinking or tool call); -1: none came
    qint64 latencyMs = -1; // send to the end of the answer
    qint64 inputTokens = -1;
    qint64 cachedTokens = -1;
    qint64 outputTokens = -1;
    qint64 reasoningTokens = -1;
    double costUsd = -1; // from the logged row; -1: unknown (not logged yet, unpriced)
    QString costStatus; // the logged row's cost status (exact, estimated, unpriced, free, cached)
    QString provider; // the provider that answered, from the logged row
    QString servedModel; // the upstream model that answered, from the logged row

    bool finished() const { return state == State::Done || state == State::Failed || state == State::Cancelled; }
    static QString stateName(State state); // "waiting", "running", "ok", "failed", "cancelled"
};

// One comparison: the request, every model's column, and when it ran. What the store saves and exports write.
struct CompareRunResult
{
    QString id; // the run id, sent as x-sluice-compare and kept in the log's compare_run column
    QDateTime createdAt; // UTC
    CompareRequest request;
    QList<CompareColumn> columns;
};

// The names a comparison uses for client formats (in files, JSON exports and the saved runs table).
QString compareFormatName(ApiFormat format); // "openai-chat", "responses", "anthropic", "gemini"
Result<ApiFormat> compareFormatFromName(const QString &name);

} // namespace sluice

#pragma once

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

namespace sluice {

// One immutable version of a registry prompt, as stored (docs/prompts.md).
struct PromptVersion
{
    QString name;
    int version = 0;
    QString type; // "chat" or "text"
    QString templateJson; // chat: the messages array; text: a JSON string
    QString configJson; // a JSON object: model, parameters, tools, response_format
    QString message; // the commit message
    QString author;
    QDateTime createdAt; // UTC
    QStringList labels; // the labels pointing at it, "latest" included when it is the newest
};

// A prompt in the registry's list.
struct PromptSummary
{
    QString name;
    int latestVersion = 0;
    QDateTime updatedAt; // when the newest version was saved
    QStringList labels; // "label=vN", sorted by label
    QString latestMessage;
};

// One move of a label, kept forever (prompt_label_history).
struct LabelMove
{
    QString label;
    int fromVersion = 0; // 0: the label was new
    int toVersion = 0;
    QString author;
    QDateTime movedAt;
};

// What the requests that used one version (or carried one observed prompt version) add up to.
struct PromptUsageStats
{
    int version = 0; // registry prompts
    QString fingerprint; // observed prompts
    qint64 requests = 0;
    qint64 errors = 0; // HTTP status 400 and up
    qint64 inputTokens = 0;
    qint64 outputTokens = 0;
    double costUsd = 0; // priced requests only
    qint64 unpriced = 0; // requests without a known cost
    double p50LatencyMs = -1; // -1: no requests
    double p50TimeToFirstTokenMs = -1; // -1: no streamed requests
    double errorRate() const { return requests > 0 ? double(errors) / double(requests) : 0; }
};

// One version of an observed prompt: a client's system prompt and tool names, normalised (docs/prompts.md).
struct ObservedPromptVersion
{
    QString fingerprint;
    QString promptKey; // the observed prompt it is a version of
    QString client;
    QString systemText;
    QStringList tools;
    QDateTime firstSeen;
    int version = 0; // 1, 2, ... by first sighting within its prompt key
    PromptUsageStats stats;
};

} // namespace sluice

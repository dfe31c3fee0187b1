#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include "api/ApiFormat.h"

namespace sluice {

// An image or document, by URL or inline (base64 kept as sent on the wire, never decoded).
struct MediaSource
{
    QString url; // remote URL; empty for inline data
    QByteArray base64; // inline data
    QString mediaType; // e.g. "image/png", "application/pdf"; may be empty for URLs
    QString filename; // documents, when the client named the file

    bool isInline() const { return !base64.isEmpty(); }
    // "data:MEDIA;base64,DATA" for inline data, else the URL.
    QString toDataUrlOrUrl() const;
    // Parses "data:MEDIA;base64,DATA" (inline) or takes the string as a URL.
    static MediaSource fromDataUrlOrUrl(const QString &value);
};

// One typed piece of a message: the unit every format's content is translated through.
struct ContentPart
{
    enum class Kind {
        Text,
        Image,
        Document,
        ToolCall, // the assistant asks for a tool: toolCallId, toolName, arguments
        ToolResult, // the client answers a tool call: toolCallId, text (+ media), isError
        Thinking, // reasoning: text + signature, or redacted (text holds the opaque data)
        Raw, // a block only its own format understands (e.g. Anthropic server_tool_use), kept as received
    };

    Kind kind = Kind::Text;
    QString text;
    MediaSource media; // Image, Document
    QList<MediaSource> resultMedia; // ToolResult: images returned by the tool
    QString toolCallId;
    QString toolName;
    QString arguments; // ToolCall: a JSON object as text, exactly as the model produced it
    bool isError = false; // ToolResult
    QString signature; // Thinking: the provider's signature; Text: Gemini's thoughtSignature
    bool redacted = false; // Thinking
    ApiFormat rawFormat = ApiFormat::OpenAiChat; // Raw: the format raw belongs to
    QJsonObject raw; // Raw
    QJsonObject extras; // format-specific keys of this part that Sluice does not model (e.g. cache_control)

    static ContentPart makeText(const QString &text);
    static ContentPart makeToolCall(const QString &id, const QString &name, const QString &arguments);
    static ContentPart makeToolResult(const QString &callId, const QString &text, bool isError = false);
    static ContentPart makeThinking(const QString &text, const QString &signature = {});
};

using ContentParts = QList<ContentPart>;

// The text parts joined (no separator), ignoring every other kind.
QString joinedText(const ContentParts &parts);

} // namespace sluice

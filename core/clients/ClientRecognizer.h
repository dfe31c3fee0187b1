#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include "common/HttpHeaders.h"

namespace sluice {

// Who sent a request and what it was for, read from its headers and body without the client doing anything
// (docs/spend.md): the client, free tags and a project.
struct RequestAttribution
{
    QString client; // empty: nothing said who it was
    QStringList tags;
    QString project; // empty: x-sluice-project not sent (the gateway token's name stands in)
};

// Recognises coding agents, editors, official SDKs and curl from the User-Agent and the headers they send;
// any other client is named by its User-Agent's first product token. Pure functions.
class ClientRecognizer
{
public:
    // A display name: "Claude Code", "Codex CLI", "Gemini CLI", "opencode", "Cursor", "Continue", "Cline", "Zed",
    // "Aider", "OpenAI SDK (Python)", "Anthropic SDK (JavaScript)", "Google GenAI SDK (JavaScript)", "curl", ...
    static QString recognize(const HttpHeaders &headers);

    // client, x-sluice-tags and x-sluice-project from the headers.
    static RequestAttribution fromHeaders(const HttpHeaders &headers);
    // Tags from "a, b,a" (x-sluice-tags or a metadata string): trimmed, distinct, in order, at most MaxTags of at
    // most MaxTagLength characters; control characters dropped.
    static QStringList parseTags(const QString &text);
    // The tags of a JSON body's metadata.tags (an array of strings, or one comma-separated string); empty when
    // the body has none. Cheap for bodies without a "tags" key (no JSON parse).
    static QStringList metadataTags(const QByteArray &body);
    // Adds the tags of more that tags does not have yet, within MaxTags.
    static QStringList mergeTags(const QStringList &tags, const QStringList &more);

    static constexpr int MaxTags = 16;
    static constexpr int MaxTagLength = 64;
    static constexpr int MaxNameLength = 64; // client and project names
};

} // namespace sluice

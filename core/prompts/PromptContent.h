#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include "common/Result.h"

namespace sluice {

struct PromptVersion;

struct PromptMessage
{
    QString role; // system, user or assistant
    QString content;
};

// A prompt's template and config as Sluice works with them: a chat prompt's messages or a text prompt's text, and
// the config (model, parameters, tools, response_format) the gateway applies under the request's own parameters.
struct PromptContent
{
    QString type = QStringLiteral("chat"); // "chat" or "text"
    QList<PromptMessage> messages; // chat
    QString text; // text
    QJsonObject config;

    bool isChat() const { return type == QLatin1String("chat"); }
    // The stored forms (prompt_versions.template, .config).
    QString templateJson() const;
    QString configJson() const;
    // The content of a stored version; an error if the stored JSON does not have the shape of its type.
    static Result<PromptContent> fromVersion(const PromptVersion &version);
    // The content of a prompt file or API object: {type, messages | prompt | text, config}; the message says which
    // member is wrong and how to write it.
    static Result<PromptContent> fromJson(const QJsonObject &object);
    // The parameters config may hold, in OpenAI chat's names (docs/prompts.md).
    static const QStringList &configKeys();
};

} // namespace sluice

#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include "common/Result.h"
#include "prompts/PromptContent.h"

namespace sluice {

// A prompt file for `sluice prompt create|update` (docs/prompts.md): YAML or JSON (JSON is YAML too), e.g.
//   type: chat
//   messages: [{role: system, content: "You are terse."}, {role: user, content: "Hi {{name}}"}]
//   config: {model: gpt-4.1-mini, temperature: 0.2}
class PromptFile
{
public:
    // Parses and validates text (fileName is for messages); templates are checked too (tags, variables).
    static Result<PromptContent> parse(const QByteArray &text, const QString &fileName);
    static Result<PromptContent> read(const QString &path);
    // YAML text as JSON: quoted scalars stay strings, plain ones become numbers, booleans or null where they read so.
    static Result<QJsonObject> yamlObject(const QByteArray &text, const QString &fileName);
};

} // namespace sluice

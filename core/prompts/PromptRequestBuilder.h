#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include "api/ApiFormat.h"
#include "common/Result.h"
#include "prompts/PromptContent.h"

namespace sluice {

// Turns a client's request that names a prompt into the request the gateway routes, in the client's own format:
// the rendered prompt's messages go first (system ones into the format's system instructions), the client's own
// messages follow; the prompt's config gives the model and the parameters the request does not set itself; the
// model member names the model and prompt_variables is removed (docs/prompts.md).
class PromptRequestBuilder
{
public:
    // The member a client's body carries the variables in.
    static constexpr QLatin1String VariablesMember {"prompt_variables"};

    // body: the client's request as JSON; rendered: the prompt with its variables filled in; model: the model to
    // call (Gemini names it in the path, so its body gets none). An error when the format cannot take the prompt.
    static Result<QByteArray> build(ApiFormat format, QJsonObject body, const PromptContent &rendered,
                                    const QString &model);
    // The prompt as an OpenAI chat request (what /v1/prompts/NAME/render returns).
    static QJsonObject openAiChatBody(const PromptContent &rendered, const QString &model);
};

} // namespace sluice

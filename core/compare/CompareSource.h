#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include "common/RequestRecord.h"
#include "compare/CompareRun.h"

namespace sluice {

class PromptStore;

// Where a comparison's request comes from: typed text, a file, a registry prompt version with its variables, or
// a logged request replayed with its exact body in its own client format. Models are added by the caller.
class CompareSource
{
public:
    // A prompt typed by the user: one user message in OpenAI chat format (with a system message when given).
    static CompareRequest fromText(const QString &prompt, const QString &system = {});
    // A request body in a client format: the format is named (openai-chat, responses, anthropic, gemini) or,
    // when empty, recognised from the body (contents: Gemini; input: Responses; a top-level system, or content
    // blocks Anthropic uses: Anthropic; otherwise OpenAI chat).
    static Result<CompareRequest> fromBody(const QByteArray &body, const QString &formatName = {});
    // A file: a JSON request body (as fromBody), or else plain text sent as one user message.
    static Result<CompareRequest> fromFile(const QString &path, const QString &formatName = {});
    // A logged request, with its exact body: refused (saying why) when its body was not kept or was truncated.
    static Result<CompareRequest> fromRecord(const RequestRecord &record);
    // A registry prompt (NAME, NAME@LABEL, NAME@vN) rendered with the variables, as an OpenAI chat request with the
    // version's parameters and tools.
    static Result<CompareRequest> fromPrompt(PromptStore &store, const QString &reference,
                                             const QJsonObject &variables);

    // The client format of a logged request's endpoint; an error for endpoints that are not chat requests.
    static Result<ApiFormat> formatOfEndpoint(const QString &endpoint);
    // The format a body looks like (see fromBody).
    static ApiFormat recogniseFormat(const QJsonObject &body);
    // A short title: the last user message's first words.
    static QString titleOf(ApiFormat format, const QJsonObject &body);
};

} // namespace sluice

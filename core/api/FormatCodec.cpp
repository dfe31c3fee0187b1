#include "FormatCodec.h"

#include "api/AnthropicMessagesCodec.h"
#include "api/BedrockConverseCodec.h"
#include "api/GeminiCodec.h"
#include "api/OpenAiChatCodec.h"
#include "api/OpenAiCompletionsCodec.h"
#include "api/OpenAiResponsesCodec.h"

namespace sluice {

FormatCodec::~FormatCodec() = default;

const FormatCodec &FormatCodec::forFormat(ApiFormat format)
{
    static const OpenAiChatCodec openAiChat;
    static const AnthropicMessagesCodec anthropic;
    static const GeminiCodec gemini;
    static const OpenAiResponsesCodec responses;
    static const BedrockConverseCodec bedrock;
    static const OpenAiCompletionsCodec completions;
    switch (format) {
    case ApiFormat::OpenAiChat:
        break;
    case ApiFormat::AnthropicMessages:
        return anthropic;
    case ApiFormat::Gemini:
        return gemini;
    case ApiFormat::OpenAiResponses:
        return responses;
    case ApiFormat::BedrockConverse:
        return bedrock;
    case ApiFormat::OpenAiCompletions:
        return completions;
    case ApiFormat::OpenAiEmbeddings:
        break; // errors only, in OpenAI's envelope
    }
    return openAiChat;
}

EncodedError FormatCodec::translateError(ApiFormat provider, ApiFormat client, int status, const QByteArray &body)
{
    return forFormat(client).encodeError(forFormat(provider).decodeError(status, body));
}

} // namespace sluice

#include "AnswerRenderer.h"

#include "api/FormatCodec.h"
#include "api/ResponseAssembler.h"

namespace sluice::test {

ApiFormat AnswerRenderer::formatOf(RecordingLibrary::Family family)
{
    switch (family) {
    case RecordingLibrary::Family::Anthropic:
        return ApiFormat::AnthropicMessages;
    case RecordingLibrary::Family::Gemini:
        return ApiFormat::Gemini;
    case RecordingLibrary::Family::OpenAi:
        break;
    }
    return ApiFormat::OpenAiChat;
}

Result<CanonicalResponse> AnswerRenderer::response(const RecordingLibrary::Recording &recording)
{
    if (recording.hasBody)
        return FormatCodec::forFormat(formatOf(recording.family)).decodeResponse(recording.body);
    auto streamed = events(recording);
    if (!streamed)
        return streamed.error();
    ResponseAssembler assembler;
    assembler.feed(streamed.value());
    if (!assembler.isComplete())
        return makeError(QStringLiteral("The recording %1 is not a complete answer").arg(recording.name));
    return assembler.response();
}

Result<CanonicalEvents> AnswerRenderer::events(const RecordingLibrary::Recording &recording)
{
    if (!recording.hasEvents) {
        auto whole = response(recording);
        if (!whole)
            return whole.error();
        return ResponseAssembler::toEvents(whole.value());
    }
    const auto decoder = FormatCodec::forFormat(formatOf(recording.family)).createStreamDecoder();
    CanonicalEvents all;
    for (const QByteArray &payload : recording.events)
        all += decoder->feed(RecordingLibrary::frameEvent(recording.family, payload));
    if (recording.family == RecordingLibrary::Family::OpenAi)
        all += decoder->feed(QByteArrayLiteral("data: [DONE]\n\n"));
    all += decoder->finish();
    if (all.isEmpty() || all.constLast().type != CanonicalEvent::Type::Finish)
        return makeError(QStringLiteral("The recording %1 does not decode to a complete answer").arg(recording.name));
    return all;
}

QString AnswerRenderer::modelOf(const RecordingLibrary::Recording &recording)
{
    const Result<CanonicalResponse> answer = response(recording);
    return answer ? answer->model : QString();
}

CanonicalResponse AnswerRenderer::toolCall(const QString &callId, const QString &name, const QString &arguments,
                                           const TokenUsage &usage, const QString &model)
{
    CanonicalResponse response;
    response.id = QStringLiteral("mock-") + callId;
    response.model = model;
    response.content = {ContentPart::makeToolCall(callId, name, arguments)};
    response.finishReason = FinishReason::ToolCalls;
    response.usage = usage;
    return response;
}

QByteArray AnswerRenderer::body(ApiFormat format, const CanonicalResponse &response, const QString &model)
{
    return FormatCodec::forFormat(format).encodeResponse(response, model);
}

QList<QByteArray> AnswerRenderer::stream(ApiFormat format, const CanonicalEvents &events,
                                         const StreamEncoderOptions &options)
{
    const auto encoder = FormatCodec::forFormat(format).createStreamEncoder(options);
    QList<QByteArray> pieces;
    for (const CanonicalEvent &event : events) {
        const QByteArray bytes = encoder->encode(event);
        if (!bytes.isEmpty())
            pieces.append(bytes);
    }
    const QByteArray end = encoder->finish();
    if (!end.isEmpty())
        pieces.append(end);
    return pieces;
}

} // namespace sluice::test

#include "OpenAiCompletionsStreamEncoder.h"

#include <QJsonArray>
#include <QJsonObject>

#include "api/CodecJson.h"
#include "api/OpenAiChatCodec.h"
#include "api/SseParser.h"

namespace sluice {

namespace {
QByteArray frame(const QJsonObject &object)
{
    return encodeSseEvent(SseEvent {{}, codec::toJson(object)});
}

QByteArray errorFrame(const CanonicalError &error)
{
    return encodeSseEvent(SseEvent {{}, OpenAiChatCodec().encodeError(error).body});
}
} // namespace

OpenAiCompletionsStreamEncoder::OpenAiCompletionsStreamEncoder(StreamEncoderOptions options)
    : StreamEncoder(std::move(options))
{ }

QByteArray OpenAiCompletionsStreamEncoder::chunk(const QString &text, const QJsonValue &finishReason) const
{
    QJsonObject object {
        {QStringLiteral("id"), m_id},
        {QStringLiteral("object"), QStringLiteral("text_completion")},
        {QStringLiteral("created"), m_created},
        {QStringLiteral("model"), options().requestedModel},
        {QStringLiteral("choices"),
         QJsonArray {QJsonObject {{QStringLiteral("text"), text},
                                  {QStringLiteral("index"), 0},
                                  {QStringLiteral("logprobs"), QJsonValue()},
                                  {QStringLiteral("finish_reason"), finishReason}}}},
    };
    if (options().includeUsage)
        object.insert(QStringLiteral("usage"), QJsonValue());
    return frame(object);
}

void OpenAiCompletionsStreamEncoder::ensureStarted()
{
    if (m_started)
        return;
    m_started = true;
    if (m_id.isEmpty())
        m_id = codec::newId(QLatin1String("cmpl-"));
    if (m_created <= 0)
        m_created = codec::nowSeconds();
}

QByteArray OpenAiCompletionsStreamEncoder::onEvent(const CanonicalEvent &event)
{
    using Type = CanonicalEvent::Type;
    switch (event.type) {
    case Type::Start:
        if (!m_started) {
            m_created = event.created;
            m_usage.mergeFrom(event.usage);
        }
        return {};
    case Type::TextDelta:
        ensureStarted();
        return event.text.isEmpty() ? QByteArray() : chunk(event.text, QJsonValue());
    case Type::ThinkingDelta:
    case Type::ToolCallStart:
    case Type::ToolArgumentsDelta:
        return {}; // not part of a text completion
    case Type::Usage:
        m_usage.mergeFrom(event.usage);
        return {};
    case Type::Finish: {
        ensureStarted();
        if (event.finishReason == FinishReason::Error) {
            const QString message = event.finishMessage.isEmpty()
                ? QStringLiteral("The provider stopped generating with an error.")
                : event.finishMessage;
            return errorFrame(CanonicalError::make(502, message));
        }
        const FinishReason reason
            = event.finishReason == FinishReason::ToolCalls ? FinishReason::Stop : event.finishReason;
        QByteArray out = chunk(QString(), QString(finishReasonName(reason)));
        if (options().includeUsage) {
            out += frame(QJsonObject {{QStringLiteral("id"), m_id},
                                      {QStringLiteral("object"), QStringLiteral("text_completion")},
                                      {QStringLiteral("created"), m_created},
                                      {QStringLiteral("model"), options().requestedModel},
                                      {QStringLiteral("choices"), QJsonArray()},
                                      {QStringLiteral("usage"), OpenAiChatCodec::usageJson(m_usage)}});
        }
        out += encodeSseEvent(SseEvent {{}, QByteArrayLiteral("[DONE]")});
        return out;
    }
    case Type::Error:
        return errorFrame(event.error);
    }
    return {};
}

} // namespace sluice

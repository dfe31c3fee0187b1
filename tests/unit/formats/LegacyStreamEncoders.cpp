#include "LegacyStreamEncoders.h"

#include "api/AnthropicMessagesCodec.h"
#include "api/CodecJson.h"
#include "api/OpenAiResponsesCodec.h"
#include "api/SseParser.h"

namespace sluice::test::legacy {

AnthropicStreamEncoder::AnthropicStreamEncoder(StreamEncoderOptions options)
    : StreamEncoder(std::move(options))
{ }

QByteArray AnthropicStreamEncoder::send(const char *type, QJsonObject data) const
{
    data.insert(QStringLiteral("type"), QLatin1String(type));
    return encodeSseEvent(SseEvent {QByteArray(type), codec::toJson(data)});
}

QByteArray AnthropicStreamEncoder::ensureStarted()
{
    if (m_started)
        return {};
    m_started = true;
    if (m_id.isEmpty())
        m_id = codec::newId(QLatin1String("msg_"));
    else if (!m_id.startsWith(QLatin1String("msg_")))
        m_id = QStringLiteral("msg_") + AnthropicMessagesCodec::toolId(m_id);
    QJsonObject usage = AnthropicMessagesCodec::usageJson(m_usage);
    usage.insert(QStringLiteral("output_tokens"), qMax<qint64>(0, m_usage.output));
    const QJsonObject message {{QStringLiteral("id"), m_id},
                               {QStringLiteral("type"), QStringLiteral("message")},
                               {QStringLiteral("role"), QStringLiteral("assistant")},
                               {QStringLiteral("model"), options().requestedModel},
                               {QStringLiteral("content"), QJsonArray()},
                               {QStringLiteral("stop_reason"), QJsonValue()},
                               {QStringLiteral("stop_sequence"), QJsonValue()},
                               {QStringLiteral("usage"), usage}};
    return send("message_start", QJsonObject {{QStringLiteral("message"), message}}) + send("ping", QJsonObject());
}

QByteArray AnthropicStreamEncoder::openBlock(Block block, const QJsonObject &contentBlock, int tool)
{
    QByteArray out = closeBlock();
    m_open = block;
    m_openTool = tool;
    out += send("content_block_start",
                QJsonObject {{QStringLiteral("index"), m_nextIndex}, {QStringLiteral("content_block"), contentBlock}});
    return out;
}

QByteArray AnthropicStreamEncoder::closeBlock()
{
    if (m_open == Block::None)
        return {};
    m_open = Block::None;
    m_openTool = -1;
    return send("content_block_stop", QJsonObject {{QStringLiteral("index"), m_nextIndex++}});
}

QByteArray AnthropicStreamEncoder::errorEvent(const CanonicalError &error) const
{
    return send("error",
                QJsonObject {{QStringLiteral("error"),
                              QJsonObject {{QStringLiteral("type"),
                                            QString::fromLatin1(AnthropicMessagesCodec::errorType(error.kind))},
                                           {QStringLiteral("message"), error.message}}}});
}

QByteArray AnthropicStreamEncoder::onEvent(const CanonicalEvent &event)
{
    using Type = CanonicalEvent::Type;
    if (event.type == Type::Start && !m_started) {
        m_id = event.id;
        m_usage.mergeFrom(event.usage);
    }
    if (event.type == Type::Error && !m_started)
        return errorEvent(event.error);
    QByteArray out = ensureStarted();
    const auto delta = [this](const QJsonObject &body) {
        return send("content_block_delta",
                    QJsonObject {{QStringLiteral("index"), m_nextIndex}, {QStringLiteral("delta"), body}});
    };
    switch (event.type) {
    case Type::Start:
        break;
    case Type::TextDelta:
        if (event.text.isEmpty())
            break;
        if (m_open != Block::Text) {
            out += openBlock(
                Block::Text,
                QJsonObject {{QStringLiteral("type"), QStringLiteral("text")}, {QStringLiteral("text"), QString()}});
        }
        out += delta(
            QJsonObject {{QStringLiteral("type"), QStringLiteral("text_delta")}, {QStringLiteral("text"), event.text}});
        break;
    case Type::ThinkingDelta:
        if (event.redacted) {
            out += openBlock(Block::Thinking,
                             QJsonObject {{QStringLiteral("type"), QStringLiteral("redacted_thinking")},
                                          {QStringLiteral("data"), event.text}});
            out += closeBlock();
            break;
        }
        if (m_open != Block::Thinking) {
            out += openBlock(Block::Thinking,
                             QJsonObject {{QStringLiteral("type"), QStringLiteral("thinking")},
                                          {QStringLiteral("thinking"), QString()},
                                          {QStringLiteral("signature"), QString()}});
        }
        if (!event.text.isEmpty()) {
            out += delta(QJsonObject {{QStringLiteral("type"), QStringLiteral("thinking_delta")},
                                      {QStringLiteral("thinking"), event.text}});
        }
        if (!event.signature.isEmpty()) {
            out += delta(QJsonObject {{QStringLiteral("type"), QStringLiteral("signature_delta")},
                                      {QStringLiteral("signature"), event.signature}});
        }
        break;
    case Type::ToolCallStart:
        out += openBlock(Block::Tool,
                         QJsonObject {{QStringLiteral("type"), QStringLiteral("tool_use")},
                                      {QStringLiteral("id"), AnthropicMessagesCodec::toolId(event.toolCallId)},
                                      {QStringLiteral("name"), event.toolName},
                                      {QStringLiteral("input"), QJsonObject()}},
                         event.index);
        break;
    case Type::ToolArgumentsDelta:
        if (m_open != Block::Tool || m_openTool != event.index) {
            // Anthropic blocks cannot be reopened; providers stream one call's arguments before the next call.
            qCWarning(lcApi) << "Anthropic stream: arguments for tool call" << event.index
                             << "arrived after its block closed; they cannot be delivered";
            break;
        }
        if (!event.text.isEmpty()) {
            out += delta(QJsonObject {{QStringLiteral("type"), QStringLiteral("input_json_delta")},
                                      {QStringLiteral("partial_json"), event.text}});
        }
        break;
    case Type::Usage:
        m_usage.mergeFrom(event.usage);
        break;
    case Type::Finish: {
        out += closeBlock();
        if (event.finishReason == FinishReason::Error) {
            const QString message = event.finishMessage.isEmpty()
                ? QStringLiteral("The provider stopped generating with an error.")
                : event.finishMessage;
            out += errorEvent(CanonicalError::make(502, message));
            break;
        }
        QJsonObject messageDelta {{QStringLiteral("stop_reason"),
                                   AnthropicMessagesCodec::stopReasonFor(event.finishReason, event.stopSequence)},
                                  {QStringLiteral("stop_sequence"),
                                   event.stopSequence.isEmpty() ? QJsonValue() : QJsonValue(event.stopSequence)}};
        if (event.finishReason == FinishReason::ContentFilter && !event.finishMessage.isEmpty()) {
            messageDelta.insert(QStringLiteral("stop_details"),
                                QJsonObject {{QStringLiteral("type"), QStringLiteral("refusal")},
                                             {QStringLiteral("explanation"), event.finishMessage}});
        }
        out += send("message_delta",
                    QJsonObject {{QStringLiteral("delta"), messageDelta},
                                 {QStringLiteral("usage"), AnthropicMessagesCodec::usageJson(m_usage)}});
        out += send("message_stop", QJsonObject());
        break;
    }
    case Type::Error:
        out += closeBlock();
        out += errorEvent(event.error);
        break;
    }
    return out;
}

OpenAiResponsesStreamEncoder::OpenAiResponsesStreamEncoder(StreamEncoderOptions options)
    : StreamEncoder(std::move(options))
{ }

QByteArray OpenAiResponsesStreamEncoder::send(const char *type, QJsonObject data)
{
    data.insert(QStringLiteral("type"), QLatin1String(type));
    data.insert(QStringLiteral("sequence_number"), m_sequence++);
    return encodeSseEvent(SseEvent {QByteArray(type), codec::toJson(data)});
}

QJsonObject OpenAiResponsesStreamEncoder::response(const QString &status) const
{
    const bool done = status != QLatin1String("in_progress");
    return OpenAiResponsesCodec::responseObject(
        m_id, m_created, options().requestedModel, status, done ? m_output : QJsonArray(),
        done ? QJsonValue(OpenAiResponsesCodec::usageJson(m_usage)) : QJsonValue());
}

QByteArray OpenAiResponsesStreamEncoder::ensureStarted()
{
    if (m_started)
        return {};
    m_started = true;
    if (!m_id.startsWith(QLatin1String("resp_")))
        m_id = codec::newId(QLatin1String("resp_"));
    if (m_created <= 0)
        m_created = codec::nowSeconds();
    QByteArray out
        = send("response.created", QJsonObject {{QStringLiteral("response"), response(QStringLiteral("in_progress"))}});
    out += send("response.in_progress",
                QJsonObject {{QStringLiteral("response"), response(QStringLiteral("in_progress"))}});
    return out;
}

QByteArray OpenAiResponsesStreamEncoder::openItem(Item item, const QJsonObject &added)
{
    QByteArray out = closeItem();
    m_open = item;
    m_itemId = added.value(QLatin1String("id")).toString();
    m_text.clear();
    m_signature.clear();
    m_summaryOpen = false;
    out += send("response.output_item.added",
                QJsonObject {{QStringLiteral("output_index"), m_output.size()}, {QStringLiteral("item"), added}});
    return out;
}

QByteArray OpenAiResponsesStreamEncoder::closeItem()
{
    if (m_open == Item::None)
        return {};
    const int index = int(m_output.size());
    const QJsonObject where {{QStringLiteral("item_id"), m_itemId}, {QStringLiteral("output_index"), index}};
    const auto with = [&where](std::initializer_list<QPair<QString, QJsonValue>> fields) {
        QJsonObject object = where;
        for (const auto &[key, value] : fields)
            object.insert(key, value);
        return object;
    };
    QByteArray out;
    QJsonObject item;
    switch (m_open) {
    case Item::None:
        break;
    case Item::Message: {
        const QJsonObject part {{QStringLiteral("type"), QStringLiteral("output_text")},
                                {QStringLiteral("text"), m_text},
                                {QStringLiteral("annotations"), QJsonArray()}};
        out += send("response.output_text.done",
                    with({{QStringLiteral("content_index"), 0},
                          {QStringLiteral("text"), m_text},
                          {QStringLiteral("logprobs"), QJsonArray()}}));
        out += send("response.content_part.done",
                    with({{QStringLiteral("content_index"), 0}, {QStringLiteral("part"), part}}));
        item = OpenAiResponsesCodec::messageItem(m_itemId, QStringLiteral("completed"), m_text);
        break;
    }
    case Item::Reasoning:
        if (m_summaryOpen) {
            out += send("response.reasoning_summary_text.done",
                        with({{QStringLiteral("summary_index"), 0}, {QStringLiteral("text"), m_text}}));
            out += send("response.reasoning_summary_part.done",
                        with({{QStringLiteral("summary_index"), 0},
                              {QStringLiteral("part"),
                               QJsonObject {{QStringLiteral("type"), QStringLiteral("summary_text")},
                                            {QStringLiteral("text"), m_text}}}}));
        }
        item = OpenAiResponsesCodec::reasoningItem(m_itemId, m_text, m_signature);
        break;
    case Item::FunctionCall: {
        const QString arguments = m_text.isEmpty() ? QStringLiteral("{}") : m_text;
        out += send("response.function_call_arguments.done",
                    with({{QStringLiteral("name"), m_name}, {QStringLiteral("arguments"), arguments}}));
        item = OpenAiResponsesCodec::functionCallItem(m_itemId, QStringLiteral("completed"), m_callId, m_name,
                                                      arguments, m_namespace);
        break;
    }
    }
    out += send("response.output_item.done",
                QJsonObject {{QStringLiteral("output_index"), index}, {QStringLiteral("item"), item}});
    m_output.append(item);
    m_open = Item::None;
    m_tool = -1;
    return out;
}

QByteArray OpenAiResponsesStreamEncoder::onEvent(const CanonicalEvent &event)
{
    using Type = CanonicalEvent::Type;
    if (event.type == Type::Start && !m_started) {
        m_id = event.id;
        m_created = event.created;
        m_usage.mergeFrom(event.usage);
    }
    if (event.type == Type::Error && !m_started) {
        return send("error",
                    QJsonObject {{QStringLiteral("code"),
                                  event.error.code.isEmpty() ? QStringLiteral("server_error") : event.error.code},
                                 {QStringLiteral("message"), event.error.message},
                                 {QStringLiteral("param"), QJsonValue()}});
    }
    QByteArray out = ensureStarted();
    const auto where = [this]() {
        return QJsonObject {{QStringLiteral("item_id"), m_itemId}, {QStringLiteral("output_index"), m_output.size()}};
    };
    switch (event.type) {
    case Type::Start:
        break;
    case Type::TextDelta: {
        if (event.text.isEmpty())
            break;
        if (m_open != Item::Message) {
            out += openItem(Item::Message,
                            QJsonObject {{QStringLiteral("id"), codec::newId(QLatin1String("msg_"))},
                                         {QStringLiteral("type"), QStringLiteral("message")},
                                         {QStringLiteral("status"), QStringLiteral("in_progress")},
                                         {QStringLiteral("role"), QStringLiteral("assistant")},
                                         {QStringLiteral("content"), QJsonArray()}});
            QJsonObject added = where();
            added.insert(QStringLiteral("content_index"), 0);
            added.insert(QStringLiteral("part"),
                         QJsonObject {{QStringLiteral("type"), QStringLiteral("output_text")},
                                      {QStringLiteral("text"), QString()},
                                      {QStringLiteral("annotations"), QJsonArray()}});
            out += send("response.content_part.added", added);
        }
        m_text += event.text;
        QJsonObject delta = where();
        delta.insert(QStringLiteral("content_index"), 0);
        delta.insert(QStringLiteral("delta"), event.text);
        delta.insert(QStringLiteral("logprobs"), QJsonArray());
        out += send("response.output_text.delta", delta);
        break;
    }
    case Type::ThinkingDelta: {
        if (event.redacted)
            break;
        if (m_open != Item::Reasoning) {
            out += openItem(Item::Reasoning,
                            QJsonObject {{QStringLiteral("id"), codec::newId(QLatin1String("rs_"))},
                                         {QStringLiteral("type"), QStringLiteral("reasoning")},
                                         {QStringLiteral("summary"), QJsonArray()}});
        }
        if (!event.signature.isEmpty())
            m_signature += event.signature;
        if (event.text.isEmpty())
            break;
        if (!m_summaryOpen) {
            m_summaryOpen = true;
            QJsonObject added = where();
            added.insert(QStringLiteral("summary_index"), 0);
            added.insert(QStringLiteral("part"),
                         QJsonObject {{QStringLiteral("type"), QStringLiteral("summary_text")},
                                      {QStringLiteral("text"), QString()}});
            out += send("response.reasoning_summary_part.added", added);
        }
        m_text += event.text;
        QJsonObject delta = where();
        delta.insert(QStringLiteral("summary_index"), 0);
        delta.insert(QStringLiteral("delta"), event.text);
        out += send("response.reasoning_summary_text.delta", delta);
        break;
    }
    case Type::ToolCallStart:
        out += openItem(Item::FunctionCall,
                        OpenAiResponsesCodec::functionCallItem(codec::newId(QLatin1String("fc_")),
                                                               QStringLiteral("in_progress"), event.toolCallId,
                                                               event.toolName, QString(), event.toolNamespace));
        m_tool = event.index;
        m_callId = event.toolCallId;
        m_name = event.toolName;
        m_namespace = event.toolNamespace;
        break;
    case Type::ToolArgumentsDelta: {
        if (m_open != Item::FunctionCall || m_tool != event.index) {
            qCWarning(lcApi) << "Responses stream: arguments for tool call" << event.index
                             << "arrived after its item was done; they cannot be delivered";
            break;
        }
        if (event.text.isEmpty())
            break;
        m_text += event.text;
        QJsonObject delta = where();
        delta.insert(QStringLiteral("delta"), event.text);
        out += send("response.function_call_arguments.delta", delta);
        break;
    }
    case Type::Usage:
        m_usage.mergeFrom(event.usage);
        break;
    case Type::Finish: {
        out += closeItem();
        const QString status = OpenAiResponsesCodec::statusFor(event.finishReason);
        QJsonObject body = response(status);
        body.insert(QStringLiteral("incomplete_details"),
                    OpenAiResponsesCodec::incompleteDetailsFor(event.finishReason));
        if (event.finishReason == FinishReason::Error) {
            body.insert(QStringLiteral("error"),
                        QJsonObject {{QStringLiteral("code"), QStringLiteral("server_error")},
                                     {QStringLiteral("message"),
                                      event.finishMessage.isEmpty()
                                          ? QStringLiteral("The provider stopped generating with an error.")
                                          : event.finishMessage}});
        }
        const char *type = status == QLatin1String("completed") ? "response.completed"
            : status == QLatin1String("incomplete")             ? "response.incomplete"
                                                                : "response.failed";
        out += send(type, QJsonObject {{QStringLiteral("response"), body}});
        break;
    }
    case Type::Error: {
        out += closeItem();
        const QString code = event.error.code.isEmpty() ? QStringLiteral("server_error") : event.error.code;
        out += send("error",
                    QJsonObject {{QStringLiteral("code"), code},
                                 {QStringLiteral("message"), event.error.message},
                                 {QStringLiteral("param"), QJsonValue()}});
        QJsonObject body = response(QStringLiteral("failed"));
        body.insert(QStringLiteral("error"),
                    QJsonObject {{QStringLiteral("code"), code}, {QStringLiteral("message"), event.error.message}});
        out += send("response.failed", QJsonObject {{QStringLiteral("response"), body}});
        break;
    }
    }
    return out;
}

QByteArray anthropicEncodeResponse(const CanonicalResponse &response, const QString &requestedModel)
{
    QJsonArray content;
    for (const ContentPart &part : response.content) {
        switch (part.kind) {
        case ContentPart::Kind::Text:
            if (!part.text.isEmpty())
                content.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("text")},
                                            {QStringLiteral("text"), part.text}});
            break;
        case ContentPart::Kind::Thinking:
            if (part.redacted)
                content.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("redacted_thinking")},
                                            {QStringLiteral("data"), part.text}});
            else
                content.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("thinking")},
                                            {QStringLiteral("thinking"), part.text},
                                            {QStringLiteral("signature"), part.signature}});
            break;
        case ContentPart::Kind::ToolCall: {
            const std::optional<QJsonObject> input = codec::argumentsObject(part.arguments);
            if (!input)
                qCWarning(lcApi) << "tool call" << part.toolName << "has arguments that are not a JSON object";
            content.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("tool_use")},
                                        {QStringLiteral("id"), AnthropicMessagesCodec::toolId(part.toolCallId)},
                                        {QStringLiteral("name"), part.toolName},
                                        {QStringLiteral("input"), input.value_or(QJsonObject())}});
            break;
        }
        case ContentPart::Kind::Raw:
            if (part.rawFormat == ApiFormat::AnthropicMessages)
                content.append(part.raw);
            break;
        case ContentPart::Kind::Image:
        case ContentPart::Kind::Document:
        case ContentPart::Kind::ToolResult:
            break;
        }
    }
    QJsonObject root {
        {QStringLiteral("id"),
         response.id.isEmpty() ? codec::newId(QLatin1String("msg_"))
             : response.id.startsWith(QLatin1String("msg_"))
             ? response.id
             : QStringLiteral("msg_") + AnthropicMessagesCodec::toolId(response.id)},
        {QStringLiteral("type"), QStringLiteral("message")},
        {QStringLiteral("role"), QStringLiteral("assistant")},
        {QStringLiteral("model"), requestedModel.isEmpty() ? response.model : requestedModel},
        {QStringLiteral("content"), content},
        {QStringLiteral("stop_reason"),
         AnthropicMessagesCodec::stopReasonFor(response.finishReason, response.stopSequence)},
        {QStringLiteral("stop_sequence"),
         response.stopSequence.isEmpty() ? QJsonValue() : QJsonValue(response.stopSequence)},
        {QStringLiteral("usage"), AnthropicMessagesCodec::usageJson(response.usage)},
    };
    if (response.finishReason == FinishReason::ContentFilter && !response.refusal.isEmpty()) {
        root.insert(QStringLiteral("stop_details"),
                    QJsonObject {{QStringLiteral("type"), QStringLiteral("refusal")},
                                 {QStringLiteral("explanation"), response.refusal}});
    }
    return codec::toJson(root);
}

} // namespace sluice::test::legacy

#include "OpenAiResponsesStreamEncoder.h"

#include "api/CodecJson.h"
#include "api/JsonWriter.h"
#include "api/OpenAiResponsesCodec.h"
#include "api/SseParser.h"

namespace sluice {

OpenAiResponsesStreamEncoder::OpenAiResponsesStreamEncoder(StreamEncoderOptions options)
    : StreamEncoder(std::move(options))
{ }

QByteArray OpenAiResponsesStreamEncoder::send(const char *type, QJsonObject data)
{
    data.insert(QStringLiteral("type"), QLatin1String(type));
    data.insert(QStringLiteral("sequence_number"), m_sequence++);
    return encodeSseEvent(SseEvent {QByteArray(type), codec::toJson(data)});
}

void OpenAiResponsesStreamEncoder::sendDelta(QByteArray &bytes, DeltaKind kind, const QString &text)
{
    const char *type = kind == DeltaKind::OutputText ? "response.output_text.delta"
        : kind == DeltaKind::ReasoningSummary        ? "response.reasoning_summary_text.delta"
                                                     : "response.function_call_arguments.delta";
    // Keys in QJsonObject's (sorted) order: the bytes send() would give for the same object.
    JsonWriter out(bytes);
    out.beginSseEvent(type);
    out.raw(kind == DeltaKind::OutputText ? "{\"content_index\":0,\"delta\":" : "{\"delta\":");
    out.string(text).raw(",\"item_id\":").string(m_itemId);
    if (kind == DeltaKind::OutputText)
        out.raw(",\"logprobs\":[]");
    out.raw(",\"output_index\":").number(m_output.size());
    out.raw(",\"sequence_number\":").number(m_sequence++);
    if (kind == DeltaKind::ReasoningSummary)
        out.raw(",\"summary_index\":0");
    out.raw(",\"type\":\"").raw(type).raw("\"}");
    out.endSseEvent();
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
    // response.created and response.in_progress carry the same in-progress response: the object
    // OpenAiResponsesCodec::responseObject builds, written directly (these two events stand before the first token).
    QByteArray bytes;
    {
        JsonWriter out(bytes);
        for (const char *type : {"response.created", "response.in_progress"}) {
            out.beginSseEvent(type);
            out.raw("{\"response\":{\"created_at\":").number(m_created);
            out.raw(",\"error\":null,\"id\":").string(m_id);
            out.raw(",\"incomplete_details\":null,\"instructions\":null,\"max_output_tokens\":null,"
                    "\"metadata\":{},\"model\":")
                .string(options().requestedModel);
            out.raw(",\"object\":\"response\",\"output\":[],\"parallel_tool_calls\":true,"
                    "\"previous_response_id\":null,\"reasoning\":{\"effort\":null,\"summary\":null},"
                    "\"status\":\"in_progress\",\"store\":false,\"temperature\":null,"
                    "\"text\":{\"format\":{\"type\":\"text\"}},\"tool_choice\":\"auto\",\"tools\":[],"
                    "\"top_p\":null,\"truncation\":\"disabled\",\"usage\":null,\"user\":null},"
                    "\"sequence_number\":");
            out.number(m_sequence++).raw(",\"type\":\"").raw(type).raw("\"}");
            out.endSseEvent();
        }
    }
    return bytes;
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

QByteArray OpenAiResponsesStreamEncoder::openMessage()
{
    // openItem() with the message item, then response.content_part.added, written directly: these stand before the
    // first token of every answer.
    QByteArray bytes = closeItem();
    m_open = Item::Message;
    m_itemId = codec::newId(QLatin1String("msg_"));
    m_text.clear();
    m_signature.clear();
    m_summaryOpen = false;
    {
        JsonWriter out(bytes);
        out.beginSseEvent("response.output_item.added");
        out.raw("{\"item\":{\"content\":[],\"id\":").string(m_itemId);
        out.raw(",\"role\":\"assistant\",\"status\":\"in_progress\",\"type\":\"message\"},\"output_index\":");
        out.number(m_output.size()).raw(",\"sequence_number\":").number(m_sequence++);
        out.raw(",\"type\":\"response.output_item.added\"}").endSseEvent();
        out.beginSseEvent("response.content_part.added");
        out.raw("{\"content_index\":0,\"item_id\":").string(m_itemId);
        out.raw(",\"output_index\":").number(m_output.size());
        out.raw(",\"part\":{\"annotations\":[],\"text\":\"\",\"type\":\"output_text\"},\"sequence_number\":");
        out.number(m_sequence++).raw(",\"type\":\"response.content_part.added\"}").endSseEvent();
    }
    return bytes;
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
        if (m_open != Item::Message)
            out += openMessage();
        m_text += event.text;
        sendDelta(out, DeltaKind::OutputText, event.text);
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
        sendDelta(out, DeltaKind::ReasoningSummary, event.text);
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
        sendDelta(out, DeltaKind::FunctionArguments, event.text);
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

} // namespace sluice

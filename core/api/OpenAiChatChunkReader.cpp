#include "OpenAiChatChunkReader.h"

#include <string_view>

#include "api/SimdJsonSupport.h"
#include "common/WholeNumber.h"

namespace sluice {

namespace {

using simd::arrayOf;
using simd::objectOf;
using simd::stringOf;
using simd::utf8Of;
using simdjson::dom::element;
using simdjson::dom::element_type;

enum class Index { Absent, Value, Unusual };

// A number as QJsonValue::toInt() gives it for an integer: its value when it fits an int, else 0. Other numbers
// (with a fraction or exponent, or beyond qint64) are left to QJsonDocument.
Index indexOf(const element &value, int &out)
{
    switch (value.type()) {
    case element_type::INT64: {
        const int64_t number = value.get_int64().value_unsafe();
        out = number >= INT_MIN && number <= INT_MAX ? int(number) : 0;
        return Index::Value;
    }
    case element_type::UINT64:
    case element_type::DOUBLE:
        return Index::Unusual;
    default:
        return Index::Absent;
    }
}

bool readToolCall(const element &value, OpenAiChatChunkReader::ToolCall &call)
{
    if (value.type() != element_type::OBJECT)
        return true; // toObject() of anything else: a call without id, index or function
    element function;
    bool hasFunction = false;
    for (const simdjson::dom::key_value_pair field : objectOf(value)) {
        if (field.key == "id") {
            call.id = stringOf(field.value);
        } else if (field.key == "index") {
            const Index index = indexOf(field.value, call.index);
            if (index == Index::Unusual)
                return false;
            call.hasIndex = index == Index::Value;
            if (!call.hasIndex)
                call.index = 0;
        } else if (field.key == "function") {
            function = field.value;
            hasFunction = true;
        }
    }
    if (!hasFunction || function.type() != element_type::OBJECT)
        return true;
    element arguments;
    bool hasArguments = false;
    call.name.clear();
    for (const simdjson::dom::key_value_pair field : objectOf(function)) {
        if (field.key == "name") {
            call.name = stringOf(field.value);
        } else if (field.key == "arguments") {
            arguments = field.value;
            hasArguments = true;
        }
    }
    if (hasArguments) {
        if (arguments.type() == element_type::OBJECT)
            return false; // arguments as an object: re-serialised by QJsonDocument on the decoder's slow path
        call.arguments = stringOf(arguments);
    }
    return true;
}

// false: a shape left to QJsonDocument.
bool readDelta(const element &value, OpenAiChatChunkReader::Choice &choice)
{
    if (value.type() != element_type::OBJECT)
        return true;
    for (const simdjson::dom::key_value_pair field : objectOf(value)) {
        if (field.key == "content") {
            choice.content = stringOf(field.value);
        } else if (field.key == "reasoning_content") {
            choice.reasoningContent = stringOf(field.value);
        } else if (field.key == "reasoning") {
            choice.reasoning = stringOf(field.value);
        } else if (field.key == "refusal") {
            choice.refusal = stringOf(field.value);
        } else if (field.key == "tool_calls") {
            choice.toolCalls.clear();
            if (field.value.type() != element_type::ARRAY)
                continue;
            for (const element call : arrayOf(field.value)) {
                OpenAiChatChunkReader::ToolCall read;
                if (!readToolCall(call, read))
                    return false;
                choice.toolCalls.append(std::move(read));
            }
        }
    }
    return true;
}

// false: a shape left to QJsonDocument; `wanted` false: a choice whose index is not 0.
bool readChoice(const element &value, OpenAiChatChunkReader::Choice &choice, bool &wanted)
{
    wanted = true;
    if (value.type() != element_type::OBJECT)
        return true; // toObject() of anything else: index 0, no fields
    element delta;
    bool hasDelta = false;
    int index = 0;
    for (const simdjson::dom::key_value_pair field : objectOf(value)) {
        if (field.key == "index") {
            if (indexOf(field.value, index) == Index::Unusual)
                return false;
            if (field.value.type() != element_type::INT64)
                index = 0;
        } else if (field.key == "text") {
            choice.hasText = field.value.type() == element_type::STRING;
            choice.text = stringOf(field.value);
        } else if (field.key == "delta") {
            delta = field.value;
            hasDelta = true;
        } else if (field.key == "finish_reason") {
            choice.finishReason = stringOf(field.value);
        }
    }
    wanted = index == 0;
    if (!wanted || !hasDelta)
        return true;
    return readDelta(delta, choice);
}

} // namespace

OpenAiChatChunkReader::OpenAiChatChunkReader() = default;
OpenAiChatChunkReader::~OpenAiChatChunkReader() = default;

std::optional<OpenAiChatChunkReader::Chunk> OpenAiChatChunkReader::read(QByteArrayView json)
{
    if (!m_parser)
        m_parser = std::make_unique<simdjson::dom::parser>();
    element root;
    if (m_parser->parse(json.data(), size_t(json.size())).get(root) != simdjson::SUCCESS)
        return std::nullopt; // not JSON to simdjson: QJsonDocument gives the error, or takes what simdjson refuses
    if (root.type() != element_type::OBJECT || !simd::readsAsQt(*m_parser))
        return std::nullopt;
    Chunk chunk;
    element choices;
    bool hasChoices = false;
    for (const simdjson::dom::key_value_pair field : objectOf(root)) {
        if (field.key == "choices") {
            choices = field.value;
            hasChoices = true;
        } else if (field.key == "id") {
            chunk.id = utf8Of(field.value);
        } else if (field.key == "model") {
            chunk.model = utf8Of(field.value);
        } else if (field.key == "created") {
            switch (field.value.type()) {
            case element_type::INT64: // through a double, as QJsonValue::toDouble() gives it to the decoder
                chunk.created = wholeNumber(double(field.value.get_int64().value_unsafe())).value_or(0);
                break;
            case element_type::UINT64:
            case element_type::DOUBLE:
                return std::nullopt;
            default:
                chunk.created = 0;
            }
        } else if (field.key == "usage" || field.key == "error") {
            // Usage comes once per stream and an error ends it: both keep QJsonDocument's reading.
            if (field.value.type() == element_type::OBJECT)
                return std::nullopt;
        }
    }
    if (!hasChoices || choices.type() != element_type::ARRAY)
        return chunk;
    for (const element value : arrayOf(choices)) {
        chunk.hasChoices = true;
        ++chunk.choiceCount;
        Choice choice;
        bool wanted = true;
        if (!readChoice(value, choice, wanted))
            return std::nullopt;
        if (wanted)
            chunk.choices.append(std::move(choice));
    }
    return chunk;
}

} // namespace sluice

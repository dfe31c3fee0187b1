#pragma once

#include <optional>
#include <simdjson.h>
#include <string_view>

#include <QByteArrayView>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace sluice::simd {

// simdjson's DOM read the way the codecs read QJsonDocument's (OpenAiChatChunkReader, OpenAiChatCodec).

// An object's or array's elements by value: a range-for over get_object().value_unsafe() would iterate a destroyed
// temporary. Empty unless the element is one.
inline simdjson::dom::object objectOf(const simdjson::dom::element &value)
{
    simdjson::dom::object object;
    if (value.get(object) != simdjson::SUCCESS)
        return {};
    return object;
}

inline simdjson::dom::array arrayOf(const simdjson::dom::element &value)
{
    simdjson::dom::array array;
    if (value.get(array) != simdjson::SUCCESS)
        return {};
    return array;
}

// A string as QJsonValue::toString() gives it: empty unless a string.
inline std::string_view utf8Of(const simdjson::dom::element &value)
{
    if (value.type() != simdjson::dom::element_type::STRING)
        return {};
    return value.get_string().value_unsafe();
}

inline QString stringOf(const simdjson::dom::element &value)
{
    const std::string_view text = utf8Of(value);
    return text.empty() ? QString() : QString::fromUtf8(text.data(), qsizetype(text.size()));
}

// False when the text may hold a number QJsonDocument refuses and simdjson takes: a literal that rounds to zero
// (1e-400 is "illegal number" to Qt, 0 to simdjson). Any zero written with a fraction or exponent counts, so such a
// document goes through QJsonDocument and its error stays the same.
bool readsAsQt(const simdjson::dom::element &value);
// The same check over the parser's last document, on its tape (the layout simdjson documents in doc/tape.md) instead
// of through the DOM: a few instructions per value, for the per-token stream chunks.
bool readsAsQt(const simdjson::dom::parser &parser);

// The element as QJsonDocument::fromJson would have made it: integers that fit qint64 as integers, other numbers
// as doubles, the last of duplicate keys.
QJsonValue toJsonValue(const simdjson::dom::element &value);

enum class Choice {
    Always, // every document simdjson reads as Qt would
    WhenCheaper, // only when that costs less than QJsonDocument: mostly text, few values
};

// The body as a QJsonObject, parsed by simdjson (one parser per thread): the same object as QJsonDocument gives,
// at a fraction of the cost for long strings. nullopt when it is not a JSON object simdjson takes and reads as Qt
// does, or (WhenCheaper) when QJsonDocument is the cheaper reader: the caller then parses with QJsonDocument, for
// its error message or for what simdjson refuses and Qt takes (raw control characters in strings, lone surrogate
// escapes, a byte-order mark, integers beyond 64 bits).
std::optional<QJsonObject> parseObject(QByteArrayView json, Choice choice = Choice::Always);

} // namespace sluice::simd

#include "SimdJsonSupport.h"

#include <cstring>

#include <QJsonArray>

namespace sluice::simd {

using simdjson::dom::element;
using simdjson::dom::element_type;

namespace {

struct Shape
{
    qsizetype values = 0; // every member and array element
    qsizetype textBytes = 0; // keys and string values, decoded
};

// readsAsQt, measuring the document's shape on the way.
bool walk(const element &value, Shape &shape)
{
    ++shape.values;
    switch (value.type()) {
    case element_type::OBJECT:
        for (const simdjson::dom::key_value_pair field : objectOf(value)) {
            shape.textBytes += qsizetype(field.key.size());
            if (!walk(field.value, shape))
                return false;
        }
        return true;
    case element_type::ARRAY:
        for (const element item : arrayOf(value)) {
            if (!walk(item, shape))
                return false;
        }
        return true;
    case element_type::STRING:
        shape.textBytes += qsizetype(value.get_string().value_unsafe().size());
        return true;
    case element_type::DOUBLE:
        return value.get_double().value_unsafe() != 0.0;
    default:
        return true;
    }
}

// Bytes of the strings (keys included) that hold an escape: QJsonDocument copies an escape-free string in one go
// but decodes one with escapes a character at a time. The text is valid JSON (simdjson read it).
qsizetype escapedStringBytes(QByteArrayView json)
{
    qsizetype escaped = 0;
    const char *at = json.data();
    const char *const end = at + json.size();
    while (true) {
        at = static_cast<const char *>(std::memchr(at, '"', size_t(end - at)));
        if (!at)
            return escaped;
        const char *const start = ++at;
        bool hasEscape = false;
        while (true) {
            const char *quote = static_cast<const char *>(std::memchr(at, '"', size_t(end - at)));
            if (!quote)
                return escaped;
            const char *backslash = static_cast<const char *>(std::memchr(at, '\\', size_t(quote - at)));
            if (!backslash) {
                at = quote;
                break;
            }
            hasEscape = true;
            at = backslash + 2; // past the escaped character, which may be a quote
            if (at >= end)
                return escaped;
        }
        if (hasEscape)
            escaped += at - start;
        ++at;
    }
}

} // namespace

bool readsAsQt(const element &value)
{
    Shape shape;
    return walk(value, shape);
}

static_assert(simdjson::SIMDJSON_VERSION_MAJOR == 3, "readsAsQt(parser) reads simdjson 3's tape");

bool readsAsQt(const simdjson::dom::parser &parser)
{
    // Each tape word holds its type in the top byte; numbers take a second word with their 64 bits; the root's
    // first word gives the tape's length.
    const uint64_t *tape = parser.doc.tape.get();
    const size_t length = size_t(tape[0] & simdjson::internal::JSON_VALUE_MASK);
    for (size_t i = 1; i < length; ++i) {
        switch (char(tape[i] >> 56)) {
        case 'd': {
            double number;
            std::memcpy(&number, &tape[i + 1], sizeof number);
            if (number == 0.0)
                return false;
            ++i;
            break;
        }
        case 'l':
        case 'u':
            ++i;
            break;
        default:
            break;
        }
    }
    return true;
}

QJsonValue toJsonValue(const element &value)
{
    switch (value.type()) {
    case element_type::OBJECT: {
        QJsonObject object;
        for (const simdjson::dom::key_value_pair field : objectOf(value))
            object.insert(QString::fromUtf8(field.key.data(), qsizetype(field.key.size())), toJsonValue(field.value));
        return object;
    }
    case element_type::ARRAY: {
        QJsonArray array;
        for (const element item : arrayOf(value))
            array.append(toJsonValue(item));
        return array;
    }
    case element_type::INT64:
        return QJsonValue(qint64(value.get_int64().value_unsafe()));
    case element_type::UINT64: // beyond qint64: Qt reads these as doubles
        return QJsonValue(double(value.get_uint64().value_unsafe()));
    case element_type::DOUBLE:
        return QJsonValue(value.get_double().value_unsafe());
    case element_type::STRING: {
        const std::string_view text = value.get_string().value_unsafe();
        return QJsonValue(QString::fromUtf8(text.data(), qsizetype(text.size())));
    }
    case element_type::BOOL:
        return QJsonValue(value.get_bool().value_unsafe());
    case element_type::NULL_VALUE:
        break;
    }
    return QJsonValue(QJsonValue::Null);
}

std::optional<QJsonObject> parseObject(QByteArrayView json, Choice choice)
{
    // Below this QJsonDocument costs at most about 100,000 instructions and simdjson's own pass would mostly add.
    constexpr qsizetype SmallDocument = 1024;
    if (choice == Choice::WhenCheaper
        && (json.size() < SmallDocument || !std::memchr(json.data(), '\\', size_t(json.size()))))
        return std::nullopt; // and without a single escape every string is one of QJsonDocument's cheap copies
    thread_local simdjson::dom::parser parser;
    element root;
    if (parser.parse(json.data(), size_t(json.size())).get(root) != simdjson::SUCCESS)
        return std::nullopt;
    Shape shape;
    if (root.type() != element_type::OBJECT || !walk(root, shape))
        return std::nullopt;
    // Measured with callgrind: building the QJsonObject through its public API costs about 3,900 instructions per
    // value (a key becomes a QCborValue, inserts keep keys sorted) plus 4 per byte; QJsonDocument costs about 1,000
    // per value, 15 per byte of an escape-free string (copied in one go) and 110 per byte of a string with escapes
    // (decoded a character at a time). So simdjson reads documents whose strings carry escapes (answers and prompts
    // with line breaks, quotes, non-ASCII escapes): the 2.7 KB OpenAI answer 128,800 instead of 305,800; small
    // documents of ids and counts, and escape-free text, stay with QJsonDocument.
    if (choice == Choice::WhenCheaper) {
        const qsizetype simdCost = 3900 * shape.values + 4 * json.size();
        const qsizetype escaped = escapedStringBytes(json);
        const qsizetype qtCost = 1000 * shape.values + 15 * (shape.textBytes - escaped) + 110 * escaped;
        if (simdCost >= qtCost)
            return std::nullopt;
    }
    QJsonObject object = toJsonValue(root).toObject();
    // A parser keeps buffers the size of the largest document it read: let a large body's go.
    constexpr size_t KeptCapacity = 1 << 20;
    if (parser.capacity() > KeptCapacity)
        parser = simdjson::dom::parser();
    return object;
}

} // namespace sluice::simd

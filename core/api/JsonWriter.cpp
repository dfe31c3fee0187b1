#include "JsonWriter.h"

#include <cstring>

namespace sluice {

namespace {

char hexDigit(unsigned value)
{
    return char(value < 10 ? '0' + value : 'a' + value - 10);
}

char *escapedUnit(char *at, char16_t unit)
{
    *at++ = '\\';
    *at++ = 'u';
    *at++ = hexDigit((unit >> 12) & 0xf);
    *at++ = hexDigit((unit >> 8) & 0xf);
    *at++ = hexDigit((unit >> 4) & 0xf);
    *at++ = hexDigit(unit & 0xf);
    return at;
}

} // namespace

JsonWriter::JsonWriter(QByteArray &out)
    : m_out(out)
    , m_size(out.size())
{ }

JsonWriter::~JsonWriter()
{
    m_out.truncate(m_size);
}

char *JsonWriter::room(qsizetype bytes)
{
    if (m_size + bytes > m_out.size())
        m_out.resize(qMax(m_size + bytes, qMax<qsizetype>(2 * m_out.size(), 256)));
    return m_out.data() + m_size;
}

JsonWriter &JsonWriter::raw(QByteArrayView text)
{
    std::memcpy(room(text.size()), text.data(), size_t(text.size()));
    m_size += text.size();
    return *this;
}

JsonWriter &JsonWriter::string(QStringView text)
{
    // At most 6 bytes per UTF-16 unit (\u00xx), plus the quotes.
    char *const begin = room(6 * text.size() + 2);
    char *at = begin;
    *at++ = '"';
    const char16_t *src = text.utf16();
    const char16_t *const end = src + text.size();
    while (src != end) {
        const char16_t unit = *src++;
        if (unit < 0x80) {
            if (unit >= 0x20 && unit != u'"' && unit != u'\\') {
                *at++ = char(unit);
                continue;
            }
            *at++ = '\\';
            switch (unit) {
            case u'"':
                *at++ = '"';
                break;
            case u'\\':
                *at++ = '\\';
                break;
            case 0x8:
                *at++ = 'b';
                break;
            case 0xc:
                *at++ = 'f';
                break;
            case 0xa:
                *at++ = 'n';
                break;
            case 0xd:
                *at++ = 'r';
                break;
            case 0x9:
                *at++ = 't';
                break;
            default:
                at = escapedUnit(at - 1, unit);
            }
        } else if (unit < 0x800) {
            *at++ = char(0xc0 | (unit >> 6));
            *at++ = char(0x80 | (unit & 0x3f));
        } else if (unit < 0xd800 || unit > 0xdfff) {
            *at++ = char(0xe0 | (unit >> 12));
            *at++ = char(0x80 | ((unit >> 6) & 0x3f));
            *at++ = char(0x80 | (unit & 0x3f));
        } else if (unit < 0xdc00 && src != end && *src >= 0xdc00 && *src <= 0xdfff) {
            const char32_t code = 0x10000 + ((char32_t(unit) - 0xd800) << 10) + (char32_t(*src++) - 0xdc00);
            *at++ = char(0xf0 | (code >> 18));
            *at++ = char(0x80 | ((code >> 12) & 0x3f));
            *at++ = char(0x80 | ((code >> 6) & 0x3f));
            *at++ = char(0x80 | (code & 0x3f));
        } else {
            at = escapedUnit(at, unit); // a surrogate without its pair
        }
    }
    *at++ = '"';
    m_size += at - begin;
    return *this;
}

JsonWriter &JsonWriter::number(qint64 value)
{
    char digits[24];
    char *const end = digits + sizeof digits;
    char *at = end;
    quint64 magnitude = value < 0 ? quint64(0) - quint64(value) : quint64(value);
    do {
        *--at = char('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude != 0);
    if (value < 0)
        *--at = '-';
    return raw(QByteArrayView(at, end - at));
}

JsonWriter &JsonWriter::beginSseEvent(QByteArrayView type)
{
    return raw("event: ").raw(type).raw("\ndata: ");
}

JsonWriter &JsonWriter::endSseEvent()
{
    return raw("\n\n");
}

} // namespace sluice

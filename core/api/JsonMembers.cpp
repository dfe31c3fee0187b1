#include "JsonMembers.h"

#include <cstring>

#include <QJsonArray>
#include <QJsonDocument>
#include <QVarLengthArray>

namespace sluice {

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

qsizetype skipSpace(QByteArrayView text, qsizetype i)
{
    while (i < text.size() && isSpace(text[i]))
        ++i;
    return i;
}

// i is at the opening quote; returns one past the closing quote, or -1.
qsizetype skipString(QByteArrayView text, qsizetype i)
{
    const char *data = text.data();
    const qsizetype size = text.size();
    ++i;
    while (i < size) {
        const void *quote = std::memchr(data + i, '"', size_t(size - i));
        if (!quote)
            return -1;
        const qsizetype at = static_cast<const char *>(quote) - data;
        qsizetype backslashes = 0;
        while (at - backslashes - 1 >= i && data[at - backslashes - 1] == '\\')
            ++backslashes;
        if (backslashes % 2 == 0)
            return at + 1;
        i = at + 1;
    }
    return -1;
}

// i is at the first character of a value; returns one past it, or -1.
qsizetype skipValue(QByteArrayView text, qsizetype i)
{
    const qsizetype size = text.size();
    if (i >= size)
        return -1;
    const char first = text[i];
    if (first == '"')
        return skipString(text, i);
    if (first != '{' && first != '[') {
        const qsizetype begin = i;
        while (i < size && !isSpace(text[i]) && text[i] != ',' && text[i] != '}' && text[i] != ']')
            ++i;
        return i > begin ? i : -1;
    }
    // Nested containers: the brackets must match in kind and order.
    QVarLengthArray<char, 64> open;
    while (i < size) {
        const char c = text[i];
        if (c == '"') {
            i = skipString(text, i);
            if (i < 0)
                return -1;
            continue;
        }
        if (c == '{' || c == '[') {
            open.append(c == '{' ? '}' : ']');
        } else if (c == '}' || c == ']') {
            if (open.isEmpty() || open.last() != c)
                return -1;
            open.removeLast();
            if (open.isEmpty())
                return i + 1;
        }
        ++i;
    }
    return -1;
}

} // namespace

std::optional<JsonMembers> JsonMembers::scan(QByteArrayView json)
{
    JsonMembers result;
    result.m_json = json;
    qsizetype i = skipSpace(json, 0);
    if (i >= json.size() || json[i] != '{')
        return std::nullopt;
    i = skipSpace(json, i + 1);
    if (i < json.size() && json[i] == '}') {
        result.m_closingBrace = i;
    } else {
        for (;;) {
            if (i >= json.size() || json[i] != '"')
                return std::nullopt;
            const qsizetype nameEnd = skipString(json, i);
            if (nameEnd < 0)
                return std::nullopt;
            Member member;
            member.name = json.sliced(i + 1, nameEnd - i - 2);
            i = skipSpace(json, nameEnd);
            if (i >= json.size() || json[i] != ':')
                return std::nullopt;
            member.valueBegin = skipSpace(json, i + 1);
            member.valueEnd = skipValue(json, member.valueBegin);
            if (member.valueEnd < 0)
                return std::nullopt;
            result.m_members.append(member);
            i = skipSpace(json, member.valueEnd);
            if (i >= json.size())
                return std::nullopt;
            if (json[i] == '}') {
                result.m_closingBrace = i;
                break;
            }
            if (json[i] != ',')
                return std::nullopt;
            i = skipSpace(json, i + 1);
        }
    }
    if (skipSpace(json, result.m_closingBrace + 1) != json.size())
        return std::nullopt;
    return result;
}

const JsonMembers::Member *JsonMembers::find(QByteArrayView name) const
{
    for (qsizetype i = m_members.size() - 1; i >= 0; --i) {
        if (m_members.at(i).name == name)
            return &m_members.at(i);
    }
    return nullptr;
}

QByteArrayView JsonMembers::value(const Member &member) const
{
    return m_json.sliced(member.valueBegin, member.valueEnd - member.valueBegin);
}

QString JsonMembers::stringMember(QByteArrayView json, QByteArrayView name)
{
    const std::optional<JsonMembers> members = scan(json);
    const Member *member = members ? members->find(name) : nullptr;
    if (!member)
        return {};
    // Decoded by the JSON parser, escapes included, as the one element of an array.
    const QByteArray value = '[' + members->value(*member).toByteArray() + ']';
    return QJsonDocument::fromJson(value).array().first().toString();
}

} // namespace sluice

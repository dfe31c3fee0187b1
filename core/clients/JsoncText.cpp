#include "clients/JsoncText.h"

#include <algorithm>

#include <QJsonArray>
#include <QJsonDocument>

namespace sluice {

QByteArray JsoncText::withoutComments(const QByteArray &text)
{
    QByteArray out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text.at(i);
        if (c == '"') {
            const qsizetype start = i;
            for (++i; i < text.size() && text.at(i) != '"'; ++i) {
                if (text.at(i) == '\\')
                    ++i;
            }
            out += text.mid(start, i - start + 1);
        } else if (c == '/' && i + 1 < text.size() && text.at(i + 1) == '/') {
            while (i < text.size() && text.at(i) != '\n')
                ++i;
            out += '\n';
        } else if (c == '/' && i + 1 < text.size() && text.at(i + 1) == '*') {
            const qsizetype end = text.indexOf("*/", i + 2);
            i = end < 0 ? text.size() : end + 1;
            out += ' ';
        } else if (c == ',') {
            // A trailing comma: the next meaningful character closes the object or array.
            qsizetype j = i + 1;
            while (j < text.size()) {
                if (QByteArrayView(" \t\r\n").contains(text.at(j))) {
                    ++j;
                } else if (text.mid(j, 2) == "//") {
                    while (j < text.size() && text.at(j) != '\n')
                        ++j;
                } else if (text.mid(j, 2) == "/*") {
                    const qsizetype end = text.indexOf("*/", j + 2);
                    j = end < 0 ? text.size() : end + 2;
                } else {
                    break;
                }
            }
            if (j >= text.size() || (text.at(j) != '}' && text.at(j) != ']'))
                out += ',';
        } else {
            out += c;
        }
    }
    return out;
}

Result<JsoncText> JsoncText::parse(const QByteArray &text, const QString &path)
{
    JsoncText jsonc;
    jsonc.m_path = path;
    jsonc.m_text = text.trimmed().isEmpty() ? QByteArray("{\n}\n") : text;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(withoutComments(jsonc.m_text), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return makeError(
            QStringLiteral("%1 is not a JSON object (%2); the file was left as it is")
                .arg(path,
                     error.error != QJsonParseError::NoError ? error.errorString() : QStringLiteral("not an object")));
    return jsonc;
}

QJsonObject JsoncText::json() const
{
    return QJsonDocument::fromJson(withoutComments(m_text)).object();
}

qsizetype JsoncText::skip(qsizetype pos) const
{
    while (pos < m_text.size()) {
        const char c = m_text.at(pos);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            ++pos;
        } else if (m_text.mid(pos, 2) == "//") {
            while (pos < m_text.size() && m_text.at(pos) != '\n')
                ++pos;
        } else if (m_text.mid(pos, 2) == "/*") {
            const qsizetype end = m_text.indexOf("*/", pos + 2);
            pos = end < 0 ? m_text.size() : end + 2;
        } else {
            break;
        }
    }
    return pos;
}

qsizetype JsoncText::valueEnd(qsizetype pos) const
{
    if (pos >= m_text.size())
        return pos;
    const char c = m_text.at(pos);
    if (c == '"') {
        for (++pos; pos < m_text.size() && m_text.at(pos) != '"'; ++pos) {
            if (m_text.at(pos) == '\\')
                ++pos;
        }
        return pos + 1;
    }
    if (c == '{' || c == '[') {
        int depth = 0;
        while (pos < m_text.size()) {
            const qsizetype next = skip(pos);
            if (next != pos) {
                pos = next;
                continue;
            }
            const char d = m_text.at(pos);
            if (d == '"') {
                pos = valueEnd(pos);
                continue;
            }
            if (d == '{' || d == '[')
                ++depth;
            else if ((d == '}' || d == ']') && --depth == 0)
                return pos + 1;
            ++pos;
        }
        return pos;
    }
    while (pos < m_text.size() && !QByteArrayView(",}] \t\r\n/").contains(m_text.at(pos)))
        ++pos;
    return pos;
}

QList<JsoncText::Member> JsoncText::members(qsizetype objectStart, qsizetype *objectEnd) const
{
    QList<Member> result;
    qsizetype pos = skip(objectStart + 1);
    while (pos < m_text.size() && m_text.at(pos) != '}') {
        Member member;
        member.keyStart = pos;
        const qsizetype keyEnd = valueEnd(pos);
        member.key = QJsonDocument::fromJson("[" + m_text.mid(pos, keyEnd - pos) + "]").array().at(0).toString();
        pos = skip(keyEnd);
        pos = skip(pos + 1); // the ':'
        member.valueStart = pos;
        member.valueEnd = valueEnd(pos);
        result.append(member);
        pos = skip(member.valueEnd);
        if (pos < m_text.size() && m_text.at(pos) == ',')
            pos = skip(pos + 1);
    }
    *objectEnd = pos;
    return result;
}

QByteArray JsoncText::indentOfLine(qsizetype pos) const
{
    const qsizetype lineStart = m_text.lastIndexOf('\n', pos - 1) + 1;
    qsizetype end = lineStart;
    while (end < m_text.size() && (m_text.at(end) == ' ' || m_text.at(end) == '\t'))
        ++end;
    return m_text.mid(lineStart, end - lineStart);
}

QByteArray JsoncText::render(const QJsonValue &value, const QByteArray &indent)
{
    QByteArray text;
    if (value.isObject() || value.isArray()) {
        text = value.isObject() ? QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented)
                                : QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented);
        text.chop(1); // the final newline
    } else {
        text = QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact);
        text = text.mid(1, text.size() - 2);
    }
    // Qt indents by four spaces: two, like the editors' own files, and under the member's indentation.
    QList<QByteArray> lines = text.split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        QByteArray &line = lines[i];
        qsizetype spaces = 0;
        while (spaces < line.size() && line.at(spaces) == ' ')
            ++spaces;
        line = indent + QByteArray(spaces / 2, ' ') + line.mid(spaces);
    }
    return lines.join('\n');
}

Result<void> JsoncText::set(const QStringList &path, const QJsonValue &value)
{
    qsizetype object = skip(0);
    for (qsizetype depth = 0; depth < path.size(); ++depth) {
        if (object >= m_text.size() || m_text.at(object) != '{')
            return makeError(QStringLiteral("%1: \"%2\" is not an object; the file was left as it is")
                                 .arg(m_path, path.mid(0, depth).join(QLatin1Char('.'))));
        qsizetype objectEnd = 0;
        const QList<Member> found = members(object, &objectEnd);
        const QString &key = path.at(depth);
        const auto member
            = std::find_if(found.cbegin(), found.cend(), [&key](const Member &m) { return m.key == key; });
        if (member != found.cend()) {
            if (depth + 1 == path.size()) {
                const QByteArray indent = indentOfLine(member->keyStart);
                m_text.replace(member->valueStart, member->valueEnd - member->valueStart, render(value, indent));
                return {};
            }
            object = member->valueStart;
        } else {
            // Not there: the rest of the path as nested objects, inserted as this object's first member.
            QJsonValue nested = value;
            for (qsizetype i = path.size() - 1; i > depth; --i)
                nested = QJsonObject {{path.at(i), nested}};
            const QByteArray keyText = QJsonDocument(QJsonArray {key}).toJson(QJsonDocument::Compact);
            const QByteArray quotedKey = keyText.mid(1, keyText.size() - 2);
            if (found.isEmpty()) {
                const QByteArray outer = indentOfLine(object);
                const QByteArray inner = outer + "  ";
                m_text.replace(
                    object, objectEnd + 1 - object,
                    QByteArray("{\n" + inner + quotedKey + ": " + render(nested, inner) + "\n" + outer + "}"));
            } else {
                const QByteArray indent = indentOfLine(found.first().keyStart);
                m_text.insert(found.first().keyStart,
                              QByteArray(quotedKey + ": " + render(nested, indent) + ",\n" + indent));
            }
            return {};
        }
    }
    return {};
}

} // namespace sluice

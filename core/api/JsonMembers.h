#pragma once

#include <optional>

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

namespace sluice {

// The top-level members of a JSON object found without decoding their values: each member's name (raw bytes,
// escapes left as sent) and where its value lies in the text. Used on the same-format path to read or replace a
// few members of a large body (model, stream options, usage) without parsing or re-encoding the rest.
// The scan checks the structure (strings, brackets, commas, colons), not the spelling of numbers and literals,
// so a caller that must reject malformed JSON still parses what it reads.
class JsonMembers
{
public:
    struct Member
    {
        QByteArrayView name;
        qsizetype valueBegin = 0; // offsets into the scanned text
        qsizetype valueEnd = 0; // one past the value
    };

    // Empty when the text is not a JSON object.
    static std::optional<JsonMembers> scan(QByteArrayView json);

    // The last member of that name (as QJsonObject keeps it), or null.
    const Member *find(QByteArrayView name) const;
    QByteArrayView value(const Member &member) const;
    const QList<Member> &members() const { return m_members; }
    // The value of a top-level string member of a JSON object (e.g. "model"), decoded; empty when the text is not
    // an object or the member is missing or not a string.
    static QString stringMember(QByteArrayView json, QByteArrayView name);
    // Offset of the object's closing brace.
    qsizetype closingBrace() const { return m_closingBrace; }

private:
    QByteArrayView m_json;
    QList<Member> m_members;
    qsizetype m_closingBrace = 0;
};

} // namespace sluice

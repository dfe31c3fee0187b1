#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

#include "common/Result.h"

namespace sluice {

// A text-preserving editor for JSON with comments and trailing commas (Zed's settings.json). It finds a value by
// its path of object keys and replaces its text, or inserts the missing keys into the deepest object that exists;
// every other byte (comments, order, layout) stays. The file is checked to be JSON once comments and trailing
// commas are left out.
class JsoncText
{
public:
    static Result<JsoncText> parse(const QByteArray &text, const QString &path);

    QByteArray text() const { return m_text; }
    // The document without its comments, as JSON.
    QJsonObject json() const;
    Result<void> set(const QStringList &path, const QJsonValue &value);

private:
    struct Member
    {
        QString key;
        qsizetype keyStart = 0;
        qsizetype valueStart = 0;
        qsizetype valueEnd = 0; // one past the value
    };

    QByteArray m_text;
    QString m_path;

    qsizetype skip(qsizetype pos) const; // past whitespace and comments
    qsizetype valueEnd(qsizetype pos) const;
    QList<Member> members(qsizetype objectStart, qsizetype *objectEnd) const;
    QByteArray indentOfLine(qsizetype pos) const;
    static QByteArray render(const QJsonValue &value, const QByteArray &indent);
    static QByteArray withoutComments(const QByteArray &text);
};

} // namespace sluice

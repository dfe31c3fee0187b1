#pragma once

#include <QList>
#include <QRegularExpression>
#include <QString>

#include "common/Result.h"

class QJsonValue;

namespace sluice {

// One genai-prices match clause: {"starts_with": s}, {"ends_with": s}, {"contains": s}, {"equals": s},
// {"regex": r}, or {"or": [clauses]} / {"and": [clauses]}. Matching is case-insensitive, as genai-prices does
// it: the text is lower-cased, and a regex sees the lower-cased text.
class MatchRule
{
public:
    enum class Kind { StartsWith, EndsWith, Contains, Equals, Regex, Any, All };

    MatchRule() = default;
    // path names the clause in error messages, e.g. "providers[3].models[12].match".
    static Result<MatchRule> fromJson(const QJsonValue &value, const QString &path);
    static MatchRule equals(const QString &text);
    static MatchRule startsWith(const QString &text);

    bool matches(const QString &text) const { return matchesLowered(text.toLower()); }
    // For text already lower-cased (one conversion for a whole catalog search).
    bool matchesLowered(const QString &lowered) const;
    Kind kind() const { return m_kind; }
    // e.g. equals 'gpt-4o' or starts_with 'gpt-4o-2024'
    QString describe() const;

private:
    static Result<MatchRule> parse(const QJsonValue &value, const QString &path, int depth);

    Kind m_kind = Kind::Any;
    QString m_text; // lower-cased
    QRegularExpression m_regex;
    QList<MatchRule> m_children;
};

} // namespace sluice

#include "MatchRule.h"

#include <algorithm>

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

namespace sluice {

namespace {

constexpr int MaxDepth = 16;

struct ClauseName
{
    QLatin1String key;
    MatchRule::Kind kind;
};

const ClauseName Clauses[] = {
    {QLatin1String("starts_with"), MatchRule::Kind::StartsWith},
    {QLatin1String("ends_with"), MatchRule::Kind::EndsWith},
    {QLatin1String("contains"), MatchRule::Kind::Contains},
    {QLatin1String("equals"), MatchRule::Kind::Equals},
    {QLatin1String("regex"), MatchRule::Kind::Regex},
    {QLatin1String("or"), MatchRule::Kind::Any},
    {QLatin1String("and"), MatchRule::Kind::All},
};

QString clauseList()
{
    QStringList names;
    for (const ClauseName &clause : Clauses)
        names.append(clause.key);
    return names.join(QStringLiteral(", "));
}

QLatin1String keyOf(MatchRule::Kind kind)
{
    for (const ClauseName &clause : Clauses) {
        if (clause.kind == kind)
            return clause.key;
    }
    return QLatin1String();
}

} // namespace

Result<MatchRule> MatchRule::fromJson(const QJsonValue &value, const QString &path)
{
    return parse(value, path, 0);
}

MatchRule MatchRule::equals(const QString &text)
{
    MatchRule rule;
    rule.m_kind = Kind::Equals;
    rule.m_text = text.toLower();
    return rule;
}

MatchRule MatchRule::startsWith(const QString &text)
{
    MatchRule rule;
    rule.m_kind = Kind::StartsWith;
    rule.m_text = text.toLower();
    return rule;
}

Result<MatchRule> MatchRule::parse(const QJsonValue &value, const QString &path, int depth)
{
    if (depth > MaxDepth)
        return makeError(QStringLiteral("%1: match clauses are nested more than %2 deep").arg(path).arg(MaxDepth));
    const QJsonObject object = value.toObject();
    if (!value.isObject() || object.size() != 1) {
        return makeError(QStringLiteral("%1: expected one match clause such as {\"starts_with\": \"gpt-4o\"} (%2)")
                             .arg(path, clauseList()));
    }
    const QString key = object.constBegin().key();
    const QJsonValue argument = object.constBegin().value();
    const QString clausePath = path + QLatin1Char('.') + key;
    for (const ClauseName &clause : Clauses) {
        if (key != clause.key)
            continue;
        MatchRule rule;
        rule.m_kind = clause.kind;
        if (clause.kind == Kind::Any || clause.kind == Kind::All) {
            const QJsonArray list = argument.toArray();
            if (!argument.isArray() || list.isEmpty())
                return makeError(QStringLiteral("%1: expected a non-empty list of match clauses").arg(clausePath));
            for (qsizetype i = 0; i < list.size(); ++i) {
                Result<MatchRule> child = parse(
                    list.at(i), clausePath + QLatin1Char('[') + QString::number(i) + QLatin1Char(']'), depth + 1);
                if (!child)
                    return child.error();
                rule.m_children.append(std::move(child).value());
            }
            return rule;
        }
        if (!argument.isString() || argument.toString().isEmpty())
            return makeError(QStringLiteral("%1: expected non-empty text").arg(clausePath));
        if (clause.kind == Kind::Regex) {
            rule.m_text = argument.toString();
            rule.m_regex = QRegularExpression(rule.m_text);
            if (!rule.m_regex.isValid()) {
                return makeError(QStringLiteral("%1: '%2' is not a valid regular expression (%3)")
                                     .arg(clausePath, rule.m_text, rule.m_regex.errorString()));
            }
            rule.m_regex.optimize();
        } else {
            rule.m_text = argument.toString().toLower();
        }
        return rule;
    }
    return makeError(QStringLiteral("%1: unknown match clause '%2'; use one of %3").arg(path, key, clauseList()));
}

bool MatchRule::matchesLowered(const QString &lowered) const
{
    switch (m_kind) {
    case Kind::StartsWith:
        return lowered.startsWith(m_text);
    case Kind::EndsWith:
        return lowered.endsWith(m_text);
    case Kind::Contains:
        return lowered.contains(m_text);
    case Kind::Equals:
        return lowered == m_text;
    case Kind::Regex:
        return m_regex.match(lowered).hasMatch();
    case Kind::Any:
        return std::any_of(m_children.cbegin(), m_children.cend(),
                           [&lowered](const MatchRule &child) { return child.matchesLowered(lowered); });
    case Kind::All:
        return !m_children.isEmpty()
            && std::all_of(m_children.cbegin(), m_children.cend(),
                           [&lowered](const MatchRule &child) { return child.matchesLowered(lowered); });
    }
    return false;
}

QString MatchRule::describe() const
{
    if (m_kind == Kind::Any || m_kind == Kind::All) {
        QStringList parts;
        for (const MatchRule &child : m_children)
            parts.append(child.describe());
        const QString joiner = m_kind == Kind::Any ? QStringLiteral(" or ") : QStringLiteral(" and ");
        return m_children.size() == 1 ? parts.first() : QLatin1Char('(') + parts.join(joiner) + QLatin1Char(')');
    }
    return keyOf(m_kind) + QStringLiteral(" '") + m_text + QLatin1Char('\'');
}

} // namespace sluice

#include "GuardrailMatcher.h"

#include <algorithm>
#include <vector>

#include <re2/re2.h>
#include <re2/set.h>

namespace sluice {

namespace {
RE2::Options options()
{
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(64 << 20); // room for the DFA of every detector at once: it stays linear and fast
    return options;
}
} // namespace

struct GuardrailMatcher::Compiled
{
    std::unique_ptr<RE2> any; // every entry's alternative, no capture groups needed
    std::unique_ptr<RE2::Set> which; // anchored at both ends: which entries match a candidate exactly
    std::vector<std::unique_ptr<RE2>> single; // per entry, group 1 is the value
};

GuardrailMatcher::GuardrailMatcher(const QList<Entry> &entries)
    : m_entries(entries)
{
    if (m_entries.isEmpty())
        return;
    auto compiled = std::make_unique<Compiled>();
    compiled->which = std::make_unique<RE2::Set>(options(), RE2::ANCHOR_BOTH);
    std::string combined;
    for (const Entry &entry : std::as_const(m_entries)) {
        const std::string alternative = entry.ownGroups ? "(" + entry.pattern + ")" : "(?:" + entry.pattern + ")";
        auto alone = std::make_unique<RE2>(alternative, options());
        if (!alone->ok()) {
            m_error = QString::fromStdString(alone->error());
            return;
        }
        std::string error;
        if (compiled->which->Add(alternative, &error) < 0) {
            m_error = QString::fromStdString(error);
            return;
        }
        compiled->single.push_back(std::move(alone));
        if (!combined.empty())
            combined += '|';
        combined += alternative;
    }
    compiled->any = std::make_unique<RE2>(combined, options());
    if (!compiled->any->ok()) {
        m_error = QString::fromStdString(compiled->any->error());
        return;
    }
    if (!compiled->which->Compile()) {
        m_error = QStringLiteral("the detectors need more memory than RE2 allows");
        return;
    }
    m_compiled = std::move(compiled);
}

GuardrailMatcher::~GuardrailMatcher() = default;

QList<GuardrailFinding> GuardrailMatcher::scan(QByteArrayView text) const
{
    QList<GuardrailFinding> findings;
    if (!m_compiled || text.isEmpty())
        return findings;
    const re2::StringPiece input(text.data(), size_t(text.size()));
    const size_t size = input.size();
    std::vector<int> which;
    size_t position = 0;
    while (position < size) {
        re2::StringPiece candidate;
        if (!m_compiled->any->Match(input, position, size, RE2::UNANCHORED, &candidate, 1))
            break;
        const size_t matchStart = size_t(candidate.data() - input.data());
        const size_t matchEnd = matchStart + candidate.size();
        if (candidate.empty()) {
            position = matchEnd + 1;
            continue;
        }
        which.clear();
        m_compiled->which->Match(candidate, &which);
        std::sort(which.begin(), which.end());
        re2::StringPiece groups[2];
        const int entry = which.empty() ? -1 : which.front();
        if (entry < 0
            || !m_compiled->single[size_t(entry)]->Match(candidate, 0, candidate.size(), RE2::ANCHOR_BOTH, groups, 2)) {
            position = matchEnd; // cannot happen: the candidate matched one of them
            continue;
        }
        const re2::StringPiece value = groups[1];
        const size_t valueStart = value.data() ? size_t(value.data() - input.data()) : matchStart;
        const Entry &matched = m_entries.at(entry);
        if (value.empty() || (matched.accepts && !matched.accepts(QByteArrayView(value.data(), value.size())))) {
            // Rejected: look again from the value itself when context came before it (token=AKIA... is the AWS
            // detector's), else after the match.
            // (The character before the value is kept: the detectors' left boundary consumes it.)
            position = valueStart > matchStart + 2 ? valueStart - 1 : matchEnd;
            continue;
        }
        findings.append(
            GuardrailFinding {qsizetype(valueStart), qsizetype(valueStart + value.size()), matched.rule, matched.kind});
        position = valueStart + value.size(); // what closed the value may open the next one
    }
    return findings;
}

QString GuardrailMatcher::checkUserPattern(const QString &pattern)
{
    const RE2 regex(pattern.toStdString(), options());
    if (!regex.ok())
        return QStringLiteral(
                   "is not a valid RE2 regular expression: %1 (see https://github.com/google/re2/wiki/Syntax)")
            .arg(QString::fromStdString(regex.error()));
    if (RE2::PartialMatch("", regex))
        return QStringLiteral("matches empty text, so it would match everywhere; make it match at least one character");
    return {};
}

std::string GuardrailMatcher::wordsPattern(const QStringList &words)
{
    std::string alternatives;
    for (const QString &word : words) {
        if (!alternatives.empty())
            alternatives += '|';
        alternatives += RE2::QuoteMeta(word.toStdString());
    }
    return R"((?:^|\\[nrtbf]|[^\pL\pN_\\])((?i:)" + alternatives + R"())(?:$|[^\pL\pN_]))";
}

} // namespace sluice

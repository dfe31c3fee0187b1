#pragma once

#include <memory>
#include <string>

#include <QByteArrayView>
#include <QList>
#include <QString>

namespace re2 {
class RE2;
}

namespace sluice {

// One detected value: where it is (bytes of the scanned text), which rule found it and the placeholder stem.
struct GuardrailFinding
{
    qsizetype start = 0;
    qsizetype end = 0;
    int rule = -1; // index into GuardrailSettings::rules
    QString kind;
};

// Every detector of a set of rules compiled into one RE2 alternation and run in one linear pass over a text.
// At one position the first rule in order wins; a value a detector's check rejects (a number failing Luhn) is
// skipped without hiding a match that starts after its context. The alternation only finds where a candidate is
// (RE2's DFA, no capture groups: extracting them over dozens of alternatives costs several times more); which
// detector it is comes from an anchored RE2::Set over the candidate alone, and its value from that detector's
// own regex, on those few bytes.
class GuardrailMatcher
{
public:
    struct Entry
    {
        int rule = -1;
        QString kind;
        std::string pattern; // exactly one capturing group, the value, unless ownGroups
        bool (*accepts)(QByteArrayView value) = nullptr;
        bool ownGroups = false; // a user's regex: wrapped in a group of its own, the whole match is the value
    };

    explicit GuardrailMatcher(const QList<Entry> &entries);
    ~GuardrailMatcher();
    GuardrailMatcher(const GuardrailMatcher &) = delete;
    GuardrailMatcher &operator=(const GuardrailMatcher &) = delete;

    bool isEmpty() const { return m_entries.isEmpty(); }
    // Empty when it compiled; otherwise what RE2 said.
    const QString &error() const { return m_error; }
    QList<GuardrailFinding> scan(QByteArrayView text) const;

    // Empty when `pattern` is a usable rule regex; otherwise what to fix.
    static QString checkUserPattern(const QString &pattern);
    // A words rule as a pattern: whole words, case-insensitive.
    static std::string wordsPattern(const QStringList &words);

private:
    struct Compiled;
    QList<Entry> m_entries;
    std::unique_ptr<Compiled> m_compiled;
    QString m_error;
};

} // namespace sluice

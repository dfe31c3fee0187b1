#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include "compare/CompareRun.h"

namespace sluice {

// One stretch of a word-level diff: text both outputs share, or text only the first (Removed) or the second
// (Added) has. Spans alternate; concatenating Equal + Removed gives the first text, Equal + Added the second.
struct WordDiffSpan
{
    enum class Op { Equal, Removed, Added };
    Op op = Op::Equal;
    QString text;
    bool operator==(const WordDiffSpan &other) const = default;
};

// Word-level diff of two model outputs, and the structural comparison of their tool calls. Pure functions.
class WordDiff
{
public:
    // Words and the whitespace between them are the units; a longest common subsequence decides what is shared.
    // Very long texts beyond the LCS's budget diff their common prefix and suffix, and the rest as one change.
    static QList<WordDiffSpan> diff(const QString &before, const QString &after);
    // The words in each text that are the same, as a share of the longer one (1.0: identical, 0.0: nothing shared).
    static double similarity(const QList<WordDiffSpan> &spans);
    // The differences between two lists of tool calls, in words: a different tool, an argument missing, added or
    // with another value (arguments compared as JSON, so key order and spacing do not count); empty: the same.
    static QStringList compareToolCalls(const QList<CompareToolCall> &before, const QList<CompareToolCall> &after);

    static QStringList tokens(const QString &text);
};

} // namespace sluice

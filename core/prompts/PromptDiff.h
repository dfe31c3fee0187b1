#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include "prompts/PromptContent.h"

namespace sluice {

// Line diffs of two prompt versions, for `sluice prompt diff` and the Prompts page's side-by-side view.
class PromptDiff
{
public:
    enum class Kind { Same, Removed, Added };
    struct Line
    {
        Kind kind = Kind::Same;
        QString text;
        int oldLine = 0; // 1-based; 0 for added lines
        int newLine = 0; // 1-based; 0 for removed lines
    };

    // The template as lines a person reads: each message as "[role]" then its content; a text prompt as is.
    static QString templateText(const PromptContent &content);
    // The config as indented JSON with sorted keys.
    static QString configText(const PromptContent &content);
    // The longest-common-subsequence diff of two texts, line by line.
    static QList<Line> lines(const QString &before, const QString &after);
    // A unified diff ("--- a", "+++ b", "@@" hunks with context lines); empty when the texts are the same.
    static QString unified(const QString &before, const QString &after, const QString &beforeName,
                           const QString &afterName, int context = 3);
};

} // namespace sluice

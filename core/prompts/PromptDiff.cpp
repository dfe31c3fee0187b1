#include "PromptDiff.h"

#include <QJsonDocument>

namespace sluice {

QString PromptDiff::templateText(const PromptContent &content)
{
    if (!content.isChat())
        return content.text;
    QStringList parts;
    for (const PromptMessage &message : content.messages)
        parts.append(QLatin1Char('[') + message.role + QStringLiteral("]\n") + message.content);
    return parts.join(QStringLiteral("\n\n"));
}

QString PromptDiff::configText(const PromptContent &content)
{
    // QJsonObject keeps its keys sorted, so equal configs print the same.
    return QString::fromUtf8(QJsonDocument(content.config).toJson(QJsonDocument::Indented)).trimmed();
}

QList<PromptDiff::Line> PromptDiff::lines(const QString &before, const QString &after)
{
    const QStringList a = before.split(QLatin1Char('\n'));
    const QStringList b = after.split(QLatin1Char('\n'));
    // Common head and tail first: edits are usually small, which keeps the table small.
    qsizetype head = 0;
    while (head < a.size() && head < b.size() && a.at(head) == b.at(head))
        ++head;
    qsizetype tail = 0;
    while (tail < a.size() - head && tail < b.size() - head && a.at(a.size() - 1 - tail) == b.at(b.size() - 1 - tail))
        ++tail;
    const qsizetype n = a.size() - head - tail;
    const qsizetype m = b.size() - head - tail;
    QList<Line> result;
    for (qsizetype i = 0; i < head; ++i)
        result.append({Kind::Same, a.at(i), int(i + 1), int(i + 1)});
    // lcs[i][j]: the common subsequence length of a[head+i..] and b[head+j..].
    QList<int> lcs((n + 1) * (m + 1), 0);
    const auto at = [&](qsizetype i, qsizetype j) -> int & {
        return lcs[i * (m + 1) + j];
    };
    for (qsizetype i = n - 1; i >= 0; --i) {
        for (qsizetype j = m - 1; j >= 0; --j)
            at(i, j) = a.at(head + i) == b.at(head + j) ? at(i + 1, j + 1) + 1 : qMax(at(i + 1, j), at(i, j + 1));
    }
    qsizetype i = 0;
    qsizetype j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a.at(head + i) == b.at(head + j)) {
            result.append({Kind::Same, a.at(head + i), int(head + i + 1), int(head + j + 1)});
            ++i;
            ++j;
        } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
            result.append({Kind::Removed, a.at(head + i), int(head + i + 1), 0}); // removals before additions
            ++i;
        } else {
            result.append({Kind::Added, b.at(head + j), 0, int(head + j + 1)});
            ++j;
        }
    }
    for (qsizetype k = 0; k < tail; ++k)
        result.append({Kind::Same, a.at(head + n + k), int(head + n + k + 1), int(head + m + k + 1)});
    return result;
}

QString PromptDiff::unified(const QString &before, const QString &after, const QString &beforeName,
                            const QString &afterName, int context)
{
    const QList<Line> diff = lines(before, after);
    QList<bool> shown(diff.size(), false);
    bool changed = false;
    for (qsizetype k = 0; k < diff.size(); ++k) {
        if (diff.at(k).kind == Kind::Same)
            continue;
        changed = true;
        for (qsizetype c = qMax<qsizetype>(0, k - context); c <= qMin(diff.size() - 1, k + context); ++c)
            shown[c] = true;
    }
    if (!changed)
        return {};
    QString out = QStringLiteral("--- ") + beforeName + QStringLiteral("\n+++ ") + afterName + QLatin1Char('\n');
    bool inHunk = false;
    for (qsizetype k = 0; k < diff.size(); ++k) {
        if (!shown.at(k)) {
            inHunk = false;
            continue;
        }
        if (!inHunk) {
            const Line &first = diff.at(k);
            out += QStringLiteral("@@ line %1 @@\n").arg(first.oldLine > 0 ? first.oldLine : first.newLine);
            inHunk = true;
        }
        const Line &line = diff.at(k);
        const QChar mark = line.kind == Kind::Same ? QLatin1Char(' ')
            : line.kind == Kind::Added             ? QLatin1Char('+')
                                                   : QLatin1Char('-');
        out += mark + line.text + QLatin1Char('\n');
    }
    return out;
}

} // namespace sluice

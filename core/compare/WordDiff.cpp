#include "WordDiff.h"

#include <utility>
#include <vector>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace sluice {

namespace {

// Above this many LCS cells the middle of the texts is shown as one change (keeps memory and time bounded).
constexpr qint64 MaxCells = 4'000'000;

void append(QList<WordDiffSpan> &spans, WordDiffSpan::Op op, const QString &text)
{
    if (text.isEmpty())
        return;
    if (!spans.isEmpty() && spans.last().op == op)
        spans.last().text += text;
    else
        spans.append({op, text});
}

qsizetype wordCount(const QString &text)
{
    qsizetype words = 0;
    for (const QString &token : WordDiff::tokens(text))
        words += token.at(0).isSpace() ? 0 : 1;
    return words;
}

QString jsonText(const QJsonValue &value)
{
    if (value.isString())
        return QLatin1Char('"') + value.toString() + QLatin1Char('"');
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    return QString::fromUtf8(QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
}

// A change is read as a whole: the spaces shared between changed words join the change ("c x d y" reads as
// "c d" -> "x y"), and each change shows what went before what came.
QList<WordDiffSpan> readable(const QList<WordDiffSpan> &spans)
{
    QList<WordDiffSpan> result;
    QString removed;
    QString added;
    const auto flush = [&] {
        append(result, WordDiffSpan::Op::Removed, std::exchange(removed, QString()));
        append(result, WordDiffSpan::Op::Added, std::exchange(added, QString()));
    };
    for (qsizetype i = 0; i < spans.size(); ++i) {
        const WordDiffSpan &span = spans.at(i);
        if (span.op == WordDiffSpan::Op::Removed) {
            removed += span.text;
        } else if (span.op == WordDiffSpan::Op::Added) {
            added += span.text;
        } else if ((!removed.isEmpty() || !added.isEmpty()) && i + 1 < spans.size() && span.text.trimmed().isEmpty()) {
            removed += span.text;
            added += span.text;
        } else {
            flush();
            append(result, WordDiffSpan::Op::Equal, span.text);
        }
    }
    flush();
    return result;
}

} // namespace

QStringList WordDiff::tokens(const QString &text)
{
    QStringList result;
    qsizetype start = 0;
    for (qsizetype i = 1; i <= text.size(); ++i) {
        if (i == text.size() || text.at(i).isSpace() != text.at(start).isSpace()) {
            result.append(text.mid(start, i - start));
            start = i;
        }
    }
    return result;
}

QList<WordDiffSpan> WordDiff::diff(const QString &before, const QString &after)
{
    const QStringList a = tokens(before);
    const QStringList b = tokens(after);
    qsizetype prefix = 0;
    while (prefix < a.size() && prefix < b.size() && a.at(prefix) == b.at(prefix))
        ++prefix;
    qsizetype suffix = 0;
    while (suffix < a.size() - prefix && suffix < b.size() - prefix
           && a.at(a.size() - 1 - suffix) == b.at(b.size() - 1 - suffix))
        ++suffix;
    QList<WordDiffSpan> spans;
    append(spans, WordDiffSpan::Op::Equal, a.mid(0, prefix).join(QString()));
    const QStringList middleA = a.mid(prefix, a.size() - prefix - suffix);
    const QStringList middleB = b.mid(prefix, b.size() - prefix - suffix);
    const qsizetype n = middleA.size();
    const qsizetype m = middleB.size();
    if (qint64(n + 1) * qint64(m + 1) > MaxCells) {
        append(spans, WordDiffSpan::Op::Removed, middleA.join(QString()));
        append(spans, WordDiffSpan::Op::Added, middleB.join(QString()));
    } else {
        // lcs[i][j]: the LCS length of middleA[i..] and middleB[j..].
        std::vector<quint32> lcs(size_t((n + 1) * (m + 1)), 0);
        const auto at = [m](qsizetype i, qsizetype j) {
            return size_t(i * (m + 1) + j);
        };
        for (qsizetype i = n - 1; i >= 0; --i) {
            for (qsizetype j = m - 1; j >= 0; --j) {
                lcs[at(i, j)] = middleA.at(i) == middleB.at(j) ? lcs[at(i + 1, j + 1)] + 1
                                                               : std::max(lcs[at(i + 1, j)], lcs[at(i, j + 1)]);
            }
        }
        qsizetype i = 0;
        qsizetype j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && middleA.at(i) == middleB.at(j)) {
                append(spans, WordDiffSpan::Op::Equal, middleA.at(i));
                ++i;
                ++j;
            } else if (i < n && (j == m || lcs[at(i + 1, j)] >= lcs[at(i, j + 1)])) {
                append(spans, WordDiffSpan::Op::Removed, middleA.at(i++));
            } else {
                append(spans, WordDiffSpan::Op::Added, middleB.at(j++));
            }
        }
    }
    append(spans, WordDiffSpan::Op::Equal, a.mid(a.size() - suffix).join(QString()));
    return readable(spans);
}

double WordDiff::similarity(const QList<WordDiffSpan> &spans)
{
    qsizetype equal = 0;
    qsizetype removed = 0;
    qsizetype added = 0;
    for (const WordDiffSpan &span : spans) {
        const qsizetype words = wordCount(span.text);
        if (span.op == WordDiffSpan::Op::Equal)
            equal += words;
        else if (span.op == WordDiffSpan::Op::Removed)
            removed += words;
        else
            added += words;
    }
    const qsizetype longer = std::max(equal + removed, equal + added);
    return longer == 0 ? 1.0 : double(equal) / double(longer);
}

QStringList WordDiff::compareToolCalls(const QList<CompareToolCall> &before, const QList<CompareToolCall> &after)
{
    QStringList differences;
    const qsizetype common = std::min(before.size(), after.size());
    for (qsizetype i = 0; i < common; ++i) {
        const CompareToolCall &a = before.at(i);
        const CompareToolCall &b = after.at(i);
        const QString which = QStringLiteral("call %1").arg(i + 1);
        if (a.name != b.name) {
            differences.append(QStringLiteral("%1: %2 vs %3").arg(which, a.name, b.name));
            continue;
        }
        QJsonParseError errorA {};
        QJsonParseError errorB {};
        const QJsonDocument argsA = QJsonDocument::fromJson(a.arguments.toUtf8(), &errorA);
        const QJsonDocument argsB = QJsonDocument::fromJson(b.arguments.toUtf8(), &errorB);
        if (errorA.error != QJsonParseError::NoError || errorB.error != QJsonParseError::NoError || !argsA.isObject()
            || !argsB.isObject()) {
            if (a.arguments.trimmed() != b.arguments.trimmed())
                differences.append(QStringLiteral("%1 (%2): arguments %3 vs %4")
                                       .arg(which, a.name, a.arguments.trimmed(), b.arguments.trimmed()));
            continue;
        }
        const QJsonObject objectA = argsA.object();
        const QJsonObject objectB = argsB.object();
        for (auto it = objectA.begin(); it != objectA.end(); ++it) {
            if (!objectB.contains(it.key()))
                differences.append(
                    QStringLiteral("%1 (%2): argument %3 only in the first").arg(which, a.name, it.key()));
            else if (objectB.value(it.key()) != it.value())
                differences.append(
                    QStringLiteral("%1 (%2): %3 = %4 vs %5")
                        .arg(which, a.name, it.key(), jsonText(it.value()), jsonText(objectB.value(it.key()))));
        }
        for (auto it = objectB.begin(); it != objectB.end(); ++it) {
            if (!objectA.contains(it.key()))
                differences.append(
                    QStringLiteral("%1 (%2): argument %3 only in the second").arg(which, b.name, it.key()));
        }
    }
    for (qsizetype i = common; i < before.size(); ++i)
        differences.append(QStringLiteral("call %1 (%2) only in the first").arg(i + 1).arg(before.at(i).name));
    for (qsizetype i = common; i < after.size(); ++i)
        differences.append(QStringLiteral("call %1 (%2) only in the second").arg(i + 1).arg(after.at(i).name));
    return differences;
}

} // namespace sluice

#include "JsonLocation.h"

#include <QList>

namespace sluice {

QString JsonLocation::pathAt(QByteArrayView json, qsizetype offset)
{
    struct Frame
    {
        bool array = false;
        int index = 0;
        QByteArray key;
        bool expectKey = false; // in an object, before the ':'
    };
    QList<Frame> stack;
    QByteArray lastString;
    const qsizetype end = qMin(offset, json.size());
    for (qsizetype i = 0; i < end; ++i) {
        const char c = json.at(i);
        if (c == '"') {
            const qsizetype start = i + 1;
            ++i;
            while (i < end && json.at(i) != '"') {
                if (json.at(i) == '\\')
                    ++i;
                ++i;
            }
            if (i >= end)
                break; // the offset lies inside this string
            lastString = json.sliced(start, i - start).toByteArray();
            if (!stack.isEmpty() && !stack.last().array && stack.last().expectKey)
                stack.last().key = lastString;
        } else if (c == '{' || c == '[') {
            stack.append(Frame {c == '[', 0, {}, c == '{'});
        } else if (c == '}' || c == ']') {
            if (!stack.isEmpty())
                stack.removeLast();
        } else if (c == ':') {
            if (!stack.isEmpty())
                stack.last().expectKey = false;
        } else if (c == ',') {
            if (!stack.isEmpty()) {
                if (stack.last().array)
                    ++stack.last().index;
                else
                    stack.last().expectKey = true;
            }
        }
    }
    if (stack.isEmpty())
        return QStringLiteral("the body");
    QString path;
    for (const Frame &frame : std::as_const(stack)) {
        if (frame.array) {
            path += QLatin1Char('[') + QString::number(frame.index) + QLatin1Char(']');
        } else if (!frame.key.isEmpty()) {
            if (!path.isEmpty())
                path += QLatin1Char('.');
            path += QString::fromUtf8(frame.key.left(64));
        }
    }
    return path.isEmpty() ? QStringLiteral("the body") : path;
}

QList<bool> JsonLocation::insideStrings(QByteArrayView json, const QList<QPair<qsizetype, qsizetype>> &spans)
{
    QList<bool> inside;
    inside.reserve(spans.size());
    qsizetype at = 0;
    bool inString = false;
    qsizetype lastQuote = -1; // where the string we are in (or the last one) started
    const auto advanceTo = [&](qsizetype target) {
        for (; at < target && at < json.size(); ++at) {
            const char c = json.at(at);
            if (inString && c == '\\') {
                ++at; // the escaped character cannot end the string
            } else if (c == '"') {
                inString = !inString;
                lastQuote = at;
            }
        }
    };
    for (const auto &[start, end] : spans) {
        advanceTo(start);
        const bool startsInside = inString;
        const qsizetype opened = lastQuote;
        advanceTo(end);
        inside.append(startsInside && inString && lastQuote == opened);
    }
    return inside;
}

} // namespace sluice

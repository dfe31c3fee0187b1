#include "GeminiPartialCall.h"

namespace sluice {

namespace {

// The tree with `value` at the steps from `step` on; a string continued from an earlier piece is appended to.
QJsonValue withValueAt(const QJsonValue &node, const QList<GeminiPartialCall::Step> &steps, qsizetype step,
                       const QJsonValue &value, bool append)
{
    if (step == steps.size()) {
        if (append && node.isString() && value.isString())
            return QString(node.toString() + value.toString());
        return value;
    }
    const GeminiPartialCall::Step &here = steps.at(step);
    if (here.index >= 0) {
        QJsonArray array = node.toArray();
        while (array.size() <= here.index)
            array.append(QJsonValue());
        array[here.index] = withValueAt(array.at(here.index), steps, step + 1, value, append);
        return array;
    }
    QJsonObject object = node.toObject();
    object.insert(here.key, withValueAt(object.value(here.key), steps, step + 1, value, append));
    return object;
}

QJsonValue valueOf(const QJsonObject &piece)
{
    if (piece.contains(QLatin1String("stringValue")))
        return piece.value(QLatin1String("stringValue"));
    if (piece.contains(QLatin1String("numberValue")))
        return piece.value(QLatin1String("numberValue"));
    if (piece.contains(QLatin1String("boolValue")))
        return piece.value(QLatin1String("boolValue"));
    return QJsonValue(QJsonValue::Null);
}

} // namespace

QList<GeminiPartialCall::Step> GeminiPartialCall::parsePath(const QString &path)
{
    // Bounded: a path from an upstream never nests deeper than this in any real tool schema.
    constexpr qsizetype MaxSteps = 64;
    if (!path.startsWith(QLatin1Char('$')))
        return {};
    QList<Step> steps;
    qsizetype i = 1;
    while (i < path.size() && steps.size() < MaxSteps) {
        if (path.at(i) == QLatin1Char('.')) {
            qsizetype end = i + 1;
            while (end < path.size() && path.at(end) != QLatin1Char('.') && path.at(end) != QLatin1Char('['))
                ++end;
            if (end == i + 1)
                return {};
            steps.append(Step {path.mid(i + 1, end - i - 1), -1});
            i = end;
        } else if (path.at(i) == QLatin1Char('[')) {
            const qsizetype close = path.indexOf(QLatin1Char(']'), i);
            if (close < 0)
                return {};
            const QString inner = path.mid(i + 1, close - i - 1);
            if (inner.size() >= 2 && (inner.startsWith(QLatin1Char('\'')) || inner.startsWith(QLatin1Char('"')))
                && inner.endsWith(inner.at(0))) {
                steps.append(Step {inner.mid(1, inner.size() - 2), -1});
            } else {
                bool ok = false;
                const int index = inner.toInt(&ok);
                if (!ok || index < 0 || index > 100'000)
                    return {};
                steps.append(Step {QString(), index});
            }
            i = close + 1;
        } else {
            return {};
        }
    }
    if (i < path.size() || steps.isEmpty() || steps.first().index >= 0)
        return {};
    return steps;
}

bool GeminiPartialCall::apply(const QJsonArray &partialArgs)
{
    QJsonObject arguments = m_arguments;
    QSet<QString> continuing = m_continuing;
    for (const QJsonValue &item : partialArgs) {
        const QJsonObject piece = item.toObject();
        const QString path = piece.value(QLatin1String("jsonPath")).toString();
        const QList<Step> steps = parsePath(path);
        if (steps.isEmpty())
            return false;
        const bool append = continuing.contains(path);
        arguments = withValueAt(arguments, steps, 0, valueOf(piece), append).toObject();
        if (piece.value(QLatin1String("willContinue")).toBool(false))
            continuing.insert(path);
        else
            continuing.remove(path);
    }
    m_arguments = arguments;
    m_continuing = continuing;
    return true;
}

} // namespace sluice

#include "BodyFormatter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace sluice {

namespace {

void newLine(QByteArray &out, int depth)
{
    out.append('\n');
    out.append(QByteArray(depth * 2, ' '));
}

QString textOfEvent(const QJsonObject &event)
{
    if (const QJsonArray choices = event.value(QLatin1String("choices")).toArray(); !choices.isEmpty()) {
        const QJsonObject choice = choices.first().toObject();
        if (const QJsonValue delta = choice.value(QLatin1String("delta")); delta.isObject())
            return delta.toObject().value(QLatin1String("content")).toString();
        return choice.value(QLatin1String("text")).toString();
    }
    const QString type = event.value(QLatin1String("type")).toString();
    if (type == QLatin1String("content_block_delta")) {
        const QJsonObject delta = event.value(QLatin1String("delta")).toObject();
        if (delta.value(QLatin1String("type")).toString() == QLatin1String("text_delta"))
            return delta.value(QLatin1String("text")).toString();
        return {};
    }
    if (type == QLatin1String("response.output_text.delta"))
        return event.value(QLatin1String("delta")).toString();
    if (const QJsonArray candidates = event.value(QLatin1String("candidates")).toArray(); !candidates.isEmpty()) {
        QString text;
        const QJsonArray parts = candidates.first()
                                     .toObject()
                                     .value(QLatin1String("content"))
                                     .toObject()
                                     .value(QLatin1String("parts"))
                                     .toArray();
        for (const QJsonValue &part : parts) {
            const QJsonObject p = part.toObject();
            if (!p.value(QLatin1String("thought")).toBool())
                text += p.value(QLatin1String("text")).toString();
        }
        return text;
    }
    return {};
}

} // namespace

std::optional<QString> BodyFormatter::prettyJson(const QByteArray &body)
{
    QJsonParseError error;
    QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError)
        return std::nullopt;
    // Re-indent the original bytes rather than re-serialise: QJsonObject would sort keys and round numbers.
    QByteArray out;
    out.reserve(body.size() * 2);
    int depth = 0;
    bool inString = false;
    bool escaped = false;
    const qsizetype size = body.size();
    for (qsizetype i = 0; i < size; ++i) {
        const char c = body.at(i);
        if (inString) {
            out.append(c);
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        switch (c) {
        case '"':
            inString = true;
            out.append(c);
            break;
        case '{':
        case '[': {
            qsizetype next = i + 1;
            while (next < size && QChar::isSpace(uchar(body.at(next))))
                ++next;
            const char close = c == '{' ? '}' : ']';
            if (next < size && body.at(next) == close) {
                out.append(c).append(close);
                i = next;
                break;
            }
            out.append(c);
            newLine(out, ++depth);
            break;
        }
        case '}':
        case ']':
            newLine(out, --depth);
            out.append(c);
            break;
        case ',':
            out.append(c);
            newLine(out, depth);
            break;
        case ':':
            out.append(": ");
            break;
        case ' ':
        case '\t':
        case '\n':
        case '\r':
            break;
        default:
            out.append(c);
        }
    }
    return QString::fromUtf8(out);
}

QString BodyFormatter::readable(const QByteArray &body)
{
    if (std::optional<QString> pretty = prettyJson(body))
        return *pretty;
    return QString::fromUtf8(body);
}

bool BodyFormatter::isEventStream(const QByteArray &body)
{
    const QByteArray start = body.left(64).trimmed();
    return start.startsWith("data:") || start.startsWith("event:") || start.startsWith(":");
}

QList<SseEvent> BodyFormatter::events(const QByteArray &body)
{
    SseParser parser;
    QList<SseEvent> events;
    parser.feed(body, events);
    // A body cut at the size cap ends mid-event: show what arrived of it too.
    parser.feed(QByteArrayLiteral("\n\n"), events);
    return events;
}

QString BodyFormatter::eventLines(const QList<SseEvent> &events)
{
    QStringList lines;
    lines.reserve(events.size());
    for (const SseEvent &event : events) {
        QString data = QString::fromUtf8(event.data);
        data.replace(QLatin1Char('\n'), QLatin1Char(' '));
        lines.append(event.event.isEmpty() ? data : QString::fromUtf8(event.event) + QLatin1Char(' ') + data);
    }
    return lines.join(QLatin1Char('\n'));
}

QString BodyFormatter::assembledText(const QList<SseEvent> &events)
{
    QString text;
    for (const SseEvent &event : events) {
        const QJsonDocument doc = QJsonDocument::fromJson(event.data);
        if (doc.isObject())
            text += textOfEvent(doc.object());
    }
    return text;
}

} // namespace sluice

#include "ContentPart.h"

namespace sluice {

QString MediaSource::toDataUrlOrUrl() const
{
    if (!isInline())
        return url;
    return QStringLiteral("data:") + mediaType + QStringLiteral(";base64,") + QString::fromLatin1(base64);
}

MediaSource MediaSource::fromDataUrlOrUrl(const QString &value)
{
    MediaSource source;
    if (value.startsWith(QLatin1String("data:"))) {
        const qsizetype comma = value.indexOf(QLatin1Char(','));
        const QString header = value.mid(5, comma < 0 ? -1 : comma - 5);
        if (comma > 0 && header.endsWith(QLatin1String(";base64"))) {
            source.mediaType = header.chopped(7);
            source.base64 = value.mid(comma + 1).toLatin1();
            return source;
        }
    }
    source.url = value;
    return source;
}

ContentPart ContentPart::makeText(const QString &text)
{
    ContentPart part;
    part.kind = Kind::Text;
    part.text = text;
    return part;
}

ContentPart ContentPart::makeToolCall(const QString &id, const QString &name, const QString &arguments)
{
    ContentPart part;
    part.kind = Kind::ToolCall;
    part.toolCallId = id;
    part.toolName = name;
    part.arguments = arguments;
    return part;
}

ContentPart ContentPart::makeToolResult(const QString &callId, const QString &text, bool isError)
{
    ContentPart part;
    part.kind = Kind::ToolResult;
    part.toolCallId = callId;
    part.text = text;
    part.isError = isError;
    return part;
}

ContentPart ContentPart::makeThinking(const QString &text, const QString &signature)
{
    ContentPart part;
    part.kind = Kind::Thinking;
    part.text = text;
    part.signature = signature;
    return part;
}

QString joinedText(const ContentParts &parts)
{
    QString out;
    for (const ContentPart &part : parts) {
        if (part.kind == ContentPart::Kind::Text)
            out += part.text;
    }
    return out;
}

} // namespace sluice

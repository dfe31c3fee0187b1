#include "CanonicalResponse.h"

namespace sluice {

QString CanonicalResponse::thinkingText() const
{
    QString out;
    for (const ContentPart &part : content) {
        if (part.kind == ContentPart::Kind::Thinking && !part.redacted)
            out += part.text;
    }
    return out;
}

ContentParts CanonicalResponse::toolCalls() const
{
    ContentParts out;
    for (const ContentPart &part : content) {
        if (part.kind == ContentPart::Kind::ToolCall)
            out.append(part);
    }
    return out;
}

} // namespace sluice

#include "TraceContext.h"

#include <QRandomGenerator>

namespace sluice {

namespace {
bool isLowerHex(QByteArrayView text)
{
    for (char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

bool allZero(const QByteArray &bytes)
{
    return bytes.count('\0') == bytes.size();
}

QByteArray randomBytes(int size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    do {
        QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), size / 4);
    } while (allZero(bytes));
    return bytes;
}
} // namespace

std::optional<TraceContext> TraceContext::parse(const QByteArray &traceparent)
{
    const QByteArray header = traceparent.trimmed();
    // version(2) - trace-id(32) - parent-id(16) - flags(2); later versions may append "-..." fields.
    if (header.size() < 55 || header.at(2) != '-' || header.at(35) != '-' || header.at(52) != '-')
        return std::nullopt;
    if (header.size() > 55 && header.at(55) != '-')
        return std::nullopt;
    const QByteArrayView version = QByteArrayView(header).first(2);
    if (!isLowerHex(version) || version == "ff" || (version == "00" && header.size() != 55))
        return std::nullopt;
    const QByteArrayView traceHex = QByteArrayView(header).sliced(3, 32);
    const QByteArrayView parentHex = QByteArrayView(header).sliced(36, 16);
    const QByteArrayView flagsHex = QByteArrayView(header).sliced(53, 2);
    if (!isLowerHex(traceHex) || !isLowerHex(parentHex) || !isLowerHex(flagsHex))
        return std::nullopt;
    TraceContext context;
    context.traceId = QByteArray::fromHex(traceHex.toByteArray());
    context.parentSpanId = QByteArray::fromHex(parentHex.toByteArray());
    if (allZero(context.traceId) || allZero(context.parentSpanId))
        return std::nullopt;
    context.sampled = (QByteArray::fromHex(flagsHex.toByteArray()).at(0) & 0x01) != 0;
    return context;
}

QByteArray TraceContext::newTraceId()
{
    return randomBytes(16);
}

QByteArray TraceContext::newSpanId()
{
    return randomBytes(8);
}

bool TraceContext::sampledByRatio(const QByteArray &traceId, double ratio)
{
    if (ratio >= 1)
        return true;
    if (ratio <= 0 || traceId.size() != 16)
        return false;
    quint64 low = 0;
    for (int i = 8; i < 16; ++i)
        low = low << 8 | quint8(traceId.at(i));
    // Compared in 63 bits so the bound (ratio * 2^63) fits a double's range exactly enough.
    return double(low >> 1) < ratio * 9223372036854775808.0;
}

} // namespace sluice

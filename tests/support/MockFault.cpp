#include "MockFault.h"

#include <array>
#include <utility>

#include <QStringList>

namespace sluice::test {

namespace {

constexpr std::array<std::pair<MockFault::Kind, const char *>, 9> kindNames {{
    {MockFault::Kind::Status, "status"},
    {MockFault::Kind::ResetBeforeHeaders, "reset"},
    {MockFault::Kind::ResetMidStream, "reset-mid-stream"},
    {MockFault::Kind::StallBeforeHeaders, "stall"},
    {MockFault::Kind::SlowHeaders, "slow-headers"},
    {MockFault::Kind::SlowStream, "slow-stream"},
    {MockFault::Kind::InvalidJson, "invalid-json"},
    {MockFault::Kind::TruncatedStream, "truncate"},
    {MockFault::Kind::Rechunk, "rechunk"},
}};

Result<int> parseNumber(const QByteArray &name, const QByteArray &value, int minimum)
{
    bool ok = false;
    const int number = value.toInt(&ok);
    if (!ok || number < minimum)
        return makeError(QStringLiteral("x-mock-fault: parameter %1 needs a whole number of at least %2, got \"%3\"")
                             .arg(QString::fromLatin1(name))
                             .arg(minimum)
                             .arg(QString::fromLatin1(value)));
    return number;
}

} // namespace

MockFault MockFault::httpStatus(int status, const QByteArray &retryAfter, int retryAfterMs)
{
    MockFault fault;
    fault.kind = Kind::Status;
    fault.status = status;
    fault.retryAfter = retryAfter;
    fault.retryAfterMs = retryAfterMs;
    return fault;
}

MockFault MockFault::resetBeforeHeaders()
{
    MockFault fault;
    fault.kind = Kind::ResetBeforeHeaders;
    return fault;
}

MockFault MockFault::resetMidStream(int afterEvents)
{
    MockFault fault;
    fault.kind = Kind::ResetMidStream;
    fault.afterEvents = afterEvents;
    return fault;
}

MockFault MockFault::stallBeforeHeaders()
{
    MockFault fault;
    fault.kind = Kind::StallBeforeHeaders;
    return fault;
}

MockFault MockFault::slowHeaders(int delayMs)
{
    MockFault fault;
    fault.kind = Kind::SlowHeaders;
    fault.delayMs = delayMs;
    return fault;
}

MockFault MockFault::slowStream(int delayMs)
{
    MockFault fault;
    fault.kind = Kind::SlowStream;
    fault.delayMs = delayMs;
    return fault;
}

MockFault MockFault::invalidJson(int afterEvents)
{
    MockFault fault;
    fault.kind = Kind::InvalidJson;
    fault.afterEvents = afterEvents;
    return fault;
}

MockFault MockFault::truncatedStream(int afterEvents)
{
    MockFault fault;
    fault.kind = Kind::TruncatedStream;
    fault.afterEvents = afterEvents;
    return fault;
}

MockFault MockFault::rechunk(int splitAt)
{
    MockFault fault;
    fault.kind = Kind::Rechunk;
    fault.splitAt = splitAt;
    return fault;
}

MockFault MockFault::forModel(const QString &recording) const
{
    MockFault copy = *this;
    copy.model = recording;
    return copy;
}

MockFault MockFault::repeated(int count) const
{
    MockFault copy = *this;
    copy.times = count;
    return copy;
}

Result<MockFault> MockFault::parse(const QByteArray &spec)
{
    const QList<QByteArray> parts = spec.split(';');
    const QByteArray kindName = parts.value(0).trimmed().toLower();
    MockFault fault;
    bool known = false;
    for (const auto &[kind, name] : kindNames) {
        if (kindName == name) {
            fault.kind = kind;
            known = true;
        }
    }
    if (!known) {
        QStringList names;
        for (const auto &entry : kindNames)
            names.append(QString::fromLatin1(entry.second));
        return makeError(QStringLiteral("x-mock-fault: unknown fault \"%1\"; use one of: %2")
                             .arg(QString::fromLatin1(kindName), names.join(QStringLiteral(", "))));
    }
    if (fault.kind == Kind::Status)
        fault.status = 500;

    for (qsizetype i = 1; i < parts.size(); ++i) {
        const QByteArray part = parts.at(i).trimmed();
        if (part.isEmpty())
            continue;
        const qsizetype eq = part.indexOf('=');
        const QByteArray name = (eq < 0 ? part : part.left(eq)).trimmed().toLower();
        const QByteArray value = eq < 0 ? QByteArray() : part.mid(eq + 1).trimmed();
        if (name == "code" || name == "status") {
            auto number = parseNumber(name, value, 100);
            if (!number)
                return number.error();
            if (*number > 599)
                return makeError(QStringLiteral("x-mock-fault: status %1 is not an HTTP status").arg(*number));
            fault.status = *number;
        } else if (name == "retry-after") {
            fault.retryAfter = value;
        } else if (name == "retry-after-ms") {
            auto number = parseNumber(name, value, 0);
            if (!number)
                return number.error();
            fault.retryAfterMs = *number;
        } else if (name == "after") {
            auto number = parseNumber(name, value, 0);
            if (!number)
                return number.error();
            fault.afterEvents = *number;
        } else if (name == "delay") {
            auto number = parseNumber(name, value, 0);
            if (!number)
                return number.error();
            fault.delayMs = *number;
        } else if (name == "at") {
            auto number = parseNumber(name, value, 1);
            if (!number)
                return number.error();
            fault.splitAt = *number;
        } else {
            return makeError(QStringLiteral("x-mock-fault: unknown parameter \"%1\"; use code, retry-after, "
                                            "retry-after-ms, after, delay or at")
                                 .arg(QString::fromLatin1(name)));
        }
    }
    return fault;
}

QByteArray MockFault::toSpec() const
{
    QByteArray spec;
    for (const auto &[k, name] : kindNames) {
        if (k == kind)
            spec = name;
    }
    switch (kind) {
    case Kind::Status:
        spec += ";code=" + QByteArray::number(status);
        if (!retryAfter.isEmpty())
            spec += ";retry-after=" + retryAfter;
        if (retryAfterMs >= 0)
            spec += ";retry-after-ms=" + QByteArray::number(retryAfterMs);
        break;
    case Kind::ResetMidStream:
    case Kind::TruncatedStream:
    case Kind::InvalidJson:
        spec += ";after=" + QByteArray::number(afterEvents);
        break;
    case Kind::SlowHeaders:
    case Kind::SlowStream:
        spec += ";delay=" + QByteArray::number(delayMs);
        break;
    case Kind::Rechunk:
        if (splitAt > 0)
            spec += ";at=" + QByteArray::number(splitAt);
        break;
    case Kind::ResetBeforeHeaders:
    case Kind::StallBeforeHeaders:
        break;
    }
    return spec;
}

} // namespace sluice::test

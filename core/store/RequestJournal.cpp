#include "RequestJournal.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <optional>
#include <unistd.h>

#include <QDataStream>
#include <QFile>
#include <QIODevice>
#include <QtEndian>

#include "store/StoreLogging.h"

namespace sluice {

namespace {
constexpr char Magic[4] = {'S', 'L', 'J', '2'}; // UTF-8 payload, CRC-32
constexpr char MagicV1[4] = {'S', 'L', 'J', '1'}; // QDataStream payload, CRC-16: journals of earlier versions
constexpr qsizetype HeaderSize = 8; // magic and length
constexpr qsizetype TrailerSize = 4; // CRC-32
constexpr qsizetype TrailerSizeV1 = 2; // CRC-16
constexpr quint32 MaxPayload = 16 * 1024 * 1024;
constexpr quint32 NullString = 0xffffffff; // a string's length when it is null (QDataStream's convention)

// CRC-32 (IEEE 802.3, as zlib's), one table lookup per byte.
constexpr std::array<quint32, 256> crcTable()
{
    std::array<quint32, 256> table {};
    for (quint32 i = 0; i < 256; ++i) {
        quint32 c = i;
        for (int bit = 0; bit < 8; ++bit)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    return table;
}
constexpr std::array<quint32, 256> CrcTable = crcTable();

quint32 crc32(const char *data, qsizetype size)
{
    quint32 crc = 0xffffffffu;
    for (qsizetype i = 0; i < size; ++i)
        crc = CrcTable[(crc ^ quint8(data[i])) & 0xff] ^ (crc >> 8);
    return crc ^ 0xffffffffu;
}

// Writes the payload into a buffer sized once for the worst case (3 UTF-8 bytes per UTF-16 unit): no QDataStream,
// no UTF-16 on disk, no allocation per field.
class PayloadWriter
{
public:
    explicit PayloadWriter(qsizetype capacity)
        : m_bytes(capacity, Qt::Uninitialized)
        , m_at(m_bytes.data())
    { }

    static qsizetype bound(const QString &text) { return 4 + 3 * text.size(); }

    void put(quint32 value)
    {
        qToLittleEndian<quint32>(value, m_at);
        m_at += 4;
    }
    void put(qint64 value)
    {
        qToLittleEndian<qint64>(value, m_at);
        m_at += 8;
    }
    void put(double value)
    {
        quint64 bits = 0;
        std::memcpy(&bits, &value, sizeof bits);
        qToLittleEndian<quint64>(bits, m_at);
        m_at += 8;
    }
    void put(bool value) { *m_at++ = value ? 1 : 0; }
    void put(const QByteArray &bytes)
    {
        put(quint32(bytes.size()));
        std::memcpy(m_at, bytes.constData(), size_t(bytes.size()));
        m_at += bytes.size();
    }
    void put(const QString &text)
    {
        if (text.isNull()) {
            put(NullString);
            return;
        }
        char *length = m_at;
        m_at += 4;
        const char16_t *unit = reinterpret_cast<const char16_t *>(text.utf16());
        const char16_t *end = unit + text.size();
        char *out = m_at;
        for (; unit < end; ++unit) {
            const char32_t c = *unit;
            if (c < 0x80) {
                *out++ = char(c);
            } else if (c < 0x800) {
                *out++ = char(0xc0 | (c >> 6));
                *out++ = char(0x80 | (c & 0x3f));
            } else if (QChar::isHighSurrogate(c) && unit + 1 < end && QChar::isLowSurrogate(unit[1])) {
                const char32_t point = QChar::surrogateToUcs4(char16_t(c), unit[1]);
                ++unit;
                *out++ = char(0xf0 | (point >> 18));
                *out++ = char(0x80 | ((point >> 12) & 0x3f));
                *out++ = char(0x80 | ((point >> 6) & 0x3f));
                *out++ = char(0x80 | (point & 0x3f));
            } else {
                const char32_t point = QChar::isSurrogate(c) ? char32_t(QChar::ReplacementCharacter) : c;
                *out++ = char(0xe0 | (point >> 12));
                *out++ = char(0x80 | ((point >> 6) & 0x3f));
                *out++ = char(0x80 | (point & 0x3f));
            }
        }
        qToLittleEndian<quint32>(quint32(out - m_at), length);
        m_at = out;
    }

    char *position() const { return m_at; }
    QByteArray take()
    {
        m_bytes.truncate(m_at - m_bytes.constData());
        return std::move(m_bytes);
    }
    // Reserves n bytes to fill later through the pointer returned.
    char *skip(qsizetype n)
    {
        char *at = m_at;
        m_at += n;
        return at;
    }

private:
    QByteArray m_bytes;
    char *m_at;
};

// Reads what PayloadWriter wrote; any field past the end sets failed() (a frame cut or not ours).
class PayloadReader
{
public:
    PayloadReader(const char *data, qsizetype size)
        : m_at(data)
        , m_end(data + size)
    { }

    bool failed() const { return m_failed; }
    bool atEnd() const { return m_at == m_end; }

    quint32 u32()
    {
        if (!has(4))
            return 0;
        const quint32 value = qFromLittleEndian<quint32>(m_at);
        m_at += 4;
        return value;
    }
    qint64 i64()
    {
        if (!has(8))
            return 0;
        const qint64 value = qFromLittleEndian<qint64>(m_at);
        m_at += 8;
        return value;
    }
    double f64()
    {
        if (!has(8))
            return 0;
        const quint64 bits = qFromLittleEndian<quint64>(m_at);
        m_at += 8;
        double value = 0;
        std::memcpy(&value, &bits, sizeof value);
        return value;
    }
    bool flag()
    {
        if (!has(1))
            return false;
        return *m_at++ != 0;
    }
    QByteArray bytes()
    {
        const quint32 size = u32();
        if (!has(size))
            return {};
        const QByteArray value(m_at, size);
        m_at += size;
        return value;
    }
    QString text()
    {
        const quint32 size = u32();
        if (size == NullString || !has(size))
            return {};
        QString value = QString::fromUtf8(m_at, size);
        m_at += size;
        if (value.isNull())
            value = QString(QLatin1String("")); // an empty string, not a null one
        return value;
    }

private:
    bool has(quint64 n)
    {
        if (m_failed || quint64(m_end - m_at) < n) {
            m_failed = true;
            return false;
        }
        return true;
    }

    const char *m_at;
    const char *m_end;
    bool m_failed = false;
};

void write(PayloadWriter &out, const AttemptRecord &attempt)
{
    out.put(attempt.model);
    out.put(attempt.deployment);
    out.put(attempt.provider);
    out.put(attempt.upstreamModel);
    out.put(attempt.keyRef);
    out.put(attempt.startedAtMs);
    out.put(attempt.latencyMs);
    out.put(qint64(attempt.httpStatus));
    out.put(attempt.errorClass);
    out.put(attempt.decision);
    out.put(attempt.waitBeforeNextMs);
    out.put(attempt.reason);
    out.put(attempt.inputTokens);
    out.put(attempt.outputTokens);
    out.put(attempt.cachedTokens);
    out.put(attempt.reasoningTokens);
    out.put(attempt.cacheWriteTokens);
}

void read(PayloadReader &in, AttemptRecord &attempt)
{
    attempt.model = in.text();
    attempt.deployment = in.text();
    attempt.provider = in.text();
    attempt.upstreamModel = in.text();
    attempt.keyRef = in.text();
    attempt.startedAtMs = in.i64();
    attempt.latencyMs = in.i64();
    attempt.httpStatus = int(in.i64());
    attempt.errorClass = in.text();
    attempt.decision = in.text();
    attempt.waitBeforeNextMs = in.i64();
    attempt.reason = in.text();
    attempt.inputTokens = in.i64();
    attempt.outputTokens = in.i64();
    attempt.cachedTokens = in.i64();
    attempt.reasoningTokens = in.i64();
    attempt.cacheWriteTokens = in.i64();
}

qsizetype bound(const AttemptRecord &attempt)
{
    return PayloadWriter::bound(attempt.model) + PayloadWriter::bound(attempt.deployment)
        + PayloadWriter::bound(attempt.provider) + PayloadWriter::bound(attempt.upstreamModel)
        + PayloadWriter::bound(attempt.keyRef) + PayloadWriter::bound(attempt.errorClass)
        + PayloadWriter::bound(attempt.decision) + PayloadWriter::bound(attempt.reason) + 9 * 8;
}

void readV1(QDataStream &in, AttemptRecord &attempt)
{
    qint32 status = 0;
    in >> attempt.model >> attempt.deployment >> attempt.provider >> attempt.upstreamModel >> attempt.keyRef
        >> attempt.startedAtMs >> attempt.latencyMs >> status >> attempt.errorClass >> attempt.decision
        >> attempt.waitBeforeNextMs >> attempt.reason >> attempt.inputTokens >> attempt.outputTokens
        >> attempt.cachedTokens >> attempt.reasoningTokens >> attempt.cacheWriteTokens;
    attempt.httpStatus = status;
}

// A frame of the first format (QDataStream, UTF-16 strings), as journals written before SLJ2 hold them.
std::optional<RequestRecord> decodeV1(const QByteArray &payload)
{
    QDataStream in(payload);
    in.setVersion(QDataStream::Qt_6_4);
    RequestRecord record;
    qint32 status = 0;
    qint32 attempts = 0;
    in >> record.id >> record.startedAt >> record.tokenName >> record.endpoint >> record.requestedModel
        >> record.provider >> record.upstreamModel >> record.servedModel >> record.stream >> status >> record.errorClass
        >> record.errorMessage >> record.latencyUs >> record.timeToFirstTokenUs >> record.inputTokens
        >> record.outputTokens >> record.cachedTokens >> record.reasoningTokens >> record.cacheWriteTokens
        >> record.costUsd >> record.costStatus >> record.requestBytes >> record.relayedTextChars >> record.cacheHit
        >> record.savedUsd >> attempts;
    record.httpStatus = status;
    for (qint32 i = 0; i < attempts && in.status() == QDataStream::Ok && i < 1000; ++i) {
        AttemptRecord attempt;
        readV1(in, attempt);
        record.attempts.append(attempt);
    }
    if (!in.atEnd()) // journals written before attribution end here
        in >> record.client >> record.tags >> record.project;
    if (!in.atEnd()) { // and those written before prompts here
        qint32 promptVersion = 0;
        in >> record.promptName >> promptVersion >> record.observedPrompt >> record.observedPromptSample;
        record.promptVersion = promptVersion;
    }
    if (!in.atEnd()) // and those written before comparison runs here
        in >> record.compareRun;
    if (in.status() != QDataStream::Ok || record.id.isEmpty())
        return std::nullopt;
    return record;
}

std::optional<RequestRecord> decodeV2(const char *data, qsizetype size)
{
    PayloadReader in(data, size);
    RequestRecord record;
    record.id = in.text();
    const qint64 startedAtMs = in.i64();
    if (startedAtMs != std::numeric_limits<qint64>::min())
        record.startedAt = QDateTime::fromMSecsSinceEpoch(startedAtMs, Qt::UTC);
    record.tokenName = in.text();
    record.endpoint = in.text();
    record.requestedModel = in.text();
    record.provider = in.text();
    record.upstreamModel = in.text();
    record.servedModel = in.text();
    record.stream = in.flag();
    record.httpStatus = int(in.i64());
    record.errorClass = in.text();
    record.errorMessage = in.text();
    record.latencyUs = in.i64();
    record.timeToFirstTokenUs = in.i64();
    record.inputTokens = in.i64();
    record.outputTokens = in.i64();
    record.cachedTokens = in.i64();
    record.reasoningTokens = in.i64();
    record.cacheWriteTokens = in.i64();
    record.costUsd = in.f64();
    record.costStatus = in.text();
    record.requestBytes = in.i64();
    record.relayedTextChars = in.i64();
    record.cacheHit = in.flag();
    record.savedUsd = in.f64();
    const quint32 attempts = in.u32();
    for (quint32 i = 0; i < attempts && !in.failed() && i < 1000; ++i) {
        AttemptRecord attempt;
        read(in, attempt);
        record.attempts.append(attempt);
    }
    record.client = in.text();
    const quint32 tags = in.u32();
    for (quint32 i = 0; i < tags && !in.failed() && i < 1000; ++i)
        record.tags.append(in.text());
    record.project = in.text();
    record.promptName = in.text();
    record.promptVersion = int(in.i64());
    record.observedPrompt = in.text();
    record.observedPromptSample = in.bytes();
    record.compareRun = in.text();
    if (in.failed() || !in.atEnd() || record.id.isEmpty())
        return std::nullopt;
    return record;
}
} // namespace

RequestJournal::~RequestJournal()
{
    close();
}

Result<RequestRecords> RequestJournal::open(const QString &path)
{
    close();
    RequestRecords left;
    QFile existing(path);
    if (existing.exists()) {
        if (!existing.open(QIODevice::ReadOnly))
            return makeError(
                QStringLiteral("Cannot read the request journal %1: %2").arg(path, existing.errorString()));
        left = decode(existing.readAll());
    }
    const QByteArray native = QFile::encodeName(path);
    m_fd = ::open(native.constData(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (m_fd < 0)
        return makeError(QStringLiteral("Cannot open the request journal %1: %2")
                             .arg(path, QString::fromLocal8Bit(std::strerror(errno))));
    m_path = path;
    return left;
}

bool RequestJournal::append(const RequestRecord &record)
{
    if (m_fd < 0)
        return false;
    const QByteArray frame = encode(record);
    qsizetype done = 0;
    while (done < frame.size()) {
        const ssize_t written = ::write(m_fd, frame.constData() + done, size_t(frame.size() - done));
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0) {
            qCWarning(lcStore) << "Cannot append to the request journal" << m_path << std::strerror(errno);
            return false;
        }
        done += written;
    }
    return true;
}

void RequestJournal::clear()
{
    if (m_fd >= 0 && ::ftruncate(m_fd, 0) != 0)
        qCWarning(lcStore) << "Cannot empty the request journal" << m_path << std::strerror(errno);
}

void RequestJournal::close()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

QByteArray RequestJournal::encode(const RequestRecord &record)
{
    qsizetype capacity = HeaderSize + TrailerSize + 16 * 8 + 3 * 4 + 2;
    for (const QString *text :
         {&record.id, &record.tokenName, &record.endpoint, &record.requestedModel, &record.provider,
          &record.upstreamModel, &record.servedModel, &record.errorClass, &record.errorMessage, &record.costStatus,
          &record.client, &record.project, &record.promptName, &record.observedPrompt, &record.compareRun})
        capacity += PayloadWriter::bound(*text);
    for (const AttemptRecord &attempt : record.attempts)
        capacity += bound(attempt);
    for (const QString &tag : record.tags)
        capacity += PayloadWriter::bound(tag);
    capacity += 4 + record.observedPromptSample.size();

    PayloadWriter out(capacity);
    char *header = out.skip(HeaderSize);
    const char *payload = out.position();
    out.put(record.id);
    out.put(record.startedAt.isValid() ? record.startedAt.toMSecsSinceEpoch() : std::numeric_limits<qint64>::min());
    out.put(record.tokenName);
    out.put(record.endpoint);
    out.put(record.requestedModel);
    out.put(record.provider);
    out.put(record.upstreamModel);
    out.put(record.servedModel);
    out.put(record.stream);
    out.put(qint64(record.httpStatus));
    out.put(record.errorClass);
    out.put(record.errorMessage);
    out.put(record.latencyUs);
    out.put(record.timeToFirstTokenUs);
    out.put(record.inputTokens);
    out.put(record.outputTokens);
    out.put(record.cachedTokens);
    out.put(record.reasoningTokens);
    out.put(record.cacheWriteTokens);
    out.put(record.costUsd);
    out.put(record.costStatus);
    out.put(record.requestBytes);
    out.put(record.relayedTextChars);
    out.put(record.cacheHit);
    out.put(record.savedUsd);
    out.put(quint32(record.attempts.size()));
    for (const AttemptRecord &attempt : record.attempts)
        write(out, attempt);
    out.put(record.client);
    out.put(quint32(record.tags.size()));
    for (const QString &tag : record.tags)
        out.put(tag);
    out.put(record.project);
    out.put(record.promptName);
    out.put(qint64(record.promptVersion));
    out.put(record.observedPrompt);
    out.put(record.observedPromptSample);
    out.put(record.compareRun);
    const qsizetype length = out.position() - payload;
    std::memcpy(header, Magic, sizeof Magic);
    qToBigEndian<quint32>(quint32(length), header + 4);
    qToBigEndian<quint32>(crc32(payload, length), out.skip(TrailerSize));
    return out.take();
}

RequestRecords RequestJournal::decode(const QByteArray &bytes)
{
    RequestRecords records;
    qsizetype at = 0;
    while (bytes.size() - at >= HeaderSize) {
        const char *frame = bytes.constData() + at;
        const bool v2 = std::memcmp(frame, Magic, sizeof Magic) == 0;
        if (!v2 && std::memcmp(frame, MagicV1, sizeof MagicV1) != 0)
            break;
        const qsizetype trailer = v2 ? TrailerSize : TrailerSizeV1;
        const quint32 length = qFromBigEndian<quint32>(frame + 4);
        if (length > MaxPayload || bytes.size() - at - HeaderSize - trailer < qsizetype(length))
            break; // torn by a crash inside write()
        const char *payload = frame + HeaderSize;
        at += HeaderSize + length + trailer;
        std::optional<RequestRecord> record;
        if (v2) {
            if (qFromBigEndian<quint32>(payload + length) != crc32(payload, length))
                break;
            record = decodeV2(payload, length);
        } else {
            if (qFromBigEndian<quint16>(payload + length) != qChecksum(QByteArrayView(payload, length)))
                break;
            record = decodeV1(QByteArray(payload, length));
        }
        if (!record)
            break;
        record->bodiesTruncated = true; // bodies are not journaled
        records.append(std::move(*record));
    }
    return records;
}

} // namespace sluice

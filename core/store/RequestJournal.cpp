#include "RequestJournal.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <QDataStream>
#include <QFile>
#include <QIODevice>
#include <QtEndian>

#include "store/StoreLogging.h"

namespace sluice {

namespace {
constexpr char Magic[4] = {'S', 'L', 'J', '1'};
constexpr qsizetype HeaderSize = 8; // magic and length
constexpr qsizetype TrailerSize = 2; // CRC-16
constexpr quint32 MaxPayload = 16 * 1024 * 1024;

void write(QDataStream &out, const AttemptRecord &attempt)
{
    out << attempt.model << attempt.deployment << attempt.provider << attempt.upstreamModel << attempt.keyRef
        << attempt.startedAtMs << attempt.latencyMs << qint32(attempt.httpStatus) << attempt.errorClass
        << attempt.decision << attempt.waitBeforeNextMs << attempt.reason << attempt.inputTokens << attempt.outputTokens
        << attempt.cachedTokens << attempt.reasoningTokens << attempt.cacheWriteTokens;
}

void read(QDataStream &in, AttemptRecord &attempt)
{
    qint32 status = 0;
    in >> attempt.model >> attempt.deployment >> attempt.provider >> attempt.upstreamModel >> attempt.keyRef
        >> attempt.startedAtMs >> attempt.latencyMs >> status >> attempt.errorClass >> attempt.decision
        >> attempt.waitBeforeNextMs >> attempt.reason >> attempt.inputTokens >> attempt.outputTokens
        >> attempt.cachedTokens >> attempt.reasoningTokens >> attempt.cacheWriteTokens;
    attempt.httpStatus = status;
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
    QByteArray payload;
    {
        QDataStream out(&payload, QIODevice::WriteOnly);
        out.setVersion(QDataStream::Qt_6_4);
        out << record.id << record.startedAt << record.tokenName << record.endpoint << record.requestedModel
            << record.provider << record.upstreamModel << record.servedModel << record.stream
            << qint32(record.httpStatus) << record.errorClass << record.errorMessage << record.latencyUs
            << record.timeToFirstTokenUs << record.inputTokens << record.outputTokens << record.cachedTokens
            << record.reasoningTokens << record.cacheWriteTokens << record.costUsd << record.costStatus
            << record.requestBytes << record.relayedTextChars << record.cacheHit << record.savedUsd
            << qint32(record.attempts.size());
        for (const AttemptRecord &attempt : record.attempts)
            write(out, attempt);
        out << record.client << record.tags << record.project;
        out << record.promptName << qint32(record.promptVersion) << record.observedPrompt
            << record.observedPromptSample;
        out << record.compareRun;
    }
    QByteArray frame;
    frame.reserve(HeaderSize + payload.size() + TrailerSize);
    frame.append(Magic, sizeof Magic);
    char length[4];
    qToBigEndian<quint32>(quint32(payload.size()), length);
    frame.append(length, 4);
    frame.append(payload);
    char crc[2];
    qToBigEndian<quint16>(qChecksum(payload), crc);
    frame.append(crc, 2);
    return frame;
}

RequestRecords RequestJournal::decode(const QByteArray &bytes)
{
    RequestRecords records;
    qsizetype at = 0;
    while (bytes.size() - at >= HeaderSize + TrailerSize) {
        if (std::memcmp(bytes.constData() + at, Magic, sizeof Magic) != 0)
            break;
        const quint32 length = qFromBigEndian<quint32>(bytes.constData() + at + 4);
        if (length > MaxPayload || bytes.size() - at - HeaderSize - TrailerSize < qsizetype(length))
            break; // torn by a crash inside write()
        const QByteArray payload = bytes.mid(at + HeaderSize, length);
        const quint16 crc = qFromBigEndian<quint16>(bytes.constData() + at + HeaderSize + length);
        at += HeaderSize + length + TrailerSize;
        if (crc != qChecksum(payload))
            break;
        QDataStream in(payload);
        in.setVersion(QDataStream::Qt_6_4);
        RequestRecord record;
        qint32 status = 0;
        qint32 attempts = 0;
        in >> record.id >> record.startedAt >> record.tokenName >> record.endpoint >> record.requestedModel
            >> record.provider >> record.upstreamModel >> record.servedModel >> record.stream >> status
            >> record.errorClass >> record.errorMessage >> record.latencyUs >> record.timeToFirstTokenUs
            >> record.inputTokens >> record.outputTokens >> record.cachedTokens >> record.reasoningTokens
            >> record.cacheWriteTokens >> record.costUsd >> record.costStatus >> record.requestBytes
            >> record.relayedTextChars >> record.cacheHit >> record.savedUsd >> attempts;
        record.httpStatus = status;
        for (qint32 i = 0; i < attempts && in.status() == QDataStream::Ok && i < 1000; ++i) {
            AttemptRecord attempt;
            read(in, attempt);
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
            break;
        record.bodiesTruncated = true; // bodies are not journaled
        records.append(record);
    }
    return records;
}

} // namespace sluice

#pragma once

#include <QByteArray>
#include <QString>

#include "common/RequestRecord.h"
#include "common/Result.h"

namespace sluice {

// The crash-safety net under the request log: every finished record is appended here, with one write(), before
// its answer's last bytes go to the client, and the file is emptied once the log writer has committed everything
// it holds. A kill -9 leaves in the file exactly the records the database may not have; the next start writes
// them (duplicates are skipped by id). Bodies are not journaled: the row is what must survive, and a large body
// would slow every request down; a replayed row is marked as having lost its bodies.
class RequestJournal
{
public:
    RequestJournal() = default;
    RequestJournal(const RequestJournal &) = delete;
    RequestJournal &operator=(const RequestJournal &) = delete;
    ~RequestJournal();

    // Opens (creating) the journal at path; returns the records a previous run left in it.
    Result<RequestRecords> open(const QString &path);
    bool isOpen() const { return m_fd >= 0; }
    QString path() const { return m_path; }
    // One write() of one whole frame: once it returns the kernel has the record, whatever happens to the process.
    bool append(const RequestRecord &record);
    // Everything journaled is in the database.
    void clear();
    void close();

    // The file's format: frames of "SLJ2", the payload's length (32-bit, big-endian), the payload (the record
    // without bodies: strings as UTF-8 with a 32-bit length, numbers little-endian) and a CRC-32 of it. Frames of
    // "SLJ1" (a QDataStream payload and a CRC-16), which earlier versions wrote, are still read. A torn last frame
    // (a crash inside write()) is ignored.
    static QByteArray encode(const RequestRecord &record);
    static RequestRecords decode(const QByteArray &bytes);

private:
    int m_fd = -1;
    QString m_path;
};

} // namespace sluice

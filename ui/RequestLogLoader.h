#pragma once

#include <memory>

#include <QObject>

#include "common/RequestRecord.h"
#include "common/Result.h"
#include "store/StoreLocation.h"

namespace sluice {

class RequestLogReader;

// Reads the request log (this machine's SQLite log, or a team's PostgreSQL database, read-only) for the window on a
// thread of its own: move it to a QThread and call its slots through queued connections; results come back as
// signals. The reader's connection opens on first use, and again after a failure (a database restart).
class RequestLogLoader : public QObject
{
    Q_OBJECT
public:
    explicit RequestLogLoader(const StoreLocation &store, QObject *parent = nullptr);
    ~RequestLogLoader() override;

public Q_SLOTS:
    // The newest records without bodies, and how many the log holds in all.
    void loadRecent(int limit);
    // One record with its bodies.
    void loadRecord(const QString &id);
    // The newest records without bodies, for a window that follows a log other processes write (a team's
    // database): answered with recentPolled or pollFailed.
    void pollRecent(int limit);

Q_SIGNALS:
    void recentLoaded(const sluice::RequestRecords &records, qint64 totalCount);
    void recordLoaded(const sluice::RequestRecord &record);
    // id is empty when loading the recent records failed.
    void loadFailed(const QString &id, const QString &message);
    void recentPolled(const sluice::RequestRecords &records);
    void pollFailed(const QString &message);

private:
    Result<void> ensureOpen();

    StoreLocation m_store;
    std::unique_ptr<RequestLogReader> m_reader;
};

} // namespace sluice

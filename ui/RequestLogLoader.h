#pragma once

#include <memory>

#include <QObject>

#include "common/RequestRecord.h"
#include "common/Result.h"

namespace sluice {

class RequestLogReader;

// Reads the request log for the window on a thread of its own: move it to a QThread and call its slots
// through queued connections; results come back as signals. The reader's connection opens on first use.
class RequestLogLoader : public QObject
{
    Q_OBJECT
public:
    explicit RequestLogLoader(const QString &databasePath, QObject *parent = nullptr);
    ~RequestLogLoader() override;

public Q_SLOTS:
    // The newest records without bodies, and how many the log holds in all.
    void loadRecent(int limit);
    // One record with its bodies.
    void loadRecord(const QString &id);

Q_SIGNALS:
    void recentLoaded(const sluice::RequestRecords &records, qint64 totalCount);
    void recordLoaded(const sluice::RequestRecord &record);
    // id is empty when loading the recent records failed.
    void loadFailed(const QString &id, const QString &message);

private:
    Result<void> ensureOpen();

    QString m_databasePath;
    std::unique_ptr<RequestLogReader> m_reader;
};

} // namespace sluice

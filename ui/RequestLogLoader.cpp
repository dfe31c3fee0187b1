#include "RequestLogLoader.h"

#include <QFileInfo>

#include "UiLogging.h"
#include "store/RequestLogReader.h"

namespace sluice {

RequestLogLoader::RequestLogLoader(const StoreLocation &store, QObject *parent)
    : QObject(parent)
    , m_store(store)
{ }

RequestLogLoader::~RequestLogLoader() = default;

Result<void> RequestLogLoader::ensureOpen()
{
    if (m_reader)
        return {};
    // The reader's connection belongs to the thread that opens it, so it is created here, never earlier.
    auto reader = std::make_unique<RequestLogReader>(m_store);
    if (Result<void> opened = reader->open(); !opened) {
        qCWarning(lcUi) << "Cannot read the request log:" << opened.errorMessage();
        return opened;
    }
    m_reader = std::move(reader);
    return {};
}

void RequestLogLoader::loadRecent(int limit)
{
    if (!m_store.isPostgres() && !QFileInfo::exists(m_store.sqlitePath())) {
        // Nothing logged yet: the writer creates the database with its first start.
        Q_EMIT recentLoaded({}, 0);
        return;
    }
    if (Result<void> opened = ensureOpen(); !opened) {
        Q_EMIT loadFailed({}, opened.errorMessage());
        return;
    }
    Result<RequestRecords> records = m_reader->recent(limit);
    if (!records) {
        Q_EMIT loadFailed({}, records.errorMessage());
        return;
    }
    Result<qint64> total = m_reader->count();
    Q_EMIT recentLoaded(*records, total ? *total : records->size());
}

void RequestLogLoader::loadRecord(const QString &id)
{
    if (Result<void> opened = ensureOpen(); !opened) {
        Q_EMIT loadFailed(id, opened.errorMessage());
        return;
    }
    Result<RequestRecord> record = m_reader->byId(id);
    if (!record) {
        Q_EMIT loadFailed(id, record.errorMessage());
        return;
    }
    Q_EMIT recordLoaded(*record);
}

void RequestLogLoader::pollRecent(int limit)
{
    if (Result<void> opened = ensureOpen(); !opened) {
        Q_EMIT pollFailed(opened.errorMessage());
        return;
    }
    Result<RequestRecords> records = m_reader->recent(limit);
    if (!records) {
        Q_EMIT pollFailed(records.errorMessage());
        return;
    }
    Q_EMIT recentPolled(*records);
}

} // namespace sluice

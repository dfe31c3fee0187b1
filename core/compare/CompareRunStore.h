#pragma once

#include <QList>
#include <QString>

#include "compare/CompareRun.h"
#include "store/SqliteConnection.h"

namespace sluice {

// A saved run in the list: enough to recognise it without loading its outputs.
struct CompareRunSummary
{
    QString id;
    QDateTime createdAt; // UTC
    QString title;
    QString source;
    QStringList models;
};

// Saved comparison runs (table compare_runs in the request log's database): save, list, load, delete. One
// read-write connection on the thread that opened it; the window uses it from a worker thread.
class CompareRunStore
{
public:
    // Opens the saved runs of this request log. upgrade: migrate the schema first (the command line, after the
    // writer did); otherwise a log not yet upgraded is an error (the window reads while the writer migrates).
    Result<void> open(const QString &databasePath, bool upgrade = false);
    // Saves the run, replacing a saved run of the same id (a re-run is a new id).
    Result<void> save(const CompareRunResult &run);
    // Newest first.
    Result<QList<CompareRunSummary>> list(int limit = 200);
    Result<CompareRunResult> load(const QString &id);
    // False when there was no such run.
    Result<bool> remove(const QString &id);

private:
    SqliteConnection m_connection;
};

} // namespace sluice

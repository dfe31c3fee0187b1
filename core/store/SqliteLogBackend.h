#pragma once

#include <QSqlQuery>

#include "store/LogBackend.h"
#include "store/SqliteConnection.h"

namespace sluice {

// The request log in a SQLite file: one read-write connection (WAL), prepared statements, the rollups upserted
// from the batch's range of seq in the same transaction.
class SqliteLogBackend : public LogBackend
{
public:
    explicit SqliteLogBackend(QString databasePath);
    ~SqliteLogBackend() override;

    Result<void> open(const QString &connectionName) override;
    Result<void> write(const RequestRecord *records, qsizetype count) override;
    void close() override;

private:
    struct Statements
    {
        QSqlQuery insertRequest;
        QSqlQuery insertBodies;
        QSqlQuery insertAttempt;
        QSqlQuery rollUpSpend;
        QSqlQuery rollUpAttribution;
        QSqlQuery rollUpWhatIf;
        QSqlQuery insertObservedPrompt;
    };
    QSqlError writeRecords(QSqlDatabase &db, const RequestRecord *records, qsizetype count);

    QString m_databasePath;
    SqliteConnection m_connection;
    std::unique_ptr<Statements> m_statements;
    bool m_prepared = false;
};

} // namespace sluice

#include "SqliteLogBackend.h"

#include <QDir>
#include <QSqlError>

#include "Migrations.h"
#include "PostgresLogBackend.h"
#include "RecordColumns.h"
#include "StoreLogging.h"
#include "WhatIfRollup.h"

namespace sluice {

namespace {

QString describeWriteError(const QSqlError &error, const QString &databasePath)
{
    const QString path = QDir::toNativeSeparators(databasePath);
    switch (error.nativeErrorCode().toInt() & 0xff) {
    case 13: // SQLITE_FULL
        return QStringLiteral("The disk holding the request log %1 is full: free some space.").arg(path);
    case 3: // SQLITE_PERM
    case 8: // SQLITE_READONLY
    case 14: // SQLITE_CANTOPEN
        return QStringLiteral("The request log %1 cannot be written (%2): check the permissions of the file and its "
                              "folder.")
            .arg(path, error.text());
    case 5: // SQLITE_BUSY
    case 6: // SQLITE_LOCKED
        return QStringLiteral("The request log %1 is locked by another program (%2): close it (e.g. a database "
                              "browser holding a write transaction).")
            .arg(path, error.text());
    case 10: // SQLITE_IOERR
        return QStringLiteral("Writing the request log %1 failed with an I/O error (%2): check the disk.")
            .arg(path, error.text());
    case 11: // SQLITE_CORRUPT
    case 26: // SQLITE_NOTADB
        return QStringLiteral("The request log %1 is damaged (%2): move it away and restart Sluice to start a new "
                              "log.")
            .arg(path, error.text());
    default:
        return QStringLiteral("Writing the request log %1 failed (%2).").arg(path, error.text());
    }
}

} // namespace

std::unique_ptr<LogBackend> LogBackend::create(const StoreLocation &location)
{
    if (location.isPostgres())
        return std::make_unique<PostgresLogBackend>(location.postgresSettings());
    return std::make_unique<SqliteLogBackend>(location.sqlitePath());
}

SqliteLogBackend::SqliteLogBackend(QString databasePath)
    : m_databasePath(std::move(databasePath))
{ }

SqliteLogBackend::~SqliteLogBackend()
{
    close();
}

Result<void> SqliteLogBackend::open(const QString &connectionName)
{
    Result<void> opened = m_connection.open(m_databasePath, connectionName, SqliteConnection::Mode::ReadWrite);
    if (opened) {
        QSqlDatabase db = m_connection.database();
        opened = Migrations::apply(db, m_databasePath);
    }
    if (!opened) {
        m_connection.close();
        return opened;
    }
    QSqlDatabase db = m_connection.database();
    m_statements.reset(new Statements {QSqlQuery(db), QSqlQuery(db), QSqlQuery(db), QSqlQuery(db), QSqlQuery(db),
                                       QSqlQuery(db), QSqlQuery(db)});
    m_prepared = false;
    return {};
}

void SqliteLogBackend::close()
{
    m_statements.reset();
    m_connection.close();
}

Result<void> SqliteLogBackend::write(const RequestRecord *records, qsizetype count)
{
    QSqlError error;
    if (!m_prepared) {
        const std::pair<QSqlQuery *, QString> toPrepare[]
            = {{&m_statements->insertRequest, RecordColumns::insertRequestSql()},
               {&m_statements->insertBodies, RecordColumns::insertBodiesSql()},
               {&m_statements->insertAttempt, RecordColumns::insertAttemptSql()},
               {&m_statements->rollUpSpend, RecordColumns::rollUpSpendSql()},
               {&m_statements->rollUpAttribution, RecordColumns::rollUpAttributionSql()},
               {&m_statements->rollUpWhatIf, WhatIfRollup::rollUpSql()},
               {&m_statements->insertObservedPrompt, RecordColumns::insertObservedPromptSql()}};
        m_prepared = true;
        for (const auto &[query, sql] : toPrepare) {
            m_prepared = query->prepare(sql);
            if (!m_prepared) {
                error = query->lastError();
                break;
            }
        }
    }
    if (m_prepared) {
        QSqlDatabase db = m_connection.database();
        error = writeRecords(db, records, count);
    }
    if (error.isValid())
        return makeError(describeWriteError(error, m_databasePath));
    return {};
}

QSqlError SqliteLogBackend::writeRecords(QSqlDatabase &db, const RequestRecord *records, qsizetype count)
{
    Statements &statements = *m_statements;
    if (!db.transaction()) {
        return db.lastError();
    }
    qint64 firstSeq = -1;
    qint64 lastSeq = -1;
    for (qsizetype i = 0; i < count; ++i) {
        const RequestRecord &record = records[i];
        QSqlQuery &insertRequest = statements.insertRequest;
        RecordColumns::bindRequest(insertRequest, record);
        if (!insertRequest.exec()) {
            const QSqlError error = insertRequest.lastError();
            db.rollback();
            return error;
        }
        if (insertRequest.numRowsAffected() == 0) {
            qCWarning(lcStore) << "request" << record.id << "is already in the log; the duplicate was not written";
            continue;
        }
        const qint64 seq = insertRequest.lastInsertId().toLongLong();
        firstSeq = firstSeq < 0 ? seq : firstSeq;
        lastSeq = seq;
        if (RecordColumns::hasBodies(record)) {
            RecordColumns::bindBodies(statements.insertBodies, seq, record);
            if (!statements.insertBodies.exec()) {
                const QSqlError error = statements.insertBodies.lastError();
                db.rollback();
                return error;
            }
        }
        for (qsizetype a = 0; a < record.attempts.size(); ++a) {
            RecordColumns::bindAttempt(statements.insertAttempt, seq, int(a + 1), record.attempts.at(a));
            if (!statements.insertAttempt.exec()) {
                const QSqlError error = statements.insertAttempt.lastError();
                db.rollback();
                return error;
            }
        }
        if (RecordColumns::bindObservedPrompt(statements.insertObservedPrompt, record)
            && !statements.insertObservedPrompt.exec()) {
            const QSqlError error = statements.insertObservedPrompt.lastError();
            db.rollback();
            return error;
        }
    }
    // One upsert per batch: new seqs are above every seq already logged, so the range holds only this batch's rows.
    if (firstSeq >= 0) {
        for (QSqlQuery *rollUp : {&statements.rollUpSpend, &statements.rollUpAttribution, &statements.rollUpWhatIf}) {
            rollUp->bindValue(QStringLiteral(":first_seq"), firstSeq);
            rollUp->bindValue(QStringLiteral(":last_seq"), lastSeq);
            if (!rollUp->exec()) {
                const QSqlError error = rollUp->lastError();
                db.rollback();
                return error;
            }
        }
    }
    if (!db.commit()) {
        const QSqlError error = db.lastError();
        db.rollback();
        return error;
    }
    return {};
}

} // namespace sluice

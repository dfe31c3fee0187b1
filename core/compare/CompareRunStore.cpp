#include "CompareRunStore.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include "compare/CompareExport.h"
#include "store/Migrations.h"

namespace sluice {

namespace {
Error queryError(const QString &what, const QSqlQuery &query)
{
    return makeError(QStringLiteral("Cannot %1 in the comparison history: %2").arg(what, query.lastError().text()));
}
} // namespace

Result<void> CompareRunStore::open(const QString &databasePath, bool upgrade)
{
    const QString name = QStringLiteral("sluice-compare-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    if (Result<void> opened = m_connection.open(databasePath, name, SqliteConnection::Mode::ReadWrite); !opened)
        return opened;
    QSqlDatabase db = m_connection.database();
    if (upgrade) {
        if (Result<void> migrated = Migrations::apply(db, databasePath); !migrated) {
            m_connection.close();
            return migrated;
        }
    } else if (!db.tables().contains(QStringLiteral("compare_runs"))) {
        m_connection.close();
        return makeError(
            QStringLiteral("The database %1 has no saved comparisons yet; start Sluice once to upgrade it.")
                .arg(QDir::toNativeSeparators(databasePath)));
    }
    return {};
}

Result<void> CompareRunStore::save(const CompareRunResult &run)
{
    QSqlQuery query(m_connection.database());
    query.prepare(QStringLiteral("INSERT OR REPLACE INTO compare_runs (id, created_at, title, source, format, "
                                 "request_body, result) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    QJsonObject result = CompareExport::runJson(run);
    result.remove(QStringLiteral("request")); // kept in request_body, byte for byte
    query.addBindValue(run.id);
    query.addBindValue(run.createdAt.toMSecsSinceEpoch());
    query.addBindValue(run.request.title);
    query.addBindValue(run.request.source);
    query.addBindValue(compareFormatName(run.request.format));
    query.addBindValue(run.request.body);
    query.addBindValue(QString::fromUtf8(QJsonDocument(result).toJson(QJsonDocument::Compact)));
    if (!query.exec())
        return queryError(QStringLiteral("save run %1").arg(run.id), query);
    return {};
}

Result<QList<CompareRunSummary>> CompareRunStore::list(int limit)
{
    QSqlQuery query(m_connection.database());
    query.prepare(QStringLiteral(
        "SELECT id, created_at, title, source, result FROM compare_runs ORDER BY created_at DESC LIMIT ?"));
    query.addBindValue(limit);
    if (!query.exec())
        return queryError(QStringLiteral("list the runs"), query);
    QList<CompareRunSummary> runs;
    while (query.next()) {
        CompareRunSummary summary;
        summary.id = query.value(0).toString();
        summary.createdAt = QDateTime::fromMSecsSinceEpoch(query.value(1).toLongLong(), Qt::UTC);
        summary.title = query.value(2).toString();
        summary.source = query.value(3).toString();
        const QJsonArray models
            = QJsonDocument::fromJson(query.value(4).toByteArray()).object().value(QLatin1String("models")).toArray();
        for (const QJsonValue &model : models)
            summary.models.append(model.toObject().value(QLatin1String("model")).toString());
        runs.append(summary);
    }
    return runs;
}

Result<CompareRunResult> CompareRunStore::load(const QString &id)
{
    QSqlQuery query(m_connection.database());
    query.prepare(QStringLiteral("SELECT request_body, result FROM compare_runs WHERE id = ?"));
    query.addBindValue(id);
    if (!query.exec())
        return queryError(QStringLiteral("load run %1").arg(id), query);
    if (!query.next())
        return makeError(QStringLiteral("No saved comparison run %1.").arg(id));
    QJsonObject object = QJsonDocument::fromJson(query.value(1).toByteArray()).object();
    object.insert(QStringLiteral("request"), QJsonDocument::fromJson(query.value(0).toByteArray()).object());
    Result<CompareRunResult> run = CompareExport::runFromJson(object);
    if (run)
        run.value().request.body = query.value(0).toByteArray();
    return run;
}

Result<bool> CompareRunStore::remove(const QString &id)
{
    QSqlQuery query(m_connection.database());
    query.prepare(QStringLiteral("DELETE FROM compare_runs WHERE id = ?"));
    query.addBindValue(id);
    if (!query.exec())
        return queryError(QStringLiteral("delete run %1").arg(id), query);
    return query.numRowsAffected() > 0;
}

} // namespace sluice

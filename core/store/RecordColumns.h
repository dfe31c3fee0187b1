#pragma once

#include <optional>

#include <QSqlQuery>
#include <QString>
#include <QStringList>
#include <QVariantList>

#include "common/RequestRecord.h"

namespace sluice {

// How a RequestRecord maps onto the requests, request_bodies and request_attempts tables: the one place that
// knows the columns. Unknown values (-1 tokens, -1 time to first token, no error) are stored as NULL.
class RecordColumns
{
public:
    // Inserts one request row; an id that is already logged is skipped (numRowsAffected() == 0).
    static QString insertRequestSql();
    // Inserts the bodies of the request row whose seq is bound.
    static QString insertBodiesSql();
    static void bindRequest(QSqlQuery &query, const RequestRecord &record);
    static void bindBodies(QSqlQuery &query, qint64 requestSeq, const RequestRecord &record);
    static bool hasBodies(const RequestRecord &record);
    // The values bindRequest() binds, in the order of requestColumns(): for stores that write many rows in one
    // statement (PostgreSQL). Likewise for an attempt (attemptColumns(), without request_seq), the bodies (encoding,
    // request_body, response_body: compressed as bindBodies() stores them) and an observed prompt (fingerprint,
    // prompt_key, client, system_text, tools, first_seen; none when the record carries no first sighting).
    static const QStringList &requestColumns();
    static QVariantList requestValues(const RequestRecord &record);
    static const QStringList &attemptColumns();
    static QVariantList attemptValues(int position, const AttemptRecord &attempt);
    static QVariantList bodyValues(const RequestRecord &record);
    static std::optional<QVariantList> observedPromptValues(const RequestRecord &record);
    // Inserts one attempt of the request row whose seq is bound; position counts from 1.
    static QString insertAttemptSql();
    static void bindAttempt(QSqlQuery &query, qint64 requestSeq, int position, const AttemptRecord &attempt);
    // Adds the request rows with seq in [:first_seq, :last_seq] to the hourly spend rollup (spend_hourly).
    static QString rollUpSpendSql();
    // The same for the per-dimension rollup (spend_hourly_by: model, provider, token, client, project, tag).
    static QString rollUpAttributionSql();
    // Keeps the observed prompt version a record carries the first sighting of (observedPromptSample); false when
    // it carries none (nothing to execute).
    static QString insertObservedPromptSql();
    static bool bindObservedPrompt(QSqlQuery &query, const RequestRecord &record);
    // Only references like "keychain:NAME" or "env:VAR" are stored: anything else might be a key itself.
    static bool isKeyReference(const QString &keyRef);

    // "SELECT <columns> FROM requests r [LEFT JOIN request_bodies b ...]", ready for a WHERE/ORDER clause.
    static QString selectSql(bool withBodies);
    // Reads a row of selectSql(withBodies), decompressing bodies.
    static RequestRecord read(const QSqlQuery &query, bool withBodies);
    // The attempts of the request whose id is bound, in order.
    static QString selectAttemptsSql();
    static AttemptRecord readAttempt(const QSqlQuery &query);

    // request_bodies.encoding values.
    static constexpr int RawEncoding = 0;
    static constexpr int ZlibEncoding = 1;
    // Agent-sized bodies shrink about 4x; below this, compressing costs more CPU than the disk writes it saves.
    static constexpr qsizetype MinCompressedSize = 8192;
    static constexpr int CompressionLevel = 1;
};

} // namespace sluice

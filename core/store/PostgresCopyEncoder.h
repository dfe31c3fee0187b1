#pragma once

#include <QByteArray>
#include <QList>
#include <QStringList>
#include <QVariantList>

#include "common/Result.h"

namespace sluice {

// Rows in PostgreSQL's binary COPY format (COPY ... FROM STDIN (FORMAT binary)), for the columns of a table whose
// types the server reported (type OIDs: bigint, integer, smallint, boolean, double precision, text, varchar, bytea).
// Values are encoded by the column's type, not the QVariant's, so an int bound to a bigint column is widened. Binary
// COPY has nothing to parse or escape on the server: bytes go in as they are, numbers as network-order integers.
// Text cannot hold NUL characters in PostgreSQL: they are left out (as PostgresConnection::literal() does); bytea
// keeps them. A non-finite double is stored as NULL.
class PostgresCopyEncoder
{
public:
    PostgresCopyEncoder(QStringList columns, QList<quint32> types);

    // Whether every column's type is one this encoder writes; otherwise the message names the column.
    Result<void> check() const;
    // Appends one row: values in the order of the columns.
    void addRow(const QVariantList &values);
    qsizetype rowCount() const { return m_rows; }
    const QStringList &columns() const { return m_columns; }
    // The whole COPY payload (header, rows, trailer); the encoder starts again empty.
    QByteArray finish();

    // The type OIDs it knows (pg_type.h).
    static constexpr quint32 BoolOid = 16;
    static constexpr quint32 ByteaOid = 17;
    static constexpr quint32 Int8Oid = 20;
    static constexpr quint32 Int2Oid = 21;
    static constexpr quint32 Int4Oid = 23;
    static constexpr quint32 TextOid = 25;
    static constexpr quint32 Float8Oid = 701;
    static constexpr quint32 VarcharOid = 1043;

private:
    void start();
    void appendNull();
    void appendField(const char *data, qsizetype size);

    QStringList m_columns;
    QList<quint32> m_types;
    QByteArray m_data;
    qsizetype m_rows = 0;
};

} // namespace sluice

#include "PostgresCopyEncoder.h"

#include <cmath>
#include <cstring>

#include <QtEndian>

namespace sluice {

namespace {

// "PGCOPY\n\377\r\n\0", then the flags and the header extension's length (both 0).
constexpr char Signature[] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', '\377', '\r', '\n', '\0'};

template<typename T>
void appendBigEndian(QByteArray &data, T value)
{
    char bytes[sizeof(T)];
    qToBigEndian(value, bytes);
    data.append(bytes, sizeof(T));
}

} // namespace

PostgresCopyEncoder::PostgresCopyEncoder(QStringList columns, QList<quint32> types)
    : m_columns(std::move(columns))
    , m_types(std::move(types))
{
    start();
}

Result<void> PostgresCopyEncoder::check() const
{
    if (m_columns.size() != m_types.size())
        return makeError(
            QStringLiteral("%1 columns but %2 types for a COPY").arg(m_columns.size()).arg(m_types.size()));
    for (qsizetype i = 0; i < m_types.size(); ++i) {
        switch (m_types.at(i)) {
        case BoolOid:
        case ByteaOid:
        case Int8Oid:
        case Int2Oid:
        case Int4Oid:
        case TextOid:
        case Float8Oid:
        case VarcharOid:
            break;
        default:
            return makeError(QStringLiteral("the column %1 has a type (OID %2) the request log writer cannot send")
                                 .arg(m_columns.at(i))
                                 .arg(m_types.at(i)));
        }
    }
    return {};
}

void PostgresCopyEncoder::start()
{
    m_data.clear();
    m_data.append(Signature, sizeof(Signature));
    appendBigEndian<qint32>(m_data, 0);
    appendBigEndian<qint32>(m_data, 0);
    m_rows = 0;
}

void PostgresCopyEncoder::appendNull()
{
    appendBigEndian<qint32>(m_data, -1);
}

void PostgresCopyEncoder::appendField(const char *data, qsizetype size)
{
    appendBigEndian<qint32>(m_data, qint32(size));
    m_data.append(data, size);
}

void PostgresCopyEncoder::addRow(const QVariantList &values)
{
    Q_ASSERT(values.size() == m_types.size());
    appendBigEndian<qint16>(m_data, qint16(m_types.size()));
    for (qsizetype i = 0; i < m_types.size(); ++i) {
        const QVariant &value = values.at(i);
        if (value.isNull()) {
            appendNull();
            continue;
        }
        switch (m_types.at(i)) {
        case Int8Oid:
            appendBigEndian<qint32>(m_data, 8);
            appendBigEndian<qint64>(m_data, value.toLongLong());
            break;
        case Int4Oid:
            appendBigEndian<qint32>(m_data, 4);
            appendBigEndian<qint32>(m_data, qint32(value.toLongLong()));
            break;
        case Int2Oid:
            appendBigEndian<qint32>(m_data, 2);
            appendBigEndian<qint16>(m_data, qint16(value.toLongLong()));
            break;
        case BoolOid: {
            const char flag = value.toBool() ? 1 : 0;
            appendField(&flag, 1);
            break;
        }
        case Float8Oid: {
            const double number = value.toDouble();
            if (!std::isfinite(number)) {
                appendNull();
                break;
            }
            quint64 bits = 0;
            std::memcpy(&bits, &number, sizeof(bits));
            appendBigEndian<qint32>(m_data, 8);
            appendBigEndian<quint64>(m_data, bits);
            break;
        }
        case ByteaOid: {
            const QByteArray bytes = value.toByteArray();
            appendField(bytes.constData(), bytes.size());
            break;
        }
        default: { // text, varchar (check() refused anything else)
            QByteArray text = value.toString().toUtf8();
            if (text.contains('\0'))
                text.replace(char('\0'), QByteArrayView());
            appendField(text.constData(), text.size());
            break;
        }
        }
    }
    ++m_rows;
}

QByteArray PostgresCopyEncoder::finish()
{
    appendBigEndian<qint16>(m_data, -1);
    QByteArray data = std::move(m_data);
    start();
    return data;
}

} // namespace sluice

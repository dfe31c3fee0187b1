#include "ProtobufReader.h"

namespace sluice::test {

namespace {
std::optional<quint64> readVarint(const QByteArray &data, qsizetype &at)
{
    quint64 value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (at >= data.size())
            return std::nullopt;
        const quint8 byte = quint8(data.at(at++));
        value |= quint64(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0)
            return value;
    }
    return std::nullopt;
}

quint64 readLittleEndian(const QByteArray &data, qsizetype at, int size)
{
    quint64 value = 0;
    for (int i = size - 1; i >= 0; --i)
        value = value << 8 | quint8(data.at(at + i));
    return value;
}
} // namespace

std::optional<QList<ProtobufField>> readProtobuf(const QByteArray &message)
{
    QList<ProtobufField> fields;
    qsizetype at = 0;
    while (at < message.size()) {
        const std::optional<quint64> key = readVarint(message, at);
        if (!key || (*key >> 3) == 0)
            return std::nullopt;
        ProtobufField field;
        field.number = int(*key >> 3);
        field.wireType = int(*key & 7);
        switch (field.wireType) {
        case 0: {
            const std::optional<quint64> value = readVarint(message, at);
            if (!value)
                return std::nullopt;
            field.integer = *value;
            break;
        }
        case 1:
        case 5: {
            const int size = field.wireType == 1 ? 8 : 4;
            if (at + size > message.size())
                return std::nullopt;
            field.integer = readLittleEndian(message, at, size);
            at += size;
            break;
        }
        case 2: {
            const std::optional<quint64> length = readVarint(message, at);
            if (!length || *length > quint64(message.size() - at))
                return std::nullopt;
            field.bytes = message.mid(at, qsizetype(*length));
            at += qsizetype(*length);
            break;
        }
        default:
            return std::nullopt;
        }
        fields.append(field);
    }
    return fields;
}

} // namespace sluice::test

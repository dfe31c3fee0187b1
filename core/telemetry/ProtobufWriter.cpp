#include "ProtobufWriter.h"

#include <cstring>

namespace sluice {

namespace {
enum WireType { Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5 };

template<typename T>
void appendLittleEndian(QByteArray &out, T value)
{
    char bytes[sizeof(T)];
    for (size_t i = 0; i < sizeof(T); ++i)
        bytes[i] = char((value >> (8 * i)) & 0xff);
    out.append(bytes, sizeof(T));
}
} // namespace

void ProtobufWriter::varint(quint64 value)
{
    while (value >= 0x80) {
        m_bytes.append(char((value & 0x7f) | 0x80));
        value >>= 7;
    }
    m_bytes.append(char(value));
}

void ProtobufWriter::varintField(int field, quint64 value)
{
    tag(field, Varint);
    varint(value);
}

void ProtobufWriter::fixed64Field(int field, quint64 value)
{
    tag(field, Fixed64);
    appendLittleEndian(m_bytes, value);
}

void ProtobufWriter::fixed32Field(int field, quint32 value)
{
    tag(field, Fixed32);
    appendLittleEndian(m_bytes, value);
}

void ProtobufWriter::doubleField(int field, double value)
{
    quint64 bits = 0;
    static_assert(sizeof(bits) == sizeof(value));
    std::memcpy(&bits, &value, sizeof(bits));
    fixed64Field(field, bits);
}

void ProtobufWriter::bytesField(int field, QByteArrayView bytes)
{
    tag(field, LengthDelimited);
    varint(quint64(bytes.size()));
    m_bytes.append(bytes.data(), bytes.size());
}

} // namespace sluice

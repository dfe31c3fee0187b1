#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace sluice {

// Protocol Buffers wire format, writing side only: enough for OTLP's messages (varints, fixed64/32, doubles,
// length-delimited strings, bytes and nested messages). Fields are written in the order the caller gives.
class ProtobufWriter
{
public:
    void varintField(int field, quint64 value);
    // A signed int64 field (proto int64: two's complement as a varint, not zig-zag).
    void int64Field(int field, qint64 value) { varintField(field, quint64(value)); }
    void boolField(int field, bool value) { varintField(field, value ? 1 : 0); }
    void fixed64Field(int field, quint64 value);
    void fixed32Field(int field, quint32 value);
    void doubleField(int field, double value);
    void bytesField(int field, QByteArrayView bytes);
    void stringField(int field, const QString &text) { bytesField(field, text.toUtf8()); }
    void messageField(int field, const ProtobufWriter &message) { bytesField(field, message.m_bytes); }

    const QByteArray &bytes() const { return m_bytes; }

private:
    void tag(int field, int wireType) { varint(quint64(field) << 3 | quint64(wireType)); }
    void varint(quint64 value);

    QByteArray m_bytes;
};

} // namespace sluice

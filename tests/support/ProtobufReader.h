#pragma once

#include <optional>

#include <QByteArray>
#include <QList>

namespace sluice::test {

// Protocol Buffers wire-format reader for tests: splits one message into its fields (number, wire type, value),
// strictly (a truncated or malformed message gives nullopt). Written apart from Sluice's ProtobufWriter so a
// mistake in one is not mirrored by the other.
struct ProtobufField
{
    int number = 0;
    int wireType = 0; // 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32
    quint64 integer = 0; // varint, fixed64 and fixed32 values
    QByteArray bytes; // length-delimited values
};

std::optional<QList<ProtobufField>> readProtobuf(const QByteArray &message);

} // namespace sluice::test

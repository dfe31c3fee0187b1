#include "RequestId.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QUuid>

namespace sluice {

QString RequestId::create()
{
    return create(QDateTime::currentMSecsSinceEpoch());
}

QString RequestId::create(qint64 unixMs)
{
    // A generator per thread, seeded from the system's: ids need to be unique, not secret.
    thread_local QRandomGenerator64 random = [] {
        quint32 seed[4];
        QRandomGenerator::system()->fillRange(seed);
        return QRandomGenerator64(seed, seed + 4);
    }();
    const quint64 randomA = random.generate64();
    const quint64 randomB = random.generate64();
    const quint64 ms = quint64(unixMs) & 0xFFFFFFFFFFFFull;
    char bytes[16];
    for (int i = 0; i < 6; ++i)
        bytes[i] = char(ms >> (40 - 8 * i));
    bytes[6] = char(0x70 | ((randomA >> 8) & 0x0F)); // version 7
    bytes[7] = char(randomA);
    bytes[8] = char(0x80 | ((randomB >> 56) & 0x3F)); // RFC variant
    for (int i = 9; i < 16; ++i)
        bytes[i] = char(randomB >> (8 * (15 - i)));
    return QUuid::fromRfc4122(QByteArrayView(bytes, 16)).toString(QUuid::WithoutBraces);
}

} // namespace sluice

#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

namespace sluice {

// A gateway token made with `sluice token create` (a virtual key), as kept in the database: the secret itself is
// never stored, only its SHA-256.
struct StoredToken
{
    QString name;
    QByteArray secretSha256; // 32 bytes
    QDateTime createdAt; // UTC
    QStringList models; // client-facing model names it may use; empty: every model
    int rpm = 0; // 0: no limit
    qint64 tpm = 0; // 0: no limit
    // Hard spend limits in USD per UTC day, week (from Monday) and month; -1: none.
    double dailyUsd = -1;
    double weeklyUsd = -1;
    double monthlyUsd = -1;
};

} // namespace sluice

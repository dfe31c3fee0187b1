#pragma once

#include <memory>

#include <QObject>
#include <QString>

#include "SpendSnapshot.h"
#include "store/StoreLocation.h"

namespace sluice {

class SpendBreakdown;

// Reads the Spend page's data from the request log on the thread it lives on (never the GUI thread), through a
// read-only connection of its own, and hands back value types.
class SpendQuery : public QObject
{
    Q_OBJECT
public:
    explicit SpendQuery(const StoreLocation &store, QObject *parent = nullptr);
    ~SpendQuery() override;

    // Everything the page shows for request, synchronously (on the calling thread).
    Result<SpendSnapshot> read(const SpendRequest &request);

public Q_SLOTS:
    void load(const sluice::SpendRequest &request);
    // The request rows of [from, to) (those counted under value of by, when by is not a time bucket), written to
    // path as CSV or JSON (format "csv" or "json").
    void exportRequests(const QDateTime &from, const QDateTime &to, sluice::SpendDimension by, const QString &value,
                        bool filtered, const QString &path, const QString &format);

Q_SIGNALS:
    void loaded(const sluice::SpendSnapshot &snapshot);
    void failed(int generation, const QString &message);
    void exported(const QString &path, qint64 rows);
    void exportFailed(const QString &message);

private:
    StoreLocation m_store;
    std::unique_ptr<SpendBreakdown> m_breakdown;
};

} // namespace sluice

#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <QSet>

#include "common/RequestRecord.h"

namespace sluice {

// The live request table: a bounded window of the newest records, fed in batches (newest at the top).
// Bodies are kept only for the newest rows; older rows are reloaded from the log when selected.
class LiveRequestsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Time,
        Token,
        Model,
        Provider,
        Status,
        Attempts,
        Stream,
        Latency,
        TimeToFirstToken,
        InputTokens,
        OutputTokens,
        CachedTokens,
        ReasoningTokens,
        Cost,
        ColumnCount,
    };
    enum Role {
        SortRole = Qt::UserRole + 1, // raw value of the cell, for sorting
        FilterTextRole, // lower-case text the search box matches against (any column)
        IdRole,
    };
    static constexpr int DefaultMaxRows = 10000;
    static constexpr int DefaultBodyRows = 200;

    explicit LiveRequestsModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Rows beyond this are trimmed, oldest first.
    void setMaxRows(int rows);
    int maxRows() const { return m_maxRows; }
    // How many of the newest rows keep their request and response bodies in memory.
    void setBodyRows(int rows);
    int bodyRows() const { return m_bodyRows; }

    const RequestRecord &record(int row) const { return m_rows.at(row).record; }
    // False when the row's bodies were never loaded or were dropped to save memory (see setBodyRows).
    bool hasBodies(int row) const { return m_rows.at(row).hasBodies; }
    bool contains(const QString &id) const { return m_ids.contains(id); }
    void clear();

public Q_SLOTS:
    // New records (bodies included) go to the top as one insertion; ids already shown are skipped.
    void appendRecords(const sluice::RequestRecords &records);
    // Older records loaded from the log (without bodies) go to the bottom, as far as the window allows.
    void appendOlderRecords(const sluice::RequestRecords &records);
    // New records read from the log without bodies (a team's database, which other gateways write) go to the top;
    // their bodies are loaded when selected.
    void appendNewerRecords(const sluice::RequestRecords &records);

private:
    void prependRecords(const RequestRecords &records, bool withBodies);

    struct Row
    {
        RequestRecord record;
        bool hasBodies = false;
    };
    QList<Row> takeNew(const RequestRecords &records, bool withBodies) const;
    void trimToMaxRows();
    void dropBodiesFrom(int firstRow, int lastRow);
    static bool isUnknown(const RequestRecord &record, int column);
    static Qt::Alignment alignment(int column);
    QVariant toolTip(const RequestRecord &record, int column) const;
    QVariant displayData(const RequestRecord &record, int column) const;
    QVariant sortData(const RequestRecord &record, int column) const;

    QList<Row> m_rows;
    QSet<QString> m_ids;
    int m_maxRows = DefaultMaxRows;
    int m_bodyRows = DefaultBodyRows;
};

} // namespace sluice

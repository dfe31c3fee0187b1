#pragma once

#include <QSortFilterProxyModel>
#include <QStringList>

namespace sluice {

// Sorts the live table by raw values and keeps the rows whose model, provider, token or status text contain
// every word typed in the search box.
class LiveRequestsFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit LiveRequestsFilterModel(QObject *parent = nullptr);

    QString searchText() const { return m_searchText; }

public Q_SLOTS:
    void setSearchText(const QString &text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_searchText;
    QStringList m_words;
};

} // namespace sluice

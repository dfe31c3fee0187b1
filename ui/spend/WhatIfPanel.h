#pragma once

#include <functional>
#include <memory>

#include <QDateTime>
#include <QWidget>

#include "config/Config.h"
#include "cost/WhatIfCost.h"

class QComboBox;
class QLabel;
class QTableView;

namespace sluice {

class PriceCatalog;
class WhatIfModel;

// What a period's logged requests would have cost on another model, against what they cost (an estimate from
// their token counts, docs/spend.md#what-if-cost). The user picks the target among the configured models and the
// price catalog's; the owner sets the period, the grouping and a filter. Reads the log off the GUI thread. Used by
// the Spend page; made to be embedded elsewhere (the Compare page).
class WhatIfPanel : public QWidget
{
    Q_OBJECT
public:
    explicit WhatIfPanel(QWidget *parent = nullptr);

    // The request log to reprice: this machine's, or a team's PostgreSQL database.
    void setDatabasePath(const StoreLocation &store);
    // The configured models (offered first, priced as their first deployment) and the price catalog.
    void setPriceSources(const Config &config, std::shared_ptr<const PriceCatalog> catalog);
    void setPeriod(const QDateTime &from, const QDateTime &to);
    void setGrouping(WhatIfGrouping by);
    void setFilter(const WhatIfFilter &filter);
    // Picks the target model and computes; an empty name clears the panel.
    void setTarget(const QString &model);
    // The clock prices are taken at (tests pin it).
    void setClock(std::function<QDateTime()> clock);

    QString target() const;
    WhatIfGrouping grouping() const;
    bool isLoaded() const { return m_loaded; }
    const WhatIfReport &report() const { return m_report; }
    WhatIfModel *model() const { return m_model; }

public Q_SLOTS:
    // Computes again for the target, period, grouping and filter shown.
    void refresh();

Q_SIGNALS:
    // A computation finished (loaded) or failed (the message is shown in the panel too).
    void loaded();
    void failed(const QString &message);

private:
    void onResult(int generation, const Result<WhatIfReport> &result);
    void showMessage(const QString &text);

    std::function<QDateTime()> m_clock;
    StoreLocation m_store;
    Config m_config;
    std::shared_ptr<const PriceCatalog> m_catalog;
    QDateTime m_from;
    QDateTime m_to;
    WhatIfFilter m_filter;
    int m_generation = 0;
    bool m_loaded = false;
    WhatIfReport m_report;

    QComboBox *m_target;
    QComboBox *m_by;
    QLabel *m_summary;
    QTableView *m_table;
    WhatIfModel *m_model;
    QLabel *m_note;
};

} // namespace sluice

#pragma once

#include <QMainWindow>
#include <QSet>
#include <QUrl>

#include "GatewayState.h"
#include "common/RequestRecord.h"
#include "store/StoreLocation.h"

class QAction;
class QItemSelection;
class QLabel;
class QLineEdit;
class QListWidget;
class QSplitter;
class QTableView;
class QThread;
class QTimer;

namespace sluice {

class LiveRequestsFilterModel;
class LiveRequestsModel;
class RequestDetailPane;
class RequestLogLoader;
class ClientsPage;
class ProvidersPage;
class RoutingPage;
class SpendPage;
class GuardrailsPage;
class SettingsPage;
class PromptsPage;
class ComparePage;

// The dashboard window: navigation on the left, the live request table with its detail pane, and a status
// bar with the endpoint, the gateway's state and the request count. It shows state and asks for actions
// (pause, quit) through signals; whoever owns the gateway decides.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    void setEndpoint(const QUrl &endpoint);
    QUrl endpoint() const { return m_endpoint; }
    void setGatewayState(sluice::GatewayState state, const QString &message = {});
    GatewayState gatewayState() const { return m_state; }
    // Opens the request log read-only on a background thread, loads the newest rows into the table and, from
    // then on, the bodies of older selected rows. Nothing is read on the GUI thread.
    void setDatabasePath(const QString &path);
    // The team view (docs/team.md, "Reading the team's log"): the live table, the detail pane and the Spend page
    // read a team's PostgreSQL database, read-only, and follow it (every gateway's requests, polled every
    // TeamPollMs); records appended from this machine's gateway stay out of them. A banner names the database. The
    // other pages keep the log of setDatabasePath. Call it before setDatabasePath or after: it wins.
    void setTeamStore(const StoreLocation &store);
    bool isTeamView() const { return m_teamStore.isPostgres(); }
    static constexpr int TeamPollMs = 3000;

    LiveRequestsModel *liveModel() const { return m_model; }
    // The circuit breakers page; whoever owns the gateway answers its refreshWanted() signal.
    RoutingPage *routingPage() const { return m_routing; }
    // The Spend page (charts, breakdowns, budgets, exports).
    SpendPage *spendPage() const { return m_spend; }
    // Prompt versions and observed prompts.
    PromptsPage *promptsPage() const { return m_prompts; }
    // One prompt or a logged request on several models side by side; give it the gateway and the model names.
    ComparePage *comparePage() const { return m_compare; }
    // The guardrails page; whoever loads the config gives it the rules (GuardrailsPage::setRules).
    GuardrailsPage *guardrailsPage() const { return m_guardrails; }
    // Providers, keys and models; give it the config file with ProvidersPage::setConfigPath.
    ProvidersPage *providersPage() const { return m_providersPage; }
    // The coding agents and editors, set up in one click; give it paths with ClientsPage::setPaths.
    ClientsPage *clientsPage() const { return m_clientsPage; }
    // Port, bodies, retention, start at login; give it paths with SettingsPage::setPaths.
    SettingsPage *settingsPage() const { return m_settingsPage; }
    // The pages, in navigation order.
    enum class Page { Live, Routing, Spend, Prompts, Compare, Guardrails, Providers, Clients, Settings };
    void showPage(Page page);
    // Requests logged in all (the log's count at start-up plus every record appended since).
    qint64 requestCount() const { return m_requestCount; }

public Q_SLOTS:
    // Connect RequestLogWriter::batchCommitted here (queued).
    void appendRecords(const sluice::RequestRecords &records);
    // Puts the endpoint URL on the clipboard.
    void copyEndpoint();
    // The gateway tokens of the database (create, revoke), in a dialog.
    void showTokens();

Q_SIGNALS:
    void pauseRequested(bool paused);
    void quitRequested();
    void requestCountChanged(qint64 count);

protected:
    void changeEvent(QEvent *event) override;

private:
    QWidget *buildNavigation();
    QWidget *buildLivePage();
    void buildActions();
    void stopLoader();
    void openRequestLog(const StoreLocation &store);
    void onTeamPolled(const sluice::RequestRecords &records);
    void updateTeamBanner();
    void onSelectionChanged();
    void onRecentLoaded(const sluice::RequestRecords &records, qint64 totalCount);
    void onRecordLoaded(const sluice::RequestRecord &record);
    void onLoadFailed(const QString &id, const QString &message);
    void setRequestCount(qint64 count);
    void showBanner(const QString &message);
    void updateStatusWidgets();
    void updateShownCount();
    void applyPalette();
    void configureColumns();

    LiveRequestsModel *m_model;
    LiveRequestsFilterModel *m_proxy;
    QListWidget *m_navigation = nullptr;
    QLineEdit *m_search = nullptr;
    QLabel *m_shownCount = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_emptyState = nullptr;
    QSplitter *m_liveSplitter = nullptr;
    RequestDetailPane *m_detail = nullptr;
    RoutingPage *m_routing = nullptr;
    SpendPage *m_spend = nullptr;
    QWidget *m_spendFilterBar = nullptr;
    QLabel *m_spendFilterLabel = nullptr;
    GuardrailsPage *m_guardrails = nullptr;
    ProvidersPage *m_providersPage = nullptr;
    ClientsPage *m_clientsPage = nullptr;
    SettingsPage *m_settingsPage = nullptr;
    PromptsPage *m_prompts = nullptr;
    ComparePage *m_compare = nullptr;
    QLabel *m_banner = nullptr;
    QString m_loadError;
    QLabel *m_stateLabel = nullptr;
    QLabel *m_endpointLabel = nullptr;
    QLabel *m_countLabel = nullptr;
    QAction *m_pauseAction = nullptr;
    QAction *m_copyAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_tokensAction = nullptr;
    QAction *m_searchIcon = nullptr;
    QString m_databasePath;

    QUrl m_endpoint;
    GatewayState m_state = GatewayState::Starting;
    QString m_stateMessage;
    qint64 m_requestCount = 0;

    QThread *m_loaderThread = nullptr;
    RequestLogLoader *m_loader = nullptr;
    bool m_historyLoaded = false;
    QSet<QString> m_liveBeforeHistory;

    StoreLocation m_teamStore;
    QLabel *m_teamBanner = nullptr;
    QTimer *m_teamPoll = nullptr;
    QString m_teamError; // the last poll's failure, shown until a poll succeeds
    bool m_teamPollPending = false;
};

} // namespace sluice

#include "MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QThread>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include "ClientsPage.h"
#include "GuardrailsPage.h"
#include "Icons.h"
#include "LiveRequestsFilterModel.h"
#include "LiveRequestsModel.h"
#include "ProvidersPage.h"
#include "RecordFormat.h"
#include "RequestDetailPane.h"
#include "RequestLogLoader.h"
#include "RoutingPage.h"
#include "SettingsPage.h"
#include "TokensDialog.h"
#include "cost/SpendExport.h"
#include "prompts/PromptsPage.h"
#include "spend/SpendPage.h"
#include "ui/compare/ComparePage.h"

namespace sluice {

namespace {

QColor blend(const QColor &a, const QColor &b, double amountOfA)
{
    return QColor::fromRgbF(float(a.redF() * amountOfA + b.redF() * (1 - amountOfA)),
                            float(a.greenF() * amountOfA + b.greenF() * (1 - amountOfA)),
                            float(a.blueF() * amountOfA + b.blueF() * (1 - amountOfA)));
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_model(new LiveRequestsModel(this))
    , m_proxy(new LiveRequestsFilterModel(this))
{
    setWindowTitle(QStringLiteral("Sluice"));
    setWindowIcon(Icons::application());
    m_proxy->setSourceModel(m_model);

    auto *central = new QWidget(this);
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    auto *pages = new QStackedWidget(central);
    pages->addWidget(buildLivePage());
    m_routing = new RoutingPage(pages);
    m_routing->setObjectName(QStringLiteral("routingPage"));
    pages->addWidget(m_routing);
    m_spend = new SpendPage(pages);
    m_spend->setObjectName(QStringLiteral("spendPage"));
    pages->addWidget(m_spend);
    m_prompts = new PromptsPage(pages);
    m_prompts->setObjectName(QStringLiteral("promptsPage"));
    pages->addWidget(m_prompts);
    m_compare = new ComparePage(pages);
    m_compare->setObjectName(QStringLiteral("comparePage"));
    pages->addWidget(m_compare);
    connect(m_prompts, &PromptsPage::compareRequested, this, [this](const QString &name, int version) {
        m_compare->openPrompt(name, version);
        showPage(Page::Compare);
    });
    m_guardrails = new GuardrailsPage(pages);
    m_guardrails->setObjectName(QStringLiteral("guardrailsPage"));
    pages->addWidget(m_guardrails);
    m_providersPage = new ProvidersPage(pages);
    m_providersPage->setObjectName(QStringLiteral("providersPage"));
    pages->addWidget(m_providersPage);
    connect(m_providersPage, &ProvidersPage::clientsWanted, this, [this] { showPage(Page::Clients); });
    m_clientsPage = new ClientsPage(pages);
    m_clientsPage->setObjectName(QStringLiteral("clientsPage"));
    pages->addWidget(m_clientsPage);
    m_settingsPage = new SettingsPage(pages);
    m_settingsPage->setObjectName(QStringLiteral("settingsPage"));
    pages->addWidget(m_settingsPage);
    layout->addWidget(buildNavigation());
    auto *divider = new QFrame(central);
    divider->setFrameShape(QFrame::VLine);
    divider->setFrameShadow(QFrame::Plain);
    divider->setForegroundRole(QPalette::Mid);
    layout->addWidget(divider);
    // Above every page: which database the window shows, when it is a team's (setTeamStore).
    auto *column = new QVBoxLayout;
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(0);
    m_teamBanner = new QLabel(central);
    m_teamBanner->setObjectName(QStringLiteral("teamBanner"));
    m_teamBanner->setWordWrap(true);
    m_teamBanner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_teamBanner->hide();
    column->addWidget(m_teamBanner);
    column->addWidget(pages, 1);
    layout->addLayout(column, 1);
    setCentralWidget(central);
    connect(m_navigation, &QListWidget::currentRowChanged, pages, &QStackedWidget::setCurrentIndex);
    connect(m_spend, &SpendPage::filterRequested, this,
            [this](SpendDimension by, const QString &value, const QDateTime &from, const QDateTime &to) {
                m_proxy->setSpendFilter({by, value, from, to});
                m_spendFilterLabel->setText(tr("Showing the requests of %1 %2 from %3 to %4 UTC (from the Spend page)")
                                                .arg(SpendBreakdown::nameOf(by), SpendExport::displayName(by, value),
                                                     from.toString(QStringLiteral("yyyy-MM-dd HH:mm")),
                                                     to.toString(QStringLiteral("yyyy-MM-dd HH:mm"))));
                m_spendFilterBar->show();
                updateShownCount();
                showPage(Page::Live);
            });

    buildActions();

    m_stateLabel = new QLabel(this);
    m_stateLabel->setObjectName(QStringLiteral("gatewayState"));
    m_endpointLabel = new QLabel(this);
    m_endpointLabel->setObjectName(QStringLiteral("endpoint"));
    m_endpointLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_countLabel = new QLabel(this);
    m_countLabel->setObjectName(QStringLiteral("requestCount"));
    statusBar()->addPermanentWidget(m_stateLabel);
    statusBar()->addPermanentWidget(m_endpointLabel);
    statusBar()->addPermanentWidget(m_countLabel);

    applyPalette();
    updateStatusWidgets();
    updateShownCount();
    resize(1280, 800);
}

MainWindow::~MainWindow()
{
    stopLoader();
}

QWidget *MainWindow::buildNavigation()
{
    auto *panel = new QWidget;
    panel->setObjectName(QStringLiteral("navigationPanel"));
    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(10, 12, 10, 12);
    layout->setSpacing(10);

    auto *brand = new QHBoxLayout;
    brand->setSpacing(8);
    auto *logo = new QLabel(panel);
    logo->setPixmap(Icons::application().pixmap(28, 28));
    auto *name = new QLabel(QStringLiteral("Sluice"), panel);
    QFont nameFont = name->font();
    nameFont.setBold(true);
    nameFont.setPointSizeF(nameFont.pointSizeF() * 1.3);
    name->setFont(nameFont);
    brand->addWidget(logo);
    brand->addWidget(name, 1);
    layout->addLayout(brand);

    m_navigation = new QListWidget(panel);
    m_navigation->setObjectName(QStringLiteral("navigation"));
    m_navigation->setFrameShape(QFrame::NoFrame);
    m_navigation->setIconSize(QSize(18, 18));
    m_navigation->setSpacing(2);
    m_navigation->setFocusPolicy(Qt::NoFocus);
    m_navigation->setBackgroundRole(QPalette::Window);
    m_navigation->viewport()->setBackgroundRole(QPalette::Window);
    auto *live = new QListWidgetItem(tr("Live requests"), m_navigation);
    live->setSizeHint(QSize(0, 32));
    auto *routing = new QListWidgetItem(tr("Routing"), m_navigation);
    routing->setSizeHint(QSize(0, 32));
    auto *spend = new QListWidgetItem(tr("Spend"), m_navigation);
    spend->setSizeHint(QSize(0, 32));
    auto *prompts = new QListWidgetItem(tr("Prompts"), m_navigation);
    prompts->setSizeHint(QSize(0, 32));
    auto *compare = new QListWidgetItem(tr("Compare"), m_navigation);
    compare->setSizeHint(QSize(0, 32));
    auto *guardrails = new QListWidgetItem(tr("Guardrails"), m_navigation);
    guardrails->setSizeHint(QSize(0, 32));
    auto *providers = new QListWidgetItem(tr("Providers & keys"), m_navigation);
    providers->setSizeHint(QSize(0, 32));
    auto *clients = new QListWidgetItem(tr("Clients"), m_navigation);
    clients->setSizeHint(QSize(0, 32));
    auto *settings = new QListWidgetItem(tr("Settings"), m_navigation);
    settings->setSizeHint(QSize(0, 32));
    m_navigation->setCurrentRow(0);
    layout->addWidget(m_navigation, 1);
    panel->setFixedWidth(190);
    return panel;
}

QWidget *MainWindow::buildLivePage()
{
    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    m_banner = new QLabel(page);
    m_banner->setObjectName(QStringLiteral("banner"));
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner->hide();
    layout->addWidget(m_banner);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(12, 10, 12, 8);
    bar->setSpacing(10);
    m_search = new QLineEdit(page);
    m_search->setObjectName(QStringLiteral("search"));
    m_search->setPlaceholderText(tr("Filter by model, provider, token, client, project, tag or status"));
    m_search->setClearButtonEnabled(true);
    m_search->setMaximumWidth(420);
    m_searchIcon = m_search->addAction(QIcon(), QLineEdit::LeadingPosition);
    m_shownCount = new QLabel(page);
    m_shownCount->setObjectName(QStringLiteral("shownCount"));
    m_shownCount->setForegroundRole(QPalette::PlaceholderText);
    bar->addWidget(m_search, 1);
    bar->addWidget(m_shownCount);
    bar->addStretch(0);
    layout->addLayout(bar);
    m_spendFilterBar = new QWidget(page);
    m_spendFilterBar->setObjectName(QStringLiteral("spendFilterBar"));
    auto *filterLayout = new QHBoxLayout(m_spendFilterBar);
    filterLayout->setContentsMargins(12, 0, 12, 8);
    m_spendFilterLabel = new QLabel(m_spendFilterBar);
    m_spendFilterLabel->setObjectName(QStringLiteral("spendFilter"));
    auto *clearFilter = new QPushButton(tr("Show all"), m_spendFilterBar);
    clearFilter->setObjectName(QStringLiteral("clearSpendFilter"));
    filterLayout->addWidget(m_spendFilterLabel);
    filterLayout->addWidget(clearFilter);
    filterLayout->addStretch(1);
    m_spendFilterBar->hide();
    layout->addWidget(m_spendFilterBar);
    connect(clearFilter, &QPushButton::clicked, this, [this] {
        m_proxy->clearSpendFilter();
        m_spendFilterBar->hide();
        updateShownCount();
    });
    connect(m_search, &QLineEdit::textChanged, m_proxy, &LiveRequestsFilterModel::setSearchText);
    connect(m_search, &QLineEdit::textChanged, this, &MainWindow::updateShownCount);
    auto *find = new QAction(page);
    find->setShortcut(QKeySequence::Find);
    connect(find, &QAction::triggered, m_search, [this] { m_search->setFocus(Qt::ShortcutFocusReason); });
    page->addAction(find);

    auto *splitter = new QSplitter(Qt::Vertical, page);
    m_liveSplitter = splitter;
    splitter->setObjectName(QStringLiteral("liveSplitter"));
    splitter->setHandleWidth(1);
    splitter->setChildrenCollapsible(false);
    m_table = new QTableView(splitter);
    m_table->setObjectName(QStringLiteral("liveTable"));
    m_table->setModel(m_proxy);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->setFrameShape(QFrame::NoFrame);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(LiveRequestsModel::Time, Qt::DescendingOrder);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 10);
    m_table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    configureColumns();
    m_emptyState = new QLabel(m_table->viewport());
    m_emptyState->setObjectName(QStringLiteral("emptyState"));
    m_emptyState->setAlignment(Qt::AlignCenter);
    m_emptyState->setWordWrap(true);
    m_emptyState->setForegroundRole(QPalette::PlaceholderText);
    m_emptyState->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *viewportLayout = new QVBoxLayout(m_table->viewport());
    viewportLayout->addWidget(m_emptyState);
    m_detail = new RequestDetailPane(splitter);
    m_detail->setObjectName(QStringLiteral("detailPane"));
    splitter->addWidget(m_table);
    splitter->addWidget(m_detail);
    connect(m_detail, &RequestDetailPane::replayRequested, this, [this](const RequestRecord &record) {
        m_compare->openLoggedRequest(record);
        showPage(Page::Compare);
    });
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({480, 320});
    layout->addWidget(splitter, 1);

    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::onSelectionChanged);
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_proxy, signal, this, &MainWindow::updateShownCount);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &MainWindow::updateShownCount);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &MainWindow::updateShownCount);
    return page;
}

void MainWindow::configureColumns()
{
    QHeaderView *header = m_table->horizontalHeader();
    header->setHighlightSections(false);
    header->setSectionsMovable(true);
    header->setStretchLastSection(false);
    header->setMinimumSectionSize(48);
    // Measuring only the rows around the viewport keeps resize-to-contents cheap at ten thousand rows.
    header->setResizeContentsPrecision(64);
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setSectionResizeMode(LiveRequestsModel::Model, QHeaderView::Stretch);
}

void MainWindow::buildActions()
{
    m_pauseAction = new QAction(this);
    m_pauseAction->setObjectName(QStringLiteral("pauseAction"));
    m_pauseAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    connect(m_pauseAction, &QAction::triggered, this,
            [this] { Q_EMIT pauseRequested(m_state != GatewayState::Paused); });

    m_copyAction = new QAction(tr("Copy endpoint URL"), this);
    m_copyAction->setObjectName(QStringLiteral("copyEndpointAction"));
    m_copyAction->setToolTip(tr("Copy the gateway's endpoint URL, to paste into a tool's settings"));
    connect(m_copyAction, &QAction::triggered, this, &MainWindow::copyEndpoint);

    m_quitAction = new QAction(tr("&Quit"), this);
    m_quitAction->setObjectName(QStringLiteral("quitAction"));
    m_quitAction->setShortcut(QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &MainWindow::quitRequested);

    m_tokensAction = new QAction(tr("Gateway &tokens..."), this);
    m_tokensAction->setObjectName(QStringLiteral("tokensAction"));
    m_tokensAction->setToolTip(tr("Create and revoke the tokens tools use as their API key"));
    m_tokensAction->setEnabled(false);
    connect(m_tokensAction, &QAction::triggered, this, &MainWindow::showTokens);

    QMenu *gateway = menuBar()->addMenu(tr("&Gateway"));
    gateway->addAction(m_pauseAction);
    gateway->addAction(m_copyAction);
    gateway->addAction(m_tokensAction);
    gateway->addSeparator();
    gateway->addAction(m_quitAction);

    QToolBar *toolbar = addToolBar(tr("Gateway"));
    toolbar->setObjectName(QStringLiteral("gatewayToolbar"));
    toolbar->setMovable(false);
    toolbar->setFloatable(false);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->setIconSize(QSize(16, 16));
    toolbar->addAction(m_pauseAction);
    toolbar->addAction(m_copyAction);
}

void MainWindow::showPage(Page page)
{
    m_navigation->setCurrentRow(int(page));
}

void MainWindow::setEndpoint(const QUrl &endpoint)
{
    m_endpoint = endpoint;
    m_compare->setGateway(endpoint);
    updateStatusWidgets();
    updateShownCount();
}

void MainWindow::setGatewayState(GatewayState state, const QString &message)
{
    m_state = state;
    m_stateMessage = message;
    updateStatusWidgets();
}

void MainWindow::updateStatusWidgets()
{
    const bool paused = m_state == GatewayState::Paused;
    m_pauseAction->setText(paused ? tr("Resume gateway") : tr("Pause gateway"));
    m_pauseAction->setToolTip(paused ? tr("Start answering requests again")
                                     : tr("Refuse new requests until resumed; requests in flight finish"));
    m_pauseAction->setIcon(Icons::action(paused ? Icons::Action::Resume : Icons::Action::Pause, palette()));
    m_pauseAction->setEnabled(m_state == GatewayState::Running || paused);

    QString text;
    RecordFormat::Tone tone = RecordFormat::Tone::Neutral;
    switch (m_state) {
    case GatewayState::Starting:
        text = tr("Starting…");
        break;
    case GatewayState::Running:
        text = tr("Running");
        tone = RecordFormat::Tone::Success;
        break;
    case GatewayState::Paused:
        text = tr("Paused");
        tone = RecordFormat::Tone::Warning;
        break;
    case GatewayState::Error:
        text = m_stateMessage.isEmpty() ? tr("Error") : tr("Error: %1").arg(m_stateMessage);
        tone = RecordFormat::Tone::Failure;
        break;
    }
    m_stateLabel->setText(QStringLiteral("<span style=\"color:%1\">●</span> %2")
                              .arg(RecordFormat::color(tone, palette()).name(), text.toHtmlEscaped()));
    m_stateLabel->setToolTip(text);

    m_endpointLabel->setText(m_endpoint.isEmpty() ? tr("No endpoint") : m_endpoint.toString());
    m_copyAction->setEnabled(!m_endpoint.isEmpty());
    m_countLabel->setText(RecordFormat::count(m_requestCount, tr("request"), tr("requests")));

    QStringList problems;
    if (m_state == GatewayState::Error)
        problems.append(
            tr("The gateway stopped: %1").arg(m_stateMessage.isEmpty() ? tr("unknown error") : m_stateMessage));
    if (!m_loadError.isEmpty())
        problems.append(m_loadError);
    showBanner(problems.join(QLatin1Char('\n')));
}

void MainWindow::showBanner(const QString &message)
{
    m_banner->setText(message);
    m_banner->setVisible(!message.isEmpty());
    const QColor failure = RecordFormat::color(RecordFormat::Tone::Failure, palette());
    m_banner->setStyleSheet(QStringLiteral("QLabel#banner { background: %1; color: %2; border-bottom: 1px solid %3;"
                                           " padding: 8px 12px; }")
                                .arg(blend(failure, palette().color(QPalette::Base), 0.14).name(),
                                     palette().color(QPalette::Text).name(), failure.name()));
}

void MainWindow::updateShownCount()
{
    const int shown = m_proxy->rowCount();
    const int total = m_model->rowCount();
    if (m_proxy->searchText().isEmpty())
        m_shownCount->setText(RecordFormat::count(total, tr("row"), tr("rows")));
    else
        m_shownCount->setText(tr("%1 of %2 rows").arg(shown).arg(total));

    if (total == 0) {
        m_emptyState->setText(m_endpoint.isEmpty()
                                  ? tr("No requests yet.")
                                  : tr("No requests yet.\nPoint an OpenAI-compatible client at %1 to see them here.")
                                        .arg(m_endpoint.toString()));
    } else {
        m_emptyState->setText(tr("No requests match “%1”.").arg(m_proxy->searchText()));
    }
    m_emptyState->setVisible(shown == 0);
}

void MainWindow::applyPalette()
{
    m_searchIcon->setIcon(Icons::action(Icons::Action::Search, palette()));
    m_copyAction->setIcon(Icons::action(Icons::Action::Copy, palette()));
    m_navigation->item(0)->setIcon(Icons::action(Icons::Action::LiveRequests, palette()));
    m_navigation->item(1)->setIcon(Icons::action(Icons::Action::Routing, palette()));
    m_navigation->item(int(Page::Spend))->setIcon(Icons::action(Icons::Action::Spend, palette()));
    m_navigation->item(int(Page::Prompts))->setIcon(Icons::action(Icons::Action::Prompts, palette()));
    m_navigation->item(int(Page::Compare))->setIcon(Icons::action(Icons::Action::Compare, palette()));
    m_navigation->item(int(Page::Guardrails))->setIcon(Icons::action(Icons::Action::Guardrails, palette()));
    m_navigation->item(int(Page::Providers))->setIcon(Icons::action(Icons::Action::Providers, palette()));
    m_navigation->item(int(Page::Clients))->setIcon(Icons::action(Icons::Action::Clients, palette()));
    m_navigation->item(int(Page::Settings))->setIcon(Icons::action(Icons::Action::Settings, palette()));
    m_liveSplitter->setStyleSheet(QStringLiteral("QSplitter#liveSplitter::handle { background: %1; }")
                                      .arg(palette().color(QPalette::Mid).name()));
    updateStatusWidgets();
    updateTeamBanner();
}

void MainWindow::changeEvent(QEvent *event)
{
    QMainWindow::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
}

void MainWindow::copyEndpoint()
{
    if (m_endpoint.isEmpty())
        return;
    QGuiApplication::clipboard()->setText(m_endpoint.toString());
    statusBar()->showMessage(tr("Copied %1 to the clipboard").arg(m_endpoint.toString()), 4000);
}

void MainWindow::appendRecords(const RequestRecords &records)
{
    if (isTeamView()) {
        // This machine's own gateway logs locally: the team's table and Spend page show the team's database.
        m_prompts->appendRecords(records);
        return;
    }
    qint64 added = 0;
    for (const RequestRecord &record : records) {
        if (m_model->contains(record.id))
            continue;
        ++added;
        if (m_loader && !m_historyLoaded)
            m_liveBeforeHistory.insert(record.id);
    }
    m_model->appendRecords(records);
    m_spend->appendRecords(records);
    m_prompts->appendRecords(records);
    if (added > 0)
        setRequestCount(m_requestCount + added);
}

void MainWindow::setRequestCount(qint64 count)
{
    if (count == m_requestCount)
        return;
    m_requestCount = count;
    m_countLabel->setText(RecordFormat::count(m_requestCount, tr("request"), tr("requests")));
    Q_EMIT requestCountChanged(count);
}

void MainWindow::showTokens()
{
    auto *dialog = new TokensDialog(m_databasePath, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::setDatabasePath(const QString &path)
{
    m_databasePath = path;
    m_tokensAction->setEnabled(!path.isEmpty());
    m_prompts->setDatabasePath(path);
    m_compare->setDatabasePath(path);
    if (isTeamView())
        return; // the live table and the Spend page read the team's database
    openRequestLog(path);
    m_spend->setDatabasePath(path);
}

void MainWindow::setTeamStore(const StoreLocation &store)
{
    m_teamStore = store;
    if (!m_teamPoll) {
        m_teamPoll = new QTimer(this);
        m_teamPoll->setInterval(TeamPollMs);
        connect(m_teamPoll, &QTimer::timeout, this, [this] {
            if (!m_loader || m_teamPollPending || !m_historyLoaded)
                return;
            m_teamPollPending = true;
            QMetaObject::invokeMethod(
                m_loader, [loader = m_loader, limit = std::min(m_model->maxRows(), 500)] { loader->pollRecent(limit); },
                Qt::QueuedConnection);
        });
    }
    m_teamError.clear();
    openRequestLog(store);
    m_spend->setDatabasePath(store);
    updateTeamBanner();
    m_teamPoll->start();
}

void MainWindow::updateTeamBanner()
{
    if (!isTeamView()) {
        m_teamBanner->hide();
        return;
    }
    QString text = tr("<b>Team database (read-only): %1</b> &mdash; Live requests and Spend show every gateway's "
                      "requests; this window never writes to it.")
                       .arg(m_teamStore.describe().toHtmlEscaped());
    if (!m_teamError.isEmpty())
        text += QStringLiteral("<br>")
            + tr("Cannot read it now (%1); trying again every %2 s.")
                  .arg(m_teamError.toHtmlEscaped())
                  .arg(TeamPollMs / 1000);
    m_teamBanner->setText(text);
    const QColor accent = RecordFormat::color(
        m_teamError.isEmpty() ? RecordFormat::Tone::Neutral : RecordFormat::Tone::Warning, palette());
    const QColor edge = m_teamError.isEmpty() ? palette().color(QPalette::Highlight) : accent;
    m_teamBanner->setStyleSheet(QStringLiteral("QLabel#teamBanner { background: %1; color: %2; border-bottom: 1px "
                                               "solid %3; padding: 6px 12px; }")
                                    .arg(blend(edge, palette().color(QPalette::Base), 0.14).name(),
                                         palette().color(QPalette::Text).name(), edge.name()));
    m_teamBanner->show();
}

void MainWindow::onTeamPolled(const RequestRecords &records)
{
    m_teamPollPending = false;
    if (!m_teamError.isEmpty()) {
        m_teamError.clear();
        updateTeamBanner();
    }
    // Newest first from the reader; the table takes them oldest first, each once.
    RequestRecords fresh;
    for (auto record = records.crbegin(); record != records.crend(); ++record) {
        if (!m_model->contains(record->id))
            fresh.append(*record);
    }
    if (fresh.isEmpty())
        return;
    m_model->appendNewerRecords(fresh);
    m_spend->appendRecords(fresh);
    setRequestCount(m_requestCount + fresh.size());
}

void MainWindow::openRequestLog(const StoreLocation &store)
{
    stopLoader();
    m_model->clear();
    m_detail->clear();
    m_requestCount = 0;
    m_historyLoaded = false;
    m_liveBeforeHistory.clear();
    m_loadError.clear();
    updateStatusWidgets();
    Q_EMIT requestCountChanged(0);

    m_loaderThread = new QThread(this);
    m_loaderThread->setObjectName(QStringLiteral("RequestLogLoader"));
    m_loader = new RequestLogLoader(store);
    m_loader->moveToThread(m_loaderThread);
    connect(m_loaderThread, &QThread::finished, m_loader, &QObject::deleteLater);
    connect(m_loader, &RequestLogLoader::recentLoaded, this, &MainWindow::onRecentLoaded);
    connect(m_loader, &RequestLogLoader::recordLoaded, this, &MainWindow::onRecordLoaded);
    connect(m_loader, &RequestLogLoader::loadFailed, this, &MainWindow::onLoadFailed);
    connect(m_loader, &RequestLogLoader::recentPolled, this, &MainWindow::onTeamPolled);
    connect(m_loader, &RequestLogLoader::pollFailed, this, [this](const QString &message) {
        m_teamPollPending = false;
        m_teamError = message;
        updateTeamBanner();
    });
    m_loaderThread->start();
    QMetaObject::invokeMethod(
        m_loader, [loader = m_loader, limit = m_model->maxRows()] { loader->loadRecent(limit); }, Qt::QueuedConnection);
}

void MainWindow::stopLoader()
{
    if (!m_loaderThread)
        return;
    m_loader->disconnect(this);
    m_loaderThread->quit();
    m_loaderThread->wait();
    delete m_loaderThread;
    m_loaderThread = nullptr;
    m_loader = nullptr;
}

void MainWindow::onRecentLoaded(const RequestRecords &records, qint64 totalCount)
{
    qint64 overlap = 0;
    for (const RequestRecord &record : records) {
        if (m_liveBeforeHistory.contains(record.id))
            ++overlap;
    }
    m_historyLoaded = true;
    m_model->appendOlderRecords(records);
    setRequestCount(totalCount + m_liveBeforeHistory.size() - overlap);
    m_liveBeforeHistory.clear();
}

void MainWindow::onRecordLoaded(const RequestRecord &record)
{
    if (record.id == m_detail->recordId())
        m_detail->showRecord(record);
}

void MainWindow::onLoadFailed(const QString &id, const QString &message)
{
    if (id.isEmpty()) {
        m_historyLoaded = true;
        m_liveBeforeHistory.clear();
        m_loadError = tr("Earlier requests could not be loaded: %1").arg(message);
        updateStatusWidgets();
    } else if (id == m_detail->recordId()) {
        m_detail->showBodiesUnavailable(message);
    }
}

void MainWindow::onSelectionChanged()
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        m_detail->clear();
        return;
    }
    const int row = m_proxy->mapToSource(rows.first()).row();
    const RequestRecord &record = m_model->record(row);
    if (record.id == m_detail->recordId())
        return;
    if (m_model->hasBodies(row)) {
        m_detail->showRecord(record);
    } else if (m_loader) {
        m_detail->showRecordLoadingBodies(record);
        QMetaObject::invokeMethod(
            m_loader, [loader = m_loader, id = record.id] { loader->loadRecord(id); }, Qt::QueuedConnection);
    } else {
        m_detail->showRecordLoadingBodies(record);
        m_detail->showBodiesUnavailable(tr("no request log is open"));
    }
}

} // namespace sluice

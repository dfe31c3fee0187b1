#include "PromptsPage.h"

#include <algorithm>

#include <QComboBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>

#include "prompts/PromptContent.h"
#include "prompts/PromptDiff.h"
#include "prompts/PromptFile.h"
#include "prompts/PromptTemplate.h"
#include "ui/RecordFormat.h"
#include "ui/prompts/PromptDiffView.h"

namespace sluice {

namespace {

enum ItemKind { RegistryItem = 1, ObservedItem = 2 };
constexpr int KindRole = Qt::UserRole + 1;
constexpr int KeyRole = Qt::UserRole + 2;

QString milliseconds(double ms)
{
    if (ms < 0)
        return QStringLiteral("–");
    if (ms >= 1000)
        return QStringLiteral("%1 s").arg(ms / 1000.0, 0, 'f', 2);
    return QStringLiteral("%1 ms").arg(ms, 0, 'f', ms < 10 ? 1 : 0);
}

QString money(const PromptUsageStats &stats)
{
    if (stats.requests == 0)
        return QStringLiteral("–");
    QString text = RecordFormat::usd(stats.costUsd);
    if (stats.unpriced > 0)
        text += QStringLiteral(" + %1 unpriced").arg(stats.unpriced);
    return text;
}

QString when(const QDateTime &utc)
{
    return utc.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QStandardItem *cell(const QString &text, Qt::Alignment alignment = Qt::AlignLeft | Qt::AlignVCenter)
{
    auto *item = new QStandardItem(text);
    item->setEditable(false);
    item->setTextAlignment(alignment);
    return item;
}

QStandardItem *number(const QString &text)
{
    return cell(text, Qt::AlignRight | Qt::AlignVCenter);
}

// A version as a prompt file (JSON, which is YAML too): what the editor starts from.
QString fileTextOf(const PromptVersion &version)
{
    const Result<PromptContent> content = PromptContent::fromVersion(version);
    if (!content)
        return {};
    QJsonObject object {{QStringLiteral("type"), content->type}};
    if (content->isChat()) {
        QJsonArray messages;
        for (const PromptMessage &message : content->messages)
            messages.append(
                QJsonObject {{QStringLiteral("role"), message.role}, {QStringLiteral("content"), message.content}});
        object.insert(QStringLiteral("messages"), messages);
    } else {
        object.insert(QStringLiteral("prompt"), content->text);
    }
    object.insert(QStringLiteral("config"), content->config);
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented));
}

QTableView *tableFor(QStandardItemModel *model, QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->verticalHeader()->hide();
    view->setShowGrid(false);
    view->setAlternatingRowColors(true);
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setHighlightSections(false);
    view->setWordWrap(false);
    return view;
}

} // namespace

PromptsPage::PromptsPage(QWidget *parent)
    : QWidget(parent)
    , m_versions(new QStandardItemModel(this))
    , m_history(new QStandardItemModel(this))
    , m_observedVersions(new QStandardItemModel(this))
{
    m_liveRefresh.setSingleShot(true);
    m_liveRefresh.setInterval(750);
    connect(&m_liveRefresh, &QTimer::timeout, this, &PromptsPage::refresh);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 12, 16, 12);
    auto *heading = new QLabel(tr("Prompts"), this);
    QFont headingFont = heading->font();
    headingFont.setPointSizeF(headingFont.pointSizeF() * 1.4);
    headingFont.setBold(true);
    heading->setFont(headingFont);
    layout->addWidget(heading);

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("promptsMessage"));
    m_message->setWordWrap(true);
    m_message->setAutoFillBackground(true);
    m_message->setContentsMargins(8, 6, 8, 6);
    m_message->hide();
    layout->addWidget(m_message);

    auto *splitter = new QSplitter(this);
    auto *left = new QWidget(splitter);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 8, 0);
    m_search = new QLineEdit(left);
    m_search->setObjectName(QStringLiteral("promptSearch"));
    m_search->setPlaceholderText(tr("Search prompts"));
    m_search->setClearButtonEnabled(true);
    leftLayout->addWidget(m_search);
    m_list = new QListWidget(left);
    m_list->setObjectName(QStringLiteral("promptList"));
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_list->setTextElideMode(Qt::ElideRight);
    leftLayout->addWidget(m_list, 1);
    auto *buttons = new QHBoxLayout;
    auto *newPrompt = new QPushButton(tr("New prompt…"), left);
    newPrompt->setObjectName(QStringLiteral("newPrompt"));
    auto *reload = new QPushButton(tr("Refresh"), left);
    reload->setObjectName(QStringLiteral("refreshPrompts"));
    reload->setToolTip(
        tr("Read the prompts and their usage again (requests logged since, label moves made elsewhere)"));
    buttons->addWidget(newPrompt, 1);
    buttons->addWidget(reload);
    leftLayout->addLayout(buttons);
    connect(reload, &QPushButton::clicked, this, [this] {
        m_details = PromptDetails(); // so the selected prompt is shown again with its new numbers
        refresh();
    });

    m_detailStack = new QStackedWidget(splitter);
    m_emptyState
        = new QLabel(tr("No prompts yet.\n\nCreate one with “New prompt…” or `sluice prompt create NAME --file "
                        "FILE`; clients call it with \"model\": \"prompt:NAME\".\nCoding agents' system prompts "
                        "appear here as observed prompts once they send requests."),
                     m_detailStack);
    m_emptyState->setAlignment(Qt::AlignCenter);
    m_emptyState->setWordWrap(true);
    m_emptyState->setForegroundRole(QPalette::PlaceholderText);
    m_detailStack->addWidget(m_emptyState);

    auto *registry = new QWidget(m_detailStack);
    auto *registryLayout = new QVBoxLayout(registry);
    registryLayout->setContentsMargins(8, 0, 0, 0);
    m_title = new QLabel(registry);
    m_title->setObjectName(QStringLiteral("promptTitle"));
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    m_title->setFont(titleFont);
    m_subtitle = new QLabel(registry);
    m_subtitle->setForegroundRole(QPalette::PlaceholderText);
    registryLayout->addWidget(m_title);
    registryLayout->addWidget(m_subtitle);
    m_tabs = new QTabWidget(registry);
    m_tabs->setObjectName(QStringLiteral("promptTabs"));
    m_tabs->addTab(buildVersionsTab(), tr("Versions"));
    m_tabs->addTab(buildDiffTab(), tr("Diff"));
    m_tabs->addTab(buildEditorTab(), tr("Edit"));
    m_tabs->addTab(buildLabelsTab(), tr("Labels"));
    registryLayout->addWidget(m_tabs, 1);
    m_detailStack->addWidget(registry);
    m_detailStack->addWidget(buildObservedPanel());
    splitter->addWidget(left);
    splitter->addWidget(m_detailStack);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({300, 900});
    layout->addWidget(splitter, 1);

    connect(m_search, &QLineEdit::textChanged, this, &PromptsPage::rebuildList);
    connect(m_list, &QListWidget::currentRowChanged, this, &PromptsPage::onSelectionChanged);
    connect(newPrompt, &QPushButton::clicked, this, [this] {
        m_detailStack->setCurrentIndex(1);
        m_selected.clear();
        m_title->setText(tr("New prompt"));
        m_subtitle->clear();
        m_editorName->clear();
        m_editorName->setFocus();
        m_editor->setPlainText(
            QStringLiteral("type: chat\nmessages:\n  - {role: system, content: \"You are a helpful assistant.\"}\n"
                           "  - {role: user, content: \"Hi {{name}}\"}\nconfig: {model: MODEL, temperature: 0.2}\n"));
        m_commitMessage->setText(tr("First version"));
        m_tabs->setCurrentIndex(2);
    });
}

PromptsPage::~PromptsPage()
{
    if (m_thread) {
        m_thread->quit();
        m_thread->wait();
    }
}

QWidget *PromptsPage::buildVersionsTab()
{
    auto *tab = new QWidget;
    auto *layout = new QVBoxLayout(tab);
    m_versions->setHorizontalHeaderLabels({tr("Version"), tr("Labels"), tr("Message"), tr("Saved"), tr("Requests"),
                                           tr("Cost"), tr("p50 latency"), tr("p50 first token"), tr("Tokens in / out"),
                                           tr("Errors")});
    m_versionsView = tableFor(m_versions, tab);
    m_versionsView->setObjectName(QStringLiteral("promptVersions"));
    m_preview = new QPlainTextEdit(tab);
    m_preview->setReadOnly(true);
    m_preview->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    auto *splitter = new QSplitter(Qt::Vertical, tab);
    splitter->addWidget(m_versionsView);
    splitter->addWidget(m_preview);
    splitter->setSizes({220, 260});
    layout->addWidget(splitter);
    auto *actions = new QHBoxLayout;
    auto *openInCompare = new QPushButton(tr("Open in Compare"), tab);
    openInCompare->setObjectName(QStringLiteral("openInCompare"));
    openInCompare->setToolTip(tr("Run the selected version on several models side by side"));
    openInCompare->setEnabled(false);
    actions->addStretch(1);
    actions->addWidget(openInCompare);
    layout->addLayout(actions);
    connect(openInCompare, &QPushButton::clicked, this, [this] {
        const int row = m_versionsView->currentIndex().row();
        if (row >= 0 && row < m_details.versions.size())
            Q_EMIT compareRequested(m_details.versions.at(row).name, m_details.versions.at(row).version);
    });
    connect(m_versionsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [openInCompare](const QModelIndex &current) { openInCompare->setEnabled(current.isValid()); });
    connect(m_versionsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                const int row = current.row();
                if (row < 0 || row >= m_details.versions.size())
                    return;
                const Result<PromptContent> content = PromptContent::fromVersion(m_details.versions.at(row));
                if (content)
                    m_preview->setPlainText(PromptDiff::templateText(content.value()) + QStringLiteral("\n\nconfig: ")
                                            + PromptDiff::configText(content.value()));
            });
    return tab;
}

QWidget *PromptsPage::buildDiffTab()
{
    auto *tab = new QWidget;
    auto *layout = new QVBoxLayout(tab);
    auto *pick = new QHBoxLayout;
    m_diffA = new QComboBox(tab);
    m_diffA->setObjectName(QStringLiteral("diffA"));
    m_diffB = new QComboBox(tab);
    m_diffB->setObjectName(QStringLiteral("diffB"));
    for (QComboBox *box : {m_diffA, m_diffB})
        box->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    pick->addWidget(new QLabel(tr("Compare"), tab));
    pick->addWidget(m_diffA);
    pick->addWidget(new QLabel(tr("with"), tab));
    pick->addWidget(m_diffB);
    m_diffSummary = new QLabel(tab);
    m_diffSummary->setForegroundRole(QPalette::PlaceholderText);
    pick->addWidget(m_diffSummary, 1);
    layout->addLayout(pick);
    m_templateDiff = new PromptDiffView(tab);
    m_templateDiff->setObjectName(QStringLiteral("templateDiff"));
    m_configDiff = new PromptDiffView(tab);
    m_configDiff->setObjectName(QStringLiteral("configDiff"));
    auto *splitter = new QSplitter(Qt::Vertical, tab);
    splitter->addWidget(m_templateDiff);
    splitter->addWidget(m_configDiff);
    splitter->setSizes({340, 140});
    layout->addWidget(splitter, 1);
    connect(m_diffA, &QComboBox::currentIndexChanged, this, &PromptsPage::updateDiff);
    connect(m_diffB, &QComboBox::currentIndexChanged, this, &PromptsPage::updateDiff);
    return tab;
}

QWidget *PromptsPage::buildEditorTab()
{
    auto *tab = new QWidget;
    auto *layout = new QVBoxLayout(tab);
    auto *form = new QFormLayout;
    m_editorName = new QLineEdit(tab);
    m_editorName->setObjectName(QStringLiteral("editorName"));
    m_editorName->setPlaceholderText(tr("prompt name, e.g. support/greeting"));
    form->addRow(tr("Name"), m_editorName);
    layout->addLayout(form);
    m_editor = new QPlainTextEdit(tab);
    m_editor->setObjectName(QStringLiteral("promptEditor"));
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->setPlaceholderText(tr("YAML or JSON: type, messages (or prompt), config"));
    layout->addWidget(m_editor, 1);
    m_editorStatus = new QLabel(tab);
    m_editorStatus->setObjectName(QStringLiteral("editorStatus"));
    m_editorStatus->setWordWrap(true);
    m_editorStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_editorStatus);
    auto *commit = new QHBoxLayout;
    m_commitMessage = new QLineEdit(tab);
    m_commitMessage->setObjectName(QStringLiteral("commitMessage"));
    m_commitMessage->setPlaceholderText(tr("What changed and why"));
    m_save = new QPushButton(tr("Save new version"), tab);
    m_save->setObjectName(QStringLiteral("savePrompt"));
    commit->addWidget(m_commitMessage, 1);
    commit->addWidget(m_save);
    layout->addLayout(commit);
    m_validateTimer = new QTimer(this);
    m_validateTimer->setSingleShot(true);
    m_validateTimer->setInterval(200);
    connect(m_editor, &QPlainTextEdit::textChanged, m_validateTimer, qOverload<>(&QTimer::start));
    connect(m_editorName, &QLineEdit::textChanged, m_validateTimer, qOverload<>(&QTimer::start));
    connect(m_commitMessage, &QLineEdit::textChanged, m_validateTimer, qOverload<>(&QTimer::start));
    connect(m_validateTimer, &QTimer::timeout, this, &PromptsPage::validateEditor);
    connect(m_save, &QPushButton::clicked, this, &PromptsPage::saveEditor);
    return tab;
}

QWidget *PromptsPage::buildLabelsTab()
{
    auto *tab = new QWidget;
    auto *layout = new QVBoxLayout(tab);
    auto *move = new QHBoxLayout;
    m_label = new QComboBox(tab);
    m_label->setObjectName(QStringLiteral("labelName"));
    m_label->setEditable(true);
    m_label->setMinimumWidth(160);
    m_labelVersion = new QComboBox(tab);
    m_labelVersion->setObjectName(QStringLiteral("labelVersion"));
    m_labelVersion->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_moveLabel = new QPushButton(tr("Move label"), tab);
    m_moveLabel->setObjectName(QStringLiteral("moveLabel"));
    move->addWidget(new QLabel(tr("Point"), tab));
    move->addWidget(m_label);
    move->addWidget(new QLabel(tr("at"), tab));
    move->addWidget(m_labelVersion);
    move->addWidget(m_moveLabel);
    move->addStretch(1);
    layout->addLayout(move);
    auto *note = new QLabel(tr("Clients calling prompt:NAME@LABEL get the new version from their next request. "
                               "Every move is kept below."),
                            tab);
    note->setForegroundRole(QPalette::PlaceholderText);
    note->setWordWrap(true);
    layout->addWidget(note);
    m_history->setHorizontalHeaderLabels({tr("When"), tr("Label"), tr("From"), tr("To"), tr("Who")});
    auto *history = tableFor(m_history, tab);
    history->setObjectName(QStringLiteral("labelHistory"));
    layout->addWidget(history, 1);
    connect(m_moveLabel, &QPushButton::clicked, this, &PromptsPage::moveLabel);
    return tab;
}

QWidget *PromptsPage::buildObservedPanel()
{
    auto *panel = new QWidget;
    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(8, 0, 0, 0);
    auto *title = new QLabel(panel);
    title->setObjectName(QStringLiteral("observedTitle"));
    QFont titleFont = title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    title->setFont(titleFont);
    layout->addWidget(title);
    auto *note = new QLabel(tr("An observed prompt: the system prompt and tools a client sent, with dates, paths and "
                               "other per-call noise normalised. A new version means the client really changed it."),
                            panel);
    note->setWordWrap(true);
    note->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(note);
    m_observedVersions->setHorizontalHeaderLabels({tr("Version"), tr("First seen"), tr("Fingerprint"), tr("Tools"),
                                                   tr("Requests"), tr("Cost"), tr("p50 latency"), tr("Tokens in / out"),
                                                   tr("Errors")});
    m_observedView = tableFor(m_observedVersions, panel);
    m_observedView->setObjectName(QStringLiteral("observedVersions"));
    m_observedText = new QPlainTextEdit(panel);
    m_observedText->setReadOnly(true);
    m_observedText->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    // What a client's new release changed: the selected version against the one before it.
    m_observedDiff = new PromptDiffView(panel);
    m_observedDiff->setObjectName(QStringLiteral("observedDiff"));
    m_observedTabs = new QTabWidget(panel);
    m_observedTabs->setObjectName(QStringLiteral("observedTabs"));
    m_observedTabs->addTab(m_observedText, tr("Text"));
    m_observedTabs->addTab(m_observedDiff, tr("Changes from the version before"));
    auto *splitter = new QSplitter(Qt::Vertical, panel);
    splitter->addWidget(m_observedView);
    splitter->addWidget(m_observedTabs);
    splitter->setSizes({200, 300});
    layout->addWidget(splitter, 1);
    auto *save = new QHBoxLayout;
    m_observedName = new QLineEdit(panel);
    m_observedName->setObjectName(QStringLiteral("observedName"));
    m_observedName->setPlaceholderText(tr("registry name for the selected version"));
    m_saveObserved = new QPushButton(tr("Save into the registry"), panel);
    m_saveObserved->setObjectName(QStringLiteral("saveObserved"));
    save->addWidget(m_observedName, 1);
    save->addWidget(m_saveObserved);
    layout->addLayout(save);
    connect(m_observedView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                const QString fingerprint = m_observedVersions->item(current.row(), 2)
                    ? m_observedVersions->item(current.row(), 2)->data(KeyRole).toString()
                    : QString();
                showObservedVersion(fingerprint);
            });
    connect(m_saveObserved, &QPushButton::clicked, this, &PromptsPage::saveObserved);
    return panel;
}

void PromptsPage::showObservedVersion(const QString &fingerprint)
{
    const auto text = [](const ObservedPromptVersion &version) -> QString {
        return version.systemText + QStringLiteral("\n\ntools: ") + version.tools.join(QStringLiteral(", "));
    };
    const ObservedPromptVersion *previous = nullptr;
    const ObservedPromptVersion *selected = nullptr;
    for (const ObservedPromptVersion &version : std::as_const(m_observed)) {
        if (version.fingerprint == fingerprint)
            selected = &version;
    }
    if (!selected)
        return;
    for (const ObservedPromptVersion &version : std::as_const(m_observed)) {
        if (version.promptKey == selected->promptKey && version.version < selected->version
            && (!previous || version.version > previous->version))
            previous = &version;
    }
    m_observedText->setPlainText(text(*selected));
    m_observedTabs->setTabEnabled(1, previous != nullptr);
    if (previous)
        m_observedDiff->setTexts(text(*previous), text(*selected), tr("v%1").arg(previous->version),
                                 tr("v%1").arg(selected->version));
    else
        m_observedDiff->setTexts(QString(), QString(), QString(), QString());
}

void PromptsPage::appendRecords(const RequestRecords &records)
{
    const bool touchesPrompts = std::any_of(records.cbegin(), records.cend(), [](const RequestRecord &record) {
        return !record.promptName.isEmpty() || !record.observedPrompt.isEmpty();
    });
    // A hidden page reloads when shown; a shown one reloads once a burst of requests has been written.
    if (touchesPrompts && isVisible() && !m_liveRefresh.isActive())
        m_liveRefresh.start();
}

template<typename Slot>
void PromptsPage::call(Slot slot)
{
    if (m_library)
        QMetaObject::invokeMethod(m_library, std::move(slot), Qt::QueuedConnection);
}

void PromptsPage::setDatabasePath(const QString &path)
{
    if (m_thread) {
        m_thread->quit();
        m_thread->wait();
        delete m_thread;
    }
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("PromptLibrary"));
    m_library = new PromptLibrary(path);
    m_library->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_library, &QObject::deleteLater);
    connect(m_library, &PromptLibrary::listLoaded, this, &PromptsPage::onListLoaded);
    connect(m_library, &PromptLibrary::observedLoaded, this, &PromptsPage::onObservedLoaded);
    connect(m_library, &PromptLibrary::promptLoaded, this, &PromptsPage::onPromptLoaded);
    connect(m_library, &PromptLibrary::changed, this, &PromptsPage::onChanged);
    connect(m_library, &PromptLibrary::failed, this, &PromptsPage::onFailed);
    m_thread->start();
    refresh();
}

void PromptsPage::refresh()
{
    call([library = m_library] {
        library->loadList();
        library->loadObserved();
    });
    if (!m_selected.isEmpty())
        call([library = m_library, name = m_selected] { library->loadPrompt(name); });
}

void PromptsPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh();
}

void PromptsPage::onListLoaded(const QList<PromptSummary> &prompts)
{
    m_prompts = prompts;
    rebuildList();
}

void PromptsPage::onObservedLoaded(const QList<ObservedPromptVersion> &versions)
{
    m_observed = versions;
    rebuildList();
    if (!m_selectedObserved.isEmpty())
        showObserved(m_selectedObserved);
    Q_EMIT loaded();
}

void PromptsPage::rebuildList()
{
    const QString filter = m_search->text().trimmed();
    const QSignalBlocker blocker(m_list);
    m_list->clear();
    const auto header = [this](const QString &text) {
        auto *item = new QListWidgetItem(text, m_list);
        item->setFlags(Qt::NoItemFlags);
        QFont font = item->font();
        font.setBold(true);
        item->setFont(font);
    };
    header(tr("Registry"));
    int shown = 0;
    for (const PromptSummary &prompt : std::as_const(m_prompts)) {
        if (!filter.isEmpty() && !prompt.name.contains(filter, Qt::CaseInsensitive)
            && !prompt.labels.join(QLatin1Char(' ')).contains(filter, Qt::CaseInsensitive))
            continue;
        auto *item = new QListWidgetItem(QStringLiteral("%1   v%2").arg(prompt.name).arg(prompt.latestVersion), m_list);
        item->setData(KindRole, RegistryItem);
        item->setData(KeyRole, prompt.name);
        item->setToolTip(prompt.labels.isEmpty() ? prompt.latestMessage : prompt.labels.join(QStringLiteral(", ")));
        if (prompt.name == m_selected && m_detailStack->currentIndex() == 1)
            m_list->setCurrentItem(item);
        ++shown;
    }
    if (shown == 0)
        (new QListWidgetItem(filter.isEmpty() ? tr("  none yet") : tr("  no match"), m_list))
            ->setFlags(Qt::NoItemFlags);
    header(tr("Observed"));
    QStringList keys;
    QHash<QString, int> versionCount;
    for (const ObservedPromptVersion &version : std::as_const(m_observed)) {
        if (!versionCount.contains(version.promptKey))
            keys.append(version.promptKey);
        ++versionCount[version.promptKey];
    }
    shown = 0;
    for (const QString &key : std::as_const(keys)) {
        if (!filter.isEmpty() && !key.contains(filter, Qt::CaseInsensitive))
            continue;
        const int count = versionCount.value(key);
        auto *item = new QListWidgetItem(key.left(34) + (key.size() > 34 ? QStringLiteral("…") : QString())
                                             + QStringLiteral("   ")
                                             + (count == 1 ? tr("1 version") : tr("%1 versions").arg(count)),
                                         m_list);
        item->setData(KindRole, ObservedItem);
        item->setData(KeyRole, key);
        item->setToolTip(key);
        if (key == m_selectedObserved && m_detailStack->currentIndex() == 2)
            m_list->setCurrentItem(item);
        ++shown;
    }
    if (shown == 0)
        (new QListWidgetItem(filter.isEmpty() ? tr("  none yet") : tr("  no match"), m_list))
            ->setFlags(Qt::NoItemFlags);
    if (m_prompts.isEmpty() && m_observed.isEmpty())
        m_detailStack->setCurrentIndex(0);
    else if (m_detailStack->currentIndex() == 0)
        m_detailStack->setCurrentIndex(1);
    if (!m_pendingSelection.isEmpty()) {
        const QString pending = m_pendingSelection;
        m_pendingSelection.clear();
        selectPrompt(pending);
    }
}

bool PromptsPage::selectPrompt(const QString &name)
{
    for (int row = 0; row < m_list->count(); ++row) {
        QListWidgetItem *item = m_list->item(row);
        if (item->data(KindRole).toInt() == RegistryItem && item->data(KeyRole).toString() == name) {
            m_list->setCurrentRow(row);
            onSelectionChanged();
            return true;
        }
    }
    return false;
}

bool PromptsPage::selectObserved(const QString &promptKey)
{
    for (int row = 0; row < m_list->count(); ++row) {
        QListWidgetItem *item = m_list->item(row);
        if (item->data(KindRole).toInt() == ObservedItem && item->data(KeyRole).toString() == promptKey) {
            m_list->setCurrentRow(row);
            onSelectionChanged();
            return true;
        }
    }
    return false;
}

void PromptsPage::onSelectionChanged()
{
    QListWidgetItem *item = m_list->currentItem();
    if (!item || !item->data(KindRole).isValid())
        return;
    const QString key = item->data(KeyRole).toString();
    if (item->data(KindRole).toInt() == ObservedItem) {
        m_selectedObserved = key;
        showObserved(key);
        return;
    }
    m_detailStack->setCurrentIndex(1);
    if (key == m_selected && m_details.name == key)
        return;
    m_selected = key;
    m_title->setText(key);
    m_subtitle->setText(tr("Loading…"));
    call([library = m_library, key] { library->loadPrompt(key); });
}

void PromptsPage::showObserved(const QString &promptKey)
{
    m_detailStack->setCurrentIndex(2);
    auto *title = findChild<QLabel *>(QStringLiteral("observedTitle"));
    const QString shownKey = title->text();
    const int shownRow = m_observedView->currentIndex().row();
    const QString shownFingerprint = shownRow >= 0 && m_observedVersions->item(shownRow, 2)
        ? m_observedVersions->item(shownRow, 2)->data(KeyRole).toString()
        : QString();
    title->setText(promptKey);
    m_observedVersions->removeRows(0, m_observedVersions->rowCount());
    for (const ObservedPromptVersion &version : std::as_const(m_observed)) {
        if (version.promptKey != promptKey)
            continue;
        const PromptUsageStats &stats = version.stats;
        auto *fingerprint = cell(version.fingerprint.left(12));
        fingerprint->setData(version.fingerprint, KeyRole);
        m_observedVersions->appendRow(
            {number(QStringLiteral("v%1").arg(version.version)), cell(when(version.firstSeen)), fingerprint,
             number(QString::number(version.tools.size())), number(QString::number(stats.requests)),
             number(money(stats)), number(milliseconds(stats.p50LatencyMs)),
             number(QStringLiteral("%1 / %2").arg(RecordFormat::tokens(stats.inputTokens),
                                                  RecordFormat::tokens(stats.outputTokens))),
             number(stats.requests > 0 ? QStringLiteral("%1%").arg(stats.errorRate() * 100, 0, 'f', 1)
                                       : QStringLiteral("–"))});
    }
    m_observedView->resizeColumnsToContents();
    // The newest version, or on a reload of the same prompt the version that was picked.
    int row = m_observedVersions->rowCount() - 1;
    for (int candidate = 0; candidate < m_observedVersions->rowCount(); ++candidate) {
        if (promptKey == shownKey
            && m_observedVersions->item(candidate, 2)->data(KeyRole).toString() == shownFingerprint)
            row = candidate;
    }
    if (row >= 0)
        m_observedView->selectRow(row);
    if (m_observedName->text().isEmpty())
        m_observedName->setText(promptKey.section(QLatin1Char(':'), 0, 0).trimmed() + QStringLiteral("-system"));
}

void PromptsPage::onPromptLoaded(const PromptDetails &details)
{
    if (details.name != m_selected)
        return;
    // A reload of the prompt shown (new usage while it is open) keeps the version and the diff picked. What was
    // left at its default (the newest, or the one before it for the diff's left side) follows a new version.
    const bool reload = m_details.name == details.name && !m_details.versions.isEmpty();
    const int oldNewest = reload ? m_details.versions.constFirst().version : 0; // m_details is newest first
    const int oldSecond = reload && m_details.versions.size() > 1 ? m_details.versions.at(1).version : oldNewest;
    const auto keptPick = [reload](int version, int byDefault) {
        return reload && version != byDefault ? version : 0;
    };
    const int shownRow = m_versionsView->currentIndex().row();
    const int keptVersion = keptPick(
        shownRow >= 0 && shownRow < m_details.versions.size() ? m_details.versions.at(shownRow).version : 0, oldNewest);
    const int keptA = keptPick(m_diffA->currentData().toInt(), oldSecond);
    const int keptB = keptPick(m_diffB->currentData().toInt(), oldNewest);
    const int keptLabelVersion = keptPick(m_labelVersion->currentData().toInt(), oldNewest);
    m_details = details;
    const int count = int(details.versions.size());
    m_title->setText(details.name);
    QStringList labels;
    for (const PromptVersion &version : details.versions) {
        for (const QString &label : version.labels)
            labels.append(QStringLiteral("%1 → v%2").arg(label).arg(version.version));
    }
    m_subtitle->setText(tr("%1 versions · %2").arg(count).arg(labels.join(QStringLiteral(" · "))));

    m_versions->removeRows(0, m_versions->rowCount());
    for (int i = count - 1; i >= 0; --i) { // newest first
        const PromptVersion &version = details.versions.at(i);
        const PromptUsageStats stats = i < details.stats.size() ? details.stats.at(i) : PromptUsageStats();
        m_versions->appendRow({number(QStringLiteral("v%1").arg(version.version)),
                               cell(version.labels.join(QStringLiteral(", "))), cell(version.message),
                               cell(when(version.createdAt)), number(QString::number(stats.requests)),
                               number(money(stats)), number(milliseconds(stats.p50LatencyMs)),
                               number(milliseconds(stats.p50TimeToFirstTokenMs)),
                               number(QStringLiteral("%1 / %2").arg(RecordFormat::tokens(stats.inputTokens),
                                                                    RecordFormat::tokens(stats.outputTokens))),
                               number(stats.requests > 0 ? QStringLiteral("%1%").arg(stats.errorRate() * 100, 0, 'f', 1)
                                                         : QStringLiteral("–"))});
    }
    // The rows are newest first: keep the model's order in step with m_details for the preview.
    std::reverse(m_details.versions.begin(), m_details.versions.end());
    std::reverse(m_details.stats.begin(), m_details.stats.end());
    m_versionsView->resizeColumnsToContents();
    m_versionsView->setColumnWidth(2, qMin(m_versionsView->columnWidth(2), 220));
    int shownVersionRow = 0;
    for (int row = 0; row < count; ++row) {
        if (m_details.versions.at(row).version == keptVersion)
            shownVersionRow = row;
    }
    if (count > 0)
        m_versionsView->selectRow(shownVersionRow);

    const QSignalBlocker blockA(m_diffA);
    const QSignalBlocker blockB(m_diffB);
    m_diffA->clear();
    m_diffB->clear();
    m_labelVersion->clear();
    for (const PromptVersion &version : details.versions) {
        const QString text = version.labels.isEmpty()
            ? QStringLiteral("v%1").arg(version.version)
            : QStringLiteral("v%1 (%2)").arg(version.version).arg(version.labels.join(QStringLiteral(", ")));
        m_diffA->addItem(text, version.version);
        m_diffB->addItem(text, version.version);
        m_labelVersion->addItem(text, version.version);
    }
    const auto pick = [](QComboBox *box, int version, int fallback) {
        const int kept = version > 0 ? box->findData(version) : -1;
        box->setCurrentIndex(kept >= 0 ? kept : fallback);
    };
    pick(m_diffA, keptA, qMax(0, count - 2));
    pick(m_diffB, keptB, count - 1);
    pick(m_labelVersion, keptLabelVersion, count - 1);
    updateDiff();

    const QString currentLabel = m_label->currentText();
    m_label->clear();
    QStringList known {QStringLiteral("production"), QStringLiteral("staging")};
    for (const LabelMove &move : details.history) {
        if (!known.contains(move.label))
            known.append(move.label);
    }
    m_label->addItems(known);
    m_label->setCurrentText(currentLabel.isEmpty() ? QStringLiteral("production") : currentLabel);
    m_history->removeRows(0, m_history->rowCount());
    for (auto it = details.history.crbegin(); it != details.history.crend(); ++it) {
        m_history->appendRow({cell(when(it->movedAt)), cell(it->label),
                              cell(it->fromVersion > 0 ? QStringLiteral("v%1").arg(it->fromVersion) : tr("new")),
                              cell(QStringLiteral("v%1").arg(it->toVersion)),
                              cell(it->author.isEmpty() ? QStringLiteral("–") : it->author)});
    }
    if (QTableView *history = findChild<QTableView *>(QStringLiteral("labelHistory")))
        history->resizeColumnsToContents();

    // A reload keeps what is being typed in the editor for this prompt.
    const bool editing = m_editor->document()->isModified() && m_editorName->text().trimmed() == details.name;
    if (count > 0 && !editing) {
        m_editorName->setText(details.name);
        m_editor->setPlainText(fileTextOf(details.versions.constFirst())); // the newest, after the reverse above
        m_commitMessage->clear();
    }
    Q_EMIT loaded();
}

void PromptsPage::showDiff(int versionA, int versionB)
{
    m_diffA->setCurrentIndex(m_diffA->findData(versionA));
    m_diffB->setCurrentIndex(m_diffB->findData(versionB));
    m_tabs->setCurrentIndex(1);
    updateDiff();
}

void PromptsPage::updateDiff()
{
    const auto contentOf = [this](int version) -> std::optional<PromptContent> {
        for (const PromptVersion &stored : std::as_const(m_details.versions)) {
            if (stored.version == version) {
                const Result<PromptContent> content = PromptContent::fromVersion(stored);
                if (content)
                    return content.value();
            }
        }
        return std::nullopt;
    };
    const std::optional<PromptContent> a = contentOf(m_diffA->currentData().toInt());
    const std::optional<PromptContent> b = contentOf(m_diffB->currentData().toInt());
    if (!a || !b) {
        m_templateDiff->setTexts({}, {}, {}, {});
        m_configDiff->setTexts({}, {}, {}, {});
        m_diffSummary->clear();
        return;
    }
    const QString nameA = QStringLiteral("v%1").arg(m_diffA->currentData().toInt());
    const QString nameB = QStringLiteral("v%1").arg(m_diffB->currentData().toInt());
    m_templateDiff->setTexts(PromptDiff::templateText(*a), PromptDiff::templateText(*b), tr("%1 template").arg(nameA),
                             tr("%1 template").arg(nameB));
    m_configDiff->setTexts(PromptDiff::configText(*a), PromptDiff::configText(*b), tr("%1 config").arg(nameA),
                           tr("%1 config").arg(nameB));
    const int changed = m_templateDiff->changedLines() + m_configDiff->changedLines();
    m_diffSummary->setText(changed == 0 ? tr("no differences") : tr("%1 changed lines").arg(changed));
}

void PromptsPage::validateEditor()
{
    const QString name = m_editorName->text().trimmed();
    const Result<PromptContent> content = PromptFile::parse(m_editor->toPlainText().toUtf8(), tr("the editor"));
    bool exists = false;
    for (const PromptSummary &prompt : std::as_const(m_prompts))
        exists = exists || prompt.name == name;
    m_save->setText(exists ? tr("Save new version") : tr("Create prompt"));
    QString problem;
    if (!content)
        problem = content.errorMessage();
    else if (!PromptStore::isValidName(name))
        problem = PromptStore::nameRules();
    else if (exists && m_commitMessage->text().trimmed().isEmpty())
        problem = tr("Say what changed in the message field.");
    if (content) {
        QStringList names;
        const Result<QList<TemplateVariable>> found = PromptTemplate::variables(content.value());
        for (const TemplateVariable &variable : found ? found.value() : QList<TemplateVariable>()) {
            QString text = variable.name;
            if (variable.type != QLatin1String("string"))
                text += QLatin1Char(':') + variable.type;
            if (variable.hasDefault)
                text += QLatin1Char('=') + variable.defaultValue;
            names.append(text);
        }
        const QString variables
            = names.isEmpty() ? tr("no variables") : tr("Variables: %1").arg(names.join(QStringLiteral(", ")));
        m_editorStatus->setText(problem.isEmpty() ? tr("✓ Valid. %1").arg(variables)
                                                  : QStringLiteral("%1 — %2").arg(variables, problem));
    } else {
        m_editorStatus->setText(QStringLiteral("✗ ") + problem);
    }
    QPalette palette = m_editorStatus->palette();
    palette.setColor(QPalette::WindowText,
                     RecordFormat::color(problem.isEmpty() ? RecordFormat::Tone::Success : RecordFormat::Tone::Failure,
                                         this->palette()));
    m_editorStatus->setPalette(palette);
    m_save->setEnabled(problem.isEmpty());
}

void PromptsPage::saveEditor()
{
    validateEditor();
    if (!m_save->isEnabled())
        return;
    const QString name = m_editorName->text().trimmed();
    bool exists = false;
    for (const PromptSummary &prompt : std::as_const(m_prompts))
        exists = exists || prompt.name == name;
    m_selected = name;
    m_editor->document()->setModified(false); // saved: the reload shows the new version
    call([library = m_library, name, text = m_editor->toPlainText(), message = m_commitMessage->text().trimmed(),
          exists] { library->save(name, text, message.isEmpty() ? QStringLiteral("Created") : message, !exists); });
}

void PromptsPage::moveLabel()
{
    const QString label = m_label->currentText().trimmed();
    if (!PromptStore::isValidLabel(label)) {
        showMessage(PromptStore::labelRules(), true);
        return;
    }
    call([library = m_library, name = m_selected, label, version = m_labelVersion->currentData().toInt()] {
        library->moveLabel(name, label, version);
    });
}

void PromptsPage::saveObserved()
{
    const QModelIndex current = m_observedView->currentIndex();
    QStandardItem *item = current.isValid() ? m_observedVersions->item(current.row(), 2) : nullptr;
    const QString name = m_observedName->text().trimmed();
    if (!item || !PromptStore::isValidName(name)) {
        showMessage(item ? PromptStore::nameRules() : tr("Select a version to save."), true);
        return;
    }
    m_pendingSelection = name;
    m_selected = name;
    call([library = m_library, fingerprint = item->data(KeyRole).toString(), name] {
        library->saveObserved(fingerprint, name);
    });
}

void PromptsPage::onChanged(const QString &name, const QString &message)
{
    showMessage(message, false);
    m_selected = name;
    m_details = PromptDetails();
    m_pendingSelection = name;
    refresh();
}

void PromptsPage::onFailed(const QString &message)
{
    showMessage(message, true);
    Q_EMIT loaded();
}

void PromptsPage::showMessage(const QString &message, bool error)
{
    QPalette palette = m_message->palette();
    const QColor base = this->palette().color(QPalette::Base);
    const bool dark = base.lightnessF() < 0.5;
    const QColor tint
        = RecordFormat::color(error ? RecordFormat::Tone::Failure : RecordFormat::Tone::Success, this->palette());
    const double amount = dark ? 0.30 : 0.16;
    palette.setColor(QPalette::Window,
                     QColor::fromRgbF(base.redF() * (1 - amount) + tint.redF() * amount,
                                      base.greenF() * (1 - amount) + tint.greenF() * amount,
                                      base.blueF() * (1 - amount) + tint.blueF() * amount));
    palette.setColor(QPalette::WindowText, this->palette().color(QPalette::Text));
    m_message->setPalette(palette);
    m_message->setText(message);
    m_message->setObjectName(error ? QStringLiteral("promptsError") : QStringLiteral("promptsMessage"));
    m_message->show();
}

} // namespace sluice

#include "ClientsPage.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStandardItemModel>
#include <QTableView>
#include <QUrl>
#include <QVBoxLayout>

#include "Background.h"
#include "RecordFormat.h"

namespace sluice {

namespace {

enum Column { Client, State, LastRequest, File, ColumnCount };

QString stateText(const ClientState &state)
{
    if (state.pointed)
        return QObject::tr("● Pointed at Sluice");
    if (state.installed)
        return QObject::tr("● Installed, not set up");
    return QObject::tr("● Not installed");
}

RecordFormat::Tone stateTone(const ClientState &state)
{
    if (state.pointed)
        return RecordFormat::Tone::Success;
    return state.installed ? RecordFormat::Tone::Warning : RecordFormat::Tone::Neutral;
}

} // namespace

ClientsPage::ClientsPage(QWidget *parent)
    : QWidget(parent)
    , m_model(new QStandardItemModel(0, ColumnCount, this))
{
    m_model->setHorizontalHeaderLabels({tr("Client"), tr("State"), tr("Last request"), tr("Config file")});
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 10, 12, 10);
    layout->setSpacing(8);
    auto *title = new QLabel(tr("Clients"), this);
    QFont titleFont = title->font();
    titleFont.setBold(true);
    title->setFont(titleFont);
    layout->addWidget(title);
    auto *explanation = new QLabel(tr("Point a coding agent or editor at Sluice in one click. Set-up merges Sluice's "
                                      "address and a gateway token of its own into the tool's config file (so "
                                      "spend per tool is automatic), keeps everything else there, and keeps a "
                                      "backup: Undo puts the file back byte for byte."),
                                   this);
    explanation->setWordWrap(true);
    explanation->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(explanation);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("clientsStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("clientTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 10);
    m_table->horizontalHeader()->setHighlightSections(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(File, QHeaderView::Stretch);
    layout->addWidget(m_table, 2);

    m_detailTitle = new QLabel(this);
    m_detailTitle->setObjectName(QStringLiteral("clientDetailTitle"));
    m_detailTitle->setWordWrap(true);
    layout->addWidget(m_detailTitle);
    m_preview = new QPlainTextEdit(this);
    m_preview->setObjectName(QStringLiteral("clientPreview"));
    m_preview->setReadOnly(true);
    m_preview->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_preview->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    layout->addWidget(m_preview, 3);
    auto *buttons = new QHBoxLayout;
    auto *modelLabel = new QLabel(tr("Default model:"), this);
    m_defaultModel = new QComboBox(this);
    m_defaultModel->setObjectName(QStringLiteral("clientModel"));
    m_defaultModel->setToolTip(tr("The Sluice model the tool uses unless told otherwise"));
    m_defaultModel->setMinimumContentsLength(16);
    modelLabel->setBuddy(m_defaultModel);
    buttons->addWidget(modelLabel);
    buttons->addWidget(m_defaultModel);
    m_setUp = new QPushButton(tr("Set up"), this);
    m_setUp->setObjectName(QStringLiteral("setUpClient"));
    m_undo = new QPushButton(tr("Undo set-up"), this);
    m_undo->setObjectName(QStringLiteral("undoClient"));
    m_copyEnvironment = new QPushButton(tr("Copy the export lines"), this);
    m_copyEnvironment->setObjectName(QStringLiteral("copyEnvironment"));
    m_copyEnvironment->setVisible(false);
    buttons->addWidget(m_setUp);
    buttons->addWidget(m_undo);
    buttons->addWidget(m_copyEnvironment);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    m_snippets = new QLabel(this);
    m_snippets->setObjectName(QStringLiteral("clientSnippets"));
    m_snippets->setWordWrap(true);
    m_snippets->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_snippets);
    updateSnippets();

    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        if (!m_refreshing)
            m_environmentLines.clear(); // another client picked
        showSelected();
    });
    connect(m_setUp, &QPushButton::clicked, this, &ClientsPage::setUpSelected);
    connect(m_defaultModel, &QComboBox::activated, this, [this] {
        m_environmentLines.clear();
        reload();
    });
    connect(m_undo, &QPushButton::clicked, this, &ClientsPage::undoSelected);
    connect(m_copyEnvironment, &QPushButton::clicked, this, [this] {
        QApplication::clipboard()->setText(m_environmentLines.join(QLatin1Char('\n')) + QLatin1Char('\n'));
        showStatus(tr("Copied. Add the lines to your shell profile, then start the tool from a new shell."), true);
    });
    showSelected();
}

void ClientsPage::setPaths(const QString &configPath, const QString &databasePath)
{
    m_configPath = configPath;
    m_databasePath = databasePath;
    reload();
}

void ClientsPage::setEndpoint(const QUrl &endpoint)
{
    m_endpoint = endpoint.adjusted(QUrl::RemovePath).toString();
    updateSnippets();
}

void ClientsPage::updateSnippets()
{
    m_snippets->setText(
        tr("<b>Cline</b> has no config file: in its settings pick the API provider <i>OpenAI Compatible</i>, base "
           "URL <code>%1/v1</code>, and a gateway token as the API key (<code>sluice token create cline</code>). "
           "<b>Cursor</b> calls models from its own servers, so it cannot reach Sluice on this computer.")
            .arg(m_endpoint.toHtmlEscaped()));
}

void ClientsPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    reload();
}

void ClientsPage::reload()
{
    if (m_configPath.isEmpty() || m_busy)
        return;
    m_busy = true;
    runInBackground<ClientsSnapshot>(
        this,
        [config = m_configPath, db = m_databasePath, model = m_defaultModel->currentText()] {
            return ClientsWork::load(config, db, model);
        },
        [this](const ClientsSnapshot &snapshot) {
            m_busy = false;
            setSnapshot(snapshot);
            Q_EMIT idle();
        });
}

void ClientsPage::setSnapshot(const ClientsSnapshot &snapshot)
{
    const QList<ClientState> &states = snapshot.clients;
    const ClientState *was = selected();
    const QString keep = was ? was->name : QString();
    m_states = states;
    const QString model = m_defaultModel->currentText();
    m_defaultModel->clear();
    m_defaultModel->addItems(snapshot.models);
    m_defaultModel->setCurrentIndex(qMax(0, int(snapshot.models.indexOf(model))));
    m_defaultModel->setEnabled(!snapshot.models.isEmpty());
    m_refreshing = true;
    m_model->removeRows(0, m_model->rowCount());
    for (const ClientState &state : states) {
        auto *name = new QStandardItem(state.displayName);
        name->setData(state.name, Qt::UserRole);
        auto *stateItem = new QStandardItem(stateText(state));
        stateItem->setForeground(RecordFormat::color(stateTone(state), palette()));
        auto *last = new QStandardItem(state.lastRequest.isValid() ? RecordFormat::localDateTime(state.lastRequest)
                                                                   : tr("none yet"));
        m_model->appendRow({name, stateItem, last, new QStandardItem(state.configPath)});
    }
    for (int column = 0; column < File; ++column)
        m_table->resizeColumnToContents(column);
    // Every client in sight without scrolling; the preview takes what is left.
    m_table->setMinimumHeight(m_table->horizontalHeader()->height()
                              + m_table->verticalHeader()->defaultSectionSize() * m_model->rowCount()
                              + 2 * m_table->frameWidth() + 2);
    for (int row = 0; row < m_model->rowCount(); ++row) {
        if (m_model->item(row)->data(Qt::UserRole).toString() == keep)
            m_table->selectRow(row);
    }
    m_refreshing = false;
    showSelected();
}

const ClientState *ClientsPage::selected() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return nullptr;
    const QString name = m_model->item(rows.first().row())->data(Qt::UserRole).toString();
    for (const ClientState &state : m_states) {
        if (state.name == name)
            return &state;
    }
    return nullptr;
}

void ClientsPage::showSelected()
{
    const ClientState *state = selected();
    m_setUp->setEnabled(state && !m_busy && !state->previewIsError && !state->pointed);
    m_undo->setEnabled(state && !m_busy && state->canUndo);
    m_copyEnvironment->setVisible(!m_environmentLines.isEmpty());
    if (!state) {
        m_detailTitle->setText(tr("Pick a client to see what its set-up changes."));
        m_preview->clear();
        return;
    }
    if (!m_environmentLines.isEmpty()) {
        m_detailTitle->setText(tr("%1 reads the token from its environment. Add these lines to your shell profile "
                                  "(Sluice does not edit it; they hold the token):")
                                   .arg(state->displayName));
        m_preview->setPlainText(m_environmentLines.join(QLatin1Char('\n')));
    } else if (state->previewIsError) {
        m_detailTitle->setText(tr("%1 cannot be set up as its file is now:").arg(state->displayName));
        m_preview->setPlainText(state->preview);
    } else if (state->pointed) {
        m_detailTitle->setText(tr("%1 already points at Sluice (%2).").arg(state->displayName, state->configPath));
        m_preview->clear();
    } else {
        m_detailTitle->setText(
            tr("What Set up changes in %1 (everything else in the file stays):").arg(state->configPath));
        m_preview->setPlainText(state->preview);
    }
}

void ClientsPage::setUpSelected()
{
    const ClientState *state = selected();
    if (!state)
        return;
    m_busy = true;
    showSelected();
    showStatus(tr("Setting up %1…").arg(state->displayName), true);
    runInBackground<Result<ClientOutcome>>(
        this,
        [client = state->name, config = m_configPath, db = m_databasePath, model = m_defaultModel->currentText()] {
            return ClientsWork::setUp(client, config, db, model);
        },
        [this](const Result<ClientOutcome> &outcome) { finished(outcome); });
}

void ClientsPage::undoSelected()
{
    const ClientState *state = selected();
    if (!state)
        return;
    m_busy = true;
    showSelected();
    runInBackground<Result<ClientOutcome>>(
        this, [client = state->name] { return ClientsWork::undo(client); },
        [this](const Result<ClientOutcome> &outcome) { finished(outcome); });
}

void ClientsPage::finished(const Result<ClientOutcome> &outcome)
{
    m_busy = false;
    if (!outcome) {
        showStatus(outcome.errorMessage(), false);
        showSelected();
        Q_EMIT idle();
        return;
    }
    showStatus(outcome->summary, true);
    m_environmentLines = outcome->environmentLines;
    reload();
}

void ClientsPage::showStatus(const QString &text, bool ok)
{
    const RecordFormat::Tone tone = ok ? RecordFormat::Tone::Success : RecordFormat::Tone::Failure;
    m_status->setText(QStringLiteral("<span style=\"color:%1\">●</span> %2")
                          .arg(RecordFormat::color(tone, palette()).name(), text.toHtmlEscaped()));
}

} // namespace sluice

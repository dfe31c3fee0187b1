#include "ProvidersPage.h"

#include <algorithm>

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

#include "Background.h"
#include "RecordFormat.h"
#include "config/ProviderPreset.h"
#include "providers/ProviderProbe.h"

namespace sluice {

namespace {

// The presets the form offers, as a person names them, and where their keys are made. Bedrock needs a region
// and AWS credentials: it is written by hand (docs/providers.md).
struct PresetChoice
{
    const char *type;
    const char *label;
    const char *keyUrl;
};

constexpr PresetChoice Choices[] = {
    {"openai", "OpenAI", "https://platform.openai.com/api-keys"},
    {"anthropic", "Anthropic", "https://console.anthropic.com/settings/keys"},
    {"gemini", "Google Gemini", "https://aistudio.google.com/apikey"},
    {"azure", "Azure OpenAI", "https://portal.azure.com/"},
    {"openrouter", "OpenRouter", "https://openrouter.ai/keys"},
    {"groq", "Groq", "https://console.groq.com/keys"},
    {"mistral", "Mistral", "https://console.mistral.ai/api-keys"},
    {"deepseek", "DeepSeek", "https://platform.deepseek.com/api_keys"},
    {"xai", "xAI", "https://console.x.ai/"},
    {"together", "Together AI", "https://api.together.ai/settings/api-keys"},
    {"fireworks", "Fireworks", "https://fireworks.ai/account/api-keys"},
    {"cerebras", "Cerebras", "https://cloud.cerebras.ai/"},
    {"perplexity", "Perplexity", "https://www.perplexity.ai/settings/api"},
    {"ollama", "Ollama (this computer)", ""},
    {"lmstudio", "LM Studio (this computer)", ""},
    {"vllm", "vLLM", ""},
    {"llamacpp", "llama.cpp server", ""},
    {"openai-compatible", "Other OpenAI-compatible server", ""},
};

QLabel *errorLabel(QWidget *parent, const QString &name)
{
    auto *label = new QLabel(parent);
    label->setObjectName(name);
    label->setWordWrap(true);
    label->setVisible(false);
    return label;
}

QTableView *table(QWidget *parent, const QString &name, QStandardItemModel *model)
{
    auto *view = new QTableView(parent);
    view->setObjectName(name);
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setAlternatingRowColors(true);
    view->setShowGrid(false);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 10);
    view->horizontalHeader()->setHighlightSections(false);
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    view->horizontalHeader()->setSectionResizeMode(model->columnCount() - 1, QHeaderView::Stretch);
    return view;
}

QLabel *emptyState(QTableView *view, const QString &name)
{
    auto *label = new QLabel(view->viewport());
    label->setObjectName(name);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    auto *layout = new QVBoxLayout(view->viewport());
    layout->addWidget(label);
    return label;
}

// A field with the lines under it (a hint, its error), so hidden errors take no room.
QWidget *withLines(QWidget *parent, QWidget *field, std::initializer_list<QLabel *> lines)
{
    auto *cell = new QWidget(parent);
    auto *layout = new QVBoxLayout(cell);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(field);
    for (QLabel *line : lines)
        layout->addWidget(line);
    return cell;
}

QLabel *sectionTitle(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

QString keyText(const SecretRef &ref)
{
    return ref.isNull() ? QObject::tr("none needed") : ref.toString();
}

} // namespace

ProvidersPage::ProvidersPage(QWidget *parent)
    : QWidget(parent)
    , m_providers(new QStandardItemModel(0, 5, this))
    , m_models(new QStandardItemModel(0, 3, this))
{
    m_providers->setHorizontalHeaderLabels({tr("Name"), tr("Type"), tr("Key"), tr("Models"), tr("Address")});
    m_models->setHorizontalHeaderLabels({tr("Model name"), tr("Served by"), tr("Falls back to")});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 10, 12, 10);
    layout->setSpacing(8);
    auto *titleRow = new QHBoxLayout;
    titleRow->addWidget(sectionTitle(tr("Providers & keys"), this));
    titleRow->addStretch(1);
    m_showGettingStarted = new QPushButton(tr("Getting started…"), this);
    m_showGettingStarted->setObjectName(QStringLiteral("showGettingStarted"));
    m_showGettingStarted->setToolTip(tr("Show the first steps again: provider, model, gateway token, client"));
    m_showGettingStarted->setFlat(true);
    m_showGettingStarted->setVisible(false);
    titleRow->addWidget(m_showGettingStarted);
    layout->addLayout(titleRow);
    connect(m_showGettingStarted, &QPushButton::clicked, this, &ProvidersPage::showGettingStarted);
    auto *explanation = new QLabel(tr("The services Sluice forwards requests to, and the model names your tools ask "
                                      "for. Keys go to the system keychain, never into the config file; changes "
                                      "apply at once, without a restart."),
                                   this);
    explanation->setWordWrap(true);
    explanation->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(explanation);
    layout->addWidget(buildGettingStarted());
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("providersStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    auto *columns = new QHBoxLayout;
    columns->setSpacing(12);
    auto *lists = new QVBoxLayout;
    lists->setSpacing(6);
    m_providerTable = table(this, QStringLiteral("providerTable"), m_providers);
    m_providersEmpty = emptyState(m_providerTable, QStringLiteral("providersEmptyState"));
    lists->addWidget(m_providerTable, 3);
    auto *providerButtons = new QHBoxLayout;
    m_testButton = new QPushButton(tr("Test"), this);
    m_testButton->setObjectName(QStringLiteral("testProvider"));
    m_testButton->setToolTip(tr("Makes a real call with the stored key: lists the provider's models"));
    m_removeButton = new QPushButton(tr("Remove"), this);
    m_removeButton->setObjectName(QStringLiteral("removeProvider"));
    providerButtons->addWidget(m_testButton);
    m_editButton = new QPushButton(tr("Edit"), this);
    m_editButton->setObjectName(QStringLiteral("editProvider"));
    m_editButton->setToolTip(tr("Change the address or the key"));
    providerButtons->addWidget(m_editButton);
    providerButtons->addWidget(m_removeButton);
    providerButtons->addStretch(1);
    lists->addLayout(providerButtons);
    lists->addSpacing(6);
    lists->addWidget(sectionTitle(tr("Models"), this));
    m_modelTable = table(this, QStringLiteral("modelTable"), m_models);
    m_modelsEmpty = emptyState(m_modelTable, QStringLiteral("modelsEmptyState"));
    lists->addWidget(m_modelTable, 2);
    auto *modelButtons = new QHBoxLayout;
    m_removeModelButton = new QPushButton(tr("Remove model"), this);
    m_removeModelButton->setObjectName(QStringLiteral("removeModel"));
    modelButtons->addWidget(m_removeModelButton);
    modelButtons->addStretch(1);
    lists->addLayout(modelButtons);
    columns->addLayout(lists, 1);

    auto *forms = new QVBoxLayout;
    forms->addWidget(buildProviderForm());
    forms->addWidget(buildModelForm());
    forms->addStretch(1);
    auto *formColumn = new QWidget(this);
    formColumn->setLayout(forms);
    formColumn->setFixedWidth(380);
    forms->setContentsMargins(0, 0, 0, 0);
    columns->addWidget(formColumn);
    layout->addLayout(columns, 1);

    connect(m_testButton, &QPushButton::clicked, this, &ProvidersPage::testProvider);
    connect(m_removeButton, &QPushButton::clicked, this, &ProvidersPage::removeProvider);
    connect(m_editButton, &QPushButton::clicked, this, &ProvidersPage::editProvider);
    connect(m_removeModelButton, &QPushButton::clicked, this, &ProvidersPage::removeModel);
    connect(m_providerTable->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ProvidersPage::updateButtons);
    connect(m_modelTable->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ProvidersPage::updateButtons);
    onTypeChanged();
    updateButtons();
    updateEmptyStates();
    applyErrorColour();
}

ProvidersPage::~ProvidersPage() = default;

QWidget *ProvidersPage::buildGettingStarted()
{
    auto *box = new QGroupBox(tr("Getting started"), this);
    box->setObjectName(QStringLiteral("gettingStarted"));
    auto *layout = new QVBoxLayout(box);
    m_steps = new QLabel(box);
    m_steps->setObjectName(QStringLiteral("gettingStartedSteps"));
    m_steps->setWordWrap(true);
    m_steps->setTextFormat(Qt::RichText);
    connect(m_steps, &QLabel::linkActivated, this, [this](const QString &link) {
        if (link == QLatin1String("clients"))
            Q_EMIT clientsWanted();
    });
    layout->addWidget(m_steps);
    auto *found = new QHBoxLayout;
    m_discoveredText = new QLabel(box);
    m_discoveredText->setObjectName(QStringLiteral("discoveredServers"));
    m_discoveredText->setWordWrap(true);
    m_addDiscovered = new QPushButton(box);
    m_addDiscovered->setObjectName(QStringLiteral("addDiscovered"));
    found->addWidget(m_discoveredText, 1);
    found->addWidget(m_addDiscovered);
    layout->addLayout(found);
    // The gateway token step: made here, its secret shown once (the database keeps only its hash).
    auto *tokenButtons = new QHBoxLayout;
    m_makeToken = new QPushButton(tr("Make a gateway token"), box);
    m_makeToken->setObjectName(QStringLiteral("makeGatewayToken"));
    m_makeToken->setToolTip(tr("A token your tools send as their API key; set-up on the Clients page makes one per "
                               "tool"));
    tokenButtons->addWidget(m_makeToken);
    // The new token, once made, beside the button; the note under the row.
    m_tokenRow = new QWidget(box);
    auto *secretRow = new QHBoxLayout(m_tokenRow);
    secretRow->setContentsMargins(0, 0, 0, 0);
    m_tokenSecret = new QLineEdit(m_tokenRow);
    m_tokenSecret->setObjectName(QStringLiteral("newGatewayToken"));
    m_tokenSecret->setReadOnly(true);
    auto *copy = new QPushButton(tr("Copy"), m_tokenRow);
    copy->setObjectName(QStringLiteral("copyGatewayToken"));
    auto *hide = new QPushButton(tr("I have copied it"), m_tokenRow);
    hide->setObjectName(QStringLiteral("hideGatewayToken"));
    secretRow->addWidget(m_tokenSecret, 1);
    secretRow->addWidget(copy);
    secretRow->addWidget(hide);
    tokenButtons->addWidget(m_tokenRow, 1);
    tokenButtons->addStretch(0);
    m_tokenNote = new QLabel(box);
    m_tokenNote->setObjectName(QStringLiteral("newGatewayTokenNote"));
    m_tokenNote->setWordWrap(true);
    m_tokenNote->setForegroundRole(QPalette::PlaceholderText);
    m_tokenRow->setVisible(false);
    m_tokenNote->setVisible(false);
    connect(m_makeToken, &QPushButton::clicked, this, &ProvidersPage::makeGatewayToken);
    connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(m_tokenSecret->text()); });
    connect(hide, &QPushButton::clicked, this, [this] {
        m_tokenSecret->clear();
        m_tokenRow->setVisible(false);
        m_tokenNote->setVisible(false);
        updateGettingStarted();
    });
    auto *skip = new QPushButton(tr("Skip these steps"), box);
    skip->setObjectName(QStringLiteral("skipGettingStarted"));
    skip->setFlat(true);
    // One row for the token button and the way out, the new token (while shown) under it.
    tokenButtons->addWidget(skip);
    layout->addLayout(tokenButtons);
    layout->addWidget(m_tokenNote);
    connect(skip, &QPushButton::clicked, this, [this] {
        m_gettingStartedSkipped = true;
        m_gettingStartedWanted = false;
        m_tokenSecret->clear();
        m_tokenRow->setVisible(false);
        m_tokenNote->setVisible(false);
        updateGettingStarted();
    });
    connect(m_addDiscovered, &QPushButton::clicked, this, &ProvidersPage::addDiscovered);
    m_gettingStarted = box;
    box->setVisible(false);
    return box;
}

void ProvidersPage::updateGettingStarted()
{
    if (!m_gettingStarted || !m_showGettingStarted || !m_tokenSecret)
        return; // still being built
    const bool hasProvider = !m_snapshot.providers.isEmpty();
    const bool hasModel = !m_snapshot.models.isEmpty();
    // Tokens are stored in the request log's database: without one (the gateway never started) the step waits.
    const bool tokenStep = !m_databasePath.isEmpty();
    const bool hasToken = !tokenStep || m_snapshot.gatewayTokens > 0;
    const bool secretShown = !m_tokenSecret->text().isEmpty();
    const bool usable = m_snapshot.error.isEmpty() && !m_configPath.isEmpty();
    const bool show = usable && !m_gettingStartedSkipped
        && (m_gettingStartedWanted || secretShown || !hasProvider || !hasModel || !hasToken);
    m_gettingStarted->setVisible(show);
    m_showGettingStarted->setVisible(usable && !show);
    if (!show)
        return;
    const QString done = QStringLiteral("<span style=\"color:%1\">✓</span>")
                             .arg(RecordFormat::color(RecordFormat::Tone::Success, palette()).name());
    const QString todo = QStringLiteral("○");
    QStringList steps;
    steps.append(tr("%1 Add a provider with the form on the right; its key goes to the system keychain.")
                     .arg(hasProvider ? done : todo));
    steps.append(tr("%1 Give one of its models a name your tools ask for.").arg(hasModel ? done : todo));
    if (tokenStep)
        steps.append(tr("%1 Make a gateway token: your tools send it as their API key, so Sluice knows who asks "
                        "(and what each one spends).")
                         .arg(hasToken ? done : todo));
    steps.append(tr("%1 Point a tool at Sluice: <a href=\"clients\">set up Claude Code, Codex and others</a> "
                    "in one click each (each gets a gateway token of its own).")
                     .arg(todo));
    m_steps->setText(steps.join(QStringLiteral("<br>")));
    m_makeToken->setVisible(tokenStep);
    m_makeToken->setText(hasToken && tokenStep && m_snapshot.gatewayTokens > 0 ? tr("Make another gateway token")
                                                                               : tr("Make a gateway token"));
    if (!m_discoveryDone && !hasProvider)
        discover();
    QStringList found;
    for (const DiscoveredServer &server : std::as_const(m_discovered))
        found.append(tr("%1 (%2 models)").arg(server.label).arg(server.models.size()));
    m_discoveredText->setText(
        found.isEmpty() ? QString() : tr("Found on this computer: %1.").arg(found.join(QStringLiteral(", "))));
    m_addDiscovered->setText(m_discovered.size() == 1 ? tr("Add %1 and its models").arg(m_discovered.first().label)
                                                      : tr("Add them and their models"));
    m_discoveredText->setVisible(!found.isEmpty());
    m_addDiscovered->setVisible(!found.isEmpty());
}

void ProvidersPage::showGettingStarted()
{
    m_gettingStartedSkipped = false;
    m_gettingStartedWanted = true;
    updateGettingStarted();
}

void ProvidersPage::makeGatewayToken()
{
    if (m_databasePath.isEmpty())
        return;
    m_makeToken->setEnabled(false);
    runInBackground<Result<NewGatewayToken>>(
        this,
        [database = m_databasePath] { return ProvidersWork::makeGatewayToken(database, QStringLiteral("my-tools")); },
        [this](const Result<NewGatewayToken> &made) {
            m_makeToken->setEnabled(true);
            if (!made) {
                showStatus(tr("No gateway token was made: %1").arg(made.errorMessage()), false);
                Q_EMIT idle();
                return;
            }
            m_tokenSecret->setText(made->secret);
            m_tokenNote->setText(
                tr("\u201c%1\u201d: give it to your tool as its API key. Copy it now: Sluice keeps only "
                   "its hash (revoke it under Gateway \u2192 Gateway tokens).")
                    .arg(made->name));
            m_tokenRow->setVisible(true);
            m_tokenNote->setVisible(true);
            reload();
        });
}

void ProvidersPage::discover()
{
    m_discoveryDone = true;
    auto *discovery = new LocalDiscovery(this);
    connect(discovery, &LocalDiscovery::finished, this, [this, discovery](const QList<DiscoveredServer> &servers) {
        discovery->deleteLater();
        m_discovered.clear();
        for (const DiscoveredServer &server : servers) {
            if (server.found)
                m_discovered.append(server);
        }
        updateGettingStarted();
        Q_EMIT idle();
    });
    discovery->start(m_discoveryTargets);
}

void ProvidersPage::addDiscovered()
{
    const QList<DiscoveredServer> servers = m_discovered;
    if (servers.isEmpty())
        return;
    setBusy(true);
    runInBackground<Result<QStringList>>(
        this,
        [path = m_configPath, servers]() -> Result<QStringList> {
            QStringList names;
            for (const DiscoveredServer &server : servers) {
                const Result<QString> added
                    = ProvidersWork::addLocalServer(path, server.type, server.baseUrl, server.models);
                if (!added)
                    return added.error();
                names.append(*added);
            }
            return names;
        },
        [this](const Result<QStringList> &added) {
            setBusy(false);
            if (!added) {
                showStatus(added.errorMessage(), false);
                Q_EMIT idle();
                return;
            }
            m_discovered.clear();
            showStatus(tr("Added %1 and its models.").arg(added->join(QStringLiteral(", "))), true);
            Q_EMIT configChanged();
            reload();
        });
}

QWidget *ProvidersPage::buildProviderForm()
{
    auto *box = new QGroupBox(tr("Add a provider"), this);
    m_providerBox = box;
    auto *form = new QFormLayout(box);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_type = new QComboBox(box);
    m_type->setObjectName(QStringLiteral("providerType"));
    for (const PresetChoice &choice : Choices)
        m_type->addItem(QString::fromUtf8(choice.label), QString::fromLatin1(choice.type));
    m_name = new QLineEdit(box);
    m_name->setObjectName(QStringLiteral("providerName"));
    m_nameError = errorLabel(box, QStringLiteral("providerNameError"));
    m_baseUrl = new QLineEdit(box);
    m_baseUrl->setObjectName(QStringLiteral("providerBaseUrl"));
    m_baseUrlError = errorLabel(box, QStringLiteral("providerBaseUrlError"));
    m_key = new QLineEdit(box);
    m_key->setObjectName(QStringLiteral("providerKey"));
    m_key->setEchoMode(QLineEdit::Password);
    m_keyHint = new QLabel(box);
    m_keyHint->setObjectName(QStringLiteral("providerKeyHint"));
    m_keyHint->setOpenExternalLinks(true);
    m_keyHint->setWordWrap(true);
    m_keyHint->setForegroundRole(QPalette::PlaceholderText);
    m_keyError = errorLabel(box, QStringLiteral("providerKeyError"));
    m_providerError = errorLabel(box, QStringLiteral("providerFormError"));
    m_addButton = new QPushButton(tr("Add provider"), box);
    m_addButton->setObjectName(QStringLiteral("addProvider"));
    m_addButton->setDefault(true);

    form->addRow(tr("Type"), m_type);
    form->addRow(tr("Name"), withLines(box, m_name, {m_nameError}));
    form->addRow(tr("Address"), withLines(box, m_baseUrl, {m_baseUrlError}));
    form->addRow(tr("Key"), withLines(box, m_key, {m_keyHint, m_keyError}));
    m_cancelEdit = new QPushButton(tr("Cancel"), box);
    m_cancelEdit->setObjectName(QStringLiteral("cancelEdit"));
    m_cancelEdit->setVisible(false);
    auto *formButtons = new QWidget(box);
    auto *formButtonsLayout = new QHBoxLayout(formButtons);
    formButtonsLayout->setContentsMargins(0, 0, 0, 0);
    formButtonsLayout->addWidget(m_addButton, 1);
    formButtonsLayout->addWidget(m_cancelEdit);
    form->addRow(QString(), withLines(box, formButtons, {m_providerError}));
    connect(m_cancelEdit, &QPushButton::clicked, this, &ProvidersPage::leaveEdit);

    connect(m_type, &QComboBox::currentIndexChanged, this, &ProvidersPage::onTypeChanged);
    connect(m_name, &QLineEdit::textEdited, this, [this] { m_nameEdited = !m_name->text().isEmpty(); });
    connect(m_addButton, &QPushButton::clicked, this, &ProvidersPage::addProvider);
    return box;
}

QWidget *ProvidersPage::buildModelForm()
{
    auto *box = new QGroupBox(tr("Add a model name"), this);
    auto *form = new QFormLayout(box);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_modelName = new QLineEdit(box);
    m_modelName->setObjectName(QStringLiteral("modelName"));
    m_modelName->setPlaceholderText(tr("what your tools ask for, e.g. work"));
    m_modelProvider = new QComboBox(box);
    m_modelProvider->setObjectName(QStringLiteral("modelProvider"));
    m_upstreamModel = new QLineEdit(box);
    m_upstreamModel->setObjectName(QStringLiteral("upstreamModel"));
    m_upstreamModel->setPlaceholderText(tr("the provider's model, e.g. gpt-4.1-mini"));
    m_modelError = errorLabel(box, QStringLiteral("modelFormError"));
    m_addModelButton = new QPushButton(tr("Add model"), box);
    m_addModelButton->setObjectName(QStringLiteral("addModel"));
    form->addRow(tr("Name"), m_modelName);
    form->addRow(tr("Provider"), m_modelProvider);
    form->addRow(tr("Provider's model"), m_upstreamModel);
    m_fallbacks = new QLineEdit(box);
    m_fallbacks->setObjectName(QStringLiteral("modelFallbacks"));
    m_fallbacks->setPlaceholderText(tr("optional: names tried in order"));
    form->addRow(tr("Falls back to"), m_fallbacks);
    form->addRow(QString(), withLines(box, m_addModelButton, {m_modelError}));
    connect(m_addModelButton, &QPushButton::clicked, this, &ProvidersPage::addModel);
    // A name that exists already: the provider serves it too (one more deployment, balanced with the others).
    connect(m_modelName, &QLineEdit::textChanged, this, &ProvidersPage::updateModelButton);
    return box;
}

void ProvidersPage::setConfigPath(const QString &path)
{
    m_configPath = path;
    reload();
}

void ProvidersPage::reload()
{
    if (m_configPath.isEmpty())
        return;
    setBusy(true);
    runInBackground<ProvidersSnapshot>(
        this, [path = m_configPath, database = m_databasePath] { return ProvidersWork::load(path, database); },
        [this](const ProvidersSnapshot &snapshot) {
            setSnapshot(snapshot);
            setBusy(false);
            Q_EMIT idle();
        });
}

void ProvidersPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    reload();
}

void ProvidersPage::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        applyErrorColour();
        updateGettingStarted(); // its marks in the new palette's colours
    }
}

void ProvidersPage::applyErrorColour()
{
    // The error lines in the palette's own failure colour (readable in light and dark themes).
    const QColor failure = RecordFormat::color(RecordFormat::Tone::Failure, palette());
    for (QLabel *label : {m_nameError, m_baseUrlError, m_keyError, m_providerError, m_modelError}) {
        if (!label)
            continue;
        QPalette p = label->palette();
        p.setColor(QPalette::WindowText, failure);
        label->setPalette(p);
    }
}

void ProvidersPage::setSnapshot(const ProvidersSnapshot &snapshot)
{
    const QString keepProvider = m_selectAfterReload.isEmpty() ? selectedProvider() : m_selectAfterReload;
    m_selectAfterReload.clear();
    const QString keepModel = selectedModel();
    m_snapshot = snapshot;
    m_providers->removeRows(0, m_providers->rowCount());
    m_models->removeRows(0, m_models->rowCount());
    for (const ProviderConfig &provider : snapshot.providers) {
        QStringList served;
        for (const ModelRoute &model : snapshot.models) {
            for (const ModelDeployment &deployment : model.deployments) {
                if (deployment.provider == provider.name && !served.contains(model.name))
                    served.append(model.name);
            }
        }
        m_providers->appendRow(
            {new QStandardItem(provider.name), new QStandardItem(provider.type),
             new QStandardItem(keyText(provider.apiKey)),
             new QStandardItem(served.isEmpty() ? tr("none yet") : served.join(QStringLiteral(", "))),
             new QStandardItem(provider.baseUrl.toString())});
    }
    for (const ModelRoute &model : snapshot.models) {
        QStringList deployments;
        for (const ModelDeployment &deployment : model.deployments)
            deployments.append(deployment.provider + QLatin1Char('/') + deployment.upstreamModel);
        m_models->appendRow({new QStandardItem(model.name), new QStandardItem(deployments.join(QStringLiteral(", "))),
                             new QStandardItem(model.fallbacks.join(QStringLiteral(", ")))});
    }
    const QString chosen = m_modelProvider->currentText();
    m_modelProvider->clear();
    for (const ProviderConfig &provider : snapshot.providers)
        m_modelProvider->addItem(provider.name);
    if (const int index = m_modelProvider->findText(chosen); index >= 0)
        m_modelProvider->setCurrentIndex(index);
    for (int row = 0; row < m_providers->rowCount(); ++row) {
        if (m_providers->item(row)->text() == keepProvider)
            m_providerTable->selectRow(row);
    }
    for (int row = 0; row < m_models->rowCount(); ++row) {
        if (m_models->item(row)->text() == keepModel)
            m_modelTable->selectRow(row);
    }
    for (QTableView *view : {m_providerTable, m_modelTable}) {
        // Every column fits its text; the last one takes the rest of the width.
        const int last = view->model()->columnCount() - 1;
        for (int column = 0; column < last; ++column)
            view->resizeColumnToContents(column);
        view->horizontalHeader()->setSectionResizeMode(last, QHeaderView::Stretch);
    }
    if (!snapshot.error.isEmpty())
        showStatus(tr("The config file does not load, so nothing here can be changed until it is fixed: %1")
                       .arg(snapshot.error),
                   false);
    updateButtons();
    updateEmptyStates();
    updateGettingStarted();
    updateModelButton();
}

void ProvidersPage::onTypeChanged()
{
    if (!m_editing.isEmpty())
        return;
    const QString type = m_type->currentData().toString();
    const ProviderPreset *preset = ProviderPreset::find(type);
    if (!m_nameEdited)
        m_name->setText(type);
    m_baseUrl->setPlaceholderText(preset && !preset->defaultBaseUrl.isEmpty()
                                      ? preset->defaultBaseUrl
                                      : tr("required, e.g. https://llm.example.com/v1"));
    const bool local = preset && preset->local;
    m_key->setEnabled(!local);
    m_key->setPlaceholderText(local ? tr("not needed on this computer") : tr("paste the key"));
    QString keyUrl;
    for (const PresetChoice &choice : Choices) {
        if (QLatin1String(choice.type) == type)
            keyUrl = QString::fromLatin1(choice.keyUrl);
    }
    if (local)
        m_keyHint->setText(tr("Local servers take no key."));
    else if (!keyUrl.isEmpty())
        m_keyHint->setText(tr("Stored in the system keychain. <a href=\"%1\">Get a key</a>").arg(keyUrl));
    else
        m_keyHint->setText(tr("Stored in the system keychain; leave it empty if the server takes none."));
    clearFormErrors();
}

void ProvidersPage::clearFormErrors()
{
    for (QLabel *label : {m_nameError, m_baseUrlError, m_keyError, m_providerError, m_modelError}) {
        label->clear();
        label->setVisible(false);
    }
}

void ProvidersPage::showFormError(const QString &message)
{
    // Next to the field the message is about: the loader names it (providers[3].base_url) as ConfigWriter does.
    QLabel *target = m_providerError;
    if (message.contains(QLatin1String(".base_url")) || message.contains(QLatin1String("base_url is")))
        target = m_baseUrl->isVisible() ? m_baseUrlError : m_providerError;
    else if (message.contains(QLatin1String(".name")) || message.contains(QLatin1String("provider named"))
             || message.contains(QLatin1String("needs a name")))
        target = m_nameError;
    else if (message.contains(QLatin1String(".api_key")) || message.contains(QLatin1String("keychain")))
        target = m_keyError;
    target->setText(message);
    target->setVisible(true);
}

void ProvidersPage::editProvider()
{
    const QString name = selectedProvider();
    const ProviderConfig *provider = nullptr;
    for (const ProviderConfig &candidate : std::as_const(m_snapshot.providers)) {
        if (candidate.name == name)
            provider = &candidate;
    }
    if (!provider)
        return;
    m_editing = name;
    m_nameEdited = true;
    const int type = m_type->findData(provider->type);
    if (type >= 0)
        m_type->setCurrentIndex(type);
    m_type->setEnabled(false);
    m_name->setText(name);
    m_name->setReadOnly(true);
    const ProviderPreset *preset = ProviderPreset::find(provider->type);
    const QString url = provider->baseUrl.toString();
    m_baseUrl->setText(preset && url == preset->defaultBaseUrl ? QString() : url);
    m_key->clear();
    m_key->setEnabled(true);
    m_key->setPlaceholderText(tr("leave empty to keep the stored key"));
    m_providerBox->setTitle(tr("Edit %1").arg(name));
    m_addButton->setText(tr("Save changes"));
    m_cancelEdit->setVisible(true);
    clearFormErrors();
}

void ProvidersPage::leaveEdit()
{
    m_editing.clear();
    m_nameEdited = false;
    m_type->setEnabled(true);
    m_name->setReadOnly(false);
    m_baseUrl->clear();
    m_key->clear();
    m_providerBox->setTitle(tr("Add a provider"));
    m_addButton->setText(tr("Add provider"));
    m_cancelEdit->setVisible(false);
    onTypeChanged();
}

void ProvidersPage::saveEdit()
{
    clearFormErrors();
    const QString name = m_editing;
    setBusy(true);
    runInBackground<Result<void>>(
        this,
        [path = m_configPath, service = m_keychainService, name, url = m_baseUrl->text().trimmed(),
         key = m_key->text().trimmed()] { return ProvidersWork::editProvider(path, service, name, url, key); },
        [this, name](const Result<void> &saved) {
            setBusy(false);
            if (!saved) {
                showFormError(saved.errorMessage());
                Q_EMIT idle();
                return;
            }
            leaveEdit();
            showStatus(tr("Saved %1. Test it to check the change.").arg(name), true);
            Q_EMIT configChanged();
            m_selectAfterReload = name;
            reload();
        });
}

void ProvidersPage::addProvider()
{
    if (!m_editing.isEmpty())
        return saveEdit();
    clearFormErrors();
    const QString type = m_type->currentData().toString();
    const QString name = m_name->text().trimmed();
    if (!SecretRef::isValidKeyName(name)) {
        showFormError(tr("The name needs 1 to 128 letters, digits, '-', '_' or '.' (it also names the key in the "
                         "keychain)."));
        return;
    }
    const ProviderPreset *preset = ProviderPreset::find(type);
    const QString key = m_key->isEnabled() ? m_key->text().trimmed() : QString();
    if (preset && !preset->local && key.isEmpty() && type != QLatin1String("openai-compatible")
        && type != QLatin1String("vllm") && type != QLatin1String("llamacpp")) {
        m_keyError->setText(tr("Paste the provider's key: it goes to the system keychain, not the config file."));
        m_keyError->setVisible(true);
        return;
    }
    ProviderEntry entry {name, type, m_baseUrl->text().trimmed(), {}};
    if (!key.isEmpty())
        entry.apiKey = SecretRef::parse(QStringLiteral("keychain:") + name);
    setBusy(true);
    showStatus(tr("Adding %1…").arg(name), true);
    runInBackground<Result<void>>(
        this,
        [path = m_configPath, service = m_keychainService, entry, key] {
            return ProvidersWork::addProvider(path, service, entry, key);
        },
        [this, name](const Result<void> &added) {
            setBusy(false);
            if (!added) {
                m_status->clear();
                showFormError(added.errorMessage());
                Q_EMIT idle();
                return;
            }
            m_key->clear();
            m_baseUrl->clear();
            m_nameEdited = false;
            onTypeChanged();
            showStatus(tr("Added %1. Test it, then give it a model name below.").arg(name), true);
            Q_EMIT configChanged();
            m_selectAfterReload = name;
            reload();
        });
}

void ProvidersPage::removeProvider()
{
    const QString name = selectedProvider();
    if (name.isEmpty())
        return;
    if (m_confirmRemovals
        && QMessageBox::question(this, tr("Remove %1?").arg(name),
                                 tr("Remove the provider %1 from the config, and the key Sluice stored for it from "
                                    "the keychain?")
                                     .arg(name))
            != QMessageBox::Yes)
        return;
    setBusy(true);
    runInBackground<Result<void>>(
        this,
        [path = m_configPath, service = m_keychainService, name] {
            return ProvidersWork::removeProvider(path, service, name);
        },
        [this, name](const Result<void> &removed) {
            setBusy(false);
            if (!removed) {
                showStatus(removed.errorMessage(), false);
                Q_EMIT idle();
                return;
            }
            showStatus(tr("Removed %1.").arg(name), true);
            Q_EMIT configChanged();
            reload();
        });
}

void ProvidersPage::testProvider()
{
    const QString name = selectedProvider();
    const ProviderConfig *provider = nullptr;
    for (const ProviderConfig &candidate : std::as_const(m_snapshot.providers)) {
        if (candidate.name == name)
            provider = &candidate;
    }
    if (!provider)
        return;
    setBusy(true);
    showStatus(tr("Testing %1…").arg(name), true);
    runInBackground<Result<QString>>(
        this, [service = m_keychainService, ref = provider->apiKey] { return ProvidersWork::resolveKey(service, ref); },
        [this, config = *provider](const Result<QString> &key) {
            if (!key) {
                setBusy(false);
                showStatus(key.errorMessage(), false);
                Q_EMIT idle();
                return;
            }
            delete m_probe;
            m_probe = new ProviderProbe(this);
            connect(m_probe, &ProviderProbe::finished, this, &ProvidersPage::onProbed);
            m_probe->start(config, *key);
        });
}

void ProvidersPage::onProbed(const ProbeResult &result)
{
    setBusy(false);
    QString text = result.message;
    if (result.ok && !result.models.isEmpty()) {
        constexpr qsizetype Shown = 8;
        text += QStringLiteral(": ") + result.models.mid(0, Shown).join(QStringLiteral(", "))
            + (result.models.size() > Shown ? QStringLiteral(", …") : QString());
    }
    showStatus(text, result.ok);
    Q_EMIT idle();
}

void ProvidersPage::addModel()
{
    clearFormErrors();
    QStringList fallbacks;
    for (const QString &name : m_fallbacks->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        fallbacks.append(name.trimmed());
    const ModelEntry entry {m_modelName->text().trimmed(), m_modelProvider->currentText(),
                            m_upstreamModel->text().trimmed(), fallbacks};
    if (entry.name.isEmpty()) {
        m_modelError->setText(tr("Give the model a name: the one your tools will ask for."));
        m_modelError->setVisible(true);
        return;
    }
    if (entry.provider.isEmpty()) {
        m_modelError->setText(tr("Add a provider first."));
        m_modelError->setVisible(true);
        return;
    }
    const bool exists = modelExists(entry.name);
    if (exists && !entry.fallbacks.isEmpty()) {
        m_modelError->setText(tr("%1 exists already: leave \u201cFalls back to\u201d empty to serve it from %2 too, or "
                                 "remove it first.")
                                  .arg(entry.name, entry.provider));
        m_modelError->setVisible(true);
        return;
    }
    setBusy(true);
    runInBackground<Result<void>>(
        this,
        [path = m_configPath, entry, exists] {
            return exists ? ProvidersWork::addDeployment(path, entry.name, entry.provider, entry.upstreamModel)
                          : ProvidersWork::addModel(path, entry);
        },
        [this, entry, exists](const Result<void> &added) {
            setBusy(false);
            if (!added) {
                m_modelError->setText(added.errorMessage());
                m_modelError->setVisible(true);
                Q_EMIT idle();
                return;
            }
            m_modelName->clear();
            m_upstreamModel->clear();
            m_fallbacks->clear();
            showStatus(exists ? tr("%1 is now served by %2 too, balanced with its other deployments.")
                                    .arg(entry.name, entry.provider)
                              : tr("Added the model %1: clients can ask for it now.").arg(entry.name),
                       true);
            Q_EMIT configChanged();
            reload();
        });
}

bool ProvidersPage::modelExists(const QString &name) const
{
    return std::any_of(m_snapshot.models.cbegin(), m_snapshot.models.cend(),
                       [&name](const ModelRoute &model) { return model.name == name; });
}

void ProvidersPage::updateModelButton()
{
    const bool exists = modelExists(m_modelName->text().trimmed());
    m_addModelButton->setText(exists ? tr("Serve it from this provider too") : tr("Add model"));
    m_addModelButton->setToolTip(
        exists ? tr("One more deployment of %1, balanced with the others").arg(m_modelName->text().trimmed())
               : QString());
}

void ProvidersPage::removeModel()
{
    const QString name = selectedModel();
    if (name.isEmpty())
        return;
    setBusy(true);
    runInBackground<Result<void>>(
        this, [path = m_configPath, name] { return ProvidersWork::removeModel(path, name); },
        [this, name](const Result<void> &removed) {
            setBusy(false);
            if (!removed) {
                showStatus(removed.errorMessage(), false);
                Q_EMIT idle();
                return;
            }
            showStatus(tr("Removed the model %1.").arg(name), true);
            Q_EMIT configChanged();
            reload();
        });
}

void ProvidersPage::showStatus(const QString &text, bool ok)
{
    const RecordFormat::Tone tone = ok ? RecordFormat::Tone::Success : RecordFormat::Tone::Failure;
    m_status->setText(QStringLiteral("<span style=\"color:%1\">●</span> %2")
                          .arg(RecordFormat::color(tone, palette()).name(), text.toHtmlEscaped()));
}

void ProvidersPage::setBusy(bool busy)
{
    m_busy = busy;
    updateButtons();
}

QString ProvidersPage::selectedProvider() const
{
    const QModelIndexList rows = m_providerTable->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : m_providers->item(rows.first().row())->text();
}

QString ProvidersPage::selectedModel() const
{
    const QModelIndexList rows = m_modelTable->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : m_models->item(rows.first().row())->text();
}

void ProvidersPage::updateButtons()
{
    const bool editable = !m_busy && !m_configPath.isEmpty() && m_snapshot.error.isEmpty();
    m_testButton->setEnabled(!m_busy && !selectedProvider().isEmpty());
    m_removeButton->setEnabled(editable && !selectedProvider().isEmpty());
    m_editButton->setEnabled(editable && !selectedProvider().isEmpty());
    m_removeModelButton->setEnabled(editable && !selectedModel().isEmpty());
    m_addButton->setEnabled(editable);
    m_addModelButton->setEnabled(editable && m_modelProvider->count() > 0);
}

void ProvidersPage::updateEmptyStates()
{
    m_providersEmpty->setText(tr("No providers yet.\nAdd one with the form on the right: pick its type, paste its "
                                 "key, and Sluice keeps the key in the system keychain."));
    m_providersEmpty->setVisible(m_providers->rowCount() == 0);
    m_modelsEmpty->setText(tr("No model names yet.\nGive a provider's model a name your tools ask for."));
    m_modelsEmpty->setVisible(m_models->rowCount() == 0);
}

} // namespace sluice

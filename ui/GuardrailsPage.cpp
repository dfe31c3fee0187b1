#include "GuardrailsPage.h"

#include <optional>

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QThreadPool>
#include <QTimer>
#include <QVBoxLayout>

#include "Background.h"
#include "GuardrailsWork.h"
#include "RecordFormat.h"
#include "guardrails/GuardrailDetectors.h"
#include "guardrails/Guardrails.h"

namespace sluice {

namespace {
QLabel *sectionTitle(const QString &text, QWidget *parent)
{
    auto *title = new QLabel(text, parent);
    QFont font = title->font();
    font.setBold(true);
    title->setFont(font);
    return title;
}

QLabel *note(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
}

QTableView *plainTable(QStandardItemModel *model, QWidget *parent, const QString &name)
{
    auto *table = new QTableView(parent);
    table->setObjectName(name);
    table->setModel(model);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setAlternatingRowColors(true);
    table->setShowGrid(false);
    table->setWordWrap(false);
    table->setFrameShape(QFrame::NoFrame);
    table->verticalHeader()->hide();
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 10);
    table->horizontalHeader()->setHighlightSections(false);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->horizontalHeader()->setStretchLastSection(true);
    return table;
}

QString scopeOf(const GuardrailRule &rule)
{
    QStringList scope;
    if (!rule.models.isEmpty())
        scope << GuardrailsPage::tr("models: %1").arg(rule.models.join(QStringLiteral(", ")));
    if (!rule.tokens.isEmpty())
        scope << GuardrailsPage::tr("tokens: %1").arg(rule.tokens.join(QStringLiteral(", ")));
    if (!rule.clients.isEmpty())
        scope << GuardrailsPage::tr("clients: %1").arg(rule.clients.join(QStringLiteral(", ")));
    return scope.isEmpty() ? GuardrailsPage::tr("all traffic") : scope.join(QStringLiteral("; "));
}

// A path under the home folder as ~/..., as a user reads it.
QString shownPath(const QString &path)
{
    const QString home = QDir::homePath() + QLatin1Char('/');
    return QDir::toNativeSeparators(path.startsWith(home) ? QStringLiteral("~/") + path.mid(home.size()) : path);
}

QStringList listOf(const QLineEdit *edit)
{
    QStringList items;
    for (const QString &item : edit->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (!item.trimmed().isEmpty())
            items.append(item.trimmed());
    }
    return items;
}

QString detectsOf(const GuardrailRule &rule)
{
    if (rule.detect == QLatin1String("regex"))
        return GuardrailsPage::tr("regex %1").arg(rule.pattern);
    if (rule.detect == QLatin1String("words"))
        return GuardrailsPage::tr("words: %1").arg(rule.words.join(QStringLiteral(", ")));
    return rule.detect;
}
} // namespace

GuardrailsPage::GuardrailsPage(QWidget *parent)
    : QWidget(parent)
    , m_rules(new QStandardItemModel(0, 6, this))
    , m_detectors(new QStandardItemModel(0, 3, this))
    , m_typingPause(new QTimer(this))
{
    m_rules->setHorizontalHeaderLabels(
        {tr("Rule"), tr("Detects"), tr("Action"), tr("On"), tr("Restores"), tr("Scope")});
    m_detectors->setHorizontalHeaderLabels({tr("Detector"), tr("Group"), tr("Finds")});
    for (const GuardrailDetector &detector : GuardrailDetectors::all()) {
        m_detectors->appendRow({new QStandardItem(detector.name), new QStandardItem(detector.category),
                                new QStandardItem(detector.description)});
    }

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    auto *header = new QVBoxLayout;
    header->setContentsMargins(12, 10, 12, 8);
    header->setSpacing(4);
    header->addWidget(sectionTitle(tr("Guardrails"), this));
    header->addWidget(note(tr("Rules checked on this computer before a request leaves it and before an answer "
                              "reaches the client: block refuses it, mask sends placeholders such as [SECRET_AWS_1] "
                              "(and puts the values back in the answer), log only counts. The request log never "
                              "stores a detected value."),
                           this));
    m_source = new QLabel(this);
    m_source->setObjectName(QStringLiteral("guardrailsSource"));
    m_source->setWordWrap(true);
    m_source->setTextInteractionFlags(Qt::TextSelectableByMouse);
    header->addWidget(m_source);
    layout->addLayout(header);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("guardrailsSplitter"));
    splitter->setChildrenCollapsible(false);

    auto *rulesArea = new QSplitter(Qt::Horizontal, splitter);
    rulesArea->setObjectName(QStringLiteral("guardrailsRulesArea"));
    rulesArea->setChildrenCollapsible(false);
    auto *rulesBox = new QWidget(rulesArea);
    auto *rulesLayout = new QVBoxLayout(rulesBox);
    rulesLayout->setContentsMargins(0, 0, 0, 0);
    rulesLayout->setSpacing(4);
    m_rulesTable = plainTable(m_rules, rulesBox, QStringLiteral("guardrailRules"));
    m_emptyState = new QLabel(m_rulesTable->viewport());
    m_emptyState->setObjectName(QStringLiteral("guardrailsEmptyState"));
    m_emptyState->setAlignment(Qt::AlignCenter);
    m_emptyState->setWordWrap(true);
    m_emptyState->setForegroundRole(QPalette::PlaceholderText);
    m_emptyState->setText(tr("No guardrail rules: requests leave as the client sent them.\nAdd one with \"Add "
                             "rule\", e.g. detect secrets and mask them (docs/guardrails.md has more examples)."));
    auto *viewportLayout = new QVBoxLayout(m_rulesTable->viewport());
    viewportLayout->addWidget(m_emptyState);
    rulesLayout->addWidget(m_rulesTable, 1);
    auto *buttons = new QHBoxLayout;
    buttons->setContentsMargins(12, 0, 12, 4);
    m_add = new QPushButton(tr("Add rule"), rulesBox);
    m_add->setObjectName(QStringLiteral("addRuleButton"));
    m_edit = new QPushButton(tr("Edit"), rulesBox);
    m_edit->setObjectName(QStringLiteral("editRuleButton"));
    m_remove = new QPushButton(tr("Remove"), rulesBox);
    m_remove->setObjectName(QStringLiteral("removeRuleButton"));
    m_status = new QLabel(rulesBox);
    m_status->setObjectName(QStringLiteral("guardrailsStatus"));
    m_status->setWordWrap(true);
    buttons->addWidget(m_add);
    buttons->addWidget(m_edit);
    buttons->addWidget(m_remove);
    buttons->addWidget(m_status, 1);
    rulesLayout->addLayout(buttons);
    rulesArea->addWidget(rulesBox);

    m_editor = new QGroupBox(rulesArea);
    m_editor->setObjectName(QStringLiteral("ruleEditor"));
    auto *form = new QFormLayout(m_editor);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setVerticalSpacing(2);
    const auto errorLabel = [this](const QString &key) {
        auto *label = new QLabel(m_editor);
        label->setObjectName(key + QStringLiteral("Error"));
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        label->hide();
        m_fieldErrors.insert(key, label);
        return label;
    };
    const auto addField = [&](const QString &key, const QString &title, QWidget *field) {
        field->setObjectName(QStringLiteral("rule") + key.at(0).toUpper() + key.mid(1));
        auto *column = new QWidget(m_editor);
        auto *columnLayout = new QVBoxLayout(column);
        columnLayout->setContentsMargins(0, 0, 0, 0);
        columnLayout->setSpacing(1);
        columnLayout->addWidget(field);
        columnLayout->addWidget(errorLabel(key));
        form->addRow(title, column);
    };
    m_name = new QLineEdit(m_editor);
    m_name->setPlaceholderText(tr("e.g. no-keys"));
    addField(QStringLiteral("name"), tr("Name"), m_name);
    m_detect = new QComboBox(m_editor);
    m_detect->addItem(tr("secrets (every key and token detector)"), QStringLiteral("secrets"));
    m_detect->addItem(tr("pii (every personal data detector)"), QStringLiteral("pii"));
    m_detect->addItem(tr("regex (your regular expression)"), QStringLiteral("regex"));
    m_detect->addItem(tr("words (your list of words)"), QStringLiteral("words"));
    for (const GuardrailDetector &detector : GuardrailDetectors::all())
        m_detect->addItem(detector.name, detector.name);
    addField(QStringLiteral("detect"), tr("Detects"), m_detect);
    m_pattern = new QLineEdit(m_editor);
    m_pattern->setPlaceholderText(tr("RE2 syntax, e.g. ACME-[0-9]{4,8}"));
    addField(QStringLiteral("pattern"), tr("Pattern"), m_pattern);
    m_words = new QLineEdit(m_editor);
    m_words->setPlaceholderText(tr("comma-separated, e.g. project falcon, bluebird"));
    addField(QStringLiteral("words"), tr("Words"), m_words);
    m_action = new QComboBox(m_editor);
    m_action->addItem(tr("mask: send a placeholder"), QStringLiteral("mask"));
    m_action->addItem(tr("block: refuse with a 400"), QStringLiteral("block"));
    m_action->addItem(tr("log: only count"), QStringLiteral("log"));
    addField(QStringLiteral("action"), tr("Action"), m_action);
    m_on = new QComboBox(m_editor);
    m_on->addItem(tr("request"), QStringLiteral("request"));
    m_on->addItem(tr("response"), QStringLiteral("response"));
    m_on->addItem(tr("both"), QStringLiteral("both"));
    addField(QStringLiteral("on"), tr("Checks"), m_on);
    m_restore = new QCheckBox(tr("Put masked values back in the answer"), m_editor);
    addField(QStringLiteral("restore"), tr("Restore"), m_restore);
    m_models = new QLineEdit(m_editor);
    m_models->setPlaceholderText(tr("every model"));
    addField(QStringLiteral("models"), tr("Models"), m_models);
    m_tokens = new QLineEdit(m_editor);
    m_tokens->setPlaceholderText(tr("every gateway token"));
    addField(QStringLiteral("tokens"), tr("Tokens"), m_tokens);
    m_clients = new QLineEdit(m_editor);
    m_clients->setPlaceholderText(tr("every client (User-Agent starts with, e.g. claude-cli)"));
    addField(QStringLiteral("clients"), tr("Clients"), m_clients);
    m_enabled = new QCheckBox(tr("On (off: kept in the config, checks nothing)"), m_editor);
    addField(QStringLiteral("enabled"), tr("Enabled"), m_enabled);
    m_editorError = new QLabel(m_editor);
    m_editorError->setObjectName(QStringLiteral("ruleError"));
    m_editorError->setWordWrap(true);
    m_editorError->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_editorError->hide();
    form->addRow(m_editorError);
    auto *editorButtons = new QHBoxLayout;
    m_save = new QPushButton(tr("Save"), m_editor);
    m_save->setObjectName(QStringLiteral("saveRuleButton"));
    m_save->setDefault(true);
    auto *cancel = new QPushButton(tr("Cancel"), m_editor);
    cancel->setObjectName(QStringLiteral("cancelRuleButton"));
    editorButtons->addStretch(1);
    editorButtons->addWidget(cancel);
    editorButtons->addWidget(m_save);
    form->addRow(editorButtons);
    m_editor->hide();
    rulesArea->addWidget(m_editor);
    rulesArea->setStretchFactor(0, 3);
    rulesArea->setStretchFactor(1, 2);
    splitter->addWidget(rulesArea);

    m_checkPause = new QTimer(this);
    m_checkPause->setSingleShot(true);
    m_checkPause->setInterval(300);
    connect(m_checkPause, &QTimer::timeout, this, &GuardrailsPage::startCheck);
    for (QLineEdit *edit : {m_name, m_pattern, m_words, m_models, m_tokens, m_clients})
        connect(edit, &QLineEdit::textEdited, this, &GuardrailsPage::draftChanged);
    for (QComboBox *combo : {m_detect, m_action, m_on})
        connect(combo, &QComboBox::currentIndexChanged, this, &GuardrailsPage::draftChanged);
    for (QCheckBox *box : {m_restore, m_enabled})
        connect(box, &QCheckBox::toggled, this, &GuardrailsPage::draftChanged);
    connect(m_save, &QPushButton::clicked, this, &GuardrailsPage::saveDraft);
    connect(cancel, &QPushButton::clicked, this, &GuardrailsPage::closeEditor);
    connect(m_add, &QPushButton::clicked, this, &GuardrailsPage::addRule);
    connect(m_edit, &QPushButton::clicked, this, [this] {
        const QModelIndexList rows = m_rulesTable->selectionModel()->selectedRows();
        if (!rows.isEmpty())
            editRule(rows.first().row());
    });
    connect(m_rulesTable, &QTableView::doubleClicked, this,
            [this](const QModelIndex &index) { editRule(index.row()); });
    connect(m_remove, &QPushButton::clicked, this, &GuardrailsPage::askRemove);
    connect(m_rulesTable->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &GuardrailsPage::updateButtons);
    connect(m_rules, &QStandardItemModel::itemChanged, this, [this](QStandardItem *item) {
        if (!m_filling && item->column() == 0 && item->isCheckable())
            setRuleEnabled(item->row(), item->checkState() == Qt::Checked);
    });

    auto *tryBox = new QWidget(splitter);
    auto *tryLayout = new QVBoxLayout(tryBox);
    tryLayout->setContentsMargins(12, 8, 12, 8);
    tryLayout->setSpacing(4);
    tryLayout->addWidget(sectionTitle(tr("Try it"), tryBox));
    tryLayout->addWidget(note(tr("Type or paste a prompt: below is what the provider would get with the request "
                                 "rules above. Nothing here is sent or logged."),
                              tryBox));
    m_tryNote = new QLabel(tryBox);
    m_tryNote->setObjectName(QStringLiteral("tryDraftNote"));
    m_tryNote->setWordWrap(true);
    m_tryNote->hide();
    tryLayout->addWidget(m_tryNote);
    auto *texts = new QSplitter(Qt::Horizontal, tryBox);
    m_tryInput = new QPlainTextEdit(texts);
    m_tryInput->setObjectName(QStringLiteral("tryInput"));
    m_tryInput->setPlaceholderText(tr("e.g. deploy with AKIAIOSFODNN7EXAMPLE and mail ops@example.com"));
    m_tryOutput = new QPlainTextEdit(texts);
    m_tryOutput->setObjectName(QStringLiteral("tryOutput"));
    m_tryOutput->setReadOnly(true);
    m_tryOutput->setPlaceholderText(tr("What the provider would see"));
    texts->addWidget(m_tryInput);
    texts->addWidget(m_tryOutput);
    tryLayout->addWidget(texts, 1);
    m_tryResult = new QLabel(tryBox);
    m_tryResult->setObjectName(QStringLiteral("tryResult"));
    m_tryResult->setWordWrap(true);
    tryLayout->addWidget(m_tryResult);
    splitter->addWidget(tryBox);

    auto *detectorsBox = new QWidget(splitter);
    auto *detectorsLayout = new QVBoxLayout(detectorsBox);
    detectorsLayout->setContentsMargins(0, 8, 0, 0);
    detectorsLayout->setSpacing(4);
    auto *detectorsTitle = sectionTitle(tr("Built-in detectors"), detectorsBox);
    detectorsTitle->setContentsMargins(12, 0, 12, 0);
    detectorsLayout->addWidget(detectorsTitle);
    auto *detectorsTable = plainTable(m_detectors, detectorsBox, QStringLiteral("guardrailDetectors"));
    detectorsTable->setToolTip(tr("Double-click a detector to make a rule of its own for it (its action and scope)"));
    detectorsLayout->addWidget(detectorsTable, 1);
    connect(detectorsTable, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        if (m_configPath.isEmpty())
            return;
        const QString detector = m_detectors->item(index.row(), 0)->text();
        addRule();
        m_name->setText(detector);
        m_detect->setCurrentIndex(m_detect->findData(detector));
    });
    splitter->addWidget(detectorsBox);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 3);
    splitter->setStretchFactor(2, 2);
    layout->addWidget(splitter, 1);

    m_typingPause->setSingleShot(true);
    m_typingPause->setInterval(200);
    connect(m_typingPause, &QTimer::timeout, this, &GuardrailsPage::startPreview);
    connect(m_tryInput, &QPlainTextEdit::textChanged, m_typingPause, qOverload<>(&QTimer::start));
    setRules({}, {});
}

GuardrailsPage::~GuardrailsPage() = default;

void GuardrailsPage::setRules(const GuardrailSettings &settings, const QString &configPath)
{
    m_settings = settings;
    m_shownPath = configPath;
    if (!configPath.isEmpty())
        m_configPath = configPath;
    m_guardrails = std::make_shared<const Guardrails>(settings);
    fillTable();
    m_source->setText(configPath.isEmpty()
                          ? tr("Add a rule to start a guardrails section in the config file (docs/guardrails.md).")
                          : tr("From the guardrails section of %1. A saved change applies to the next request "
                               "(docs/guardrails.md).")
                                .arg(shownPath(configPath)));
    startPreview();
}

void GuardrailsPage::setConfigPath(const QString &path)
{
    if (m_shownPath.isEmpty())
        m_configPath = path;
    updateButtons();
}

void GuardrailsPage::fillTable()
{
    m_filling = true;
    const QString selected = m_rulesTable->selectionModel()->selectedRows().isEmpty()
        ? QString()
        : m_rules->item(m_rulesTable->selectionModel()->selectedRows().first().row(), 0)->text();
    m_rules->removeRows(0, m_rules->rowCount());
    for (const GuardrailRule &rule : std::as_const(m_settings.rules)) {
        const bool restores = rule.action == GuardrailRule::Action::Mask && rule.appliesToRequest();
        QList<QStandardItem *> row {new QStandardItem(rule.name),
                                    new QStandardItem(detectsOf(rule)),
                                    new QStandardItem(guardrailActionName(rule.action)),
                                    new QStandardItem(guardrailSideName(rule.on)),
                                    new QStandardItem(restores ? (rule.restore ? tr("yes") : tr("no")) : QString()),
                                    new QStandardItem(scopeOf(rule))};
        row.first()->setCheckable(true);
        row.first()->setCheckState(rule.enabled ? Qt::Checked : Qt::Unchecked);
        row.first()->setToolTip(
            rule.enabled ? tr("Defined on line %1 of the config; untick to switch it off").arg(rule.configLine)
                         : tr("Switched off (enabled: false): it checks nothing"));
        if (!rule.enabled) {
            for (QStandardItem *item : row)
                item->setForeground(palette().brush(QPalette::Disabled, QPalette::Text));
        }
        m_rules->appendRow(row);
        if (rule.name == selected)
            m_rulesTable->selectRow(m_rules->rowCount() - 1);
    }
    m_emptyState->setVisible(m_settings.rules.isEmpty());
    m_filling = false;
    updateButtons();
}

void GuardrailsPage::updateButtons()
{
    const bool selected = !m_rulesTable->selectionModel()->selectedRows().isEmpty();
    const bool writable = !m_configPath.isEmpty() && !m_busy;
    m_add->setEnabled(writable);
    m_edit->setEnabled(writable && selected);
    m_remove->setEnabled(writable && selected);
    m_save->setEnabled(writable);
}

bool GuardrailsPage::isEditing() const
{
    return !m_editor->isHidden();
}

void GuardrailsPage::addRule()
{
    m_originalName.clear();
    m_editor->setTitle(tr("New rule"));
    m_name->clear();
    m_detect->setCurrentIndex(m_detect->findData(QStringLiteral("secrets")));
    m_pattern->clear();
    m_words->clear();
    m_action->setCurrentIndex(m_action->findData(QStringLiteral("mask")));
    m_on->setCurrentIndex(m_on->findData(QStringLiteral("request")));
    m_restore->setChecked(true);
    m_models->clear();
    m_tokens->clear();
    m_clients->clear();
    m_enabled->setChecked(true);
    m_editor->show();
    updateDetectFields();
    m_name->setFocus();
    draftChanged();
}

void GuardrailsPage::editRule(int row)
{
    if (row < 0 || row >= m_settings.rules.size() || m_configPath.isEmpty())
        return;
    const GuardrailRule &rule = m_settings.rules.at(row);
    m_originalName = rule.name;
    m_editor->setTitle(tr("Edit rule '%1'").arg(rule.name));
    m_name->setText(rule.name);
    int detect = m_detect->findData(rule.detect);
    if (detect < 0) {
        m_detect->addItem(rule.detect, rule.detect);
        detect = m_detect->count() - 1;
    }
    m_detect->setCurrentIndex(detect);
    m_pattern->setText(rule.pattern);
    m_words->setText(rule.words.join(QStringLiteral(", ")));
    m_action->setCurrentIndex(m_action->findData(guardrailActionName(rule.action)));
    m_on->setCurrentIndex(m_on->findData(guardrailSideName(rule.on)));
    m_restore->setChecked(rule.restore);
    m_models->setText(rule.models.join(QStringLiteral(", ")));
    m_tokens->setText(rule.tokens.join(QStringLiteral(", ")));
    m_clients->setText(rule.clients.join(QStringLiteral(", ")));
    m_enabled->setChecked(rule.enabled);
    m_editor->show();
    updateDetectFields();
    draftChanged();
}

GuardrailRule GuardrailsPage::draft() const
{
    GuardrailRule rule;
    rule.name = m_name->text().trimmed();
    rule.detect = m_detect->currentData().toString();
    if (rule.detect == QLatin1String("regex"))
        rule.pattern = m_pattern->text();
    if (rule.detect == QLatin1String("words"))
        rule.words = listOf(m_words);
    const QString action = m_action->currentData().toString();
    rule.action = action == QLatin1String("block") ? GuardrailRule::Action::Block
        : action == QLatin1String("log")           ? GuardrailRule::Action::Log
                                                   : GuardrailRule::Action::Mask;
    const QString on = m_on->currentData().toString();
    rule.on = on == QLatin1String("response") ? GuardrailRule::Side::Response
        : on == QLatin1String("both")         ? GuardrailRule::Side::Both
                                              : GuardrailRule::Side::Request;
    rule.restore = m_restore->isChecked();
    rule.models = listOf(m_models);
    rule.tokens = listOf(m_tokens);
    rule.clients = listOf(m_clients);
    rule.enabled = m_enabled->isChecked();
    return rule;
}

void GuardrailsPage::updateDetectFields()
{
    const QString detect = m_detect->currentData().toString();
    const auto showRow = [this](QWidget *field, bool shown) {
        auto *form = static_cast<QFormLayout *>(m_editor->layout());
        form->setRowVisible(field->parentWidget(), shown);
    };
    showRow(m_pattern, detect == QLatin1String("regex"));
    showRow(m_words, detect == QLatin1String("words"));
    m_restore->setEnabled(m_action->currentData().toString() == QLatin1String("mask"));
}

void GuardrailsPage::draftChanged()
{
    if (!isEditing())
        return;
    updateDetectFields();
    m_checkPause->start();
    m_typingPause->start();
}

void GuardrailsPage::checkNow()
{
    m_checkPause->stop();
    startCheck();
}

void GuardrailsPage::startCheck()
{
    if (!isEditing() || m_configPath.isEmpty())
        return;
    const quint64 generation = ++m_checkGeneration;
    runInBackground<GuardrailEdit>(
        this,
        [path = m_configPath, original = m_originalName, rule = draft()] {
            return GuardrailsWork::check(path, original, rule);
        },
        [this, generation](const GuardrailEdit &edit) {
            if (generation == m_checkGeneration)
                showErrors(edit);
            Q_EMIT idle();
        });
}

void GuardrailsPage::showErrors(const GuardrailEdit &edit)
{
    QPalette failure = palette();
    failure.setColor(QPalette::WindowText, RecordFormat::color(RecordFormat::Tone::Failure, palette()));
    for (auto it = m_fieldErrors.cbegin(); it != m_fieldErrors.cend(); ++it) {
        const QString message = edit.fieldErrors.value(it.key());
        it.value()->setPalette(failure);
        it.value()->setText(message);
        it.value()->setVisible(!message.isEmpty());
    }
    // A message about a field the form does not show (or about no field) goes under the form.
    QStringList other;
    if (!edit.error.isEmpty())
        other.append(edit.error);
    for (auto it = edit.fieldErrors.cbegin(); it != edit.fieldErrors.cend(); ++it) {
        if (!m_fieldErrors.contains(it.key()))
            other.append(it.key() + QStringLiteral(": ") + it.value());
    }
    m_editorError->setPalette(failure);
    m_editorError->setText(other.join(QLatin1Char('\n')));
    m_editorError->setVisible(!other.isEmpty());
}

void GuardrailsPage::saveDraft()
{
    if (m_configPath.isEmpty() || m_busy)
        return;
    m_checkPause->stop();
    ++m_checkGeneration; // a check still running says nothing about what is saved
    m_busy = true;
    updateButtons();
    const GuardrailRule rule = draft();
    runInBackground<GuardrailEdit>(
        this,
        [path = m_configPath, original = m_originalName, rule] { return GuardrailsWork::save(path, original, rule); },
        [this, name = rule.name](const GuardrailEdit &edit) {
            m_busy = false;
            showErrors(edit);
            if (edit.ok) {
                closeEditor();
                applied(edit, tr("Saved rule '%1': the next request uses it.").arg(name));
            } else {
                updateButtons();
                Q_EMIT idle();
            }
        });
}

void GuardrailsPage::closeEditor()
{
    m_checkPause->stop();
    ++m_checkGeneration;
    m_editor->hide();
    m_originalName.clear();
    showErrors({});
    startPreview();
}

void GuardrailsPage::setRuleEnabled(int row, bool enabled)
{
    if (row < 0 || row >= m_settings.rules.size() || m_configPath.isEmpty())
        return;
    if (m_busy) {
        QTimer::singleShot(0, this, &GuardrailsPage::fillTable); // one change at a time: the box shows the file
        return;
    }
    GuardrailRule rule = m_settings.rules.at(row);
    rule.enabled = enabled;
    m_busy = true;
    updateButtons();
    runInBackground<GuardrailEdit>(
        this, [path = m_configPath, rule] { return GuardrailsWork::save(path, rule.name, rule); },
        [this, rule](const GuardrailEdit &edit) {
            m_busy = false;
            applied(edit,
                    rule.enabled ? tr("Rule '%1' is on again.").arg(rule.name)
                                 : tr("Rule '%1' is off: it checks nothing until switched on.").arg(rule.name));
        });
}

void GuardrailsPage::askRemove()
{
    const QModelIndexList rows = m_rulesTable->selectionModel()->selectedRows();
    if (rows.isEmpty() || m_busy)
        return;
    const QString name = m_rules->item(rows.first().row(), 0)->text();
    auto *question = new QMessageBox(QMessageBox::Question, tr("Remove rule"),
                                     tr("Remove the guardrail rule '%1' from the config?").arg(name),
                                     QMessageBox::Yes | QMessageBox::Cancel, this);
    question->setObjectName(QStringLiteral("removeRuleQuestion"));
    question->setAttribute(Qt::WA_DeleteOnClose);
    connect(question, &QMessageBox::finished, this, [this, question, name] {
        if (question->result() != QMessageBox::Yes)
            return;
        m_busy = true;
        updateButtons();
        runInBackground<GuardrailEdit>(
            this, [path = m_configPath, name] { return GuardrailsWork::remove(path, name); },
            [this, name](const GuardrailEdit &edit) {
                m_busy = false;
                if (edit.ok && m_originalName == name)
                    closeEditor();
                applied(edit, tr("Removed rule '%1'.").arg(name));
            });
    });
    question->open();
}

void GuardrailsPage::applied(const GuardrailEdit &edit, const QString &done)
{
    QPalette palette = m_status->palette();
    if (edit.ok) {
        palette.setColor(QPalette::WindowText, this->palette().color(QPalette::WindowText));
        m_status->setText(done);
        setRules(edit.rules, m_configPath);
    } else {
        palette.setColor(QPalette::WindowText, RecordFormat::color(RecordFormat::Tone::Failure, this->palette()));
        QString message = edit.error;
        for (auto it = edit.fieldErrors.cbegin(); it != edit.fieldErrors.cend(); ++it)
            message += (message.isEmpty() ? QString() : QStringLiteral("\n")) + it.key() + QStringLiteral(": ")
                + it.value();
        m_status->setText(message);
        fillTable(); // a switch that failed shows the rule as it is
    }
    m_status->setPalette(palette);
    updateButtons();
    Q_EMIT idle();
}

std::shared_ptr<const Guardrails> GuardrailsPage::tried(const GuardrailSettings &saved,
                                                        const std::shared_ptr<const Guardrails> &savedGuardrails,
                                                        const std::optional<GuardrailRule> &draft,
                                                        const QString &originalName, QString *note)
{
    note->clear();
    if (!draft)
        return savedGuardrails;
    const QString problem = draft->name.isEmpty() ? tr("it has no name yet") : Guardrails::validate(*draft);
    if (!problem.isEmpty()) {
        *note = tr("The rule being edited is not tried (%1): the saved rules are.").arg(problem);
        return savedGuardrails;
    }
    GuardrailSettings settings = saved;
    qsizetype at = -1;
    for (qsizetype i = 0; i < settings.rules.size() && !originalName.isEmpty(); ++i) {
        if (settings.rules.at(i).name == originalName)
            at = i;
    }
    if (at >= 0)
        settings.rules[at] = *draft;
    else
        settings.rules.append(*draft);
    *note = draft->enabled ? tr("Trying the unsaved rule '%1' with the saved ones.").arg(draft->name)
                           : tr("The rule being edited is off: only the saved rules are tried.");
    return std::make_shared<const Guardrails>(settings);
}

void GuardrailsPage::tryNow()
{
    m_typingPause->stop();
    startPreview();
}

void GuardrailsPage::startPreview()
{
    const quint64 generation = ++m_generation;
    const QString text = m_tryInput->toPlainText();
    std::optional<GuardrailRule> edited;
    if (isEditing())
        edited = draft();
    // A pasted file can be large, and a draft's regex is compiled: off the GUI thread, only the latest result shown.
    QPointer<GuardrailsPage> page(this);
    QThreadPool::globalInstance()->start(
        [page, generation, text, saved = m_settings, guardrails = m_guardrails, edited, original = m_originalName] {
            QString note;
            const std::shared_ptr<const Guardrails> used = tried(saved, guardrails, edited, original, &note);
            const Guardrails::Preview preview = text.isEmpty() ? Guardrails::Preview() : used->preview(text);
            RequestRecord hits;
            hits.guardrailHits = preview.hits;
            const QString described = RecordFormat::guardrailHits(hits);
            // Handed to the GUI thread through the application, which outlives the page: the page may be going
            // away right now, and only its own thread may look at the QPointer.
            QMetaObject::invokeMethod(
                QCoreApplication::instance(),
                [page, generation, result = preview.text, described, blocked = preview.blockedBy, note] {
                    if (page)
                        page->showPreview(generation, result, described, blocked, note);
                },
                Qt::QueuedConnection);
        });
}

void GuardrailsPage::showPreview(quint64 generation, const QString &text, const QString &hits, const QString &blockedBy,
                                 const QString &note)
{
    if (generation != m_generation)
        return; // typed on since
    m_tryNote->setText(note);
    m_tryNote->setVisible(!note.isEmpty());
    m_tryOutput->setPlainText(text);
    QPalette palette = m_tryResult->palette();
    palette.setColor(QPalette::WindowText, this->palette().color(QPalette::WindowText));
    if (m_tryInput->toPlainText().isEmpty()) {
        m_tryResult->clear();
    } else if (!blockedBy.isEmpty()) {
        m_tryResult->setText(
            tr("Blocked by rule '%1': the request would get a 400 and not leave. (%2)").arg(blockedBy, hits));
        palette.setColor(QPalette::WindowText, RecordFormat::color(RecordFormat::Tone::Failure, this->palette()));
    } else if (hits.isEmpty()) {
        m_tryResult->setText(tr("No rule fires: the text would leave as it is."));
    } else {
        m_tryResult->setText(hits);
        palette.setColor(QPalette::WindowText, RecordFormat::color(RecordFormat::Tone::Warning, this->palette()));
    }
    m_tryResult->setPalette(palette);
    Q_EMIT previewShown();
}

} // namespace sluice

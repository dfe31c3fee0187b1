#include "GuardrailsPage.h"

#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPointer>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QThreadPool>
#include <QTimer>
#include <QVBoxLayout>

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

    m_rulesTable = plainTable(m_rules, splitter, QStringLiteral("guardrailRules"));
    m_emptyState = new QLabel(m_rulesTable->viewport());
    m_emptyState->setObjectName(QStringLiteral("guardrailsEmptyState"));
    m_emptyState->setAlignment(Qt::AlignCenter);
    m_emptyState->setWordWrap(true);
    m_emptyState->setForegroundRole(QPalette::PlaceholderText);
    m_emptyState->setText(tr("No guardrail rules: requests leave as the client sent them.\nAdd a guardrails: "
                             "section to the config, e.g.\n\nguardrails:\n  rules:\n    - {name: no-keys, detect: "
                             "secrets, action: mask}\n\n(docs/guardrails.md has more examples)"));
    auto *viewportLayout = new QVBoxLayout(m_rulesTable->viewport());
    viewportLayout->addWidget(m_emptyState);
    splitter->addWidget(m_rulesTable);

    auto *tryBox = new QWidget(splitter);
    auto *tryLayout = new QVBoxLayout(tryBox);
    tryLayout->setContentsMargins(12, 8, 12, 8);
    tryLayout->setSpacing(4);
    tryLayout->addWidget(sectionTitle(tr("Try it"), tryBox));
    tryLayout->addWidget(note(tr("Type or paste a prompt: below is what the provider would get with the request "
                                 "rules above. Nothing here is sent or logged."),
                              tryBox));
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
    detectorsLayout->addWidget(plainTable(m_detectors, detectorsBox, QStringLiteral("guardrailDetectors")), 1);
    splitter->addWidget(detectorsBox);
    splitter->setStretchFactor(0, 2);
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
    m_guardrails = std::make_shared<const Guardrails>(settings);
    m_rules->removeRows(0, m_rules->rowCount());
    for (const GuardrailRule &rule : settings.rules) {
        const bool restores = rule.action == GuardrailRule::Action::Mask && rule.appliesToRequest();
        QList<QStandardItem *> row {new QStandardItem(rule.name),
                                    new QStandardItem(detectsOf(rule)),
                                    new QStandardItem(guardrailActionName(rule.action)),
                                    new QStandardItem(guardrailSideName(rule.on)),
                                    new QStandardItem(restores ? (rule.restore ? tr("yes") : tr("no")) : QString()),
                                    new QStandardItem(scopeOf(rule))};
        row.first()->setToolTip(tr("Defined on line %1 of the config").arg(rule.configLine));
        m_rules->appendRow(row);
    }
    m_emptyState->setVisible(settings.rules.isEmpty());
    m_source->setText(configPath.isEmpty()
                          ? tr("Change them in the guardrails section of the config file (docs/guardrails.md).")
                          : tr("From the guardrails section of %1: edit them there; a saved change applies to the "
                               "next request (docs/guardrails.md).")
                                .arg(configPath));
    startPreview();
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
    if (text.isEmpty()) {
        showPreview(generation, {}, {}, {});
        return;
    }
    // A pasted file can be large: scanned off the GUI thread, only the latest result is shown.
    QPointer<GuardrailsPage> page(this);
    QThreadPool::globalInstance()->start([page, generation, text, guardrails = m_guardrails] {
        const Guardrails::Preview preview = guardrails->preview(text);
        RequestRecord hits;
        hits.guardrailHits = preview.hits;
        const QString described = RecordFormat::guardrailHits(hits);
        QMetaObject::invokeMethod(
            page.data(),
            [page, generation, result = preview.text, described, blocked = preview.blockedBy] {
                if (page)
                    page->showPreview(generation, result, described, blocked);
            },
            Qt::QueuedConnection);
    });
}

void GuardrailsPage::showPreview(quint64 generation, const QString &text, const QString &hits, const QString &blockedBy)
{
    if (generation != m_generation)
        return; // typed on since
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

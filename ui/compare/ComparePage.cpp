#include "ComparePage.h"

#include <algorithm>

#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include "compare/CompareExport.h"
#include "compare/CompareLog.h"
#include "compare/CompareRunner.h"
#include "compare/CompareSource.h"
#include "cost/SpendReport.h"
#include "store/PromptStore.h"
#include "store/RequestLogReader.h"
#include "ui/Background.h"
#include "ui/RecordFormat.h"
#include "ui/compare/CompareColumnView.h"
#include "ui/compare/CompareDiffView.h"
#include "ui/spend/WhatIfPanel.h"

namespace sluice {

namespace {

// How long a finished run waits for its rows: the writer commits in batches within a few hundred ms.
constexpr int RowsTimeoutMs = 3000;

struct Outcome
{
    QString error;
};

QJsonObject parseVariables(const QString &text, QString *problem)
{
    QJsonObject variables;
    for (const QString &pair : text.split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
        const qsizetype equals = pair.indexOf(QLatin1Char('='));
        if (equals <= 0) {
            *problem = QObject::tr("Variables are NAME=VALUE pairs separated by ';', e.g. name=Ada; topic=rivers.");
            return {};
        }
        variables.insert(pair.left(equals).trimmed(), pair.mid(equals + 1).trimmed());
    }
    return variables;
}

} // namespace

ComparePage::ComparePage(QWidget *parent)
    : QWidget(parent)
    , m_runner(new CompareRunner(this))
    , m_flush(new QTimer(this))
{
    m_flush->setInterval(100); // columns repaint at most ~10 times a second while streaming
    m_flush->setSingleShot(true);
    connect(m_flush, &QTimer::timeout, this, &ComparePage::flushColumns);
    connect(m_runner, &CompareRunner::columnUpdated, this, &ComparePage::onColumnUpdated);
    connect(m_runner, &CompareRunner::finished, this, &ComparePage::onRunFinished);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 10, 12, 10);
    auto *title = new QLabel(tr("Compare models"), this);
    QFont titleFont = title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    title->setFont(titleFont);
    layout->addWidget(title);
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("compareMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();
    layout->addWidget(m_message);

    // Side by side on the first tab; the second asks what the logged traffic would have cost on another model.
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("compareTabs"));
    auto *split = new QSplitter(Qt::Horizontal, m_tabs);
    auto *main = new QSplitter(Qt::Vertical, split);
    main->addWidget(buildInputs());
    auto *columns = new QWidget(main);
    m_columnsLayout = new QHBoxLayout(columns);
    m_columnsLayout->setContentsMargins(0, 0, 0, 0);
    m_columnsEmpty = new QLabel(tr("Pick 2 to 6 models and Run: their answers stream here side by side, with time to "
                                   "first token, latency, tokens and cost."),
                                columns);
    m_columnsEmpty->setObjectName(QStringLiteral("columnsEmpty"));
    m_columnsEmpty->setAlignment(Qt::AlignCenter);
    m_columnsEmpty->setWordWrap(true);
    m_columnsEmpty->setForegroundRole(QPalette::PlaceholderText);
    m_columnsLayout->addWidget(m_columnsEmpty);
    main->addWidget(columns);
    m_diff = new CompareDiffView(main);
    m_diff->setObjectName(QStringLiteral("compareDiff"));
    main->addWidget(m_diff);
    main->setStretchFactor(0, 0);
    main->setStretchFactor(1, 3);
    main->setStretchFactor(2, 1);
    main->setSizes({200, 460, 200}); // the columns get the room
    split->addWidget(main);
    split->addWidget(buildSavedRuns());
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);
    m_tabs->addTab(split, tr("Side by side"));
    m_tabs->addTab(buildWhatIf(), tr("What-if cost"));
    layout->addWidget(m_tabs, 1);
    updateButtons();
}

QWidget *ComparePage::buildWhatIf()
{
    auto *panel = new QWidget(this);
    auto *layout = new QVBoxLayout(panel);
    auto *intro = new QLabel(tr("What the traffic already logged would have cost on another model, from its token "
                                "counts and the price catalog (docs/spend.md: What-if cost)."),
                             panel);
    intro->setWordWrap(true);
    intro->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(intro);
    auto *row = new QHBoxLayout;
    m_whatIfPeriod = new QComboBox(panel);
    m_whatIfPeriod->setObjectName(QStringLiteral("compareWhatIfPeriod"));
    m_whatIfPeriod->addItem(tr("Today"), int(WhatIfPeriod::Today));
    m_whatIfPeriod->addItem(tr("Last 7 days"), int(WhatIfPeriod::Week));
    m_whatIfPeriod->addItem(tr("This month"), int(WhatIfPeriod::Month));
    m_whatIfPeriod->addItem(tr("Last 30 days"), int(WhatIfPeriod::ThirtyDays));
    m_whatIfPeriod->setCurrentIndex(2);
    row->addWidget(new QLabel(tr("Period"), panel));
    row->addWidget(m_whatIfPeriod);
    row->addStretch(1);
    layout->addLayout(row);
    m_whatIf = new WhatIfPanel(panel);
    m_whatIf->setObjectName(QStringLiteral("compareWhatIf"));
    layout->addWidget(m_whatIf, 1);
    connect(m_whatIfPeriod, &QComboBox::currentIndexChanged, this, &ComparePage::applyWhatIfPeriod);
    applyWhatIfPeriod();
    return panel;
}

void ComparePage::applyWhatIfPeriod()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QPair<QDateTime, QDateTime> period;
    switch (WhatIfPeriod(m_whatIfPeriod->currentData().toInt())) {
    case WhatIfPeriod::Today:
        period = SpendReport::day(now);
        break;
    case WhatIfPeriod::Week:
        period = {now.addDays(-7), now};
        break;
    case WhatIfPeriod::Month:
        period = SpendReport::month(now);
        break;
    case WhatIfPeriod::ThirtyDays:
        period = {now.addDays(-30), now};
        break;
    }
    m_whatIf->setPeriod(period.first, period.second); // computes again when it changed
}

ComparePage::~ComparePage() = default;

QWidget *ComparePage::buildInputs()
{
    auto *panel = new QWidget(this);
    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *sourceRow = new QHBoxLayout;
    m_sourceLabel = new QLabel(tr("Prompt"), panel);
    m_sourceLabel->setObjectName(QStringLiteral("compareSource"));
    m_typedButton = new QPushButton(tr("Type a prompt instead"), panel);
    m_typedButton->setObjectName(QStringLiteral("compareTyped"));
    m_typedButton->hide();
    connect(m_typedButton, &QPushButton::clicked, this, [this] { useTypedPrompt(); });
    sourceRow->addWidget(m_sourceLabel, 1);
    sourceRow->addWidget(m_typedButton);
    layout->addLayout(sourceRow);
    m_prompt = new QPlainTextEdit(panel);
    m_prompt->setObjectName(QStringLiteral("comparePrompt"));
    m_prompt->setPlaceholderText(tr("Type a prompt, or open a logged request (Live requests: Replay on other "
                                    "models…) or a prompt version (Prompts: Open in Compare)."));
    m_prompt->setMaximumHeight(90);
    layout->addWidget(m_prompt);
    auto *variablesRow = new QHBoxLayout;
    m_variablesLabel = new QLabel(tr("Variables"), panel);
    m_variables = new QLineEdit(panel);
    m_variables->setObjectName(QStringLiteral("compareVariables"));
    m_variables->setPlaceholderText(tr("name=Ada; topic=rivers"));
    variablesRow->addWidget(m_variablesLabel);
    variablesRow->addWidget(m_variables, 1);
    layout->addLayout(variablesRow);
    m_variablesLabel->hide();
    m_variables->hide();

    auto *models = new QScrollArea(panel);
    models->setWidgetResizable(true);
    models->setFrameShape(QFrame::NoFrame);
    auto *pickers = new QWidget(models);
    m_pickerLayout = new QHBoxLayout(pickers);
    m_pickerLayout->setContentsMargins(0, 0, 0, 0);
    m_addModel = new QPushButton(tr("Add model"), pickers);
    m_addModel->setObjectName(QStringLiteral("compareAddModel"));
    connect(m_addModel, &QPushButton::clicked, this, [this] { addPicker(); });
    m_pickerLayout->addWidget(m_addModel);
    m_pickerLayout->addStretch(1);
    models->setWidget(pickers);
    models->setMinimumHeight(70);
    layout->addWidget(models);
    addPicker();
    addPicker();

    auto *actions = new QHBoxLayout;
    m_runButton = new QPushButton(tr("Run"), panel);
    m_runButton->setObjectName(QStringLiteral("compareRun"));
    m_runButton->setDefault(true);
    m_cancelButton = new QPushButton(tr("Cancel"), panel);
    m_cancelButton->setObjectName(QStringLiteral("compareCancel"));
    connect(m_runButton, &QPushButton::clicked, this, &ComparePage::run);
    connect(m_cancelButton, &QPushButton::clicked, this, &ComparePage::cancel);
    actions->addWidget(m_runButton);
    actions->addWidget(m_cancelButton);
    actions->addStretch(1);
    layout->addLayout(actions);
    return panel;
}

QWidget *ComparePage::buildSavedRuns()
{
    auto *panel = new QWidget(this);
    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(6, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Saved runs"), panel));
    m_runs = new QListWidget(panel);
    m_runs->setObjectName(QStringLiteral("compareRuns"));
    m_runs->setWordWrap(true);
    layout->addWidget(m_runs, 1);
    const auto button = [panel, layout](const QString &text, const QString &name) {
        auto *pushButton = new QPushButton(text, panel);
        pushButton->setObjectName(name);
        layout->addWidget(pushButton);
        return pushButton;
    };
    connect(button(tr("Open"), QStringLiteral("compareOpenRun")), &QPushButton::clicked, this,
            [this] { openSavedRun(selectedRunId()); });
    connect(button(tr("Re-run"), QStringLiteral("compareRerun")), &QPushButton::clicked, this,
            [this] { rerunSavedRun(selectedRunId()); });
    connect(button(tr("Delete"), QStringLiteral("compareDeleteRun")), &QPushButton::clicked, this,
            [this] { deleteSavedRun(selectedRunId()); });
    for (const auto &[label, format, filter] :
         {std::tuple {tr("Export JSON…"), QStringLiteral("json"), tr("JSON (*.json)")},
          std::tuple {tr("Export Markdown…"), QStringLiteral("markdown"), tr("Markdown (*.md)")}}) {
        connect(button(label, QStringLiteral("compareExport-") + format), &QPushButton::clicked, this,
                [this, format = format, filter = filter] {
                    const QString id = selectedRunId();
                    if (id.isEmpty())
                        return;
                    const QString path = QFileDialog::getSaveFileName(
                        this, tr("Export the comparison"),
                        QStringLiteral("comparison-%1.%2")
                            .arg(id.left(8),
                                 format == QLatin1String("json") ? QStringLiteral("json") : QStringLiteral("md")),
                        filter);
                    if (!path.isEmpty())
                        exportSavedRun(id, path, format);
                });
    }
    connect(m_runs, &QListWidget::itemDoubleClicked, this, [this] { openSavedRun(selectedRunId()); });
    return panel;
}

void ComparePage::addPicker(const QString &model, const QJsonObject &overrides)
{
    if (m_pickers.size() >= CompareRequest::MaxModels)
        return;
    Picker picker;
    picker.row = new QWidget(m_addModel->parentWidget());
    auto *layout = new QVBoxLayout(picker.row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto *top = new QHBoxLayout;
    picker.model = new QComboBox(picker.row);
    picker.model->setEditable(true);
    picker.model->setObjectName(QStringLiteral("compareModel"));
    picker.model->addItems(m_modelNames);
    picker.model->setCurrentText(
        model.isEmpty() && m_modelNames.size() > m_pickers.size() ? m_modelNames.at(m_pickers.size()) : model);
    picker.model->setMinimumWidth(150);
    auto *remove = new QToolButton(picker.row);
    remove->setText(QStringLiteral("✕"));
    remove->setToolTip(tr("Remove this model"));
    top->addWidget(picker.model, 1);
    top->addWidget(remove);
    picker.overrides = new QLineEdit(picker.row);
    picker.overrides->setObjectName(QStringLiteral("compareOverrides"));
    picker.overrides->setPlaceholderText(tr("overrides, e.g. {\"temperature\": 0}"));
    if (!overrides.isEmpty())
        picker.overrides->setText(QString::fromUtf8(QJsonDocument(overrides).toJson(QJsonDocument::Compact)));
    layout->addLayout(top);
    layout->addWidget(picker.overrides);
    m_pickerLayout->insertWidget(int(m_pickers.size()), picker.row);
    connect(remove, &QToolButton::clicked, this, [this, row = picker.row] { removePicker(row); });
    m_pickers.append(picker);
    updateButtons();
}

void ComparePage::removePicker(QWidget *row)
{
    for (qsizetype i = 0; i < m_pickers.size(); ++i) {
        if (m_pickers.at(i).row == row) {
            m_pickers.removeAt(i);
            row->deleteLater();
            break;
        }
    }
    updateButtons();
}

void ComparePage::setModels(const QList<CompareModel> &models)
{
    while (!m_pickers.isEmpty())
        delete m_pickers.takeLast().row; // not from one of its own buttons: safe to delete now
    for (const CompareModel &model : models)
        addPicker(model.model, model.overrides);
    updateButtons();
}

Result<QList<CompareModel>> ComparePage::pickedModels() const
{
    QList<CompareModel> models;
    for (const Picker &picker : m_pickers) {
        CompareModel model;
        model.model = picker.model->currentText().trimmed();
        if (model.model.isEmpty())
            continue;
        const QString overrides = picker.overrides->text().trimmed();
        if (!overrides.isEmpty()) {
            QJsonParseError error {};
            const QJsonDocument document = QJsonDocument::fromJson(overrides.toUtf8(), &error);
            if (!document.isObject())
                return makeError(tr("The overrides of %1 are not a JSON object (%2); write them like "
                                    "{\"temperature\": 0, \"max_tokens\": 300}.")
                                     .arg(model.model, error.errorString()));
            model.overrides = document.object();
        }
        models.append(model);
    }
    return models;
}

void ComparePage::setGateway(const QUrl &baseUrl)
{
    m_gateway = baseUrl;
    m_runner->setGateway(baseUrl);
    updateButtons();
}

void ComparePage::setDatabasePath(const QString &path)
{
    m_databasePath = path;
    m_whatIf->setDatabasePath(path);
    refreshSavedRuns();
}

void ComparePage::setModelNames(const QStringList &names)
{
    m_modelNames = names;
    for (const Picker &picker : std::as_const(m_pickers)) {
        const QString current = picker.model->currentText();
        picker.model->clear();
        picker.model->addItems(names);
        picker.model->setCurrentText(current);
    }
    // Fresh pickers get the first configured names, so two clicks (open, Run) compare something.
    for (qsizetype i = 0; i < m_pickers.size() && i < names.size(); ++i) {
        if (m_pickers.at(i).model->currentText().isEmpty())
            m_pickers.at(i).model->setCurrentText(names.at(i));
    }
}

void ComparePage::openLoggedRequest(const RequestRecord &record)
{
    const Result<CompareRequest> request = CompareSource::fromRecord(record);
    if (!request) {
        showMessage(request.errorMessage(), true);
        return;
    }
    m_source = Source::Request;
    m_request = request.value();
    m_sourceLabel->setText(tr("Replaying request %1 (%2) with its exact body")
                               .arg(record.id.left(8), compareFormatName(m_request.format)));
    m_prompt->setPlainText(QString::fromUtf8(QJsonDocument::fromJson(m_request.body).toJson(QJsonDocument::Indented)));
    m_prompt->setReadOnly(true);
    m_typedButton->show();
    m_variables->hide();
    m_variablesLabel->hide();
    // One click answers it side by side: the original model first (its answer is one of the columns), then the
    // models picked last, else the next configured ones, three at least when the config has them.
    QList<CompareModel> models;
    const auto add = [&models](const QString &name, const QJsonObject &overrides = {}) {
        const bool known = std::any_of(models.cbegin(), models.cend(),
                                       [&name](const CompareModel &model) { return model.model == name; });
        if (!name.isEmpty() && !known && models.size() < CompareRequest::MaxModels)
            models.append({name, overrides});
    };
    add(record.requestedModel);
    const Result<QList<CompareModel>> picked = pickedModels();
    for (const CompareModel &model : picked ? picked.value() : QList<CompareModel>())
        add(model.model, model.overrides);
    for (const QString &name : std::as_const(m_modelNames)) {
        if (models.size() >= 3)
            break;
        add(name);
    }
    setModels(models);
    showMessage(QString(), false);
    if (m_gateway.isValid() && models.size() >= CompareRequest::MinModels)
        run();
}

void ComparePage::openPrompt(const QString &name, int version)
{
    m_source = Source::Prompt;
    m_promptReference = QStringLiteral("%1@v%2").arg(name).arg(version);
    m_sourceLabel->setText(tr("Prompt %1 version %2 (rendered with the variables below)").arg(name).arg(version));
    m_prompt->setPlainText(m_promptReference);
    m_prompt->setReadOnly(true);
    m_typedButton->show();
    m_variables->show();
    m_variablesLabel->show();
    showMessage(QString(), false);
}

void ComparePage::useTypedPrompt(const QString &text)
{
    m_source = Source::Typed;
    m_sourceLabel->setText(tr("Prompt"));
    m_prompt->setReadOnly(false);
    m_prompt->setPlainText(text);
    m_typedButton->hide();
    m_variables->hide();
    m_variablesLabel->hide();
}

bool ComparePage::isRunning() const
{
    return m_runner->isRunning();
}

void ComparePage::run()
{
    if (m_runner->isRunning())
        return;
    const Result<QList<CompareModel>> models = pickedModels();
    if (!models) {
        showMessage(models.errorMessage(), true);
        return;
    }
    if (m_source == Source::Typed) {
        const QString text = m_prompt->toPlainText().trimmed();
        if (text.isEmpty()) {
            showMessage(tr("Type a prompt first."), true);
            return;
        }
        // A typed JSON object is a request body (its format recognised); anything else is one user message.
        CompareRequest request;
        if (text.startsWith(QLatin1Char('{'))) {
            const Result<CompareRequest> body = CompareSource::fromBody(text.toUtf8());
            if (!body) {
                showMessage(body.errorMessage(), true);
                return;
            }
            request = body.value();
        } else {
            request = CompareSource::fromText(text);
        }
        request.models = models.value();
        start(request);
    } else if (m_source == Source::Request) {
        CompareRequest request = m_request;
        request.models = models.value();
        start(request);
    } else {
        QString problem;
        const QJsonObject variables = parseVariables(m_variables->text(), &problem);
        if (!problem.isEmpty()) {
            showMessage(problem, true);
            return;
        }
        // The registry is read off the GUI thread; the run starts when the prompt is rendered.
        m_runButton->setEnabled(false);
        const QString path = m_databasePath;
        const QString reference = m_promptReference;
        const QList<CompareModel> picked = models.value();
        runInBackground<Result<CompareRequest>>(
            this,
            [path, reference, variables]() -> Result<CompareRequest> {
                PromptStore store;
                if (Result<void> opened = store.open(path, SqliteConnection::Mode::ReadOnly); !opened)
                    return opened.error();
                return CompareSource::fromPrompt(store, reference, variables);
            },
            [this, picked](const Result<CompareRequest> &rendered) {
                updateButtons();
                if (!rendered) {
                    showMessage(rendered.errorMessage(), true);
                    Q_EMIT idle();
                    return;
                }
                CompareRequest request = rendered.value();
                request.models = picked;
                start(request);
            });
    }
}

void ComparePage::start(CompareRequest request)
{
    if (Result<void> started = m_runner->start(request); !started) {
        showMessage(started.errorMessage(), true);
        Q_EMIT idle();
        return;
    }
    showMessage(QString(), false);
    showRun(m_runner->result());
    updateButtons();
}

void ComparePage::cancel()
{
    m_runner->cancel();
}

void ComparePage::onColumnUpdated(int column)
{
    if (!m_dirty.contains(column))
        m_dirty.append(column);
    if (!m_flush->isActive())
        m_flush->start();
}

void ComparePage::flushColumns()
{
    const CompareRunResult &run = m_runner->result();
    if (run.id != m_shown.id)
        return;
    for (int column : std::as_const(m_dirty)) {
        if (column < run.columns.size() && column < m_columnViews.size()) {
            m_shown.columns[column] = run.columns.at(column);
            m_columnViews.at(column)->show(run.columns.at(column));
        }
    }
    m_dirty.clear();
}

void ComparePage::onRunFinished()
{
    m_flush->stop();
    m_dirty.clear();
    showRun(m_runner->result());
    updateButtons();
    if (m_databasePath.isEmpty()) {
        Q_EMIT idle();
        return;
    }
    // Tokens and cost come from the logged rows (waiting for the writer's next commit), then the run is saved.
    const QString path = m_databasePath;
    CompareRunResult run = m_runner->result();
    runInBackground<std::pair<CompareRunResult, QString>>(
        this,
        [path, run]() mutable {
            {
                RequestLogReader reader(path);
                CompareLog::complete(reader, run, RowsTimeoutMs);
            }
            CompareRunStore store;
            Result<void> saved = store.open(path);
            if (saved)
                saved = store.save(run);
            return std::pair {run, saved.errorMessage()};
        },
        [this](const std::pair<CompareRunResult, QString> &done) {
            if (done.first.id == m_shown.id && !m_runner->isRunning())
                showRun(done.first);
            if (!done.second.isEmpty())
                showMessage(tr("The run was not saved: %1").arg(done.second), true);
            refreshSavedRuns();
        });
}

void ComparePage::showRun(const CompareRunResult &run)
{
    const bool sameLayout = run.id == m_shown.id && run.columns.size() == m_columnViews.size();
    m_shown = run;
    if (!sameLayout) {
        qDeleteAll(m_columnViews);
        m_columnViews.clear();
        for (qsizetype i = 0; i < run.columns.size(); ++i) {
            auto *view = new CompareColumnView(m_columnsEmpty->parentWidget());
            view->setObjectName(QStringLiteral("compareColumn%1").arg(i));
            m_columnsLayout->addWidget(view, 1);
            m_columnViews.append(view);
        }
    }
    m_columnsEmpty->setVisible(run.columns.isEmpty());
    for (qsizetype i = 0; i < run.columns.size(); ++i)
        m_columnViews.at(i)->show(run.columns.at(i));
    m_diff->setColumns(run.columns);
}

void ComparePage::showMessage(const QString &text, bool error)
{
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
    QPalette palette = this->palette();
    if (error)
        palette.setColor(QPalette::WindowText, RecordFormat::color(RecordFormat::Tone::Failure, this->palette()));
    m_message->setPalette(palette);
}

void ComparePage::updateButtons()
{
    if (!m_runButton)
        return; // still being built
    const bool running = m_runner->isRunning();
    m_runButton->setEnabled(!running && m_gateway.isValid() && m_pickers.size() >= CompareRequest::MinModels);
    m_runButton->setToolTip(m_gateway.isValid() ? QString() : tr("The gateway is not running."));
    m_cancelButton->setEnabled(running);
    m_addModel->setEnabled(m_pickers.size() < CompareRequest::MaxModels);
}

QString ComparePage::selectedRunId() const
{
    const QListWidgetItem *item = m_runs->currentItem();
    return item ? item->data(Qt::UserRole).toString() : QString();
}

void ComparePage::refreshSavedRuns()
{
    if (m_databasePath.isEmpty())
        return;
    const QString path = m_databasePath;
    runInBackground<Result<QList<CompareRunSummary>>>(
        this,
        [path]() -> Result<QList<CompareRunSummary>> {
            CompareRunStore store;
            if (Result<void> opened = store.open(path); !opened)
                return opened.error();
            return store.list();
        },
        [this](const Result<QList<CompareRunSummary>> &runs) {
            if (!runs) {
                showMessage(runs.errorMessage(), true);
                Q_EMIT idle();
                return;
            }
            const QString selected = selectedRunId();
            m_runs->clear();
            for (const CompareRunSummary &run : runs.value()) {
                auto *item = new QListWidgetItem(QStringLiteral("%1\n%2 · %3")
                                                     .arg(run.title.isEmpty() ? run.id : run.title,
                                                          RecordFormat::localDateTime(run.createdAt),
                                                          run.models.join(QStringLiteral(", "))),
                                                 m_runs);
                item->setData(Qt::UserRole, run.id);
                if (run.id == selected)
                    m_runs->setCurrentItem(item);
            }
            Q_EMIT idle();
        });
}

void ComparePage::openSavedRun(const QString &id)
{
    if (id.isEmpty() || m_databasePath.isEmpty())
        return;
    const QString path = m_databasePath;
    runInBackground<Result<CompareRunResult>>(
        this,
        [path, id]() -> Result<CompareRunResult> {
            CompareRunStore store;
            if (Result<void> opened = store.open(path); !opened)
                return opened.error();
            return store.load(id);
        },
        [this](const Result<CompareRunResult> &run) {
            if (!run)
                showMessage(run.errorMessage(), true);
            else if (!m_runner->isRunning())
                showRun(run.value());
            Q_EMIT idle();
        });
}

void ComparePage::rerunSavedRun(const QString &id)
{
    if (id.isEmpty() || m_databasePath.isEmpty())
        return;
    const QString path = m_databasePath;
    runInBackground<Result<CompareRunResult>>(
        this,
        [path, id]() -> Result<CompareRunResult> {
            CompareRunStore store;
            if (Result<void> opened = store.open(path); !opened)
                return opened.error();
            return store.load(id);
        },
        [this](const Result<CompareRunResult> &run) {
            if (!run) {
                showMessage(run.errorMessage(), true);
                Q_EMIT idle();
                return;
            }
            // The same body and models, as a new run (the saved one stays).
            m_source = Source::Request;
            m_request = run->request;
            m_sourceLabel->setText(tr("Re-running \"%1\"").arg(run->request.title));
            m_prompt->setPlainText(
                QString::fromUtf8(QJsonDocument::fromJson(m_request.body).toJson(QJsonDocument::Indented)));
            m_prompt->setReadOnly(true);
            m_typedButton->show();
            setModels(run->request.models);
            start(m_request);
        });
}

void ComparePage::deleteSavedRun(const QString &id)
{
    if (id.isEmpty() || m_databasePath.isEmpty())
        return;
    const QString path = m_databasePath;
    runInBackground<QString>(
        this,
        [path, id]() -> QString {
            CompareRunStore store;
            Result<void> opened = store.open(path);
            if (!opened)
                return opened.errorMessage();
            const Result<bool> removed = store.remove(id);
            return removed ? QString() : removed.errorMessage();
        },
        [this](const QString &error) {
            if (!error.isEmpty())
                showMessage(error, true);
            refreshSavedRuns();
        });
}

void ComparePage::exportSavedRun(const QString &id, const QString &path, const QString &format)
{
    const QString database = m_databasePath;
    runInBackground<QString>(
        this,
        [database, id, path, format]() -> QString {
            CompareRunStore store;
            if (Result<void> opened = store.open(database); !opened)
                return opened.errorMessage();
            const Result<CompareRunResult> run = store.load(id);
            if (!run)
                return run.errorMessage();
            QSaveFile file(path);
            if (!file.open(QIODevice::WriteOnly))
                return tr("Cannot write %1: %2").arg(path, file.errorString());
            file.write(format == QLatin1String("markdown") ? CompareExport::toMarkdown(run.value()).toUtf8()
                                                           : CompareExport::toJson(run.value()));
            if (!file.commit())
                return tr("Cannot write %1: %2").arg(path, file.errorString());
            return {};
        },
        [this, path](const QString &error) {
            if (error.isEmpty())
                showMessage(tr("Exported to %1.").arg(path), false);
            else
                showMessage(error, true);
            Q_EMIT idle();
        });
}

} // namespace sluice

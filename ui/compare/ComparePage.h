#pragma once

#include <QJsonObject>
#include <QList>
#include <QUrl>
#include <QWidget>

#include "common/RequestRecord.h"
#include "compare/CompareRun.h"
#include "compare/CompareRunStore.h"

class QComboBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTimer;

namespace sluice {

class CompareColumnView;
class CompareDiffView;
class CompareRunner;
class WhatIfPanel;

// The Compare page (docs/compare.md): one prompt (typed, a registry prompt version with its variables, or a
// logged request's exact body) on 2 to 6 models side by side, through the running gateway. Columns stream with
// live time to first token; latency, tokens, cost and finish reason complete from the logged rows; a word-level
// diff of any two outputs; saved runs (open, re-run, delete, export as JSON or Markdown). The runner is
// asynchronous on the GUI thread; the log and the saved runs are read and written on worker threads.
class ComparePage : public QWidget
{
    Q_OBJECT
public:
    explicit ComparePage(QWidget *parent = nullptr);
    ~ComparePage() override;

    // The running gateway's address (empty while it is not running).
    void setGateway(const QUrl &baseUrl);
    // The request log's database: logged rows complete the columns; saved runs live there.
    void setDatabasePath(const QString &path);
    // The configured model names offered in the pickers.
    void setModelNames(const QStringList &names);

    // Sets what to compare: a logged request's exact body ("Replay on other models…"); an error in the message bar
    // when it cannot be replayed.
    void openLoggedRequest(const sluice::RequestRecord &record);
    // A registry prompt version (NAME@vN); its variables are asked for above the models.
    void openPrompt(const QString &name, int version);
    // Back to a typed prompt.
    void useTypedPrompt(const QString &text = {});
    // The models to run (2 to 6); extra pickers are removed.
    void setModels(const QList<sluice::CompareModel> &models);

    void run();
    void cancel();
    bool isRunning() const;
    // Shows a saved run's result in the columns.
    void openSavedRun(const QString &id);
    void rerunSavedRun(const QString &id);
    void deleteSavedRun(const QString &id);
    // Writes a saved run to path as "json" or "markdown" (off the GUI thread); idle() follows.
    void exportSavedRun(const QString &id, const QString &path, const QString &format);
    void refreshSavedRuns();

    const sluice::CompareRunResult &shownRun() const { return m_shown; }
    QList<CompareColumnView *> columnViews() const { return m_columnViews; }
    CompareDiffView *diffView() const { return m_diff; }
    QListWidget *savedRuns() const { return m_runs; }
    QLabel *message() const { return m_message; }
    QLabel *sourceLabel() const { return m_sourceLabel; }
    QPlainTextEdit *promptEdit() const { return m_prompt; }
    QPushButton *runButton() const { return m_runButton; }
    QPushButton *cancelButton() const { return m_cancelButton; }
    QTabWidget *tabs() const { return m_tabs; }
    // The What-if cost tab (the same panel as the Spend page's), with the period picked above it.
    WhatIfPanel *whatIfPanel() const { return m_whatIf; }
    QComboBox *whatIfPeriod() const { return m_whatIfPeriod; }

Q_SIGNALS:
    // A run ended and its rows were read, or a background action answered (tests wait on it).
    void idle();

private:
    struct Picker
    {
        QWidget *row = nullptr;
        QComboBox *model = nullptr;
        QLineEdit *overrides = nullptr;
    };
    QWidget *buildInputs();
    QWidget *buildSavedRuns();
    QWidget *buildWhatIf();
    void applyWhatIfPeriod();
    void addPicker(const QString &model = {}, const QJsonObject &overrides = {});
    void removePicker(QWidget *row);
    Result<QList<CompareModel>> pickedModels() const;
    void start(CompareRequest request);
    void onColumnUpdated(int column);
    void flushColumns();
    void onRunFinished();
    void showRun(const CompareRunResult &run);
    void showMessage(const QString &text, bool error);
    void updateButtons();
    QString selectedRunId() const;

    CompareRunner *m_runner;
    QUrl m_gateway;
    QString m_databasePath;
    QStringList m_modelNames;
    // What Run sends when the prompt is not typed: a logged request, or a registry prompt.
    enum class Source { Typed, Request, Prompt };
    Source m_source = Source::Typed;
    CompareRequest m_request; // Source::Request
    QString m_promptReference; // Source::Prompt: NAME@vN
    CompareRunResult m_shown;
    QList<int> m_dirty;
    QTimer *m_flush;

    QLabel *m_message = nullptr;
    QLabel *m_sourceLabel = nullptr;
    QPushButton *m_typedButton = nullptr;
    QPlainTextEdit *m_prompt = nullptr;
    QLineEdit *m_variables = nullptr;
    QLabel *m_variablesLabel = nullptr;
    QList<Picker> m_pickers;
    QHBoxLayout *m_pickerLayout = nullptr;
    QPushButton *m_addModel = nullptr;
    QPushButton *m_runButton = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QHBoxLayout *m_columnsLayout = nullptr;
    QList<CompareColumnView *> m_columnViews;
    QLabel *m_columnsEmpty = nullptr;
    CompareDiffView *m_diff = nullptr;
    QListWidget *m_runs = nullptr;
    enum class WhatIfPeriod { Today, Week, Month, ThirtyDays };
    QTabWidget *m_tabs = nullptr;
    QComboBox *m_whatIfPeriod = nullptr;
    WhatIfPanel *m_whatIf = nullptr;
};

} // namespace sluice

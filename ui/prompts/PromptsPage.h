#pragma once

#include <QList>
#include <QTimer>
#include <QWidget>

#include "common/RequestRecord.h"
#include "ui/prompts/PromptLibrary.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;
class QStandardItemModel;
class QTabWidget;
class QTableView;
class QThread;
class QTimer;

namespace sluice {

class PromptDiffView;

// The Prompts page (docs/prompts.md): the registry's prompts and the observed ones in a searchable list; for a
// prompt, its versions with labels and usage (requests, cost, p50 latency and time to first token, tokens, error
// rate), a side-by-side diff of any two versions (template and config), an editor that finds the variables and
// validates before saving, and label moves with their history; for an observed prompt, its versions with usage
// and a way to save one into the registry. Everything is read and written on the library's thread.
class PromptsPage : public QWidget
{
    Q_OBJECT
public:
    explicit PromptsPage(QWidget *parent = nullptr);
    ~PromptsPage() override;

    // Opens the registry in this database on a thread of its own and loads the list.
    void setDatabasePath(const QString &path);
    // Reloads the list and the selected prompt.
    void refresh();
    // Requests just written to the log (MainWindow::appendRecords): when they used a prompt or carried an observed
    // one and the page is shown, the usage figures reload once the burst has passed.
    void appendRecords(const sluice::RequestRecords &records);

    // For tests: select a registry prompt (name) or an observed one (prompt key) once the list has loaded.
    bool selectPrompt(const QString &name);
    bool selectObserved(const QString &promptKey);
    void showDiff(int versionA, int versionB);
    QTabWidget *tabs() const { return m_tabs; }
    PromptDiffView *templateDiff() const { return m_templateDiff; }
    QStandardItemModel *versionsModel() const { return m_versions; }
    QStandardItemModel *historyModel() const { return m_history; }
    QStandardItemModel *observedModel() const { return m_observedVersions; }
    QTableView *observedView() const { return m_observedView; }
    QTabWidget *observedTabs() const { return m_observedTabs; }
    PromptDiffView *observedDiff() const { return m_observedDiff; }
    QListWidget *list() const { return m_list; }
    QPlainTextEdit *editor() const { return m_editor; }
    QLabel *editorStatus() const { return m_editorStatus; }
    QPushButton *saveButton() const { return m_save; }
    QLineEdit *search() const { return m_search; }

Q_SIGNALS:
    // Emitted when loads answer (for tests and the window's busy state).
    void loaded();
    // "Open in Compare" on a version: run it on several models (the Compare page).
    void compareRequested(const QString &name, int version);

protected:
    void showEvent(QShowEvent *event) override;

private:
    QWidget *buildVersionsTab();
    QWidget *buildDiffTab();
    QWidget *buildEditorTab();
    QWidget *buildLabelsTab();
    QWidget *buildObservedPanel();
    void onListLoaded(const QList<sluice::PromptSummary> &prompts);
    void onObservedLoaded(const QList<sluice::ObservedPromptVersion> &versions);
    void onPromptLoaded(const sluice::PromptDetails &details);
    void onChanged(const QString &name, const QString &message);
    void onFailed(const QString &message);
    void rebuildList();
    void onSelectionChanged();
    void showObserved(const QString &promptKey);
    void showObservedVersion(const QString &fingerprint);
    void updateDiff();
    void validateEditor();
    void saveEditor();
    void moveLabel();
    void saveObserved();
    void showMessage(const QString &message, bool error);
    template<typename Slot>
    void call(Slot slot);

    QThread *m_thread = nullptr;
    PromptLibrary *m_library = nullptr;
    QList<PromptSummary> m_prompts;
    QList<ObservedPromptVersion> m_observed;
    PromptDetails m_details;
    QString m_selected; // the registry prompt shown
    QString m_selectedObserved; // the observed prompt key shown
    QString m_pendingSelection;

    QLineEdit *m_search = nullptr;
    QListWidget *m_list = nullptr;
    QLabel *m_message = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_subtitle = nullptr;
    QStackedWidget *m_detailStack = nullptr;
    QLabel *m_emptyState = nullptr;
    QTabWidget *m_tabs = nullptr;
    QTableView *m_versionsView = nullptr;
    QStandardItemModel *m_versions = nullptr;
    QPlainTextEdit *m_preview = nullptr;
    QComboBox *m_diffA = nullptr;
    QComboBox *m_diffB = nullptr;
    PromptDiffView *m_templateDiff = nullptr;
    PromptDiffView *m_configDiff = nullptr;
    QLabel *m_diffSummary = nullptr;
    QLineEdit *m_editorName = nullptr;
    QPlainTextEdit *m_editor = nullptr;
    QLabel *m_editorStatus = nullptr;
    QLineEdit *m_commitMessage = nullptr;
    QPushButton *m_save = nullptr;
    QTimer *m_validateTimer = nullptr;
    QComboBox *m_label = nullptr;
    QComboBox *m_labelVersion = nullptr;
    QPushButton *m_moveLabel = nullptr;
    QStandardItemModel *m_history = nullptr;
    QTableView *m_observedView = nullptr;
    QStandardItemModel *m_observedVersions = nullptr;
    QPlainTextEdit *m_observedText = nullptr;
    QTabWidget *m_observedTabs = nullptr;
    PromptDiffView *m_observedDiff = nullptr;
    QTimer m_liveRefresh;
    QLineEdit *m_observedName = nullptr;
    QPushButton *m_saveObserved = nullptr;
};

} // namespace sluice

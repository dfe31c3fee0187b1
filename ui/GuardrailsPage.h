#pragma once

#include <memory>
#include <optional>

#include <QHash>
#include <QWidget>

#include "guardrails/GuardrailRule.h"

class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QStandardItemModel;
class QTableView;
class QTimer;

namespace sluice {

class Guardrails;

struct GuardrailEdit;

// The Guardrails page: the rules of the config's guardrails section (what each detects, does, where and for
// whom), the built-in detectors, and a "try it" box that shows what a text becomes on its way to a provider.
// Rules are added, edited, switched off and removed here: each change is validated by the config loader (its
// messages shown at the field) and written through ConfigWriter off the GUI thread; the running gateway reloads
// the file, so the next request uses it. The try-it box tries the rule being edited before it is saved.
class GuardrailsPage : public QWidget
{
    Q_OBJECT
public:
    explicit GuardrailsPage(QWidget *parent = nullptr);
    ~GuardrailsPage() override;

    // The rules in force and the file they come from (empty: built-in defaults, no file).
    void setRules(const GuardrailSettings &settings, const QString &configPath);
    // The file changes are written to when the rules come from no file yet (the default config path).
    void setConfigPath(const QString &path);
    QString configPath() const { return m_configPath; }
    QStandardItemModel *rulesModel() const { return m_rules; }
    // Runs the try-it box now instead of after the typing pause (tests).
    void tryNow();

    // The editor: a new rule, or the rule at `row` of the table.
    void addRule();
    void editRule(int row);
    bool isEditing() const;
    // The rule as the editor's fields say (not saved).
    GuardrailRule draft() const;
    // Validates the draft now instead of after the typing pause (tests).
    void checkNow();

Q_SIGNALS:
    // The try-it box's result arrived (from a worker thread).
    void previewShown();
    // A check, save, switch or removal finished (its result is shown).
    void idle();

private:
    void startPreview();
    void showPreview(quint64 generation, const QString &text, const QString &hits, const QString &blockedBy,
                     const QString &note);
    void fillTable();
    void draftChanged();
    void startCheck();
    void showErrors(const GuardrailEdit &edit);
    void saveDraft();
    void closeEditor();
    void setRuleEnabled(int row, bool enabled);
    void askRemove();
    void applied(const GuardrailEdit &edit, const QString &done);
    void updateButtons();
    void updateDetectFields();
    // The rules the try-it box uses: the saved ones with the draft in its place, when it is valid (worker thread).
    static std::shared_ptr<const Guardrails> tried(const GuardrailSettings &saved,
                                                   const std::shared_ptr<const Guardrails> &savedGuardrails,
                                                   const std::optional<GuardrailRule> &draft,
                                                   const QString &originalName, QString *note);

    GuardrailSettings m_settings;
    QString m_configPath;
    QString m_shownPath;
    std::shared_ptr<const Guardrails> m_guardrails;
    QStandardItemModel *m_rules;
    QStandardItemModel *m_detectors;
    QLabel *m_source;
    QTableView *m_rulesTable;
    QLabel *m_emptyState;
    QPlainTextEdit *m_tryInput;
    QPlainTextEdit *m_tryOutput;
    QLabel *m_tryResult;
    QTimer *m_typingPause;
    quint64 m_generation = 0;

    QPushButton *m_add;
    QPushButton *m_edit;
    QPushButton *m_remove;
    QLabel *m_status;
    QLabel *m_tryNote;
    QGroupBox *m_editor;
    QLineEdit *m_name;
    QComboBox *m_detect;
    QLineEdit *m_pattern;
    QLineEdit *m_words;
    QComboBox *m_action;
    QComboBox *m_on;
    QCheckBox *m_restore;
    QLineEdit *m_models;
    QLineEdit *m_tokens;
    QLineEdit *m_clients;
    QCheckBox *m_enabled;
    QHash<QString, QLabel *> m_fieldErrors; // field key -> the label under it
    QLabel *m_editorError;
    QPushButton *m_save;
    QTimer *m_checkPause;
    QString m_originalName; // the rule being edited; empty: a new rule
    quint64 m_checkGeneration = 0;
    bool m_filling = false;
    bool m_busy = false;
};

} // namespace sluice

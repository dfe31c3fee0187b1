#pragma once

#include <memory>

#include <QWidget>

#include "guardrails/GuardrailRule.h"

class QLabel;
class QPlainTextEdit;
class QStandardItemModel;
class QTableView;
class QTimer;

namespace sluice {

class Guardrails;

// The Guardrails page: the rules of the config's guardrails section (what each detects, does, where and for
// whom), the built-in detectors, and a "try it" box that shows what a text becomes on its way to a provider.
// Rules are edited in the config file; the page says where.
class GuardrailsPage : public QWidget
{
    Q_OBJECT
public:
    explicit GuardrailsPage(QWidget *parent = nullptr);
    ~GuardrailsPage() override;

    // The rules in force and the file they come from (empty: built-in defaults, no file).
    void setRules(const GuardrailSettings &settings, const QString &configPath);
    QStandardItemModel *rulesModel() const { return m_rules; }
    // Runs the try-it box now instead of after the typing pause (tests).
    void tryNow();

Q_SIGNALS:
    // The try-it box's result arrived (from a worker thread).
    void previewShown();

private:
    void startPreview();
    void showPreview(quint64 generation, const QString &text, const QString &hits, const QString &blockedBy);

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
};

} // namespace sluice

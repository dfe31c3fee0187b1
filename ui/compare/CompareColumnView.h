#pragma once

#include <QFrame>

#include "compare/CompareRun.h"

class QLabel;
class QPlainTextEdit;

namespace sluice {

// One model's column on the Compare page: its name and state, the figures (time to first token, latency, tokens,
// cost, finish reason), its tool calls as structured calls, and the output as it streams.
class CompareColumnView : public QFrame
{
    Q_OBJECT
public:
    explicit CompareColumnView(QWidget *parent = nullptr);

    void show(const CompareColumn &column);
    QString figuresText() const;
    QString outputText() const;
    QString toolCallsText() const;

private:
    QLabel *m_title;
    QLabel *m_state;
    QLabel *m_figures;
    QLabel *m_toolCalls;
    QPlainTextEdit *m_output;
};

} // namespace sluice

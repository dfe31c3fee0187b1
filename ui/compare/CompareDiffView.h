#pragma once

#include <QWidget>

#include "compare/CompareRun.h"

class QComboBox;
class QLabel;
class QTextBrowser;

namespace sluice {

// The word-level diff of any two columns' outputs (removed words struck through on red, added ones on green, in
// the palette's tones), with their tool calls compared as structures.
class CompareDiffView : public QWidget
{
    Q_OBJECT
public:
    explicit CompareDiffView(QWidget *parent = nullptr);

    void setColumns(const QList<CompareColumn> &columns);
    void select(int first, int second);
    QString summaryText() const;
    QString diffHtml() const;

protected:
    void changeEvent(QEvent *event) override;

private:
    void render();

    QList<CompareColumn> m_columns;
    QComboBox *m_first;
    QComboBox *m_second;
    QLabel *m_summary;
    QTextBrowser *m_text;
};

} // namespace sluice

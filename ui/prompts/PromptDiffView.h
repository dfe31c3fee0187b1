#pragma once

#include <QWidget>

class QLabel;
class QTextEdit;

namespace sluice {

// Two texts side by side, line against line: removed lines tinted on the left, added ones on the right, blank
// rows where the other side has none, both sides scrolling together. Colours come from the palette.
class PromptDiffView : public QWidget
{
    Q_OBJECT
public:
    explicit PromptDiffView(QWidget *parent = nullptr);

    void setTexts(const QString &before, const QString &after, const QString &beforeTitle, const QString &afterTitle);
    // Lines changed on either side in the texts shown.
    int changedLines() const { return m_changed; }
    QTextEdit *left() const { return m_left; }
    QTextEdit *right() const { return m_right; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void render();

    QLabel *m_leftTitle;
    QLabel *m_rightTitle;
    QTextEdit *m_left;
    QTextEdit *m_right;
    QString m_before;
    QString m_after;
    int m_changed = 0;
};

} // namespace sluice

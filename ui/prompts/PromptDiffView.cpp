#include "PromptDiffView.h"

#include <QEvent>
#include <QGridLayout>
#include <QLabel>
#include <QScrollBar>
#include <QTextEdit>

#include "prompts/PromptDiff.h"
#include "ui/RecordFormat.h"

namespace sluice {

namespace {

QColor blend(const QColor &base, const QColor &tint, double amount)
{
    return QColor::fromRgbF(base.redF() * (1 - amount) + tint.redF() * amount,
                            base.greenF() * (1 - amount) + tint.greenF() * amount,
                            base.blueF() * (1 - amount) + tint.blueF() * amount);
}

QString row(const QString &text, const QColor &background, int number, const QColor &gutterColor)
{
    const QString cell = text.isEmpty() ? QStringLiteral("&nbsp;")
                                        : text.toHtmlEscaped().replace(QLatin1Char(' '), QStringLiteral("&nbsp;"));
    const QString gutter = number > 0 ? QString::number(number) : QString();
    return QStringLiteral("<tr><td style=\"padding-right:8px; color:%4;\" align=\"right\">%1</td>"
                          "<td width=\"100%\" style=\"background:%2; white-space:pre;\">%3</td></tr>")
        .arg(gutter, background.isValid() ? background.name() : QStringLiteral("transparent"), cell,
             gutterColor.name());
}

} // namespace

PromptDiffView::PromptDiffView(QWidget *parent)
    : QWidget(parent)
    , m_leftTitle(new QLabel(this))
    , m_rightTitle(new QLabel(this))
    , m_left(new QTextEdit(this))
    , m_right(new QTextEdit(this))
{
    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_leftTitle, 0, 0);
    layout->addWidget(m_rightTitle, 0, 1);
    layout->addWidget(m_left, 1, 0);
    layout->addWidget(m_right, 1, 1);
    for (QTextEdit *side : {m_left, m_right}) {
        side->setReadOnly(true);
        side->setLineWrapMode(QTextEdit::NoWrap); // a wrapped line would put the two sides out of step
        side->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOn); // both sides keep the same height
    }
    m_left->setObjectName(QStringLiteral("diffBefore"));
    m_right->setObjectName(QStringLiteral("diffAfter"));
    // Rows are aligned on both sides, so scrolling one scrolls the other to the same place.
    connect(m_left->verticalScrollBar(), &QScrollBar::valueChanged, m_right->verticalScrollBar(),
            &QScrollBar::setValue);
    connect(m_right->verticalScrollBar(), &QScrollBar::valueChanged, m_left->verticalScrollBar(),
            &QScrollBar::setValue);
}

void PromptDiffView::setTexts(const QString &before, const QString &after, const QString &beforeTitle,
                              const QString &afterTitle)
{
    m_before = before;
    m_after = after;
    m_leftTitle->setText(beforeTitle);
    m_rightTitle->setText(afterTitle);
    render();
}

void PromptDiffView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        render();
}

void PromptDiffView::render()
{
    const QColor base = palette().color(QPalette::Base);
    const bool dark = base.lightnessF() < 0.5;
    const QColor removed = blend(base, RecordFormat::color(RecordFormat::Tone::Failure, palette()), dark ? 0.3 : 0.2);
    const QColor added = blend(base, RecordFormat::color(RecordFormat::Tone::Success, palette()), dark ? 0.3 : 0.2);
    const QColor filler = blend(base, palette().color(QPalette::Mid), 0.25);
    const QColor gutter = palette().color(QPalette::PlaceholderText);
    const auto cells = [&gutter](const QString &text, const QColor &background, int number) {
        return row(text, background, number, gutter);
    };
    QString left;
    QString right;
    m_changed = 0;
    const QList<PromptDiff::Line> lines = PromptDiff::lines(m_before, m_after);
    // A run of removed lines followed by added ones is shown as rows side by side.
    for (qsizetype i = 0; i < lines.size();) {
        if (lines.at(i).kind == PromptDiff::Kind::Same) {
            left += cells(lines.at(i).text, QColor(), lines.at(i).oldLine);
            right += cells(lines.at(i).text, QColor(), lines.at(i).newLine);
            ++i;
            continue;
        }
        QList<PromptDiff::Line> gone;
        QList<PromptDiff::Line> come;
        while (i < lines.size() && lines.at(i).kind == PromptDiff::Kind::Removed)
            gone.append(lines.at(i++));
        while (i < lines.size() && lines.at(i).kind == PromptDiff::Kind::Added)
            come.append(lines.at(i++));
        m_changed += int(gone.size() + come.size());
        for (qsizetype k = 0; k < qMax(gone.size(), come.size()); ++k) {
            left += k < gone.size() ? cells(gone.at(k).text, removed, gone.at(k).oldLine) : cells(QString(), filler, 0);
            right += k < come.size() ? cells(come.at(k).text, added, come.at(k).newLine) : cells(QString(), filler, 0);
        }
    }
    const QString table = QStringLiteral("<table cellspacing=\"0\" cellpadding=\"1\" width=\"100%\">%1</table>");
    const int leftScroll = m_left->verticalScrollBar()->value();
    m_left->setHtml(table.arg(left));
    m_right->setHtml(table.arg(right));
    m_left->verticalScrollBar()->setValue(leftScroll);
}

} // namespace sluice

#include "CompareDiffView.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "compare/WordDiff.h"
#include "ui/RecordFormat.h"

namespace sluice {

namespace {
QColor blend(const QColor &base, const QColor &tint, double amount)
{
    return QColor::fromRgbF(float(base.redF() * (1 - amount) + tint.redF() * amount),
                            float(base.greenF() * (1 - amount) + tint.greenF() * amount),
                            float(base.blueF() * (1 - amount) + tint.blueF() * amount));
}
} // namespace

CompareDiffView::CompareDiffView(QWidget *parent)
    : QWidget(parent)
    , m_first(new QComboBox(this))
    , m_second(new QComboBox(this))
    , m_summary(new QLabel(this))
    , m_text(new QTextBrowser(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *bar = new QHBoxLayout;
    m_first->setObjectName(QStringLiteral("diffFirst"));
    m_second->setObjectName(QStringLiteral("diffSecond"));
    for (QComboBox *box : {m_first, m_second})
        box->setSizeAdjustPolicy(QComboBox::AdjustToContents); // whole model names
    m_summary->setObjectName(QStringLiteral("diffSummary"));
    m_summary->setWordWrap(true);
    m_text->setObjectName(QStringLiteral("diffText"));
    bar->addWidget(new QLabel(tr("Diff"), this));
    bar->addWidget(m_first);
    bar->addWidget(new QLabel(tr("→"), this));
    bar->addWidget(m_second);
    bar->addWidget(m_summary, 1);
    layout->addLayout(bar);
    layout->addWidget(m_text, 1);
    connect(m_first, &QComboBox::currentIndexChanged, this, &CompareDiffView::render);
    connect(m_second, &QComboBox::currentIndexChanged, this, &CompareDiffView::render);
}

void CompareDiffView::setColumns(const QList<CompareColumn> &columns)
{
    // The pick is kept while the columns are the same models (a run streaming in); other models start afresh.
    const auto names = [](const QList<CompareColumn> &list) {
        QStringList models;
        for (const CompareColumn &column : list)
            models.append(column.model.model);
        return models;
    };
    const bool sameModels = names(columns) == names(m_columns);
    m_columns = columns;
    if (!sameModels) {
        const QSignalBlocker blockFirst(m_first);
        const QSignalBlocker blockSecond(m_second);
        m_first->clear();
        m_second->clear();
        for (const CompareColumn &column : columns) {
            m_first->addItem(column.model.model);
            m_second->addItem(column.model.model);
        }
        m_first->setCurrentIndex(0);
        m_second->setCurrentIndex(columns.size() > 1 ? 1 : 0);
    }
    render();
}

void CompareDiffView::select(int first, int second)
{
    m_first->setCurrentIndex(first);
    m_second->setCurrentIndex(second);
    render();
}

QString CompareDiffView::summaryText() const
{
    return m_summary->text();
}

QString CompareDiffView::diffHtml() const
{
    return m_text->toHtml();
}

void CompareDiffView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        render();
}

void CompareDiffView::render()
{
    const int first = m_first->currentIndex();
    const int second = m_second->currentIndex();
    if (first < 0 || second < 0 || first >= m_columns.size() || second >= m_columns.size()) {
        m_summary->clear();
        m_text->setPlainText(tr("Run a comparison to see how two outputs differ."));
        return;
    }
    const CompareColumn &a = m_columns.at(first);
    const CompareColumn &b = m_columns.at(second);
    const QColor base = palette().color(QPalette::Base);
    const bool dark = RecordFormat::isDark(palette());
    const QColor removed = blend(base, RecordFormat::color(RecordFormat::Tone::Failure, palette()), dark ? 0.35 : 0.25);
    const QColor added = blend(base, RecordFormat::color(RecordFormat::Tone::Success, palette()), dark ? 0.35 : 0.25);
    const QList<WordDiffSpan> spans = WordDiff::diff(a.text, b.text);
    QString html = QStringLiteral("<div style=\"white-space: pre-wrap; color: %1;\">")
                       .arg(palette().color(QPalette::Text).name());
    for (const WordDiffSpan &span : spans) {
        const QString text = span.text.toHtmlEscaped();
        if (span.op == WordDiffSpan::Op::Equal)
            html += text;
        else if (span.op == WordDiffSpan::Op::Removed)
            html += QStringLiteral("<span style=\"background-color: %1; text-decoration: line-through;\">%2</span>")
                        .arg(removed.name(), text);
        else
            html += QStringLiteral("<span style=\"background-color: %1;\">%2</span>").arg(added.name(), text);
    }
    html += QStringLiteral("</div>");
    const QStringList toolDifferences = WordDiff::compareToolCalls(a.toolCalls, b.toolCalls);
    if (!a.toolCalls.isEmpty() || !b.toolCalls.isEmpty()) {
        html += QStringLiteral("<p><b>%1</b></p>").arg(tr("Tool calls"));
        if (toolDifferences.isEmpty()) {
            html += QStringLiteral("<p>%1</p>").arg(tr("The same calls with the same arguments."));
        } else {
            html += QStringLiteral("<ul>");
            for (const QString &difference : toolDifferences)
                html += QStringLiteral("<li>%1</li>").arg(difference.toHtmlEscaped());
            html += QStringLiteral("</ul>");
        }
    }
    m_text->setHtml(html);
    m_summary->setText(tr("%1% of the words shared%2")
                           .arg(qRound(WordDiff::similarity(spans) * 100))
                           .arg(toolDifferences.isEmpty()
                                    ? QString()
                                    : tr(", %n tool call difference(s)", nullptr, int(toolDifferences.size()))));
}

} // namespace sluice

#include "StackedBarChart.h"

#include <algorithm>
#include <cmath>

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QGraphicsLayout>
#include <QStackedBarSeries>
#include <QVBoxLayout>
#include <QValueAxis>

namespace sluice {

StackedBarChart::StackedBarChart(QWidget *parent)
    : QWidget(parent)
    , m_chart(new QChart)
    , m_series(new QStackedBarSeries)
    , m_categoryAxis(new QBarCategoryAxis)
    , m_valueAxis(new QValueAxis)
{
    m_chart->addSeries(m_series);
    m_chart->addAxis(m_categoryAxis, Qt::AlignBottom);
    m_chart->addAxis(m_valueAxis, Qt::AlignLeft);
    m_series->attachAxis(m_categoryAxis);
    m_series->attachAxis(m_valueAxis);
    m_series->setBarWidth(0.75);
    m_valueAxis->setLabelFormat(QStringLiteral("%.2f"));
    m_valueAxis->setMin(0);
    m_chart->legend()->setAlignment(Qt::AlignRight);
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chart->layout()->setContentsMargins(0, 0, 0, 0);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->setBackgroundRoundness(0);

    m_view = new QChartView(m_chart, this);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setObjectName(QStringLiteral("chartView"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    applyPalette();
}

QColor StackedBarChart::colorOf(int index)
{
    // Okabe-Ito and Tableau-like hues, distinguishable on white and on near-black.
    static const QColor colors[]
        = {QColor(0x4e, 0x79, 0xa7), QColor(0xf2, 0x8e, 0x2b), QColor(0x59, 0xa1, 0x4f), QColor(0xe1, 0x57, 0x59),
           QColor(0x76, 0xb7, 0xb2), QColor(0xed, 0xc9, 0x48), QColor(0xb0, 0x7a, 0xa1), QColor(0xff, 0x9d, 0xa7),
           QColor(0x9c, 0x75, 0x5f), QColor(0x9a, 0x9a, 0x9a)};
    return colors[index % int(std::size(colors))];
}

void StackedBarChart::setTitle(const QString &title)
{
    m_chart->setTitle(title);
}

void StackedBarChart::setValueAxisTitle(const QString &title)
{
    m_valueAxis->setTitleText(title);
}

QStringList StackedBarChart::stackNames() const
{
    QStringList names;
    const QList<QBarSet *> sets = m_series->barSets();
    for (const QBarSet *set : sets)
        names.append(set->label());
    return names;
}

void StackedBarChart::setData(const QStringList &categories, const QList<Stack> &stacks)
{
    if (categories != m_categories) {
        m_categories = categories;
        m_categoryAxis->setCategories(categories);
    }
    QList<QBarSet *> sets = m_series->barSets();
    // Sets whose stack is gone are removed; the rest keep their colour and are updated in place.
    for (QBarSet *set : std::as_const(sets)) {
        const bool kept = std::any_of(stacks.cbegin(), stacks.cend(),
                                      [set](const Stack &stack) { return stack.name == set->label(); });
        if (!kept)
            m_series->remove(set);
    }
    for (int i = 0; i < stacks.size(); ++i) {
        const Stack &stack = stacks.at(i);
        const QList<QBarSet *> current = m_series->barSets();
        QBarSet *set = nullptr;
        for (QBarSet *candidate : current) {
            if (candidate->label() == stack.name)
                set = candidate;
        }
        if (!set) {
            set = new QBarSet(stack.name);
            set->setColor(colorOf(i));
            set->setBorderColor(colorOf(i));
            connect(set, &QBarSet::clicked, this,
                    [this, set](int index) { Q_EMIT segmentClicked(set->label(), index); });
            m_series->append(set);
        }
        if (set->count() != categories.size()) {
            set->remove(0, set->count());
            QList<qreal> values;
            for (qsizetype c = 0; c < categories.size(); ++c)
                values.append(c < stack.values.size() ? stack.values.at(c) : 0.0);
            set->append(values);
        } else {
            for (int c = 0; c < categories.size(); ++c) {
                const qreal value = c < stack.values.size() ? stack.values.at(c) : 0.0;
                if (set->at(c) != value)
                    set->replace(c, value);
            }
        }
    }
    updateRange();
    applyPalette();
}

void StackedBarChart::updateRange()
{
    double top = 0;
    for (int c = 0; c < m_categories.size(); ++c) {
        double sum = 0;
        const QList<QBarSet *> sets = m_series->barSets();
        for (const QBarSet *set : sets)
            sum += c < set->count() ? set->at(c) : 0.0;
        top = std::max(top, sum);
    }
    // Four intervals of a round step (1, 2, 2.5 or 5 times a power of ten) above the highest bar.
    double step = 0.0025;
    if (top > 0) {
        const double raw = top * 1.05 / 4;
        const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
        for (const double nice : {1.0, 2.0, 2.5, 5.0, 10.0}) {
            step = nice * magnitude;
            if (step >= raw)
                break;
        }
    }
    m_valueAxis->setRange(0, step * 4);
    const int decimals = step >= 1 && std::floor(step) == step ? 0 : step >= 0.1 ? 2 : step >= 0.01 ? 3 : 4;
    m_valueAxis->setLabelFormat(QStringLiteral("%.") + QString::number(decimals) + QLatin1Char('f'));
    m_valueAxis->setTickCount(5);
}

void StackedBarChart::applyPalette()
{
    const QPalette p = palette();
    m_chart->setBackgroundBrush(p.color(QPalette::Base));
    m_chart->setBackgroundPen(Qt::NoPen);
    m_chart->setTitleBrush(p.color(QPalette::Text));
    m_chart->legend()->setLabelColor(p.color(QPalette::Text));
    for (QAbstractAxis *axis :
         {static_cast<QAbstractAxis *>(m_categoryAxis), static_cast<QAbstractAxis *>(m_valueAxis)}) {
        axis->setLabelsColor(p.color(QPalette::Text));
        axis->setTitleBrush(p.color(QPalette::Text));
        axis->setLinePenColor(p.color(QPalette::Mid));
        axis->setGridLineColor(p.color(QPalette::Midlight).lightness() > 128
                                       && p.color(QPalette::Base).lightness() < 128
                                   ? p.color(QPalette::Dark)
                                   : p.color(QPalette::Midlight));
    }
    m_view->setBackgroundBrush(p.color(QPalette::Base));
}

void StackedBarChart::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
}

} // namespace sluice

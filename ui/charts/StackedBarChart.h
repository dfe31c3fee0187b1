#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <QWidget>

class QBarCategoryAxis;
class QBarSet;
class QChart;
class QChartView;
class QStackedBarSeries;
class QValueAxis;

namespace sluice {

// A stacked bar chart over time behind a small interface, so the pages do not depend on Qt Charts (deprecated from
// Qt 6.10) and another chart library can replace it here alone. Bars are updated in place with replace(); sets
// are added or removed only when the stacks change. Follows the widget's palette.
class StackedBarChart : public QWidget
{
    Q_OBJECT
public:
    struct Stack
    {
        QString name;
        QList<double> values; // one per category
    };

    explicit StackedBarChart(QWidget *parent = nullptr);

    void setTitle(const QString &title);
    void setValueAxisTitle(const QString &title); // e.g. "USD"
    // categories: the bars, left to right; stacks: bottom to top, each with a value per category.
    void setData(const QStringList &categories, const QList<Stack> &stacks);
    QStringList categories() const { return m_categories; }
    QStringList stackNames() const;
    // The colour stack i is drawn in (a fixed, colour-blind-friendly sequence, readable on light and dark).
    static QColor colorOf(int index);

Q_SIGNALS:
    // A bar segment was clicked: the stack's name and the category index.
    void segmentClicked(const QString &stack, int category);

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyPalette();
    void updateRange();

    QChart *m_chart;
    QChartView *m_view;
    QStackedBarSeries *m_series;
    QBarCategoryAxis *m_categoryAxis;
    QValueAxis *m_valueAxis;
    QStringList m_categories;
};

} // namespace sluice

#pragma once

#include <QByteArray>
#include <QByteArrayList>

namespace sluice::test {

// The sum of every sample of one metric in a Prometheus text exposition whose labels contain each of the given
// fragments, e.g. prometheusSum(scrape, "sluice_requests_total", {"status=\"200\""}); 0 when none matches.
inline double prometheusSum(const QByteArray &text, const QByteArray &name, const QByteArrayList &fragments = {})
{
    double sum = 0;
    for (const QByteArray &line : text.split('\n')) {
        if (!line.startsWith(QByteArray(name + '{')) && !line.startsWith(QByteArray(name + ' ')))
            continue;
        bool all = true;
        for (const QByteArray &fragment : fragments)
            all = all && line.contains(fragment);
        if (all)
            sum += line.mid(line.lastIndexOf(' ') + 1).toDouble();
    }
    return sum;
}

} // namespace sluice::test

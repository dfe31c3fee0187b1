#include "AttemptSummary.h"

namespace sluice {

bool AttemptSummary::isSkipped(const AttemptRecord &attempt)
{
    return attempt.decision == QLatin1String("skipped");
}

int AttemptSummary::sentCount(const QList<AttemptRecord> &attempts)
{
    int count = 0;
    for (const AttemptRecord &attempt : attempts) {
        if (!isSkipped(attempt)) {
            ++count;
        }
    }
    return count;
}

QString AttemptSummary::answeringDeployment(const QList<AttemptRecord> &attempts)
{
    for (auto it = attempts.crbegin(); it != attempts.crend(); ++it) {
        if (!isSkipped(*it)) {
            return it->deployment;
        }
    }
    return {};
}

void AttemptSummary::fill(RequestRecord &record)
{
    if (record.attempts.isEmpty()) {
        return;
    }
    record.attemptCount = sentCount(record.attempts);
    record.deployment = answeringDeployment(record.attempts);
}

} // namespace sluice

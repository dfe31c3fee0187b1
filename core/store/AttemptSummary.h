#pragma once

#include <QList>
#include <QString>

#include "common/RequestRecord.h"

namespace sluice {

// A request's attempts in brief, as the requests row and the live table keep them: how many were sent and which
// deployment answered. One rule, shared by the writer (which stores it) and views fed with full records.
class AttemptSummary
{
public:
    // Attempts sent upstream: deployments skipped with an open circuit breaker are in the timeline, not counted.
    static int sentCount(const QList<AttemptRecord> &attempts);
    // The deployment whose answer the client got: the last attempt sent; empty when none was sent.
    static QString answeringDeployment(const QList<AttemptRecord> &attempts);
    static bool isSkipped(const AttemptRecord &attempt);
    // Sets record.attemptCount and record.deployment from record.attempts, when the record carries them.
    static void fill(RequestRecord &record);
};

} // namespace sluice

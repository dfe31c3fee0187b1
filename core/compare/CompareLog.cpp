#include "CompareLog.h"

#include <QDeadlineTimer>
#include <QThread>

#include "store/RequestLogReader.h"

namespace sluice {

void CompareLog::apply(CompareColumn &column, const RequestRecord &record)
{
    if (record.inputTokens >= 0)
        column.inputTokens = record.inputTokens;
    if (record.cachedTokens >= 0)
        column.cachedTokens = record.cachedTokens;
    if (record.outputTokens >= 0)
        column.outputTokens = record.outputTokens;
    if (record.reasoningTokens >= 0)
        column.reasoningTokens = record.reasoningTokens;
    column.costUsd = record.costUsd;
    column.costStatus = record.costStatus;
    column.provider = record.provider;
    column.servedModel = record.servedModel.isEmpty() ? record.upstreamModel : record.servedModel;
    if (column.finishReason.isEmpty())
        column.finishReason = record.finishReason;
}

void CompareLog::complete(RequestLogReader &reader, CompareRunResult &run, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    for (CompareColumn &column : run.columns) {
        if (column.requestId.isEmpty())
            continue;
        for (;;) {
            const Result<RequestRecord> record = reader.byId(column.requestId);
            if (record) {
                apply(column, record.value());
                break;
            }
            if (deadline.hasExpired())
                break;
            QThread::msleep(50); // the writer commits in batches, within a few hundred ms
        }
    }
}

} // namespace sluice

#pragma once

#include "common/RequestRecord.h"
#include "compare/CompareRun.h"

namespace sluice {

class RequestLogReader;

// Completes a run's columns from the rows the gateway logged for them: tokens (input, cached, output, reasoning),
// cost and its status, the provider and model that answered. The rows are the truth the spend pages show too.
class CompareLog
{
public:
    static void apply(CompareColumn &column, const RequestRecord &record);
    // Reads each column's row by its request id, waiting up to timeoutMs for rows the writer has not committed yet
    // (blocking: call it off the GUI thread). Columns whose row never came keep what their stream reported.
    static void complete(RequestLogReader &reader, CompareRunResult &run, int timeoutMs);
};

} // namespace sluice

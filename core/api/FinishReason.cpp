#include "FinishReason.h"

namespace sluice {

QLatin1String finishReasonName(FinishReason reason)
{
    switch (reason) {
    case FinishReason::Stop:
        return QLatin1String("stop");
    case FinishReason::Length:
        return QLatin1String("length");
    case FinishReason::ToolCalls:
        return QLatin1String("tool_calls");
    case FinishReason::ContentFilter:
        return QLatin1String("content_filter");
    case FinishReason::Error:
        return QLatin1String("error");
    }
    return QLatin1String("stop");
}

} // namespace sluice

#pragma once

#include <QString>

#include "routing/FailureClass.h"

namespace sluice {

// What the request path does after an attempt, as RoutePlanner::finish() decided.
struct RouteDecision
{
    enum class Action {
        Done, // the attempt succeeded: deliver its answer
        Retry, // try the same deployment again after waitMs (possibly with another key): call next()
        MoveOn, // try the next deployment or fallback model after waitMs: call next()
        GiveUp, // stop: deliver this attempt's answer as it is (an error, or a 2xx refusal) to the client
    };

    Action action = Action::GiveUp;
    qint64 waitMs = 0;
    FailureClass failure = FailureClass::None;
    QString reason; // for the log and the attempt timeline
};

} // namespace sluice

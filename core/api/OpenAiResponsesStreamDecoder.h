#pragma once

#include <QHash>
#include <QSet>

#include "api/StreamDecoder.h"

class QJsonObject;

namespace sluice {

// Responses API stream events (response.created, output_item.added/done, output_text.delta, reasoning summary
// and text deltas, function_call_arguments.delta/done, response.completed/incomplete/failed, error) to canonical
// events.
class OpenAiResponsesStreamDecoder : public StreamDecoder
{
protected:
    void onEvent(const SseEvent &event) override;
    void onEnd() override { }

private:
    int toolFor(const QJsonObject &data) const;
    void finishWith(const QJsonObject &response, const QString &type);

    QHash<QString, int> m_toolByItem; // item id -> tool ordinal
    QHash<int, int> m_toolByOutput; // output_index -> tool ordinal
    QSet<int> m_toolsWithArguments;
    int m_toolCount = 0;
};

} // namespace sluice

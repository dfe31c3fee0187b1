#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include "compare/CompareRun.h"

namespace sluice {

// A comparison run as JSON (what `sluice compare --format json` prints, what saved runs keep and what the window
// exports) and as Markdown (a table of the figures, then each model's output and tool calls).
class CompareExport
{
public:
    static QJsonObject columnJson(const CompareColumn &column);
    static CompareColumn columnFromJson(const QJsonObject &object);
    // The run with its request body included.
    static QJsonObject runJson(const CompareRunResult &run);
    static Result<CompareRunResult> runFromJson(const QJsonObject &object);
    static QByteArray toJson(const CompareRunResult &run);
    static QString toMarkdown(const CompareRunResult &run);
};

} // namespace sluice

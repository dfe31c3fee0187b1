#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include "api/ApiFormat.h"

namespace sluice {

// The response cache's key: SHA-256 of the normalized request. Two requests share an entry when they come in
// the same client format, from the same gateway token, and their JSON bodies are equal once the fields that do
// not change the answer are removed (nonSemanticFields()) and keys are sorted: a streamed and a non-streamed
// request share one.
class CacheKey
{
public:
    // body must be a JSON object (the gateway validated it).
    static QByteArray compute(ApiFormat format, const QString &tokenName, const QByteArray &body);
    // The top-level body fields left out of the key (docs/configuration.md).
    static const QStringList &nonSemanticFields();
};

} // namespace sluice

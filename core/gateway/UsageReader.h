#pragma once

#include <optional>

#include <QByteArrayView>

#include "api/TokenUsage.h"

namespace sluice {

// Reads the "usage" object of a non-streamed OpenAI chat answer from its text in one pass, without the JSON
// parser, when the object is plain: every member a whole number written as JSON writes it, a string without
// escapes, null, true, false, or an object of such members. That is what providers send; for anything else
// (fractions, exponents, escapes, arrays, malformed text) it gives nullopt and the caller parses the object with
// TokenUsage::fromOpenAiChat, whose reading this one gives exactly (tst_usagereader).
class UsageReader
{
public:
    static std::optional<TokenUsage> openAiChat(QByteArrayView usageObject);
};

} // namespace sluice

#pragma once

#include <optional>

#include <QString>

#include "common/Result.h"

namespace sluice {

// Which prompt version a request or a command names: NAME (the newest), NAME@LABEL or NAME@vN; as a model,
// "prompt:" in front (docs/prompts.md).
struct PromptReference
{
    QString name;
    QString selector; // empty (latest), a label, or "vN"

    // The reference a model name holds, or nothing when it does not start with "prompt:".
    static std::optional<Result<PromptReference>> fromModel(const QString &model);
    static Result<PromptReference> parse(const QString &text);
    QString text() const { return selector.isEmpty() ? name : name + QLatin1Char('@') + selector; }

    static constexpr QLatin1String ModelPrefix {"prompt:"};
};

} // namespace sluice

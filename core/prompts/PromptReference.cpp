#include "PromptReference.h"

#include "store/PromptStore.h"

namespace sluice {

std::optional<Result<PromptReference>> PromptReference::fromModel(const QString &model)
{
    if (!model.startsWith(ModelPrefix))
        return std::nullopt;
    return parse(model.mid(ModelPrefix.size()));
}

Result<PromptReference> PromptReference::parse(const QString &text)
{
    PromptReference reference;
    const qsizetype at = text.indexOf(QLatin1Char('@'));
    reference.name = at < 0 ? text : text.left(at);
    reference.selector = at < 0 ? QString() : text.mid(at + 1);
    if (!PromptStore::isValidName(reference.name))
        return makeError(QStringLiteral("'%1' does not name a prompt: write NAME, NAME@LABEL or NAME@vN. %2")
                             .arg(text, PromptStore::nameRules()));
    if (at >= 0 && reference.selector.isEmpty())
        return makeError(
            QStringLiteral("'%1' ends with '@': name a label or a version (NAME@production, NAME@v3).").arg(text));
    return reference;
}

} // namespace sluice

#pragma once

#include <functional>

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include "common/Result.h"
#include "prompts/PromptContent.h"

namespace sluice {

// A variable a template declares: {{name}}, {{name:type}}, {{name=default}} or {{name:type=default}}.
struct TemplateVariable
{
    QString name;
    QString type = QStringLiteral("string"); // string, number, integer, boolean or json
    bool hasDefault = false;
    QString defaultValue;
};

// Sluice's prompt templates (docs/prompts.md): {{variable}} with an optional type and default, {{> prompt}},
// {{> prompt@label}} or {{> prompt@vN}} to include a text prompt, and \{{ for a literal "{{". Rendering is a pure
// function of the template, the variables and the partials the resolver gives.
class PromptTemplate
{
public:
    // Returns the text prompt a partial reference (NAME, NAME@LABEL or NAME@vN) names.
    using PartialResolver = std::function<Result<PromptContent>(const QString &reference)>;

    // The variables and partial references of content, in order of first use; an error for a malformed tag or a
    // variable declared twice with different types or defaults.
    static Result<QList<TemplateVariable>> variables(const PromptContent &content, QStringList *partials = nullptr);
    // content with every tag replaced. A variable the template uses that has no value and no default, a value for a
    // variable it does not use, a value of the wrong type, a partial that cannot be resolved or that includes
    // itself: an error naming it, never an empty string.
    static Result<PromptContent> render(const PromptContent &content, const QJsonObject &values,
                                        const PartialResolver &partials = {});

    static constexpr int MaxPartialDepth = 8;
};

} // namespace sluice

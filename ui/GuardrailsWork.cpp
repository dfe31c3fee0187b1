#include "GuardrailsWork.h"

#include <QRegularExpression>

#include "config/ConfigWriter.h"

namespace sluice {

GuardrailEdit GuardrailsWork::fromLoaderMessage(const QString &message, int index)
{
    GuardrailEdit edit;
    // "FILE:LINE: guardrails.rules[N].FIELD...: message" (the loader's form).
    const QRegularExpression atRule(
        QStringLiteral("guardrails\\.rules\\[%1\\](?:\\.([a-z_]+)[^:]*)?: (.*)$").arg(index));
    QStringList other;
    for (const QString &line : message.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QRegularExpressionMatch match = atRule.match(line);
        if (!match.hasMatch()) {
            other.append(line);
            continue;
        }
        static const QRegularExpression missing(QStringLiteral("^'([a-z_]+)' is missing"));
        const QRegularExpressionMatch missingField = missing.match(match.captured(2));
        const QString field = !match.captured(1).isEmpty() ? match.captured(1)
            : missingField.hasMatch()                      ? missingField.captured(1)
                                                           : QStringLiteral("name");
        QString &shown = edit.fieldErrors[field];
        shown += (shown.isEmpty() ? QString() : QStringLiteral("\n")) + match.captured(2);
    }
    edit.error = other.join(QLatin1Char('\n'));
    return edit;
}

GuardrailEdit GuardrailsWork::apply(const QString &configPath, const QString &originalName, const GuardrailRule &rule,
                                    bool write)
{
    GuardrailEdit edit;
    Result<ConfigWriter> writer = ConfigWriter::open(configPath);
    if (!writer) {
        edit.error = writer.errorMessage();
        return edit;
    }
    const int index = originalName.isEmpty()
        ? int(writer.value().yaml().itemNames(QStringLiteral("guardrails.rules")).size())
        : writer->guardrailRuleIndex(originalName);
    if (Result<void> changed = writer.value().setGuardrailRule(originalName, rule); !changed) {
        edit.error = changed.errorMessage();
        return edit;
    }
    const Result<Config> config = writer->validate();
    if (!config)
        return fromLoaderMessage(config.errorMessage(), index);
    if (write) {
        const Result<Config> saved = writer.value().save();
        if (!saved) {
            edit.error = saved.errorMessage();
            return edit;
        }
    }
    edit.ok = true;
    edit.rules = config->guardrails;
    return edit;
}

GuardrailEdit GuardrailsWork::check(const QString &configPath, const QString &originalName, const GuardrailRule &rule)
{
    return apply(configPath, originalName, rule, false);
}

GuardrailEdit GuardrailsWork::save(const QString &configPath, const QString &originalName, const GuardrailRule &rule)
{
    return apply(configPath, originalName, rule, true);
}

GuardrailEdit GuardrailsWork::remove(const QString &configPath, const QString &name)
{
    GuardrailEdit edit;
    Result<ConfigWriter> writer = ConfigWriter::open(configPath);
    if (!writer) {
        edit.error = writer.errorMessage();
        return edit;
    }
    if (Result<void> removed = writer.value().removeGuardrailRule(name); !removed) {
        edit.error = removed.errorMessage();
        return edit;
    }
    const Result<Config> saved = writer.value().save();
    if (!saved) {
        edit.error = saved.errorMessage();
        return edit;
    }
    edit.ok = true;
    edit.rules = saved->guardrails;
    return edit;
}

} // namespace sluice

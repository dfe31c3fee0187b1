#include "clients/AiderWriter.h"

#include "config/YamlText.h"

namespace sluice {

QString AiderWriter::configPath() const
{
    return homeDir() + QStringLiteral("/.aider.conf.yml");
}

Result<QByteArray> AiderWriter::merge(const std::optional<QByteArray> &existing, const ClientEndpoint &endpoint) const
{
    Result<YamlText> yaml = YamlText::parse(existing.value_or(QByteArray()), configPath());
    if (!yaml)
        return makeError(QStringLiteral("%1; the file was left as it is").arg(yaml.errorMessage()));
    YamlText edited = std::move(yaml).value();
    for (const auto &[key, value] :
         {std::pair {QStringLiteral("openai-api-base"), YamlText::scalar(endpoint.baseUrl() + QStringLiteral("/v1"))},
          std::pair {QStringLiteral("openai-api-key"), YamlText::scalar(endpoint.token)}}) {
        if (Result<void> set = edited.setTopLevel(key, value); !set)
            return set.error();
    }
    // Aider sends openai/NAME models to openai-api-base; without a model it would use its own default provider.
    QString model = endpoint.model;
    if (model.isEmpty() && edited.topLevelValue(QStringLiteral("model")).isEmpty() && !endpoint.models.isEmpty())
        model = endpoint.models.first();
    if (!model.isEmpty()) {
        if (Result<void> set
            = edited.setTopLevel(QStringLiteral("model"), YamlText::scalar(QStringLiteral("openai/") + model));
            !set)
            return set.error();
    }
    return edited.text();
}

QString AiderWriter::existingSecret(const std::optional<QByteArray> &existing) const
{
    const Result<YamlText> yaml = YamlText::parse(existing.value_or(QByteArray()), configPath());
    return yaml ? yaml->topLevelValue(QStringLiteral("openai-api-key")) : QString();
}

QStringList AiderWriter::warnings(const std::optional<QByteArray> &existing) const
{
    const Result<YamlText> yaml = YamlText::parse(existing.value_or(QByteArray()), configPath());
    if (!yaml)
        return {};
    const QString model = yaml->topLevelValue(QStringLiteral("model"));
    if (!model.isEmpty() && !model.startsWith(QLatin1String("openai/")))
        return {QStringLiteral("%1 keeps model: %2, which Aider sends to its own provider, not to Sluice; run the "
                               "set-up with --model NAME to use a Sluice model")
                    .arg(configPath(), model)};
    return {};
}

} // namespace sluice

#include "clients/ContinueWriter.h"

#include <QFileInfo>

#include "config/YamlText.h"

namespace sluice {

namespace {
const QString Models = QStringLiteral("models");
}

QString ContinueWriter::configPath() const
{
    return homeDir() + QStringLiteral("/.continue/config.yaml");
}

Result<QByteArray> ContinueWriter::merge(const std::optional<QByteArray> &existing,
                                         const ClientEndpoint &endpoint) const
{
    Result<YamlText> yaml = YamlText::parse(existing.value_or(QByteArray()), configPath());
    if (!yaml)
        return makeError(QStringLiteral("%1; the file was left as it is").arg(yaml.errorMessage()));
    YamlText edited = std::move(yaml).value();
    // A new file needs Continue's own header to be read as a config.
    for (const auto &[key, value] : {std::pair {QStringLiteral("name"), QByteArray("Local Config")},
                                     std::pair {QStringLiteral("version"), QByteArray("1.0.0")},
                                     std::pair {QStringLiteral("schema"), QByteArray("v1")}}) {
        if (edited.topLevelValue(key).isEmpty()) {
            if (Result<void> set = edited.setTopLevel(key, value); !set)
                return set.error();
        }
    }
    QStringList models = endpoint.models;
    // The default model first: Continue picks the first chat model.
    if (!endpoint.model.isEmpty()) {
        models.removeAll(endpoint.model);
        models.prepend(endpoint.model);
    }
    for (const QString &model : std::as_const(models)) {
        const QString entry = entryName(model);
        const QList<YamlText::Field> fields
            = {{QStringLiteral("provider"), QByteArray("openai")},
               {QStringLiteral("model"), YamlText::scalar(model)},
               {QStringLiteral("apiBase"), YamlText::scalar(endpoint.baseUrl() + QStringLiteral("/v1"))},
               {QStringLiteral("apiKey"), YamlText::scalar(endpoint.token)}};
        if (edited.hasItem(Models, entry)) {
            for (const YamlText::Field &field : fields) {
                if (Result<void> set = edited.setItemField(Models, entry, field.first, field.second); !set)
                    return makeError(QStringLiteral("%1; the file was left as it is").arg(set.errorMessage()));
            }
        } else {
            QList<YamlText::Field> item = {{QStringLiteral("name"), YamlText::scalar(entry)}};
            item.append(fields);
            if (Result<void> added = edited.appendItem(Models, item); !added)
                return makeError(QStringLiteral("%1; the file was left as it is").arg(added.errorMessage()));
        }
    }
    return edited.text();
}

QString ContinueWriter::existingSecret(const std::optional<QByteArray> &existing) const
{
    const Result<YamlText> yaml = YamlText::parse(existing.value_or(QByteArray()), configPath());
    if (!yaml)
        return {};
    for (const QString &name : yaml->itemNames(Models)) {
        if (name.endsWith(QLatin1String(" (Sluice)")))
            return yaml->itemField(Models, name, QStringLiteral("apiKey"));
    }
    return {};
}

QStringList ContinueWriter::warnings(const std::optional<QByteArray> &) const
{
    const QString legacy = homeDir() + QStringLiteral("/.continue/config.json");
    if (QFileInfo::exists(legacy))
        return {QStringLiteral("%1 exists too: Continue reads config.yaml instead of it once config.yaml exists")
                    .arg(legacy)};
    return {};
}

} // namespace sluice

#include "ConfigWriter.h"

#include <algorithm>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include "config/ConfigLoader.h"
#include "config/DefaultConfig.h"
#include "config/ProviderPreset.h"

namespace sluice {

namespace {

const QString Providers = QStringLiteral("providers");
const QString Models = QStringLiteral("models");
const QString GuardrailRules = QStringLiteral("guardrails.rules");

// A rule as the config writes it: what differs from the defaults, in the order docs/guardrails.md shows.
QList<YamlText::Field> guardrailFields(const GuardrailRule &rule)
{
    QList<YamlText::Field> fields = {{QStringLiteral("name"), YamlText::scalar(rule.name)},
                                     {QStringLiteral("detect"), YamlText::scalar(rule.detect)}};
    if (!rule.pattern.isEmpty())
        fields.append({QStringLiteral("pattern"), YamlText::scalar(rule.pattern)});
    if (!rule.words.isEmpty())
        fields.append({QStringLiteral("words"), YamlText::flowList(rule.words)});
    fields.append({QStringLiteral("action"), guardrailActionName(rule.action).toUtf8()});
    fields.append({QStringLiteral("on"), guardrailSideName(rule.on).toUtf8()});
    if (!rule.restore)
        fields.append({QStringLiteral("restore"), QByteArrayLiteral("false")});
    if (!rule.models.isEmpty())
        fields.append({QStringLiteral("models"), YamlText::flowList(rule.models)});
    if (!rule.tokens.isEmpty())
        fields.append({QStringLiteral("tokens"), YamlText::flowList(rule.tokens)});
    if (!rule.clients.isEmpty())
        fields.append({QStringLiteral("clients"), YamlText::flowList(rule.clients)});
    if (!rule.enabled)
        fields.append({QStringLiteral("enabled"), QByteArrayLiteral("false")});
    return fields;
}

} // namespace

Result<ConfigWriter> ConfigWriter::open(const QString &path)
{
    ConfigWriter writer;
    writer.m_path = path;
    const QFileInfo info(path);
    if (info.isDir())
        return makeError(QStringLiteral("%1 is a folder; pass the path of the config file itself")
                             .arg(QDir::toNativeSeparators(path)));
    if (info.exists()) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return makeError(
                QStringLiteral("%1 cannot be read: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
        writer.m_original = file.readAll();
        writer.m_existed = true;
    } else {
        writer.m_original = DefaultConfig::text();
    }
    Result<YamlText> yaml = YamlText::parse(writer.m_original, writer.shownName());
    if (!yaml)
        return yaml.error();
    writer.m_yaml = std::move(yaml).value();
    return writer;
}

QString ConfigWriter::shownName() const
{
    return QDir::toNativeSeparators(m_path);
}

Result<void> ConfigWriter::addProvider(const ProviderEntry &provider)
{
    if (provider.name.trimmed().isEmpty())
        return makeError(QStringLiteral("a provider needs a name"));
    if (m_yaml.hasItem(Providers, provider.name))
        return makeError(QStringLiteral("there is already a provider named '%1'; remove it first or pick another name")
                             .arg(provider.name));
    if (!ProviderPreset::find(provider.type))
        return makeError(QStringLiteral("unknown provider type '%1'; known types: %2")
                             .arg(provider.type, ProviderPreset::types().join(QStringLiteral(", "))));
    QList<YamlText::Field> fields = {{QStringLiteral("name"), YamlText::scalar(provider.name)},
                                     {QStringLiteral("type"), YamlText::scalar(provider.type)}};
    if (!provider.baseUrl.isEmpty())
        fields.append({QStringLiteral("base_url"), YamlText::scalar(provider.baseUrl)});
    if (!provider.apiKey.isNull())
        fields.append({QStringLiteral("api_key"), YamlText::scalar(provider.apiKey.toString())});
    return m_yaml.appendItem(Providers, fields);
}

Result<void> ConfigWriter::removeProvider(const QString &name)
{
    if (!m_yaml.hasItem(Providers, name))
        return makeError(QStringLiteral("there is no provider named '%1'").arg(name));
    if (Result<Config> current = validate(); current) {
        QStringList users;
        for (const ModelRoute &model : current->models) {
            for (const ModelDeployment &deployment : model.deployments) {
                if (deployment.provider == name && !users.contains(model.name))
                    users.append(model.name);
            }
        }
        if (!users.isEmpty())
            return makeError(QStringLiteral("provider '%1' serves the models %2; remove those first "
                                            "(sluice model remove NAME) or point them at another provider")
                                 .arg(name, users.join(QStringLiteral(", "))));
    }
    return m_yaml.removeItem(Providers, name);
}

Result<void> ConfigWriter::addModel(const ModelEntry &model)
{
    if (model.name.trimmed().isEmpty())
        return makeError(QStringLiteral("a model needs a name"));
    if (m_yaml.hasItem(Models, model.name))
        return makeError(QStringLiteral("there is already a model named '%1'; remove it first or pick another name")
                             .arg(model.name));
    if (!m_yaml.hasItem(Providers, model.provider))
        return makeError(
            QStringLiteral("there is no provider named '%1'; add it first (sluice provider add)").arg(model.provider));
    QList<YamlText::Field> fields = {{QStringLiteral("name"), YamlText::scalar(model.name)},
                                     {QStringLiteral("provider"), YamlText::scalar(model.provider)}};
    if (!model.upstreamModel.isEmpty() && model.upstreamModel != model.name)
        fields.append({QStringLiteral("upstream_model"), YamlText::scalar(model.upstreamModel)});
    if (!model.fallbacks.isEmpty())
        fields.append({QStringLiteral("fallbacks"), YamlText::flowList(model.fallbacks)});
    return m_yaml.appendItem(Models, fields);
}

namespace {

// A scalar inside a flow collection ({...}, [...]), where ',' and brackets end a plain scalar.
QByteArray flowScalar(const QString &value)
{
    const QByteArray plain = YamlText::scalar(value);
    if (plain.startsWith('"')
        || !(value.contains(u',') || value.contains(u'[') || value.contains(u']') || value.contains(u'{')
             || value.contains(u'}')))
        return plain;
    QByteArray quoted = value.toUtf8();
    quoted.replace("\\", "\\\\").replace("\"", "\\\"");
    return '"' + quoted + '"';
}

QByteArray deploymentItem(const QString &provider, const QString &model)
{
    return "{provider: " + flowScalar(provider) + ", model: " + flowScalar(model) + "}";
}

} // namespace

Result<void> ConfigWriter::addDeployment(const QString &model, const QString &provider, const QString &upstreamModel)
{
    if (!m_yaml.hasItem(Models, model))
        return makeError(QStringLiteral("there is no model named '%1'").arg(model));
    if (!m_yaml.hasItem(Providers, provider))
        return makeError(
            QStringLiteral("there is no provider named '%1'; add it first (sluice provider add)").arg(provider));
    const QString upstream = upstreamModel.isEmpty() ? model : upstreamModel;
    const QString shortProvider = m_yaml.itemField(Models, model, QStringLiteral("provider"));
    if (shortProvider.isEmpty())
        return m_yaml.appendToItemList(Models, model, QStringLiteral("deployments"),
                                       deploymentItem(provider, upstream));
    QString shortUpstream = m_yaml.itemField(Models, model, QStringLiteral("upstream_model"));
    if (shortUpstream.isEmpty())
        shortUpstream = model;
    if (shortProvider == provider && shortUpstream == upstream)
        return makeError(QStringLiteral("'%1' is already served by %2 as %3").arg(model, provider, upstream));
    // The short form becomes a list of both; the fields it replaces go.
    if (Result<void> set = m_yaml.setItemField(Models, model, QStringLiteral("deployments"),
                                               "[" + deploymentItem(shortProvider, shortUpstream) + ", "
                                                   + deploymentItem(provider, upstream) + "]");
        !set)
        return set;
    if (Result<void> removed = m_yaml.removeItemField(Models, model, QStringLiteral("provider")); !removed)
        return removed;
    if (!m_yaml.itemField(Models, model, QStringLiteral("upstream_model")).isEmpty())
        return m_yaml.removeItemField(Models, model, QStringLiteral("upstream_model"));
    return {};
}

Result<void> ConfigWriter::removeModel(const QString &name)
{
    if (!m_yaml.hasItem(Models, name))
        return makeError(QStringLiteral("there is no model named '%1'").arg(name));
    return m_yaml.removeItem(Models, name);
}

Result<void> ConfigWriter::setGuardrailRule(const QString &originalName, const GuardrailRule &rule)
{
    const QList<YamlText::Field> fields = guardrailFields(rule);
    if (originalName.isEmpty())
        return m_yaml.appendItem(GuardrailRules, fields);
    if (!m_yaml.hasItem(GuardrailRules, originalName))
        return makeError(QStringLiteral("there is no guardrail rule named '%1'").arg(originalName));
    if (m_yaml.isFlowItem(GuardrailRules, originalName))
        return m_yaml.replaceItem(GuardrailRules, originalName, fields);
    // Field by field under the old name, the name last: a clash with another rule is then the loader's to report.
    static const QStringList keys
        = {QStringLiteral("detect"),  QStringLiteral("pattern"), QStringLiteral("words"),  QStringLiteral("action"),
           QStringLiteral("on"),      QStringLiteral("restore"), QStringLiteral("models"), QStringLiteral("tokens"),
           QStringLiteral("clients"), QStringLiteral("enabled")};
    for (const QString &key : keys) {
        const auto field = std::find_if(fields.cbegin(), fields.cend(),
                                        [&key](const YamlText::Field &candidate) { return candidate.first == key; });
        Result<void> edited = field != fields.cend()
            ? m_yaml.setItemField(GuardrailRules, originalName, key, field->second)
            : m_yaml.removeItemField(GuardrailRules, originalName, key);
        if (!edited)
            return edited;
    }
    if (rule.name == originalName)
        return {};
    return m_yaml.setItemField(GuardrailRules, originalName, QStringLiteral("name"), YamlText::scalar(rule.name));
}

Result<void> ConfigWriter::removeGuardrailRule(const QString &name)
{
    if (!m_yaml.hasItem(GuardrailRules, name))
        return makeError(QStringLiteral("there is no guardrail rule named '%1'").arg(name));
    return m_yaml.removeItem(GuardrailRules, name);
}

int ConfigWriter::guardrailRuleIndex(const QString &name) const
{
    return int(m_yaml.itemNames(GuardrailRules).indexOf(name));
}

Result<Config> ConfigWriter::validate() const
{
    Result<Config> config = ConfigLoader::loadString(text(), shownName());
    if (config.ok())
        config.value().sourcePath = QFileInfo(m_path).absoluteFilePath();
    return config;
}

Result<Config> ConfigWriter::save()
{
    Result<Config> config = validate();
    if (!config)
        return makeError(QStringLiteral("the change was not written, it would make the config invalid: %1")
                             .arg(config.errorMessage()));
    // Someone (an editor, another sluice command) changed the file since it was read: do not undo their work.
    QFile current(m_path);
    const bool exists = current.exists();
    if (exists != m_existed || (exists && (!current.open(QIODevice::ReadOnly) || current.readAll() != m_original)))
        return makeError(QStringLiteral("%1 changed since it was read; nothing was written, run the command again")
                             .arg(shownName()));
    current.close();
    if (!QDir().mkpath(QFileInfo(m_path).absolutePath()))
        return makeError(QStringLiteral("Cannot create the folder of %1").arg(shownName()));
    QSaveFile file(m_path);
    const QByteArray bytes = text();
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return makeError(QStringLiteral("Cannot write %1: %2").arg(shownName(), file.errorString()));
    m_original = bytes;
    m_existed = true;
    return config;
}

} // namespace sluice

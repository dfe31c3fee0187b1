#include "ConfigLoader.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <tuple>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>

#include <yaml-cpp/yaml.h>

#include "config/ProviderPreset.h"
#include "guardrails/Guardrails.h"

namespace sluice {

namespace {
Q_LOGGING_CATEGORY(lcConfig, "sluice.config")

constexpr qint64 MaxConfigFileBytes = 4 * 1024 * 1024;
constexpr int MaxReportedErrors = 20;
constexpr qsizetype MaxQuotedLength = 60;
constexpr qsizetype MaxModelNameLength = 256;
constexpr qint64 MaxTimeoutMs = 24LL * 60 * 60 * 1000;

const QStringList TopLevelKeys = {QStringLiteral("gateway"), QStringLiteral("providers"), QStringLiteral("models"),
                                  QStringLiteral("tokens"),  QStringLiteral("logging"),   QStringLiteral("prices"),
                                  QStringLiteral("routing"), QStringLiteral("cache"),     QStringLiteral("budgets"),
                                  QStringLiteral("metrics"), QStringLiteral("telemetry"), QStringLiteral("guardrails"),
                                  QStringLiteral("store")};
const QStringList GatewayKeys = {QStringLiteral("listen"),
                                 QStringLiteral("port"),
                                 QStringLiteral("allowed_hosts"),
                                 QStringLiteral("allowed_origins"),
                                 QStringLiteral("max_header_bytes"),
                                 QStringLiteral("max_body_bytes"),
                                 QStringLiteral("shutdown_timeout_ms"),
                                 QStringLiteral("max_connections"),
                                 QStringLiteral("max_buffered_bytes")};
const QStringList ProviderKeys
    = {QStringLiteral("name"),     QStringLiteral("type"),        QStringLiteral("base_url"),
       QStringLiteral("api_key"),  QStringLiteral("timeouts"),    QStringLiteral("free"),
       QStringLiteral("api_keys"), QStringLiteral("api_version"), QStringLiteral("responses_api")};
// Amazon Bedrock's fields (type bedrock).
const QStringList AwsProviderKeys
    = {QStringLiteral("region"), QStringLiteral("access_key_id"), QStringLiteral("session_token")};
const QStringList TimeoutKeys = {QStringLiteral("connect_ms"), QStringLiteral("first_byte_ms"),
                                 QStringLiteral("idle_ms"), QStringLiteral("total_ms")};
const QStringList ModelKeys
    = {QStringLiteral("name"),        QStringLiteral("provider"),    QStringLiteral("upstream_model"),
       QStringLiteral("deployments"), QStringLiteral("balance"),     QStringLiteral("fallbacks"),
       QStringLiteral("retry"),       QStringLiteral("fallback_on"), QStringLiteral("drop_unsupported_params"),
       QStringLiteral("cache")};
const QStringList DeploymentKeys = {QStringLiteral("provider"), QStringLiteral("model"), QStringLiteral("api_key"),
                                    QStringLiteral("weight"), QStringLiteral("timeouts")};
const QStringList RetryKeys
    = {QStringLiteral("attempts"), QStringLiteral("backoff_ms"), QStringLiteral("max_backoff_ms")};
const QStringList RoutingKeys = {QStringLiteral("default_fallbacks"), QStringLiteral("breaker"),
                                 QStringLiteral("deadline_ms"),       QStringLiteral("retry"),
                                 QStringLiteral("fallback_on"),       QStringLiteral("drop_unsupported_params")};
const QStringList BreakerKeys = {QStringLiteral("failures"), QStringLiteral("window_s"), QStringLiteral("cooldown_s")};
const QStringList BalanceNames
    = {QStringLiteral("weighted"), QStringLiteral("least-latency"), QStringLiteral("least-in-flight")};
// What fallback_on accepts; "context_window" is short for context_window_exceeded.
const QStringList FailureClassNames
    = {QStringLiteral("rate_limit"),  QStringLiteral("server_error"),   QStringLiteral("timeout"),
       QStringLiteral("connection"),  QStringLiteral("context_window"), QStringLiteral("content_policy"),
       QStringLiteral("client_error")};
const QStringList TokenKeys = {QStringLiteral("name"), QStringLiteral("secret"), QStringLiteral("models"),
                               QStringLiteral("rpm"), QStringLiteral("tpm")};
const QStringList BudgetKeys
    = {QStringLiteral("limits"), QStringLiteral("soft_threshold"), QStringLiteral("default_max_tokens")};
const QStringList BudgetLimitKeys
    = {QStringLiteral("token"),  QStringLiteral("provider"), QStringLiteral("model"),
       QStringLiteral("period"), QStringLiteral("usd"),      QStringLiteral("soft_threshold")};
const QStringList BudgetPeriodNames = {QStringLiteral("daily"), QStringLiteral("weekly"), QStringLiteral("monthly")};
constexpr double MaxBudgetUsd = 1e9;
const QStringList GuardrailKeys = {QStringLiteral("rules")};
const QStringList GuardrailRuleKeys
    = {QStringLiteral("name"),   QStringLiteral("detect"),  QStringLiteral("pattern"), QStringLiteral("words"),
       QStringLiteral("action"), QStringLiteral("on"),      QStringLiteral("restore"), QStringLiteral("models"),
       QStringLiteral("tokens"), QStringLiteral("clients"), QStringLiteral("enabled")};
const QStringList GuardrailActionNames = {QStringLiteral("block"), QStringLiteral("mask"), QStringLiteral("log")};
const QStringList GuardrailSideNames = {QStringLiteral("request"), QStringLiteral("response"), QStringLiteral("both")};
const QStringList LoggingKeys = {QStringLiteral("store_bodies"), QStringLiteral("max_body_bytes"),
                                 QStringLiteral("retention_days"), QStringLiteral("max_database_mb")};
const QStringList PriceKeys = {QStringLiteral("overrides")};
const QStringList StoreKeys = {QStringLiteral("postgresql"), QStringLiteral("password"), QStringLiteral("tls")};
const QStringList TlsModes = {QStringLiteral("disable"), QStringLiteral("allow"),     QStringLiteral("prefer"),
                              QStringLiteral("require"), QStringLiteral("verify-ca"), QStringLiteral("verify-full")};
const QStringList MetricsKeys = {QStringLiteral("enabled"), QStringLiteral("token"), QStringLiteral("tag_labels")};
const QStringList TelemetryKeys = {QStringLiteral("endpoint"),           QStringLiteral("headers"),
                                   QStringLiteral("encoding"),           QStringLiteral("sample_ratio"),
                                   QStringLiteral("capture_content"),    QStringLiteral("service_name"),
                                   QStringLiteral("environment"),        QStringLiteral("queue_size"),
                                   QStringLiteral("batch_size"),         QStringLiteral("timeout_ms"),
                                   QStringLiteral("export_interval_ms"), QStringLiteral("langfuse")};
const QStringList LangfuseKeys = {QStringLiteral("host"), QStringLiteral("public_key"), QStringLiteral("secret_key")};
const QStringList CacheKeys
    = {QStringLiteral("enabled"), QStringLiteral("ttl"), QStringLiteral("max_entries"), QStringLiteral("max_size_mb")};
const QStringList RouteCacheKeys = {QStringLiteral("enabled"), QStringLiteral("ttl")};
constexpr qint64 MaxCacheTtlMs = 366LL * 24 * 60 * 60 * 1000;
const QStringList PriceOverrideKeys
    = {QStringLiteral("model"),       QStringLiteral("provider"),        QStringLiteral("input_mtok"),
       QStringLiteral("output_mtok"), QStringLiteral("cache_read_mtok"), QStringLiteral("cache_write_mtok")};
constexpr double MaxPriceMtok = 1'000'000;
// Adapters the gateway has (see ProviderPreset); "openai-compatible" covers any other OpenAI-compatible API.
const QStringList ProviderTypes = ProviderPreset::types();

QString joinPath(const QString &parent, const QString &key)
{
    return parent.isEmpty() ? key : parent + QLatin1Char('.') + key;
}

QString indexPath(const QString &parent, qsizetype index)
{
    return parent + QLatin1Char('[') + QString::number(index) + QLatin1Char(']');
}

int lineOf(const YAML::Node &node)
{
    const YAML::Mark mark = node.Mark();
    return mark.is_null() ? 0 : mark.line + 1;
}

QString describe(const YAML::Node &node)
{
    switch (node.Type()) {
    case YAML::NodeType::Scalar:
        return QStringLiteral("text");
    case YAML::NodeType::Sequence:
        return QStringLiteral("a list");
    case YAML::NodeType::Map:
        return QStringLiteral("a mapping (key: value lines)");
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

// Long values are cut so that a message stays readable on one line.
QString quoted(const QString &value)
{
    if (value.size() <= MaxQuotedLength)
        return QLatin1Char('\'') + value + QLatin1Char('\'');
    return QLatin1Char('\'') + value.left(MaxQuotedLength) + QStringLiteral("...'");
}

int editDistance(const QString &a, const QString &b)
{
    QList<int> previous(b.size() + 1);
    QList<int> current(b.size() + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        previous[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        current[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int substitution = previous[j - 1] + (a[i - 1].toLower() == b[j - 1].toLower() ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

// The candidate a typo most likely meant, or an empty string when none is close.
QString closest(const QString &word, const QStringList &candidates)
{
    QString best;
    int bestDistance = std::max<int>(2, int(word.size() / 3)) + 1;
    for (const QString &candidate : candidates) {
        const int distance = editDistance(word, candidate);
        if (distance < bestDistance) {
            best = candidate;
            bestDistance = distance;
        }
    }
    return best;
}

QString keyNameHint()
{
    return QStringLiteral("use only letters, digits, '-', '_' and '.'");
}

bool isPlainName(const QString &name)
{
    return SecretRef::isValidKeyName(name);
}

QString syntaxHint(const QByteArray &yaml, int line)
{
    const QList<QByteArray> lines = yaml.split('\n');
    if (line > 0 && line <= lines.size()) {
        const QByteArray text = lines.at(line - 1);
        const QByteArray indent = text.left(text.size() - text.trimmed().size());
        if (indent.contains('\t'))
            return QStringLiteral("YAML does not allow tabs for indentation; indent with spaces");
    }
    return QStringLiteral("check the indentation, and that each 'key: value' has a space after the colon");
}

class ConfigReader
{
public:
    explicit ConfigReader(QString sourceName)
        : m_source(std::move(sourceName))
    { }

    Config read(const YAML::Node &root);

    void error(int line, const QString &path, const QString &message)
    {
        QString text = m_source;
        if (line > 0)
            text += QLatin1Char(':') + QString::number(line);
        text += QStringLiteral(": ");
        if (!path.isEmpty())
            text += path + QStringLiteral(": ");
        m_errors.append({line, text + message});
    }
    void error(const YAML::Node &at, const QString &path, const QString &message) { error(lineOf(at), path, message); }

    bool hasErrors() const { return !m_errors.isEmpty(); }
    // In file order, whatever order the sections were checked in.
    QString message() const
    {
        QList<QPair<int, QString>> sorted = m_errors;
        std::stable_sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
        QStringList shown;
        for (qsizetype i = 0; i < sorted.size() && i < MaxReportedErrors; ++i)
            shown.append(sorted.at(i).second);
        if (sorted.size() > MaxReportedErrors)
            shown.append(QStringLiteral("... and %1 more problems").arg(sorted.size() - MaxReportedErrors));
        return shown.join(QLatin1Char('\n'));
    }

private:
    struct Entry
    {
        QString key;
        QString path;
        YAML::Node keyNode;
        YAML::Node value;
    };

    std::optional<QList<Entry>> entries(const YAML::Node &node, const QString &path, const QStringList &known,
                                        const QString &what);
    std::optional<QList<YAML::Node>> items(const YAML::Node &node, const QString &path, const QString &example);
    std::optional<QString> text(const Entry &entry);
    std::optional<QString> nonEmptyText(const Entry &entry);
    std::optional<qint64> integer(const Entry &entry, qint64 min, qint64 max);
    std::optional<bool> boolean(const Entry &entry);
    struct ListItem
    {
        QString text;
        QString path;
        YAML::Node node;
    };
    std::optional<QList<ListItem>> textList(const Entry &entry, const QString &example);
    std::optional<SecretRef> secretRef(const Entry &entry, const QString &suggestedName);
    std::optional<QString> name(const Entry &entry);
    // Calls `read` for each item of the list at `path` that is a mapping of `known` fields; empty items are reported
    // with `emptyAdvice`.
    void
    readItems(const YAML::Node &node, const QString &path, const QString &example, const QStringList &known,
              const QString &what, const QString &emptyAdvice,
              const std::function<void(const YAML::Node &item, const QString &path, const QList<Entry> &fields)> &read);
    // Records `value` as the name of the `kind` on `line`; false (reported) when an earlier one already has it.
    bool uniqueName(const Entry &field, const QString &value, const QString &kind, int line,
                    QHash<QString, int> &lineByName);

    void readGateway(const YAML::Node &node, GatewaySettings &gateway);
    void readProviders(const YAML::Node &node, QList<ProviderConfig> &providers);
    void readTimeouts(const YAML::Node &node, const QString &path, ProviderConfig &provider);
    void readModels(const YAML::Node &node, QList<ModelRoute> &models);
    bool knownProvider(const Entry &field, const QString &value);
    bool readApiKeys(const Entry &entry, ProviderConfig &provider);
    bool settleApiKeys(const YAML::Node &item, const QString &path, ProviderConfig &provider);
    bool readAwsField(const Entry &field, ProviderConfig &provider);
    // Bedrock: region required (it names the endpoint and signs requests), fields only where they make sense.
    bool settleAws(const YAML::Node &item, const QString &path, ProviderConfig &provider, bool &hasUrl);
    bool readDeployments(const Entry &entry, QList<ModelDeployment> &deployments);
    bool readDeploymentTimeouts(const Entry &entry, ModelDeployment &deployment);
    std::optional<BalanceStrategy> balance(const Entry &entry);
    bool readRetry(const Entry &entry, RetrySettings &retry);
    std::optional<QStringList> failureClasses(const Entry &entry);
    std::optional<QStringList> modelReferences(const Entry &entry);
    void readRouting(const YAML::Node &node, RoutingSettings &routing);
    void readBreaker(const Entry &entry, BreakerSettings &breaker);
    void checkModelReferences();
    void readTokens(const YAML::Node &node, QList<GatewayToken> &tokens);
    void readLogging(const YAML::Node &node, LoggingSettings &logging);
    void readPrices(const YAML::Node &node, PriceSettings &prices);
    std::optional<double> price(const Entry &entry);
    void readCache(const YAML::Node &node, CacheSettings &cache);
    bool readRouteCache(const Entry &entry, RouteCacheSettings &cache);
    std::optional<qint64> duration(const Entry &entry, qint64 maxMs);
    void readBudgets(const YAML::Node &node, BudgetSettings &budgets);
    void readMetrics(const YAML::Node &node, MetricsSettings &metrics);
    void readStore(const YAML::Node &node, StoreSettings &store);
    void readTelemetry(const YAML::Node &node, TelemetrySettings &telemetry);
    void readLangfuse(const Entry &entry, TelemetrySettings &telemetry);
    // An http:// or https:// address without credentials, query or fragment.
    std::optional<QUrl> httpUrl(const Entry &entry, const QString &example);
    void readGuardrails(const YAML::Node &node, GuardrailSettings &guardrails);
    std::optional<double> fraction(const Entry &entry);

    QString m_source;
    QList<QPair<int, QString>> m_errors; // line, message
    QStringList m_providerNames; // every provider name given, so one bad field does not also fail its models
    QSet<QString> m_typoTargets; // fields a typo was taken for: not reported missing as well
    QStringList m_modelNames; // every model name given, so fallbacks to a model with a bad field are not failed too
    struct ModelReference
    {
        QString name;
        QString path;
        YAML::Node node;
        QString owner; // the model whose fallbacks list it; empty for routing.default_fallbacks
    };
    QList<ModelReference> m_modelReferences; // checked once every model is known
    RetrySettings m_defaultRetry; // routing.retry: what a model's partial retry settings start from

    bool reportMissing(const YAML::Node &item, const QString &path, const QString &key, const QString &advice)
    {
        if (!m_typoTargets.contains(joinPath(path, key)))
            error(item, path, QStringLiteral("'%1' is missing; %2").arg(key, advice));
        return false;
    }
};

std::optional<QList<ConfigReader::Entry>> ConfigReader::entries(const YAML::Node &node, const QString &path,
                                                                const QStringList &known, const QString &what)
{
    QList<Entry> result;
    if (node.IsNull())
        return result;
    if (!node.IsMap()) {
        error(node, path,
              QStringLiteral("expected %1 (%2: ...), found %3")
                  .arg(what, known.join(QStringLiteral(": ..., ")), describe(node)));
        return std::nullopt;
    }
    QHash<QString, int> seen;
    for (const auto &pair : node) {
        const YAML::Node keyNode = pair.first;
        if (!keyNode.IsScalar()) {
            error(keyNode, path, QStringLiteral("a key must be a plain name, found %1").arg(describe(keyNode)));
            continue;
        }
        const QString key = QString::fromStdString(keyNode.Scalar());
        const QString keyPath = joinPath(path, key);
        if (!known.contains(key)) {
            const QString guess = closest(key, known);
            QString message = QStringLiteral("unknown field %1").arg(quoted(key));
            if (!guess.isEmpty()) {
                message += QStringLiteral("; did you mean '%1'?").arg(guess);
                m_typoTargets.insert(joinPath(path, guess));
            } else {
                message += QStringLiteral("; known fields here: %1").arg(known.join(QStringLiteral(", ")));
            }
            error(keyNode, keyPath, message);
            continue;
        }
        if (seen.contains(key)) {
            error(keyNode, keyPath,
                  QStringLiteral("appears twice (first on line %1); keep only one").arg(seen.value(key)));
            continue;
        }
        seen.insert(key, lineOf(keyNode));
        result.append(Entry {key, keyPath, keyNode, pair.second});
    }
    return result;
}

std::optional<QList<YAML::Node>> ConfigReader::items(const YAML::Node &node, const QString &path,
                                                     const QString &example)
{
    QList<YAML::Node> result;
    if (node.IsNull())
        return result;
    if (!node.IsSequence()) {
        error(node, path,
              QStringLiteral("expected a list of entries starting with '- ' (e.g. %1), found %2")
                  .arg(example, describe(node)));
        return std::nullopt;
    }
    for (const auto &item : node)
        result.append(item);
    return result;
}

std::optional<QString> ConfigReader::text(const Entry &entry)
{
    if (!entry.value.IsScalar()) {
        error(entry.value.IsNull() ? entry.keyNode : entry.value, entry.path,
              QStringLiteral("expected text, found %1").arg(describe(entry.value)));
        return std::nullopt;
    }
    return QString::fromStdString(entry.value.Scalar());
}

std::optional<QString> ConfigReader::nonEmptyText(const Entry &entry)
{
    std::optional<QString> value = text(entry);
    if (value && value->trimmed().isEmpty()) {
        error(entry.value, entry.path, QStringLiteral("is empty; give it a value"));
        return std::nullopt;
    }
    return value;
}

std::optional<qint64> ConfigReader::integer(const Entry &entry, qint64 min, qint64 max)
{
    const QString range = QStringLiteral("a whole number from %1 to %2").arg(min).arg(max);
    if (!entry.value.IsScalar()) {
        error(entry.value.IsNull() ? entry.keyNode : entry.value, entry.path,
              QStringLiteral("expected %1, found %2").arg(range, describe(entry.value)));
        return std::nullopt;
    }
    const QString raw = QString::fromStdString(entry.value.Scalar());
    bool ok = false;
    const qint64 value = raw.trimmed().toLongLong(&ok, 10);
    if (!ok) {
        error(entry.value, entry.path, QStringLiteral("%1 is not %2").arg(quoted(raw), range));
        return std::nullopt;
    }
    if (value < min || value > max) {
        error(entry.value, entry.path, QStringLiteral("%1 is out of range; use %2").arg(value).arg(range));
        return std::nullopt;
    }
    return value;
}

std::optional<bool> ConfigReader::boolean(const Entry &entry)
{
    bool value = false;
    if (!entry.value.IsScalar() || !YAML::convert<bool>::decode(entry.value, value)) {
        const QString found
            = entry.value.IsScalar() ? quoted(QString::fromStdString(entry.value.Scalar())) : describe(entry.value);
        error(entry.value.IsNull() ? entry.keyNode : entry.value, entry.path,
              QStringLiteral("expected true or false, found %1").arg(found));
        return std::nullopt;
    }
    return value;
}

std::optional<QList<ConfigReader::ListItem>> ConfigReader::textList(const Entry &entry, const QString &example)
{
    QList<ListItem> result;
    if (entry.value.IsNull())
        return result;
    if (!entry.value.IsSequence()) {
        error(entry.value, entry.path,
              QStringLiteral("expected a list such as %1, found %2").arg(example, describe(entry.value)));
        return std::nullopt;
    }
    bool ok = true;
    qsizetype index = 0;
    for (const auto &item : entry.value) {
        if (!item.IsScalar() || item.Scalar().empty()) {
            error(item, indexPath(entry.path, index),
                  QStringLiteral("expected text, found %1")
                      .arg(item.IsScalar() ? QStringLiteral("an empty value") : describe(item)));
            ok = false;
        } else {
            result.append(
                ListItem {QString::fromStdString(item.Scalar()).trimmed(), indexPath(entry.path, index), item});
        }
        ++index;
    }
    if (!ok)
        return std::nullopt;
    return result;
}

// Never quotes the value: a literal here is most likely a real key.
std::optional<SecretRef> ConfigReader::secretRef(const Entry &entry, const QString &suggestedName)
{
    const QString field = entry.key;
    if (!entry.value.IsScalar()) {
        error(entry.value.IsNull() ? entry.keyNode : entry.value, entry.path,
              QStringLiteral("expected keychain:NAME or env:VAR, found %1").arg(describe(entry.value)));
        return std::nullopt;
    }
    const QString value = QString::fromStdString(entry.value.Scalar()).trimmed();
    if (value.isEmpty()) {
        error(entry.value, entry.path,
              QStringLiteral("is empty; write keychain:NAME (a key stored with `sluice key set NAME`) or env:VAR"));
        return std::nullopt;
    }
    if (value.startsWith(QLatin1String("keychain:"))) {
        const SecretRef ref = SecretRef::parse(value);
        if (ref.isNull()) {
            error(entry.value, entry.path,
                  QStringLiteral("the name after keychain: must be 1 to 128 characters; %1").arg(keyNameHint()));
            return std::nullopt;
        }
        return ref;
    }
    if (value.startsWith(QLatin1String("env:"))) {
        const SecretRef ref = SecretRef::parse(value);
        if (ref.isNull()) {
            error(entry.value, entry.path,
                  QStringLiteral("the name after env: must be an environment variable name (letters, digits and "
                                 "'_', not starting with a digit)"));
            return std::nullopt;
        }
        return ref;
    }
    const QString name = SecretRef::isValidKeyName(suggestedName) ? suggestedName : QStringLiteral("NAME");
    error(entry.value, entry.path,
          QStringLiteral("secrets must not be written in the config file. Store it in the OS keychain with "
                         "`sluice key set %1` and write %2: keychain:%1 (on a headless server, %2: env:VAR reads "
                         "it from the environment variable VAR)")
              .arg(name, field));
    return std::nullopt;
}

std::optional<QString> ConfigReader::name(const Entry &entry)
{
    std::optional<QString> value = nonEmptyText(entry);
    if (!value)
        return std::nullopt;
    if (!isPlainName(*value)) {
        error(entry.value, entry.path, QStringLiteral("%1 is not a valid name; %2").arg(quoted(*value), keyNameHint()));
        return std::nullopt;
    }
    return value;
}

void ConfigReader::readItems(
    const YAML::Node &node, const QString &path, const QString &example, const QStringList &known, const QString &what,
    const QString &emptyAdvice,
    const std::function<void(const YAML::Node &item, const QString &path, const QList<Entry> &fields)> &read)
{
    const std::optional<QList<YAML::Node>> list = items(node, path, example);
    if (!list)
        return;
    for (qsizetype i = 0; i < list->size(); ++i) {
        const YAML::Node &item = list->at(i);
        const QString itemPath = indexPath(path, i);
        const std::optional<QList<Entry>> fields = entries(item, itemPath, known, what);
        if (!fields)
            continue;
        if (item.IsNull()) {
            error(item, itemPath, emptyAdvice);
            continue;
        }
        read(item, itemPath, *fields);
    }
}

bool ConfigReader::uniqueName(const Entry &field, const QString &value, const QString &kind, int line,
                              QHash<QString, int> &lineByName)
{
    if (lineByName.contains(value)) {
        error(field.value, field.path,
              QString(QStringLiteral("%1 is already the name of the ") + kind + QStringLiteral(" on line %2; ") + kind
                      + QStringLiteral(" names must be unique"))
                  .arg(quoted(value))
                  .arg(lineByName.value(value)));
        return false;
    }
    lineByName.insert(value, line);
    return true;
}

Config ConfigReader::read(const YAML::Node &root)
{
    Config config;
    const std::optional<QList<Entry>> sections = entries(root, QString(), TopLevelKeys, QStringLiteral("sections"));
    if (!sections)
        return config;
    YAML::Node providersNode;
    YAML::Node modelsNode;
    YAML::Node routingNode;
    YAML::Node pricesNode;
    YAML::Node budgetsNode;
    for (const Entry &section : *sections) {
        if (section.key == QLatin1String("gateway"))
            readGateway(section.value, config.gateway);
        else if (section.key == QLatin1String("providers"))
            providersNode = section.value;
        else if (section.key == QLatin1String("models"))
            modelsNode = section.value;
        else if (section.key == QLatin1String("tokens"))
            readTokens(section.value, config.tokens);
        else if (section.key == QLatin1String("logging"))
            readLogging(section.value, config.logging);
        else if (section.key == QLatin1String("routing"))
            routingNode = section.value;
        else if (section.key == QLatin1String("prices"))
            pricesNode = section.value;
        else if (section.key == QLatin1String("cache"))
            readCache(section.value, config.cache);
        else if (section.key == QLatin1String("budgets"))
            budgetsNode = section.value;
        else if (section.key == QLatin1String("metrics"))
            readMetrics(section.value, config.metrics);
        else if (section.key == QLatin1String("telemetry"))
            readTelemetry(section.value, config.telemetry);
        else if (section.key == QLatin1String("guardrails"))
            readGuardrails(section.value, config.guardrails);
        else if (section.key == QLatin1String("store"))
            readStore(section.value, config.store);
    }
    // Providers first: models refer to them wherever the sections appear in the file.
    if (providersNode.IsDefined())
        readProviders(providersNode, config.providers);
    // Routing before models: a model's partial retry settings start from routing.retry.
    if (routingNode.IsDefined())
        readRouting(routingNode, config.routing);
    m_defaultRetry = config.routing.retry;
    if (modelsNode.IsDefined())
        readModels(modelsNode, config.models);
    checkModelReferences();
    if (pricesNode.IsDefined())
        readPrices(pricesNode, config.prices);
    if (budgetsNode.IsDefined())
        readBudgets(budgetsNode, config.budgets);
    return config;
}

void ConfigReader::readGateway(const YAML::Node &node, GatewaySettings &gateway)
{
    const std::optional<QList<Entry>> fields
        = entries(node, QStringLiteral("gateway"), GatewayKeys, QStringLiteral("a mapping of settings"));
    if (!fields)
        return;
    for (const Entry &field : *fields) {
        if (field.key == QLatin1String("listen")) {
            const std::optional<QString> value = nonEmptyText(field);
            if (!value)
                continue;
            const QString address = value->trimmed();
            QHostAddress parsed;
            if (address.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0) {
                parsed = QHostAddress(QHostAddress::LocalHost);
            } else if (!parsed.setAddress(address)) {
                error(field.value, field.path,
                      QStringLiteral("%1 is not an IP address; use 127.0.0.1 to accept connections from this machine "
                                     "only, or the address of one of its network interfaces")
                          .arg(quoted(address)));
                continue;
            }
            gateway.listenAddress = parsed;
        } else if (field.key == QLatin1String("port")) {
            if (const std::optional<qint64> value = integer(field, 1, 65535))
                gateway.port = quint16(*value);
        } else if (field.key == QLatin1String("allowed_hosts")) {
            const std::optional<QList<ListItem>> hosts = textList(field, QStringLiteral("[sluice.lan]"));
            if (!hosts)
                continue;
            static const QRegularExpression hostName(
                QStringLiteral("^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$"));
            QStringList accepted;
            for (const ListItem &item : *hosts) {
                const QString &host = item.text;
                QHostAddress literal;
                const QString bare = host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']'))
                    ? host.mid(1, host.size() - 2)
                    : host;
                if (host == QLatin1String("*") || hostName.match(host).hasMatch()) {
                    accepted.append(host.toLower());
                } else if (literal.setAddress(bare)) {
                    // Host headers carry IPv6 addresses in brackets.
                    accepted.append(literal.protocol() == QAbstractSocket::IPv6Protocol
                                        ? QLatin1Char('[') + bare.toLower() + QLatin1Char(']')
                                        : bare);
                } else if (host.contains(QLatin1String("://"))) {
                    error(item.node, item.path,
                          QStringLiteral("%1 is a URL; write the host name only, e.g. sluice.lan").arg(quoted(host)));
                } else if (host.contains(QLatin1Char(':'))) {
                    error(item.node, item.path,
                          QStringLiteral("%1: write the host name without a port (any port is accepted)")
                              .arg(quoted(host)));
                } else {
                    error(item.node, item.path,
                          QStringLiteral("%1 is not a host name; write a name like sluice.lan, an IP address, or * "
                                         "to accept any host")
                              .arg(quoted(host)));
                }
            }
            gateway.allowedHosts = accepted;
        } else if (field.key == QLatin1String("allowed_origins")) {
            const std::optional<QList<ListItem>> origins = textList(field, QStringLiteral("[http://localhost:3000]"));
            if (!origins)
                continue;
            QStringList accepted;
            for (const ListItem &item : *origins) {
                const QString &origin = item.text;
                QUrl url(origin, QUrl::StrictMode);
                const QString path = url.path();
                if (!url.isValid() || url.scheme().isEmpty() || url.host().isEmpty() || !url.userInfo().isEmpty()
                    || (!path.isEmpty() && path != QLatin1String("/")) || url.hasQuery() || url.hasFragment()) {
                    error(item.node, item.path,
                          QStringLiteral("%1 is not an origin; write scheme://host[:port] as the browser sends it, "
                                         "e.g. http://localhost:3000")
                              .arg(url.userInfo().isEmpty() ? quoted(origin) : QStringLiteral("the value")));
                    continue;
                }
                const QString scheme = url.scheme().toLower();
                if ((scheme == QLatin1String("http") && url.port() == 80)
                    || (scheme == QLatin1String("https") && url.port() == 443))
                    url.setPort(-1); // browsers leave default ports out of the Origin header
                accepted.append(url.adjusted(QUrl::RemovePath).toString());
            }
            gateway.allowedOrigins = accepted;
        } else if (field.key == QLatin1String("max_header_bytes")) {
            if (const std::optional<qint64> value = integer(field, 1024, 16LL * 1024 * 1024))
                gateway.maxHeaderBytes = *value;
        } else if (field.key == QLatin1String("max_body_bytes")) {
            if (const std::optional<qint64> value = integer(field, 1024, 4LL * 1024 * 1024 * 1024))
                gateway.maxBodyBytes = *value;
        } else if (field.key == QLatin1String("shutdown_timeout_ms")) {
            if (const std::optional<qint64> value = integer(field, 0, 600'000))
                gateway.shutdownTimeoutMs = int(*value);
        } else if (field.key == QLatin1String("max_connections")) {
            if (const std::optional<qint64> value = integer(field, 1, 1'000'000))
                gateway.maxConnections = int(*value);
        } else if (field.key == QLatin1String("max_buffered_bytes")) {
            if (const std::optional<qint64> value = integer(field, 1024 * 1024, 64LL * 1024 * 1024 * 1024))
                gateway.maxBufferedBytes = *value;
        }
    }
}

void ConfigReader::readProviders(const YAML::Node &node, QList<ProviderConfig> &providers)
{
    QHash<QString, int> lineByName;
    readItems(
        node, QStringLiteral("providers"), QStringLiteral("'- name: openai'"), ProviderKeys + AwsProviderKeys,
        QStringLiteral("a provider with fields"), QStringLiteral("is empty; give it at least name, type and base_url"),
        [&](const YAML::Node &item, const QString &path, const QList<Entry> &fields) {
            ProviderConfig provider;
            provider.configLine = lineOf(item);
            bool ok = true;
            bool hasName = false;
            bool hasType = false;
            bool hasUrl = false;
            bool hasFree = false;
            // The name comes first so that api_key's message can suggest a keychain entry named after it.
            for (const Entry &field : fields) {
                if (field.key != QLatin1String("name"))
                    continue;
                hasName = true;
                const std::optional<QString> value = name(field);
                if (!value || !uniqueName(field, *value, QStringLiteral("provider"), provider.configLine, lineByName)) {
                    ok = false;
                } else {
                    provider.name = *value;
                    m_providerNames.append(*value);
                }
            }
            for (const Entry &field : fields) {
                if (field.key == QLatin1String("type")) {
                    hasType = true;
                    const std::optional<QString> value = nonEmptyText(field);
                    if (!value) {
                        ok = false;
                    } else if (!ProviderTypes.contains(*value)) {
                        error(field.value, field.path,
                              QStringLiteral("%1 is not a supported provider type; use one of: %2 (openai-compatible "
                                             "works with any other OpenAI-compatible API)")
                                  .arg(quoted(*value), ProviderTypes.join(QStringLiteral(", "))));
                        ok = false;
                    } else {
                        provider.type = *value;
                    }
                } else if (field.key == QLatin1String("base_url")) {
                    hasUrl = true;
                    const std::optional<QString> value = nonEmptyText(field);
                    if (!value) {
                        ok = false;
                        continue;
                    }
                    QUrl url(value->trimmed(), QUrl::StrictMode);
                    const QString scheme = url.scheme().toLower();
                    if (!url.userInfo().isEmpty()) {
                        error(field.value, field.path,
                              QStringLiteral("the URL must not contain a user name or password; store credentials with "
                                             "`sluice key set NAME` and reference them in api_key"));
                        ok = false;
                    } else if (!url.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
                               || url.host().isEmpty()) {
                        error(
                            field.value, field.path,
                            QStringLiteral("%1 is not an http:// or https:// URL; write e.g. https://api.openai.com/v1")
                                .arg(quoted(*value)));
                        ok = false;
                    } else if (url.hasQuery() || url.hasFragment()) {
                        error(field.value, field.path,
                              QStringLiteral("%1 must not have a query (?...) or fragment (#...); write the API's base "
                                             "address, e.g. https://api.openai.com/v1")
                                  .arg(quoted(*value)));
                        ok = false;
                    } else {
                        provider.baseUrl = url.adjusted(QUrl::StripTrailingSlash);
                    }
                } else if (field.key == QLatin1String("api_key")) {
                    if (const std::optional<SecretRef> ref = secretRef(field, provider.name))
                        provider.apiKey = *ref;
                    else
                        ok = false;
                } else if (field.key == QLatin1String("api_keys")) {
                    if (!readApiKeys(field, provider))
                        ok = false;
                } else if (field.key == QLatin1String("timeouts")) {
                    readTimeouts(field.value, field.path, provider);
                } else if (field.key == QLatin1String("free")) {
                    hasFree = true;
                    if (const std::optional<bool> value = boolean(field))
                        provider.free = *value;
                    else
                        ok = false;
                } else if (field.key == QLatin1String("responses_api")) {
                    if (const std::optional<bool> value = boolean(field))
                        provider.responsesApi = *value;
                    else
                        ok = false;
                } else if (field.key == QLatin1String("api_version")) {
                    if (const std::optional<QString> value = nonEmptyText(field))
                        provider.apiVersion = *value;
                    else
                        ok = false;
                } else if (AwsProviderKeys.contains(field.key)) {
                    if (!readAwsField(field, provider))
                        ok = false;
                }
            }
            if (!settleAws(item, path, provider, hasUrl))
                ok = false;
            // Well-known providers have a default address; local servers cost nothing unless the config says so.
            if (const ProviderPreset *preset = ProviderPreset::find(provider.type)) {
                if (!hasUrl && !preset->defaultBaseUrl.isEmpty()) {
                    provider.baseUrl = QUrl(preset->defaultBaseUrl);
                    hasUrl = true;
                }
                if (!hasFree)
                    provider.free = preset->local;
            }
            for (const auto &[present, key, example] :
                 {std::tuple {hasName, QStringLiteral("name"), QStringLiteral("name: openai")},
                  std::tuple {hasType, QStringLiteral("type"), QStringLiteral("type: openai")},
                  std::tuple {hasUrl, QStringLiteral("base_url"),
                              QStringLiteral("base_url: https://api.openai.com/v1")}}) {
                if (!present)
                    ok = reportMissing(item, path, key, QStringLiteral("add e.g. ") + example);
            }
            if (ok && !settleApiKeys(item, path, provider))
                ok = false;
            if (ok)
                providers.append(provider);
        });
}

void ConfigReader::readTimeouts(const YAML::Node &node, const QString &path, ProviderConfig &provider)
{
    const std::optional<QList<Entry>> fields
        = entries(node, path, TimeoutKeys, QStringLiteral("a mapping of timeouts in milliseconds"));
    if (!fields)
        return;
    for (const Entry &field : *fields) {
        const std::optional<qint64> value = integer(field, 1, MaxTimeoutMs);
        if (!value)
            continue;
        if (field.key == QLatin1String("connect_ms"))
            provider.connectTimeoutMs = int(*value);
        else if (field.key == QLatin1String("first_byte_ms"))
            provider.firstByteTimeoutMs = int(*value);
        else if (field.key == QLatin1String("idle_ms"))
            provider.idleTimeoutMs = int(*value);
        else if (field.key == QLatin1String("total_ms"))
            provider.totalTimeoutMs = int(*value);
    }
}

void ConfigReader::readModels(const YAML::Node &node, QList<ModelRoute> &models)
{
    const QStringList &providerNames = m_providerNames;
    QHash<QString, int> lineByName;
    readItems(
        node, QStringLiteral("models"), QStringLiteral("'- name: gpt-4o-mini'"), ModelKeys,
        QStringLiteral("a model with fields"), QStringLiteral("is empty; give it at least name and provider"),
        [&](const YAML::Node &item, const QString &path, const QList<Entry> &fields) {
            ModelRoute model;
            model.configLine = lineOf(item);
            bool ok = true;
            bool hasName = false;
            bool hasProvider = false;
            bool hasDeployments = false;
            const qsizetype firstReference = m_modelReferences.size();
            for (const Entry &field : fields) {
                if (field.key == QLatin1String("name")) {
                    hasName = true;
                    const std::optional<QString> value = nonEmptyText(field);
                    if (!value) {
                        ok = false;
                    } else if (value->size() > MaxModelNameLength
                               || std::any_of(value->cbegin(), value->cend(), [](QChar c) { return c.isSpace(); })) {
                        error(field.value, field.path,
                              QStringLiteral("%1 is not a valid model name; it must not contain spaces and be at most "
                                             "%2 characters")
                                  .arg(quoted(*value))
                                  .arg(MaxModelNameLength));
                        ok = false;
                    } else if (!uniqueName(field, *value, QStringLiteral("model"), model.configLine, lineByName)) {
                        ok = false;
                    } else {
                        model.name = *value;
                        m_modelNames.append(*value);
                    }
                } else if (field.key == QLatin1String("provider")) {
                    hasProvider = true;
                    const std::optional<QString> value = nonEmptyText(field);
                    if (!value) {
                        ok = false;
                    } else if (!providerNames.contains(*value)) {
                        QString message = QStringLiteral("%1 is not a configured provider").arg(quoted(*value));
                        const QString guess = closest(*value, providerNames);
                        if (!guess.isEmpty())
                            message += QStringLiteral("; did you mean '%1'?").arg(guess);
                        else if (providerNames.isEmpty())
                            message += QStringLiteral("; add it under providers: (with name: %1)").arg(*value);
                        else
                            message += QStringLiteral("; configured providers: %1")
                                           .arg(providerNames.join(QStringLiteral(", ")));
                        error(field.value, field.path, message);
                        ok = false;
                    } else {
                        model.provider = *value;
                    }
                } else if (field.key == QLatin1String("upstream_model")) {
                    if (const std::optional<QString> value = nonEmptyText(field))
                        model.upstreamModel = value->trimmed();
                    else
                        ok = false;
                } else if (field.key == QLatin1String("deployments")) {
                    hasDeployments = true;
                    if (!readDeployments(field, model.deployments))
                        ok = false;
                } else if (field.key == QLatin1String("balance")) {
                    if (const std::optional<BalanceStrategy> value = balance(field))
                        model.balance = *value;
                    else
                        ok = false;
                } else if (field.key == QLatin1String("fallbacks")) {
                    if (const std::optional<QStringList> names = modelReferences(field))
                        model.fallbacks = *names;
                    else
                        ok = false;
                } else if (field.key == QLatin1String("retry")) {
                    RetrySettings retry = m_defaultRetry;
                    if (readRetry(field, retry))
                        model.retry = retry;
                    else
                        ok = false;
                } else if (field.key == QLatin1String("fallback_on")) {
                    if (const std::optional<QStringList> classes = failureClasses(field))
                        model.fallbackOn = *classes;
                    else
                        ok = false;
                } else if (field.key == QLatin1String("drop_unsupported_params")) {
                    if (const std::optional<bool> value = boolean(field))
                        model.dropUnsupportedParams = *value;
                    else
                        ok = false;
                } else if (field.key == QLatin1String("cache")) {
                    RouteCacheSettings cache;
                    if (readRouteCache(field, cache))
                        model.cache = cache;
                    else
                        ok = false;
                }
            }
            for (qsizetype r = firstReference; r < m_modelReferences.size(); ++r)
                m_modelReferences[r].owner = model.name;
            if (!hasName)
                ok = reportMissing(item, path, QStringLiteral("name"), QStringLiteral("add e.g. name: gpt-4o-mini"));
            if (!hasProvider && !hasDeployments) {
                ok = reportMissing(
                    item, path, QStringLiteral("provider"),
                    QStringLiteral("add the name of one of the providers, or deployments: with one or more "
                                   "{provider: ..., model: ...}"));
            } else if (hasProvider && hasDeployments) {
                error(
                    item, path,
                    QStringLiteral("has both provider and deployments; list every deployment under deployments: (each "
                                   "with its provider and model) and remove provider"));
                ok = false;
            } else if (hasDeployments && !model.upstreamModel.isEmpty()) {
                error(item, path,
                      QStringLiteral("upstream_model does not apply with deployments; give each deployment its model: "
                                     "instead"));
                ok = false;
            }
            if (!ok)
                return;
            if (model.deployments.isEmpty()) {
                if (model.upstreamModel.isEmpty())
                    model.upstreamModel = model.name;
                ModelDeployment deployment;
                deployment.provider = model.provider;
                deployment.upstreamModel = model.upstreamModel;
                deployment.configLine = model.configLine;
                model.deployments.append(deployment);
            } else {
                model.provider = model.deployments.first().provider;
                model.upstreamModel = model.deployments.first().upstreamModel;
            }
            models.append(model);
        });
}

bool ConfigReader::knownProvider(const Entry &field, const QString &value)
{
    if (m_providerNames.contains(value))
        return true;
    QString message = QStringLiteral("%1 is not a configured provider").arg(quoted(value));
    const QString guess = closest(value, m_providerNames);
    if (!guess.isEmpty())
        message += QStringLiteral("; did you mean '%1'?").arg(guess);
    else if (m_providerNames.isEmpty())
        message += QStringLiteral("; add it under providers: (with name: %1)").arg(value);
    else
        message += QStringLiteral("; configured providers: %1").arg(m_providerNames.join(QStringLiteral(", ")));
    error(field.value, field.path, message);
    return false;
}

bool ConfigReader::readApiKeys(const Entry &entry, ProviderConfig &provider)
{
    const QString example = provider.name.isEmpty() ? QStringLiteral("openai") : provider.name;
    if (!entry.value.IsSequence() || entry.value.size() == 0) {
        error(entry.value.IsNull() ? entry.keyNode : entry.value, entry.path,
              QStringLiteral("expected a list of key references such as [keychain:%1-1, keychain:%1-2], found %2")
                  .arg(example, entry.value.IsSequence() ? QStringLiteral("an empty list") : describe(entry.value)));
        return false;
    }
    bool ok = true;
    QHash<QString, int> lineByKey;
    qsizetype index = 0;
    for (const auto &item : entry.value) {
        const Entry keyEntry {entry.key, indexPath(entry.path, index), item, item};
        ++index;
        const std::optional<SecretRef> ref = secretRef(keyEntry, example + QLatin1Char('-') + QString::number(index));
        if (!ref) {
            ok = false;
        } else if (lineByKey.contains(ref->toString())) {
            error(item, keyEntry.path,
                  QStringLiteral("%1 is already listed on line %2; list each key once")
                      .arg(ref->toString())
                      .arg(lineByKey.value(ref->toString())));
            ok = false;
        } else {
            lineByKey.insert(ref->toString(), lineOf(item));
            provider.apiKeys.append(*ref);
        }
    }
    return ok;
}

// api_key and api_keys both end up in apiKeys; apiKey stays the first key for code that uses only one.
bool ConfigReader::settleApiKeys(const YAML::Node &item, const QString &path, ProviderConfig &provider)
{
    if (!provider.apiKey.isNull() && !provider.apiKeys.isEmpty()) {
        error(item, path,
              QStringLiteral("has both api_key and api_keys; list every key under api_keys and remove api_key"));
        return false;
    }
    if (!provider.apiKeys.isEmpty())
        provider.apiKey = provider.apiKeys.first();
    else if (!provider.apiKey.isNull())
        provider.apiKeys = {provider.apiKey};
    return true;
}

bool ConfigReader::readAwsField(const Entry &field, ProviderConfig &provider)
{
    if (field.key == QLatin1String("region")) {
        const std::optional<QString> value = nonEmptyText(field);
        if (!value)
            return false;
        static const QRegularExpression regionPattern(QStringLiteral("^[a-z]{2}(-[a-z]+)+-[0-9]+$"));
        if (!regionPattern.match(*value).hasMatch()) {
            error(field.value, field.path,
                  QStringLiteral("%1 is not an AWS region; write e.g. region: us-east-1").arg(quoted(*value)));
            return false;
        }
        provider.region = *value;
        return true;
    }
    const std::optional<SecretRef> ref = secretRef(field, provider.name + QLatin1Char('-') + field.key);
    if (!ref)
        return false;
    if (field.key == QLatin1String("access_key_id"))
        provider.accessKeyId = *ref;
    else
        provider.sessionToken = *ref;
    return true;
}

bool ConfigReader::settleAws(const YAML::Node &item, const QString &path, ProviderConfig &provider, bool &hasUrl)
{
    const bool bedrock = provider.type == QLatin1String("bedrock");
    if (!bedrock) {
        if (!provider.region.isEmpty() || !provider.accessKeyId.isNull() || !provider.sessionToken.isNull()) {
            error(item, path,
                  QStringLiteral("region, access_key_id and session_token are Amazon Bedrock settings; remove them "
                                 "or use type: bedrock"));
            return false;
        }
        return true;
    }
    if (provider.region.isEmpty()) {
        hasUrl = true; // the region is what is missing, not the address it would give
        return reportMissing(item, path, QStringLiteral("region"), QStringLiteral("add e.g. region: us-east-1"));
    }
    if (!hasUrl) {
        provider.baseUrl = QUrl(QStringLiteral("https://bedrock-runtime.%1.amazonaws.com").arg(provider.region));
        hasUrl = true;
    }
    if (!provider.sessionToken.isNull() && provider.accessKeyId.isNull()) {
        error(item, path,
              QStringLiteral("has session_token without access_key_id; temporary credentials need all three of "
                             "access_key_id, api_key (the secret access key) and session_token"));
        return false;
    }
    if (!provider.accessKeyId.isNull() && provider.apiKey.isNull() && provider.apiKeys.isEmpty()) {
        error(item, path,
              QStringLiteral("has access_key_id but no api_key; set api_key to the secret access key, e.g. "
                             "api_key: keychain:aws-secret"));
        return false;
    }
    if (!provider.accessKeyId.isNull() && provider.apiKeys.size() > 1) {
        error(item, path,
              QStringLiteral("lists several api_keys with one access_key_id; a secret access key belongs to one "
                             "access key id, so configure one provider per AWS key pair"));
        return false;
    }
    return true;
}

bool ConfigReader::readDeployments(const Entry &entry, QList<ModelDeployment> &deployments)
{
    const QString example = QStringLiteral("'- {provider: openai, model: gpt-4.1}'");
    const std::optional<QList<YAML::Node>> list = items(entry.value, entry.path, example);
    if (!list)
        return false;
    if (list->isEmpty()) {
        error(entry.value.IsNull() ? entry.keyNode : entry.value, entry.path,
              QStringLiteral("is empty; list at least one deployment, e.g. %1").arg(example));
        return false;
    }
    bool allOk = true;
    QHash<QString, int> lineById;
    for (qsizetype i = 0; i < list->size(); ++i) {
        const YAML::Node &item = list->at(i);
        const QString path = indexPath(entry.path, i);
        const std::optional<QList<Entry>> fields
            = entries(item, path, DeploymentKeys, QStringLiteral("a deployment with fields"));
        if (!fields) {
            allOk = false;
            continue;
        }
        if (item.IsNull()) {
            error(item, path, QStringLiteral("is empty; give it at least provider and model"));
            allOk = false;
            continue;
        }
        ModelDeployment deployment;
        deployment.configLine = lineOf(item);
        bool ok = true;
        bool hasProvider = false;
        bool hasModel = false;
        for (const Entry &field : *fields) {
            if (field.key == QLatin1String("provider")) {
                hasProvider = true;
                const std::optional<QString> value = nonEmptyText(field);
                if (value && knownProvider(field, value->trimmed()))
                    deployment.provider = value->trimmed();
                else
                    ok = false;
            } else if (field.key == QLatin1String("model")) {
                hasModel = true;
                const std::optional<QString> value = nonEmptyText(field);
                if (!value) {
                    ok = false;
                } else if (value->trimmed().contains(QLatin1Char(' '))) {
                    error(field.value, field.path,
                          QStringLiteral("%1 is not a model name; it must not contain spaces").arg(quoted(*value)));
                    ok = false;
                } else {
                    deployment.upstreamModel = value->trimmed();
                }
            } else if (field.key == QLatin1String("weight")) {
                if (const std::optional<qint64> value = integer(field, 0, 1'000'000))
                    deployment.weight = int(*value);
                else
                    ok = false;
            } else if (field.key == QLatin1String("api_key")) {
                if (const std::optional<SecretRef> ref = secretRef(field, QString()))
                    deployment.apiKey = *ref;
                else
                    ok = false;
            } else if (field.key == QLatin1String("timeouts")) {
                if (!readDeploymentTimeouts(field, deployment))
                    ok = false;
            }
        }
        if (!hasProvider)
            ok = reportMissing(item, path, QStringLiteral("provider"), QStringLiteral("add e.g. provider: openai"));
        if (!hasModel)
            ok = reportMissing(item, path, QStringLiteral("model"), QStringLiteral("add e.g. model: gpt-4.1"));
        if (ok && lineById.contains(deployment.id())) {
            error(item, path,
                  QStringLiteral("is the same deployment as the one on line %1 (same provider, model and key); list "
                                 "it once and raise its weight instead")
                      .arg(lineById.value(deployment.id())));
            ok = false;
        }
        if (ok) {
            lineById.insert(deployment.id(), deployment.configLine);
            deployments.append(deployment);
        } else {
            allOk = false;
        }
    }
    return allOk;
}

bool ConfigReader::readDeploymentTimeouts(const Entry &entry, ModelDeployment &deployment)
{
    const std::optional<QList<Entry>> fields
        = entries(entry.value, entry.path, TimeoutKeys, QStringLiteral("a mapping of timeouts in milliseconds"));
    if (!fields)
        return false;
    bool ok = true;
    for (const Entry &field : *fields) {
        const std::optional<qint64> value = integer(field, 1, MaxTimeoutMs);
        if (!value)
            ok = false;
        else if (field.key == QLatin1String("connect_ms"))
            deployment.connectTimeoutMs = int(*value);
        else if (field.key == QLatin1String("first_byte_ms"))
            deployment.firstByteTimeoutMs = int(*value);
        else if (field.key == QLatin1String("idle_ms"))
            deployment.idleTimeoutMs = int(*value);
        else if (field.key == QLatin1String("total_ms"))
            deployment.totalTimeoutMs = int(*value);
    }
    return ok;
}

std::optional<BalanceStrategy> ConfigReader::balance(const Entry &entry)
{
    const std::optional<QString> value = nonEmptyText(entry);
    if (!value)
        return std::nullopt;
    const QString name = value->trimmed().toLower().replace(QLatin1Char('_'), QLatin1Char('-'));
    if (name == QLatin1String("weighted"))
        return BalanceStrategy::Weighted;
    if (name == QLatin1String("least-latency"))
        return BalanceStrategy::LeastLatency;
    if (name == QLatin1String("least-in-flight"))
        return BalanceStrategy::LeastInFlight;
    error(entry.value, entry.path,
          QStringLiteral("%1 is not a balancing strategy; use one of: %2")
              .arg(quoted(*value), BalanceNames.join(QStringLiteral(", "))));
    return std::nullopt;
}

bool ConfigReader::readRetry(const Entry &entry, RetrySettings &retry)
{
    const std::optional<QList<Entry>> fields
        = entries(entry.value, entry.path, RetryKeys, QStringLiteral("retry settings"));
    if (!fields)
        return false;
    bool ok = true;
    for (const Entry &field : *fields) {
        if (field.key == QLatin1String("attempts")) {
            if (const std::optional<qint64> value = integer(field, 1, 10))
                retry.attempts = int(*value);
            else
                ok = false;
        } else if (field.key == QLatin1String("backoff_ms")) {
            if (const std::optional<qint64> value = integer(field, 0, MaxTimeoutMs))
                retry.backoffMs = int(*value);
            else
                ok = false;
        } else if (field.key == QLatin1String("max_backoff_ms")) {
            if (const std::optional<qint64> value = integer(field, 0, MaxTimeoutMs))
                retry.maxBackoffMs = int(*value);
            else
                ok = false;
        }
    }
    if (ok && retry.backoffMs > retry.maxBackoffMs) {
        error(entry.value, entry.path,
              QStringLiteral("backoff_ms (%1) is larger than max_backoff_ms (%2); raise max_backoff_ms or lower "
                             "backoff_ms")
                  .arg(retry.backoffMs)
                  .arg(retry.maxBackoffMs));
        ok = false;
    }
    return ok;
}

std::optional<QStringList> ConfigReader::failureClasses(const Entry &entry)
{
    const std::optional<QList<ListItem>> list
        = textList(entry, QStringLiteral("[rate_limit, server_error, timeout, connection]"));
    if (!list)
        return std::nullopt;
    QStringList classes;
    bool ok = true;
    for (const ListItem &item : *list) {
        QString name = item.text.toLower();
        if (name == QLatin1String("context_window_exceeded"))
            name = QStringLiteral("context_window");
        if (!FailureClassNames.contains(name)) {
            QString message = QStringLiteral("%1 is not a failure class").arg(quoted(item.text));
            const QString guess = closest(name, FailureClassNames);
            if (!guess.isEmpty())
                message += QStringLiteral("; did you mean '%1'?").arg(guess);
            else
                message += QStringLiteral("; use any of: %1").arg(FailureClassNames.join(QStringLiteral(", ")));
            error(item.node, item.path, message);
            ok = false;
            continue;
        }
        if (name == QLatin1String("context_window"))
            name = QStringLiteral("context_window_exceeded");
        if (!classes.contains(name))
            classes.append(name);
    }
    if (!ok)
        return std::nullopt;
    return classes;
}

std::optional<QStringList> ConfigReader::modelReferences(const Entry &entry)
{
    const std::optional<QList<ListItem>> list = textList(entry, QStringLiteral("[claude-sonnet, local-llama]"));
    if (!list)
        return std::nullopt;
    QStringList names;
    bool ok = true;
    for (const ListItem &item : *list) {
        if (names.contains(item.text)) {
            error(item.node, item.path, QStringLiteral("%1 is listed twice; list it once").arg(quoted(item.text)));
            ok = false;
            continue;
        }
        names.append(item.text);
        m_modelReferences.append(ModelReference {item.text, item.path, item.node, QString()});
    }
    if (!ok)
        return std::nullopt;
    return names;
}

void ConfigReader::checkModelReferences()
{
    for (const ModelReference &reference : std::as_const(m_modelReferences)) {
        if (!reference.owner.isEmpty() && reference.name == reference.owner) {
            error(reference.node, reference.path,
                  QStringLiteral("a model cannot fall back to itself; its other deployments are tried anyway, so "
                                 "list other models here"));
        } else if (!m_modelNames.contains(reference.name)) {
            QString message = QStringLiteral("%1 is not a configured model").arg(quoted(reference.name));
            const QString guess = closest(reference.name, m_modelNames);
            if (!guess.isEmpty())
                message += QStringLiteral("; did you mean '%1'?").arg(guess);
            else if (m_modelNames.isEmpty())
                message += QStringLiteral("; add it under models:");
            else
                message += QStringLiteral("; configured models: %1").arg(m_modelNames.join(QStringLiteral(", ")));
            error(reference.node, reference.path, message);
        }
    }
}

void ConfigReader::readRouting(const YAML::Node &node, RoutingSettings &routing)
{
    const std::optional<QList<Entry>> fields
        = entries(node, QStringLiteral("routing"), RoutingKeys, QStringLiteral("a mapping of settings"));
    if (!fields)
        return;
    for (const Entry &field : *fields) {
        if (field.key == QLatin1String("default_fallbacks")) {
            if (const std::optional<QStringList> names = modelReferences(field))
                routing.defaultFallbacks = *names;
        } else if (field.key == QLatin1String("breaker")) {
            readBreaker(field, routing.breaker);
        } else if (field.key == QLatin1String("deadline_ms")) {
            if (const std::optional<qint64> value = integer(field, 1, MaxTimeoutMs))
                routing.deadlineMs = *value;
        } else if (field.key == QLatin1String("retry")) {
            RetrySettings retry;
            if (readRetry(field, retry))
                routing.retry = retry;
        } else if (field.key == QLatin1String("fallback_on")) {
            if (const std::optional<QStringList> classes = failureClasses(field))
                routing.fallbackOn = *classes;
        } else if (field.key == QLatin1String("drop_unsupported_params")) {
            if (const std::optional<bool> value = boolean(field))
                routing.dropUnsupportedParams = *value;
        }
    }
}

void ConfigReader::readBreaker(const Entry &entry, BreakerSettings &breaker)
{
    const std::optional<QList<Entry>> fields
        = entries(entry.value, entry.path, BreakerKeys, QStringLiteral("circuit breaker settings"));
    if (!fields)
        return;
    for (const Entry &field : *fields) {
        if (field.key == QLatin1String("failures")) {
            if (const std::optional<qint64> value = integer(field, 0, 1000))
                breaker.failures = int(*value);
        } else if (field.key == QLatin1String("window_s")) {
            if (const std::optional<qint64> value = integer(field, 1, 24 * 60 * 60))
                breaker.windowS = int(*value);
        } else if (field.key == QLatin1String("cooldown_s")) {
            if (const std::optional<qint64> value = integer(field, 1, 24 * 60 * 60))
                breaker.cooldownS = int(*value);
        }
    }
}

void ConfigReader::readTokens(const YAML::Node &node, QList<GatewayToken> &tokens)
{
    QHash<QString, int> lineByName;
    QHash<QString, QString> ownerBySecret;
    readItems(
        node, QStringLiteral("tokens"), QStringLiteral("'- name: editor'"), TokenKeys,
        QStringLiteral("a token with fields"), QStringLiteral("is empty; give it name and secret"),
        [&](const YAML::Node &item, const QString &path, const QList<Entry> &fields) {
            GatewayToken token;
            token.configLine = lineOf(item);
            bool ok = true;
            bool hasName = false;
            bool hasSecret = false;
            for (const Entry &field : fields) {
                if (field.key != QLatin1String("name"))
                    continue;
                hasName = true;
                const std::optional<QString> value = name(field);
                if (!value || !uniqueName(field, *value, QStringLiteral("token"), token.configLine, lineByName))
                    ok = false;
                else
                    token.name = *value;
            }
            for (const Entry &field : fields) {
                if (field.key != QLatin1String("secret"))
                    continue;
                hasSecret = true;
                const QString suggested = token.name.isEmpty() ? QString() : QStringLiteral("token-") + token.name;
                const std::optional<SecretRef> ref = secretRef(field, suggested);
                if (!ref) {
                    ok = false;
                } else if (ownerBySecret.contains(ref->toString())) {
                    error(field.value, field.path,
                          QStringLiteral("%1 is already the secret of token '%2'; give each token its own secret so "
                                         "the log can tell clients apart")
                              .arg(ref->toString(), ownerBySecret.value(ref->toString())));
                    ok = false;
                } else {
                    token.secret = *ref;
                    ownerBySecret.insert(ref->toString(), token.name);
                }
            }
            for (const Entry &field : fields) {
                if (field.key == QLatin1String("models")) {
                    const std::optional<QList<ListItem>> models
                        = textList(field, QStringLiteral("[gpt-4.1-mini, claude-sonnet-4]"));
                    if (!models)
                        ok = false;
                    else
                        for (const ListItem &model : *models)
                            token.models.append(model.text);
                } else if (field.key == QLatin1String("rpm")) {
                    if (const std::optional<qint64> value = integer(field, 0, 1'000'000))
                        token.rpm = int(*value);
                    else
                        ok = false;
                } else if (field.key == QLatin1String("tpm")) {
                    if (const std::optional<qint64> value = integer(field, 0, 1'000'000'000'000LL))
                        token.tpm = *value;
                    else
                        ok = false;
                }
            }
            if (!hasName)
                ok = reportMissing(item, path, QStringLiteral("name"), QStringLiteral("add e.g. name: editor"));
            if (!hasSecret) {
                ok = reportMissing(item, path, QStringLiteral("secret"),
                                   QStringLiteral("store a token with `sluice key set token-NAME` and add "
                                                  "secret: keychain:token-NAME"));
            }
            if (ok)
                tokens.append(token);
        });
}

void ConfigReader::readLogging(const YAML::Node &node, LoggingSettings &logging)
{
    const std::optional<QList<Entry>> fields
        = entries(node, QStringLiteral("logging"), LoggingKeys, QStringLiteral("a mapping of settings"));
    if (!fields)
        return;
    for (const Entry &field : *fields) {
        if (field.key == QLatin1String("store_bodies")) {
            if (const std::optional<bool> value = boolean(field))
                logging.storeBodies = *value;
        } else if (field.key == QLatin1String("max_body_bytes")) {
            if (const std::optional<qint64> value = integer(field, 1, 1024LL * 1024 * 1024))
                logging.maxBodyBytes = *value;
        } else if (field.key == QLatin1String("retention_days")) {
            if (const std::optional<qint64> value = integer(field, 0, 36500))
                logging.retentionDays = int(*value);
        } else if (field.key == QLatin1String("max_database_mb")) {
            if (const std::optional<qint64> value = integer(field, 0, 16LL * 1024 * 1024))
                logging.maxDatabaseBytes = *value * 1024 * 1024;
        }
    }
}

std::optional<double> ConfigReader::price(const Entry &entry)
{
    const QString expected = QStringLiteral("a price in USD per million tokens, e.g. 0.15");
    if (!entry.value.IsScalar()) {
        error(entry.value.IsNull() ? entry.keyNode : entry.value, entry.path,
              QStringLiteral("expected %1, found %2").arg(expected, describe(entry.value)));
        return std::nullopt;
    }
    const QString raw = QString::fromStdString(entry.value.Scalar()).trimmed();
    bool ok = false;
    const double value = raw.toDouble(&ok);
    if (!ok || !std::isfinite(value) || value < 0 || value > MaxPriceMtok) {
        error(entry.value, entry.path, QStringLiteral("%1 is not %2 (0 or more)").arg(quoted(raw), expected));
        return std::nullopt;
    }
    return value;
}

// "90s", "10m", "1h", "7d", or a whole number of seconds.
std::optional<qint64> ConfigReader::duration(const Entry &entry, qint64 maxMs)
{
    const QString expected = QStringLiteral("a duration such as 30s, 10m, 1h or 7d");
    if (!entry.value.IsScalar()) {
        error(entry.value.IsNull() ? entry.keyNode : entry.value, entry.path,
              QStringLiteral("expected %1, found %2").arg(expected, describe(entry.value)));
        return std::nullopt;
    }
    const QString raw = QString::fromStdString(entry.value.Scalar()).trimmed();
    static const QRegularExpression pattern(QStringLiteral("^(\\d+)\\s*(ms|s|m|h|d)?$"));
    const QRegularExpressionMatch match = pattern.match(raw);
    bool ok = match.hasMatch();
    qint64 ms = 0;
    if (ok) {
        const qint64 amount = match.captured(1).toLongLong(&ok);
        const QString unit = match.captured(2);
        const qint64 scale = unit == QLatin1String("ms") ? 1
            : unit == QLatin1String("m")                 ? 60'000
            : unit == QLatin1String("h")                 ? 3'600'000
            : unit == QLatin1String("d")                 ? 86'400'000
                                                         : 1000;
        ok = ok && amount > 0 && amount <= maxMs / scale;
        ms = amount * scale;
    }
    if (!ok || ms > maxMs) {
        error(entry.value, entry.path,
              QStringLiteral("%1 is not %2 (more than 0, at most %3 days)")
                  .arg(quoted(raw), expected)
                  .arg(maxMs / 86'400'000));
        return std::nullopt;
    }
    return ms;
}

void ConfigReader::readCache(const YAML::Node &node, CacheSettings &cache)
{
    const std::optional<QList<Entry>> fields
        = entries(node, QStringLiteral("cache"), CacheKeys, QStringLiteral("a mapping of settings"));
    if (!fields)
        return;
    for (const Entry &field : *fields) {
        if (field.key == QLatin1String("enabled")) {
            if (const std::optional<bool> value = boolean(field))
                cache.enabled = *value;
        } else if (field.key == QLatin1String("ttl")) {
            if (const std::optional<qint64> value = duration(field, MaxCacheTtlMs))
                cache.ttlMs = *value;
        } else if (field.key == QLatin1String("max_entries")) {
            if (const std::optional<qint64> value = integer(field, 1, 100'000'000))
                cache.maxEntries = *value;
        } else if (field.key == QLatin1String("max_size_mb")) {
            if (const std::optional<qint64> value = integer(field, 1, 1024LL * 1024))
                cache.maxBytes = *value * 1024 * 1024;
        }
    }
}

// `cache: true | false` or `cache: {enabled: ..., ttl: ...}`.
bool ConfigReader::readRouteCache(const Entry &entry, RouteCacheSettings &cache)
{
    if (entry.value.IsScalar()) {
        const std::optional<bool> value = boolean(entry);
        if (value)
            cache.enabled = *value;
        return value.has_value();
    }
    const std::optional<QList<Entry>> fields
        = entries(entry.value, entry.path, RouteCacheKeys, QStringLiteral("true, false or a mapping of settings"));
    if (!fields)
        return false;
    bool ok = true;
    for (const Entry &field : *fields) {
        if (field.key == QLatin1String("enabled")) {
            if (const std::optional<bool> value = boolean(field))
                cache.enabled = *value;
            else
                ok = false;
        } else if (field.key == QLatin1String("ttl")) {
            if (const std::optional<qint64> value = duration(field, MaxCacheTtlMs))
                cache.ttlMs = *value;
            else
                ok = false;
        }
    }
    return ok;
}

void ConfigReader::readPrices(const YAML::Node &node, PriceSettings &prices)
{
    const std::optional<QList<Entry>> sections
        = entries(node, QStringLiteral("prices"), PriceKeys, QStringLiteral("a mapping of settings"));
    if (!sections)
        return;
    for (const Entry &section : *sections) {
        QHash<QString, int> lineByKey;
        readItems(
            section.value, section.path, QStringLiteral("'- model: my-model'"), PriceOverrideKeys,
            QStringLiteral("a price with fields"),
            QStringLiteral("is empty; give it at least model, input_mtok and output_mtok"),
            [&](const YAML::Node &item, const QString &path, const QList<Entry> &fields) {
                PriceOverride priced;
                priced.configLine = lineOf(item);
                bool ok = true;
                bool hasModel = false;
                bool hasInput = false;
                bool hasOutput = false;
                for (const Entry &field : fields) {
                    if (field.key == QLatin1String("model")) {
                        hasModel = true;
                        const std::optional<QString> value = nonEmptyText(field);
                        if (!value) {
                            ok = false;
                            continue;
                        }
                        const QString model = value->trimmed();
                        const qsizetype star = model.indexOf(QLatin1Char('*'));
                        if (std::any_of(model.cbegin(), model.cend(), [](QChar c) { return c.isSpace(); })
                            || (star >= 0 && star != model.size() - 1) || model == QLatin1String("*")) {
                            error(field.value, field.path,
                                  QStringLiteral("%1 is not a model name; write the upstream model name, or a prefix "
                                                 "ending in * (e.g. my-finetune-*)")
                                      .arg(quoted(model)));
                            ok = false;
                        } else {
                            priced.model = model;
                        }
                    } else if (field.key == QLatin1String("provider")) {
                        const std::optional<QString> value = nonEmptyText(field);
                        if (!value) {
                            ok = false;
                        } else if (!m_providerNames.contains(*value)) {
                            QString message = QStringLiteral("%1 is not a configured provider").arg(quoted(*value));
                            const QString guess = closest(*value, m_providerNames);
                            if (!guess.isEmpty())
                                message += QStringLiteral("; did you mean '%1'?").arg(guess);
                            else
                                message += QStringLiteral("; leave provider out to apply the price whichever provider "
                                                          "serves the model");
                            error(field.value, field.path, message);
                            ok = false;
                        } else {
                            priced.provider = *value;
                        }
                    } else {
                        const std::optional<double> value = price(field);
                        if (!value) {
                            ok = false;
                        } else if (field.key == QLatin1String("input_mtok")) {
                            hasInput = true;
                            priced.inputMtok = *value;
                        } else if (field.key == QLatin1String("output_mtok")) {
                            hasOutput = true;
                            priced.outputMtok = *value;
                        } else if (field.key == QLatin1String("cache_read_mtok")) {
                            priced.cacheReadMtok = *value;
                        } else if (field.key == QLatin1String("cache_write_mtok")) {
                            priced.cacheWriteMtok = *value;
                        }
                    }
                }
                if (!hasModel)
                    ok = reportMissing(item, path, QStringLiteral("model"), QStringLiteral("add e.g. model: my-model"));
                if (!hasInput) {
                    ok = reportMissing(
                        item, path, QStringLiteral("input_mtok"),
                        QStringLiteral("add the input price in USD per million tokens, e.g. input_mtok: 0.15"));
                }
                if (!hasOutput) {
                    ok = reportMissing(
                        item, path, QStringLiteral("output_mtok"),
                        QStringLiteral("add the output price in USD per million tokens, e.g. output_mtok: 0.6"));
                }
                if (!ok)
                    return;
                const QString key = priced.model.toLower() + QLatin1Char('\n') + priced.provider;
                if (lineByKey.contains(key)) {
                    error(item, path,
                          QStringLiteral("%1 already has a price on line %2; keep only one")
                              .arg(quoted(priced.model))
                              .arg(lineByKey.value(key)));
                    return;
                }
                lineByKey.insert(key, priced.configLine);
                prices.overrides.append(priced);
            });
    }
}

std::optional<double> ConfigReader::fraction(const Entry &entry)
{
    const QString raw = entry.value.IsScalar() ? QString::fromStdString(entry.value.Scalar()).trimmed() : QString();
    bool ok = false;
    const double value = raw.toDouble(&ok);
    if (!ok || !std::isfinite(value) || value <= 0 || value > 1) {
        error(entry.value.IsNull() ? entry.keyNode : entry.value, entry.path,
              QStringLiteral("expected a fraction of the limit above 0 and at most 1 (e.g. 0.8), found %1")
                  .arg(entry.value.IsScalar() ? quoted(raw) : describe(entry.value)));
        return std::nullopt;
    }
    return value;
}

void ConfigReader::readMetrics(const YAML::Node &node, MetricsSettings &metrics)
{
    const std::optional<QList<Entry>> fields
        = entries(node, QStringLiteral("metrics"), MetricsKeys, QStringLiteral("a mapping of settings"));
    if (!fields)
        return;
    for (const Entry &field : *fields) {
        if (field.key == QLatin1String("enabled")) {
            if (const std::optional<bool> value = boolean(field))
                metrics.enabled = *value;
        } else if (field.key == QLatin1String("token")) {
            if (const std::optional<SecretRef> ref = secretRef(field, QStringLiteral("sluice-metrics")))
                metrics.token = *ref;
        } else if (field.key == QLatin1String("tag_labels")) {
            if (const std::optional<QList<ListItem>> tags = textList(field, QStringLiteral("[ci, nightly]"))) {
                for (const ListItem &tag : *tags)
                    metrics.tagLabels.append(tag.text);
            }
        }
    }
}

void ConfigReader::readStore(const YAML::Node &node, StoreSettings &store)
{
    const std::optional<QList<Entry>> fields
        = entries(node, QStringLiteral("store"), StoreKeys, QStringLiteral("a mapping of settings"));
    if (!fields)
        return;
    const QString example = QStringLiteral("postgresql://sluice@db.example.com:5432/sluice");
    bool passwordOrTls = false;
    for (const Entry &field : *fields) {
        if (field.key == QLatin1String("postgresql")) {
            const std::optional<QString> value = nonEmptyText(field);
            if (!value)
                continue;
            const QUrl url(value->trimmed(), QUrl::StrictMode);
            const QString scheme = url.scheme().toLower();
            if (!url.isValid() || (scheme != QLatin1String("postgresql") && scheme != QLatin1String("postgres"))
                || url.host().isEmpty()) {
                error(field.value, field.path,
                      QStringLiteral("%1 is not a postgresql:// URL; write e.g. %2").arg(quoted(*value), example));
                continue;
            }
            if (!url.password().isEmpty()) {
                error(field.value, field.path,
                      QStringLiteral("the URL must not contain a password; write password: keychain:NAME or "
                                     "password: env:VAR beside it"));
                continue;
            }
            const QString database = url.path().mid(1);
            if (url.userName().isEmpty() || database.isEmpty() || database.contains(QLatin1Char('/'))) {
                error(field.value, field.path,
                      QStringLiteral("%1 must name a user and a database; write e.g. %2").arg(quoted(*value), example));
                continue;
            }
            if (url.hasQuery() || url.hasFragment()) {
                error(field.value, field.path,
                      QStringLiteral("%1 must not have a query (?...) or fragment (#...); TLS is set with tls: beside "
                                     "it")
                          .arg(quoted(*value)));
                continue;
            }
            store.postgres = true;
            store.host = url.host();
            store.port = url.port(5432);
            store.database = database;
            store.user = url.userName();
        } else if (field.key == QLatin1String("password")) {
            passwordOrTls = true;
            if (const std::optional<SecretRef> ref = secretRef(field, QStringLiteral("sluice-postgresql")))
                store.password = *ref;
        } else if (field.key == QLatin1String("tls")) {
            passwordOrTls = true;
            const std::optional<QString> value = nonEmptyText(field);
            if (!value)
                continue;
            const QString mode = value->trimmed().toLower();
            if (!TlsModes.contains(mode)) {
                error(field.value, field.path,
                      QStringLiteral("%1 is not a TLS mode; write one of %2 (verify-full checks the server's "
                                     "certificate and name)")
                          .arg(quoted(*value), TlsModes.join(QStringLiteral(", "))));
                continue;
            }
            store.tlsMode = mode;
        }
    }
    if (passwordOrTls && !store.postgres && !hasErrors())
        error(node, QStringLiteral("store"),
              QStringLiteral("password and tls belong to a PostgreSQL store; add postgresql: URL (e.g. %1) or remove "
                             "them")
                  .arg(example));
}

std::optional<QUrl> ConfigReader::httpUrl(const Entry &entry, const QString &example)
{
    const std::optional<QString> value = nonEmptyText(entry);
    if (!value)
        return std::nullopt;
    const QUrl url(value->trimmed(), QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.userInfo().isEmpty()) {
        error(entry.value, entry.path,
              QStringLiteral("the URL must not contain a user name or password; put credentials in headers with "
                             "keychain: or env: references"));
        return std::nullopt;
    }
    if (!url.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        || url.host().isEmpty()) {
        error(entry.value, entry.path,
              QStringLiteral("%1 is not an http:// or https:// URL; write e.g. %2").arg(quoted(*value), example));
        return std::nullopt;
    }
    if (url.hasQuery() || url.hasFragment()) {
        error(entry.value, entry.path,
              QStringLiteral("%1 must not have a query (?...) or fragment (#...); write e.g. %2")
                  .arg(quoted(*value), example));
        return std::nullopt;
    }
    return url;
}

void ConfigReader::readTelemetry(const YAML::Node &node, TelemetrySettings &telemetry)
{
    const std::optional<QList<Entry>> fields
        = entries(node, QStringLiteral("telemetry"), TelemetryKeys, QStringLiteral("a mapping of settings"));
    if (!fields)
        return;
    telemetry.configLine = lineOf(node);
    bool hasEndpoint = false;
    bool hasLangfuse = false;
    for (const Entry &field : *fields) {
        if (field.key == QLatin1String("endpoint")) {
            hasEndpoint = true;
            const std::optional<QUrl> url = httpUrl(field, QStringLiteral("http://127.0.0.1:4318/v1/traces"));
            if (!url)
                continue;
            // A collector's base address gets the OTLP/HTTP traces path, as OTEL_EXPORTER_OTLP_ENDPOINT does.
            QUrl endpoint = *url;
            if (endpoint.path().isEmpty() || endpoint.path() == QLatin1String("/"))
                endpoint.setPath(QStringLiteral("/v1/traces"));
            telemetry.endpoint = endpoint;
        } else if (field.key == QLatin1String("headers")) {
            if (!field.value.IsMap()) {
                error(field.value.IsNull() ? field.keyNode : field.value, field.path,
                      QStringLiteral("expected a mapping of header names to keychain:NAME or env:VAR, found %1")
                          .arg(describe(field.value)));
                continue;
            }
            for (const auto &pair : field.value) {
                static const QRegularExpression token(QStringLiteral("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"));
                const QString name = pair.first.IsScalar() ? QString::fromStdString(pair.first.Scalar()) : QString();
                const Entry header {name, joinPath(field.path, name), pair.first, pair.second};
                if (!token.match(name).hasMatch()) {
                    error(pair.first, field.path, QStringLiteral("%1 is not an HTTP header name").arg(quoted(name)));
                    continue;
                }
                if (const std::optional<SecretRef> ref = secretRef(header, QStringLiteral("otlp-") + name.toLower()))
                    telemetry.headers.append({name, *ref});
            }
        } else if (field.key == QLatin1String("encoding")) {
            const std::optional<QString> value = text(field);
            if (value == QLatin1String("protobuf")) {
                telemetry.encoding = TelemetrySettings::Encoding::Protobuf;
            } else if (value == QLatin1String("json")) {
                telemetry.encoding = TelemetrySettings::Encoding::Json;
            } else if (value) {
                error(field.value, field.path,
                      QStringLiteral("%1 is not an encoding; use protobuf or json").arg(quoted(*value)));
            }
        } else if (field.key == QLatin1String("sample_ratio")) {
            const QString raw
                = field.value.IsScalar() ? QString::fromStdString(field.value.Scalar()).trimmed() : QString();
            bool ok = false;
            const double value = raw.toDouble(&ok);
            if (!ok || !std::isfinite(value) || value < 0 || value > 1) {
                error(field.value.IsNull() ? field.keyNode : field.value, field.path,
                      QStringLiteral("expected a fraction of the requests from 0 to 1 (e.g. 0.25), found %1")
                          .arg(field.value.IsScalar() ? quoted(raw) : describe(field.value)));
                continue;
            }
            telemetry.sampleRatio = value;
        } else if (field.key == QLatin1String("capture_content")) {
            if (const std::optional<bool> value = boolean(field))
                telemetry.captureContent = *value;
        } else if (field.key == QLatin1String("service_name")) {
            if (const std::optional<QString> value = nonEmptyText(field))
                telemetry.serviceName = value->trimmed();
        } else if (field.key == QLatin1String("environment")) {
            static const QRegularExpression pattern(QStringLiteral("^[a-z0-9_-]{1,40}$"));
            const std::optional<QString> value = nonEmptyText(field);
            if (value && (!pattern.match(*value).hasMatch() || value->startsWith(QLatin1String("langfuse"))))
                error(field.value, field.path,
                      QStringLiteral("%1 is not an environment name: use 1 to 40 lowercase letters, digits, '-' or "
                                     "'_', not starting with 'langfuse' (e.g. production)")
                          .arg(quoted(*value)));
            else if (value)
                telemetry.environment = *value;
        } else if (field.key == QLatin1String("queue_size")) {
            if (const std::optional<qint64> value = integer(field, 1, 1'000'000))
                telemetry.queueSize = int(*value);
        } else if (field.key == QLatin1String("batch_size")) {
            if (const std::optional<qint64> value = integer(field, 1, 10'000))
                telemetry.batchSize = int(*value);
        } else if (field.key == QLatin1String("export_interval_ms")) {
            if (const std::optional<qint64> value = integer(field, 10, 3'600'000))
                telemetry.exportIntervalMs = int(*value);
        } else if (field.key == QLatin1String("timeout_ms")) {
            if (const std::optional<qint64> value = integer(field, 100, 600'000))
                telemetry.timeoutMs = int(*value);
        } else if (field.key == QLatin1String("langfuse")) {
            hasLangfuse = true;
            readLangfuse(field, telemetry);
        }
    }
    if (hasEndpoint && hasLangfuse)
        error(node, QStringLiteral("telemetry"),
              QStringLiteral("has both endpoint and langfuse; langfuse sets the endpoint itself, so keep one of them"));
    else if (!hasEndpoint && !hasLangfuse && !node.IsNull())
        error(node, QStringLiteral("telemetry"),
              QStringLiteral("says where to export to with endpoint: (an OTLP/HTTP traces URL such as "
                             "http://127.0.0.1:4318/v1/traces) or langfuse: {host, public_key, secret_key}"));
}

void ConfigReader::readLangfuse(const Entry &entry, TelemetrySettings &telemetry)
{
    const std::optional<QList<Entry>> fields
        = entries(entry.value, entry.path, LangfuseKeys, QStringLiteral("a mapping with host, public_key, secret_key"));
    if (!fields)
        return;
    QUrl host;
    bool hasPublic = false;
    bool hasSecret = false;
    for (const Entry &field : *fields) {
        if (field.key == QLatin1String("host")) {
            if (const std::optional<QUrl> url = httpUrl(field, QStringLiteral("https://cloud.langfuse.com")))
                host = *url;
        } else if (field.key == QLatin1String("public_key")) {
            hasPublic = true;
            const std::optional<QString> value = nonEmptyText(field);
            if (!value)
                continue;
            // Not a secret (it names the project), so it may be written as is; a reference works too.
            if (value->startsWith(QLatin1String("keychain:")) || value->startsWith(QLatin1String("env:"))) {
                if (const std::optional<SecretRef> ref = secretRef(field, QStringLiteral("langfuse-public")))
                    telemetry.langfusePublicKeyRef = *ref;
            } else {
                telemetry.langfusePublicKey = value->trimmed();
            }
        } else if (field.key == QLatin1String("secret_key")) {
            hasSecret = true;
            if (const std::optional<SecretRef> ref = secretRef(field, QStringLiteral("langfuse")))
                telemetry.langfuseSecretKey = *ref;
        }
    }
    if (!hasPublic || !hasSecret) {
        error(entry.value.IsNull() ? entry.keyNode : entry.value, entry.path,
              QStringLiteral("needs public_key (pk-lf-...) and secret_key (keychain:NAME or env:VAR) from the Langfuse "
                             "project's settings"));
        return;
    }
    if (host.isEmpty())
        host = QUrl(QStringLiteral("https://cloud.langfuse.com"));
    telemetry.langfuse = true;
    QString path = host.path(); // a Langfuse served under a path keeps it
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    telemetry.endpoint = host;
    telemetry.endpoint.setPath(path + QStringLiteral("/api/public/otel/v1/traces"));
}

void ConfigReader::readBudgets(const YAML::Node &node, BudgetSettings &budgets)
{
    const std::optional<QList<Entry>> sections
        = entries(node, QStringLiteral("budgets"), BudgetKeys, QStringLiteral("a mapping of settings"));
    if (!sections)
        return;
    for (const Entry &section : *sections) {
        if (section.key == QLatin1String("soft_threshold")) {
            if (const std::optional<double> value = fraction(section))
                budgets.softFraction = *value;
            continue;
        }
        if (section.key == QLatin1String("default_max_tokens")) {
            if (const std::optional<qint64> value = integer(section, 1, 10'000'000))
                budgets.defaultMaxOutputTokens = *value;
            continue;
        }
        QHash<QString, int> lineByKey;
        readItems(
            section.value, section.path, QStringLiteral("'- {token: editor, period: daily, usd: 5}'"), BudgetLimitKeys,
            QStringLiteral("a budget with fields"), QStringLiteral("is empty; give it at least period and usd"),
            [&](const YAML::Node &item, const QString &path, const QList<Entry> &fields) {
                BudgetLimit limit;
                limit.configLine = lineOf(item);
                bool ok = true;
                bool hasPeriod = false;
                bool hasUsd = false;
                int scopes = 0;
                for (const Entry &field : fields) {
                    if (field.key == QLatin1String("token") || field.key == QLatin1String("model")
                        || field.key == QLatin1String("provider")) {
                        ++scopes;
                        const std::optional<QString> value = nonEmptyText(field);
                        if (!value) {
                            ok = false;
                            continue;
                        }
                        limit.name = value->trimmed();
                        limit.scope = field.key == QLatin1String("token") ? BudgetLimit::Scope::Token
                            : field.key == QLatin1String("model")         ? BudgetLimit::Scope::Model
                                                                          : BudgetLimit::Scope::Provider;
                        if (limit.scope == BudgetLimit::Scope::Provider && !m_providerNames.contains(limit.name)) {
                            error(field.value, field.path,
                                  QStringLiteral("%1 is not a configured provider").arg(quoted(limit.name)));
                            ok = false;
                        }
                    } else if (field.key == QLatin1String("period")) {
                        hasPeriod = true;
                        const std::optional<QString> value = nonEmptyText(field);
                        const qsizetype index = value ? BudgetPeriodNames.indexOf(value->trimmed().toLower()) : -1;
                        if (index < 0) {
                            if (value)
                                error(field.value, field.path,
                                      QStringLiteral("%1 is not a period; use daily, weekly or monthly")
                                          .arg(quoted(*value)));
                            ok = false;
                        } else {
                            limit.period = BudgetPeriod(index);
                        }
                    } else if (field.key == QLatin1String("usd")) {
                        hasUsd = true;
                        const QString raw = field.value.IsScalar()
                            ? QString::fromStdString(field.value.Scalar()).trimmed()
                            : QString();
                        bool parsed = false;
                        const double value = raw.toDouble(&parsed);
                        if (!parsed || !std::isfinite(value) || value <= 0 || value > MaxBudgetUsd) {
                            error(field.value, field.path,
                                  QStringLiteral("expected an amount in USD above 0 (e.g. 5 or 0.50), found %1")
                                      .arg(field.value.IsScalar() ? quoted(raw) : describe(field.value)));
                            ok = false;
                        } else {
                            limit.limitUsd = value;
                        }
                    } else if (field.key == QLatin1String("soft_threshold")) {
                        if (const std::optional<double> value = fraction(field))
                            limit.softFraction = *value;
                        else
                            ok = false;
                    }
                }
                if (scopes > 1) {
                    error(item, path,
                          QStringLiteral("give at most one of token, provider and model (none: every request)"));
                    ok = false;
                }
                if (!hasPeriod)
                    ok = reportMissing(item, path, QStringLiteral("period"),
                                       QStringLiteral("add period: daily, weekly or monthly"));
                if (!hasUsd)
                    ok = reportMissing(item, path, QStringLiteral("usd"), QStringLiteral("add e.g. usd: 5"));
                if (!ok)
                    return;
                const QString key = QString::number(int(limit.scope)) + QLatin1Char('\n') + limit.name
                    + QLatin1Char('\n') + QString::number(int(limit.period));
                if (lineByKey.contains(key)) {
                    error(item, path,
                          QStringLiteral("the same budget is already on line %1; keep only one")
                              .arg(lineByKey.value(key)));
                    return;
                }
                lineByKey.insert(key, limit.configLine);
                budgets.limits.append(limit);
            });
    }
}

} // namespace

void ConfigReader::readGuardrails(const YAML::Node &node, GuardrailSettings &guardrails)
{
    const std::optional<QList<Entry>> sections
        = entries(node, QStringLiteral("guardrails"), GuardrailKeys, QStringLiteral("a mapping of settings"));
    if (!sections)
        return;
    QHash<QString, int> lineByName;
    for (const Entry &section : *sections) {
        readItems(
            section.value, section.path, QStringLiteral("'- name: no-keys'"), GuardrailRuleKeys,
            QStringLiteral("a rule with fields"), QStringLiteral("is empty; give it at least name, detect and action"),
            [&](const YAML::Node &item, const QString &path, const QList<Entry> &fields) {
                GuardrailRule rule;
                rule.configLine = lineOf(item);
                bool ok = true;
                bool hasName = false;
                bool hasDetect = false;
                bool hasAction = false;
                YAML::Node detectNode = item;
                YAML::Node patternNode = item;
                QString detectPath = path;
                const auto oneOf = [&](const Entry &field, const QStringList &names) -> std::optional<QString> {
                    const std::optional<QString> value = nonEmptyText(field);
                    if (!value)
                        return std::nullopt;
                    if (!names.contains(*value)) {
                        error(field.value, field.path,
                              QStringLiteral("%1 is not one of %2")
                                  .arg(quoted(*value), names.join(QStringLiteral(", "))));
                        return std::nullopt;
                    }
                    return value;
                };
                for (const Entry &field : fields) {
                    if (field.key == QLatin1String("name")) {
                        hasName = true;
                        const std::optional<QString> value = name(field);
                        if (!value
                            || !uniqueName(field, *value, QStringLiteral("guardrail rule"), rule.configLine,
                                           lineByName))
                            ok = false;
                        else
                            rule.name = *value;
                    } else if (field.key == QLatin1String("detect")) {
                        hasDetect = true;
                        detectNode = field.value;
                        detectPath = field.path;
                        if (const std::optional<QString> value = nonEmptyText(field))
                            rule.detect = value->trimmed();
                        else
                            ok = false;
                    } else if (field.key == QLatin1String("pattern")) {
                        patternNode = field.value;
                        if (const std::optional<QString> value = nonEmptyText(field))
                            rule.pattern = *value;
                        else
                            ok = false;
                    } else if (field.key == QLatin1String("words")) {
                        const std::optional<QList<ListItem>> words
                            = textList(field, QStringLiteral("[project-falcon, acme-internal]"));
                        if (!words)
                            ok = false;
                        else
                            for (const ListItem &word : *words)
                                rule.words.append(word.text);
                    } else if (field.key == QLatin1String("action")) {
                        hasAction = true;
                        const std::optional<QString> value = oneOf(field, GuardrailActionNames);
                        if (!value)
                            ok = false;
                        else
                            rule.action = *value == QLatin1String("block") ? GuardrailRule::Action::Block
                                : *value == QLatin1String("log")           ? GuardrailRule::Action::Log
                                                                           : GuardrailRule::Action::Mask;
                    } else if (field.key == QLatin1String("on")) {
                        const std::optional<QString> value = oneOf(field, GuardrailSideNames);
                        if (!value)
                            ok = false;
                        else
                            rule.on = *value == QLatin1String("response") ? GuardrailRule::Side::Response
                                : *value == QLatin1String("both")         ? GuardrailRule::Side::Both
                                                                          : GuardrailRule::Side::Request;
                    } else if (field.key == QLatin1String("restore")) {
                        if (const std::optional<bool> value = boolean(field))
                            rule.restore = *value;
                        else
                            ok = false;
                    } else if (field.key == QLatin1String("enabled")) {
                        if (const std::optional<bool> value = boolean(field))
                            rule.enabled = *value;
                        else
                            ok = false;
                    } else {
                        const std::optional<QList<ListItem>> names = textList(
                            field,
                            field.key == QLatin1String("clients") ? QStringLiteral("[claude-cli, codex]")
                                                                  : QStringLiteral("[gpt-4.1-mini, editor]"));
                        if (!names) {
                            ok = false;
                            continue;
                        }
                        QStringList &list = field.key == QLatin1String("models") ? rule.models
                            : field.key == QLatin1String("tokens")               ? rule.tokens
                                                                                 : rule.clients;
                        for (const ListItem &listed : *names) {
                            list.append(listed.text);
                            // A misspelt model would leave the rule guarding nothing: checked like fallbacks.
                            if (field.key == QLatin1String("models"))
                                m_modelReferences.append(ModelReference {listed.text, listed.path, listed.node, {}});
                        }
                    }
                }
                if (!hasName)
                    ok = reportMissing(item, path, QStringLiteral("name"), QStringLiteral("add e.g. name: no-keys"));
                if (!hasDetect)
                    ok = reportMissing(item, path, QStringLiteral("detect"),
                                       QStringLiteral("add what the rule looks for, e.g. detect: secrets"));
                if (!hasAction)
                    ok = reportMissing(item, path, QStringLiteral("action"),
                                       QStringLiteral("add what it does, e.g. action: mask (or block, log)"));
                if (!ok)
                    return;
                if (const QString problem = Guardrails::validate(rule); !problem.isEmpty()) {
                    const bool aboutPattern = rule.detect == QLatin1String("regex") && !rule.pattern.isEmpty();
                    error(aboutPattern ? patternNode : detectNode,
                          aboutPattern ? joinPath(path, QStringLiteral("pattern")) : detectPath,
                          aboutPattern ? QStringLiteral("pattern ") + problem : problem);
                    return;
                }
                if (!rule.pattern.isEmpty() && rule.detect != QLatin1String("regex")) {
                    error(item, joinPath(path, QStringLiteral("pattern")),
                          QStringLiteral("pattern is only used with detect: regex; remove it or set detect: regex"));
                    return;
                }
                if (!rule.words.isEmpty() && rule.detect != QLatin1String("words")) {
                    error(item, joinPath(path, QStringLiteral("words")),
                          QStringLiteral("words is only used with detect: words; remove it or set detect: words"));
                    return;
                }
                guardrails.rules.append(rule);
            });
    }
}

Result<Config> ConfigLoader::loadFile(const QString &path)
{
    const QString shown = QDir::toNativeSeparators(path);
    const QFileInfo info(path);
    if (!info.exists()) {
        return makeError(QStringLiteral("%1 does not exist; create it or pass --config FILE "
                                        "(docs/configuration.md describes every field and has a complete example)")
                             .arg(shown));
    }
    if (info.isDir())
        return makeError(QStringLiteral("%1 is a folder; pass the path of the config file itself").arg(shown));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("%1 cannot be read: %2").arg(shown, file.errorString()));
    if (file.size() > MaxConfigFileBytes) {
        return makeError(QStringLiteral("%1 is larger than %2 MiB; is it really a Sluice config file?")
                             .arg(shown)
                             .arg(MaxConfigFileBytes / (1024 * 1024)));
    }
    Result<Config> result = loadString(file.readAll(), shown);
    if (result.ok())
        result.value().sourcePath = info.absoluteFilePath();
    return result;
}

Result<Config> ConfigLoader::loadString(const QByteArray &yaml, const QString &sourceName)
{
    ConfigReader reader(sourceName);
    YAML::Node root;
    try {
        root = YAML::Load(yaml.toStdString());
    } catch (const YAML::Exception &e) {
        const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
        reader.error(
            line, QString(),
            QStringLiteral("invalid YAML: %1 (%2)").arg(QString::fromStdString(e.msg), syntaxHint(yaml, line)));
        return makeError(reader.message());
    }
    Config config;
    try {
        config = reader.read(root);
    } catch (const YAML::Exception &e) {
        reader.error(e.mark.is_null() ? 0 : e.mark.line + 1, QString(),
                     QStringLiteral("invalid YAML: %1").arg(QString::fromStdString(e.msg)));
    }
    if (reader.hasErrors())
        return makeError(reader.message());
    qCDebug(lcConfig) << "Loaded" << sourceName << "with" << config.providers.size() << "providers,"
                      << config.models.size() << "models and" << config.tokens.size() << "tokens";
    return config;
}

QString ConfigLoader::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)
        + QStringLiteral("/sluice/sluice.yaml");
}

} // namespace sluice

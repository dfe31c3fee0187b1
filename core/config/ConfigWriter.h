#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include "common/Result.h"
#include "config/Config.h"
#include "config/YamlText.h"

namespace sluice {

// A provider as `sluice provider add` and the Providers page write it.
struct ProviderEntry
{
    QString name;
    QString type;
    QString baseUrl; // empty: the type's preset URL
    SecretRef apiKey; // none for a local server
};

// A model name as `sluice model add` writes it: one deployment, optional fallbacks.
struct ModelEntry
{
    QString name;
    QString provider;
    QString upstreamModel; // empty: the same as name
    QStringList fallbacks;
};

// The one way Sluice changes its config file (the command line and the window alike): edits go through
// YamlText, so the user's comments, order and hand-written fields stay; save() validates the result with
// ConfigLoader (nothing is written when it would not load), refuses when the file changed on disk since it was
// read, and writes atomically (QSaveFile), so a crash never leaves half a config. A running Sluice picks the
// change up through its ConfigWatcher.
class ConfigWriter
{
public:
    // Reads the file; a missing file starts from DefaultConfig::text() (save() then creates it).
    static Result<ConfigWriter> open(const QString &path);

    QString path() const { return m_path; }
    // The text as edited so far, and as it was read.
    QByteArray text() const { return m_yaml.text(); }
    QByteArray originalText() const { return m_original; }
    bool isChanged() const { return text() != m_original; }
    // For edits these helpers do not cover (settings pages): every change still goes through save().
    YamlText &yaml() { return m_yaml; }

    Result<void> addProvider(const ProviderEntry &provider);
    // Refuses while models are served by it (it names them).
    Result<void> removeProvider(const QString &name);
    Result<void> addModel(const ModelEntry &model);
    // Serves the existing model from provider too (as upstreamModel; empty: the model's name): a model in the
    // short form (provider:, upstream_model:) becomes a deployments: list with both; a deployments: list gets one
    // more item. The model's other fields stay.
    Result<void> addDeployment(const QString &model, const QString &provider, const QString &upstreamModel);
    Result<void> removeModel(const QString &name);

    // Adds a guardrail rule at the end of guardrails.rules (originalName empty), or changes the rule named
    // originalName in place: a rule written as indented lines field by field (its comments stay), a one-line rule
    // as one line. Problems with the rule itself are the loader's, from validate() or save().
    Result<void> setGuardrailRule(const QString &originalName, const GuardrailRule &rule);
    Result<void> removeGuardrailRule(const QString &name);
    // The rule's place in guardrails.rules, as the loader's messages number it (guardrails.rules[N]); -1: none.
    int guardrailRuleIndex(const QString &name) const;

    // The edited text through ConfigLoader: the config it gives, or the loader's message.
    Result<Config> validate() const;
    // Validates, then writes atomically; nothing is written on an error. Returns the config written.
    Result<Config> save();

private:
    QString m_path;
    QByteArray m_original;
    bool m_existed = false;
    YamlText m_yaml;

    QString shownName() const;
};

} // namespace sluice

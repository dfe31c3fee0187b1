#pragma once

#include <QHash>
#include <QString>

#include "config/Config.h"
#include "guardrails/GuardrailRule.h"

namespace sluice {

// What a change to one guardrail rule gives: the rules as written, or the config loader's messages, each at the
// rule's field it is about.
struct GuardrailEdit
{
    bool ok = false;
    // Field key ("pattern", "models", ...) -> the loader's message about it, without the file and path prefix.
    QHash<QString, QString> fieldErrors;
    QString error; // what is about no one field of the rule (the file, another rule, a change on disk)
    GuardrailSettings rules; // when ok: the guardrails section as it reads now
};

// The Guardrails page's work, each a blocking function for a worker thread: rules are changed through
// ConfigWriter (the same writer as `sluice provider` and the Providers page), validated by the config loader
// before anything is written, and written atomically; a running Sluice reloads the file.
class GuardrailsWork
{
public:
    // originalName empty: a new rule at the end. check() only validates, save() also writes.
    static GuardrailEdit check(const QString &configPath, const QString &originalName, const GuardrailRule &rule);
    static GuardrailEdit save(const QString &configPath, const QString &originalName, const GuardrailRule &rule);
    static GuardrailEdit remove(const QString &configPath, const QString &name);

    // Sorts the loader's message into the fields of the rule at `index` of guardrails.rules.
    static GuardrailEdit fromLoaderMessage(const QString &message, int index);

private:
    static GuardrailEdit apply(const QString &configPath, const QString &originalName, const GuardrailRule &rule,
                               bool write);
};

} // namespace sluice

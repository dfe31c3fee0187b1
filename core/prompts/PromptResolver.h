#pragma once

#include <QJsonObject>
#include <QString>

#include "prompts/PromptContent.h"
#include "prompts/PromptReference.h"
#include "store/PromptStore.h"

namespace sluice {

// What the gateway asks of the registry: the version a reference names, rendered with the request's variables,
// and the model to call. Reads through its own read-only connection, opened on the calling thread; every call
// reads the registry afresh, so a moved label applies to the next request.
class PromptResolver
{
public:
    struct Resolved
    {
        PromptVersion version;
        PromptContent rendered;
        QString model; // the override, or else the prompt's config.model
    };
    struct Outcome
    {
        int status = 200; // 404: no such prompt, label or version; 400: variables; 503: no registry
        QString message;
        Resolved resolved;
        bool ok() const { return status == 200; }
    };

    void setDatabasePath(const StoreLocation &store) { m_databasePath = store; }
    // modelOverride: the model the caller asked for instead of the prompt's own (empty: the prompt's).
    Outcome resolve(const PromptReference &reference, const QJsonObject &variables,
                    const QString &modelOverride = QString());

private:
    bool ensureOpen(QString *error);

    StoreLocation m_databasePath;
    PromptStore m_store;
};

} // namespace sluice

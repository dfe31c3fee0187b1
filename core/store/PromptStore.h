#pragma once

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include "common/Result.h"
#include "store/PromptVersion.h"
#include "store/SqliteConnection.h"
#include "store/StoreConnection.h"

namespace sluice {

// The prompt registry in the log database (tables prompts, prompt_versions, prompt_labels, prompt_label_history)
// and the observed prompts (observed_prompt_versions), with the request log's usage per version. The command line
// and the window open it read-write (creating and upgrading the database as needed), the gateway read-only. Use
// it from the thread that opened it: each thread opens its own.
class PromptStore
{
public:
    PromptStore() = default;

    // A SQLite file path converts to a store location; on PostgreSQL the registry is shared by every gateway.
    Result<void> open(const StoreLocation &location, SqliteConnection::Mode mode = SqliteConnection::Mode::ReadWrite);
    void close() { m_connection.close(); }
    bool isOpen() const { return m_connection.isOpen(); }

    // A new prompt with version 1 (create) or the next version of an existing one (update). Returns the number.
    // type is "chat" or "text"; templateJson and configJson as in PromptVersion (validated by the caller).
    Result<int> create(const QString &name, const QString &type, const QString &templateJson, const QString &configJson,
                       const QString &message, const QString &author);
    Result<int> update(const QString &name, const QString &type, const QString &templateJson, const QString &configJson,
                       const QString &message, const QString &author);
    // Points label at version and appends the move to the label's history; moving it where it is changes nothing.
    Result<void> setLabel(const QString &name, const QString &label, int version, const QString &author);

    // selector: empty or "latest" (the newest version), "vN" (version N) or a label.
    Result<PromptVersion> resolve(const QString &name, const QString &selector);
    Result<QList<PromptVersion>> versions(const QString &name);
    Result<QList<PromptSummary>> list();
    // Oldest first.
    Result<QList<LabelMove>> labelHistory(const QString &name);
    // Per version, from the request log, oldest version first (versions without requests included).
    Result<QList<PromptUsageStats>> stats(const QString &name);

    // Every observed prompt version with its usage, grouped by prompt key, oldest first within a key.
    Result<QList<ObservedPromptVersion>> observed();
    // Saves an observed version into the registry as a chat prompt with its system text (a new prompt, or the next
    // version of name when it exists). Returns the version number.
    Result<int> saveObserved(const QString &fingerprint, const QString &name, const QString &author);

    // Prompt names: letters, digits, '.', '_', '-' and '/', 1 to 100 characters (no '@' or ':').
    static bool isValidName(const QString &name);
    // Labels: letters, digits, '.', '_', '-', 1 to 64 characters; not "latest" and not "v" and digits.
    static bool isValidLabel(const QString &label);
    static QString labelRules();
    static QString nameRules();

private:
    Result<int> addVersion(bool newPrompt, const QString &name, const QString &type, const QString &templateJson,
                           const QString &configJson, const QString &message, const QString &author);
    Result<QStringList> labelsOf(const QString &name, int version, int latest);
    Result<QList<PromptUsageStats>> usage(const QString &column, const QString &where, const QVariant &bound);

    StoreConnection m_connection;
    QString m_databasePath;
};

} // namespace sluice

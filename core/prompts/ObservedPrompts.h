#pragma once

#include <QByteArray>
#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>

namespace sluice {

// What one request carried of an observed prompt.
struct ObservedPromptSighting
{
    QString fingerprint; // empty: the request had no system prompt and no tools
    // The version's description (prompt_key, client, system_text, tools) the first time this process sees it,
    // for the log writer to keep; empty afterwards.
    QByteArray sample;
};

// Observed prompts (docs/prompts.md): the system prompt and tool list of each client's requests, normalised so
// that what changes on every call (dates, times, paths, ids, hashes, the git status an agent pastes in) does not
// make a new version, and fingerprinted. Lives on the gateway thread; a request whose raw system prompt and tools
// were seen before costs one hash of them.
class ObservedPrompts
{
public:
    ObservedPromptSighting observe(const QString &client, const QString &system, QStringList tools);

    // The client's name from its User-Agent: the first product token without its version ("claude-cli/1.0.98
    // (external, cli)" -> "claude-cli"); "unknown client" when there is none.
    static QString clientName(QByteArrayView userAgent);
    static QString normalise(const QString &system);
    // Hex SHA-256 of the normalised system prompt and the sorted tool names.
    static QString fingerprint(const QString &normalised, const QStringList &sortedTools);
    // The observed prompt a version belongs to: the client and the prompt's first line.
    static QString promptKey(const QString &client, const QString &normalised);

    // observe() for an OpenAI chat body: a body whose leading system messages and tools are byte for byte ones seen
    // before costs a hash of those bytes; otherwise they are read (readOpenAiChat) and observed.
    ObservedPromptSighting observeOpenAiChat(const QString &client, const QByteArray &body);
    // The leading system text and the tool names of an OpenAI chat body, read without decoding the conversation.
    static void readOpenAiChat(const QByteArray &body, QString *system, QStringList *tools);

    static constexpr int MaxRemembered = 1024;

private:
    QHash<size_t, QString> m_fingerprints; // hash of client, raw system and tools -> fingerprint
    QHash<size_t, QString> m_rawFingerprints; // hash of client and an OpenAI body's system and tools bytes
    QSet<QString> m_sampled; // fingerprints whose sample was handed out
};

} // namespace sluice

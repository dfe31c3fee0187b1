#pragma once

#include <QString>
#include <QStringList>

namespace sluice {

// What Sluice knows about a provider type: the wire format it speaks, how it takes its key, and where it lives
// by default (so `base_url` can be left out for the well-known ones).
struct ProviderPreset
{
    enum class Wire { OpenAiChat, AnthropicMessages, Gemini, BedrockConverse };
    enum class Auth { Bearer, AzureApiKey, XApiKey, GoogApiKey, AwsSigV4 };

    QString type; // as written in the config: "openai", "anthropic", "groq", ...
    Wire wire = Wire::OpenAiChat;
    Auth auth = Auth::Bearer;
    QString defaultBaseUrl; // empty: base_url is required (bedrock: derived from region)
    bool local = false; // runs on the user's machine: free by default, no key needed
    bool azure = false; // URLs name deployments and carry api-version

    // Null when the type is unknown.
    static const ProviderPreset *find(const QString &type);
    static QStringList types();
};

} // namespace sluice
